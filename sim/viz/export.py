"""Export of the current view as a PNG slide a workshop facilitator can put in a presentation.

One 16:9 image (2000 x 1125 pixels) that stands on its own: a title saying
which scenario and policies it shows, a line under it with the month, the
community's size, the seed and what the colours show; the community
coloured by the chosen outcome with a key to the colours, ties and markers;
the charts of the outcome the dots are coloured by (its lines for A and for
B and what B changes, or over time for one policy, with this month's values
written out), the headline charts beside them; and a footer saying that it
is a simulation, not data. Built with the same drawing classes as the
browser view (:mod:`sim.viz.plots`, :mod:`sim.viz.network_view`), so the
slide shows what the room saw. Nothing on it may overlap or be cut off
(tests/test_viz_export.py checks every layout and colour scheme with
:mod:`sim.viz.overlaps`), and no text is smaller than 16 pixels.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.text import Text

from sim import outcome_table, palette
from sim.viz.colours import ColourScheme
from sim.viz.figures import new_figure, png
from sim.viz.network_view import CommunityView, add_colour_key, legend_handles
from sim.viz.plots import PANEL_LABELS, PANELS, DifferencePlot, OutcomePlot, SurveyPlot
from sim.viz.reform import difference_caption, in_reform_order
from sim.viz.session import Session

SLIDE_PIXELS = (2000, 1125)
"""A 16:9 slide, sharp on a 1080p projector."""

SLIDE_DPI = 150
SLIDE_SIZE = (SLIDE_PIXELS[0] / SLIDE_DPI, SLIDE_PIXELS[1] / SLIDE_DPI)
"""Inches, at :data:`SLIDE_DPI`."""

FOOTER = (
    "Simulated community from the social-housing participation model (agent-based; not real residents). "
    "The model explores mechanisms and is not calibrated: compare policies, do not read the levels as forecasts."
)

FOCUS: dict[str, str] = {
    "trust_landlord": "Trust",
    "stigma": "Stigma and wellbeing",
    "employment": "Needs, work and mobility",
    "participation": "Who takes part",
}
"""The key-outcome panel (:data:`sim.viz.plots.PANELS`) of each colour scheme: the charts that belong with the
colours, e.g. coloured by taking part, who takes part among the most and least stigmatised (act 4's point)."""

HEADLINE_DIFFERENCES = ("trust_landlord", "tsm_listens", "stigma", "need_fit", "cost")
"""The headline outcomes in the difference row of a side-by-side slide (those already in the focus row are left out)."""

HEADLINE_PANELS = ("Trust", "Needs, work and mobility", "Stigma and wellbeing")
"""Key-outcome panels for a one-policy slide beside the focus panel, in order of preference (two are shown)."""

LABEL_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5, 6.0)
"""Font sizes (points) tried for the names of the landlord and services in a picture, largest first: a small
community is drawn narrow, and its institutions' names must not run into each other (6 points is 12.5 pixels)."""

TITLE_SIZE = 16
TEXT_SIZE = 10.5
SMALL_SIZE = 8.5
"""Points: at 150 dots per inch, 8.5 points is 18 pixels (the smallest text the slide's own code writes)."""

INK = palette.BLACK
MUTED = palette.DARK_GREY
"""Text colours: Okabe-Ito black, and the palette's dark grey for secondary lines."""


def policy_name(name: str) -> str:
    """A policy's display name (``co_production`` -> ``Co-production``)."""
    return name.replace("_", "-").capitalize()


def side_names(settings) -> tuple[str, str]:
    """Display names of side A and side B of a comparison.

    With the same policy on both sides, A runs with the scenario's settings
    and B as the policy is designed (see ``sim.viz.session.policy_levers``),
    so the names say so: "Co-production (this scenario)" against
    "Co-production (as designed)".
    """
    a, b = policy_name(settings.policy), policy_name(settings.compare or "")
    if settings.compare == settings.policy:
        return f"{a} (this scenario)", f"{b} (as designed)"
    return a, b


