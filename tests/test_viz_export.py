"""Pictures and export: PNG images of the community, plots and the slide a facilitator downloads."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from sim.viz.colours import SCHEMES
from sim.viz.export import SLIDE_PIXELS, slide, slide_heading, slide_png, slide_title
from sim.viz.figures import CommunityFigure, DifferenceFigure, OutcomesFigure, SurveyFigure, png
from sim.viz.overlaps import drawn_texts, problems
from sim.viz.presets import load_presets
from sim.viz.prose import to_html
from sim.viz.reform import in_reform_order
from sim.viz.session import Session, Settings

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PRESETS = load_presets()


def image(data: bytes) -> np.ndarray:
    assert data.startswith(PNG_SIGNATURE)
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=int)


@pytest.fixture
def session() -> Session:
    session = Session(PRESETS, Settings("consultation", "consultation", residents=200, seed=2))
    session.step(4)
    session.fire("funding_cut")
    session.step(2)
    return session


def test_the_slide_is_a_16_by_9_png_of_the_current_view(session, tmp_path):
    data = slide_png(session, SCHEMES["trust_landlord"], highlight=5)
    path = tmp_path / "slide.png"
    path.write_bytes(data)
    assert path.stat().st_size > 50_000
    picture = Image.open(path)
    picture.verify()
    assert picture.size == SLIDE_PIXELS == (2000, 1125)
    assert "Month 6 of 120" in slide_title(session) and "200 households" in slide_title(session) and "seed 2" in slide_title(session)


def test_the_side_by_side_slide_names_both_policies(session):
    session.set_compare("co_production")
    assert "A: Consultation" in slide_title(session) and "B: Co-production" in slide_title(session)
    pixels = image(slide_png(session, SCHEMES["stigma"]))
    assert pixels.std() > 10  # not blank


@pytest.fixture(scope="module")
def act_4() -> Session:
    """The workshop's act 4 (who takes part) a year in: side by side at 1,000 households."""
    session = Session(PRESETS, Settings("co_production_no_outreach", "co_production", residents=1000, seed=1, compare="co_production"))
    session.step(12)
    return session


@pytest.fixture(scope="module")
def one_policy() -> Session:
    session = Session(PRESETS, Settings("scandal_and_cuts", "co_design", residents=500, seed=1))
    session.step(30)  # past the scandal: an event marker on every chart
    return session


@pytest.mark.parametrize("colour", list(SCHEMES))
@pytest.mark.parametrize("layout", ["one_policy", "act_4"])
def test_nothing_on_the_slide_overlaps_or_is_cut_off_and_no_text_is_small(layout, colour, request):
    """Every text, legend and chart on the slide, as drawn: no two texts overlap, no text or legend lies over a chart
    it does not belong to, none leaves the slide, none is under 12 px (on the 2000 x 1125 slide)."""
    session = request.getfixturevalue(layout)
    found = problems(slide(session, SCHEMES[colour], highlight=5), min_pixels=12)
    assert found == [], "\n".join(found)


def test_the_slide_keeps_the_whole_title_however_long(act_4):
    """A long scenario name and two long policy names wrap onto a second line rather than run off the slide."""
    long = Session(PRESETS, Settings("accurate_paternalism", "co_production", residents=200, seed=12345, compare="co_production"))
    figure = slide(long, SCHEMES["trust_landlord"])
    assert problems(figure) == []
    texts = {" ".join(t.get_text().split()): t for t in drawn_texts(figure)}
    title, subtitle = (" ".join(line.split()) for line in slide_heading(long, SCHEMES["trust_landlord"]))
    assert title in texts and subtitle in texts
    assert "\n" in texts[title].get_text()  # wrapped, not cut
    assert "Month 0 of" in subtitle and "200 households" in subtitle and "seed 12345" in subtitle and "coloured by trust in the landlord" in subtitle


def _titles(figure) -> list[str]:
    return [" ".join(ax.get_title(loc="left").split()) for ax in figure.axes]


def test_the_slide_charts_the_outcome_the_households_are_coloured_by(act_4):
    """Coloured by taking part, the slide shows who takes part in A and in B (the most and least stigmatised: act 4's
    point) and what B changes for each group, beside the headline outcomes; coloured by something else, that outcome's charts."""
    titles = _titles(slide(act_4, SCHEMES["participation"]))
    for wanted in ("A: who takes part", "B: who takes part", "Took part (least stigmatised)", "Took part (most stigmatised)",
                   "Took part (everyone)", "Trust in landlord", "Need met", "Cost"):  # fmt: skip
        assert any(t.startswith(wanted) for t in titles), (wanted, titles)
    figure = slide(act_4, SCHEMES["participation"])
    shown = " ".join(t.get_text() for t in drawn_texts(figure))
    a, b = act_4.frames()
    assert f"most stigmatised fifth {100 * a['participation_most_stigmatised'].iloc[-1]:.1f}%" in shown
    assert f"most stigmatised fifth {100 * b['participation_most_stigmatised'].iloc[-1]:.1f}%" in shown
    expected = {"trust_landlord": "Trust in services", "stigma": "Wellbeing gap", "employment": "In work"}
    for colour, chart in expected.items():
        titles = _titles(slide(act_4, SCHEMES[colour]))
        assert any(t.startswith(chart) for t in titles), (colour, titles)
        assert not any("Took part (least" in t for t in titles)


