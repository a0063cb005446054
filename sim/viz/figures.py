"""The app's figures as PNG images: built once, redrawn in place at every step.

Each figure owns a matplotlib :class:`~matplotlib.figure.Figure` on the Agg
canvas (no pyplot, no global state, safe to build in any thread) and keeps
its artists. In the plots, what changes at every step (the lines) is marked
``animated``: the still parts (axes, ticks, titles, legends) are drawn once
and kept as a background bitmap, and a step only restores that bitmap and
draws the lines over it (matplotlib's "blitting"), which makes a step's
redraw of a six-panel plot about ten times cheaper; the whole figure is
redrawn only when its axes change. The result is encoded with a fast PNG
setting (compression level 1: the images travel only to a browser on the
same machine or network), and a figure asked for the same picture twice (a
redraw after an event, a new second policy, a new colour for the other
side) returns the bytes it made last time without drawing.

Text stays legible however small the page shows a figure: each figure sizes
its fonts so that the smallest text, shown at the narrowest width the page
gives it (:data:`COMMUNITY_WIDTH`, :data:`CHART_WIDTH`), is at least
:data:`MIN_TEXT_PX` pixels high (:func:`smallest_text_px` measures it).

Side by side, a Step with redraw in the browser took 1.8-2.6 s at 500
households and 2.3-4.4 s at 2,000 on a busy 2-core machine before the
shared-scale difference charts, the block view and these caches, and
0.37-0.48 s and 0.38-0.56 s after (medians; docs/viz_speed.md).
"""

from __future__ import annotations

import io
import math
import threading
import weakref
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from sim.state import COMMUNITY
from sim.viz.block_view import BlockView
from sim.viz.colours import ColourScheme
from sim.viz.layout import Layout
from sim.viz.network_view import CommunityView, fit_axes, picture_height
from sim.viz.plots import (
    DIFFERENCE_COLUMNS,
    DIFFERENCE_PANELS,
    SHORT,
    DifferencePlot,
    Marker,
    OutcomePlot,
    SurveyPlot,
    TextSizes,
    legend_of_shading,
)

if TYPE_CHECKING:
    from sim.model import HousingModel

DPI = 100
"""Pixels per inch of the images shown in the browser."""

DRAWING = threading.RLock()
"""Held while matplotlib draws: it is not thread-safe (its font cache is shared), and each
browser tab draws from its own threads."""

PICK_RADIUS = 0.12
"""How close (in block cells) a click must be to a resident to select it."""

MIN_TEXT_PX = 12.0
"""The smallest text a figure may show, in CSS pixels as displayed (readable on a projector)."""

COMMUNITY_WIDTH = 340
"""The narrowest the page shows a community picture, in CSS pixels (side by side at 1024 wide, sidebar open)."""

CHART_WIDTH = 660
"""The narrowest the page shows the outcome, survey and difference charts, in CSS pixels."""

AGGREGATE_FROM = 1000
"""Communities of this many households or more are drawn block by block (:class:`~sim.viz.block_view.BlockView`):
at 1,000 a household's dot is smaller than the ties drawn over it."""


def forget_fonts() -> int:
    """Drop matplotlib's cached fonts (see below); the number dropped.

    matplotlib keeps the fonts it draws text with (``FT2Font``: a FreeType
    face with its glyph cache, and an open file) in a cache keyed by the
    drawing thread (``matplotlib.font_manager._get_font``, an
    ``lru_cache(64)`` keyed by ``threading.get_ident()``, so that no two
    threads share one). Solara draws each page in threads of its own, so
    every session added fonts that outlived it, up to 64: found with
    ``experiments/viz_memory.py --trace 8,18`` (tracemalloc, see
    :data:`sim.viz.memory.TRACE_VARIABLE`), where they were the largest
    growth between session 8 and 18, and the server held two more open font
    files per few sessions. The server calls this after sessions are released
    (:mod:`sim.viz.server`); a page that draws afterwards reopens its fonts
    (a few milliseconds). Held under :data:`DRAWING`, so no figure is drawing.
    """
    from matplotlib import font_manager

    cached = getattr(font_manager, "_get_font", None)
    if cached is None or not hasattr(cached, "cache_clear"):  # another matplotlib: nothing to drop
        return 0
    with DRAWING:
        dropped = cached.cache_info().currsize
        cached.cache_clear()
    return dropped


