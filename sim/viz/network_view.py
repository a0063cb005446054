"""Drawing the community: households coloured by an outcome, their ties, the landlord and services.

Residents are dots at their dwelling's place in the :class:`~sim.viz.layout.Layout`,
coloured by a :class:`~sim.viz.colours.ColourScheme`. Ties come from the
model's public :meth:`~sim.model.HousingModel.graph`: bonding ties (within a
block) in grey, bridging ties (across blocks) in purple, linking ties (to
landlord or service staff) in green rising to the institutions, which stand
in a row above the estates as large labelled markers (the landlord a square,
services diamonds, the community hub a star when open). A tie's opacity is
its strength, so new and fading ties are faint.

:class:`CommunityView` creates its artists once on an axes and then only
updates their data, because the browser view redraws after every step.
Ties are most of what there is to draw (10,000 of them for 500 households
after a few years of co-production), so they are rasterised with numpy
(:mod:`sim.viz.raster`) into one image under the axes, at about half the
cost of matplotlib drawing them line by line. The image is made for the
figure's own resolution: draw the figure with ``figure.canvas.draw()`` (as
:func:`sim.viz.figures.png` does), not ``savefig(dpi=...)`` at another one.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D

from sim.model import INSTITUTIONS
from sim.state import COMMUNITY
from sim.viz.colours import ColourScheme
from sim.viz.layout import Layout
from sim.viz.raster import line_density, on_white

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.model import HousingModel

TIE_KINDS = ("bonding", "bridging", "linking")

TIE_STYLE = {
    "bonding": {"color": "#636363", "linewidth": 0.7, "alpha": 0.7, "label": "Tie within a block (bonding)"},
    "bridging": {"color": "#7b3294", "linewidth": 0.6, "alpha": 0.7, "label": "Tie across blocks (bridging)"},
    "linking": {"color": "#1a9641", "linewidth": 0.5, "alpha": 0.35, "label": "Tie to landlord or service staff (linking)"},
}
"""How each kind of tie is drawn: colour, width (points), opacity of a tie of full strength, legend label."""

INSTITUTION_LABELS = {
    "landlord": "Landlord",
    "service:repairs": "Repairs",
    "service:employment": "Employment",
    "service:health": "Health",
    "service:community": "Community",
}
"""Plain names of the institution nodes of :meth:`HousingModel.graph`: one short word each, so five fit
side by side in a picture shown 340 pixels wide with its text at 12 pixels."""

HUB_LABEL = "Hub open"
"""The community space's label while the community hub is open."""

LANDLORD_COLOUR = "#253494"
SERVICE_COLOUR = "#41b6c4"
HUB_COLOUR = "#fd8d3c"
HIGHLIGHT_COLOUR = "#000000"


@dataclass(frozen=True)
class Ties:
    """The network's ties as index pairs (residents by index, then institutions: see :func:`ties`), with strengths, by kind."""

    pairs: dict[str, np.ndarray]
    strength: dict[str, np.ndarray]

    def of(self, resident: int) -> np.ndarray:
        """Indices of everyone and every institution ``resident`` has a tie with."""
        found = [pairs[:, 1][pairs[:, 0] == resident] for pairs in self.pairs.values()]
        found += [pairs[:, 0][pairs[:, 1] == resident] for pairs in self.pairs.values()]
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def ties(model: HousingModel) -> Ties:
    """Every tie of ``model``'s network (the edges of ``model.graph()``), residents as their index and institutions after them.

    Institution ``k`` of :data:`~sim.model.INSTITUTIONS` gets index ``n + k``,
    matching :attr:`CommunityView.points`. Read straight from the network's
    tie matrices (``model.network``: the same ties as ``model.graph()``,
    ``tests/test_viz_export.py`` checks it) rather than through a networkx
    graph, which took 9 ms a picture at 500 households and 45 ms at 2,000.
    """
    network = model.network
    n = model.state.n
    pairs: dict[str, np.ndarray] = {}
    strength: dict[str, np.ndarray] = {}
    for kind, matrix in (("bonding", network.bonding), ("bridging", network.bridging)):
        upper = sp.triu(matrix, k=1).tocoo()
        pairs[kind] = np.column_stack((upper.row.astype(np.int64), upper.col.astype(np.int64)))
        strength[kind] = np.asarray(upper.data, dtype=float)
    rows, cols = np.nonzero(network.linking)
    pairs["linking"] = np.column_stack((rows.astype(np.int64), n + cols.astype(np.int64)))
    strength["linking"] = np.asarray(network.linking[rows, cols], dtype=float)
    return Ties(pairs, strength)


def marker_size(n: int) -> float:
    """Area of a resident's dot in points squared: smaller dots for larger communities."""
    return float(np.clip(12000.0 / max(n, 1), 3.0, 60.0))


