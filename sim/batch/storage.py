"""The results folder's tables: Parquet written as runs finish, and nothing lost when a batch is killed.

Layout of a results folder::

    runs/part-000001.parquet      one row per run: run_id, scenario, point, seed, status, error,
                                  traceback, wall_seconds, worker, finished, one column per varied parameter
    steps/part-000001.parquet     one row per run and month: run_id, step, one column per outcome
    pending/part-000002.arrows    write-ahead log of the part being filled
    compacting.json               present only while parts are being merged
    .lock                         held by the process writing the folder

``pending/`` and ``.lock`` exist only while a batch writes the folder (or
after one was killed): a batch that ends, complete or interrupted, removes
them, and nothing that reads a folder needs them.

**Writing.** A finished run is appended to the write-ahead log, an Arrow IPC
stream, as one message holding its runs row and its whole time series, and
handed to the operating system at once. A run is therefore stored entirely or
not at all, even under ``kill -9``. Every ``rollover_runs`` runs or
``rollover_seconds`` the log becomes a pair of Parquet parts (steps first,
then runs; each written under a temporary name and renamed), and when a batch
completes all parts are merged into one pair, streaming one part at a time so
memory stays small. A part's runs file is its commit mark: steps without it
do not count.

**Recovering** (on opening a folder to resume): an interrupted merge is
finished or undone (``compacting.json`` says which parts it was merging); a
log whose runs part already exists was converted and is deleted; any other
log is converted from its complete messages (a half-written last message is
dropped, and that run will be computed again); steps parts without a runs
part are deleted. Readers (:func:`load`) apply the same rules without
changing any file, so a report can be made while a batch is running. A run id
found in more than one part counts once, from the newest part.

A damaged part or journal (garbage, truncated) is refused with a UserError
that names the file and what to delete; nothing is deleted for it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.batch.plan import RunSpec
from sim.batch.worker import RunResult
from sim.errors import UserError
from sim.parameters import Param

RUN_FIELDS: tuple[tuple[str, pa.DataType], ...] = (
    ("run_id", pa.string()),
    ("scenario", pa.string()),
    ("point", pa.int32()),
    ("seed", pa.int64()),
    ("status", pa.string()),
    ("error", pa.string()),
    ("traceback", pa.string()),
    ("wall_seconds", pa.float64()),
    ("worker", pa.string()),
    ("finished", pa.string()),
)
"""The runs table's fixed columns; one column per varied parameter follows."""

PART = re.compile(r"part-(\d{6})\.(parquet|arrows)$")
JOURNAL = "compacting.json"


def arrow_type(param: Param) -> pa.DataType:
    """The column type for a parameter's values."""
    default = param.default
    if isinstance(default, bool):
        return pa.bool_()
    if isinstance(default, int):
        return pa.int64()
    if isinstance(default, float):
        return pa.float64()
    if isinstance(default, tuple):
        return pa.list_(pa.float64())
    return pa.string()


@dataclass(frozen=True)
class Layout:
    """What a folder's tables hold: the varied parameters' columns and the outcome columns."""

    params: tuple[tuple[str, pa.DataType], ...]
    outcomes: tuple[str, ...]

    def log_schema(self) -> pa.Schema:
        return pa.schema([*RUN_FIELDS, *self.params, ("step", pa.list_(pa.int32())), *((o, pa.list_(pa.float64())) for o in self.outcomes)])


# -- writing -------------------------------------------------------------------------------