def focus_panel(scheme: ColourScheme) -> str:
    """The title of the key-outcome panel that belongs with ``scheme``'s colours."""
    return FOCUS.get(scheme.key, "Trust")


def focus_columns(scheme: ColourScheme) -> tuple[str, ...]:
    """The outcome columns charted with ``scheme``'s colours (the columns of its panel)."""
    title = focus_panel(scheme)
    return next(columns for name, columns, _, _ in PANELS if name == title)


def difference_columns(scheme: ColourScheme) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The side-by-side slide's difference charts: (the focus outcome's, the headline ones not among them)."""
    focus = focus_columns(scheme)
    return focus, tuple(c for c in HEADLINE_DIFFERENCES if c not in focus)


def slide_heading(session: Session, scheme: ColourScheme | None = None) -> tuple[str, str]:
    """The slide's title (scenario and policies) and the line under it (month, community, seed, colours)."""
    s = session.settings
    if s.compare is None:
        title = f"{session.preset.name}: {policy_name(s.policy)}"
    else:
        a, b = side_names(s)
        title = f"{session.preset.name}: A: {a}  vs  B: {b}"
    details = [f"Month {session.month} of {session.planned_months}", f"{s.residents:,} households", f"seed {s.seed}"]
    if abs(s.intensity - 1.0) > 1e-9:
        details.append(f"intensity {s.intensity:.0%}")
    if scheme is not None:
        details.append(f"households coloured by {scheme.label.lower()}")
    return title, "  ·  ".join(details)


def slide_title(session: Session) -> str:
    """The slide's title and the line under it, as one text."""
    return "\n".join(slide_heading(session))


def now_text(frame, columns: tuple[str, ...], title: str) -> str:
    """This month's values of ``columns`` in words: "Who takes part, this month: everyone 12%, ..."."""
    if not len(frame):
        return f"{title}: no month run yet"
    parts = []
    for column in columns:
        if column not in frame:
            continue
        value = float(frame[column].iloc[-1])
        unit = outcome_table.name(column).unit
        shown = f"{100 * value:.1f}%" if unit == "share" else (f"£{value:.0f}" if unit == "gbp" else f"{value:.2f}")
        parts.append(f"{PANEL_LABELS.get(column, outcome_table.short(column))} {shown}")
    return f"{title} now: " + ", ".join(parts)


def slide(session: Session, scheme: ColourScheme, *, highlight: int | None = None) -> Figure:
    """The slide figure for ``session`` now, residents coloured by ``scheme``."""
    figure = new_figure(*SLIDE_SIZE, dpi=SLIDE_DPI)
    with session.lock:
        title, subtitle = slide_heading(session, scheme)
        top = _heading(figure, title, subtitle)
        frames = session.frames()
        markers = session.markers()
        horizon = session.planned_months
        if len(session.models) == 1:
            _single(figure, top, session, scheme, highlight, frames[0], markers, horizon)
        else:
            _side_by_side(figure, top, session, scheme, highlight, frames, markers, horizon)
    _wrapped(figure, 0.015, 0.008, FOOTER, 0.97, fontsize=SMALL_SIZE, color=MUTED, va="bottom")
    return figure


def slide_png(session: Session, scheme: ColourScheme, *, highlight: int | None = None) -> bytes:
    """The slide as PNG bytes."""
    return png(slide(session, scheme, highlight=highlight), compress_level=6)


# -- text -------------------------------------------------------------------------------


def _wrapped(figure: Figure, x: float, y: float, text: str, width: float, **style) -> Text:
    """``text`` at ``(x, y)`` (figure fractions), broken between words so that no line is wider than ``width``.

    Measured with the figure's renderer, not counted in characters, so a long
    scenario name or policy pair wraps onto a second line instead of running
    off the slide.
    """
    artist = figure.text(x, y, text, **style)
    renderer = figure.canvas.get_renderer()
    limit = width * figure.bbox.width
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            artist.set_text(trial)
            if line and artist.get_window_extent(renderer).width > limit:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    artist.set_text("\n".join(lines))
    return artist


