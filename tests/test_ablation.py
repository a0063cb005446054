"""``run.py ablate A B``: each mechanism's contribution to a contrast, stored and resumable like any batch.

The runs are tiny (100 households, 8 months, 2 seeds). The switch registry is
replaced for each call by a test registry: the first switch of the real one
(whatever it is as mechanisms are added), an inert switch (the hub's
parameters, which do nothing while no hub is open, as in both scenarios) and
one more that ``--only`` leaves out.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import switches
from sim.batch import ablation, experiment, plan, storage
from sim.batch.results import Results
from sim.cli import main
from sim.mechanisms import outcomes as outcome_columns
from sim.switches import Switch
from tests.batch_runs import cli, comparable, physical_run_ids

A, B = "paternalistic", "co_production"
REAL = switches.SWITCHES[0]
INERT = Switch("hub_unused", "services", "The hub's capacity and cost, which do nothing while no hub is open.", {"services.hub_capacity": 5.0, "services.hub_cost": 500.0})
LEFT_OUT = Switch("left_out", "survey", "Never selected with --only.", {"survey.threshold": 0.9})
REGISTRY = (REAL, INERT, LEFT_OUT)
OUTCOMES = ("trust_landlord", "tsm_satisfied", "stigma", "employment_rate", "cost")
SEEDS = 2
SMALL = ("--seeds", str(SEEDS), "--steps", "8", "--set", "community.residents=100", "--only", REAL.name, INERT.name, "--outcomes", *OUTCOMES, "--quiet")
RUNS = 2 * 3 * SEEDS  # scenarios x points (all on, two switches off) x seeds


def ablate(out: Path, *options: str, registry: tuple[Switch, ...] = REGISTRY) -> tuple[int, str]:
    """``run.py ablate A B`` in this process with ``registry`` as the switches; returns the exit status and what it printed."""
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setattr(switches, "SWITCHES", registry)
        status = main(["ablate", A, B, *SMALL, "--out", str(out), *options])
    return status, printed.getvalue()


@pytest.fixture(scope="module")
def ablated(tmp_path_factory) -> tuple[Path, str]:
    """One small ablation on one worker: its folder and console output."""
    out = tmp_path_factory.mktemp("ablation") / "out"
    status, printed = ablate(out, "--workers", "1")
    assert status == 0, printed
    return out, printed


def finals(folder: Path) -> pd.DataFrame:
    """Each stored run's outcomes at its last month, read straight from the tables (indexed by scenario, point, seed)."""
    tables = storage.load(folder)
    last = tables.steps.loc[tables.steps.groupby("run_id")["step"].idxmax()]
    return last.merge(tables.runs[["run_id", "scenario", "point", "seed"]], on="run_id").set_index(["scenario", "point", "seed"]).sort_index()


# -- the plan --------------------------------------------------------------------------------------


def test_points_with_different_parameters_plan_like_any_other():
    spec = experiment.comparison([A, B], 2, 4, {"community.residents": 100}, baseline=B, outcomes=["cost"])
    points = [{}, {"services.hub_cost": 500.0}, {"survey.threshold": 0.9, "survey.spread": 0.2}]
    the_plan = plan.make_plan(spec, points)
    assert spec.outcomes == ("cost",)
    assert len(the_plan.runs) == 2 * 3 * 2 and len({r.run_id for r in the_plan.runs}) == 12
    for run in the_plan.runs:
        assert run.overrides == {"community.residents": 100, **points[run.point]}
    seeds = {(r.scenario, r.point): set() for r in the_plan.runs}
    for run in the_plan.runs:
        seeds[(run.scenario, run.point)].add(run.seed)
    assert set(map(frozenset, seeds.values())) == {frozenset({1, 2})}  # every scenario at every point: the same seeds


def test_switches_keep_the_registry_order_and_outcomes_the_model_lacks_are_dropped(monkeypatch):
    monkeypatch.setattr(switches, "SWITCHES", REGISTRY)
    assert [s.name for s in ablation.selected_switches([LEFT_OUT.name, REAL.name])] == [REAL.name, LEFT_OUT.name]
    assert ablation.selected_switches(None) == list(REGISTRY)
    monkeypatch.setattr(outcome_columns, "OUTCOMES", tuple(o for o in outcome_columns.OUTCOMES if o not in ("cost", "tsm_respect")))
    assert ablation.default_outcomes() == [o for o in ablation.HEADLINE_OUTCOMES if o not in ("cost", "tsm_respect")]


# -- the analysis ------------------------------------------------------------------------------