def test_the_one_policy_slide_charts_the_colour_outcome_too(one_policy):
    titles = _titles(slide(one_policy, SCHEMES["participation"]))
    assert "Who takes part" in titles and "Tenant Satisfaction Measures: share who would answer positively" in titles
    assert "Trust" in _titles(slide(one_policy, SCHEMES["stigma"]))


def test_the_community_picture_changes_with_steps_colours_and_selection(session):
    figure = CommunityFigure(session.layout)
    model = session.models[0]
    first = image(figure.render(model, SCHEMES["trust_landlord"]))
    session.step(6)
    later = image(figure.render(model, SCHEMES["trust_landlord"]))
    recoloured = image(figure.render(model, SCHEMES["employment"]))
    selected = image(figure.render(model, SCHEMES["employment"], highlight=10))
    assert first.shape == later.shape
    assert (first != later).any() and (later != recoloured).any() and (recoloured != selected).any()


def test_a_click_on_a_household_finds_it(session):
    figure = CommunityFigure(session.layout)
    figure.render(session.models[0], SCHEMES["trust_landlord"])
    for resident in (0, 57, 199):
        assert figure.pick(*figure.where(resident)) == resident
    assert figure.pick(0.5, 0.02) is None  # the sky above the estates


def test_plots_redrawn_in_place_match_a_full_redraw(session):
    """The still background plus lines drawn over it (blitting) gives the picture a full redraw gives."""
    for figure in (OutcomesFigure(session.planned_months), SurveyFigure(session.planned_months)):
        figure.render(session.frames()[0], session.markers())
        session.step(2)
        frame, markers = session.frames()[0], session.markers()
        figure.render(frame, markers)
        redraws = figure.full_redraws
        blitted = image(figure.render(frame, markers))  # nothing changed: certainly drawn over the kept background
        assert figure.full_redraws == redraws
        full = image(png(figure.figure))
        assert (np.abs(blitted - full).max(axis=2) > 60).mean() < 0.002  # a few pixels where lines cross axis spines


def test_axes_change_only_when_they_must(session):
    figure = OutcomesFigure(session.planned_months)
    renders = 0
    for _ in range(12):
        session.step()
        figure.render(session.frames()[0], session.markers())
        renders += 1
    assert figure.full_redraws < renders / 2  # most steps only redraw the lines
    before = figure.full_redraws
    session.fire("hub_opening")  # a new event marker
    figure.render(session.frames()[0], session.markers())
    assert figure.full_redraws == before + 1
    session.step(130 - session.month)  # past the planned 120 months: the time axis grows
    figure.render(session.frames()[0], session.markers())
    assert figure.plot.axes[0].get_xlim() == (0.0, 132.0)


def test_the_difference_plot_shows_reform_minus_reference(session):
    session.set_compare("co_production")  # A consultation, B co-production: B is the reform
    figure = DifferenceFigure(session.planned_months)
    a, b = session.frames()
    reform, reference = in_reform_order((a, b), "consultation", "co_production")
    data = figure.render(reform, reference, session.markers())
    assert image(data).std() > 5
    line = figure.plot.lines["trust_landlord"]
    np.testing.assert_allclose(line.get_ydata(), b["trust_landlord"] - a["trust_landlord"])
    np.testing.assert_allclose(figure.plot.lines["tsm_listens"].get_ydata(), 100 * (b["tsm_listens"] - a["tsm_listens"]))


def test_prose_is_escaped_and_formatted():
    assert to_html("**Bold** and *italic* <script>") == "<p><strong>Bold</strong> and <em>italic</em> &lt;script&gt;</p>"
    assert to_html("Intro\n\n- one\n- two\n\n#### Head") == "<p>Intro</p><ul><li>one</li><li>two</li></ul><h4>Head</h4>"
    assert to_html("2 * 3 * 4") == "<p>2 * 3 * 4</p>"


def test_side_names_say_which_co_production_is_which():
    from types import SimpleNamespace

    from sim.viz.export import side_names

    assert side_names(SimpleNamespace(policy="consultation", compare="co_design")) == ("Consultation", "Co-design")
    assert side_names(SimpleNamespace(policy="co_production", compare="co_production")) == ("Co-production (this scenario)", "Co-production (as designed)")
