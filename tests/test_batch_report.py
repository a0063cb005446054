"""Figures, tables and report.md are written, non-empty, and rebuilt identically from the saved results."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from matplotlib.image import imread

from sim.batch import report, results
from sim.cli import main
from sim.mechanisms.outcomes import OUTCOMES
from tests.batch_runs import TINY_OUTCOMES, write_experiment

PNG = b"\x89PNG\r\n\x1a\n"


def assert_png(path) -> None:
    assert path.read_bytes()[:8] == PNG, path
    image = imread(path)
    assert image.shape[0] > 200 and image.shape[1] > 200, (path, image.shape)
    assert image.std() > 0.01, f"{path} is blank"


def linked_figures(text: str) -> list[str]:
    return re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", text)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """``run.py compare`` of three scenarios, 5 seeds, as a user would type it (in this process, one worker)."""
    out = tmp_path_factory.mktemp("report") / "compare"
    status = main(["compare", "paternalistic", "consultation", "co_production", "--seeds", "5", "--steps", "24",
                   "--set", "community.residents=100", "--workers", "1", "--out", str(out), "--quiet"])
    assert status == 0
    return out


def test_compare_writes_tables_figures_and_report(compared):
    text = (compared / "report.md").read_text()
    for heading in ("## Outcomes at month 24", "## Differences from paternalistic", "## Over time", "## Equity gap", "## Return on spending", "## Methods"):
        assert heading in text
    assert "| Trust in the landlord (higher is better) | " in text and "(d_z " not in text  # plain names; the effect size only in the CSV
    figures = linked_figures(text)
    assert set(figures) == {"figures/finals.png", "figures/differences.png", "figures/timeseries.png", "figures/equity_gap.png", "figures/returns.png"}
    for name in figures:
        assert_png(compared / name)
    summary = pd.read_csv(compared / "summary.csv")
    assert len(summary) == 3 * len(OUTCOMES) and (summary["n"] == 5).all()
    assert (summary["ci_low"] <= summary["mean"]).all() and (summary["mean"] <= summary["ci_high"]).all()
    differences = pd.read_csv(compared / "differences.csv")
    assert set(differences["scenario"]) == {"consultation", "co_production"} and set(differences["baseline"]) == {"paternalistic"}
    assert {"d_z", "ci_low", "ci_high"} <= set(differences.columns)
    returns = pd.read_csv(compared / "returns.csv")
    assert "cost" not in set(returns["outcome"]) and returns["per_10_gbp"].notna().any()


def test_the_console_summary_is_compact(compared):
    text = report.console_tables(report.analyse(results.load(compared)))
    lines = text.splitlines()
    assert lines[0].startswith("Month 24: mean ±half-width of the 95% interval over 5 seeds")
    assert max(len(line) for line in lines) <= 100
    assert any(line.startswith("trust_landlord") for line in lines)
    assert "Paired difference from paternalistic (same seeds)" in text
    assert "Return on spending against paternalistic" in text


def test_report_rebuilds_the_same_from_saved_results(compared, capsys):
    before = (compared / "report.md").read_text()
    summary = (compared / "summary.csv").read_text()
    for path in (compared / "figures").glob("*.png"):
        path.unlink()
    (compared / "report.md").unlink()
    (compared / "summary.csv").unlink()
    assert main(["report", str(compared)]) == 0
    assert "trust_landlord" in capsys.readouterr().out
    assert (compared / "report.md").read_text() == before
    assert (compared / "summary.csv").read_text() == summary
    for name in linked_figures(before):
        assert_png(compared / name)


@pytest.mark.parametrize(("tables", "scenarios"), [
    ({"levers": {"policy.outreach": [0.0, 0.2, 0.4], "policy.power_share": [0.0, 1.0]}}, ("co_production",)),
    ({"uncertainties": {"landlord.belief_accuracy": {"low": 0.0, "high": 1.0, "levels": 3}}}, ("paternalistic", "co_production")),
    ({"levers": {"policy.outreach": {"low": 0.0, "high": 0.4}}, "uncertainties": {"landlord.humility": {"low": 0.2, "high": 1.0}}, "sampling": {"method": "latin", "samples": 6}}, ("co_production",)),
], ids=["grid of two levers", "one uncertainty, two scenarios", "latin hypercube"])
def test_a_sweep_gets_its_outcome_surface(tmp_path, tables, scenarios):
    path = write_experiment(tmp_path / "sweep.toml", scenarios=scenarios, seeds=2, steps=6, tables=tables)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    text = (out / "report.md").read_text()
    assert "over the sweep" in text
    assert "figures/surface.png" in linked_figures(text)
    assert_png(out / "figures" / "surface.png")
    summary = pd.read_csv(out / "summary.csv")
    for factor in results.load(out).factors:
        assert factor in summary.columns


@pytest.mark.parametrize(("method", "settings", "points"), [("morris", {"trajectories": 3, "levels": 4}, 3 * 3), ("sobol", {"samples": 4}, 4 * 4)])
def test_sensitivity_indices_table_and_plot(tmp_path, capsys, method, settings, points):
    tables = {"levers": {"policy.outreach": {"low": 0.0, "high": 0.5}}, "uncertainties": {"landlord.humility": {"low": 0.2, "high": 1.0}}, "sensitivity": settings}
    path = write_experiment(tmp_path / "sa.toml", scenarios=("co_production",), seeds=1, steps=6, outcomes=TINY_OUTCOMES[:3], tables=tables)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--method", method, "--workers", "1", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert f"Sensitivity ({method})" in printed and "policy.outreach" in printed
    table = pd.read_csv(out / f"sensitivity_{method}.csv")
    assert len(table) == 3 * 2  # outcomes x parameters
    assert set(table["parameter"]) == {"policy.outreach", "landlord.humility"}
    assert {"mu_star", "sigma", "mu_star_conf"} <= set(table.columns) if method == "morris" else {"S1", "ST", "ST_conf"} <= set(table.columns)
    assert len(results.load(out).points) == points
    assert_png(out / "figures" / f"sensitivity_{method}.png")
    text = (out / "report.md").read_text()
    assert f"## Sensitivity ({method})" in text and f"figures/sensitivity_{method}.png" in text
