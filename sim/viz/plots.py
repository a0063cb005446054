"""Plots of outcomes over time: the key outcomes, the survey shares, and the difference between two policies.

Each plot is a small class that creates its axes and lines once and then
only updates their data (:meth:`update`), because a browser view redraws
after every step. The axes stay still while the lines grow, so a step
redraws only the lines (see :mod:`sim.viz.figures`): the time axis spans
the scenario's planned months (the lines fill it from left to right), shares
keep a fixed 0-1 scale (a line's height means the same at every step and in
every run), and the few ranges that follow the data (cost, participation,
differences) only ever widen. ``update`` returns True when the axes changed
and the whole figure must be redrawn. Scheduled and clicked events are marked
with dotted vertical lines.

Every plot takes its font sizes (:class:`TextSizes`) from the figure that
holds it, so a figure shown small in the browser can keep its text legible
(:func:`sim.viz.figures.smallest_text_px`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim import outcome_table, palette

LABELS: dict[str, str] = {column: row.label for column, row in outcome_table.TABLE.items()}
"""Plain-language names of outcome columns: the one outcome table (:mod:`sim.outcome_table`) the reports use too."""

PANEL_LABELS: dict[str, str] = {
    "trust_landlord": "landlord",
    "trust_neighbours": "neighbours",
    "trust_services": "services",
    "stigma": "stigma felt",
    "wellbeing": "wellbeing",
    "equity_gap": "wellbeing gap",
    "bonding": "bonding",
    "bridging": "bridging",
    "linking": "linking",
    "participation": "everyone",
    "participation_least_stigmatised": "least stigmatised fifth",
    "participation_most_stigmatised": "most stigmatised fifth",
    "need_fit": "need met",
    "employment_rate": "in work",
    "upward_mobility": "moved up",
    "cost": "cost",
}
"""Legend labels inside a key-outcome panel (its title gives the theme)."""

SHORT: dict[str, str] = {
    "trust_landlord": "Trust in landlord",
    "trust_neighbours": "Trust in neighbours",
    "trust_services": "Trust in services",
    "participation": "Took part (everyone)",
    "participation_most_stigmatised": "Took part (most stigmatised)",
    "participation_least_stigmatised": "Took part (least stigmatised)",
    "upward_mobility": "Moved up",
    "stigma": "Stigma felt",
    "wellbeing": "Wellbeing",
    "equity_gap": "Wellbeing gap",
    "bonding": "Bonding ties",
    "bridging": "Bridging ties",
    "linking": "Linking ties",
    "need_fit": "Need met",
    "employment_rate": "In work",
    "tsm_satisfied": "Satisfied (TP01)",
    "tsm_listens": "Listens (TP06)",
    "tsm_informed": "Informed (TP07)",
    "tsm_respect": "Respect (TP08)",
    "cost": "Cost (GBP)",
}
"""Short names for the small panels of the difference plot (a panel is a fifth of a chart shown 660 pixels wide)."""

TSM_MEDIANS: dict[str, float] = {"tsm_satisfied": 71.3, "tsm_listens": 60.4, "tsm_informed": 70.3, "tsm_respect": 76.8, "tsm_complaints": 34.5}
"""Median of English landlords, percent, 2023/24 (Regulator of Social Housing, Tenant
Satisfaction Measures full data 2024: TP01, TP06, TP07, TP08, TP09). The England today
(calibrated) scenario is fitted to them; the other presets are not (docs/VALIDATION.md)."""

LOWER_IS_BETTER = frozenset(column for column in outcome_table.TABLE if outcome_table.better(column) < 0)
"""Outcomes where a fall is good news for residents (or the budget), from the outcome table."""

PANELS: tuple[tuple[str, tuple[str, ...], tuple[float, float], bool], ...] = (
    ("Trust", ("trust_landlord", "trust_neighbours", "trust_services"), (0.0, 1.0), False),
    ("Stigma and wellbeing", ("stigma", "wellbeing", "equity_gap"), (0.0, 1.0), False),
    ("Social capital", ("bonding", "bridging", "linking"), (0.0, 1.0), False),
    ("Who takes part", ("participation", "participation_least_stigmatised", "participation_most_stigmatised"), (0.0, 0.3), True),
    ("Needs, work and mobility", ("need_fit", "employment_rate", "upward_mobility"), (0.0, 1.0), False),
    ("Cost (GBP per\nhousehold per month)", ("cost",), (0.0, 200.0), True),
)
"""The key-outcome panels: title, columns, y range, and whether the range grows when the data leave it."""

DIFFERENCE_PANELS: tuple[str, ...] = (
    "trust_landlord", "stigma", "wellbeing", "need_fit", "employment_rate",
    "participation", "participation_most_stigmatised", "bonding", "bridging", "linking",
    "tsm_satisfied", "tsm_listens", "tsm_informed", "tsm_respect", "cost",
)
"""Outcomes in the side-by-side difference plot, one small panel each, in three rows of five: residents' lives,
taking part and ties (all on one 0-1 scale), then the survey (one scale, in points) and cost (its own)."""

DIFFERENCE_COLUMNS = 5
"""Panels per row of the difference plot."""


PANEL_TITLE_CHARACTERS = 17
"""Longest line of a difference panel's title when panels stand five to a row (a longer name wraps: it would run into the next panel)."""


