"""The shipped calibration holds: the calibrated scenario and the landlord population against the national figures.

These test the files `python run.py calibrate` wrote (scenarios/england_baseline.toml,
experiments/landlords.toml), on seeds the calibration never used. If a change
to the model breaks them, rerun the calibration (docs/VALIDATION.md) and say
why in the commit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.batch import experiment as experiments
from sim.batch import results, sampling
from sim.batch.executors import make_executor
from sim.batch.plan import make_plan
from sim.batch.runner import run_batch
from sim.calibration import spec
from sim.model import HousingModel

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = spec.load(ROOT / "experiments" / "calibration.toml")
TSM = [t for t in CALIBRATION.targets if t.column.startswith("tsm_")]
FRESH_SEEDS = range(1001, 1021)  # 20 seeds that no calibration round or check used


@pytest.fixture(scope="module")
def baseline_runs():
    """The calibrated scenario as written (its own size and months), one final row per seed."""
    rows = [HousingModel(ROOT / "scenarios" / "england_baseline.toml", rng=seed).run().iloc[-1] for seed in FRESH_SEEDS]
    return pd.DataFrame(rows)


MISSED = {  # known misses of the first ABC-SMC calibration at its default budget (issue 12 open; docs/VALIDATION.md): strict, so a fix shows
    "tsm_satisfied": "0.667 against 0.713", "tsm_complaints": "0.476 against 0.345",
    "tsm_maintained": "0.754 against 0.708", "tsm_neighbourhood": "0.850 against 0.631",
}


@pytest.mark.parametrize("target", [pytest.param(t, marks=pytest.mark.xfail(strict=True, reason=f"known miss: {MISSED[t.column]}")) if t.column in MISSED else t
                                    for t in TSM], ids=[t.column for t in TSM])
def test_the_calibrated_scenario_reproduces_each_tsm_median_within_3_points(baseline_runs, target):
    simulated = baseline_runs[target.column].mean()
    assert abs(simulated - target.value) <= 0.03, f"{target.column}: simulated {simulated:.3f}, national {target.value:.3f}"


@pytest.fixture(scope="module")
def landlords(tmp_path_factory):
    spec_ = experiments.load(ROOT / "experiments" / "landlords.toml")
    plan = make_plan(spec_, sampling.points(spec_))
    folder = tmp_path_factory.mktemp("landlords") / "runs"
    outcome = run_batch(plan, folder, make_executor("process", 2, None), quiet=True)
    assert outcome.complete and not outcome.failed
    return results.load(folder).finals


def test_the_population_has_at_least_200_landlords_one_row_each(landlords):
    assert len(landlords) >= 200
    assert landlords["point"].is_unique and landlords["seed"].is_unique  # each landlord its own community


@pytest.mark.xfail(strict=False, reason="known miss: the spread fit after the ABC-SMC recalibration misses by 10.5 points RMS over eight items (issue 12 open)")
@pytest.mark.parametrize(("column", "national"), [("tsm_reported_satisfied", (0.578, 0.835)), ("tsm_reported_listens", (0.456, 0.735))])
def test_the_spread_across_landlords_matches_the_national_percentiles_within_4_points(landlords, column, national):
    """What landlords report (their sample surveys, as the national percentiles are) spreads as England's do."""
    p10, p90 = np.percentile(landlords[column], [10, 90])
    assert abs(p10 - national[0]) <= 0.04, f"{column} p10 {p10:.3f} against {national[0]}"
    assert abs(p90 - national[1]) <= 0.04, f"{column} p90 {p90:.3f} against {national[1]}"


def test_a_landlords_reported_figures_move_from_year_to_year_as_real_ones_do():
    """Years are not alike: the reported TP01 share moves by several points a year (sampling error and shocks),
    while the share over all tenants, with no policy change, hardly moves."""
    reported, whole = [], []
    for seed in range(2001, 2011):
        frame = HousingModel(ROOT / "scenarios" / "england_baseline.toml", rng=seed).run(36)
        years = frame.iloc[[11, 23, 35]]
        reported += list(np.abs(np.diff(years["tsm_reported_satisfied"].to_numpy())))
        whole += list(np.abs(np.diff(years["tsm_satisfied"].to_numpy())))
    assert np.mean(reported) > 0.02, f"mean year-to-year change of the reported share {np.mean(reported):.3f}"
    assert np.mean(whole) < np.mean(reported)
