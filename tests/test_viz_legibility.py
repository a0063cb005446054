"""Figure text stays legible as the page shows it: at least 12 pixels at the narrowest width each picture is shown."""

from __future__ import annotations

import itertools

import pytest

from sim.viz.colours import SCHEMES
from sim.viz.figures import (
    CHART_WIDTH,
    COMMUNITY_WIDTH,
    MIN_TEXT_PX,
    CommunityFigure,
    DifferenceFigure,
    OutcomesFigure,
    SurveyFigure,
    new_figure,
    smallest_text_px,
)
from sim.viz.presets import load_presets
from sim.viz.reform import in_reform_order
from sim.viz.session import Session, Settings

PRESETS = load_presets()


@pytest.fixture(scope="module", params=[500, 2000], ids=lambda n: f"{n} households")
def session(request) -> Session:
    session = Session(PRESETS, Settings("co_production", "co_production", residents=request.param, seed=1, compare="paternalistic"))
    session.step(14)
    session.fire("hub_opening")  # the longest service label ("Hub open") and an event marker on the charts
    session.step(1)
    return session


def displayed(figure, display_width: float) -> float:
    """The smallest text's height in CSS pixels when ``figure`` is shown ``display_width`` pixels wide."""
    return smallest_text_px(figure) * display_width / (figure.get_figwidth() * figure.dpi)


@pytest.mark.parametrize("blocks", [False, True], ids=["households", "blocks"])
def test_the_community_pictures_text_is_legible_when_shown_small(session, blocks):
    picture = CommunityFigure(session.layout, blocks=blocks)
    for model in session.models:
        picture.render(model, SCHEMES["trust_landlord"], highlight=3)
        assert displayed(picture.figure, COMMUNITY_WIDTH) >= MIN_TEXT_PX


@pytest.mark.parametrize("blocks", [False, True], ids=["households", "blocks"])
def test_service_labels_are_neither_clipped_nor_overlapping(session, blocks):
    picture = CommunityFigure(session.layout, blocks=blocks)
    picture.render(session.models[0], SCHEMES["stigma"])
    renderer = picture.figure.canvas.get_renderer()
    frame = picture.figure.bbox
    boxes = [label.get_window_extent(renderer) for label in picture.view.institution_labels.values()]
    for box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, box
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)


def test_the_charts_text_is_legible_when_shown_small(session):
    frames, markers, horizon = session.frames(), session.markers(), session.planned_months
    outcomes, survey, difference = OutcomesFigure(horizon), SurveyFigure(horizon), DifferenceFigure(horizon)
    outcomes.render(frames[0], markers)
    survey.render(frames[0], markers)
    difference.render(*in_reform_order(frames, session.settings.policy, session.settings.compare), markers)
    for chart in (outcomes, survey, difference):
        assert displayed(chart.figure, CHART_WIDTH) >= MIN_TEXT_PX, type(chart).__name__


def test_the_smallest_text_counts_tick_labels_but_not_hidden_axes():
    figure = new_figure(4.0, 3.0, dpi=100)
    ax = figure.add_subplot()
    ax.set_title("A title", fontsize=14)
    ax.tick_params(labelsize=6)
    assert smallest_text_px(figure) == pytest.approx(6 * 100 / 72)
    ax.set_axis_off()
    assert smallest_text_px(figure) == pytest.approx(14 * 100 / 72)
    ax.set_title("")
    assert smallest_text_px(figure) == float("inf")


def test_nothing_overlaps_in_the_live_charts():
    """The charts under the pictures, drawn as the app draws them side by side at month 24: no text overlaps another
    text or a chart it does not belong to, and none leaves the picture (sim/viz/overlaps.py, as for the export)."""
    from sim.viz.app import PRESETS, start_from_address
    from sim.viz.figures import DifferenceFigure, OutcomesFigure, SurveyFigure
    from sim.viz.overlaps import problems
    from sim.viz.reform import in_reform_order
    from sim.viz.session import Session

    session = Session(PRESETS, start_from_address("preset=paternalistic&compare=co_production&residents=200").settings)
    session.step(24)
    frames = session.frames()
    difference = DifferenceFigure(session.planned_months)
    difference.render(*in_reform_order(frames, "paternalistic", "co_production"))
    outcomes, survey = OutcomesFigure(session.planned_months), SurveyFigure(session.planned_months)
    outcomes.render(frames[0])
    survey.render(frames[0])
    for figure in (difference, outcomes, survey):
        assert problems(figure.figure, min_pixels=0) == [], type(figure).__name__  # sizes as shown are checked above
