"""Colour schemes: what colour a household gets for each outcome the user can choose."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from sim import HousingModel
from sim.viz.colours import BLUE, GREY, ORANGE, SCHEMES, scheme


@pytest.fixture(scope="module")
def model() -> HousingModel:
    model = HousingModel("scenarios/co_production.toml", rng=2, residents=300)
    model.run(3)
    return model


def test_the_four_outcomes_of_the_issue_are_offered():
    assert list(SCHEMES) == ["trust_landlord", "stigma", "employment", "participation"]
    for s in SCHEMES.values():
        assert s.label and s.explanation.startswith("Each dot is a household")


def test_continuous_colours_follow_a_fixed_zero_to_one_scale(model):
    s = scheme("trust_landlord")
    values = s.values(model)
    np.testing.assert_array_equal(values, model.state.trust_landlord)
    cmap = s.colormap()
    np.testing.assert_allclose(s.colours_of(np.array([0.0, 1.0, 1.7, -0.3])), cmap(np.array([0.0, 1.0, 1.0, 0.0])))
    # The same value has the same colour whatever the rest of the community looks like.
    np.testing.assert_allclose(s.colours_of(np.array([0.4]))[0], s.colours_of(np.array([0.4, 0.9, 0.95]))[0])


def test_trust_runs_from_red_to_blue_and_stigma_the_other_way():
    trust, stigma = scheme("trust_landlord"), scheme("stigma")
    low_trust, high_trust = trust.colours_of(np.array([0.0, 1.0]))
    assert low_trust[0] > low_trust[2] and high_trust[2] > high_trust[0]  # red, then blue
    low_stigma, high_stigma = stigma.colours_of(np.array([0.0, 1.0]))
    assert low_stigma[2] > low_stigma[0] and high_stigma[0] > high_stigma[2]  # blue is the hopeful end


def test_employment_categories(model):
    s = scheme("employment")
    values = s.values(model)
    st = model.state
    assert (values[~st.working_age] == 2).all()
    assert (values[st.working_age & st.employed] == 0).all()
    assert (values[st.working_age & ~st.employed] == 1).all()
    colours = s.colours(model)
    np.testing.assert_allclose(colours[values == 0], np.tile(to_rgba(BLUE), ((values == 0).sum(), 1)))
    assert s.describe(0) == "In work" and s.describe(2) == "Not of working age"


def test_participation_categories(model):
    s = scheme("participation")
    values = s.values(model)
    st = model.state
    assert (values[st.participated] == 0).all()
    assert (values[~st.participated & st.contacted] == 1).all()
    assert (values[~st.participated & ~st.contacted] == 2).all()
    assert model.state.participated.any()  # co-production: someone took part
    palette = {tuple(to_rgba(c)) for c in (BLUE, ORANGE, GREY)}
    assert {tuple(c) for c in s.colours(model)} <= palette


def test_an_unknown_scheme_lists_the_valid_ones():
    with pytest.raises(ValueError, match="accepted: trust_landlord, stigma, employment, participation"):
        scheme("wealth")
    with pytest.raises(ValueError, match="categorical"):
        scheme("employment").colormap()


@pytest.mark.parametrize("deficiency", [None, "deuteranopia", "protanopia"])
def test_the_live_charts_colours_stay_apart_for_colour_blind_readers(deficiency):
    """Better/worse shading and the lines of each chart (sim/viz/plots.py), checked as tests/test_palette.py checks the report's."""
    from sim import colour_vision
    from sim.viz import plots

    sets = {"better and worse": {"better": plots.GOOD, "worse": plots.BAD},
            "survey lines": dict(plots.TSM_COLOURS),
            "key-outcome lines": {str(i): c for i, c in enumerate(plots.LINE_COLOURS)}}
    for name, colours in sets.items():
        first, second, distance = colour_vision.closest_pair(colours, deficiency)
        assert distance >= 10, f"{name}: {first} and {second} are only {distance:.1f} apart ({deficiency or 'normal vision'})"
    assert plots.BAD_HATCH  # worse is hatched too: never colour alone
    assert len(set(plots.LINE_STYLES)) == len(plots.LINE_STYLES) >= 3  # and each line has its own style


@pytest.mark.parametrize("deficiency", [None, "deuteranopia", "protanopia", "tritanopia"])
def test_the_community_pictures_colours_stay_apart_for_colour_blind_readers(deficiency):
    """The categories households are coloured by, and the three kinds of tie, stay distinct (CIEDE2000 >= 10, simulated as in sim/colour_vision.py)."""
    from sim import colour_vision
    from sim.viz.network_view import TIE_STYLE

    sets = {f"{key} categories": dict(s.categories) for key, s in SCHEMES.items() if s.categories}
    sets["kinds of tie"] = {kind: style["color"] for kind, style in TIE_STYLE.items()}
    for name, colours in sets.items():
        first, second, distance = colour_vision.closest_pair({label: colour for label, colour in colours.items()}, deficiency)
        assert distance >= 10, f"{name}: {first} and {second} are only {distance:.1f} apart ({deficiency or 'normal vision'})"