def test_contribution_is_the_difference_of_differences_from_the_stored_runs(ablated):
    out, _ = ablated
    table = pd.read_csv(out / "ablation.csv")
    assert list(table.columns) == list(ablation.COLUMNS)
    assert list(table["switch"].unique()) == [REAL.name, INERT.name]
    x = finals(out)
    manifest = json.loads((out / "manifest.json").read_text())
    point = next(s["point"] for s in manifest["ablation"]["switches"] if s["name"] == REAL.name)
    for outcome in OUTCOMES:
        full = x.loc[A].loc[0, outcome] - x.loc[B].loc[0, outcome]  # by seed
        off = x.loc[A].loc[point, outcome] - x.loc[B].loc[point, outcome]
        d = (full - off).to_numpy()
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        row = table[(table["switch"] == REAL.name) & (table["outcome"] == outcome)].iloc[0]
        assert row["seeds"] == SEEDS
        assert row["full_mean"] == pytest.approx(full.mean(), abs=1e-12)
        assert row["off_mean"] == pytest.approx(off.mean(), abs=1e-12)
        assert row["contribution_mean"] == pytest.approx(d.mean(), abs=1e-12)
        assert (row["contribution_low"], row["contribution_high"]) == pytest.approx((d.mean() - half, d.mean() + half), abs=1e-12)
    assert (table["full_mean"] != 0).any() and (table["off_mean"] != 0).any()  # the scenarios differ: the checks above are not of zeros alone


def test_a_mechanism_that_cannot_act_contributes_exactly_zero(ablated):
    out, _ = ablated
    table = pd.read_csv(out / "ablation.csv")
    inert = table[table["switch"] == INERT.name]
    assert len(inert) == len(OUTCOMES)
    assert (inert["contribution_mean"] == 0.0).all() and (inert["contribution_low"] == 0.0).all() and (inert["contribution_high"] == 0.0).all()
    assert (inert["full_mean"] == inert["off_mean"]).all()
    row = next(line for line in (out / "ablation.md").read_text().splitlines() if line.startswith(f"| `{INERT.name}`"))
    assert "**" not in row  # not marked: its interval is [0, 0]


def test_only_seeds_with_all_four_runs_are_paired():
    """A known answer: contributions 2, 3, 4 on seeds 1-3; seed 4 lacks a run at the switch's point and is left out."""
    values = {  # (scenario, point, seed): outcome
        (A, 0, 1): 5.0, (B, 0, 1): 1.0, (A, 1, 1): 3.0, (B, 1, 1): 1.0,   # full 4, off 2: contribution 2
        (A, 0, 2): 6.0, (B, 0, 2): 1.0, (A, 1, 2): 3.0, (B, 1, 2): 1.0,   # full 5, off 2: 3
        (A, 0, 3): 8.0, (B, 0, 3): 2.0, (A, 1, 3): 3.0, (B, 1, 3): 1.0,   # full 6, off 2: 4
        (A, 0, 4): 9.0, (B, 0, 4): 1.0, (A, 1, 4): 9.0,                   # no (B, 1, 4)
    }
    runs = pd.DataFrame([{"run_id": f"r{i}", "scenario": s, "point": p, "seed": seed, "status": "ok"} for i, (s, p, seed) in enumerate(values)])
    steps = pd.DataFrame([{"run_id": f"r{i}", "step": 1, "wellbeing": v} for i, v in enumerate(values.values())])
    manifest = {"kind": "ablation", "experiment": {"outcomes": ["wellbeing"], "factors": {}, "steps": 1},
                "ablation": {"a": A, "b": B, "switches": [{"point": 1, "name": "s", "phase": "p", "doc": "d", "neutral": {}}]}}
    found = ablation.analyse(Results(Path("."), manifest, runs, steps))
    row = found.table.iloc[0]
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert (row["seeds"], row["full_mean"], row["off_mean"], row["contribution_mean"]) == (3, pytest.approx(5.0), pytest.approx(2.0), pytest.approx(3.0))
    assert (row["contribution_low"], row["contribution_high"]) == (pytest.approx(3 - half), pytest.approx(3 + half))
    assert ablation.marked(row["contribution_low"], row["contribution_high"])  # [0.52, 5.48]
    assert found.full.iloc[0]["n"] == 4  # the full contrast itself uses every seed that has it


# -- the folder ------------------------------------------------------------------------------------