class ResultStore:
    """The writer of a results folder's tables (one per folder at a time: it holds the folder's lock)."""

    def __init__(self, folder: Path, layout: Layout, rollover_runs: int = 1000, rollover_seconds: float = 600.0):
        self.folder = folder
        self.layout = layout
        self.schema = layout.log_schema()
        self.rollover_runs = rollover_runs
        self.rollover_seconds = rollover_seconds
        self._lock = FolderLock(folder)
        self._log: IO[bytes] | None = None
        self._writer: pa.ipc.RecordBatchStreamWriter | None = None
        self._log_number = 0
        self._log_runs = 0
        self._log_started = 0.0
        self.completed: dict[str, str] = {}

    def open(self) -> ResultStore:
        """Lock the folder, recover from any interrupted session, and read which runs are stored."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock.acquire()
        try:
            # Only once locked: a batch that is finishing removes an empty pending/ while it still holds the lock.
            for name in ("runs", "steps", "pending"):
                (self.folder / name).mkdir(exist_ok=True)
            recover(self.folder)
            runs = _read_runs(self.folder, columns=["run_id", "status"])
            self.completed = dict(zip(runs["run_id"], runs["status"], strict=True))
        except BaseException:
            with contextlib.suppress(OSError):  # refused (a damaged file): leave no empty pending/ behind, as close() would not
                (self.folder / "pending").rmdir()
            self._lock.release()
            raise
        return self

    def add(self, spec: RunSpec, result: RunResult) -> None:
        """Store one finished run (durable when this returns, short of the machine losing power)."""
        if self._writer is None:
            self._start_log()
        assert self._writer is not None and self._log is not None
        row: dict[str, list[Any]] = {
            "run_id": [spec.run_id],
            "scenario": [spec.scenario],
            "point": [spec.point],
            "seed": [spec.seed],
            "status": [result.status],
            "error": [result.error],
            "traceback": [result.traceback],
            "wall_seconds": [result.wall_seconds],
            "worker": [result.worker],
            "finished": [datetime.now(UTC).isoformat(timespec="milliseconds")],
        }
        for name, _ in self.layout.params:
            row[name] = [spec.overrides.get(name)]
        row["step"] = [result.step]
        for name in self.layout.outcomes:
            row[name] = [result.values.get(name, result.step[:0].astype("float64"))]
        self._writer.write_batch(pa.RecordBatch.from_pydict(row, schema=self.schema))
        self._log.flush()
        self.completed[spec.run_id] = result.status
        self._log_runs += 1
        if self._log_runs >= self.rollover_runs or time.monotonic() - self._log_started >= self.rollover_seconds:
            self.roll()

    def roll(self) -> None:
        """Turn the current write-ahead log into a pair of Parquet parts."""
        if self._writer is None:
            return
        assert self._log is not None
        self._writer.close()
        self._log.close()
        self._writer = self._log = None
        _convert_log(self.folder, self._log_number)

    def compact(self) -> None:
        """Merge every part into one (after a batch completes)."""
        self.roll()
        compact(self.folder)

    def close(self) -> None:
        """Convert the log, remove the empty ``pending/`` and release the folder (removing its lock file)."""
        try:
            self.roll()
            with contextlib.suppress(OSError):  # not empty: a log that could not be converted stays for the next session
                (self.folder / "pending").rmdir()
        finally:
            self._lock.release()

    def _start_log(self) -> None:
        self._log_number = _next_number(self.folder)
        self._log = (self.folder / "pending" / f"part-{self._log_number:06d}.arrows").open("wb")
        self._writer = pa.ipc.new_stream(self._log, self.schema)
        self._log.flush()
        self._log_runs = 0
        self._log_started = time.monotonic()


_HELD: set[int] = set()
"""File descriptors of the locks this process holds."""


def _forget_locks_in_child() -> None:
    """A forked worker must not keep the folder locked after the batch that holds it dies."""
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)  # the parent's lock stays: flock belongs to the open file, released when its last descriptor closes
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_in_child)


class FolderLock:
    """An exclusive lock on a results folder's ``.lock`` file, released by the OS if the process dies.

    The holder removes the file when it releases the lock, so a finished
    folder keeps none. Another batch may have opened the file just before
    it was removed and then get the lock on a file that no longer is the
    folder's: :meth:`acquire` checks, once locked, that its file is still
    the one at ``.lock``, and otherwise tries again, so two batches never
    both hold a folder.
    """

    def __init__(self, folder: Path):
        self.path = folder / ".lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        while True:
            handle = self.path.open("a+")
            try:
                _lock_file(handle)
            except OSError:
                handle.close()
                raise UserError(f"{self.path.parent}: another batch is writing to this folder (accepted: wait for it to finish, or choose another --out)") from None
            if _is_current(handle, self.path):
                break
            _unlock_file(handle)  # the batch that held it finished and removed it: lock the file now at .lock
            handle.close()
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        _HELD.add(handle.fileno())

    def release(self) -> None:
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        _HELD.discard(handle.fileno())
        if os.name != "nt":  # removed while still held, so whoever opened it meanwhile sees it is stale (acquire)
            self.path.unlink(missing_ok=True)
        _unlock_file(handle)
        handle.close()
        if os.name == "nt":  # Windows cannot remove an open file: removed after closing, and left if another batch has it open
            with contextlib.suppress(OSError):
                self.path.unlink()

    def held_elsewhere(self) -> bool:
        """True when another process holds the lock (a batch is writing now); never creates the lock file."""
        try:
            handle = self.path.open("r")
        except FileNotFoundError:
            return False
        with handle:
            try:
                _lock_file(handle)
            except OSError:
                return True
            _unlock_file(handle)
            return False


def _is_current(handle: IO[str], path: Path) -> bool:
    """True when the open ``handle`` is the file now at ``path`` (not one removed since it was opened)."""
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(handle.fileno())
    return (opened.st_dev, opened.st_ino) == (now.st_dev, now.st_ino)


def _lock_file(handle: IO[str]) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_file(handle: IO[str]) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# -- recovery and compaction ---------------------------------------------------------------------


def recover(folder: Path) -> None:
    """Bring a folder left by an interrupted session to a consistent state (see the module docstring)."""
    journal = folder / JOURNAL
    if journal.exists():
        into, parts = _read_journal(journal)
        if _part(folder, "runs", into).exists():
            for kind in ("runs", "steps"):
                for number in parts:
                    _part(folder, kind, number).unlink(missing_ok=True)
        else:
            _part(folder, "steps", into).unlink(missing_ok=True)
        journal.unlink()
    for number in _numbers(folder, "pending"):
        if _part(folder, "runs", number).exists():
            _log_path(folder, number).unlink()
        else:
            _convert_log(folder, number)
    runs = set(_numbers(folder, "runs"))
    for number in _numbers(folder, "steps"):
        if number not in runs:
            _part(folder, "steps", number).unlink()
    for kind in ("runs", "steps"):
        for leftover in (folder / kind).glob("*.tmp"):
            leftover.unlink()


def _read_journal(journal: Path) -> tuple[int, list[int]]:
    """The merge a journal describes: (the part merged into, the parts merged); a UserError if it is damaged.

    Deleting a damaged journal is safe, and is left to the user rather than done here: without it the
    module docstring's reading rules still hold (a merged part is the newest, so each run counts once from it; its steps without
    runs are dropped), and the next batch that completes merges again.
    """
    try:
        plan = json.loads(journal.read_text())
        into, parts = int(plan["into"]), [int(p) for p in plan["parts"]]
    except (ValueError, KeyError, TypeError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise UserError(f"{journal}: damaged merge journal ({_one_line(error)}) (accepted: delete it and run the same command again; "
                        f"no stored run is lost, and the parts are merged again when the batch completes)") from None
    return into, parts


def compact(folder: Path) -> None:
    """Merge all committed parts into one pair of files (each run once), journaled so a kill cannot lose or double runs."""
    parts = _numbers(folder, "runs")
    if len(parts) <= 1:
        return
    into = _next_number(folder)
    journal = folder / JOURNAL
    tables = [_read_part(folder, "runs", number) for number in parts]  # before the journal: a damaged part stops nothing half-done
    _write_json(journal, {"into": into, "parts": parts})
    runs = pa.concat_tables(tables)
    part_of = pa.array([number for number, table in zip(parts, tables, strict=True) for _ in range(table.num_rows)], pa.int64())
    keep = pd.DataFrame({"run_id": runs["run_id"].to_pandas(), "_part": part_of.to_numpy()}).drop_duplicates("run_id", keep="last")
    runs = runs.take(pa.array(keep.index.to_numpy()))
    chosen = pa.table({"run_id": pa.array(keep["run_id"].to_numpy(), pa.string()), "_part": pa.array(keep["_part"].to_numpy(), pa.int64())})
    target = _part(folder, "steps", into)
    tmp = target.with_suffix(".parquet.tmp")
    writer = None
    for number in parts:
        table = _read_part(folder, "steps", number)
        keep = pc.is_in(table["run_id"], value_set=pc.filter(chosen["run_id"], pc.equal(chosen["_part"], number)))
        table = table.filter(keep)
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()
    os.replace(tmp, target)
    _write_parquet(runs, _part(folder, "runs", into))
    for kind in ("runs", "steps"):
        for number in parts:
            _part(folder, kind, number).unlink()
    journal.unlink()


def _convert_log(folder: Path, number: int) -> None:
    """Write log ``number``'s complete records as Parquet parts, then delete the log."""
    log = _log_path(folder, number)
    table = read_log(log)
    if table is not None and table.num_rows:
        runs, steps = split_log(table)
        _write_parquet(steps, _part(folder, "steps", number))
        _write_parquet(runs, _part(folder, "runs", number))
    log.unlink()