def _wrap(title: str, width: int) -> str:
    """``title`` broken between words into lines of at most ``width`` characters (one word longer than that stays whole)."""
    import textwrap

    return "\n".join(textwrap.wrap(title, width)) or title


def scale_of(column: str) -> str:
    """Which shared scale a difference panel uses: ``points`` (survey shares), ``cost`` (GBP), else ``index`` (0-1 shares and indices)."""
    if column.startswith("tsm_"):
        return "points"
    return "cost" if column == "cost" else "index"


GOOD = palette.BLUE
BAD = palette.VERMILLION
"""Difference shading: B better for residents, B worse. Okabe-Ito blue and vermillion stay far apart for red-green
colour-blind readers (tests/test_viz_colours.py); worse is also hatched, so the two never rest on colour alone."""
BAD_HATCH = "////"
LINE_COLOURS = (palette.BLUE, palette.ORANGE, palette.BLUISH_GREEN, palette.REDDISH_PURPLE)
LINE_STYLES = ("-", "--", "-.", ":")
"""The lines of a key-outcome panel: Okabe-Ito colours, and a line style each as a second cue."""
TSM_COLOURS = {"tsm_satisfied": palette.BLUE, "tsm_listens": palette.VERMILLION, "tsm_informed": palette.SKY_BLUE,
               "tsm_respect": palette.BLUISH_GREEN, "tsm_complaints": palette.BLACK}
"""The survey lines: the five Okabe-Ito colours that stay furthest apart under deuteranopia and protanopia (at least 18 CIEDE2000)."""


@dataclass(frozen=True)
class Marker:
    """An event to mark on plots: the month it took effect and a short label."""

    month: int
    label: str


@dataclass(frozen=True)
class TextSizes:
    """Font sizes (points) of a plot's texts: tick labels, legends, titles, axis labels, event labels."""

    tick: float = 8.0
    legend: float = 7.0
    title: float = 9.5
    label: float = 8.0
    marker: float = 7.0

    @classmethod
    def at_least(cls, points: float) -> TextSizes:
        """Every text at least ``points``, titles a little larger."""
        return cls(points, points, round(points * 1.1, 2), points, points)


def _style(ax: Axes, text: TextSizes, bins: int = 6) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, color="#eeeeee", linewidth=0.8)
    ax.tick_params(labelsize=text.tick)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=bins, integer=True, steps=[1, 2, 3, 6, 10]))


def _x_limit(months: int, horizon: int) -> float:
    """Right end of the time axis: the planned ``horizon``, or whole years past it once the run goes on."""
    return float(max(horizon, 12, int(np.ceil(max(months, 1) / 12.0)) * 12))


