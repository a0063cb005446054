"""``--executor slurm`` on a real Slurm: the same numbers as one worker, no run lost or stored twice when a job is cancelled,
a resume after the whole allocation ends, and no job left behind, after the end or Ctrl-C.

They need a Slurm that answers (``sinfo``). Without one, the session fixture starts the single-node cluster of
``experiments/local_slurm.sh`` (root, Debian's slurm-wlm and munge); if that cannot be had, the tests skip with how to get
it, or fail when Slurm is required: in CI (``CI`` set) and under ``.ci/run`` (``SHS_REQUIRE_SLURM=1``).
Select them with ``-m slurm``. Worker jobs take one core each, at most two at once.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from sim.batch import storage
from tests import waiting
from tests.batch_runs import ROOT, cli, comparable, physical_run_ids, write_experiment
from tests.test_batch_resume import AS_IN_A_TERMINAL

pytestmark = pytest.mark.slurm

SCRIPT = ROOT / "experiments" / "local_slurm.sh"
HOW = (f"install Slurm (on Debian: apt-get install -y slurm-wlm munge) and, as root, {SCRIPT.relative_to(ROOT)} start; "
       "or set SLURM_CONF to a Slurm that takes jobs")
RUNS = 2 * 2 * 10
"""Two scenarios, two outreach levels, ten seeds: long enough on two one-core jobs to act on the batch part-way."""
WAIT = 300
"""Seconds any awaited state may take at most, on a busy machine (an upper bound, not a pause)."""


@pytest.fixture(scope="session")
def slurm() -> Iterator[None]:
    """A Slurm that takes jobs: the one configured here, else the local single-node cluster, started if need be."""
    required = bool(os.environ.get("CI") or os.environ.get("SHS_REQUIRE_SLURM"))

    def missing(why: str) -> None:
        if required:
            pytest.fail(f"{why}; these tests must run here (CI or SHS_REQUIRE_SLURM is set). {HOW}", pytrace=False)
        pytest.skip(f"{why}. To run them: {HOW}")

    if shutil.which("sbatch") is None:
        missing("Slurm is not installed (no sbatch)")
    with pytest.MonkeyPatch.context() as patch:
        if not _answers():
            started = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, timeout=WAIT, check=False)
            if started.returncode != 0:
                missing(f"no Slurm answers and {SCRIPT.name} start failed: {started.stderr.strip()}")
            export = next((line for line in started.stdout.splitlines() if line.startswith("export SLURM_CONF=")), None)
            if export is None:
                missing(f"{SCRIPT.name} start printed no SLURM_CONF: {started.stdout}")
            patch.setenv("SLURM_CONF", export.partition("=")[2])  # the batches' sbatch, squeue and scancel inherit it
            if not _answers():
                missing(f"the local Slurm started but 'sinfo' does not answer (logs: {Path(export.partition('=')[2]).parent / 'log'})")
        yield


def _answers() -> bool:
    return subprocess.run(["sinfo", "--noheader"], capture_output=True, timeout=60, check=False).returncode == 0


@pytest.fixture(scope="module")
def experiment(tmp_path_factory, slurm):
    """The experiment and its results with ``--workers 1`` (the reference every Slurm batch must equal)."""
    folder = tmp_path_factory.mktemp("slurm")
    path = write_experiment(folder / "e.toml", seeds=10, steps=120, residents=600, tables={"levers": {"policy.outreach": [0.0, 0.3]}})
    reference = folder / "reference"
    result = cli("batch", path, "--workers", "1", "--out", reference, "--quiet", timeout=WAIT)
    assert result.returncode == 0, result.stderr
    return path, reference


@pytest.fixture
def jobs(tmp_path) -> tuple[str, Path]:
    """A job name of this test's own, so that its jobs can be told from any other's, in a --cluster-config file; and that file."""
    name = f"shs-test-{uuid.uuid4().hex[:8]}"
    config = tmp_path / "cluster.toml"
    config.write_text(f'[cluster]\njob-name = "{name}"\nlog-directory = "{tmp_path / "job-logs"}"\n')
    return name, config


def slurm_options(config: Path) -> list[str]:
    return ["--executor", "slurm", "--jobs", "2", "--cores-per-job", "1", "--memory", "1GB", "--walltime", "00:30:00", "--cluster-config", str(config)]


def queued(name: str, states: str | None = None) -> list[tuple[str, str]]:
    """(job id, state) of the jobs named ``name`` in ``states`` (e.g. PENDING,RUNNING; default: squeue's own, every job not yet ended)."""
    only = ["--states", states] if states else []
    listed = subprocess.run(["squeue", "--noheader", "--name", name, *only, "--format", "%i %T"], capture_output=True, text=True, timeout=60, check=True)
    return [tuple(line.split()) for line in listed.stdout.splitlines() if line.strip()]  # type: ignore[misc]


def running(name: str) -> list[str]:
    return [job for job, state in queued(name, "RUNNING")]


def stored(folder: Path) -> int:
    return len(storage.load(folder).runs) if (folder / "runs").exists() else 0


def wait_until(condition: Callable[[], bool], what: str, process: subprocess.Popen | None = None) -> None:
    """Poll until ``condition`` holds; fail after WAIT seconds, or at once if ``process`` (the batch) ends first."""
    waiting.wait_until(condition, what, WAIT, process)


def start(path: Path, out: Path, config: Path) -> subprocess.Popen:
    """``python run.py batch ... --executor slurm`` in the background, taking Ctrl-C as a terminal would."""
    return subprocess.Popen([sys.executable, "-c", AS_IN_A_TERMINAL, "batch", str(path), "--out", str(out), "--quiet", *slurm_options(config)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def part_way(process: subprocess.Popen, out: Path, name: str) -> None:
    """Wait until the batch is part-way: a few runs stored and a worker job running."""
    wait_until(lambda: stored(out) >= 2 and bool(running(name)), "a few runs stored while a worker job runs", process)


def assert_complete_and_identical(out: Path, reference: Path, path: Path) -> None:
    from tests.batch_runs import make_plan

    ids = physical_run_ids(out)
    assert sorted(ids) == sorted(r.run_id for r in make_plan(path).runs), "a run is missing or stored twice"
    runs, steps = comparable(out)
    expected_runs, expected_steps = comparable(reference)
    pd.testing.assert_frame_equal(runs, expected_runs, check_exact=True)
    pd.testing.assert_frame_equal(steps, expected_steps, check_exact=True)


def assert_no_job_left(name: str) -> None:
    """None of the batch's jobs pending or running now; and, once Slurm has finished killing them, none listed at all."""
    assert queued(name, "PENDING,RUNNING") == [], "the batch ended with worker jobs still queued or running"
    wait_until(lambda: queued(name) == [], f"the cancelled jobs '{name}' to leave squeue")


def test_the_same_numbers_as_one_worker_and_no_job_left(experiment, jobs, tmp_path):
    path, reference = experiment
    name, config = jobs
    out = tmp_path / "out"
    result = cli("batch", path, "--out", out, *slurm_options(config), timeout=WAIT)
    assert result.returncode == 0, result.stderr
    assert f"running on Slurm jobs '{name}': up to 2 of 1 core and 1GB for 00:30:00 each" in result.stdout
    assert_complete_and_identical(out, reference, path)
    assert_no_job_left(name)
    session = json.loads((out / "manifest.json").read_text())["sessions"][0]
    assert (session["executor"], session["jobs"], session["cores_per_job"], session["job_name"]) == ("slurm", 2, 1, name)
    # Only the batch process wrote the results folder: it holds what a one-worker batch's holds, the jobs' logs are elsewhere.
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in reference.iterdir())
    assert any((tmp_path / "job-logs").glob(f"{name}-*.err"))


def test_a_cancelled_job_loses_no_run(experiment, jobs, tmp_path):
    """scancel one worker job part-way: its runs go to another worker, and every run is stored once."""
    path, reference = experiment
    name, config = jobs
    out = tmp_path / "out"
    process = start(path, out, config)
    part_way(process, out, name)
    victim = running(name)[0]
    subprocess.run(["scancel", victim], check=True, timeout=60)
    _, err = process.communicate(timeout=WAIT)
    assert process.returncode == 0, err
    assert "lost" not in err, err
    assert_complete_and_identical(out, reference, path)
    assert_no_job_left(name)


def test_after_the_allocation_ends_the_same_command_resumes(experiment, jobs, tmp_path):
    """The batch killed (kill -9) and every worker job cancelled part-way, as when an allocation ends; the same command again finishes it."""
    path, reference = experiment
    name, config = jobs
    out = tmp_path / "out"
    process = start(path, out, config)
    part_way(process, out, name)
    process.kill()
    process.communicate(timeout=60)
    subprocess.run(["scancel", "--name", name], check=True, timeout=60)
    wait_until(lambda: queued(name) == [], "the cancelled jobs to leave squeue")
    kept = stored(out)
    assert 2 <= kept < RUNS, kept

    result = cli("batch", path, "--out", out, *slurm_options(config), timeout=WAIT)
    assert result.returncode == 0, result.stderr
    assert f"resuming: {kept} of {RUNS} runs already stored" in result.stdout
    assert_complete_and_identical(out, reference, path)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["status"] for s in manifest["sessions"]] == ["running", "complete"]  # the killed session never got to say
    assert manifest["sessions"][1]["stored"] == RUNS - kept
    assert_no_job_left(name)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_ctrl_c_or_sigterm_cancels_every_job(experiment, jobs, tmp_path, how):
    """Ctrl-C, or SIGTERM as Slurm sends a batch that runs in a job of its own at its time limit."""
    path, _ = experiment
    name, config = jobs
    out = tmp_path / "out"
    process = start(path, out, config)
    part_way(process, out, name)
    process.send_signal(how)
    _, err = process.communicate(timeout=WAIT)
    assert process.returncode == 130, err
    assert "run the same command again to resume" in err and "Traceback" not in err, err
    assert_no_job_left(name)


def test_a_job_slurm_refuses_is_one_line(slurm, jobs, tmp_path):
    path = write_experiment(tmp_path / "e.toml")
    name, config = jobs
    result = cli("batch", path, "--out", tmp_path / "out", *slurm_options(config), "--queue", "no-such-partition", timeout=WAIT)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        next(line for line in result.stderr.splitlines() if line.startswith("error: --executor slurm: Slurm refuses the worker jobs:"))]
    assert "no-such-partition" in result.stderr
    assert queued(name) == []


def test_jobs_that_cannot_be_submitted_stop_the_batch_with_one_line(slurm, jobs, tmp_path):
    """Slurm takes the job when asked (sbatch --test-only) but refuses every submission (a stand-in sbatch, e.g. as a
    submission limit would): the batch stops with one line instead of waiting forever for workers."""
    path = write_experiment(tmp_path / "e.toml")
    name, config = jobs
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "sbatch").write_text(f'#!/bin/sh\ncase "$1" in --test-only) exec {shutil.which("sbatch")} "$@";; esac\n'
                                 'echo "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy" >&2\nexit 1\n')
    (fake / "sbatch").chmod(0o755)
    environment = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "run.py", "batch", str(path), "--out", str(tmp_path / "out"), "--quiet", *slurm_options(config)],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and "cannot submit worker jobs" in lines[0] and "Job violates accounting/QOS policy" in lines[0], result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert queued(name) == []