def shows_blocks(households: int) -> bool:
    """Whether the community picture of ``households`` households shows blocks (True) or households (False)."""
    return households >= AGGREGATE_FROM


def text_points(figure: Figure, display_width: float) -> float:
    """The smallest font size (points, rounded up to a tenth) that shows :data:`MIN_TEXT_PX` high
    when ``figure`` is displayed ``display_width`` CSS pixels wide."""
    natural = figure.get_figwidth() * figure.dpi
    return math.ceil(10.0 * MIN_TEXT_PX * natural / display_width * 72.0 / figure.dpi) / 10.0


def smallest_text_px(figure: Figure) -> float:
    """Height of the smallest visible text in ``figure``, in image pixels: font size in points x dpi / 72.

    Counts every text that is drawn: titles, labels, legends, annotations
    and tick labels (not those of an axis switched off, nor empty or hidden
    ones). Displayed ``w`` CSS pixels wide, a figure ``W`` pixels wide shows
    it ``w / W`` times as high.
    """
    with DRAWING:
        figure.canvas.draw()  # ticks and their labels are made while drawing
        hidden = set()
        for ax in figure.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if not ax.axison or not axis.get_visible() or not ax.get_visible():
                    hidden.update(id(t) for t in axis.findobj(Text))
        sizes = [
            t.get_fontsize()
            for t in figure.findobj(Text)
            if id(t) not in hidden and t.get_visible() and t.get_text().strip() and (t.axes is None or t.axes.get_visible())
        ]
    return min(sizes) * figure.dpi / 72.0 if sizes else math.inf


def _frames_key(*frames: pd.DataFrame) -> tuple:
    """What the plots of ``frames`` show, as a hashable key (the numbers, not the objects)."""
    return tuple((len(f), hash(f.select_dtypes("number").to_numpy(dtype=float).tobytes())) for f in frames)


def new_figure(width: float, height: float, dpi: float = DPI) -> Figure:
    """A figure of ``width`` x ``height`` inches on its own Agg canvas."""
    figure = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def png(figure: Figure, compress_level: int = 1) -> bytes:
    """``figure`` drawn in full and encoded as PNG bytes (animated artists included)."""
    with DRAWING, _all_drawn(figure):
        figure.canvas.draw()
        return _encode(figure, compress_level)


def _encode(figure: Figure, compress_level: int = 1) -> bytes:
    canvas = figure.canvas
    width, height = canvas.get_width_height()
    buffer = io.BytesIO()
    picture = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    picture.convert("RGB").save(buffer, format="png", compress_level=compress_level)  # opaque figures: no alpha to store
    return buffer.getvalue()


@contextmanager
def _all_drawn(figure: Figure):
    """Within: animated artists are drawn by an ordinary draw (for a one-off image such as an export)."""
    animated = [a for a in figure.findobj() if a.get_animated()]
    for artist in animated:
        artist.set_animated(False)
    try:
        yield
    finally:
        for artist in animated:
            artist.set_animated(True)


class _Blitted:
    """A figure whose still parts are drawn once and whose ``animated`` artists are drawn over them."""

    def __init__(self, figure: Figure):
        self.figure = figure
        self._background = None
        self.full_redraws = 0
        self._last: tuple[tuple, bytes] | None = None  # the last picture made, and what it showed

    def _unchanged(self, key: tuple) -> bytes | None:
        return self._last[1] if self._last is not None and self._last[0] == key else None

    def _keep(self, key: tuple, picture: bytes) -> bytes:
        self._last = (key, picture)
        return picture

    def _render(self, moving: list[Artist], full: bool) -> bytes:
        canvas = self.figure.canvas
        with DRAWING:
            if full or self._background is None:
                canvas.draw()  # skips animated artists
                self._background = canvas.copy_from_bbox(self.figure.bbox)
                self.full_redraws += 1
            else:
                canvas.restore_region(self._background)
            for artist in moving:
                if artist.get_visible():
                    self.figure.draw_artist(artist)
            return _encode(self.figure)


