"""A batch whose points are posterior draws is reported as uncertainty, not as a sweep; uncalibrated batches say so."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.batch import posterior_analysis, report, results
from sim.batch.results import Results
from sim.calibration.posterior import Posterior, write
from sim.cli import main
from tests.batch_runs import write_posterior

T_8 = 2.306004135  # t(0.975, 8), from a table
T_3 = 3.182446305  # t(0.975, 3)
SECTION = "Against the status quo (england_baseline), carrying the calibration's uncertainty"


# -- the arithmetic, by hand -------------------------------------------------------------------------------------------


def test_draw_effects_make_the_posterior_interval_and_seed_noise_the_seed_interval():
    effects = np.array([0.1, 0.2, 0.3, 0.4])
    noise = np.array([-0.01, 0.0, 0.01])
    d = effects[:, None] + noise[None, :]  # 4 draws x 3 seeds
    p = posterior_analysis.pool(d)
    assert p.draws == 4 and p.seeds == 3 and p.n == 12
    assert p.mean == pytest.approx(0.25)
    # within each draw the sample variance over seeds is (0.01^2 + 0 + 0.01^2) / 2 = 1e-4; df = 4 * (3 - 1) = 8
    half = T_8 * math.sqrt(1e-4 / 12)
    assert (p.ci_low, p.ci_high) == pytest.approx((0.25 - half, 0.25 + half), rel=1e-6)
    assert p.seed_sd == pytest.approx(0.01)
    # percentiles of the per-draw means 0.1 .. 0.4 (linear): 0.1 + 0.075 * 0.1 and 0.3 + 0.925 * 0.1
    assert (p.posterior_low, p.posterior_high) == pytest.approx((0.1075, 0.3925))
    assert p.ci_high - p.ci_low < (p.posterior_high - p.posterior_low) / 10
    assert p.agreeing == 4 and p.unchanged == 0


def test_draws_agreeing_counts_the_sign_of_each_draw():
    d = np.array([[-0.05, -0.05], [0.1, 0.1], [0.0, 0.0], [0.3, 0.3]])
    p = posterior_analysis.pool(d)
    assert p.mean == pytest.approx(0.0875)
    assert p.agreeing == 2 and p.unchanged == 1
    assert posterior_analysis.direction(p.mean) == "raises"
    assert p.ci_low == pytest.approx(p.mean) and p.ci_high == pytest.approx(p.mean)  # no spread over seeds at all: a zero-width seed interval


def test_a_missing_run_weighs_each_draw_the_same_and_pools_the_variance():
    d = np.array([[1.0, 2.0, 3.0], [5.0, 7.0, np.nan]])
    p = posterior_analysis.pool(d)
    assert p.mean == pytest.approx(4.0)  # (2 + 6) / 2, not the mean of the five values
    # v = (2 + 2) / (2 + 1); se = sqrt(v * mean(1/3, 1/2) / 2)
    half = T_3 * math.sqrt(4 / 3 * (5 / 12) / 2)
    assert (p.ci_low, p.ci_high) == pytest.approx((4 - half, 4 + half), rel=1e-6)
    assert p.n == 5 and p.seeds == 3
    nothing = posterior_analysis.pool(np.full((3, 2), np.nan))
    assert nothing.draws == 0 and math.isnan(nothing.mean)
    single = posterior_analysis.pool(np.array([[1.0, 2.0]]))
    assert single.draws == 1 and math.isnan(single.posterior_low) and math.isfinite(single.ci_low)


def _fake_results(tmp_path: Path) -> Results:
    """Two scenarios, 4 draws, 3 seeds: the policy adds 0.1 k + 0.1 (draw k) plus seed noise to y, and 19, 20 or 21 GBP of cost."""
    effects = np.array([0.1, 0.2, 0.3, 0.4])
    noise = {1: -0.01, 2: 0.0, 3: 0.01}
    runs, steps = [], []
    for scenario in ("base", "policy"):
        for k, effect in enumerate(effects):
            for seed in (1, 2, 3):
                run_id = f"{scenario}-{k}-{seed}"
                runs.append({"run_id": run_id, "scenario": scenario, "point": k, "seed": seed, "status": "ok"})
                y = 0.5 + 0.2 * seed + (effect + noise[seed] if scenario == "policy" else 0.0)
                cost = 100.0 + seed + (19.0 + seed - 1 if scenario == "policy" else 0.0)
                for step in (0, 1):
                    steps.append({"run_id": run_id, "step": step, "y": y if step == 1 else 0.0, "cost": cost})
    manifest = {"experiment": {"name": "fake", "scenarios": {"base": "base.toml", "policy": "policy.toml"}, "baseline": "base", "seeds": [1, 2, 3],
                               "steps": 1, "outcomes": ["y", "cost"], "factors": {},
                               "posterior": {"file": "post", "draws": 4, "seed": 1, "parameters": ["landlord.respect"]}},
                "points": [{"landlord.respect": 0.5 + 0.1 * k} for k in range(4)]}
    return Results(tmp_path, manifest, pd.DataFrame(runs), pd.DataFrame(steps))


def test_the_pooled_tables_of_a_synthetic_batch(tmp_path):
    found = _fake_results(tmp_path)
    pooled = posterior_analysis.analyse(found)
    diff = pooled.differences.set_index("outcome").loc["y"]
    assert diff["scenario"] == "policy" and diff["mean"] == pytest.approx(0.25)
    half = T_8 * math.sqrt(1e-4 / 12)
    assert (diff["ci_low"], diff["ci_high"]) == pytest.approx((0.25 - half, 0.25 + half), rel=1e-6)
    assert (diff["posterior_low"], diff["posterior_high"]) == pytest.approx((0.1075, 0.3925))
    assert diff["agreeing"] == 4 and diff["direction"] == "raises"
    # levels: the baseline's y is 0.5 + 0.2 * seed in every draw: no posterior spread, a seed spread of 0.2
    level = pooled.levels.set_index(["scenario", "outcome"]).loc[("base", "y")]
    assert level["mean"] == pytest.approx(0.9) and level["posterior_low"] == pytest.approx(0.9) and level["posterior_high"] == pytest.approx(0.9)
    assert level["ci_high"] - level["mean"] == pytest.approx(T_8 * math.sqrt(0.04 / 12), rel=1e-6)
    # every draw's own mean change, with its parameter value
    per_draw = pooled.per_draw[(pooled.per_draw["scenario"] == "policy") & (pooled.per_draw["outcome"] == "y")]
    assert list(per_draw["difference"]) == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert list(per_draw["landlord.respect"]) == pytest.approx([0.5, 0.6, 0.7, 0.8])
    # return on spending: extra cost 19, 20, 21 by seed (mean 20) -> 0.25 / 20 * 10; per draw 0.1 k ... / 20 * 10
    ret = pooled.returns.set_index("outcome").loc["y"]
    assert ret["extra_cost"] == pytest.approx(20.0) and ret["per_10_gbp"] == pytest.approx(0.125)
    assert (ret["per_10_gbp_posterior_low"], ret["per_10_gbp_posterior_high"]) == pytest.approx((0.05375, 0.19625))
    assert ret["per_10_gbp_low"] < 0.125 < ret["per_10_gbp_high"]


# -- a real batch ------------------------------------------------------------------------------------------------------


OUTCOMES = ["trust_landlord", "bridging", "tsm_listens", "cost"]


@pytest.fixture(scope="module")
def posterior_batch(tmp_path_factory):
    """England today and co-production from it, over 3 posterior draws x 3 seeds."""
    folder = tmp_path_factory.mktemp("posterior")
    write_posterior(folder / "post")
    (folder / "e.toml").write_text(
        'name = "tiny from today"\nscenarios = ["england_baseline", "co_production"]\nstart_from = "england_baseline"\n'
        f'baseline = "england_baseline"\nseeds = 3\nsteps = 4\noutcomes = {OUTCOMES!r}\n'.replace("'", '"')
        + "[constants]\ncommunity.residents = 100\n[posterior]\nfile = \"post\"\ndraws = 3\n")
    out = folder / "out"
    assert main(["batch", str(folder / "e.toml"), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


def test_draws_that_repeat_a_parameter_set_are_counted_as_distinct_sets(tmp_path):
    rng = np.random.default_rng(2)
    draws = np.column_stack([rng.uniform(0.45, 0.5, 5), rng.uniform(0.6, 0.95, 5), rng.uniform(0.1, 0.4, 5)])
    weights = np.array([0.9, 0.025, 0.025, 0.025, 0.025])  # one set carries most of the weight: resampling repeats it
    write(Posterior(("survey.threshold", "landlord.respect", "policy.acts_on_input"), ((0.3, 0.55), (0.5, 1.0), (0.0, 0.5)), draws,
                    weights, (("tsm_satisfied", 0.713, 0.02),), (None,), (5,), 1, 5, "0.13"), tmp_path / "post")
    (tmp_path / "e.toml").write_text(
        'name = "thin"\nscenarios = ["england_baseline"]\nstart_from = "england_baseline"\nseeds = 1\nsteps = 1\n'
        'outcomes = ["trust_landlord"]\n[constants]\ncommunity.residents = 60\n[posterior]\nfile = "post"\ndraws = 4\n')
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "e.toml"), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    distinct = len({tuple(sorted(p.items())) for p in results.load(out).points})
    assert distinct < 4
    assert f"4 parameter sets ({distinct} distinct) drawn" in (out / "report.md").read_text()


def test_a_posterior_batch_is_reported_as_uncertainty_not_a_sweep(posterior_batch):
    text = (posterior_batch / "report.md").read_text()
    opening = text.split("- **Status**")[0]
    assert "Every scenario starts from the calibrated status quo of `england_baseline.toml`" in opening
    assert "switches its policy at month 0" in opening and "120 months" in opening
    assert report.UNCALIBRATED not in text
    assert f"## {SECTION}" in text and "### co_production" in text
    assert "| outcome | change | seed interval | posterior interval | draws agreeing |" in text
    assert "rests on 3 draws, so it is close to their range" in text
    assert "chance alone" in text and "leave open" in text and "model's structure" in text
    assert "over the sweep" not in text and "surface.png" not in text and "survey.threshold=" not in text
    assert not (posterior_batch / "figures" / "surface.png").exists()
    assert "- **Posterior**: the points are 3 draws" in text


def test_the_tables_agree_with_the_runs(posterior_batch):
    found = results.load(posterior_batch)
    finals = found.finals
    differences = pd.read_csv(posterior_batch / "differences.csv")
    assert "point" not in differences.columns and {"posterior_low", "posterior_high", "agreeing"} <= set(differences.columns)
    assert set(differences["scenario"]) == {"co_production"} and list(differences["outcome"]) == OUTCOMES
    per_draw = pd.read_csv(posterior_batch / "posterior_draws.csv")
    assert set(per_draw["draw"]) == {0, 1, 2} and {"survey.threshold", "landlord.respect", "policy.acts_on_input"} <= set(per_draw.columns)
    for outcome in OUTCOMES:
        wide = finals.pivot_table(index=["point", "seed"], columns="scenario", values=outcome)
        d = (wide["co_production"] - wide["england_baseline"]).unstack("seed").to_numpy()  # draws x seeds, computed here from the runs
        row = differences.set_index("outcome").loc[outcome]
        assert row["mean"] == pytest.approx(d.mean())
        half = float(stats.t.ppf(0.975, 3 * 2)) * math.sqrt(d.var(axis=1, ddof=1).mean() / d.size)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((d.mean() - half, d.mean() + half))
        assert (row["posterior_low"], row["posterior_high"]) == pytest.approx(tuple(np.percentile(d.mean(axis=1), [2.5, 97.5])))
        assert row["agreeing"] == (np.sign(d.mean(axis=1)) == np.sign(d.mean())).sum()
        mine = per_draw[(per_draw["scenario"] == "co_production") & (per_draw["outcome"] == outcome)]["difference"]
        assert list(mine) == pytest.approx(list(d.mean(axis=1)))


def test_the_console_shows_the_section(posterior_batch):
    text = report.console_tables(report.analyse(results.load(posterior_batch)))
    lines = text.splitlines()
    assert lines[0].startswith("Every scenario starts from the calibrated status quo (england_baseline.toml, 120 months burned in)")
    assert SECTION in lines
    header = next(line for line in lines if line.startswith("co_production"))
    for column in ("change", "seed interval", "posterior interval", "draws agreeing"):
        assert column in header
    assert any(line.startswith("trust_landlord") and " of 3" in line for line in lines)
    assert "survey.threshold=" not in text and report.UNCALIBRATED_CONSOLE not in text


# -- batches that are not calibrated, or calibrated without a posterior ------------------------------------------------


def _small_batch(folder: Path, top: str) -> Path:
    """Run a 2-seed, 3-month batch of 60 households over two outcomes, with ``top`` as its first lines; its results folder."""
    (folder / "e.toml").write_text(top + 'seeds = 2\nsteps = 3\noutcomes = ["trust_landlord", "stigma"]\n[constants]\ncommunity.residents = 60\n')
    out = folder / "out"
    assert main(["batch", str(folder / "e.toml"), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


def test_an_uncalibrated_batch_says_so(tmp_path):
    out = _small_batch(tmp_path, 'name = "defaults"\nscenarios = ["paternalistic", "co_production"]\n')
    text = (out / "report.md").read_text()
    assert report.UNCALIBRATED in text.split("- **Status**")[0]
    assert "carrying the calibration's uncertainty" not in text and "## Differences from paternalistic" in text
    lines = report.console_tables(report.analyse(results.load(out))).splitlines()
    assert lines[0].startswith("Month 3: mean ±half-width") and lines[1] == report.UNCALIBRATED_CONSOLE
    assert not (out / "posterior_draws.csv").exists()


def test_the_calibrated_scenario_beside_a_default_one_is_named_and_the_other_flagged(tmp_path):
    out = _small_batch(tmp_path, 'name = "as files say"\nscenarios = ["england_baseline", "co_production"]\n')
    opening = (out / "report.md").read_text().split("- **Status**")[0]
    assert "`england_baseline` is the calibrated status quo" in opening and "The other scenarios use the model's default assumptions" in opening
    assert report.UNCALIBRATED not in opening
    console = report.console_tables(report.analyse(results.load(out)))
    assert console.startswith("england_baseline is the calibrated status quo") and report.UNCALIBRATED_CONSOLE not in console


def test_start_from_without_a_posterior_says_where_it_starts(tmp_path):
    out = _small_batch(tmp_path, 'name = "from today"\nscenarios = ["england_baseline", "co_production"]\nstart_from = "england_baseline"\n')
    text = (out / "report.md").read_text()
    assert "Every scenario starts from the calibrated status quo" in text.split("- **Status**")[0]
    assert report.UNCALIBRATED not in text and "## Differences from england_baseline" in text
    console = report.console_tables(report.analyse(results.load(out)))
    assert console.startswith("Every scenario starts from the calibrated status quo") and "Paired difference from england_baseline" in console


def test_the_finding_opens_the_report_and_names_both_sources_of_uncertainty(posterior_batch):
    text = (posterior_batch / "report.md").read_text()
    opening = text[text.index("## What was found"):text.index("## What was run")]
    assert "**co_production** against england_baseline:" in opening
    assert "The intervals cover chance (which households, ties and events) and what the national figures leave open (the calibration's 3 posterior draws)" in opening
    console = report.console(report.analyse(results.load(posterior_batch)))
    assert console.startswith("What was found\n") and "the calibration's 3 posterior draws" in console