# -- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tables:
    """A folder's tables as pandas frames (each run once)."""

    runs: pd.DataFrame
    steps: pd.DataFrame


def load(folder: Path) -> Tables:
    """Every stored run and its months, read without changing any file (safe while a batch writes)."""
    runs = _read_runs(folder, with_part=True)
    chosen = dict(zip(runs["run_id"], runs["_part"], strict=True))
    frames = []
    sources = [(n, "parquet") for n in _committed(folder)] + [(n, "log") for n in _pending_only(folder)]
    for number, kind in sources:
        ids = [run_id for run_id, part in chosen.items() if part == number]
        if not ids:
            continue
        if kind == "parquet":
            table = _read_part(folder, "steps", number)
        else:
            log = read_log(_log_path(folder, number))
            if log is None:
                continue
            table = split_log(log)[1]
        table = table.filter(pc.is_in(table["run_id"], value_set=pa.array(ids, pa.string())))
        frames.append(table.to_pandas())
    steps = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"run_id": pd.Series(dtype=str), "step": pd.Series(dtype="int32")})
    steps = steps.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)
    runs = runs.drop(columns="_part").sort_values("run_id", kind="stable").reset_index(drop=True)
    return Tables(runs, steps)


def read_log(path: Path) -> pa.Table | None:
    """The complete records of a write-ahead log (a half-written last record is left out); None if it holds no schema yet."""
    batches = []
    try:
        with path.open("rb") as handle:
            try:
                reader = pa.ipc.open_stream(handle)
            except (pa.ArrowInvalid, OSError):
                return None
            schema = reader.schema
            while True:
                try:
                    batches.append(reader.read_next_batch())
                except StopIteration:
                    break
                except (pa.ArrowInvalid, OSError):  # killed mid-write: the last record is incomplete
                    break
    except FileNotFoundError:  # converted by the writer meanwhile
        return None
    return pa.Table.from_batches(batches, schema=schema)


