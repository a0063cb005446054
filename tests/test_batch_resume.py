"""A batch killed part-way (kill -9, Ctrl-C) resumes when rerun: every run there, none twice, the same numbers."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from sim.batch import report, storage
from sim.batch.executors import SerialExecutor
from sim.batch.runner import run_batch
from sim.errors import UserError
from tests.batch_runs import ROOT, cli, comparable, make_plan, physical_run_ids, write_experiment

RUNS = 2 * 12
AS_IN_A_TERMINAL = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'run.py'; runpy.run_path('run.py', run_name='__main__')"
)
"""``python run.py ARGS`` as a terminal starts it, with Ctrl-C's default handling: a test suite started in the background
(``nohup pytest &``) passes its children SIGINT ignored, as POSIX shells do for background jobs, and Ctrl-C would never arrive."""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """~20 short runs (100 households, 120 months) and their results from one uninterrupted session in this process."""
    folder = tmp_path_factory.mktemp("resume")
    path = write_experiment(folder / "tiny.toml", seeds=12, steps=120)
    reference = folder / "reference"
    outcome = run_batch(make_plan(path), reference, SerialExecutor(), quiet=True)
    assert outcome.complete and outcome.stored == RUNS
    return path, reference


def stored(folder) -> int:
    return len(storage.load(folder).runs) if (folder / "runs").exists() else 0


def start_and_stop(path, out, how: signal.Signals) -> tuple[int, str, int, list[psutil.Process]]:
    """Start the batch on two workers, wait until a few runs are stored, then send ``how``.

    Returns the exit status, stderr, the runs stored when it ended, and the worker processes it had.
    """
    process = subprocess.Popen([sys.executable, "-c", AS_IN_A_TERMINAL, "batch", str(path), "--out", str(out), "--workers", "2", "--quiet"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while stored(out) < 4:
        assert process.poll() is None, f"the batch ended before it could be stopped: {process.communicate()[1]}"
        assert time.monotonic() < deadline, "no run was stored in time"
        time.sleep(0.05)
    children = psutil.Process(process.pid).children(recursive=True)
    signals = _signal_masks(process.pid)
    process.send_signal(how)
    _, err = process.communicate(timeout=60)
    return process.returncode, err or f"(nothing on stderr; the batch's signal masks when {how.name} was sent: {signals})", stored(out), children


def _signal_masks(pid: int) -> str:
    """The process's blocked, ignored and caught signal masks (Linux /proc), to tell a lost signal from a late one."""
    try:
        lines = (Path("/proc") / str(pid) / "status").read_text().splitlines()
    except OSError:
        return "unknown"
    return ", ".join(line for line in lines if line.startswith(("SigBlk", "SigIgn", "SigCgt", "Threads")))


def assert_complete_and_identical(out, reference, plan) -> None:
    ids = physical_run_ids(out)
    assert len(ids) == RUNS, "a run is missing or stored twice"
    assert sorted(ids) == sorted(r.run_id for r in plan.runs)
    runs, steps = comparable(out)
    expected_runs, expected_steps = comparable(reference)
    pd.testing.assert_frame_equal(runs, expected_runs, check_exact=True)
    pd.testing.assert_frame_equal(steps, expected_steps, check_exact=True)
    assert not steps.duplicated(["run_id", "step"]).any()


def assert_no_writer_files(folder) -> None:
    """A batch that ended, complete or interrupted, leaves neither its lock file nor an empty write-ahead folder."""
    assert not (folder / ".lock").exists()
    assert not (folder / "pending").exists()


def test_kill_9_part_way_then_rerun(tiny, tmp_path):
    path, reference = tiny
    out = tmp_path / "out"
    status, _, at_kill, children = start_and_stop(path, out, signal.SIGKILL)
    assert status == -signal.SIGKILL
    assert 4 <= at_kill < RUNS, at_kill
    _, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, f"worker processes outlived the killed batch: {alive}"
    analysis = report.build(out)  # what a killed batch holds can be reported on
    assert analysis.results.status() == "killed"
    assert f"killed: {at_kill} of {RUNS} runs stored" in (out / "report.md").read_text()

    result = cli("batch", path, "--out", out, "--workers", "2", "--quiet")
    assert result.returncode == 0, result.stderr
    assert_complete_and_identical(out, reference, make_plan(path))
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["status"] for s in manifest["sessions"]] == ["running", "complete"]  # the first session never got to say
    assert manifest["sessions"][1]["stored"] == RUNS - at_kill
    assert manifest["status"] == "complete" and manifest["completed_runs"] == RUNS
    assert (out / "report.md").stat().st_size > 0
    assert_no_writer_files(out)  # the killed session left them; the session that finished removed them


def test_ctrl_c_part_way_then_rerun(tiny, tmp_path):
    path, reference = tiny
    out = tmp_path / "out"
    status, err, _, children = start_and_stop(path, out, signal.SIGINT)
    assert status == 130, err
    assert "interrupted" in err and "run the same command again to resume" in err, err
    assert "Traceback" not in err
    _, alive = psutil.wait_procs(children, timeout=15)
    assert not alive
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    kept = stored(out)
    assert kept == manifest["completed_runs"] < RUNS
    assert_no_writer_files(out)

    result = cli("batch", path, "--out", out, "--workers", "2", "--quiet")
    assert result.returncode == 0, result.stderr
    assert_complete_and_identical(out, reference, make_plan(path))


def test_rerunning_a_complete_batch_computes_nothing(tiny):
    path, reference = tiny
    assert_no_writer_files(reference)
    outcome = run_batch(make_plan(path), reference, SerialExecutor(), quiet=True)
    assert (outcome.already_stored, outcome.stored, outcome.status) == (RUNS, 0, "complete")
    assert len(physical_run_ids(reference)) == RUNS
    assert_no_writer_files(reference)


def test_a_folder_is_only_resumed_by_the_same_experiment(tiny, tmp_path):
    _, reference = tiny
    other = write_experiment(tmp_path / "other.toml", seeds=3, steps=120)
    with pytest.raises(UserError, match="holds results of a different experiment"):
        run_batch(make_plan(other), reference, SerialExecutor(), quiet=True)