def test_the_files_and_the_console_table(ablated):
    out, printed = ablated
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "ablation" and manifest["status"] == "complete"
    assert manifest["ablation"]["a"] == A and manifest["ablation"]["b"] == B
    recorded = manifest["ablation"]["switches"]
    assert [(s["point"], s["name"], s["phase"], s["doc"], s["neutral"]) for s in recorded] == [(k, s.name, s.phase, s.doc, s.neutral) for k, s in enumerate((REAL, INERT), start=1)]
    assert manifest["points"] == [{}, REAL.neutral, INERT.neutral]
    text = (out / "ablation.md").read_text()
    assert f"over {SEEDS} paired seeds" in text and INERT.doc in text and REAL.doc in text
    assert text.count("\n| ") == 2 + 2  # header and full contrast, then one row per switch (the separator starts with |---)
    assert "<title>Which mechanisms carry the contrast" in (out / "ablation.html").read_text()
    assert printed.strip().splitlines()[-1] == f"ablation: {out / 'ablation.md'} and ablation.html (tables ablation.csv)"
    lines = printed.splitlines()
    assert lines[0].startswith(f"Month 8: contribution of each mechanism to {A} - {B}")
    header = next(line for line in lines if line.startswith("outcome"))
    assert header.split() == ["outcome", "full", "A", "-", "B", REAL.name, INERT.name]
    assert sum(line.split()[0] in OUTCOMES for line in lines if line.strip()) == len(OUTCOMES)


def test_report_redoes_the_analysis_from_the_folder_alone(ablated, monkeypatch, capsys):
    out, _ = ablated
    before = {name: (out / name).read_text() for name in ("ablation.csv", "ablation.md", "ablation.html")}
    for name in before:
        (out / name).unlink()
    monkeypatch.setattr(switches, "SWITCHES", ())  # nothing from the registry: only the manifest
    assert main(["report", str(out)]) == 0
    assert f"to {A} - {B}" in capsys.readouterr().out
    assert {name: (out / name).read_text() for name in before} == before


def test_rerunning_the_same_command_computes_nothing(ablated):
    out, printed = ablated
    csv = (out / "ablation.csv").read_text()
    status, again = ablate(out, "--workers", "1")
    assert status == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["sessions"]) >= 2 and manifest["sessions"][-1]["stored"] == 0
    assert len(physical_run_ids(out)) == RUNS
    assert (out / "ablation.csv").read_text() == csv and again == printed


def test_a_folder_refuses_a_different_ablation(ablated, capsys):
    out, _ = ablated
    status, _ = ablate(out, "--workers", "1", "--only", LEFT_OUT.name)
    assert status == 2
    assert "holds results of a different experiment" in capsys.readouterr().err
    assert len(physical_run_ids(out)) == RUNS


def test_the_same_results_on_one_and_two_workers(ablated, tmp_path):
    out, printed = ablated
    status, two = ablate(tmp_path / "two", "--workers", "2")
    assert status == 0
    for mine, theirs in zip(comparable(tmp_path / "two"), comparable(out), strict=True):
        pd.testing.assert_frame_equal(mine, theirs, check_exact=True)
    assert (tmp_path / "two" / "ablation.csv").read_text() == (out / "ablation.csv").read_text()
    assert two.splitlines()[:-1] == printed.splitlines()[:-1]  # all but the line naming the folder


# -- mistakes --------------------------------------------------------------------------------------


MISTAKES = [
    (["--only", "no_such_switch"], ["--only: 'no_such_switch' is not a switch", f"accepted: {REAL.name}, {INERT.name}, {LEFT_OUT.name}"]),
    (["--seeds", "0"], ["--seeds: 0 is not accepted", "accepted: a whole number from 1"]),
    (["--outcomes", "trust_landlord", "happiness"], ["--outcomes: 'happiness' is not an outcome", "accepted: trust_landlord, "]),
]


@pytest.mark.parametrize(("options", "fragments"), MISTAKES, ids=[m[0][0] for m in MISTAKES])
def test_a_bad_option_is_one_line_and_status_2(tmp_path, capsys, options, fragments):
    status, _ = ablate(tmp_path / "out", *options)
    assert status == 2
    assert_one_error_line(capsys.readouterr().err, fragments)
    assert not (tmp_path / "out").exists()


def test_the_same_scenario_twice(tmp_path, capsys):
    assert main(["ablate", B, f"scenarios/{B}.toml", "--out", str(tmp_path / "out")]) == 2
    assert_one_error_line(capsys.readouterr().err, [f"SCENARIO_B: 'scenarios/{B}.toml' is the same scenario as SCENARIO_A", "accepted: two different scenarios"])
    assert not (tmp_path / "out").exists()


def test_a_mistake_from_the_command_line_has_no_traceback():
    result = cli("ablate", A, B, "--seeds", "-3")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, ["--seeds: -3 is not accepted"])


def test_help(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["ablate", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: run.py ablate")
    for option in ("SCENARIO_A", "SCENARIO_B", "--seeds", "--steps", "--set", "--only", "--outcomes", "--workers", "--executor", "--scheduler", "--out", "--quiet"):
        assert option in out


def assert_one_error_line(stderr: str, fragments: list[str]) -> None:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
