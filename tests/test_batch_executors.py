"""Executors: the same numbers in this process, on a process pool, on a Dask LocalCluster and on an existing Dask cluster;
a run that raises is recorded, a worker that dies costs nothing."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal

import pandas as pd
import pytest

from sim.batch import worker
from sim.batch.executors import ALLOWED_CRASHES, Lost, ProcessExecutor, SerialExecutor, make_executor
from sim.batch.runner import run_batch
from sim.batch.worker import RunResult
from sim.cli import main
from tests.batch_runs import cli, comparable, make_plan, write_experiment


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """12 short runs with a lever, and their results computed one by one in this process."""
    folder = tmp_path_factory.mktemp("executors")
    path = write_experiment(folder / "tiny.toml", seeds=3, steps=24, tables={"levers": {"policy.outreach": [0.0, 0.3]}})
    reference = folder / "serial"
    assert run_batch(make_plan(path), reference, SerialExecutor(), quiet=True).complete
    return path, reference


def assert_same_numbers(folder, reference) -> None:
    runs, steps = comparable(folder)
    expected_runs, expected_steps = comparable(reference)
    assert len(runs) == 12 and (runs["status"] == "ok").all()
    pd.testing.assert_frame_equal(runs, expected_runs, check_exact=True)
    pd.testing.assert_frame_equal(steps, expected_steps, check_exact=True)


def test_process_pool_with_two_and_three_workers(tiny, tmp_path):
    path, reference = tiny
    for workers in (2, 3):
        out = tmp_path / f"pool{workers}"
        executor = make_executor("process", workers, None)
        assert isinstance(executor, ProcessExecutor)
        assert run_batch(make_plan(path), out, executor, quiet=True).complete
        assert_same_numbers(out, reference)
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["sessions"][0]["workers"] == workers
        assert len({w.split(":")[1] for w in pd.read_parquet(out / "runs")["worker"]}) > 1  # the runs really were spread


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_every_way_of_starting_workers(tiny, tmp_path, method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    path, reference = tiny
    out = tmp_path / method
    executor = ProcessExecutor(2, method)
    assert run_batch(make_plan(path), out, executor, quiet=True).complete
    assert executor.started_with == method
    assert_same_numbers(out, reference)


def test_dask_local_cluster(tiny, tmp_path):
    path, reference = tiny
    out = tmp_path / "dask"
    result = cli("batch", path, "--executor", "dask", "--workers", "2", "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    assert_same_numbers(out, reference)
    assert json.loads((out / "manifest.json").read_text())["sessions"][0]["executor"] == "dask"


def test_dask_existing_cluster(tiny, tmp_path):
    """A cluster started elsewhere (as dask-jobqueue would), reached with --scheduler."""
    distributed = pytest.importorskip("distributed")
    path, reference = tiny
    out = tmp_path / "cluster"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1") as cluster:
        result = cli("batch", path, "--executor", "dask", "--scheduler", cluster.scheduler_address, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    assert_same_numbers(out, reference)
    assert json.loads((out / "manifest.json").read_text())["sessions"][0]["scheduler"].startswith("tcp://127.0.0.1:")


def test_a_run_that_raises_is_recorded_and_the_batch_goes_on(tmp_path, capsys, monkeypatch):
    """A run that raises is stored as failed. (Bad input files no longer make one: they are refused before the first run,
    tests/test_batch_inputs.py; so the model is made to fail here, for one scenario, in this process.)"""
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "Broken"\n[policy]\nname = "co_design"\n')
    real_model = worker.HousingModel

    def model(scenario, **kwargs):
        if scenario.name == "Broken":
            raise RuntimeError("cannot read the estate's records in estate.graphml (a test)")
        return real_model(scenario, **kwargs)

    monkeypatch.setattr(worker, "HousingModel", model)
    path = write_experiment(tmp_path / "e.toml", scenarios=("paternalistic", str(broken)), seeds=2, steps=6)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--workers", "1", "--out", str(out), "--quiet"]) == 1
    assert "2 runs failed" in capsys.readouterr().err
    runs = pd.read_parquet(out / "runs")
    failed = runs[runs["scenario"] == "broken"]
    assert list(failed["status"]) == ["failed", "failed"]
    assert failed["error"].str.contains("estate.graphml").all()
    assert failed["traceback"].str.contains("Traceback").all()
    assert (runs[runs["scenario"] == "paternalistic"]["status"] == "ok").all()
    report = (out / "report.md").read_text()
    assert "## Failed runs" in report and "cannot read the estate's records" in report
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["status"], manifest["completed_runs"], manifest["failed_runs"]) == ("complete", 4, 2)


def test_a_worker_that_dies_costs_no_run(tiny):
    """kill -9 one pool worker mid-batch: its runs are retried on a new pool, every run comes back once."""
    path, _ = tiny
    plan = make_plan(path)
    tasks = [plan.task(r) for r in plan.runs]
    executor = ProcessExecutor(2)
    outcomes = []
    with executor:
        for outcome in executor.run(plan.groups(plan.runs)):
            outcomes.append(outcome)
            if len(outcomes) == 2:
                victim = next(iter(executor._pool._processes))
                os.kill(victim, signal.SIGKILL)
    assert all(isinstance(o, RunResult) and o.status == "ok" for o in outcomes), [o for o in outcomes if isinstance(o, Lost)]
    assert sorted(o.run_id for o in outcomes) == sorted(r.run_id for r in plan.runs)
    serial = {o.run_id: o for o in SerialExecutor().run([tasks[:3]])}
    for o in outcomes:
        if o.run_id in serial:
            pd.testing.assert_frame_equal(pd.DataFrame(o.values), pd.DataFrame(serial[o.run_id].values), check_exact=True)


def test_a_group_that_kills_its_worker_is_lost_and_only_it(tiny, monkeypatch):
    """A run that kills its worker every time: its group's runs are lost, each reported once, after ALLOWED_CRASHES tries;
    the groups that were on the pool with it are retried alone, so they are stored."""
    path, _ = tiny
    plan = make_plan(path)
    real_model = worker.HousingModel

    def model(scenario, **kwargs):
        if kwargs["rng"] == 2:
            os._exit(1)
        return real_model(scenario, **kwargs)

    monkeypatch.setattr(worker, "HousingModel", model)
    with ProcessExecutor(2, "fork") as executor:  # forked: the workers have the deadly model too
        outcomes = list(executor.run(plan.groups(plan.runs)))
    assert sorted(o.run_id for o in outcomes) == sorted(r.run_id for r in plan.runs)
    lost = [o for o in outcomes if isinstance(o, Lost)]
    assert {o.run_id for o in lost} == {r.run_id for r in plan.runs if r.seed == 2}
    assert all(f"died {ALLOWED_CRASHES} times" in o.reason for o in lost)
    assert all(o.status == "ok" for o in outcomes if isinstance(o, RunResult))