def split_log(table: pa.Table) -> tuple[pa.Table, pa.Table]:
    """A log's records as a runs table and a long steps table (run_id, step, outcomes)."""
    names = table.schema.names
    first_list = names.index("step")
    runs = table.select(names[:first_list])
    outcomes = names[first_list + 1 :]
    lengths = pc.list_value_length(table["step"])
    for name in outcomes:
        if not pc.all(pc.or_(pc.equal(pc.list_value_length(table[name]), lengths), pc.equal(pc.list_value_length(table[name]), 0))).as_py():
            raise ValueError(f"outcome {name!r} does not have one value per month")
    parent = pc.list_parent_indices(table["step"])
    steps = {"run_id": pc.take(table["run_id"], parent), "step": pc.list_flatten(table["step"])}
    for name in outcomes:
        steps[name] = pc.list_flatten(table[name])
    return runs, pa.table(steps)


def has_results(folder: Path) -> bool:
    """True when the folder has any stored or pending tables."""
    return bool(_numbers(folder, "runs") or _numbers(folder, "pending"))


def _read_runs(folder: Path, numbers: list[int] | None = None, columns: list[str] | None = None, with_part: bool = False) -> pd.DataFrame:
    frames = []
    parts = numbers if numbers is not None else _committed(folder)
    for number in parts:
        frame = _read_part(folder, "runs", number, columns=columns).to_pandas()
        frame["_part"] = number
        frames.append(frame)
    if numbers is None:
        for number in _pending_only(folder):
            log = read_log(_log_path(folder, number))
            if log is None or not log.num_rows:
                continue
            frame = split_log(log)[0].to_pandas()
            frame = frame if columns is None else frame[columns]
            frame["_part"] = number
            frames.append(frame)
    if not frames:
        empty = pd.DataFrame({name: pd.Series(dtype=object) for name, _ in RUN_FIELDS})
        empty = empty if columns is None else empty[columns]
        empty["_part"] = pd.Series(dtype="int64")
        frames = [empty]
    runs = pd.concat(frames, ignore_index=True)
    runs = runs.sort_values("_part", kind="stable").drop_duplicates("run_id", keep="last")
    return runs if with_part else runs.drop(columns="_part")