class CommunityFigure:
    """The community picture shown in the browser (no legend or title: the page explains the colours).

    A dot a household below :data:`AGGREGATE_FROM` households, a circle a
    block from there on (``blocks`` overrides the choice). Nearly everything
    in it changes at each step (ties, colours), so there is no still
    background worth keeping; but the ties are drawn again only when the
    model has stepped, and the picture only when something in it changed.
    Its labels are sized to stay :data:`MIN_TEXT_PX` high when the page
    shows the picture :data:`COMMUNITY_WIDTH` pixels wide, and the room above
    the landlord and services is kept in pixels, so no label is cut off at any
    community size.
    """

    def __init__(self, layout: Layout, width: float = 7.2, *, blocks: bool | None = None):
        self.blocks = shows_blocks(len(layout.residents)) if blocks is None else blocks
        self.figure = new_figure(width, 1.0)
        self.label_size = text_points(self.figure, COMMUNITY_WIDTH)
        label_px = self.label_size * DPI / 72.0
        top = 14.0 + 12.0 * DPI / 72.0 + 1.3 * label_px  # half the landlord's square, the labels' offset, the label
        width_px = width * DPI
        height_px = min(max(picture_height(layout, width_px, top), 0.3 * width_px), 0.9 * width_px)
        self.figure.set_size_inches(width, round(height_px) / DPI)
        ax = self.figure.add_axes((0.0, 0.0, 1.0, 1.0))
        view_class = BlockView if self.blocks else CommunityView
        self.view = view_class(ax, layout, label_size=self.label_size)
        fit_axes(ax, layout, top)
        self._last: tuple[tuple, bytes] | None = None

    def render(self, model: HousingModel, scheme: ColourScheme, *, highlight: int | None = None) -> bytes:
        """PNG of ``model`` now."""
        key = (model.steps, scheme.key, highlight, bool(model.services[COMMUNITY].fixed_capacity > 0))
        if self._last is not None and self._last[0][0]() is model and self._last[0][1:] == key:
            return self._last[1]  # the same model, month, colours and selection: the same picture
        self.view.update(model, scheme, highlight=highlight)
        picture = png(self.figure) if self.blocks else self._over_ties()
        self._last = ((weakref.ref(model), *key), picture)
        return picture

    def _over_ties(self) -> bytes:
        """PNG of the household view: everything but the ties drawn on a transparent canvas and laid over the
        tie image with numpy (matplotlib's own drawing of the image cost about as much as the rest of the picture)."""
        image = self.view.tie_image
        with DRAWING:
            image.set_visible(False)
            self.figure.patch.set_alpha(0.0)
            try:
                self.figure.canvas.draw()
            finally:
                image.set_visible(True)
                self.figure.patch.set_alpha(1.0)
            front = np.asarray(self.figure.canvas.buffer_rgba())
            height, width = front.shape[:2]
            back = np.full((height, width, 3), 255, dtype=np.uint8)
            ties = np.asarray(image.get_array())
            top, left = height - round(image.oy) - ties.shape[0], round(image.ox)  # the image's top left, in pixels from the top left
            rows, columns = slice(max(top, 0), min(top + ties.shape[0], height)), slice(max(left, 0), min(left + ties.shape[1], width))
            back[rows, columns] = ties[rows.start - top : rows.stop - top, columns.start - left : columns.stop - left]
            alpha = front[..., 3:4].astype(np.uint16)
            blended = (front[..., :3] * alpha + back * (255 - alpha) + 127) // 255  # straight alpha over an opaque background
            buffer = io.BytesIO()
            Image.fromarray(blended.astype(np.uint8), "RGB").save(buffer, format="png", compress_level=1)
            return buffer.getvalue()

    def where(self, resident: int) -> tuple[float, float]:
        """Where ``resident`` is drawn, as fractions of the image's width and height from its top left (the inverse of :meth:`pick`)."""
        width, height = self.figure.canvas.get_width_height()
        self.view.ax.apply_aspect()
        x, y = self.view.ax.transData.transform(self.view.layout.residents[resident])
        return float(x / width), float(1.0 - y / height)

    def pick(self, fx: float, fy: float) -> int | None:
        """The resident under a click at ``(fx, fy)``, fractions of the image's width and height from its top left
        (always None in the block view: a click there selects no household)."""
        width, height = self.figure.canvas.get_width_height()
        self.view.ax.apply_aspect()
        x, y = self.view.ax.transData.inverted().transform((fx * width, (1.0 - fy) * height))
        return self.view.nearest(float(x), float(y), PICK_RADIUS)


