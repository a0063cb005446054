"""Fuzzing every way a user hands the model input: scenario files, experiment files and ``--set`` values.

Whatever the input, the checking entry points (``sim.scenario.load``,
``sim.batch.experiment.load``, ``sim.scenario.parse_assignment`` with
``Scenario.with_overrides``, and ``sim.calibration.spec.load``) either succeed or raise ``UserError`` with a
one-line message of bounded length (echoed keys and values are cut, issue 16
item 8); never any other exception. A last test runs ``python run.py check``
on a few bad files as a user would: exit 2, one line on stderr, no traceback.
SHS_FUZZ_EXAMPLES=5000 tries more inputs than the 200 per property the suite tries.

tests/test_scenario_fuzz.py fuzzes the scenario loader in depth (bytes,
random TOML documents, valid values round-tripping); this file adds
TOML-ish text built from the real vocabulary, very long keys and values,
experiment files and the command line.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sim import scenario as scenarios
from sim.batch import experiment as experiments
from sim.calibration import landlords as landlords_table
from sim.calibration import spec as calibration_spec
from sim.catalogue import SECTIONS
from sim.errors import UserError
from sim.events import EVENT_TYPES
from sim.parameters import suggest
from sim.policies import LEVERS, POLICIES
from tests.test_scenario_fuzz import VALUES, dumps

ROOT = Path(__file__).resolve().parents[1]
FUZZ = settings(max_examples=int(os.environ.get("SHS_FUZZ_EXAMPLES", "200")), deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
MAX_MESSAGE = 2000
"""No message is longer than this: the longest lists of what is accepted are a few hundred characters; echoed input is cut."""

LONG = "k" * 100_000

SECTION_NAMES = [section.name for section in SECTIONS]
PARAMETERS = [f"{section.name}.{p.name}" for section in SECTIONS for p in section.params]
LEVER_KEYS = [f"policy.{p.name}" for p in LEVERS]
SCENARIO_TOP = ["name", "description", "steps", "seed"]
WORDS = sorted({*SECTION_NAMES, *PARAMETERS, *LEVER_KEYS, *SCENARIO_TOP, *experiments.TOP_LEVEL, *experiments.RANGE_KEYS,
                *POLICIES, *EVENT_TYPES, *scenarios.shipped(), "events", "status_quo", "policy", "step", "type", "months", "own"})

# Keys: real ones, near misses, random text, and very long ones.
KEYS = st.sampled_from(WORDS) | st.text(max_size=10) | st.sampled_from(WORDS).map(lambda k: k + "x") | st.integers(1000, 20_000).map(lambda n: "k" * n)
# Values: everything TOML can hold (tests/test_scenario_fuzz.py), plus long strings and deep lists.
def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


BIG_VALUES = VALUES | st.integers(1000, 20_000).map(lambda n: "v" * n) | st.integers(10, 60).map(nested)


def user_error_or_success(call: Any, *args: Any) -> Any:
    """``call(*args)``; a UserError's message must be one bounded line. Any other exception propagates and fails the test."""
    try:
        return call(*args)
    except UserError as error:
        message = str(error)
        assert message, "an empty message"
        assert "\n" not in message and "\r" not in message, message[:500]
        assert len(message) <= MAX_MESSAGE, f"{len(message)} characters: {message[:300]}..."
        return None


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz_input")


# -- TOML-ish text -------------------------------------------------------------------------------------

FRAGMENTS = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(["[", "]", "[[", "]]", "=", " = ", "\n", '"', "'", ".", ",", "{", "}", "#", "\ufeff", "-", "0", "1e3", "nan", "inf",
                     "true", "[[events]]\n", "[policy]\n", "[community]\n", "[levers]\n", "[constants]\n", "[sampling]\n", "step = 1\n",
                     'type = "funding_cut"\n', 'scenarios = ["co_production"]\n', "seeds = 3\n", "{ low = 0, high = 1 }"]),
    st.sampled_from(SECTION_NAMES).map(lambda s: f"[{s}]\n"),
    st.sampled_from(PARAMETERS + LEVER_KEYS).map(lambda k: f"{k} = "),
    st.text(max_size=8),
    st.integers(1000, 20_000).map(lambda n: "k" * n),
)
TOMLISH = st.lists(FRAGMENTS, max_size=30).map("".join)


@FUZZ
@given(text=TOMLISH)
@example(text="[" * 2000 + "]" * 2000)
@example(text=f"{LONG} = 1\n")
@example(text=f"[community]\n{LONG} = 1\n")
@example(text=f'[policy]\nname = "{LONG}"\n')
@example(text=f'[community]\nnetwork_file = "{"a" * 5000}"\n')
@example(text=f'scenarios = ["{"a" * 5000}"]\n')
@example(text=f'scenarios = ["co_production"]\n[levers]\n{LONG} = [1, 2]\n')
@example(text='scenarios = ["co_production"]\n[levers]\npolicy.outreach = { low = 0, high = 1, ' + "k" * 5000 + " = 2 }\n")
@example(text="\ufeffsteps = 12\n")
def test_tomlish_text_gives_a_result_or_one_line(folder, text):
    path = folder / "tomlish.toml"
    path.write_text(text, encoding="utf-8")
    user_error_or_success(scenarios.load, path)
    user_error_or_success(experiments.load, path)


