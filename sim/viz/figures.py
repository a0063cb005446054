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
same machine or network).
"""

from __future__ import annotations

import io
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from sim.viz.colours import ColourScheme
from sim.viz.layout import Layout
from sim.viz.network_view import CommunityView
from sim.viz.plots import DifferencePlot, Marker, OutcomePlot, SurveyPlot

if TYPE_CHECKING:
    from sim.model import HousingModel

DPI = 100
"""Pixels per inch of the images shown in the browser."""

DRAWING = threading.RLock()
"""Held while matplotlib draws: it is not thread-safe (its font cache is shared), and each
browser tab draws from its own threads."""

PICK_RADIUS = 0.12
"""How close (in block cells) a click must be to a resident to select it."""


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

    Drawn in full at every step: nearly everything in it changes (ties,
    colours), so there is no still background worth keeping.
    """

    def __init__(self, layout: Layout, width: float = 9.0):
        xmin, xmax, ymin, ymax = layout.bounds
        height = min(max(width * (ymax - ymin) / max(xmax - xmin, 1e-9), 2.5), 8.0)  # the drawing's own shape
        self.figure = new_figure(width, height)
        ax = self.figure.add_axes((0.0, 0.0, 1.0, 1.0))
        self.view = CommunityView(ax, layout)

    def render(self, model: HousingModel, scheme: ColourScheme, *, highlight: int | None = None) -> bytes:
        """PNG of ``model`` now."""
        self.view.update(model, scheme, highlight=highlight)
        return png(self.figure)

    def where(self, resident: int) -> tuple[float, float]:
        """Where ``resident`` is drawn, as fractions of the image's width and height from its top left (the inverse of :meth:`pick`)."""
        width, height = self.figure.canvas.get_width_height()
        self.view.ax.apply_aspect()  # the equal-aspect box, as drawn
        x, y = self.view.ax.transData.transform(self.view.layout.residents[resident])
        return float(x / width), float(1.0 - y / height)

    def pick(self, fx: float, fy: float) -> int | None:
        """The resident under a click at ``(fx, fy)``, fractions of the image's width and height from its top left."""
        width, height = self.figure.canvas.get_width_height()
        self.view.ax.apply_aspect()
        x, y = self.view.ax.transData.inverted().transform((fx * width, (1.0 - fy) * height))
        return self.view.nearest(float(x), float(y), PICK_RADIUS)


class OutcomesFigure(_Blitted):
    """The key outcomes over time, two rows of three panels."""

    def __init__(self, horizon: int, width: float = 9.0, height: float = 4.8):
        super().__init__(new_figure(width, height))
        axes = self.figure.subplots(2, 3)
        self.figure.subplots_adjust(left=0.06, right=0.99, top=0.92, bottom=0.1, wspace=0.28, hspace=0.5)
        self.plot = OutcomePlot(list(axes.flat), horizon)

    def render(self, frame: pd.DataFrame, markers: tuple[Marker, ...] = ()) -> bytes:
        """PNG of the time series ``frame``."""
        full = self.plot.update(frame, markers)
        return self._render(self.plot.artists(), full)


class SurveyFigure(_Blitted):
    """The three survey shares over time, in percent."""

    def __init__(self, horizon: int, width: float = 9.0, height: float = 2.8):
        super().__init__(new_figure(width, height))
        ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.07, right=0.99, top=0.9, bottom=0.17)
        self.plot = SurveyPlot(ax, horizon)

    def render(self, frame: pd.DataFrame, markers: tuple[Marker, ...] = ()) -> bytes:
        """PNG of the ``tsm_*`` columns of ``frame``."""
        full = self.plot.update(frame, markers)
        return self._render(self.plot.artists(), full)


class DifferenceFigure(_Blitted):
    """Policy B minus policy A over time, four rows of four panels."""

    def __init__(self, horizon: int, width: float = 12.0, height: float = 8.0):
        super().__init__(new_figure(width, height))
        axes = self.figure.subplots(4, 4)
        self.figure.subplots_adjust(left=0.05, right=0.99, top=0.94, bottom=0.06, wspace=0.3, hspace=0.8)
        self.plot = DifferencePlot(list(axes.flat), horizon)

    def render(self, a: pd.DataFrame, b: pd.DataFrame, markers: tuple[Marker, ...] = ()) -> bytes:
        """PNG of ``b - a``."""
        full = self.plot.update(a, b, markers)
        return self._render(self.plot.artists(), full)
