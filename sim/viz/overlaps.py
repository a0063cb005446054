"""Checks that a drawn figure is readable: no text on other text or on a chart it does not belong to, none cut off, none too small.

The tests of the exported slide (tests/test_viz_export.py) use it: a layout
that looks fine for one scenario can collide in another (a longer scenario
name, a legend with one more row), so every layout and colour scheme is
checked from the extents matplotlib reports after drawing, not by eye once.
"""

from __future__ import annotations

from contextlib import contextmanager

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from sim.viz.figures import DRAWING


@contextmanager
def _recording():
    """Within: every Text matplotlib actually draws is recorded (tick labels of ticks out of view, hidden
    axes' labels and empty texts are not drawn, so they are not checked)."""
    drawn: list[Text] = []
    original = Text.draw

    def draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)

    with DRAWING:  # the class is patched: no other figure may draw meanwhile
        Text.draw = draw
        try:
            yield drawn
        finally:
            Text.draw = original


def drawn_texts(figure: Figure) -> list[Text]:
    """Every text drawn when ``figure`` is drawn (titles, labels, ticks, legends, annotations), each once."""
    with _recording() as drawn:
        figure.canvas.draw()
    return list({id(t): t for t in drawn}.values())


def problems(figure: Figure, *, min_pixels: float = 12.0, tolerance: float = 1.0) -> list[str]:
    """What makes ``figure`` hard to read once drawn, in words; empty if nothing.

    - a text smaller than ``min_pixels`` (its font size in pixels at the figure's resolution);
    - a text that leaves the figure;
    - two texts that overlap;
    - a text or legend over a chart or picture it does not belong to (it hides part of it);
    - two charts or pictures that overlap.

    Overlaps of up to ``tolerance`` pixels are allowed (antialiased edges).
    """
    texts = drawn_texts(figure)
    renderer = figure.canvas.get_renderer()
    page = figure.bbox
    legends = [legend for legend in figure.findobj(Legend) if legend.get_visible()]
    axes = [ax for ax in figure.axes if ax.get_visible()]
    boxes = {id(ax): ax.get_window_extent(renderer) for ax in axes}
    extents = [text.get_window_extent(renderer) for text in texts]
    found: list[str] = []

    for text, box in zip(texts, extents, strict=True):
        name = _name(text)
        pixels = text.get_fontsize() * figure.dpi / 72.0
        if pixels < min_pixels - 1e-9:
            found.append(f"{name} is {pixels:.1f} px high (at least {min_pixels:g})")
        if not _inside(box, page, tolerance):
            found.append(f"{name} leaves the figure ({_where(box)}; the figure is {_where(page)})")
        home = _home(text, legends)
        for ax in axes:
            if ax is not home and _overlap(box, boxes[id(ax)], tolerance):
                found.append(f"{name} lies over {_describe(ax, boxes)}")
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if _overlap(extents[i], extents[j], tolerance):
                found.append(f"{_name(texts[i])} overlaps {_name(texts[j])}")
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in axes:
            if ax is not legend.axes and _overlap(box, boxes[id(ax)], tolerance):
                found.append(f"the legend {_legend_name(legend)} lies over {_describe(ax, boxes)}")
    for i, first in enumerate(axes):
        for second in axes[i + 1 :]:
            if _overlap(boxes[id(first)], boxes[id(second)], tolerance):
                found.append(f"{_describe(first, boxes)} overlaps {_describe(second, boxes)}")
    return found


def _home(text: Text, legends: list[Legend]) -> Axes | None:
    """The axes a text belongs to: its own, or its legend's (None: the figure's own text)."""
    for legend in legends:
        if text is legend.get_title() or text in legend.get_texts():
            return legend.axes
    return text.axes


def _inside(box: Bbox, page: Bbox, tolerance: float) -> bool:
    return box.x0 >= page.x0 - tolerance and box.y0 >= page.y0 - tolerance and box.x1 <= page.x1 + tolerance and box.y1 <= page.y1 + tolerance


def _overlap(a: Bbox, b: Bbox, tolerance: float) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance


def _where(box: Bbox) -> str:
    return f"x {box.x0:.0f} to {box.x1:.0f}, y {box.y0:.0f} to {box.y1:.0f} px"


def _name(text: Text) -> str:
    words = " ".join(text.get_text().split())
    return repr(words if len(words) <= 60 else words[:57] + "...")


def _describe(ax: Axes, boxes: dict[int, Bbox]) -> str:
    title = (ax.get_title(loc="left") or ax.get_title() or ax.get_label() or "untitled").splitlines()[0]
    return f"the axes {title!r} ({_where(boxes[id(ax)])})"


def _legend_name(legend: Legend) -> str:
    title = legend.get_title().get_text()
    return repr(title or (legend.get_texts()[0].get_text() if legend.get_texts() else "untitled"))
