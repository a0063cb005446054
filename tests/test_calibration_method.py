"""The calibration's parts in isolation: targets and distance, ABC rejection, the TOML writer, calibration files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from sim.calibration import abc, spec
from sim.calibration.targets import Figure, Target, as_share, distance
from sim.calibration.toml_out import dumps
from sim.errors import UserError

ROOT = Path(__file__).resolve().parents[1]


def target(column: str, value: float, tolerance: float) -> Target:
    return Target(column, column, value, tolerance, Figure(column, str(value), "share", "", "", ""))


def test_distance_is_the_rms_miss_in_tolerances():
    targets = [target("a", 0.5, 0.1), target("b", 0.2, 0.05)]
    got = distance(np.array([[0.5, 0.2], [0.6, 0.1], [0.4, 0.25]]), targets)
    # Misses in tolerances: (0, 0); (1, -2); (-1, 1).
    assert got == pytest.approx([0.0, np.sqrt((1 + 4) / 2), 1.0])


def test_percent_figures_become_shares_and_words_are_not_numbers():
    assert as_share(Figure("m", "71.3", "percent (median of landlords)", "", "", "")) == pytest.approx(0.713)
    assert as_share(Figure("m", "11.3", "years", "", "", "")) == pytest.approx(11.3)
    assert as_share(Figure("m", "just over half", "share", "", "", "")) is None


def test_rejection_keeps_the_closest_share_best_first():
    d = np.array([0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 1.0])
    assert abc.accepted(d, 0.3).tolist() == [1, 5, 3]
    assert abc.accepted(d, 0.0001).tolist() == [1]  # always at least one


def test_next_box_spans_the_accepted_points_padded_within_the_prior():
    prior = abc.Box(np.array([0.0, 0.0]), np.array([1.0, 10.0]))
    box = abc.next_box(np.array([[0.02, 4.0], [0.3, 6.0]]), prior)
    assert box.low == pytest.approx([0.0, 3.5])  # 0.02 - 0.05 is cut at the prior's 0
    assert box.high == pytest.approx([0.35, 6.5])


def test_abc_pins_down_an_identified_parameter_and_not_an_irrelevant_one():
    # A toy model: the figure depends on x only; y does nothing. Rejection must
    # narrow x around the truth and leave y spread over its prior.
    rng = np.random.default_rng(0)
    values = rng.random((2000, 2))
    simulated = values[:, :1] * 2.0  # figure = 2x, target 0.8, so x = 0.4
    d = distance(simulated, [target("f", 0.8, 0.05)])
    kept = abc.accepted(d, 0.05)
    x, y = abc.marginals(values[kept], abc.Box(np.zeros(2), np.ones(2)))
    assert x.pinned and abs(x.median - 0.4) < 0.02
    assert not y.pinned and y.width_ratio > 0.8


def test_toml_writer_round_trips_scenario_and_experiment_shapes():
    data = {
        "name": "A \"quoted\" name", "description": "Two\nlines\n", "steps": 120, "seeds": [1, 2],
        "community": {"residents": 500}, "policy": {"name": "consultation", "reach": 0.05, "flag": True},
        "uncertainties": {"policy.reach": {"low": 0.0, "high": 0.1}},
        "events": [{"step": 3, "type": "funding_cut", "share": 0.2}],
    }
    back = tomllib.loads(dumps(data, "a header\nof two lines"))
    assert back["uncertainties"] == {"policy": {"reach": {"low": 0.0, "high": 0.1}}}  # a dotted key, as experiment files write it
    back["uncertainties"] = data["uncertainties"]
    assert back == data


def test_the_shipped_calibration_file_is_valid():
    cal = spec.load(ROOT / "experiments" / "calibration.toml")
    assert [t.column for t in cal.targets][:6] == ["tsm_satisfied", "tsm_dissatisfied", "tsm_listens", "tsm_informed", "tsm_respect", "tsm_complaints"]
    assert all(t.calibrated for t in cal.targets) and not any(t.calibrated for t in cal.validation)
    assert cal.targets[0].value == pytest.approx(0.713)


@pytest.mark.parametrize(("change", "message"), [
    (("tsm_satisfied = { measure", "tsm_satisfy = { measure"), r"calibration.targets.tsm_satisfy: not an outcome column \(did you mean 'tsm_satisfied'\?\)"),
    (('measure = "tsm_tp06_listens_and_acts"', 'measure = "tp06"'), r"calibration.targets.tsm_listens.measure: 'tp06' is not in .*uk_targets.csv"),
    (('value = 0.52, ', ''), r"employment_rate.value: the figure for working_age_in_work is 'just over half', not a number"),
    (("accept = 0.1 ", "accept = 2 "), r"calibration.accept: 2 is not accepted \(accepted: a share in \(0, 1\]\)"),
    (('method = "latin"', 'method = "grid"'), r"sampling.method: \"grid\" is not accepted for a calibration"),
])
def test_mistakes_in_a_calibration_file_name_the_key(tmp_path, change, message):
    text = (ROOT / "experiments" / "calibration.toml").read_text()
    assert change[0] in text
    text = text.replace(change[0], change[1]).replace('"data/uk_targets.csv"', f'"{ROOT / "experiments" / "data" / "uk_targets.csv"}"')
    text = text.replace('scenarios = ["england_status_quo"]', f'scenarios = ["{ROOT / "scenarios" / "england_status_quo.toml"}"]')
    path = tmp_path / "cal.toml"
    path.write_text(text)
    with pytest.raises(UserError, match=message):
        spec.load(path)


def test_local_identifiability_sees_what_moves_the_figures(monkeypatch):
    # A toy linear model: the first figure follows x, the second follows x + y; z does nothing.
    from sim.calibration import identifiability

    cal = spec.load(ROOT / "experiments" / "calibration.toml")
    n = len(cal.experiment.factors)
    prior = abc.Box(np.zeros(n), np.ones(n))
    response = np.zeros((len(cal.targets), n))
    response[0, 0] = 1.0
    response[1, 0] = response[1, 1] = 1.0
    response[2:, 3:] = np.eye(len(cal.targets) - 2, n - 3)  # the other figures each see one of the remaining parameters
    monkeypatch.setattr(identifiability, "simulate", lambda cal, values, seeds, pool=None: response @ values)
    got = identifiability.table(cal, np.full(n, 0.5), prior).set_index("parameter")
    names = [f.name for f in cal.experiment.factors]
    assert got.loc[names[0], "pinned_down"] and got.loc[names[1], "pinned_down"]
    assert got.loc[names[0], "moves_most"] == cal.targets[0].column
    assert not got.loc[names[2], "pinned_down"]  # nothing responds to it


def test_landlords_can_only_differ_in_numeric_parameters(tmp_path):
    from sim.calibration import landlords

    table = {"percentiles": {"tsm_satisfied": [0.578, 0.835]}, "differences": {"policy": {"name": 1.0}}}
    with pytest.raises(UserError, match=r"landlords.differences.policy.name: landlords can only differ in a numeric parameter"):
        landlords.settings(table, tmp_path, "cal.toml")
