"""Export of the current view as a PNG slide a workshop facilitator can put in a presentation.

One 16:9 image (2000 x 1125 pixels) that stands on its own: a title saying
which scenario, policy, month and community it shows; the community
coloured by the chosen outcome with a key to the colours, ties and markers;
the survey shares and key outcomes over time (or, side by side, the two
communities and the difference between the policies); and a footer saying
that it is a simulation, not data. Built with the same drawing code as the
browser view, so the slide shows exactly what the room saw.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from sim.viz.colours import ColourScheme
from sim.viz.figures import new_figure, png
from sim.viz.network_view import CommunityView, add_colour_key, legend_handles
from sim.viz.plots import DifferencePlot, OutcomePlot, SurveyPlot
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

SLIDE_DIFFERENCES = ("trust_landlord", "stigma", "bridging", "linking", "tsm_listens", "cost")
"""Outcomes in the difference strip of a side-by-side slide."""


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


def slide_title(session: Session) -> str:
    """The slide's title line: scenario, policy or policies, month, community."""
    s = session.settings
    a, b = side_names(s)
    policies = policy_name(s.policy) if s.compare is None else f"A: {a}   vs   B: {b}"
    return f"{session.preset.name}  |  {policies}  |  month {session.month}  |  {s.residents:,} households, seed {s.seed}"


def slide(session: Session, scheme: ColourScheme, *, highlight: int | None = None) -> Figure:
    """The slide figure for ``session`` now, residents coloured by ``scheme``."""
    figure = new_figure(*SLIDE_SIZE, dpi=SLIDE_DPI)
    with session.lock:
        figure.text(0.015, 0.965, slide_title(session), fontsize=15, weight="bold", va="top")
        frames = session.frames()
        markers = session.markers()
        horizon = session.planned_months
        if len(session.models) == 1:
            _single(figure, session, scheme, highlight, frames[0], markers, horizon)
        else:
            _side_by_side(figure, session, scheme, highlight, frames, markers, horizon)
    figure.text(0.015, 0.012, FOOTER, fontsize=8, color="#555555", va="bottom")
    return figure


def slide_png(session: Session, scheme: ColourScheme, *, highlight: int | None = None) -> bytes:
    """The slide as PNG bytes."""
    return png(slide(session, scheme, highlight=highlight), compress_level=6)


def _keys(figure: Figure, scheme: ColourScheme, left: float, bottom: float, width: float) -> None:
    add_colour_key(figure, (left, bottom + 0.03, width * 0.38, 0.022), scheme, fontsize=9)
    _, lines = legend_handles(scheme)
    figure.legend(handles=lines, loc="lower left", bbox_to_anchor=(left + width * 0.45, bottom - 0.01), fontsize=8.5, frameon=False, ncols=2)


def _single(figure, session, scheme, highlight, frame, markers, horizon) -> None:
    ax = figure.add_axes((0.01, 0.2, 0.56, 0.69))
    CommunityView(ax, session.layout, label_size=9).update(session.models[0], scheme, highlight=highlight)
    _keys(figure, scheme, 0.04, 0.06, 0.54)
    survey = figure.add_axes((0.62, 0.62, 0.36, 0.26))
    SurveyPlot(survey, horizon).update(frame, markers)
    trust = figure.add_axes((0.62, 0.11, 0.16, 0.34))
    capital = figure.add_axes((0.82, 0.11, 0.16, 0.34))
    OutcomePlot([trust, capital], horizon, panels=("Trust", "Social capital")).update(frame, markers)


def _side_by_side(figure, session, scheme, highlight, frames, markers, horizon) -> None:
    names = side_names(session.settings)
    for i, (model, name) in enumerate(zip(session.models, names, strict=True)):
        ax = figure.add_axes((0.01 + 0.495 * i, 0.42, 0.485, 0.48))
        view = CommunityView(ax, session.layout, label_size=8)
        view.update(model, scheme, highlight=highlight)
        ax.set_title(f"{'AB'[i]}: {name}", fontsize=13, loc="left")
    _keys(figure, scheme, 0.04, 0.33, 0.6)
    axes = [figure.add_axes((0.04 + 0.16 * k, 0.1, 0.12, 0.12)) for k in range(len(SLIDE_DIFFERENCES))]
    s = session.settings
    reform, reference = in_reform_order(frames, s.policy, s.compare)  # the reform's gains shade blue, whichever side it is on
    DifferencePlot(axes, horizon, columns=SLIDE_DIFFERENCES).update(reform, reference, markers)
    caption = difference_caption(*names, s.policy, s.compare)
    figure.text(0.015, 0.3, f"{caption}, over time (same households, same luck: the difference is the policy's effect)", fontsize=10, weight="bold")