def _bottom(figure: Figure, artist: Text) -> float:
    """Where ``artist``'s lowest line ends, as a fraction of the figure's height."""
    return artist.get_window_extent(figure.canvas.get_renderer()).y0 / figure.bbox.height


def _heading(figure: Figure, title: str, subtitle: str) -> float:
    """Title and subtitle at the top of the slide; returns where the space under them starts (figure fraction)."""
    first = _wrapped(figure, 0.015, 0.975, title, 0.97, fontsize=TITLE_SIZE, weight="bold", va="top", color=INK)
    second = _wrapped(figure, 0.015, _bottom(figure, first) - 0.012, subtitle, 0.97, fontsize=TEXT_SIZE + 0.5, va="top", color=MUTED)
    return _bottom(figure, second) - 0.015


def _px(pixels: float) -> float:
    """``pixels`` from the bottom of the slide as a fraction of its height."""
    return pixels / SLIDE_PIXELS[1]


def _keys(figure: Figure, scheme: ColourScheme, left: float, bottom: float, *, stacked: bool) -> float:
    """The colour key, and the key to ties and institutions beside it (or under it, ``stacked``), from ``bottom`` up.

    Returns the top of the keys (figure fraction), so the picture above can start there.
    """
    renderer = figure.canvas.get_renderer()
    _, lines = legend_handles(scheme)
    ties = figure.legend(handles=lines, loc="lower left", bbox_to_anchor=(left if stacked else left + 0.38, bottom), fontsize=SMALL_SIZE,
                         frameon=False, ncols=2 if stacked else 3, borderaxespad=0.0, labelspacing=0.3, columnspacing=1.2,
                         handletextpad=0.4, borderpad=0.0)  # fmt: skip
    ties_top = ties.get_window_extent(renderer).y1 / figure.bbox.height
    base = ties_top + _px(24) if stacked else bottom
    if scheme.continuous:
        add_colour_key(figure, (left + 0.035, base + _px(22), 0.16, _px(20)), scheme, fontsize=SMALL_SIZE)
        key_top = base + _px(42 + 30)  # the bar, and its title above it
    else:  # the colours in one row: a column of them would reach up into the picture
        keys, _ = legend_handles(scheme)
        key = figure.legend(handles=keys, loc="lower left", bbox_to_anchor=(left, base), fontsize=SMALL_SIZE, frameon=False, ncols=len(keys),
                            title=f"Colour: {scheme.label.lower()}", title_fontsize=SMALL_SIZE + 1, alignment="left",
                            borderaxespad=0.0, columnspacing=1.0, handletextpad=0.3, borderpad=0.0)  # fmt: skip
        key_top = key.get_window_extent(renderer).y1 / figure.bbox.height
    return max(key_top, ties_top)


def _retitle(ax, title: str, pad: float) -> None:
    """Replace the left title of ``ax`` (set by a plot class) with ``title`` at the same size, ``pad`` points above the axes."""
    size = next(t.get_fontsize() for t in ax.get_children() if isinstance(t, Text) and t.get_text() == ax.get_title(loc="left"))
    ax.set_title(title, loc="left", fontsize=size, pad=pad)


def _one_legend(figure: Figure, axes, anchor) -> None:
    """One legend in a row for panels with the same lines (A and B), instead of one per panel."""
    legend = axes[0].get_legend()
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    for ax in axes:
        ax.get_legend().remove()
    figure.legend(handles, labels, loc="lower left", bbox_to_anchor=anchor, ncols=len(labels), fontsize=SMALL_SIZE, frameon=False,
                  borderaxespad=0.0, borderpad=0.0, handlelength=1.6, columnspacing=1.2, handletextpad=0.4)  # fmt: skip


def _share_y(axes) -> None:
    """One y range for panels shown to be compared (A's and B's lines; the changes within one group of outcomes)."""
    low = min(ax.get_ylim()[0] for ax in axes)
    high = max(ax.get_ylim()[1] for ax in axes)
    for ax in axes:
        ax.set_ylim(low, high)


