"""A batch from plan to stored results: skip what is stored, run the rest, store each run as it finishes.

Rerunning the same batch into the same folder resumes it: the runs already
stored are not computed again, and each run is stored once. Ctrl-C (or
SIGTERM, as a cluster's scheduler sends at a job's time limit) stops the
workers, keeps every finished run and marks the folder ``interrupted``; a
``kill -9`` loses at most the runs in progress: the groups of runs sharing a
burn-in that workers hold (see :mod:`sim.batch.storage`, :mod:`sim.batch.plan`).
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.batch import manifest as manifests
from sim.batch.executors import Executor, Lost
from sim.batch.plan import Plan
from sim.batch.storage import Layout, ResultStore, arrow_type


@dataclass
class BatchOutcome:
    """How a batch session ended."""

    folder: Path
    status: str
    planned: int
    already_stored: int
    stored: int
    failed: int
    lost: list[Lost] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return self.status == "complete"


def layout(plan: Plan) -> Layout:
    """The tables' columns for a plan: one per varied parameter, one per outcome."""
    e = plan.experiment
    return Layout(tuple((f.name, arrow_type(f.param)) for f in e.factors), e.outcomes)


def run_batch(plan: Plan, folder: Path, executor: Executor, kind: str = "batch", quiet: bool = False, extra: dict[str, Any] | None = None, rollover_runs: int = 1000) -> BatchOutcome:
    """Run every planned run not yet stored in ``folder``; see the module docstring."""
    clock = time.perf_counter()
    manifests.prepare_folder(folder)
    store = ResultStore(folder, layout(plan), rollover_runs=rollover_runs).open()
    try:
        manifest = manifests.begin(folder, plan, kind, executor.settings(), extra)
        already = sum(1 for r in plan.runs if r.run_id in store.completed)
        todo = [r for r in plan.runs if r.run_id not in store.completed]
        say = (lambda text: None) if quiet else (lambda text: print(text, flush=True))
        say(f"{plan.experiment.name}: {plan.describe()}")
        say(f"results: {folder}" + (f" (resuming: {already} of {len(plan.runs)} runs already stored)" if already else ""))
        by_id = {r.run_id: r for r in todo}
        lost: list[Lost] = []
        stored = 0
        status = "complete"
        try:
            if todo:  # nothing to start when every run is stored already
                with _sigterm_as_interrupt(), executor, _progress(len(plan.runs), already, quiet) as bar:
                    say(f"running on {executor.describe()}")
                    try:
                        # Only the runs not stored are grouped: a group cut short by an interruption runs what it lacks.
                        for outcome in executor.run(plan.groups(todo)):
                            if isinstance(outcome, Lost):
                                lost.append(outcome)
                            else:
                                store.add(by_id[outcome.run_id], outcome)
                                stored += 1
                            bar.update(1)
                    except KeyboardInterrupt:
                        status = "interrupted"
                        executor.close(abort=True)
        except KeyboardInterrupt:  # during start-up or shut-down
            status = "interrupted"
        except BaseException as error:
            manifest["sessions"][-1]["error"] = f"{type(error).__name__}: {error}"
            _end(folder, manifest, store, "stopped", stored, lost)
            raise
        if status == "complete" and lost:
            status = "incomplete"
        if status == "complete":
            store.compact()
        failed = _end(folder, manifest, store, status, stored, lost)
    finally:
        store.close()
    outcome = BatchOutcome(folder, status, len(plan.runs), already, stored, failed, lost, time.perf_counter() - clock)
    _report_end(outcome, quiet)
    return outcome


def _end(folder: Path, manifest: dict[str, Any], store: ResultStore, status: str, stored: int, lost: list[Lost]) -> int:
    failed = sum(1 for s in store.completed.values() if s != "ok")
    manifests.end(folder, manifest, status, stored, len(store.completed), failed, [x.run_id for x in lost])
    return failed


def _report_end(outcome: BatchOutcome, quiet: bool) -> None:
    where = outcome.folder
    if outcome.status == "interrupted":
        print(f"interrupted: {outcome.already_stored + outcome.stored} of {outcome.planned} runs are stored in {where}; run the same command again to resume", file=sys.stderr)
    if outcome.lost:
        print(f"{len(outcome.lost)} runs lost ({outcome.lost[0].reason}); run the same command again to retry them", file=sys.stderr)
    if outcome.failed:
        print(f"{outcome.failed} runs failed: their errors are in the runs table (see report.md)", file=sys.stderr)
    if not quiet and outcome.status == "complete":
        print(f"{outcome.stored} runs in {outcome.wall_seconds:.1f} s", flush=True)


class _NoBar:
    def update(self, n: int) -> None:
        pass


@contextmanager
def _progress(total: int, initial: int, quiet: bool) -> Iterator[Any]:
    """A progress bar with the time left, on stderr (none when quiet)."""
    if quiet:
        yield _NoBar()
        return
    from tqdm import tqdm

    with tqdm(total=total, initial=initial, unit="run", file=sys.stderr, dynamic_ncols=True, mininterval=0.5, smoothing=0.05) as bar:
        yield bar


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (a cluster job's time limit) like Ctrl-C while the batch runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
