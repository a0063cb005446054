"""The calibration's parts in isolation: targets and distance, the TOML writer, calibration files, reading the posterior."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from sim.calibration import identifiability, predictive, spec
from sim.calibration.posterior import Posterior
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
    assert cal.adjust == "linear"


@pytest.mark.parametrize(("change", "message"), [
    (("tsm_satisfied = { measure", "tsm_satisfy = { measure"), r"calibration.targets.tsm_satisfy: not an outcome column \(did you mean 'tsm_satisfied'\?\)"),
    (('measure = "tsm_tp06_listens_and_acts"', 'measure = "tp06"'), r"calibration.targets.tsm_listens.measure: 'tp06' is not in .*uk_targets.csv"),
    (('value = 0.52, ', ''), r"employment_rate.value: the figure for working_age_in_work is 'just over half', not a number"),
    (("population = 200 ", "population = 2 "), r"calibration.population: 2 is not accepted \(accepted: a whole number from 10 to 100000\)"),
    (("max_simulations = 8000 ", "max_simulations = 50 "), r"calibration.max_simulations: 50 is not accepted \(accepted: a whole number from the population \(200\) up\)"),
    (("kernel_scale = 2.0 ", "kernel_scale = 0 "), r"calibration.kernel_scale: 0 is not accepted \(accepted: a number from 0.1 to 10"),
    (('adjust = "linear"', 'adjust = "loclinear"'), r"calibration.adjust: 'loclinear' is not accepted \(accepted: 'none', 'linear', 'neural'\)"),
    (("population = 200 ", "population = 11 "), r"calibration.population: 11 parameter sets cannot carry a regression adjustment on 9 targets \(accepted: a population of at least 12"),
    (("population = 200 ", "accept = 0.1 "), r"calibration.accept: no longer used: the calibration is ABC-SMC"),
    (("[calibration]\n", '[sampling]\nmethod = "latin"\nsamples = 8\n\n[calibration]\n'), r"sampling: not used in a calibration file"),
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


def toy_posterior(draws: np.ndarray, weights: np.ndarray | None = None) -> Posterior:
    k = draws.shape[1]
    weights = np.full(len(draws), 1.0 / len(draws)) if weights is None else weights
    return Posterior(tuple(f"p{j}" for j in range(k)), ((0.0, 1.0),) * k, draws, weights, (("f", 0.5, 0.1),), (None,), (len(draws),), 1, len(draws), "0")


def test_the_posterior_says_which_parameters_the_figures_constrain_and_which_trade_off():
    rng = np.random.default_rng(0)
    n = 4000
    x = np.clip(0.4 + 0.03 * rng.standard_normal(n), 0, 1)  # pinned down
    y = rng.random(n)  # untouched: its prior
    z = rng.random(n)
    w = np.clip(1.0 - z + 0.05 * rng.standard_normal(n), 0, 1)  # z + w pinned, each alone free: a ridge
    got = identifiability.table(toy_posterior(np.column_stack([x, y, z, w]))).set_index("parameter")
    assert got.loc["p0", "constrained"] == "yes" and got.loc["p0", "posterior_median"] == pytest.approx(0.4, abs=0.01)
    assert got.loc["p1", "constrained"] == "no" and got.loc["p1", "share_of_prior"] == pytest.approx(0.9, abs=0.03)
    assert got.loc["p2", "constrained"] == "no" and got.loc["p2", "trades_off_with"].startswith("p3 (-")
    assert got.loc["p1", "trades_off_with"] == ""


def test_weights_count_in_the_posterior_reading():
    # Two clusters; the weights put almost everything on the one near 0.8.
    draws = np.array([[0.1]] * 50 + [[0.8]] * 50)
    weights = np.array([0.0002] * 50 + [0.0198] * 50)
    got = identifiability.table(toy_posterior(draws, weights))
    assert got.loc[0, "posterior_median"] == pytest.approx(0.8)


def test_predictive_draws_follow_the_weights_and_are_reproducible():
    draws = np.arange(10, dtype=float)[:, None] / 10
    weights = np.array([0.5, 0.5] + [0.0] * 8)
    values, counts = predictive.draws(toy_posterior(draws, weights), 40, seed=3)
    assert values[:, 0].tolist() == [0.0, 0.1] and counts.tolist() == [20, 20]  # systematic resampling: exact shares
    again = predictive.draws(toy_posterior(draws, weights), 40, seed=3)
    assert np.array_equal(again[0], values) and np.array_equal(again[1], counts)


def test_landlords_can_only_differ_in_numeric_parameters(tmp_path):
    from sim.calibration import landlords

    table = {"percentiles": {"tsm_satisfied": [0.578, 0.835]}, "differences": {"policy": {"name": 1.0}}}
    with pytest.raises(UserError, match=r"landlords.differences.policy.name: landlords can only differ in a numeric parameter"):
        landlords.settings(table, tmp_path, "cal.toml")


def test_landlords_whose_sizes_round_alike_stay_distinct_and_close():
    from sim.calibration import landlords

    sizes = landlords.scaled_sizes((1105, 1114, 1108, 865, 94_911, 100, 120), 10)
    # Sorted; 100 and 120 homes at the floor of 20 households, kept one apart; 1,105, 1,108 and 1,114 homes round to 110, 111
    # and 111, kept one apart; 865 to 86 (round half to even).
    assert sizes == (20, 21, 86, 110, 111, 112, 9491)


def test_landlords_percentiles_may_carry_medians_which_then_place_the_centre_too(tmp_path):
    from sim.calibration import landlords

    differences = {"landlord": {"respect": 0.1}}
    pairs = landlords.settings({"percentiles": {"tsm_satisfied": [0.578, 0.835]}, "differences": differences}, tmp_path, "cal.toml")
    assert pairs.percentiles == {"tsm_satisfied": (0.578, 0.835)} and pairs.medians is None
    triples = landlords.settings({"percentiles": {"tsm_satisfied": [0.578, 0.713, 0.835]}, "differences": differences}, tmp_path, "cal.toml")
    assert triples.percentiles == {"tsm_satisfied": (0.578, 0.835)} and triples.medians == {"tsm_satisfied": 0.713}
    for bad in ({"tsm_satisfied": [0.578, 0.9, 0.835]},  # not rising
                {"tsm_satisfied": [0.578, 0.713, 0.835], "tsm_listens": [0.456, 0.735]}):  # forms mixed
        with pytest.raises(UserError, match=r"cal.toml: landlords.percentiles.tsm_\w+: .* is not accepted \(accepted: \[p10, p90\] or \[p10, median, p90\]"):
            landlords.settings({"percentiles": bad, "differences": differences}, tmp_path, "cal.toml")


def test_a_landlord_population_moved_and_shrunk_stays_in_the_valid_range_and_keeps_a_fixed_move(tmp_path):
    from sim.calibration import landlords

    root = Path(__file__).resolve().parents[1]
    population = landlords.settings({"percentiles": {"tsm_satisfied": [0.578, 0.713, 0.835]}, "count": 10, "residents": 50,
                                     "differences": {"landlord": {"respect": 0.2, "budget": 10.0}}}, tmp_path, "cal.toml")
    scenario = root / "scenarios" / "england_baseline.toml"
    respect = landlords._value(landlords.scenarios.load(scenario), "landlord.respect")  # 0.86: its largest range is cut at 1
    budget = landlords._value(landlords.scenarios.load(scenario), "landlord.budget")
    data = landlords.experiment_data(population, scenario, {"landlord.respect": 0.5, "landlord.budget": 0.0}, 12,
                                     {"landlord.respect": 0.5, "landlord.budget": -0.4})
    assert data["uncertainties"]["landlord.respect"] == {"low": round(respect, 4), "high": 1.0}  # 0.86 + (0.5 +/- 0.5) * 0.2, cut at 1
    assert data["constants"]["landlord.budget"] == round(budget - 4.0, 4)  # no width left: every landlord at the moved centre
    assert "moved by landlord.respect +0.1, landlord.budget -4" in data["description"]
    assert landlords.probe_range("landlord.respect", respect, 0.2) == pytest.approx((-1.0, (1.0 - respect) / 0.2))


def test_the_shipped_landlord_percentiles_are_the_national_items_file():
    """[landlords.percentiles] is typed into the calibration file: each column's p10, median and p90 are its TSM item's."""
    import csv

    from sim.calibration import landlords, spec

    root = Path(__file__).resolve().parents[1]
    cal = spec.load(root / "experiments" / "calibration.toml")
    population = landlords.settings(cal.landlords, cal.source.parent, str(cal.source))
    with (root / "experiments" / "data" / "tsm_2023_24_items.csv").open(newline="", encoding="utf-8") as handle:
        items = {row["item"].lower(): row for row in csv.DictReader(handle)}
    measures = {t.column: t.measure for t in [*cal.targets, *cal.validation]}
    assert population.medians is not None
    for column, (p10, p90) in population.percentiles.items():
        item = items[measures["tsm_" + column.removeprefix("tsm_reported_")].split("_")[1]]
        assert (p10, population.medians[column], p90) == pytest.approx([float(item[k]) / 100 for k in ("p10", "median", "p90")], abs=1e-9), column