class Landmarks:
    """The landlord and services in their row above the estates (the hub a star when open), with their labels, and the estates' labels."""

    def __init__(self, ax: Axes, layout: Layout, label_size: float):
        self.labels = {}
        for name in INSTITUTIONS:
            x, y = layout.institutions[name]
            if name == "landlord":
                ax.scatter([x], [y], s=420, marker="s", c=LANDLORD_COLOUR, edgecolors="white", linewidths=1.5, zorder=5)
            else:
                ax.scatter([x], [y], s=300, marker="D", c=SERVICE_COLOUR, edgecolors="white", linewidths=1.5, zorder=5)
            self.labels[name] = ax.annotate(
                INSTITUTION_LABELS.get(name, name), (x, y), xytext=(0, 12), textcoords="offset points", ha="center", va="bottom", fontsize=label_size, zorder=6
            )
        hx, hy = layout.institutions["service:community"]
        self.hub = ax.scatter([hx], [hy], s=560, marker="*", c=HUB_COLOUR, edgecolors="#7f2704", linewidths=1.0, zorder=6)
        for estate, (x, y) in layout.estates.items():
            ax.text(x, y, f"Estate {estate + 1}", ha="center", va="bottom", fontsize=label_size, color="#444444", bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.0})  # readable over ties

    def update(self, model: HousingModel) -> None:
        """Show the hub (and say so in its label) while it is open."""
        hub_open = bool(model.services[COMMUNITY].fixed_capacity > 0)
        self.hub.set_visible(hub_open)
        self.labels["service:community"].set_text(HUB_LABEL if hub_open else INSTITUTION_LABELS["service:community"])


def fit_axes(ax: Axes, layout: Layout, top_px: float, bottom_px: float = 4.0) -> None:
    """Limits for ``ax`` (filling its figure) that show ``layout`` at one scale in x and y, with ``top_px`` pixels
    above the institutions for their labels and ``bottom_px`` below the estates, whatever the community's size.

    Labels are sized in points, the drawing in block cells: reserving room in
    pixels is what keeps the labels of a large community (many cells across,
    few pixels each) inside the picture.
    """
    figure = ax.get_figure(root=True)
    width_px, height_px = figure.get_figwidth() * figure.dpi, figure.get_figheight() * figure.dpi
    xmin, xmax, ymin, _ = layout.bounds
    ytop = max(y for _, y in layout.institutions.values()) if layout.institutions else layout.bounds[3]
    scale = min(width_px / (xmax - xmin), (height_px - top_px - bottom_px) / max(ytop - ymin, 1e-9))  # pixels per block cell
    centre = (xmin + xmax) / 2.0
    ax.set_xlim(centre - width_px / scale / 2.0, centre + width_px / scale / 2.0)
    ax.set_ylim(ymin - bottom_px / scale, ymin + (height_px - bottom_px) / scale)
    ax.set_aspect("auto")


def picture_height(layout: Layout, width_px: float, top_px: float, bottom_px: float = 4.0) -> float:
    """Pixels of height that show ``layout`` ``width_px`` wide with the margins of :func:`fit_axes`."""
    xmin, xmax, ymin, _ = layout.bounds
    ytop = max(y for _, y in layout.institutions.values()) if layout.institutions else layout.bounds[3]
    return (ytop - ymin) * width_px / (xmax - xmin) + top_px + bottom_px


