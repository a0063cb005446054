"""A damaged results folder (a hand-edited manifest, a garbage Parquet part or merge journal, a figure left half-written
by a kill): every command that reads it says in one line which file is wrong and what to do, exits 2, and deletes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sim.batch import storage
from sim.cli import main
from sim.errors import UserError
from tests.batch_runs import cli, physical_run_ids, write_experiment

RUNS = 4  # 2 scenarios x 2 seeds


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, Path]:
    """A tiny finished batch (2 scenarios, 2 seeds, 3 months, 100 households): its experiment file and folder, to copy and damage."""
    where = tmp_path_factory.mktemp("damaged")
    path = write_experiment(where / "tiny.toml", seeds=2, steps=3)
    out = where / "intact"
    assert main(["batch", str(path), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    assert len(physical_run_ids(out)) == RUNS
    return path, out


def damaged(tiny: tuple[Path, Path], tmp_path: Path, damage: str) -> Path:
    """A copy of the tiny folder with one kind of damage."""
    out = tmp_path / "out"
    shutil.copytree(tiny[1], out)
    if damage == "manifest":
        manifest = json.loads((out / "manifest.json").read_text())
        del manifest["experiment"]  # once a KeyError
        (out / "manifest.json").write_text(json.dumps(manifest))
    elif damage in ("runs", "steps"):
        (out / damage / "part-000001.parquet").write_bytes(b"garbage")  # once pyarrow's ArrowInvalid
    elif damage == "journal":
        (out / storage.JOURNAL).write_text("{garbage")  # once a JSONDecodeError
    return out


def stored_files(out: Path) -> dict[str, bytes]:
    """The folder's data files and journal, to show that a refusal deleted or changed none of them."""
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file() and (p.parent.name in ("runs", "steps") or p.name == storage.JOURNAL)}


EXPECTED = {
    "manifest": ("manifest.json: damaged: it has no experiment", "restore manifest.json from a copy, or run the batch again with a new --out"),
    "runs": ("runs/part-000001.parquet: damaged Parquet part", "delete"),
    "steps": ("steps/part-000001.parquet: damaged Parquet part", "delete"),
    "journal": (f"{storage.JOURNAL}: damaged merge journal", "delete it and run the same command again"),
}


def assert_one_line(err: str, out: Path, damage: str) -> None:
    named, advice = EXPECTED[damage]
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"error: {out / named}"), err
    assert advice in err, err
    if damage in ("runs", "steps"):  # both files of the part, as deleting only one would leave runs without months
        assert f"delete {out / 'runs/part-000001.parquet'} and {out / 'steps/part-000001.parquet'}" in err, err


@pytest.mark.parametrize("damage", ["manifest", "runs", "steps"])
def test_report_names_the_damaged_file(tiny, tmp_path, damage):
    out = damaged(tiny, tmp_path, damage)
    before = stored_files(out)
    result = cli("report", out)
    assert result.returncode == 2, result.stderr
    assert_one_line(result.stderr, out, damage)
    assert stored_files(out) == before


def test_report_does_not_need_the_merge_journal(tiny, tmp_path, capsys):
    out = damaged(tiny, tmp_path, "journal")  # readers apply the recovery rules without it, so a report can be made
    assert main(["report", str(out)]) == 0
    assert (out / storage.JOURNAL).exists()


@pytest.mark.parametrize("damage", ["manifest", "runs", "steps", "journal"])
def test_resuming_names_the_damaged_file_and_its_advice_recovers(tiny, tmp_path, capsys, damage):
    path, intact = tiny
    out = damaged(tiny, tmp_path, damage)
    before = stored_files(out)
    capsys.readouterr()
    assert main(["batch", str(path), "--workers", "1", "--out", str(out), "--quiet"]) == 2
    assert_one_line(capsys.readouterr().err, out, damage)
    assert stored_files(out) == before  # nothing deleted behind the user's back
    assert not (out / ".lock").exists()
    if damage == "manifest":
        return  # its advice is a copy of the file or a new folder
    # Follow the advice: delete what the line names, then the same command recomputes what was lost.
    for name in ("runs/part-000001.parquet", "steps/part-000001.parquet") if damage in ("runs", "steps") else (storage.JOURNAL,):
        (out / name).unlink()
    assert main(["batch", str(path), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    assert sorted(physical_run_ids(out)) == sorted(physical_run_ids(intact))
    assert not (out / storage.JOURNAL).exists()


@pytest.mark.parametrize("damage", ["manifest", "runs"])
def test_ablate_and_sensitivity_into_a_damaged_folder_are_refused(tiny, tmp_path, capsys, damage):
    out = damaged(tiny, tmp_path, damage)
    before = stored_files(out)
    sensitivity = write_experiment(tmp_path / "sa.toml", scenarios=("co_production",), seeds=1, steps=3,
                                   tables={"levers": {"policy.outreach": {"low": 0.0, "high": 0.5}}, "sensitivity": {"trajectories": 2, "levels": 4}})
    for argv in (["ablate", "paternalistic", "co_production", "--seeds", "2", "--steps", "3", "--set", "community.residents=100"],
                 ["sensitivity", str(sensitivity)]):
        capsys.readouterr()
        assert main([*argv, "--workers", "1", "--out", str(out), "--quiet"]) == 2, argv
        assert_one_line(capsys.readouterr().err, out, damage)
        assert stored_files(out) == before


def test_a_damaged_part_met_while_merging_stops_the_merge_cleanly(tiny, tmp_path):
    out = damaged(tiny, tmp_path, "")
    for kind in ("runs", "steps"):  # a second part (the same runs again, as a resumed folder may hold): its one part under the next number
        shutil.copy(out / kind / "part-000001.parquet", out / kind / "part-000002.parquet")
    (out / "steps" / "part-000001.parquet").write_bytes(b"garbage")
    with pytest.raises(UserError, match=r"steps/part-000001\.parquet: damaged Parquet part"):
        storage.compact(out)
    assert (out / "runs" / "part-000002.parquet").exists()
    for kind in ("runs", "steps"):  # the advice
        (out / kind / "part-000001.parquet").unlink()
    storage.recover(out)  # what the next session does first: the half-done merge is undone
    assert not (out / storage.JOURNAL).exists() and not list(out.rglob("*.tmp"))
    assert len(storage.load(out).runs) == RUNS


def test_a_figure_left_half_written_by_a_kill_does_not_break_the_next_report(tiny, tmp_path, capsys):
    out = damaged(tiny, tmp_path, "")
    for name in ("timeseries", "finals"):  # once a FileNotFoundError: the stale name was written, renamed, then deleted again
        (out / "figures" / f"{name}.tmp.png").write_bytes(b"half a png")
    assert main(["report", str(out)]) == 0
    assert not list((out / "figures").glob("*.tmp.png"))
    assert (out / "figures" / "timeseries.png").read_bytes().startswith(b"\x89PNG")