class OutcomesFigure(_Blitted):
    """The key outcomes over time, two rows of three panels."""

    def __init__(self, horizon: int, width: float = 9.0, height: float = 6.4):
        super().__init__(new_figure(width, height))
        self.text = TextSizes.at_least(text_points(self.figure, CHART_WIDTH))
        axes = self.figure.subplots(2, 3)
        self.figure.subplots_adjust(left=0.075, right=0.975, top=0.83, bottom=0.09, wspace=0.3, hspace=0.8)
        self.plot = OutcomePlot(list(axes.flat), horizon, text=self.text)

    def render(self, frame: pd.DataFrame, markers: tuple[Marker, ...] = ()) -> bytes:
        """PNG of the time series ``frame``."""
        key = (_frames_key(frame), markers)
        if (same := self._unchanged(key)) is not None:
            return same
        full = self.plot.update(frame, markers)
        return self._keep(key, self._render(self.plot.artists(), full))


SURVEY_LEGEND = {**{c: SHORT[c] for c in ("tsm_satisfied", "tsm_listens", "tsm_informed", "tsm_respect")}, "tsm_complaints": "Complaints (TP09)"}
"""Short survey names for the legend beside the survey chart (the glossary below it gives the questions)."""


class SurveyFigure(_Blitted):
    """The survey shares over time, in percent, the legend to the right."""

    def __init__(self, horizon: int, width: float = 9.0, height: float = 3.4):
        super().__init__(new_figure(width, height))
        self.text = TextSizes.at_least(text_points(self.figure, CHART_WIDTH))
        ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.085, right=0.72, top=0.87, bottom=0.19)
        self.plot = SurveyPlot(ax, horizon, text=self.text, legend_right=True, labels=SURVEY_LEGEND)

    def render(self, frame: pd.DataFrame, markers: tuple[Marker, ...] = ()) -> bytes:
        """PNG of the ``tsm_*`` columns of ``frame``."""
        key = (_frames_key(frame), markers)
        if (same := self._unchanged(key)) is not None:
            return same
        full = self.plot.update(frame, markers)
        return self._keep(key, self._render(self.plot.artists(), full))


class DifferenceFigure(_Blitted):
    """What the reform changes over time (reform minus reference): three rows of five panels on shared scales.

    Give :meth:`render` the frames in reform order (:func:`sim.viz.reform.in_reform_order`).
    """

    def __init__(self, horizon: int, width: float = 9.6, height: float = 7.4):
        super().__init__(new_figure(width, height))
        self.text = TextSizes.at_least(text_points(self.figure, CHART_WIDTH))
        rows = -(-len(DIFFERENCE_PANELS) // DIFFERENCE_COLUMNS)
        axes = self.figure.subplots(rows, DIFFERENCE_COLUMNS)
        self.figure.subplots_adjust(left=0.07, right=0.935, top=0.82, bottom=0.085, wspace=0.26, hspace=0.95)
        self.plot = DifferencePlot(list(axes.flat)[: len(DIFFERENCE_PANELS)], horizon, text=self.text, per_row=DIFFERENCE_COLUMNS)
        self.figure.legend(handles=legend_of_shading(), loc="upper left", bbox_to_anchor=(0.01, 0.995), ncols=2, fontsize=self.text.legend, frameon=False, handlelength=1.6)

    def render(self, reform: pd.DataFrame, reference: pd.DataFrame, markers: tuple[Marker, ...] = ()) -> bytes:
        """PNG of ``reform - reference``."""
        key = (_frames_key(reform, reference), markers)
        if (same := self._unchanged(key)) is not None:
            return same
        full = self.plot.update(reform, reference, markers)
        return self._keep(key, self._render(self.plot.artists(), full))