class CommunityView:
    """The community drawn on one axes, a dot a household; :meth:`update` redraws it for a model at its current step.

    Args:
        ax: the axes to draw on (its limits and aspect are set here).
        layout: positions for the model's network (:func:`~sim.viz.layout.community_layout`).
        label_size: font size of the institution and estate labels.
    """

    def __init__(self, ax: Axes, layout: Layout, *, label_size: float = 8.0):
        self.ax = ax
        self.layout = layout
        self.points = np.vstack((layout.residents, np.array([layout.institutions[name] for name in INSTITUTIONS]).reshape(-1, 2)))
        n = len(layout.residents)
        # Ties are rasterised into one image (sim.viz.raster), placed pixel for pixel under the
        # axes (a figure image is not resampled); the axes' own background is left out so it shows.
        self.tie_image = ax.get_figure(root=True).figimage(np.full((1, 1, 3), 255, dtype=np.uint8), origin="upper", zorder=-1)
        ax.patch.set_visible(False)
        self.dots = ax.scatter(layout.residents[:, 0], layout.residents[:, 1], s=marker_size(n), c="white", linewidths=0.25, edgecolors="#333333", zorder=3)
        self.highlight_lines = LineCollection([], colors=HIGHLIGHT_COLOUR, linewidths=1.1, alpha=0.9, zorder=4)
        ax.add_collection(self.highlight_lines, autolim=False)
        self.ring = ax.scatter([], [], s=marker_size(n) * 5 + 40, facecolors="none", edgecolors=HIGHLIGHT_COLOUR, linewidths=1.6, zorder=7)
        self.landmarks = Landmarks(ax, layout, label_size)
        self.institution_labels = self.landmarks.labels
        self._ties_of: tuple[weakref.ref, int, tuple] | None = None  # (model, month, axes box) the tie image shows
        self._ties: Ties | None = None

        xmin, xmax, ymin, ymax = layout.bounds
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()

    def update(self, model: HousingModel, scheme: ColourScheme, *, highlight: int | None = None) -> None:
        """Show ``model`` now: residents coloured by ``scheme``, ties, the hub if open, ``highlight`` ringed with its ties."""
        if model.state.n != len(self.layout.residents):
            raise ValueError(f"the layout has {len(self.layout.residents)} residents, the model {model.state.n}: compute the layout for this model")
        tie_sets = self._current_ties(model)
        self.dots.set_facecolors(scheme.colours(model))
        self.landmarks.update(model)

        if highlight is not None and 0 <= highlight < len(self.layout.residents):
            others = tie_sets.of(highlight)
            origin = np.broadcast_to(self.points[highlight], (len(others), 2))
            self.highlight_lines.set_segments(np.stack((origin, self.points[others]), axis=1) if len(others) else [])
            self.ring.set_offsets(self.points[highlight : highlight + 1])
        else:
            self.highlight_lines.set_segments([])
            self.ring.set_offsets(np.zeros((0, 2)))

    def _current_ties(self, model: HousingModel) -> Ties:
        """The model's ties, drawn into the tie image; read and drawn again only when the model has stepped
        (a new colour scheme or selection leaves the ties as they were: about half a picture's cost saved)."""
        self.ax.apply_aspect()
        key = (model.steps, tuple(self.ax.bbox.bounds))
        if self._ties is None or self._ties_of is None or self._ties_of[0]() is not model or self._ties_of[1:] != key:
            self._ties = ties(model)
            self._draw_ties(self._ties)
            self._ties_of = (weakref.ref(model), *key)
        return self._ties

    def _draw_ties(self, tie_sets: Ties) -> None:
        """Rasterise every tie into the tie image, covering the axes pixel for pixel."""
        ax = self.ax
        ax.apply_aspect()  # the equal-aspect box, as it will be drawn
        box = ax.bbox
        width, height = max(1, round(box.width)), max(1, round(box.height))
        display = ax.transData.transform(self.points)
        pixels = np.column_stack((display[:, 0] - box.x0, box.y1 - display[:, 1]))  # image pixels, y down
        layers = []
        for kind in TIE_KINDS:
            style = TIE_STYLE[kind]
            width_px = style["linewidth"] * ax.get_figure(root=True).dpi / 72.0
            weight = style["alpha"] * width_px * np.clip(tie_sets.strength[kind], 0.0, 1.0)
            layers.append((line_density(pixels[tie_sets.pairs[kind]], weight, (height, width)), to_rgba(style["color"])[:3]))
        self.tie_image.set_data(on_white(layers))
        self.tie_image.ox, self.tie_image.oy = box.x0, box.y0

    def nearest(self, x: float, y: float, radius: float) -> int | None:
        """The resident nearest to data point ``(x, y)`` within ``radius`` (block cells), or None."""
        distance = np.hypot(self.layout.residents[:, 0] - x, self.layout.residents[:, 1] - y)
        if distance.size == 0:
            return None
        best = int(np.argmin(distance))
        return best if distance[best] <= radius else None


def legend_handles(scheme: ColourScheme) -> tuple[list, list]:
    """Legend entries: (colour keys of a categorical scheme, or empty; ties and institution markers)."""
    keys = [
        Line2D([], [], marker="o", linestyle="", markerfacecolor=colour, markeredgecolor="#333333", markersize=7, label=label)
        for label, colour in scheme.categories
    ]
    lines = [Line2D([], [], color=style["color"], linewidth=1.6, alpha=min(1.0, style["alpha"] * 1.4), label=style["label"]) for style in TIE_STYLE.values()]
    markers = [
        Line2D([], [], marker="s", linestyle="", markerfacecolor=LANDLORD_COLOUR, markeredgecolor="white", markersize=10, label="Landlord"),
        Line2D([], [], marker="D", linestyle="", markerfacecolor=SERVICE_COLOUR, markeredgecolor="white", markersize=8, label="Service"),
        Line2D([], [], marker="*", linestyle="", markerfacecolor=HUB_COLOUR, markeredgecolor="#7f2704", markersize=13, label="Community hub (open)"),
    ]
    return keys, lines + markers


def add_colour_key(fig: Figure, rect: tuple[float, float, float, float], scheme: ColourScheme, *, fontsize: float = 8.0) -> None:
    """A colour bar (continuous scheme) or category key (categorical) in figure area ``rect``."""
    if scheme.continuous:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        cax = fig.add_axes(rect)
        bar = fig.colorbar(ScalarMappable(norm=Normalize(0.0, 1.0), cmap=scheme.colormap()), cax=cax, orientation="horizontal")
        bar.set_ticks([0.0, 0.5, 1.0])
        bar.ax.set_xticklabels([scheme.ends[0], "0.5", scheme.ends[1]], fontsize=fontsize)
        bar.ax.set_title(f"Colour: {scheme.label.lower()}", fontsize=fontsize + 1, loc="left")
    else:
        keys, _ = legend_handles(scheme)
        fig.legend(handles=keys, loc="lower left", bbox_to_anchor=(rect[0], rect[1]), fontsize=fontsize, frameon=False, title=f"Colour: {scheme.label.lower()}", title_fontsize=fontsize + 1, alignment="left")