def _community(figure: Figure, rect, session: Session, model, scheme: ColourScheme, highlight: int | None, *,
               anchor: str = "C", ceiling: float | None = None) -> CommunityView:  # fmt: skip
    """A community picture in ``rect`` (figure fractions), with its institutions' names as large as fits without touching
    (every other one raised if even the smallest size touches), and none above ``ceiling`` (the picture shrinks instead)."""
    ax = figure.add_axes(rect)
    ax.set_anchor(anchor)
    view = CommunityView(ax, session.layout, label_size=LABEL_SIZES[0])
    view.update(model, scheme, highlight=highlight)  # first, for the names (the hub's changes when it opens)
    renderer = figure.canvas.get_renderer()
    labels = list(view.institution_labels.values())

    def touching() -> bool:
        ax.apply_aspect()
        boxes = [label.get_window_extent(renderer).padded(2) for label in labels]
        return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])

    home = [label.xyann for label in labels]  # where CommunityView puts them (offsets in points)

    def fit() -> None:
        for label, offset in zip(labels, home, strict=True):
            label.xyann = offset
        for size in LABEL_SIZES:
            for label in labels:
                label.set_fontsize(size)
            if not touching():
                return
        for label, (x, y) in zip(labels[1::2], home[1::2], strict=True):  # staggered: each name clears the two-line names beside it
            label.xyann = (x, y + 3.2 * LABEL_SIZES[-1])

    fit()
    if ceiling is not None:
        for _ in range(4):  # shrinking the picture moves its names down: a few rounds settle it
            ax.apply_aspect()
            excess = max(label.get_window_extent(renderer).y1 for label in labels) / figure.bbox.height - ceiling
            if excess <= 0:
                break
            left, bottom, width, height = ax.get_position(original=True).bounds
            ax.set_position((left, bottom, width, height - excess - _px(2)))
            fit()
        view.update(model, scheme, highlight=highlight)  # the ties are drawn to the picture's final size
    return view


# -- layouts ----------------------------------------------------------------------------

FOOTER_TOP = 30
"""Pixels from the bottom: the footer's line lies under this."""

COLUMNS = tuple(0.045 + 0.19 * k for k in range(5))
CHART_WIDTH = 0.145
"""The side-by-side slide's chart rows: five columns (figure fractions), room for tick labels between them."""


def _single(figure, top, session, scheme, highlight, frame, markers, horizon) -> None:
    """One policy: the community, its keys and this month's values of the focus outcome on the left; the survey and key outcomes on the right."""
    focus = focus_panel(scheme)
    bottom = _px(FOOTER_TOP + 20)
    numbers = _wrapped(figure, 0.02, bottom, now_text(frame, focus_columns(scheme), focus), 0.56, fontsize=TEXT_SIZE, va="bottom", color=INK)
    keys = _keys(figure, scheme, 0.02, _top(figure, numbers) + _px(30), stacked=True)
    # anchored next to its keys: a wide community leaves the room under the title
    _community(figure, (0.01, keys + _px(30), 0.58, top - keys - _px(30)), session, session.models[0], scheme, highlight, anchor="S", ceiling=top)

    # The right column, top down: the survey chart and its legend; the focus panel over a headline one (each wide
    # enough for its legend in one row). In pixels from the bottom of the slide.
    top_px = top * SLIDE_PIXELS[1]
    survey_height = 250
    survey = figure.add_axes((0.65, _px(top_px - 30 - survey_height), 0.335, _px(survey_height)))
    SurveyPlot(survey, horizon).update(frame, markers)
    legend = survey.get_legend()  # under the chart in one column, not over its lines
    legend.remove()
    legend_top = top_px - 30 - survey_height - 50
    figure.legend(legend.legend_handles, [t.get_text() for t in legend.get_texts()], loc="upper left", bbox_to_anchor=(0.625, _px(legend_top)),
                  fontsize=SMALL_SIZE, frameon=False, ncols=1, borderaxespad=0.0, borderpad=0.0, labelspacing=0.3, handlelength=1.6)  # fmt: skip

    other = next(p for p in HEADLINE_PANELS if p != focus)
    lowest = FOOTER_TOP + 20 + 45  # room for the month labels
    height = (legend_top - 150 - 60 - 85 - lowest) / 2  # the legend, the upper panel's title, the lower panel's title and ticks
    for k, panel in enumerate((focus, other)):
        ax = figure.add_axes((0.65, _px(lowest + (1 - k) * (height + 85)), 0.335, _px(height)))
        OutcomePlot([ax], horizon, panels=(panel,)).update(frame, markers)
        if k == 0:
            ax.set_xlabel("")


