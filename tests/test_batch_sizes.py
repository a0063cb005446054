"""``run.py batch --seeds N --steps N --set KEY=VALUE``: an experiment shrunk from the command line.

The options mean what they mean for ``compare`` and are checked by the same
code; the plan, its run ids and the manifest carry them, so a folder started
with some overrides is only resumed with the same ones.
"""

from __future__ import annotations

import json

import pytest

from sim.batch import commands, experiment, plan, sampling, storage
from sim.cli import main
from tests.batch_runs import cli, write_experiment

SHRUNK = ["--seeds", "2", "--steps", "3", "--set", "community.residents=60"]


def error_line(capsys, argv: list[str]) -> str:
    """Run ``run.py ARGV`` in this process; it must refuse with exit status 2 and one ``error:`` line, which is returned."""
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


def planned_ids(path, seeds, steps, constants) -> list[str]:
    spec = commands.sized(experiment.load(path), seeds, steps, constants)
    return sorted(run.run_id for run in plan.make_plan(spec, sampling.points(spec)).runs)


@pytest.fixture(scope="module")
def shrunk(tmp_path_factory):
    """A 6-seed, 24-month experiment run as 2 seeds of 3 months with 60 households instead of 100."""
    folder = tmp_path_factory.mktemp("sizes")
    path = write_experiment(folder / "e.toml", seeds=6, steps=24, residents=100)
    out = folder / "out"
    result = cli("batch", path, *SHRUNK, "--out", out, "--workers", "1", "--quiet")
    assert result.returncode == 0, result.stderr
    return path, out


def test_a_shrunk_batch_runs_what_the_options_say_and_records_them(shrunk):
    path, out = shrunk
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["planned_runs"] == manifest["completed_runs"] == 2 * 2  # 2 scenarios x 2 seeds
    assert manifest["plan"]["describe"] == "2 scenarios x 1 point x 2 seeds = 4 runs of 3 months"
    recorded = manifest["experiment"]
    assert (recorded["seeds"], recorded["steps"], recorded["constants"]) == ([1, 2], 3, {"community.residents": 60})
    assert manifest["overrides"] == {"seeds": 2, "steps": 3, "set": {"community.residents": 60}}
    assert " ".join(SHRUNK) in manifest["command"]
    tables = storage.load(out)
    assert sorted(tables.runs["seed"].unique()) == [1, 2]
    assert tables.steps.groupby("run_id")["step"].max().eq(3).all()
    # The households' number is part of every run's identity: these are the runs of 60 households, not of the file's 100.
    assert sorted(tables.runs["run_id"]) == planned_ids(path, 2, 3, {"community.residents": 60})
    assert set(tables.runs["run_id"]).isdisjoint(planned_ids(path, 2, 3, {}))


def test_a_shrunk_folder_resumes_only_with_the_same_overrides(shrunk, capsys):
    path, out = shrunk
    sessions = len(json.loads((out / "manifest.json").read_text())["sessions"])
    for changed in (["--seeds", "3", "--steps", "3", "--set", "community.residents=60"],
                    ["--seeds", "2", "--steps", "4", "--set", "community.residents=60"],
                    ["--seeds", "2", "--steps", "3", "--set", "community.residents=70"],
                    []):  # the file's own experiment
        line = error_line(capsys, ["batch", str(path), *changed, "--out", str(out), "--workers", "1", "--quiet"])
        assert "holds results of a different experiment" in line and "the same command as before to resume" in line, line
    assert len(json.loads((out / "manifest.json").read_text())["sessions"]) == sessions  # refused before a session began
    assert main(["batch", str(path), *SHRUNK, "--out", str(out), "--workers", "1", "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][-1]["stored"] == 0 and manifest["completed_runs"] == 4  # nothing computed twice


@pytest.mark.parametrize("option", [
    ["--seeds", "0"],
    ["--seeds", str(experiment.MAX_SEEDS + 1)],
    ["--steps", "0"],
    ["--set", "trust.gain_rat=0.1"],
    ["--set", "community.residents=-4"],
    ["--set", "residents"],
], ids=lambda option: " ".join(option))
def test_bad_sizes_are_refused_as_compare_refuses_them(tmp_path, capsys, option):
    path = write_experiment(tmp_path / "e.toml")
    from_batch = error_line(capsys, ["batch", str(path), *option, "--out", str(tmp_path / "batch")])
    from_compare = error_line(capsys, ["compare", "paternalistic", *option, "--out", str(tmp_path / "compare")])
    assert from_batch == from_compare
    assert from_batch.startswith(f"error: {option[0]}: "), from_batch
    assert not (tmp_path / "batch").exists()


def test_set_cannot_fix_a_parameter_the_experiment_varies(tmp_path, capsys):
    path = write_experiment(tmp_path / "e.toml", tables={"levers": {"policy.outreach": [0.0, 0.2]}})
    line = error_line(capsys, ["batch", str(path), "--set", "policy.outreach=0.1", "--out", str(tmp_path / "out")])
    assert line.startswith("error: --set: policy.outreach: is varied in [levers] of ") and "(accepted: " in line, line


def test_seeds_must_match_the_points_when_each_point_has_its_own_seed(tmp_path, capsys):
    path = write_experiment(tmp_path / "e.toml", scenarios=("paternalistic",), seeds=[7, 3, 11],
                            tables={"levers": {"policy.outreach": [0.0, 0.2, 0.4]}, "sampling": {"pairing": "one seed per point"}})
    line = error_line(capsys, ["batch", str(path), "--seeds", "2", "--out", str(tmp_path / "out")])
    assert line.startswith("error: --seeds: 2 seeds for 3 points") and "--seeds 3" in line, line