# -- random values for real scenario keys --------------------------------------------------------------------


@st.composite
def scenario_documents(draw) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(SCENARIO_TOP), max_size=2, unique=True)):
        doc[key] = draw(BIG_VALUES)
    for name in draw(st.lists(st.sampled_from(PARAMETERS + LEVER_KEYS + ["policy.name", "status_quo.policy", "status_quo.months"]), min_size=1, max_size=4, unique=True)):
        section, _, key = name.partition(".")
        doc.setdefault(section, {})[key] = draw(BIG_VALUES)
    if draw(st.booleans()):
        doc.setdefault("community", {})[draw(KEYS)] = draw(BIG_VALUES)
    if draw(st.booleans()):
        doc["events"] = [{"step": draw(st.integers(-1, 200) | BIG_VALUES), "type": draw(st.sampled_from(sorted(EVENT_TYPES)) | BIG_VALUES), draw(KEYS): draw(BIG_VALUES)}]
    return doc


@FUZZ
@given(doc=scenario_documents())
def test_random_values_for_real_scenario_keys_give_a_result_or_one_line(folder, doc):
    path = folder / "values.toml"
    path.write_text(dumps(doc), encoding="utf-8")
    user_error_or_success(scenarios.load, path)


# -- experiment files -------------------------------------------------------------------------------------------

SCENARIO_NAMES = st.sampled_from(scenarios.shipped()) | st.text(max_size=12) | st.integers(1000, 6000).map(lambda n: "a" * n) | st.just("scenarios/co_production.toml")
FACTOR_SPECS = (
    st.lists(BIG_VALUES, max_size=4)
    | st.fixed_dictionaries({}, optional={"low": BIG_VALUES, "high": BIG_VALUES, "levels": st.integers(-2, 20) | BIG_VALUES})
    | st.builds(lambda lo, span, levels: {"low": lo, "high": lo + span, "levels": levels}, st.floats(0, 0.5), st.floats(0.01, 0.5), st.integers(2, 5))
    | BIG_VALUES
)
FACTOR_KEYS = st.sampled_from(PARAMETERS + LEVER_KEYS + ["residents", "policy", "community.residents"]) | KEYS


@st.composite
def experiment_documents(draw) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if draw(st.integers(0, 9)):  # mostly present, so that checking goes past it
        doc["scenarios"] = draw(st.lists(SCENARIO_NAMES, min_size=1, max_size=3) | BIG_VALUES)
    for key in draw(st.lists(st.sampled_from(["name", "description", "baseline", "seeds", "steps", "outcomes"]), max_size=3, unique=True)):
        likely = {"seeds": st.integers(-1, 12) | st.lists(st.integers(-1, 20), max_size=4), "steps": st.integers(-1, 200),
                  "baseline": SCENARIO_NAMES, "outcomes": st.lists(st.sampled_from(["trust_landlord", "cost", "equity_gap"]) | KEYS, max_size=3)}.get(key, BIG_VALUES)
        doc[key] = draw(likely | BIG_VALUES)
    for group in draw(st.lists(st.sampled_from(list(experiments.GROUPS)), max_size=3, unique=True)):
        doc[group] = draw(st.dictionaries(FACTOR_KEYS, FACTOR_SPECS, max_size=3) | BIG_VALUES)
    if draw(st.booleans()):
        doc["sampling"] = draw(st.fixed_dictionaries({}, optional={"method": st.sampled_from(list(experiments.METHODS)) | BIG_VALUES,
                                                                    "samples": st.integers(-1, 40) | BIG_VALUES, "seed": st.integers(-1, 9) | BIG_VALUES,
                                                                    "pairing": st.sampled_from(list(experiments.PAIRINGS)) | BIG_VALUES}) | BIG_VALUES)
    if draw(st.booleans()):
        doc["sensitivity"] = draw(st.dictionaries(st.sampled_from(["trajectories", "levels", "samples", "contrast"]) | KEYS, BIG_VALUES, max_size=3) | BIG_VALUES)
    if draw(st.booleans()):
        doc[draw(KEYS)] = draw(BIG_VALUES)
    return doc


@FUZZ
@given(doc=experiment_documents(), headers=st.booleans())
@example(doc={"scenarios": ["co_production"], "levers": {"residents": [50, 60], "community": {"residents": [70, 80]}}}, headers=True)
@example(doc={"scenarios": ["a" * 5000]}, headers=True)
@example(doc={"scenarios": ["a" * 5000 + ".toml"]}, headers=True)
@example(doc={"scenarios": ["co_production"], "constants": {LONG: 1}}, headers=True)
def test_experiment_files_give_a_result_or_one_line(folder, doc, headers):
    path = folder / "experiment.toml"
    path.write_text(dumps(doc, headers), encoding="utf-8")
    user_error_or_success(experiments.load, path)


