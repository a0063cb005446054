"""Scenario files: loading, defaults, overrides, and the one-sentence UserError for every kind of mistake.

The contract: a user's mistake raises ``sim.errors.UserError`` whose message
reads ``FILE: key: problem (accepted: ...)``, names where the value came from,
the key and what would be accepted, and suggests the closest valid key for a
misspelt one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.catalogue import SECTIONS, SECTIONS_BY_NAME
from sim.errors import UserError
from sim.events import EVENT_TYPES
from sim.policies import LEVERS, POLICIES
from sim.scenario import TABLES, TOP_LEVEL, Scenario, build, default, load, parse_assignment

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = ROOT / "scenarios"
SCENARIO_FILES = sorted(SCENARIO_DIR.glob("*.toml"))
HUGE = 10**400  # more digits than a float can hold


def write(tmp_path: Path, text: str | bytes, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path | str) -> str:
    """The UserError message that loading ``path`` gives (fails if it loads)."""
    with pytest.raises(UserError) as caught:
        load(path)
    return str(caught.value)


def assert_message(message: str, where: str | Path, key: str | None, *accepted: str) -> None:
    """``message`` has the form ``WHERE: ... KEY ...: problem (accepted: ...)`` with each of ``accepted`` listed."""
    assert message.startswith(f"{where}: "), message
    assert "\n" not in message, message
    if key is not None:
        assert key in message, message
    assert "(accepted: " in message, message
    after = message.split("(accepted: ", 1)[1]
    for text in accepted:
        assert text in after, message


def policy_defaults(name: str) -> dict:
    return POLICIES[name].section().defaults()


# -- the shipped scenario files -------------------------------------------------


def test_there_are_scenario_files():
    assert SCENARIO_FILES, f"no scenario files in {SCENARIO_DIR}"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_scenario_file_loads(path):
    scenario = load(path)
    assert isinstance(scenario, Scenario)
    assert scenario.source == str(path)
    assert scenario.steps >= 1
    assert scenario.policy in POLICIES
    assert set(scenario.params) == {section.name for section in SECTIONS}
    for section in SECTIONS:
        assert set(scenario.params[section.name]) == {p.name for p in section.params}
    assert set(scenario.levers) == {p.name for p in LEVERS}
    assert all(1 <= event.step <= scenario.steps for event in scenario.events)
    assert all(event.type in EVENT_TYPES for event in scenario.events)


def test_scenario_values_are_taken_from_the_file():
    scenario = load(SCENARIO_DIR / "co_production_no_outreach.toml")
    assert scenario.name == "Co-production without outreach"
    assert scenario.steps == 120
    assert scenario.policy == "co_production"
    assert scenario.levers["outreach"] == 0.0
    assert scenario.levers["power_share"] == policy_defaults("co_production")["power_share"]
    assert scenario.params["community"]["residents"] == 1000


def test_scenario_events_are_loaded_in_order():
    scenario = load(SCENARIO_DIR / "scandal_and_cuts.toml")
    assert [(e.step, e.type) for e in scenario.events] == [(24, "safety_scandal"), (48, "funding_cut")]
    assert scenario.events[0].values == {"severity": 0.5}
    assert scenario.events[1].values == {"share": 0.33}


def test_switch_policy_event_is_loaded():
    scenario = load(SCENARIO_DIR / "consultation_then_co_production.toml")
    (event,) = scenario.events
    assert (event.step, event.type, event.values) == (37, "switch_policy", {"policy": "co_production"})


# -- defaults -----------------------------------------------------------------------


def test_empty_file_gives_every_default(tmp_path):
    scenario = load(write(tmp_path, ""))
    assert scenario.name == "default"
    assert scenario.description == ""
    assert scenario.steps == 120
    assert scenario.seed is None
    assert scenario.policy == "paternalistic"
    assert scenario.levers == policy_defaults("paternalistic")
    assert scenario.events == ()
    assert scenario.params == {section.name: section.defaults() for section in SECTIONS}


def test_default_scenario_matches_an_empty_file(tmp_path):
    from_file = load(write(tmp_path, ""))
    built = default()
    assert built.source == "<defaults>"
    assert (built.params, built.policy, built.levers, built.steps, built.seed) == (
        from_file.params, from_file.policy, from_file.levers, from_file.steps, from_file.seed)


def test_missing_keys_take_defaults(tmp_path):
    scenario = load(write(tmp_path, "[trust]\ngain_rate = 0.2\n"))
    assert scenario.params["trust"]["gain_rate"] == 0.2
    expected = SECTIONS_BY_NAME["trust"].defaults() | {"gain_rate": 0.2}
    assert scenario.params["trust"] == expected
    assert scenario.params["stigma"] == SECTIONS_BY_NAME["stigma"].defaults()


def test_policy_table_without_name_is_the_default_policy(tmp_path):
    scenario = load(write(tmp_path, "[policy]\noutreach = 0.3\n"))
    assert scenario.policy == "paternalistic"
    assert scenario.levers == policy_defaults("paternalistic") | {"outreach": 0.3}


def test_policy_without_levers_takes_its_own_defaults(tmp_path):
    scenario = load(write(tmp_path, '[policy]\nname = "co_design"\n'))
    assert scenario.levers == policy_defaults("co_design")


def test_top_level_values(tmp_path):
    scenario = load(write(tmp_path, 'name = "x"\ndescription = "d"\nsteps = 7\nseed = 0\n'))
    assert (scenario.name, scenario.description, scenario.steps, scenario.seed) == ("x", "d", 7, 0)


def test_integer_for_a_float_parameter_becomes_a_float(tmp_path):
    scenario = load(write(tmp_path, "[trust]\ngain_rate = 1\n[landlord]\nprior_belief = [1, 0, 0, 0]\n"))
    assert scenario.params["trust"]["gain_rate"] == 1.0
    assert type(scenario.params["trust"]["gain_rate"]) is float
    assert scenario.params["landlord"]["prior_belief"] == (1.0, 0.0, 0.0, 0.0)
    assert all(type(x) is float for x in scenario.params["landlord"]["prior_belief"])


def test_integer_parameters_stay_integers(tmp_path):
    # Whatever the loader decides about 100.0 for a whole number, the model never sees a float.
    try:
        scenario = load(write(tmp_path, "[community]\nresidents = 100.0\n"))
    except UserError as error:
        assert_message(str(error), tmp_path / "scenario.toml", "community.residents", "whole number")
    else:
        assert scenario.params["community"]["residents"] == 100
        assert type(scenario.params["community"]["residents"]) is int


def test_to_dict_has_everything_resolved():
    scenario = load(SCENARIO_DIR / "scandal_and_cuts.toml")
    data = scenario.to_dict()
    assert data["policy"] == {"name": "co_design", **scenario.levers}
    assert data["trust"] == scenario.params["trust"]
    assert data["events"] == [{"step": 24, "type": "safety_scandal", "severity": 0.5}, {"step": 48, "type": "funding_cut", "share": 0.33}]
    assert data["source"] == str(SCENARIO_DIR / "scandal_and_cuts.toml")


# -- reading the file -------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    assert_message(error_for(path), path, None, ".toml")
    assert "no such" in error_for(path)


def test_folder_instead_of_file(tmp_path):
    assert_message(error_for(tmp_path), tmp_path, None, ".toml")


def test_not_utf8(tmp_path):
    path = write(tmp_path, b'name = "\xff\xfe"\n')
    assert_message(error_for(path), path, None, "TOML")


@pytest.mark.parametrize("text", ["steps = ", "[trust\ngain_rate = 0.1", "name = 'unterminated", "a = 1\na = 2", "= 3", "[trust]\ngain_rate = 0.1\n[trust]\n"])
def test_unparsable_toml_names_the_file_and_the_place(tmp_path, text):
    path = write(tmp_path, text)
    message = error_for(path)
    assert message.startswith(f"{path}: "), message
    assert "TOML" in message
    assert "(at " in message  # tomllib says where: (at line L, column C) or (at end of document)
    assert "\n" not in message


def test_unparsable_toml_says_what_is_accepted(tmp_path):
    path = write(tmp_path, "steps = ")
    assert "(accepted: " in error_for(path)


def test_nul_byte_in_path_is_a_user_error():
    with pytest.raises(UserError):
        load("bad\x00name.toml")


# -- unknown keys and sections ---------------------------------------------------------


def test_unknown_key_in_a_section_suggests_the_closest(tmp_path):
    path = write(tmp_path, "[trust]\ngain_rat = 0.1\n")
    message = error_for(path)
    assert_message(message, path, "trust.gain_rat", "gain_rate", "loss_ratio")
    assert "unknown key" in message
    assert "did you mean 'gain_rate'?" in message


def test_unknown_key_with_nothing_close_lists_the_keys(tmp_path):
    path = write(tmp_path, "[trust]\nzzzzzz = 0.1\n")
    message = error_for(path)
    assert_message(message, path, "trust.zzzzzz", *(p.name for p in SECTIONS_BY_NAME["trust"].params))
    assert "did you mean" not in message


def test_unknown_top_level_key_suggests_the_closest(tmp_path):
    path = write(tmp_path, "stepz = 10\n")
    message = error_for(path)
    assert_message(message, path, "stepz", "steps", "trust", "events")
    assert "did you mean 'steps'?" in message


def test_unknown_section(tmp_path):
    path = write(tmp_path, "[trst]\ngain_rate = 0.1\n")
    message = error_for(path)
    assert_message(message, path, "trst", *TOP_LEVEL, *TABLES)
    assert "did you mean 'trust'?" in message


def test_unknown_section_with_nothing_close(tmp_path):
    path = write(tmp_path, "[qqqqqqqq]\nx = 1\n")
    message = error_for(path)
    assert_message(message, path, "qqqqqqqq", "community", "policy")
    assert "did you mean" not in message


def test_unknown_lever_suggests_the_closest(tmp_path):
    path = write(tmp_path, '[policy]\nname = "co_production"\noutreech = 0.3\n')
    message = error_for(path)
    assert_message(message, path, "policy.outreech", *(p.name for p in LEVERS))
    assert "did you mean 'outreach'?" in message


@pytest.mark.parametrize(("text", "key"), [
    ("trust = 5", "trust"),
    ('policy = "co_design"', "policy"),
    ("events = 5", "events"),
    ("events = {step = 1}", "events"),
])
def test_section_that_is_not_a_table(tmp_path, text, key):
    path = write(tmp_path, text + "\n")
    assert_message(error_for(path), path, key, "[")


# -- wrong types -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "key", "accepted"), [
    ('[trust]\ngain_rate = "0.1"', "trust.gain_rate", "a number in [0, 1]"),  # string for a number
    ("[trust]\ngain_rate = true", "trust.gain_rate", "a number in [0, 1]"),  # bool for a number
    ("[trust]\ngain_rate = [0.1]", "trust.gain_rate", "a number"),
    ("[trust]\ngain_rate = {x = 1}", "trust.gain_rate", "a number"),
    ("[trust]\ngain_rate = 2020-01-01", "trust.gain_rate", "a number"),
    ("[community]\nresidents = 100.5", "community.residents", "a whole number"),  # float for an int
    ("[community]\nresidents = true", "community.residents", "a whole number"),  # bool for an int
    ('[community]\nresidents = "100"', "community.residents", "a whole number"),
    ("[services]\nhub_open = 1", "services.hub_open", "true or false"),
    ('[services]\nhub_open = "yes"', "services.hub_open", "true or false"),
    ("[community]\nnetwork_file = 5", "community.network_file", "a string"),
    ("[landlord]\nprior_belief = [0.5, 0.5]", "landlord.prior_belief", "a list of 4 numbers"),
    ('[landlord]\nprior_belief = [0.5, 0.5, "x", 0]', "landlord.prior_belief", "a list of 4 numbers"),
    ("[landlord]\nprior_belief = [0.5, 0.5, true, 0]", "landlord.prior_belief", "a list of 4 numbers"),
    ("[landlord]\nprior_belief = 0.5", "landlord.prior_belief", "a list of 4 numbers"),
    ('[policy]\nreach = "0.1"', "policy.reach", "a number in [0, 1]"),
    ('steps = "10"', "steps", "a whole number from 1 to 1000000"),
    ("steps = 10.0", "steps", "a whole number from 1 to 1000000"),
    ("steps = true", "steps", "a whole number from 1 to 1000000"),
    ("seed = 1.5", "seed", "a whole number from 0 to"),
    ("seed = false", "seed", "a whole number from 0 to"),
    ("name = 5", "name", "a string"),
    ("description = [1]", "description", "a string"),
])
def test_wrong_type(tmp_path, text, key, accepted):
    path = write(tmp_path, text + "\n")
    message = error_for(path)
    assert_message(message, path, key, accepted)
    assert "not accepted" in message


# -- values out of range -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "key", "accepted"), [
    ("[trust]\ngain_rate = 1.5", "trust.gain_rate", "[0, 1]"),
    ("[trust]\ngain_rate = -0.1", "trust.gain_rate", "[0, 1]"),
    ("[trust]\ngain_rate = nan", "trust.gain_rate", "[0, 1]"),
    ("[trust]\ngain_rate = inf", "trust.gain_rate", "[0, 1]"),
    ("[trust]\nloss_ratio = 0.5", "trust.loss_ratio", "[1, 20]"),
    ("[community]\nresidents = 1", "community.residents", "[2, 5e+07]"),
    ("[community]\nresidents = 100000000", "community.residents", "[2, 5e+07]"),
    ("[survey]\nspread = 0", "survey.spread", "[0.001, 1]"),
    ("[landlord]\nprior_belief = [0.5, 0.5, 2.0, 0]", "landlord.prior_belief", "[0, 1]"),
    ("[landlord]\nprior_belief = [0.5, 0.5, nan, 0]", "landlord.prior_belief", "[0, 1]"),
    ("[policy]\noutreach = 1.5", "policy.outreach", "[0, 1]"),
    ("[policy]\nfacilitation_cost = -1", "policy.facilitation_cost", "[0, 10000]"),
    ("steps = 0", "steps", "from 1 to"),
    ("steps = -5", "steps", "from 1 to"),
    ("seed = -1", "seed", "from 0 to"),
])
def test_out_of_range(tmp_path, text, key, accepted):
    path = write(tmp_path, text + "\n")
    message = error_for(path)
    assert_message(message, path, key, accepted)
    assert "not accepted" in message


def test_values_on_the_bounds_are_accepted(tmp_path):
    scenario = load(write(tmp_path, "[trust]\ngain_rate = 0.0\nloss_ratio = 20\n[community]\nresidents = 2\n"))
    assert scenario.params["trust"]["gain_rate"] == 0.0
    assert scenario.params["trust"]["loss_ratio"] == 20.0
    assert scenario.params["community"]["residents"] == 2


@pytest.mark.parametrize("text", [
    f"[community]\nresidents = {HUGE}",  # int parameter
    f"[trust]\ngain_rate = {HUGE}",  # float parameter
    f"[landlord]\nprior_belief = [{HUGE}, 0, 0, 0]",  # vector parameter
    f"[policy]\noutreach = {HUGE}",  # policy lever
    f"[[events]]\nstep = 1\ntype = \"funding_cut\"\nshare = {HUGE}",  # event key
], ids=["int", "float", "vector", "lever", "event"])
def test_huge_integer_is_out_of_range(tmp_path, text):
    path = write(tmp_path, text + "\n")
    assert "not accepted" in error_for(path)


@pytest.mark.parametrize("key", ["steps", "seed"])
def test_huge_steps_and_seed_are_out_of_range(tmp_path, key):
    # Bounded (steps up to a million months, seeds up to 2**63 - 1): a huge whole number is refused, not a crash.
    path = write(tmp_path, f"{key} = {HUGE}\n")
    assert_message(error_for(path), path, key, "from")


# -- policies -------------------------------------------------------------------------------


def test_unknown_policy_suggests_the_closest(tmp_path):
    path = write(tmp_path, '[policy]\nname = "co_prodution"\n')
    message = error_for(path)
    assert_message(message, path, "policy.name", *sorted(POLICIES))
    assert "'co_prodution'" in message
    assert "did you mean 'co_production'?" in message


@pytest.mark.parametrize("value", ["5", "true", '["co_design"]', '{name = "co_design"}', '""'])
def test_policy_name_of_the_wrong_kind(tmp_path, value):
    path = write(tmp_path, f"[policy]\nname = {value}\n")
    assert_message(error_for(path), path, "policy.name", *sorted(POLICIES))


def test_lever_out_of_range(tmp_path):
    path = write(tmp_path, '[policy]\nname = "consultation"\nreach = 2\n')
    assert_message(error_for(path), path, "policy.reach", "[0, 1]")


def test_explicit_levers_override_the_policy_defaults(tmp_path):
    scenario = load(write(tmp_path, '[policy]\nname = "consultation"\nacts_on_input = 0.9\n'))
    assert scenario.levers == policy_defaults("consultation") | {"acts_on_input": 0.9}


# -- events ------------------------------------------------------------------------------------


def event_file(tmp_path: Path, body: str, steps: int | None = None) -> Path:
    head = f"steps = {steps}\n" if steps is not None else ""
    return write(tmp_path, head + "[[events]]\n" + body + "\n")


def test_unknown_event_type_suggests_the_closest(tmp_path):
    path = event_file(tmp_path, 'step = 3\ntype = "funding_cuts"')
    message = error_for(path)
    assert_message(message, path, "events[0].type", *sorted(EVENT_TYPES))
    assert "did you mean 'funding_cut'?" in message


def test_missing_event_type(tmp_path):
    path = event_file(tmp_path, "step = 3")
    assert_message(error_for(path), path, "events[0].type", *sorted(EVENT_TYPES))


@pytest.mark.parametrize("value", ["5", "true"])
def test_event_type_of_the_wrong_kind(tmp_path, value):
    path = event_file(tmp_path, f"step = 3\ntype = {value}")
    assert_message(error_for(path), path, "events[0].type", *sorted(EVENT_TYPES))


@pytest.mark.parametrize("value", ['["funding_cut"]', '{name = "funding_cut"}'], ids=["list", "table"])
def test_event_type_that_is_a_list_or_table(tmp_path, value):
    path = event_file(tmp_path, f"step = 3\ntype = {value}")
    assert_message(error_for(path), path, "events[0].type", *sorted(EVENT_TYPES))


@pytest.mark.parametrize("step", [None, "0", "-1", "1.5", "true", '"3"', "[3]"])
def test_missing_or_bad_event_step(tmp_path, step):
    body = 'type = "hub_closure"' if step is None else f'step = {step}\ntype = "hub_closure"'
    path = event_file(tmp_path, body)
    assert_message(error_for(path), path, "events[0].step", ">= 1")


def test_event_after_the_last_step(tmp_path):
    path = event_file(tmp_path, 'step = 11\ntype = "hub_closure"', steps=10)
    message = error_for(path)
    assert_message(message, path, "events", "1 to 10")
    assert "11" in message


def test_event_on_the_last_step_is_accepted(tmp_path):
    scenario = load(event_file(tmp_path, 'step = 10\ntype = "hub_closure"', steps=10))
    assert scenario.events[0].step == 10


def test_events_are_numbered_in_messages(tmp_path):
    path = write(tmp_path, '[[events]]\nstep = 1\ntype = "hub_closure"\n[[events]]\nstep = 2\ntype = "nope"\n')
    assert_message(error_for(path), path, "events[1].type", "funding_cut")


def test_event_that_is_not_a_table(tmp_path):
    path = write(tmp_path, "events = [1]\n")
    assert_message(error_for(path), path, "events[0]", "[[events]]")


def test_unknown_event_key_suggests_the_closest(tmp_path):
    path = event_file(tmp_path, 'step = 3\ntype = "funding_cut"\nshares = 0.2')
    message = error_for(path)
    assert_message(message, path, "shares", "share")
    assert "events[0]" in message
    assert "did you mean 'share'?" in message


def test_event_value_out_of_range(tmp_path):
    path = event_file(tmp_path, 'step = 3\ntype = "funding_cut"\nshare = 1.5')
    message = error_for(path)
    assert_message(message, path, "share", "[0, 1]")
    assert "events[0]" in message


def test_event_value_of_the_wrong_type(tmp_path):
    path = event_file(tmp_path, 'step = 3\ntype = "safety_scandal"\nseverity = "big"')
    assert_message(error_for(path), path, "severity", "a number in [0, 1]")


def test_extra_key_on_an_event_without_keys_says_what_is_accepted(tmp_path):
    path = event_file(tmp_path, 'step = 3\ntype = "hub_closure"\ncapacity = 1')
    message = error_for(path)
    assert_message(message, path, "capacity")
    assert "(accepted: )" not in message


def test_event_values_take_defaults(tmp_path):
    scenario = load(event_file(tmp_path, 'step = 3\ntype = "hub_opening"\ncost = 9'))
    assert scenario.events[0].values == {"capacity": 0.05, "cost": 9.0}


def test_switch_policy_with_unknown_policy(tmp_path):
    path = event_file(tmp_path, 'step = 3\ntype = "switch_policy"\npolicy = "co_desgin"')
    message = error_for(path)
    assert_message(message, path, "events[0].policy", *sorted(POLICIES))
    assert "did you mean 'co_design'?" in message


@pytest.mark.parametrize("value", [None, "5", '["co_design"]'])
def test_switch_policy_with_missing_or_bad_policy(tmp_path, value):
    body = 'step = 3\ntype = "switch_policy"' + ("" if value is None else f"\npolicy = {value}")
    path = event_file(tmp_path, body)
    assert_message(error_for(path), path, "events[0].policy", *sorted(POLICIES))


def test_switch_policy_with_unknown_lever(tmp_path):
    path = event_file(tmp_path, 'step = 3\ntype = "switch_policy"\npolicy = "co_design"\nreech = 0.5')
    message = error_for(path)
    assert_message(message, path, "reech", *(p.name for p in LEVERS))
    assert "events[0]" in message
    assert "did you mean 'reach'?" in message


def test_switch_policy_with_lever_out_of_range(tmp_path):
    path = event_file(tmp_path, 'step = 3\ntype = "switch_policy"\npolicy = "co_design"\nreach = 5')
    message = error_for(path)
    assert_message(message, path, "reach", "[0, 1]")
    assert "events[0]" in message


def test_switch_policy_keeps_only_the_levers_given(tmp_path):
    scenario = load(event_file(tmp_path, 'step = 3\ntype = "switch_policy"\npolicy = "co_design"\nreach = 0.5\nstaff_contact = 1'))
    assert scenario.events[0].values == {"policy": "co_design", "reach": 0.5, "staff_contact": 1.0}


# -- overrides ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["trust.gain_rate", "trust__gain_rate"])
def test_override_a_parameter(key):
    scenario = default().with_overrides({key: 0.25})
    assert scenario.params["trust"]["gain_rate"] == 0.25
    assert scenario.params["trust"]["loss_ratio"] == SECTIONS_BY_NAME["trust"].get("loss_ratio").default


def test_override_a_lever():
    scenario = load(SCENARIO_DIR / "co_production.toml").with_overrides({"policy.outreach": 0.5})
    assert scenario.policy == "co_production"
    assert scenario.levers == policy_defaults("co_production") | {"outreach": 0.5}


def test_override_shorthands():
    scenario = default().with_overrides({"residents": 50, "policy": "co_design"})
    assert scenario.params["community"]["residents"] == 50
    assert scenario.policy == "co_design"
    assert scenario.levers == policy_defaults("co_design")


@pytest.mark.parametrize("key", ["steps", "seed", "name", "description"])
def test_override_top_level(key):
    value = {"steps": 7, "seed": 3, "name": "n", "description": "d"}[key]
    assert getattr(default().with_overrides({key: value}), key) == value


def test_override_policy_name_in_full():
    assert default().with_overrides({"policy.name": "consultation"}).policy == "consultation"
    assert default().with_overrides({"policy__name": "consultation"}).policy == "consultation"


def test_changing_policy_keeps_explicit_levers():
    base = load(SCENARIO_DIR / "co_production_no_outreach.toml")
    assert base.levers["outreach"] == 0.0
    switched = base.with_overrides({"policy": "co_design"})
    assert switched.policy == "co_design"
    assert switched.levers == policy_defaults("co_design") | {"outreach": 0.0}


def test_changing_policy_and_a_lever_together():
    switched = load(SCENARIO_DIR / "co_production.toml").with_overrides({"policy": "consultation", "policy.power_share": 0.2})
    assert switched.levers == policy_defaults("consultation") | {"power_share": 0.2}


def test_overrides_do_not_change_the_original():
    base = load(SCENARIO_DIR / "co_production.toml")
    raw = repr(base.raw)
    changed = base.with_overrides({"trust.gain_rate": 0.3, "policy": "consultation", "steps": 5})
    assert repr(base.raw) == raw
    assert base.params["trust"]["gain_rate"] == SECTIONS_BY_NAME["trust"].get("gain_rate").default
    assert (base.policy, base.steps) == ("co_production", 120)
    assert (changed.policy, changed.steps, changed.source) == ("consultation", 5, base.source)


def test_overrides_keep_the_rest_of_the_scenario():
    base = load(SCENARIO_DIR / "scandal_and_cuts.toml")
    changed = base.with_overrides({"trust.gain_rate": 0.3})
    assert changed.events == base.events
    assert changed.name == base.name
    assert changed.params["community"] == base.params["community"]


def test_override_with_a_bad_value_names_the_origin():
    with pytest.raises(UserError) as caught:
        default().with_overrides({"trust.gain_rate": 7}, where="--set")
    assert_message(str(caught.value), "--set", "trust.gain_rate", "[0, 1]")


def test_override_default_origin_is_named():
    with pytest.raises(UserError) as caught:
        default().with_overrides({"trust.gain_rate": "high"})
    assert_message(str(caught.value), "override", "trust.gain_rate", "a number")


@pytest.mark.parametrize(("key", "hint"), [
    ("trust.gain_rat", "gain_rate"),
    ("trust__gain_rat", "gain_rate"),
    ("trst.gain_rate", "trust"),
    ("stepz", "steps"),
])
def test_override_with_a_misspelt_key_suggests_the_closest(key, hint):
    with pytest.raises(UserError) as caught:
        default().with_overrides({key: 0.1}, where="--set")
    message = str(caught.value)
    assert message.startswith("--set: ")
    assert f"did you mean {hint!r}?" in message
    assert "(accepted: " in message


@pytest.mark.parametrize("key", ["trust", "events.step", "events__type", "nonsense", "", ".gain_rate"])
def test_override_that_is_not_a_setting(key):
    with pytest.raises(UserError) as caught:
        default().with_overrides({key: 1}, where="--set")
    assert_message(str(caught.value), "--set", None, "section.key")


def test_override_steps_before_an_event_allows_a_short_trial_run():
    # Shortening a scenario is not a mistake: events after the new last step simply never fire.
    base = load(SCENARIO_DIR / "scandal_and_cuts.toml")
    shorter = base.with_overrides({"steps": 10}, where="--steps")
    assert shorter.steps == 10
    assert [e.step for e in shorter.events] == [e.step for e in base.events]


def test_event_after_the_last_step_in_a_file_is_a_mistake(tmp_path):
    path = write(tmp_path, 'steps = 10\n[[events]]\nstep = 24\ntype = "funding_cut"\n')
    assert_message(error_for(path), path, "events", "1 to 10")


@pytest.mark.parametrize(("key", "value"), [("steps", 0), ("steps", "ten"), ("seed", -1), ("residents", 1), ("policy", "nope")])
def test_override_with_a_bad_top_level_or_shorthand_value(key, value):
    with pytest.raises(UserError) as caught:
        default().with_overrides({key: value}, where="--set")
    assert_message(str(caught.value), "--set", None)


# -- parse_assignment ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("trust.gain_rate=0.1", ("trust.gain_rate", 0.1)),
    ("community.residents=200", ("community.residents", 200)),
    ("x=-3", ("x", -3)),
    ("x=1e3", ("x", 1000.0)),
    ("services.hub_open=true", ("services.hub_open", True)),
    ("services.hub_open=false", ("services.hub_open", False)),
    ("policy=co_design", ("policy", "co_design")),
    ('policy="co_design"', ("policy", "co_design")),
    ("policy='co_design'", ("policy", "co_design")),
    ("landlord.prior_belief=[0.4, 0.2, 0.2, 0.2]", ("landlord.prior_belief", [0.4, 0.2, 0.2, 0.2])),
    ("x=[1, 2]", ("x", [1, 2])),
    (" trust.gain_rate = 0.2 ", ("trust.gain_rate", 0.2)),
    ("x=a=b", ("x", "a=b")),
    ("x=", ("x", "")),
    ("name=two words", ("name", "two words")),
    ("community.network_file=data/net.edges", ("community.network_file", "data/net.edges")),
])
def test_parse_assignment(text, expected):
    key, value = parse_assignment(text)
    assert (key, value) == expected
    assert type(value) is type(expected[1])


@pytest.mark.parametrize("text", ["nonsense", "=1", " =1", ""])
def test_parse_assignment_rejects_text_without_a_key(text):
    with pytest.raises(UserError) as caught:
        parse_assignment(text)
    assert_message(str(caught.value), "--set", None, "key=value")


def test_parse_assignment_names_the_origin():
    with pytest.raises(UserError) as caught:
        parse_assignment("oops", where="HousingModel arguments")
    assert str(caught.value).startswith("HousingModel arguments: ")


def test_parsed_assignments_apply_as_overrides():
    overrides = dict(parse_assignment(t) for t in ["trust.gain_rate=0.3", "services.hub_open=true", "policy=co_design", "landlord.prior_belief=[0.4, 0.2, 0.2, 0.2]"])
    scenario = default().with_overrides(overrides, where="--set")
    assert scenario.params["trust"]["gain_rate"] == 0.3
    assert scenario.params["services"]["hub_open"] is True
    assert scenario.params["landlord"]["prior_belief"] == (0.4, 0.2, 0.2, 0.2)
    assert scenario.policy == "co_design"


# -- network_file paths -------------------------------------------------------------------------------------


def test_relative_network_file_resolves_against_the_scenario_folder(tmp_path, monkeypatch):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "net.edges").write_text("a b\nb c\nc d\n")
    path = write(folder, '[community]\nnetwork_file = "net.edges"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    scenario = load(path)
    assert Path(scenario.params["community"]["network_file"]) == folder / "net.edges"
    assert Path(scenario.params["community"]["network_file"]).is_file()


def test_relative_network_file_resolves_against_a_relative_scenario_path(tmp_path, monkeypatch):
    folder = tmp_path / "study"
    folder.mkdir()
    write(folder, '[community]\nnetwork_file = "data/net.edges"\n')
    monkeypatch.chdir(tmp_path)
    scenario = load(Path("study") / "scenario.toml")
    assert Path(scenario.params["community"]["network_file"]) == Path("study") / "data" / "net.edges"


def test_relative_network_file_survives_overrides(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    path = write(folder, '[community]\nnetwork_file = "net.edges"\n')
    scenario = load(path).with_overrides({"trust.gain_rate": 0.2})
    assert Path(scenario.params["community"]["network_file"]) == folder / "net.edges"


def test_absolute_network_file_is_kept(tmp_path):
    target = tmp_path / "abs" / "net.edges"
    path = write(tmp_path, f'[community]\nnetwork_file = "{target.as_posix()}"\n')
    assert Path(load(path).params["community"]["network_file"]) == target


def test_empty_network_file_means_generate():
    assert load(SCENARIO_DIR / "co_production.toml").params["community"]["network_file"] == ""


def test_network_file_in_a_default_scenario_is_left_as_given():
    scenario = build({"community": {"network_file": "net.edges"}}, "<defaults>", None)
    assert scenario.params["community"]["network_file"] == "net.edges"


# -- the status quo (burn-in) ---------------------------------------------------------------------


def test_the_default_status_quo_is_120_months_of_paternalism(tmp_path):
    scenario = load(write(tmp_path, ""))
    assert (scenario.status_quo, scenario.burn_in) == ("paternalistic", 120)
    assert scenario.status_quo_levers == policy_defaults("paternalistic")


def test_a_status_quo_takes_a_policy_its_levers_and_months(tmp_path):
    scenario = load(write(tmp_path, '[policy]\nname = "co_production"\n[status_quo]\npolicy = "consultation"\nreach = 0.05\nmonths = 24\n'))
    assert (scenario.policy, scenario.status_quo, scenario.burn_in) == ("co_production", "consultation", 24)
    assert scenario.status_quo_levers == {**policy_defaults("consultation"), "reach": 0.05}


def test_own_status_quo_follows_the_scenarios_policy_and_its_overrides(tmp_path):
    scenario = load(write(tmp_path, '[policy]\nname = "consultation"\nreach = 0.05\n[status_quo]\npolicy = "own"\n'))
    assert (scenario.status_quo, scenario.status_quo_levers) == ("consultation", scenario.levers)
    changed = scenario.with_overrides({"policy.reach": 0.07})
    assert changed.status_quo_levers["reach"] == 0.07


@pytest.mark.parametrize(("table", "key", "accepted"), [
    ('months = -1', "status_quo.months", "a whole number of months from 0 to"),
    ('months = 1.5', "status_quo.months", "a whole number of months from 0 to"),
    ('policy = "co_prodution"', "status_quo.policy", "co_production"),
    ('reech = 0.1', "status_quo.reech", "reach"),
    ('policy = "own"\nreach = 0.1', "status_quo.reach", "the levers come from [policy]"),
])
def test_a_bad_status_quo_names_the_key_and_what_is_accepted(tmp_path, table, key, accepted):
    path = write(tmp_path, f"[status_quo]\n{table}\n")
    message = error_for(path)
    assert str(path) in message and key in message and accepted in message and "\n" not in message


def test_the_resolved_scenario_records_its_status_quo():
    recorded = default().to_dict()["status_quo"]
    assert recorded["policy"] == "paternalistic" and recorded["months"] == 120
