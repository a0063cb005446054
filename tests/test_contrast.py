"""The policy-contrast screening of ``run.py sensitivity`` (``[sensitivity] contrast = [A, B]``): indices of the
seed-paired contrast, where A does worse (with the outcome's direction), the files and report, and bad values."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.batch import contrast, direction, results, sensitivity, storage
from sim.batch import manifest as manifests
from sim.cli import main
from tests.batch_runs import write_experiment

A, B = "co_production", "paternalistic"
OUTCOMES = ("trust_landlord", "stigma", "need_fit", "cost")
UNCERTAINTIES = {"landlord.humility": {"low": 0.2, "high": 1.0}, "trust.gain_rate": {"low": 0.02, "high": 0.2}, "services.stigma_barrier": {"low": 0.0, "high": 0.6}}


def tables(contrast_value=(A, B)) -> dict:
    sensitivity_table = {"trajectories": 2, "levels": 4}
    if contrast_value is not None:
        sensitivity_table["contrast"] = list(contrast_value) if isinstance(contrast_value, tuple) else contrast_value
    return {"uncertainties": UNCERTAINTIES, "sensitivity": sensitivity_table}


def sensitivity_args(path, out) -> list[str]:
    return ["sensitivity", str(path), "--method", "morris", "--workers", "1", "--out", str(out), "--quiet"]


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    """A tiny contrast screening: 3 uncertainties, 2 trajectories (8 points), 2 policies, 2 seeds, 100 households, 6 months."""
    folder = tmp_path_factory.mktemp("contrast")
    path = write_experiment(folder / "contrast.toml", scenarios=(A, B), seeds=2, steps=6, outcomes=OUTCOMES, tables=tables())
    out = folder / "out"
    assert main(sensitivity_args(path, out)) == 0
    return out


def paired_by_hand(folder) -> pd.DataFrame:
    """Per design point and outcome: the mean over seeds of A - B at the final month, from the stored tables alone."""
    tables_ = storage.load(folder)
    last = tables_.steps.loc[tables_.steps.groupby("run_id")["step"].idxmax()]
    runs = tables_.runs[tables_.runs["status"] == "ok"][["run_id", "scenario", "point", "seed"]].merge(last, on="run_id")
    first = runs[runs["scenario"] == A].set_index(["point", "seed"])[list(OUTCOMES)]
    second = runs[runs["scenario"] == B].set_index(["point", "seed"])[list(OUTCOMES)]
    return (first - second).sort_index()


def test_the_contrast_indices_are_salibs_morris_on_the_seed_paired_differences(screened):
    from SALib.analyze import morris

    entry = manifests.read(screened)["sensitivity"]
    assert entry["contrast"] == [A, B]
    difference = paired_by_hand(screened)
    assert len(difference) == len(entry["design"]) * 2  # every point with both seeds paired
    means = difference.groupby(level="point").mean()
    written = pd.read_csv(screened / "contrast_morris.csv")
    assert set(written["contrast"]) == {f"{A} - {B}"}
    assert len(written) == len(OUTCOMES) * len(UNCERTAINTIES)
    for outcome in OUTCOMES:
        by_hand = morris.analyze(entry["problem"], np.asarray(entry["design"]), means[outcome].to_numpy(), num_levels=4, seed=sensitivity.ANALYSIS_SEED)
        rows = written[written["outcome"] == outcome].set_index("parameter").loc[entry["problem"]["names"]]
        for column in ("mu", "mu_star", "sigma", "mu_star_conf"):
            np.testing.assert_allclose(rows[column].to_numpy(), by_hand[column], rtol=1e-9, atol=1e-12, err_msg=f"{outcome} {column}")


def test_the_loses_shares_match_a_hand_count(screened):
    difference = paired_by_hand(screened)
    grouped = difference.groupby(level="point")
    mean, sd, n = grouped.mean(), grouped.std(), grouped.count()
    half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
    points = pd.read_csv(screened / "contrast_points.csv")
    regions = (screened / "contrast_regions.md").read_text()
    for outcome in OUTCOMES:
        sign = direction.better(outcome)
        worse = sign * mean[outcome] < 0
        clearly = (mean[outcome] + half[outcome] < 0) if sign > 0 else (mean[outcome] - half[outcome] > 0)
        assert points[f"{outcome}_worse"].tolist() == worse.tolist(), outcome
        assert points[f"{outcome}_clearly_worse"].tolist() == clearly.tolist(), outcome
        np.testing.assert_allclose(points[f"{outcome}_mean"], mean[outcome])
        np.testing.assert_allclose(points[f"{outcome}_ci_high"], mean[outcome] + half[outcome])
        k = int(worse.sum())
        assert f"| {outcome} | {direction.word(outcome)} | {k} of {len(mean)} ({k / len(mean):.0%}) | {int(clearly.sum())} |" in regions
    assert "with few seeds per point the per-point interval is wide" in regions
    assert set(UNCERTAINTIES) <= set(points.columns) and (points["pairs"] == 2).all()


def test_a_lower_is_better_outcome_counts_a_positive_contrast_as_a_loss(screened):
    for outcome in ("stigma", "cost", "equity_gap", "tsm_dissatisfied", "cost_outreach", "share_dissatisfied_anything"):
        assert direction.better(outcome) == -1, outcome
    for outcome in ("trust_landlord", "need_fit", "wellbeing", "bridging", "tsm_satisfied"):
        assert direction.better(outcome) == 1, outcome
    worse, clearly = contrast.losing("cost", [2.0, -2.0, 0.5], [1.0, -3.0, -1.0], [3.0, -1.0, 2.0])
    assert worse.tolist() == [True, False, True] and clearly.tolist() == [True, False, False]
    worse, clearly = contrast.losing("trust_landlord", [2.0, -2.0, np.nan], [1.0, -3.0, np.nan], [3.0, -1.0, np.nan])
    assert worse.tolist() == [False, True, False] and clearly.tolist() == [False, True, False]
    points = pd.read_csv(screened / "contrast_points.csv")  # the real runs: co-production's extra spending is a loss on cost
    assert (points["cost_worse"] == (points["cost_mean"] > 0)).all()
    assert (points["trust_landlord_worse"] == (points["trust_landlord_mean"] < 0)).all()


def _losing_where_x_is_low() -> tuple[np.ndarray, pd.DataFrame, dict]:
    """60 synthetic points over s.x (0 to 10) and s.y (0 to 1): A loses on trust_landlord exactly where x < 3; y is unrelated."""
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 10, 60), rng.uniform(0, 1, 60)
    mean = np.where(x < 3, -0.1, 0.1)
    points = pd.DataFrame({"point": range(60), "s.x": x, "s.y": y, "pairs": 2, "trust_landlord_mean": mean, "trust_landlord_ci_low": mean - 0.01,
                           "trust_landlord_ci_high": mean + 0.01})
    points["trust_landlord_worse"], points["trust_landlord_clearly_worse"] = contrast.losing("trust_landlord", mean, mean - 0.01, mean + 0.01)
    return x, points, {"names": ["s.y", "s.x"], "bounds": [[0.0, 1.0], [0.0, 10.0]]}


def test_the_losing_region_is_ranked_and_described():
    """Synthetic points: A loses on trust_landlord exactly where x is low; y is unrelated."""
    x, points, spec = _losing_where_x_is_low()
    found = contrast.build(A, B, "morris", "synthetic", 24, ["trust_landlord"], spec, points, pd.DataFrame())
    share = found.shares.iloc[0]
    assert (share["worse"], share["points"], share["clearly_worse"]) == ((x < 3).sum(), 60, (x < 3).sum())
    ranked = found.regions
    assert ranked["parameter"].tolist() == ["s.x", "s.y"] and ranked["beyond_chance"].tolist() == [True, False]
    top = ranked.iloc[0]
    assert top["difference"] < -0.4 and top["median_losing"] < 0.3 and top["median_all"] == pytest.approx(np.median(x) / 10)
    line = contrast.sentence(found, "trust_landlord")
    assert line.startswith(f"{A} loses on trust_landlord (higher is better) at {(x < 3).sum()} of 60 points")
    assert "these points have low s.x (median" in line and "s.y" not in line


def test_the_console_report_and_files(screened, capsys):
    text = (screened / "report.md").read_text()
    assert f"## Where {A} does worse than {B}" in text and f"### What drives the contrast {A} - {B} (morris)" in text
    assert "figures/contrast_morris.png" in text and (screened / "figures" / "contrast_morris.png").read_bytes()[:4] == b"\x89PNG"
    regions = pd.read_csv(screened / "contrast_regions.csv")
    assert set(regions["outcome"]) == set(OUTCOMES) and len(regions) == len(OUTCOMES) * len(UNCERTAINTIES)
    found = contrast.read(screened, manifests.read(screened))
    printed = contrast.console(found)
    assert printed.startswith(f"Contrast {A} - {B} at month 6, paired by seed (2 seeds per point; with so few seeds each point's interval is wide)")
    assert all(outcome in printed for outcome in OUTCOMES)


def test_run_report_rebuilds_the_contrast(screened, tmp_path, capsys):
    folder = tmp_path / "copy"
    shutil.copytree(screened, folder)
    before = {name: (folder / name).read_text() for name in ("contrast_morris.csv", "contrast_points.csv", "contrast_regions.md", "contrast_regions.csv")}
    report_before = (folder / "report.md").read_text().replace(str(screened), str(folder))
    for name in before:
        (folder / name).unlink()
    (folder / "report.md").unlink()
    (folder / "figures" / "contrast_morris.png").unlink()
    assert main(["report", str(folder)]) == 0
    assert f"Contrast {A} - {B} at month 6" in capsys.readouterr().out
    for name, text in before.items():
        assert (folder / name).read_text() == text, name
    assert (folder / "report.md").read_text() == report_before
    assert (folder / "figures" / "contrast_morris.png").exists()


def test_a_contrast_added_later_is_screened_on_resume(screened, tmp_path, capsys):
    """The same runs, rerun into the same folder with a file that now names no contrast, then one that does."""
    folder = tmp_path / "copy"
    shutil.copytree(screened, folder)
    without = write_experiment(tmp_path / "contrast.toml", scenarios=(A, B), seeds=2, steps=6, outcomes=OUTCOMES, tables=tables(None))
    assert main(sensitivity_args(without, folder)) == 0
    assert contrast.pair(manifests.read(folder)) is None
    assert "## Where" not in (folder / "report.md").read_text()
    with_it = write_experiment(tmp_path / "contrast.toml", scenarios=(A, B), seeds=2, steps=6, outcomes=OUTCOMES, tables=tables())
    assert main(sensitivity_args(with_it, folder)) == 0
    assert f"Contrast {A} - {B}" in capsys.readouterr().out
    assert f"## Where {A} does worse than {B}" in (folder / "report.md").read_text()
    assert len(results.load(folder).runs) == len(results.load(screened).runs)  # nothing was run again


BAD = [
    (["co_production"], "sensitivity.contrast: ['co_production'] is not accepted"),
    ("co_production", "sensitivity.contrast: 'co_production' is not accepted"),
    ([1, 2], "sensitivity.contrast: [1, 2] is not accepted"),
    (["co_production", "co_production"], "sensitivity.contrast: 'co_production' is given twice"),
    (["co_production", "consultation"], "sensitivity.contrast[1]: 'consultation' is not one of the experiment's scenarios"),
    (["co_prodution", "paternalistic"], "did you mean 'co_production'?"),
]


@pytest.mark.parametrize(("value", "fragment"), BAD, ids=[str(v) for v, _ in BAD])
def test_a_bad_contrast_is_one_clear_line(tmp_path, capsys, value, fragment):
    path = write_experiment(tmp_path / "bad.toml", scenarios=(A, B), seeds=2, steps=6, outcomes=OUTCOMES, tables=tables(value))
    out = tmp_path / "out"
    assert main(sensitivity_args(path, out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"error: {path}: sensitivity.contrast"), err[0]
    assert fragment in err[0] and "accepted: two different scenarios of this experiment" in err[0], err[0]
    assert not out.exists()


def _clustered_points(x: np.ndarray, lose_cluster: np.ndarray, size: int) -> pd.DataFrame:
    """Points in clusters of ``size`` (Morris trajectories of a design over 's.x' and others): x and losing constant within each cluster."""
    mean = np.repeat(np.where(lose_cluster, -0.1, 0.1), size)
    points = pd.DataFrame({"point": range(len(mean)), "s.x": np.repeat(x, size), "pairs": 2, "trust_landlord_mean": mean,
                           "trust_landlord_ci_low": mean - 0.01, "trust_landlord_ci_high": mean + 0.01})
    points["trust_landlord_worse"], points["trust_landlord_clearly_worse"] = contrast.losing("trust_landlord", mean, mean - 0.01, mean + 0.01)
    return points


def test_clustered_points_widen_the_chance_band():
    """Ten trajectories of 20 points: a parameter that merely lines up with the losing trajectories is judged on ten clusters, not 200 points."""
    x = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    lose = np.array([True, False, True, True, False, False, True, False, False, False])  # loose alignment with low x
    spec = {"names": ["s.x"] + [f"s.p{i}" for i in range(18)], "bounds": [[0.0, 1.0]] * 19}
    points = _clustered_points(x, lose, 20)
    for i in range(18):
        points[f"s.p{i}"] = 0.5
    found = contrast.build(A, B, "morris", "clustered", 24, ["trust_landlord"], spec, points, pd.DataFrame())
    row = found.regions.set_index("parameter").loc["s.x"]
    k, n = 80, 200
    naive = 2 * np.std(points["s.x"], ddof=1) * np.sqrt(1 / k + 1 / (n - k))
    assert row["chance"] > 3 * naive  # the design effect of whole clusters (close to 20)
    assert abs(row["difference"]) > naive and not row["beyond_chance"]


def test_a_parameter_with_little_effect_of_its_own_is_not_named():
    """Beyond chance, but the contrast's indices say changing it hardly moves the contrast: a likely coincidence, not a region."""
    _, points, spec = _losing_where_x_is_low()
    indices = pd.DataFrame({"contrast": f"{A} - {B}", "outcome": "trust_landlord", "parameter": ["s.y", "s.x"], "mu_star_scaled": [1.0, 0.02]})
    found = contrast.build(A, B, "morris", "synthetic", 24, ["trust_landlord"], spec, points, indices)
    row = found.regions.set_index("parameter").loc["s.x"]
    assert row["beyond_chance"] and row["own_effect"] == pytest.approx(0.02) and not row["named"]
    assert "no parameter that moves the contrast" in contrast.sentence(found, "trust_landlord")
    assert "(likely coincidence)" in contrast.regions_markdown(found)