def _committed(folder: Path) -> list[int]:
    return _numbers(folder, "runs")


def _pending_only(folder: Path) -> list[int]:
    committed = set(_committed(folder))
    return [n for n in _numbers(folder, "pending") if n not in committed]


def _numbers(folder: Path, kind: str) -> list[int]:
    directory = folder / kind
    if not directory.is_dir():
        return []
    found = (PART.match(path.name) for path in directory.iterdir())
    return sorted(int(m.group(1)) for m in found if m)


def _next_number(folder: Path) -> int:
    return 1 + max((n for kind in ("runs", "steps", "pending") for n in _numbers(folder, kind)), default=0)


def _part(folder: Path, kind: str, number: int) -> Path:
    return folder / kind / f"part-{number:06d}.parquet"


def _read_part(folder: Path, kind: str, number: int, columns: list[str] | None = None) -> pa.Table:
    """A committed Parquet part, or a UserError naming it and how to recover if it is damaged (garbage, truncated)."""
    path = _part(folder, kind, number)
    try:
        return pq.read_table(path, columns=columns)
    except (pa.ArrowException, OSError) as error:
        if isinstance(error, OSError) and type(error) is not OSError:  # missing or not readable (FileNotFoundError, ...): not damage, so its own error
            raise
        # Both files go: a runs part without its steps would count its runs as done with no months; steps without runs are dropped anyway.
        pair = " and ".join(str(_part(folder, k, number)) for k in ("runs", "steps"))
        reason = _one_line(error).removeprefix(f"Could not open Parquet input source '{path}': ")  # the path is said once, first
        raise UserError(f"{path}: damaged Parquet part ({reason}) (accepted: delete {pair}, then run the same command with the same --out "
                        f"to compute their runs again; or a new --out)") from None


def _one_line(error: BaseException, limit: int = 160) -> str:
    """An exception's message as one short line, for a UserError."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _log_path(folder: Path, number: int) -> Path:
    return folder / "pending" / f"part-{number:06d}.arrows"


def _write_parquet(table: pa.Table, path: Path) -> None:
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    os.replace(tmp, path)
