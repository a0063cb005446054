"""The results folder's tables: each run stored once, whatever point a session was killed at."""

from __future__ import annotations

import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.batch import storage
from sim.batch.plan import RunSpec
from sim.batch.storage import Layout, ResultStore
from sim.batch.worker import RunResult
from sim.errors import UserError
from tests.batch_runs import physical_run_ids

LAYOUT = Layout((("policy.outreach", pa.float64()),), ("trust_landlord", "cost"))
STEPS = 5


def spec(i: int) -> RunSpec:
    return RunSpec(f"run{i:04d}", "co_production", i % 3, i, {"policy.outreach": 0.1 * (i % 3)})


def result(i: int, status: str = "ok") -> RunResult:
    if status != "ok":
        return RunResult(f"run{i:04d}", status, 0.01, "here:1", error="ValueError: no", traceback="Traceback ...")
    step = np.arange(1, STEPS + 1, dtype=np.int32)
    return RunResult(f"run{i:04d}", "ok", 0.01, "here:1", step, {"trust_landlord": i + step / 10, "cost": 100.0 + i + 0 * step})


def store(folder, **options) -> ResultStore:
    return ResultStore(folder, LAYOUT, **options).open()


def fill(folder, runs, rollover_runs=1000, close=True) -> ResultStore:
    s = store(folder, rollover_runs=rollover_runs)
    for i in runs:
        s.add(spec(i), result(i, "failed" if i == 3 else "ok"))
    if close:
        s.close()
    return s


def abandon(s: ResultStore) -> None:
    """What ``kill -9`` leaves: no conversion and no end-of-stream mark in the log; the OS drops the lock."""
    s._log.close()
    s._writer = s._log = None
    s._lock.release()


def check(folder, expected: set[int]) -> None:
    tables = storage.load(folder)
    assert sorted(tables.runs["run_id"]) == sorted(f"run{i:04d}" for i in expected)
    ok = expected - {3}
    assert len(tables.steps) == STEPS * len(ok)
    assert not tables.steps.duplicated(["run_id", "step"]).any()
    for i in ok:
        rows = tables.steps[tables.steps["run_id"] == f"run{i:04d}"]
        np.testing.assert_allclose(rows["trust_landlord"], i + np.arange(1, STEPS + 1) / 10)
    failed = tables.runs[tables.runs["run_id"] == "run0003"]
    if 3 in expected:
        assert failed["status"].item() == "failed" and failed["error"].item() == "ValueError: no"


def test_runs_are_stored_in_parts_then_merged_into_one(tmp_path):
    s = fill(tmp_path, range(10), rollover_runs=3, close=False)
    assert len(list((tmp_path / "runs").glob("*.parquet"))) == 3  # 9 runs rolled over, 1 in the log
    check(tmp_path, set(range(10)))  # readers see the log too
    s.compact()
    s.close()
    assert len(list((tmp_path / "runs").glob("*.parquet"))) == 1
    assert len(list((tmp_path / "steps").glob("*.parquet"))) == 1
    assert not (tmp_path / "pending").exists()
    check(tmp_path, set(range(10)))
    assert sorted(physical_run_ids(tmp_path)) == sorted(f"run{i:04d}" for i in range(10))
    runs = pq.read_table(next((tmp_path / "runs").glob("*.parquet")))
    assert runs.schema.field("policy.outreach").type == pa.float64()
    assert runs.schema.field("point").type == pa.int32()


def test_resuming_knows_which_runs_are_stored(tmp_path):
    fill(tmp_path, range(4))
    again = store(tmp_path)
    assert set(again.completed) == {f"run{i:04d}" for i in range(4)}
    assert again.completed["run0003"] == "failed"
    again.close()


def test_a_log_cut_mid_record_keeps_the_complete_records(tmp_path):
    """What kill -9 leaves: a write-ahead log whose last record is half written."""
    s = fill(tmp_path, range(6), close=False)
    log = next((tmp_path / "pending").glob("*.arrows"))
    abandon(s)
    os.truncate(log, log.stat().st_size - 40)
    check(tmp_path, set(range(5)))  # readers already skip the broken record
    again = store(tmp_path)
    assert set(again.completed) == {f"run{i:04d}" for i in range(5)}
    assert not list((tmp_path / "pending").iterdir())  # converted to Parquet
    again.close()
    check(tmp_path, set(range(5)))


def test_a_log_already_converted_is_not_stored_twice(tmp_path):
    """Killed after writing a log's Parquet parts, before deleting the log."""
    s = fill(tmp_path, range(4), close=False)
    log = next((tmp_path / "pending").glob("*.arrows"))
    kept = log.read_bytes()
    s.close()  # converts the log and deletes it (and the then empty pending/)
    log.parent.mkdir()
    log.write_bytes(kept)
    check(tmp_path, set(range(4)))
    store(tmp_path).close()
    assert not log.exists()
    check(tmp_path, set(range(4)))
    assert len(physical_run_ids(tmp_path)) == 4


