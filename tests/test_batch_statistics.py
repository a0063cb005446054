"""Statistics on data with a known answer: means and t intervals, paired differences, d_z, returns on spending."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.batch import statistics


def test_mean_and_interval_of_one_to_five():
    found = statistics.describe([1, 2, 3, 4, 5])
    assert found["n"] == 5
    assert found["mean"] == 3
    assert found["sd"] == pytest.approx(math.sqrt(2.5))
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)  # t(0.975, 4) * s / sqrt(n)
    assert found["ci_low"] == pytest.approx(3 - half)
    assert found["ci_high"] == pytest.approx(3 + half)


def test_interval_agrees_with_scipy():
    x = np.random.default_rng(3).normal(0.4, 0.05, size=17)
    found = statistics.describe(x)
    expected = stats.ttest_1samp(x, 0).confidence_interval(0.95)
    assert found["ci_low"] == pytest.approx(expected.low)
    assert found["ci_high"] == pytest.approx(expected.high)


def test_one_seed_has_no_interval():
    found = statistics.describe([0.5])
    assert found["mean"] == 0.5
    assert math.isnan(found["ci_low"]) and math.isnan(found["sd"])
    assert math.isnan(statistics.cohens_dz(np.array([0.2])))


def finals_with_known_differences(n: int = 12) -> pd.DataFrame:
    """Two scenarios on n seeds: b = a + 0.1 + a small seed-specific term; the seed effect is shared (common random numbers)."""
    rng = np.random.default_rng(11)
    seed_effect = rng.normal(0, 0.2, size=n)  # large: what pairing removes
    extra = rng.normal(0, 0.01, size=n)
    a = 0.5 + seed_effect
    rows = [{"scenario": "base", "point": 0, "seed": s, "y": a[i], "cost": 100 + 5 * seed_effect[i], "cost_mean": 100 + 5 * seed_effect[i]} for i, s in enumerate(range(1, n + 1))]
    rows += [{"scenario": "new", "point": 0, "seed": s, "y": a[i] + 0.1 + extra[i], "cost": 120 + 5 * seed_effect[i] + extra[i], "cost_mean": 120 + 5 * seed_effect[i] + extra[i]} for i, s in enumerate(range(1, n + 1))]
    return pd.DataFrame(rows).sample(frac=1, random_state=2)  # row order must not matter


def test_summary_per_group():
    finals = finals_with_known_differences()
    table = statistics.summarise(finals, ["y"])
    base = table[table["scenario"] == "base"].iloc[0]
    expected = stats.ttest_1samp(finals[finals["scenario"] == "base"]["y"], 0).confidence_interval()
    assert base["n"] == 12
    assert base["ci_low"] == pytest.approx(expected.low) and base["ci_high"] == pytest.approx(expected.high)


def test_paired_difference_is_the_mean_of_seed_by_seed_differences():
    finals = finals_with_known_differences()
    table = statistics.paired_differences(finals, ["y"], "base")
    row = table.iloc[0]
    a = finals[finals["scenario"] == "base"].sort_values("seed")["y"].to_numpy()
    b = finals[finals["scenario"] == "new"].sort_values("seed")["y"].to_numpy()
    d = b - a
    assert row["scenario"] == "new" and row["baseline"] == "base"
    assert row["n"] == 12
    assert row["mean"] == pytest.approx(d.mean())
    expected = stats.ttest_rel(b, a).confidence_interval()
    assert row["ci_low"] == pytest.approx(expected.low) and row["ci_high"] == pytest.approx(expected.high)
    assert row["d_z"] == pytest.approx(d.mean() / d.std(ddof=1))
    assert row["ci_low"] < 0.1 < row["ci_high"]
    # pairing removes the shared seed effect: far narrower than comparing two independent means
    unpaired = stats.ttest_ind(b, a).confidence_interval()
    assert (row["ci_high"] - row["ci_low"]) < (unpaired.high - unpaired.low) / 10


def test_pairs_are_matched_by_seed_and_unmatched_seeds_left_out():
    finals = pd.DataFrame({
        "scenario": ["base", "base", "base", "new", "new"],
        "point": 0,
        "seed": [1, 2, 3, 1, 3],
        "y": [1.0, 2.0, 3.0, 1.5, 3.5],
    })
    row = statistics.paired_differences(finals, ["y"], "base").iloc[0]
    assert row["n"] == 2
    assert row["mean"] == pytest.approx(0.5)
    assert math.isnan(row["d_z"])  # both differences are 0.5: no spread


def test_return_on_spending_with_a_known_answer():
    finals = finals_with_known_differences(n=30)
    table = statistics.returns(finals, ["y", "cost"], "base")
    assert list(table["outcome"]) == ["y"]  # cost is the denominator, not an outcome here
    row = table.iloc[0]
    assert row["extra_cost"] == pytest.approx(20, abs=0.01)
    # y rises by about 0.1 for about 20 GBP: 0.05 per extra 10 GBP
    assert row["per_10_gbp"] == pytest.approx(row["change"] / row["extra_cost"] * 10)
    assert row["per_10_gbp"] == pytest.approx(0.05, abs=0.005)
    assert row["per_10_gbp_low"] < row["per_10_gbp"] < row["per_10_gbp_high"]
    assert row["note"] == ""
    again = statistics.returns(finals, ["y", "cost"], "base").iloc[0]
    assert again["per_10_gbp_low"] == row["per_10_gbp_low"]  # a fixed bootstrap seed: reports are reproducible


@pytest.mark.parametrize(("shift", "note"), [(0.0, "no clear cost difference"), (-20.0, "cheaper than the baseline")])
def test_no_return_without_a_clear_extra_cost(shift, note):
    finals = finals_with_known_differences()
    new = finals["scenario"] == "new"
    finals.loc[new, "cost_mean"] = finals.loc[new, "cost_mean"] - 20 + shift
    row = statistics.returns(finals, ["y", "cost"], "base").iloc[0]
    assert math.isnan(row["per_10_gbp"])
    assert row["note"] == note


def test_bands_over_time():
    steps = pd.DataFrame({"scenario": "s", "point": 0, "step": [1, 1, 1, 2, 2, 2], "y": [1.0, 2.0, 3.0, 2.0, 2.0, 2.0]})
    table = statistics.over_time(steps, ["y"])
    first, second = table.iloc[0], table.iloc[1]
    assert first["mean"] == 2.0 and first["n"] == 3
    assert first["ci_high"] - first["mean"] == pytest.approx(stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3))
    assert second["ci_low"] == second["ci_high"] == 2.0
