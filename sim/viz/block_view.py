"""The community of a large estate drawn block by block, so its colours stay visible.

From about 1,000 households a dot per household is smaller than the ties
drawn over it, and the picture turns into a mesh of purple and green. Here
each block of flats is one circle at its place in the
:class:`~sim.viz.layout.Layout`, its area in proportion to the households
living there and its colour the block's average of the colour scheme's value
(:meth:`~sim.viz.colours.ColourScheme.block_colours`: mean trust, mean
stigma, or the share in work or taking part). Ties are summed between blocks
(bridging) and from each block to each institution (linking), and drawn as
one faint line per pair, fainter the weaker the pair's ties; ties within a
block (bonding) stay inside its circle and are not drawn. A few hundred lines
instead of tens of thousands: the picture costs a tenth of the household
view's at 2,000 households.

A click selects nothing here (a household is chosen by its number in the
household panel); a selected household's block is ringed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import EllipseCollection, LineCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import Circle

from sim.viz.colours import ColourScheme
from sim.viz.layout import BLOCK_RADIUS, Layout
from sim.viz.network_view import HIGHLIGHT_COLOUR, TIE_STYLE, Landmarks, Ties, ties

if TYPE_CHECKING:
    from sim.model import HousingModel

TIE_OPACITY = 0.55
"""Opacity of the strongest pair of blocks' ties; weaker pairs are fainter in proportion (ties fade behind the blocks)."""

TIE_WIDTH = 2.5
"""Line width (points) of the strongest pair of blocks' ties."""


class BlockView:
    """The community drawn on one axes, a circle a block; the same interface as :class:`~sim.viz.network_view.CommunityView`.

    Args:
        ax: the axes to draw on (its limits are set by the caller: :func:`~sim.viz.network_view.fit_axes`).
        layout: positions, with each dwelling's block and each block's centre.
        label_size: font size of the institution and estate labels.
    """

    def __init__(self, ax: Axes, layout: Layout, *, label_size: float = 8.0):
        self.ax = ax
        self.layout = layout
        blocks = np.asarray(layout.blocks, dtype=np.int64)
        if len(blocks) != len(layout.residents) or len(layout.block_centres) == 0:
            raise ValueError("the layout has no blocks: compute it with sim.viz.layout.community_layout")
        self.blocks = blocks
        self.households = np.bincount(blocks, minlength=len(layout.block_centres))
        self.institution_points = np.array([layout.institutions[name] for name in layout.institutions]).reshape(-1, 2)
        radius = BLOCK_RADIUS * np.sqrt(self.households / max(int(self.households.max()), 1))  # area in proportion to households
        self.ties = LineCollection([], zorder=1)
        ax.add_collection(self.ties, autolim=False)
        self.circles = EllipseCollection(
            2 * radius, 2 * radius, np.zeros(len(radius)), units="xy", offsets=layout.block_centres,
            offset_transform=ax.transData, facecolors="white", edgecolors="#333333", linewidths=0.6, zorder=3,
        )  # fmt: skip
        ax.add_collection(self.circles, autolim=False)
        self.ring = ax.add_patch(Circle((0.0, 0.0), 1.0, facecolor="none", edgecolor=HIGHLIGHT_COLOUR, linewidth=2.0, zorder=7, visible=False))
        self.radius = radius
        self.landmarks = Landmarks(ax, layout, label_size)
        self.institution_labels = self.landmarks.labels
        xmin, xmax, ymin, ymax = layout.bounds
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_axis_off()

    def update(self, model: HousingModel, scheme: ColourScheme, *, highlight: int | None = None) -> None:
        """Show ``model`` now: blocks coloured by their average under ``scheme``, ties between blocks, the hub if open, ``highlight``'s block ringed."""
        if model.state.n != len(self.blocks):
            raise ValueError(f"the layout has {len(self.blocks)} residents, the model {model.state.n}: compute the layout for this model")
        self.circles.set_facecolors(scheme.block_colours(model, self.blocks, len(self.households)))
        self._draw_ties(ties(model), model.state.n)
        self.landmarks.update(model)
        if highlight is not None and 0 <= highlight < len(self.blocks):
            block = self.blocks[highlight]
            self.ring.set_center(tuple(self.layout.block_centres[block]))
            self.ring.set_radius(self.radius[block] + 0.06)
            self.ring.set_visible(True)
        else:
            self.ring.set_visible(False)

    def _draw_ties(self, tie_sets: Ties, n: int) -> None:
        """One line per pair of blocks (bridging) and per block and institution (linking), its opacity and width by the pair's summed strength."""
        groups = len(self.households)
        segments, colours, widths = [], [], []
        kinds = []
        for kind in ("bridging", "linking"):
            pairs, strength = tie_sets.pairs[kind], np.clip(tie_sets.strength[kind], 0.0, 1.0)
            if kind == "bridging":
                u, v = self.blocks[pairs[:, 0]], self.blocks[pairs[:, 1]]
                u, v = np.minimum(u, v), np.maximum(u, v)
                keep = u != v
                code = u[keep] * groups + v[keep]
                strength = strength[keep]
                far = groups  # pair codes index blocks only
            else:
                code = self.blocks[pairs[:, 0]] * len(self.institution_points) + (pairs[:, 1] - n)
                far = len(self.institution_points)
            totals = np.bincount(code, strength, minlength=groups * far)
            found = np.flatnonzero(totals > 0)
            if not len(found):
                continue
            start = self.layout.block_centres[found // far]
            end = self.layout.block_centres[found % far] if kind == "bridging" else self.institution_points[found % far]
            kinds.append((kind, np.stack((start, end), axis=1), totals[found]))
        strongest = max((float(t.max()) for _, _, t in kinds), default=1.0)
        for kind, lines, totals in kinds:
            share = totals / strongest
            rgba = np.tile(to_rgba(TIE_STYLE[kind]["color"]), (len(totals), 1))
            rgba[:, 3] = TIE_OPACITY * np.sqrt(share)  # faint, and stronger pairs less faint
            segments.append(lines)
            colours.append(rgba)
            widths.append(0.4 + (TIE_WIDTH - 0.4) * share)
        if segments:
            self.ties.set_segments(np.concatenate(segments))
            self.ties.set_colors(np.concatenate(colours))
            self.ties.set_linewidths(np.concatenate(widths))
        else:
            self.ties.set_segments([])

    def nearest(self, x: float, y: float, radius: float) -> int | None:
        """None: in the block view a click selects no household."""
        return None