def test_steps_without_their_runs_part_do_not_count(tmp_path):
    """Killed between writing a part's steps and its runs: the log is still there and is converted again."""
    s = fill(tmp_path, range(4), close=False)
    log = next((tmp_path / "pending").glob("*.arrows"))
    number = int(log.stem.split("-")[1])
    abandon(s)
    _, steps = storage.split_log(storage.read_log(log))
    pq.write_table(steps.slice(0, 7), tmp_path / "steps" / f"part-{number:06d}.parquet")  # a partial steps part
    check(tmp_path, set(range(4)))
    store(tmp_path).close()
    check(tmp_path, set(range(4)))


def _two_parts(folder):
    fill(folder, range(3))
    fill(folder, range(3, 6))
    return sorted(int(p.stem.split("-")[1]) for p in (folder / "runs").glob("*.parquet"))


def test_an_interrupted_merge_is_finished(tmp_path):
    parts = _two_parts(tmp_path)
    into = max(parts) + 1
    for kind in ("runs", "steps"):  # the merged part was written; the old parts were not yet deleted
        merged = pa.concat_tables([pq.read_table(tmp_path / kind / f"part-{n:06d}.parquet") for n in parts])
        pq.write_table(merged, tmp_path / kind / f"part-{into:06d}.parquet")
    (tmp_path / storage.JOURNAL).write_text(json.dumps({"into": into, "parts": parts}))
    check(tmp_path, set(range(6)))  # readers count each run once even now
    store(tmp_path).close()
    assert not (tmp_path / storage.JOURNAL).exists()
    assert sorted(physical_run_ids(tmp_path)) == sorted(f"run{i:04d}" for i in range(6))
    check(tmp_path, set(range(6)))


def test_a_merge_interrupted_before_its_runs_part_is_undone(tmp_path):
    parts = _two_parts(tmp_path)
    into = max(parts) + 1
    merged = pa.concat_tables([pq.read_table(tmp_path / "steps" / f"part-{n:06d}.parquet") for n in parts])
    pq.write_table(merged, tmp_path / "steps" / f"part-{into:06d}.parquet")
    (tmp_path / storage.JOURNAL).write_text(json.dumps({"into": into, "parts": parts}))
    store(tmp_path).close()
    assert not (tmp_path / "steps" / f"part-{into:06d}.parquet").exists()
    assert len(physical_run_ids(tmp_path)) == 6
    check(tmp_path, set(range(6)))


def test_one_writer_per_folder(tmp_path):
    first = store(tmp_path)
    with pytest.raises(UserError, match="another batch is writing to this folder"):
        store(tmp_path)
    assert storage.FolderLock(tmp_path).held_elsewhere()
    first.close()
    assert not storage.FolderLock(tmp_path).held_elsewhere()
    store(tmp_path).close()


def test_a_closed_folder_keeps_no_lock_file_or_pending_folder(tmp_path):
    s = fill(tmp_path, range(4), close=False)
    assert (tmp_path / ".lock").exists() and (tmp_path / "pending").is_dir()  # while a batch writes
    s.close()
    assert not (tmp_path / ".lock").exists()
    assert not (tmp_path / "pending").exists()
    check(tmp_path, set(range(4)))  # readers need neither
    assert not storage.FolderLock(tmp_path).held_elsewhere()
    assert not (tmp_path / ".lock").exists()  # asking whether a batch writes does not make a lock file
    again = store(tmp_path)  # and a later session resumes as before
    assert set(again.completed) == {f"run{i:04d}" for i in range(4)}
    again.add(spec(4), result(4))
    again.close()
    check(tmp_path, set(range(5)))
    assert not (tmp_path / ".lock").exists() and not (tmp_path / "pending").exists()


def test_a_lock_file_removed_while_a_second_batch_opens_it_is_not_shared(tmp_path, monkeypatch):
    """The first batch finishes (removing .lock) after the second opened .lock but before it locked it.

    The second must end up holding the file now at .lock, so that a third batch is refused; locking the
    removed file would let the second and the third write the folder at once.
    """
    first = store(tmp_path)
    real_lock = storage._lock_file

    def first_finishes_then_lock(handle):
        if first._lock._handle is not None:
            first.close()
        real_lock(handle)

    monkeypatch.setattr(storage, "_lock_file", first_finishes_then_lock)
    second = store(tmp_path)
    monkeypatch.setattr(storage, "_lock_file", real_lock)
    assert (tmp_path / ".lock").exists()
    with pytest.raises(UserError, match="another batch is writing to this folder"):
        store(tmp_path)
    assert storage.FolderLock(tmp_path).held_elsewhere()
    second.close()
    assert not (tmp_path / ".lock").exists()
