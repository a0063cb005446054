"""The live picture's key as HTML: the colour bar or colour categories, the kinds of tie, the landlord and services.

The key is drawn by the browser rather than into the picture, so its text
has the page's size (readable on a projector whatever size the picture is
shown at) and screen readers can read it. Its colours are taken from the
same objects the picture is drawn with (:class:`~sim.viz.colours.ColourScheme`
and :data:`~sim.viz.network_view.TIE_STYLE`), so the key cannot drift from
the picture.
"""

from __future__ import annotations

from html import escape

from matplotlib.colors import to_hex

from sim.viz.colours import PALE, ColourScheme
from sim.viz.network_view import HUB_COLOUR, LANDLORD_COLOUR, SERVICE_COLOUR, TIE_STYLE

GRADIENT_STOPS = 11
"""Colours sampled from a continuous scheme's map for the CSS gradient (every 0.1)."""


def colour_key(scheme: ColourScheme, blocks: bool = False) -> str:
    """HTML for what the colours mean: a bar from 0 to 1 with its ends in words, or one swatch per category.

    In the block view of a large community (``blocks``) a category scheme
    colours each block by the share of its households in the first category,
    so its key is a bar from pale grey (none) to that colour (all).
    """
    title = f"<span class='shs-key-title'>Colour: {escape(scheme.label.lower())}{' (each block: the average)' if blocks and scheme.continuous else ''}</span>"
    if blocks and not scheme.continuous:
        title = f"<span class='shs-key-title'>Colour: {escape(scheme.share)} in each block</span>"
        stops = f"{PALE} 0%, {to_hex(scheme.categories[0][1])} 100%"
        return (
            f"<div class='shs-key-colours'>{title}"
            f"<div class='shs-key-bar' role='img' aria-label='from none to all' style='background: linear-gradient(to right, {stops})'></div>"
            f"<div class='shs-key-ends'><span>none</span><span>half</span><span>all</span></div></div>"
        )
    if scheme.continuous:
        cmap = scheme.colormap()
        stops = ", ".join(f"{to_hex(cmap(i / (GRADIENT_STOPS - 1)))} {100 * i / (GRADIENT_STOPS - 1):.0f}%" for i in range(GRADIENT_STOPS))
        low, high = (escape(end) for end in scheme.ends)
        return (
            f"<div class='shs-key-colours'>{title}"
            f"<div class='shs-key-bar' role='img' aria-label='from {low} to {high}' style='background: linear-gradient(to right, {stops})'></div>"
            f"<div class='shs-key-ends'><span>{low}</span><span>0.5</span><span>{high}</span></div></div>"
        )
    swatches = "".join(
        f"<span class='shs-key-item'><span class='shs-key-dot' style='background: {to_hex(colour)}'></span>{escape(label)}</span>"
        for label, colour in scheme.categories
    )
    return f"<div class='shs-key-colours'>{title}<div class='shs-key-items'>{swatches}</div></div>"


def tie_key(blocks: bool = False) -> str:
    """HTML for the kinds of tie and the institution markers, drawn as the picture draws them (the block view draws no ties within a block)."""
    ties = "".join(
        f"<span class='shs-key-item'><span class='shs-key-line' style='border-top-color: {to_hex(style['color'])}'></span>{escape(style['label'])}</span>"
        for kind, style in TIE_STYLE.items()
        if not (blocks and kind == "bonding")
    )
    places = (
        f"<span class='shs-key-item'><span class='shs-key-square' style='background: {LANDLORD_COLOUR}'></span>Landlord</span>"
        f"<span class='shs-key-item'><span class='shs-key-diamond' style='background: {SERVICE_COLOUR}'></span>Service</span>"
        f"<span class='shs-key-item'><span class='shs-key-star' style='color: {HUB_COLOUR}'>★</span>Community hub (when open)</span>"
    )
    return f"<div class='shs-key-items'>{ties}{places}</div>"


CSS = """
.shs-key { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; margin: 4px 0 8px 0; font-size: 15px; }
.shs-key-title { font-weight: 600; display: block; margin-bottom: 2px; }
.shs-key-bar { width: 260px; height: 16px; border: 1px solid #555; }
.shs-key-ends { display: flex; justify-content: space-between; width: 260px; }
.shs-key-items { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: center; }
.shs-key-item { display: inline-flex; align-items: center; gap: 6px; }
.shs-key-dot { width: 14px; height: 14px; border-radius: 50%; border: 1px solid #333; display: inline-block; }
.shs-key-line { width: 28px; height: 0; border-top: 3px solid; display: inline-block; }
.shs-key-square { width: 14px; height: 14px; display: inline-block; }
.shs-key-diamond { width: 12px; height: 12px; transform: rotate(45deg); display: inline-block; margin: 0 2px; }
.shs-key-star { font-size: 20px; line-height: 14px; }
"""
"""The key's style (sizes in CSS pixels: at least 14 px, readable on a projector)."""