def _top(figure: Figure, artist) -> float:
    """Where ``artist`` ends at the top, as a fraction of the figure's height."""
    return artist.get_window_extent(figure.canvas.get_renderer()).y1 / figure.bbox.height


def _side_by_side(figure, top, session, scheme, highlight, frames, markers, horizon) -> None:
    """Two policies: both communities; the focus outcome for A and B and what B changes; what B changes in the headline outcomes."""
    names = side_names(session.settings)
    focus = focus_panel(scheme)
    focus_differences, headline = difference_columns(scheme)
    height = 90  # of a chart, in pixels

    # Bottom up: the headline row, the focus row, the keys; the pictures take what is left.
    bottom = FOOTER_TOP + 32
    s = session.settings
    changes = in_reform_order(frames, s.policy, s.compare)  # the reform's gains shade blue, whichever side it is on
    caption = difference_caption(*names, s.policy, s.compare)
    _differences(figure, headline, bottom, height, horizon, changes, markers)
    figure.text(0.015, _px(bottom + height + 48), f"{caption}: headline outcomes by month",
                fontsize=TEXT_SIZE, weight="bold", va="bottom", color=INK)  # fmt: skip

    bottom += height + 110
    levels = [figure.add_axes((COLUMNS[k], _px(bottom), CHART_WIDTH, _px(height))) for k in range(2)]
    for ax, frame, side in zip(levels, frames, "AB", strict=True):
        OutcomePlot([ax], horizon, panels=(focus,)).update(frame, markers)
        _retitle(ax, f"{side}: {focus.lower()}", pad=16)  # over the one legend of both
        ax.set_xlabel("")
    _share_y(levels)
    _one_legend(figure, levels, (COLUMNS[0], _px(bottom + height + 6)))
    _share_y(_differences(figure, focus_differences, bottom, height, horizon, changes, markers, first=2))
    figure.text(0.015, _px(bottom + height + 58), f"{focus} by month: A and B, and what the reform changes (the colours of the households above)",
                fontsize=TEXT_SIZE, weight="bold", va="bottom", color=INK)  # fmt: skip

    picture_bottom = _keys(figure, scheme, 0.02, _px(bottom + height + 100), stacked=False) + _px(22)
    picture_top = top
    for i, name in enumerate(names):
        left = 0.01 + 0.5 * i
        caption = figure.text(left + 0.005, top, f"{'AB'[i]}: {name}", fontsize=TEXT_SIZE + 2.5, weight="bold", va="top", color=INK)
        now = _wrapped(figure, left + 0.005, _bottom(figure, caption) - _px(6), now_text(frames[i], focus_columns(scheme), focus), 0.475,
                       fontsize=SMALL_SIZE + 0.5, va="top", color=INK)  # fmt: skip
        picture_top = min(picture_top, _bottom(figure, now) - _px(8))
    for i, model in enumerate(session.models):
        _community(figure, (0.01 + 0.5 * i, picture_bottom, 0.48, picture_top - picture_bottom), session, model, scheme, highlight, ceiling=picture_top)


def _differences(figure, columns, bottom, height, horizon, changes, markers, first: int = 0) -> list:
    """Difference charts of ``columns`` in a row from column ``first`` (``changes``: the reform's frame and the reference's); their axes."""
    axes = [figure.add_axes((COLUMNS[first + k], _px(bottom), CHART_WIDTH, _px(height))) for k in range(len(columns))]
    DifferencePlot(axes, horizon, columns=columns).update(*changes, markers)
    for ax in axes:  # the row's heading says "by month": the slide needs the height
        ax.set_xlabel("")
    return axes