def _set_xlim(ax: Axes, right: float) -> bool:
    if ax.get_xlim() == (0.0, right):
        return False
    ax.set_xlim(0.0, right)
    return True


def _widen_ylim(ax: Axes, low: float, high: float) -> bool:
    """Widen the y range to ``[low, high]`` if it is narrower; True if it changed."""
    bottom, top = ax.get_ylim()
    if low >= bottom - 1e-12 and high <= top + 1e-12:
        return False
    ax.set_ylim(min(low, bottom), max(high, top))
    return True


class _Markers:
    """Dotted vertical lines (and a label on the first axes) for events."""

    def __init__(self, axes: list[Axes], fontsize: float = 7.0):
        self.axes = axes
        self.fontsize = fontsize
        self.artists: list = []
        self.shown: tuple[Marker, ...] = ()

    def update(self, markers: tuple[Marker, ...]) -> bool:
        if markers == self.shown:
            return False
        for artist in self.artists:
            artist.remove()
        self.artists = []
        for marker in markers:
            for i, ax in enumerate(self.axes):
                self.artists.append(ax.axvline(marker.month, color="#555555", linestyle=":", linewidth=1.0, zorder=1))
                if i == 0:
                    self.artists.append(
                        ax.annotate(marker.label, (marker.month, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2), textcoords="offset points", fontsize=self.fontsize, color="#555555", va="top", rotation=90)
                    )
        self.shown = markers
        return True


