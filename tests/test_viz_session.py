"""The app's session logic without a browser: presets, settings, seeds, intensity, events, side by side."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sim import HousingModel
from sim.errors import UserError
from sim.scenario import MAX_SEED
from sim.viz.app import DEFAULT_PRESET, DEFAULT_RESIDENTS, start_from_address
from sim.viz.presets import SCENARIO_DIR, load_presets
from sim.viz.session import INTENSITY_LEVERS, Session, Settings, build_model, parse_seed, policy_levers, scaled_levers

PRESETS = load_presets()
ROOT = Path(__file__).resolve().parents[1]


def settings(**changes) -> Settings:
    base = Settings("consultation", "consultation", residents=200, seed=3)
    return replace(base, **changes)


# -- presets -----------------------------------------------------------------------


def test_every_scenario_file_is_a_preset_with_its_name_and_description():
    files = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    assert SCENARIO_DIR == ROOT / "scenarios"
    assert sorted(PRESETS) == files
    for preset in PRESETS.values():
        assert preset.name and preset.description and "\n" not in preset.description
        assert preset.policy == preset.scenario.policy
    assert "month 24: safety scandal" in PRESETS["scandal_and_cuts"].events


def test_a_preset_sets_policy_and_intensity_and_keeps_the_community_size():
    chosen = replace(settings(), intensity=0.5, residents=350).with_preset(PRESETS["co_production"])
    assert (chosen.preset, chosen.policy, chosen.intensity, chosen.residents, chosen.seed) == ("co_production", "co_production", 1.0, 350, 3)


# -- settings and seeds -----------------------------------------------------------------


@pytest.mark.parametrize("text, seed", [("7", 7), (" 42 ", 42), ("1_000", 1000), ("0", 0), (str(MAX_SEED), MAX_SEED)])
def test_a_typed_seed_becomes_an_integer(text, seed):
    assert parse_seed(text) == seed


@pytest.mark.parametrize("text", ["", "abc", "1.5", "-3", "1e3", "٣", str(MAX_SEED + 1)])
def test_a_typed_seed_that_is_not_a_whole_number_is_refused_with_what_is_accepted(text):
    with pytest.raises(UserError, match=r"seed: .*accepted: a whole number from 0"):
        parse_seed(text)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"preset": "nope"}, "not a scenario in scenarios/"),
        ({"policy": "co-production"}, "not a policy"),
        ({"compare": "tokenism"}, "second policy"),
        ({"intensity": 2.5}, "intensity"),
        ({"residents": 10}, "community size"),
        ({"residents": 300.0}, "community size"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_settings_name_the_value_and_what_is_accepted(changes, message):
    with pytest.raises(UserError, match=message) as error:
        settings(**changes).check(PRESETS)
    assert "accepted" in str(error.value)


# -- building models -----------------------------------------------------------------


def test_intensity_scales_only_how_many_households_the_policy_reaches():
    preset = PRESETS["co_production"]
    full = preset.scenario.levers
    half = scaled_levers(preset, "co_production", 0.5)
    assert set(half) == set(INTENSITY_LEVERS)
    for lever in INTENSITY_LEVERS:
        assert half[lever] == pytest.approx(0.5 * full[lever])
    model = build_model(preset, settings(preset="co_production", policy="co_production", intensity=0.5), "co_production")
    policy = model.landlord.policy
    assert policy.reach == pytest.approx(0.5 * full["reach"])
    assert policy.power_share == full["power_share"] and policy.acts_on_input == full["acts_on_input"]
    assert scaled_levers(preset, "co_production", 2.0)["reach"] <= 1.0


def test_a_preset_without_outreach_keeps_it_at_zero_at_any_intensity():
    preset = PRESETS["co_production_no_outreach"]
    assert scaled_levers(preset, "co_production", 2.0)["outreach"] == 0.0


def test_the_app_builds_the_same_model_as_the_public_api():
    preset = PRESETS["co_design"]
    ours = build_model(preset, settings(preset="co_design", policy="co_design"), "co_design")
    direct = HousingModel(ROOT / "scenarios" / "co_design.toml", rng=3, residents=200)
    ours.run(4)
    direct.run(4)
    assert ours.timeseries().equals(direct.timeseries())


# -- a session -----------------------------------------------------------------------------


def test_reset_uses_the_settings_and_starts_at_month_zero():
    session = Session(PRESETS, settings())
    session.step(3)
    assert session.month == 3
    session.reset(settings(seed=9, residents=150))
    assert session.month == 0 and session.settings.seed == 9
    model = session.models[0]
    assert model.seed == 9 and model.state.n == 150 and model.landlord.policy.name == "consultation"
    with pytest.raises(UserError):
        session.reset(settings(seed="9"))
    assert session.settings.seed == 9  # a refused reset changes nothing


def test_an_event_takes_effect_and_is_logged_and_marked():
    session = Session(PRESETS, settings())
    session.step(2)
    budget = session.world()["budget"]
    entry = session.fire("funding_cut")
    assert (entry.month, entry.type, entry.values) == (3, "funding_cut", {"share": 0.3})
    assert session.world()["budget"] == pytest.approx(0.7 * budget)
    session.fire("hub_opening")
    assert session.hub_open()
    session.step()
    assert [(m.month, m.label) for m in session.markers()] == [(3, "funding cut"), (3, "hub opens")]
    with pytest.raises(UserError, match="cannot be fired"):
        session.fire("switch_policy", policy="co_production")


def test_side_by_side_models_share_households_network_and_luck_and_step_together():
    session = Session(PRESETS, settings(compare="co_production"))
    a, b = session.models
    assert (a.landlord.policy.name, b.landlord.policy.name) == ("consultation", "co_production")
    np.testing.assert_array_equal(a.state.advantage, b.state.advantage)
    assert nx_edges(a) == nx_edges(b)
    session.step(2)
    session.fire("safety_scandal")
    session.step(2)
    assert a.steps == b.steps == session.month == 4
    assert a.external_stigma == b.external_stigma > 0.5
    fa, fb = session.frames()
    assert len(fa) == len(fb) == 4
    assert not np.allclose(fa["participation"], fb["participation"])  # the policy differs


def test_a_second_policy_added_later_is_caught_up_with_the_same_history():
    live = Session(PRESETS, settings())
    live.step(2)
    live.fire("funding_cut")
    live.step(3)
    live.fire("hub_opening")  # pending: fired after the last step
    live.set_compare("co_design")
    from_start = Session(PRESETS, settings(compare="co_design"))
    from_start.step(2)
    from_start.fire("funding_cut")
    from_start.step(3)
    from_start.fire("hub_opening")
    live.step(2)
    from_start.step(2)
    assert live.models[1].steps == 7
    assert live.frames()[1].equals(from_start.frames()[1])
    live.set_compare(None)
    assert len(live.models) == 1 and live.settings.compare is None


def nx_edges(model: HousingModel) -> set:
    return {tuple(sorted(map(str, edge))) for edge in model.graph().edges()}


# -- the page address ------------------------------------------------------------------------


def test_the_page_address_can_set_the_starting_settings():
    start = start_from_address("preset=consultation&compare=co_production&residents=300&seed=4&colour=stigma&intensity=0.5")
    s = start.settings
    assert (s.preset, s.policy, s.compare, s.residents, s.seed, s.intensity) == ("consultation", "consultation", "co_production", 300, 4, 0.5)
    assert start.colour == "stigma" and start.problem == ""
    default = start_from_address(None)
    assert (default.settings.preset, default.settings.residents) == (DEFAULT_PRESET, DEFAULT_RESIDENTS)


def test_the_address_reads_numbers_as_scenario_files_do():
    # issue 16 item 8: residents=1e3 gave "invalid literal for int()"
    assert start_from_address("residents=1e3&intensity=1").settings.residents == 1000
    assert start_from_address("residents=1_000").settings.residents == 1000
    for query, name in [("residents=1e3x", "residents"), ("residents=300.5", "residents"), ("intensity=abc", "intensity"), ("intensity=nan", "intensity")]:
        start = start_from_address(query)
        assert start.problem.startswith(f"{name}: ") and "accepted: " in start.problem and "invalid literal" not in start.problem, start.problem
        assert start.settings.residents == DEFAULT_RESIDENTS


def test_a_bad_address_falls_back_to_defaults_with_a_message():
    start = start_from_address("preset=utopia&seed=abc&colour=gold")
    assert start.settings.preset == DEFAULT_PRESET and start.colour == "trust_landlord"
    assert "utopia" in start.problem and "seed" in start.problem and "gold" in start.problem


def test_policy_b_is_the_policy_as_designed_so_a_variant_can_be_set_beside_it():
    session = Session(PRESETS, settings(preset="co_production_no_outreach", policy="co_production", compare="co_production"))
    a, b = session.models
    assert a.landlord.policy.outreach == 0.0  # the scenario's setting
    assert b.landlord.policy.outreach == pytest.approx(0.2)  # co-production as designed
    assert a.landlord.policy.power_share == b.landlord.policy.power_share
    session.step(24)
    fa, fb = session.frames()
    assert fb["participation_most_stigmatised"].mean() > fa["participation_most_stigmatised"].mean()


def test_policy_b_can_run_at_its_own_intensity():
    # issue 14 item 2: "co-production at 50% beside co-design at 100%" could not be set up.
    session = Session(PRESETS, settings(preset="co_production", policy="co_production", intensity=0.5, compare="co_design", compare_intensity=1.0))
    a, b = session.models
    designed = policy_levers(PRESETS["co_production"], "co_design", 1.0, as_designed=True)
    assert b.landlord.policy.reach == pytest.approx(designed["reach"])
    assert a.landlord.policy.reach == pytest.approx(policy_levers(PRESETS["co_production"], "co_production", 0.5)["reach"])
    # Without its own intensity, B follows A's.
    follows = Session(PRESETS, settings(preset="co_production", policy="co_production", intensity=0.5, compare="co_design"))
    assert follows.models[1].landlord.policy.reach == pytest.approx(policy_levers(PRESETS["co_production"], "co_design", 0.5, as_designed=True)["reach"])
    # Changed later, B is rebuilt at the new intensity and caught up; A is untouched.
    session.step(3)
    before = session.frames()[0].copy()
    session.set_compare("co_design", 0.0)
    assert session.models[1].landlord.policy.reach == 0.0 and session.models[1].steps == 3
    assert session.frames()[0].equals(before)


def test_policy_b_intensity_from_the_address_is_checked():
    assert start_from_address("compare=co_design&intensity_b=0.5").settings.intensity_b == 0.5
    assert start_from_address("compare=co_design&intensity=0.7").settings.intensity_b == 0.7
    start = start_from_address("compare=co_design&intensity_b=3")
    assert "intensity of policy B" in start.problem and "accepted: 0 to 2" in start.problem


def test_play_runs_the_months_that_fell_due_and_draws_once():
    from sim.viz.app import PLAY_CATCH_UP, months_due

    assert months_due(0.1, 0.3, 100) == 1  # on time: a month a picture
    assert months_due(0.95, 0.3, 100) == 3  # the picture took three months' time: three months, one picture
    assert months_due(60.0, 0.3, 100) == PLAY_CATCH_UP  # never a long jump
    assert months_due(60.0, 0.3, 2) == 2  # never past the end of the run
    assert months_due(5.0, 0.0, 100) == 1  # "as fast as it draws": every month drawn
