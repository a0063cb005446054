"""The scenario palette stays readable with red-green colour-vision deficiency, and each scenario keeps its colour everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from sim import colour_vision, palette

MIN_DELTA_E = 10.0
"""Smallest CIEDE2000 difference allowed between two palette colours as a dichromat sees them
(about 1 is just noticeable side by side; 10 and more is told apart at a glance in a small legend swatch)."""
HEADLINE_DELTA_E = 15.0
"""The four headline policies and the status quo, which share most figures, are held further apart."""


# -- the colour science, against published numbers --------------------------------------------------------------------


@pytest.mark.parametrize(("lab1", "lab2", "expected"), [
    # Sharma, Wu and Dalal (2005), table 1: pairs 1, 7, 17 and 31
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
])
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert colour_vision.ciede2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)


def test_srgb_to_lab_of_known_colours():
    np.testing.assert_allclose(colour_vision.to_lab("#ffffff"), [100.0, 0.0, 0.0], atol=0.01)
    np.testing.assert_allclose(colour_vision.to_lab("#000000"), [0.0, 0.0, 0.0], atol=0.01)
    np.testing.assert_allclose(colour_vision.to_lab("#ff0000"), [53.24, 80.09, 67.20], atol=0.05)  # sRGB red, D65


def test_deuteranopia_leaves_greys_and_merges_red_with_green():
    for grey in ("#000000", "#777777", "#ffffff"):
        level = int(grey[1:3], 16) / 255
        for deficiency in ("deuteranopia", "protanopia"):
            np.testing.assert_allclose(colour_vision.simulate(grey, deficiency), np.full(3, level), atol=2e-3)
    # matplotlib's default red and green: far apart with normal vision, nearly the same to a deuteranope
    assert colour_vision.delta_e("tab:red", "tab:green") > 50
    assert colour_vision.delta_e("tab:red", "tab:green", "deuteranopia") < 6
    with pytest.raises(ValueError, match="accepted: protanopia, deuteranopia, tritanopia"):
        colour_vision.simulate("red", "achromatopsia")


# -- the palette ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("deficiency", ["deuteranopia", "protanopia", None])
def test_every_pair_of_palette_colours_stays_apart(deficiency):
    first, second, distance = colour_vision.closest_pair(palette.PALETTE, deficiency)
    assert distance >= MIN_DELTA_E, f"{first} and {second} are only {distance:.1f} apart ({deficiency or 'normal vision'})"


@pytest.mark.parametrize("deficiency", ["deuteranopia", "protanopia"])
def test_the_headline_policies_and_the_status_quo_stay_further_apart(deficiency):
    headline = {name: palette.FIXED[name].colour for name in ("england_baseline", "paternalistic", "consultation", "co_design", "co_production")}
    first, second, distance = colour_vision.closest_pair(headline, deficiency)
    assert distance >= HEADLINE_DELTA_E, f"{first} and {second} are only {distance:.1f} apart ({deficiency})"


def test_the_check_fails_for_a_red_green_palette():
    # The same check on a palette with a red and a green fails: the test can tell a bad palette.
    bad = {"a": "tab:blue", "b": "tab:red", "c": "tab:green", "d": "tab:orange"}
    first, second, distance = colour_vision.closest_pair(bad, "deuteranopia")
    assert distance < MIN_DELTA_E and {first, second} & {"b", "c"}
    assert colour_vision.closest_pair(bad)[2] >= MIN_DELTA_E  # ... although it passes with normal vision


def test_each_scenario_keeps_its_style_whatever_else_is_drawn():
    alone = palette.styles(["co_production"])
    together = palette.styles(["england_baseline", "paternalistic", "consultation", "co_design", "co_production"], baseline="england_baseline")
    assert alone["co_production"] == together["co_production"] == palette.FIXED["co_production"]
    assert together["england_baseline"].colour == palette.BLACK and together["england_baseline"].linestyle == "--"
    assert len({s.colour for s in together.values()}) == 5 and len({s.marker for s in together.values()}) == 5


def test_other_scenarios_take_the_remaining_colours_then_change_line_style():
    names = [f"s{i}" for i in range(7)]
    found = palette.styles(["paternalistic", *names], baseline="s0")
    assert found["s0"] == palette.NEUTRAL
    assert [found[n].colour for n in names[1:4]] == list(palette.OTHER_COLOURS)
    assert found["s4"].colour == palette.OTHER_COLOURS[0] and found["s4"].linestyle != found["s1"].linestyle
    styles = list(found.values())
    assert len({(s.colour, s.linestyle, s.marker) for s in styles}) == len(styles)
    assert set(palette.colours(["co_design"])) == {"co_design"}
    fixed = {s.colour for s in palette.FIXED.values()}
    assert not fixed & set(palette.OTHER_COLOURS)