class OutcomePlot:
    """The key outcomes over time, one panel per theme (:data:`PANELS`, or those titled in ``panels``), on ``axes``."""

    def __init__(self, axes: list[Axes], horizon: int = 120, panels: tuple[str, ...] | None = None, text: TextSizes | None = None):
        self.panels = PANELS if panels is None else tuple(p for p in PANELS if p[0] in panels)
        if len(axes) != len(self.panels):
            raise ValueError(f"OutcomePlot needs {len(self.panels)} axes, got {len(axes)}")
        text = text or TextSizes()
        self.axes = axes
        self.horizon = horizon
        self.lines: dict[str, Line2D] = {}
        self.ends: dict[str, Line2D] = {}  # a dot at the latest month: "now"
        for ax, (title, columns, limits, _) in zip(axes, self.panels, strict=True):
            _style(ax, text, bins=4)
            ncols = _legend_columns(ax, [PANEL_LABELS[c] for c in columns], text.legend)
            rows = -(-len(columns) // ncols)
            line_height = 1.25 * text.legend
            ax.set_title(title, fontsize=text.title, loc="left", pad=4 + line_height * rows if len(columns) > 1 else 4)
            for colour, style, column in zip(LINE_COLOURS, LINE_STYLES, columns, strict=False):
                (self.lines[column],) = ax.plot([], [], color=colour, linestyle=style, linewidth=1.6, label=PANEL_LABELS[column], animated=True)
                (self.ends[column],) = ax.plot([], [], "o", color=colour, markersize=3.5, animated=True)
            ax.set_ylim(*limits)
            if len(columns) > 1:  # above the panel, under its title, so it never hides a line
                ax.legend(handles=[self.lines[c] for c in columns], fontsize=text.legend, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=ncols, frameon=False, handlelength=1.0, columnspacing=0.8, borderaxespad=0.1, borderpad=0.0, labelspacing=0.2)
            ax.set_xlim(0.0, _x_limit(0, horizon))
        for ax in axes[-3:]:
            ax.set_xlabel("Month", fontsize=text.label)
        self.markers = _Markers(axes, text.marker)

    def artists(self) -> list[Artist]:
        """What changes at every step (drawn over the still axes)."""
        return [*self.lines.values(), *self.ends.values()]

    def update(self, frame: pd.DataFrame, markers: tuple[Marker, ...] = ()) -> bool:
        """Show the time series ``frame`` (a ``step`` column and outcome columns) and event markers.

        Returns True if the axes changed (the whole figure must be redrawn).
        """
        months = frame["step"].to_numpy() if len(frame) else np.zeros(0)
        for column, line in self.lines.items():
            present = len(frame) and column in frame  # an explanatory column a model may not report
            _show(line, self.ends[column], months if present else np.zeros(0), frame[column].to_numpy() if present else np.zeros(0))
        changed = False
        right = _x_limit(int(months[-1]) if len(months) else 0, self.horizon)
        for ax, (_, columns, _, grows) in zip(self.axes, self.panels, strict=True):
            changed |= _set_xlim(ax, right)
            if grows and len(frame):
                changed |= _widen_ylim(ax, 0.0, _nice_top(max(float(frame[c].max()) for c in columns if c in frame)))
        return self.markers.update(markers) or changed


def _legend_columns(ax: Axes, labels: list[str], size: float) -> int:
    """The most legend columns (all, or down to one) whose labels fit across ``ax`` at font ``size`` (points)."""
    figure = ax.get_figure(root=True)
    available = ax.get_position().width * figure.get_figwidth() * 72.0  # points

    def width(row: list[str]) -> float:  # about 0.6 em a character, a handle and a gap each
        return sum((0.6 * len(label) + 1.0 + 1.3) * size for label in row)

    for ncols in range(len(labels), 1, -1):
        rows = [labels[i : i + ncols] for i in range(0, len(labels), ncols)]
        if max(width(row) for row in rows) <= available:
            return ncols
    return 1


class SurveyPlot:
    """The Tenant Satisfaction Measures shares over time, in percent, with English medians for reference.

    With ``legend_right`` the legend stands in the figure's right margin (leave room for it), so it never covers a line.
    """

    def __init__(self, ax: Axes, horizon: int = 120, text: TextSizes | None = None, *, legend_right: bool = False, labels: dict[str, str] | None = None):
        text = text or TextSizes()
        self.ax = ax
        self.horizon = horizon
        _style(ax, text)
        ax.set_title("Tenant Satisfaction Measures: share who would answer positively", fontsize=text.title, loc="left")
        self.lines: dict[str, Line2D] = {}
        self.ends: dict[str, Line2D] = {}
        labels = labels or LABELS
        for column, colour in TSM_COLOURS.items():
            (self.lines[column],) = ax.plot([], [], color=colour, linewidth=1.8, label=labels[column], animated=True)
            (self.ends[column],) = ax.plot([], [], "o", color=colour, markersize=4, animated=True)
            ax.axhline(TSM_MEDIANS[column], color=colour, linestyle="--", linewidth=0.9, alpha=0.6)
        reference = Line2D([], [], color="#777777", linestyle="--", linewidth=0.9, label="Dashed: English\nmedian, 2023/24" if legend_right else "Dashed: English median, 2023/24")
        ax.set_ylim(0, 100)
        ax.set_ylabel("percent", fontsize=text.label)
        ax.set_xlabel("Month", fontsize=text.label)
        ax.set_xlim(0.0, _x_limit(0, horizon))
        if legend_right:
            ax.legend(handles=[*self.lines.values(), reference], fontsize=text.legend, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, handlelength=1.4, borderaxespad=0.0)
        else:
            ax.legend(handles=[*self.lines.values(), reference], fontsize=text.legend, loc="lower left", frameon=False, handlelength=1.4, ncols=2)
        self.markers = _Markers([ax], text.marker)

    def artists(self) -> list[Artist]:
        """What changes at every step."""
        return [*self.lines.values(), *self.ends.values()]

    def update(self, frame: pd.DataFrame, markers: tuple[Marker, ...] = ()) -> bool:
        """Show the ``tsm_*`` columns of ``frame`` as percentages; True if the axes changed."""
        months = frame["step"].to_numpy() if len(frame) else np.zeros(0)
        for column, line in self.lines.items():
            _show(line, self.ends[column], months, 100.0 * frame[column].to_numpy() if len(frame) else np.zeros(0))
        changed = _set_xlim(self.ax, _x_limit(int(months[-1]) if len(months) else 0, self.horizon))
        return self.markers.update(markers) or changed


class DifferencePlot:
    """What the reform changes over time: reform minus reference, one small panel per outcome (:data:`DIFFERENCE_PANELS`).

    The reform is the policy higher on Arnstein's ladder (:mod:`sim.viz.reform`),
    so a gain for residents always shades the same way whichever side it is on.
    Survey shares are shown in percentage points and cost in GBP; the other
    outcomes in their own units (shares and indices in [0, 1]). Panels of one
    kind share one scale (:func:`scale_of`), so a small change looks small
    beside a large one; a scale only ever widens, to the next round number,
    so the axes stay still (and are not redrawn) for most steps. Each panel
    says whether up or down is good news for residents, and shades the
    difference blue where the reform is better for residents, hatched
    vermillion where worse.

    Args:
        axes: one per column, in order; with ``columns`` panels to a row, panels
            after the first of a row on the same scale hide their scale's labels.
        columns: the outcomes shown.
        per_row: panels to a row (how ``axes`` are arranged).
    """

    def __init__(self, axes: list[Axes], horizon: int = 120, columns: tuple[str, ...] = DIFFERENCE_PANELS, text: TextSizes | None = None, *, per_row: int | None = None):
        if len(axes) != len(columns):
            raise ValueError(f"DifferencePlot needs {len(columns)} axes, got {len(axes)}")
        text = text or TextSizes(title=8.0)
        per_row = per_row or len(columns)
        self.columns = columns
        self.axes = axes
        self.horizon = horizon
        self.lines: dict[str, Line2D] = {}
        self.fills: dict[str, tuple[PolyCollection, PolyCollection]] = {}
        self.scales: dict[str, float] = {}  # half-range of each scale shown
        for i, (ax, column) in enumerate(zip(axes, columns, strict=True)):
            _style(ax, text, bins=3)
            better = "lower is better" if column in LOWER_IS_BETTER else "higher is better"
            ax.set_title(f"{_wrap(SHORT[column], PANEL_TITLE_CHARACTERS if per_row > 3 else 40)}\n{better}", fontsize=text.title, loc="left")
            ax.axhline(0.0, color="#333333", linewidth=0.8)
            good, bad = PolyCollection([], facecolors=GOOD, alpha=0.3, linewidths=0, animated=True), PolyCollection([], facecolors=BAD, alpha=0.3, edgecolors=BAD, hatch=BAD_HATCH, linewidths=0, animated=True)
            for fill in (good, bad):
                ax.add_collection(fill, autolim=False)
            self.fills[column] = (good, bad)
            (self.lines[column],) = ax.plot([], [], color="#333333", linewidth=1.4, animated=True)
            ax.set_xlim(0.0, _x_limit(0, horizon))
            scale = scale_of(column)
            self.scales[scale] = _minimum_span(column)
            ax.set_ylim(-self.scales[scale], self.scales[scale])
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4, symmetric=True, steps=[1, 2, 2.5, 5, 10]))
            previous = columns[i - 1] if i % per_row else None
            if previous is not None and scale_of(previous) == scale:
                ax.tick_params(labelleft=False)  # the panel to the left shows this scale's numbers
            elif previous is not None:  # a new scale within a row: its numbers on the right, clear of the panel before
                ax.yaxis.tick_right()
                ax.yaxis.set_tick_params(pad=9)  # clear of the last month's label, which reaches past the corner
                ax.spines[["right"]].set_visible(True)
                ax.spines[["left"]].set_visible(False)
        for ax in axes[-per_row:]:
            ax.set_xlabel("Month", fontsize=text.label)
        self.markers = _Markers(axes, text.marker)

    def artists(self) -> list[Artist]:
        """What changes at every step: the shading and the lines."""
        return [artist for pair in self.fills.values() for artist in pair] + list(self.lines.values())

    def update(self, reform: pd.DataFrame, reference: pd.DataFrame, markers: tuple[Marker, ...] = ()) -> bool:
        """Show ``reform - reference`` for frames of the same months; True if the axes changed."""
        rows = min(len(reform), len(reference))
        months = reform["step"].to_numpy()[:rows].astype(float) if rows else np.zeros(0)
        right = _x_limit(int(months[-1]) if rows else 0, self.horizon)
        changed = False
        largest: dict[str, float] = {}
        for column in self.columns:
            diff = difference(reference, reform, column)
            self.lines[column].set_data(months, diff)
            above, below = _split_at_zero(months, diff)
            good, bad = self.fills[column]
            if column in LOWER_IS_BETTER:
                above, below = below, above
            good.set_verts([above] if len(above) else [])
            bad.set_verts([below] if len(below) else [])
            if rows:
                scale = scale_of(column)
                largest[scale] = max(largest.get(scale, 0.0), float(np.abs(diff).max()))
        for scale, value in largest.items():
            if value > self.scales[scale]:  # widen with room to grow, so a growing difference redraws the axes only now and then
                self.scales[scale] = min(_nice_top(HEADROOM * value, minimum=self.scales[scale]), CEILING.get(scale, np.inf))
                changed = True
        for ax, column in zip(self.axes, self.columns, strict=True):
            span = self.scales[scale_of(column)]
            if ax.get_ylim() != (-span, span):
                ax.set_ylim(-span, span)
                changed = True
            changed |= _set_xlim(ax, right)
        return self.markers.update(markers) or changed