# -- calibration files (checked by the same rules): the shipped one with random values in place ------------------------------

CALIBRATION = tomllib.loads((ROOT / "experiments" / "calibration.toml").read_text(encoding="utf-8"))
CALIBRATION["calibration"]["figures"] = str(ROOT / "experiments" / "data" / "uk_targets.csv")
CALIBRATION_PLACES = [("calibration", key) for key in CALIBRATION["calibration"]] + [("landlords", key) for key in CALIBRATION["landlords"]] + [
    ("calibration", "targets", key) for key in CALIBRATION["calibration"]["targets"]] + [(group,) for group in ("levers", "uncertainties", "constants", "sampling")]


@FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(CALIBRATION_PLACES), st.booleans(), BIG_VALUES | st.dictionaries(KEYS, BIG_VALUES, max_size=2)), min_size=1, max_size=3))
@example(changes=[(("calibration", "targets", "tsm_satisfied"), False, {"measure": ["a list"]})])
@example(changes=[(("calibration", "adjust"), False, "v" * 1864)])  # a long unaccepted choice is shown shortened
@example(changes=[(("landlords", "percentiles"), False, {"tsm_reported_satisfied": [0.5, 0.6, 0.7], "tsm_reported_listens": [0.4, 0.7]})])
def test_calibration_files_give_a_result_or_one_line(folder, changes):
    doc = copy.deepcopy(CALIBRATION)
    for place, new_key, value in changes:
        table = doc
        for part in place[:-1]:
            table = table.setdefault(part, {}) if isinstance(table, dict) else {}
        if isinstance(table, dict):
            table["k" * 3000 if new_key else place[-1]] = value
    doc["calibration"]["scenario_out"] = str(folder / "calibrated.toml")
    path = folder / "calibration.toml"
    path.write_text(dumps(doc), encoding="utf-8")
    user_error_or_success(_calibration_checks, path)


def _calibration_checks(path: Path) -> None:
    """What `python run.py calibrate` checks before it runs anything: the file, and its [landlords] table."""
    cal = calibration_spec.load(path)
    if cal.landlords:
        landlords_table.settings(cal.landlords, cal.source.parent, str(cal.source))


# -- --set values ---------------------------------------------------------------------------------------------------

SET_KEYS = st.sampled_from(PARAMETERS + LEVER_KEYS + ["residents", "policy", "steps", "seed", "name", "events", "events.step", "status_quo.policy"]) | KEYS
SET_VALUES = (
    st.sampled_from(["[]", "{}", "1e3", "1e999", "-0", "nan", "true", '"x"', "[1, [2]]", "{a = 1}", "co_design", "'", '"', "[", "9" * 5000, "[" * 3000])
    | st.text(max_size=20)
    | st.integers(1000, 20_000).map(lambda n: "v" * n)
)
BASES = [scenarios.default(), scenarios.load("co_production"), scenarios.load("consultation_then_co_production")]


@FUZZ
@given(key=SET_KEYS, value=SET_VALUES, base=st.sampled_from(range(len(BASES))))
@example(key="events", value="[]", base=0)
@example(key=LONG, value="1", base=0)
@example(key="community.network_file", value="a" * 5000, base=0)
@example(key="name", value="a" * 5000, base=0)
def test_set_values_give_a_result_or_one_line(key, value, base):
    parsed = user_error_or_success(scenarios.parse_assignment, f"{key}={value}")
    if parsed is not None:
        name, read = parsed
        user_error_or_success(BASES[base].with_overrides, {name: read}, "--set")


def test_a_did_you_mean_never_suggests_the_name_given():
    with pytest.raises(UserError) as caught:
        scenarios.default().with_overrides({"events": []}, "--set")
    message = str(caught.value)
    assert "did you mean 'events'" not in message and "[[events]] tables" in message and "(accepted: section.key" in message, message
    assert suggest("steps", ["steps", "seed"]) == "" and suggest("stepz", ["steps", "seed"]) == " (did you mean 'steps'?)"


# -- the command line, as a user runs it ----------------------------------------------------------------------------------

BAD_FILES = {
    "deep.toml": "x = " + "[" * 2000 + "]" * 2000 + "\n",
    "long_key.toml": f"[community]\n{'k' * 1_000_000} = 1\n",
    "long_network_file.toml": f'[community]\nnetwork_file = "{"a" * 5000}"\nresidents = 1e999\n',
    "huge_integer.toml": f"[trust]\ngain_rate = {10 ** 400}\n",
    "bad_event.toml": '[[events]]\nstep = 1\ntype = ["funding_cut"]\n',
    "not_toml.toml": "[policy\nname = \x01\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_check_refuses_a_bad_file_in_one_line(tmp_path, name):
    path = tmp_path / name
    path.write_text(BAD_FILES[name], encoding="utf-8")
    result = subprocess.run([sys.executable, "run.py", "check", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), result.stderr[:2000]
    assert len(lines[0]) <= MAX_MESSAGE + 10, lines[0][:300]