HEADROOM = 1.5
"""When a difference leaves its scale, the scale widens to a round number above this many times the difference."""

CEILING = {"index": 1.0, "points": 100.0}
"""The widest a scale can need: two shares or indices in [0, 1] differ by at most 1, two survey shares by 100 points."""


def legend_of_shading() -> list[Patch]:
    """Legend entries for the difference plot's shading: better for residents, worse."""
    return [
        Patch(facecolor=GOOD, alpha=0.3, label="better for residents"),
        Patch(facecolor=BAD, alpha=0.3, edgecolor=BAD, hatch=BAD_HATCH, linewidth=0, label="worse for residents"),
    ]


def _split_at_zero(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polygons of the area between zero and ``y`` above zero and below it, the crossings interpolated (empty if no data)."""
    if len(x) == 0:
        return np.zeros((0, 2)), np.zeros((0, 2))
    crossing = np.flatnonzero(y[:-1] * y[1:] < 0)
    xc = x[crossing] - y[crossing] * (x[crossing + 1] - x[crossing]) / (y[crossing + 1] - y[crossing])
    xs = np.insert(x, crossing + 1, xc)
    ys = np.insert(y, crossing + 1, 0.0)
    polygons = []
    for part in (np.maximum(ys, 0.0), np.minimum(ys, 0.0)):
        polygons.append(np.column_stack((np.concatenate(([xs[0]], xs, [xs[-1]])), np.concatenate(([0.0], part, [0.0])))))
    return polygons[0], polygons[1]


def _minimum_span(column: str) -> float:
    """Smallest half-range of a difference panel: 1 point or 1 GBP, else 0.02."""
    return 1.0 if column.startswith("tsm_") or column == "cost" else 0.02


def _show(line: Line2D, end: Line2D, x: np.ndarray, y: np.ndarray) -> None:
    """A line through ``(x, y)`` and a dot at its latest point (visible from the first month on)."""
    line.set_data(x, y)
    end.set_data(x[-1:], y[-1:])


def difference(a: pd.DataFrame, b: pd.DataFrame, column: str) -> np.ndarray:
    """``b - a`` for ``column`` month by month (``a`` the reference, ``b`` the reform); survey shares in percentage points."""
    rows = min(len(a), len(b))
    diff = b[column].to_numpy()[:rows] - a[column].to_numpy()[:rows]
    return 100.0 * diff if column.startswith("tsm_") else diff


def _nice_top(value: float, minimum: float = 0.1) -> float:
    """An upper axis limit a little above ``value``: 1, 2 or 5 times a power of ten."""
    value = max(float(value) * 1.1, minimum)
    power = 10.0 ** np.floor(np.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * power + 1e-12:
            return step * power
    return 10.0 * power
