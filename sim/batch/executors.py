"""Where a batch's runs execute: this process, a pool of worker processes, or a Dask cluster.

Every executor takes groups of tasks, the runs that share a burn-in
(:meth:`sim.batch.plan.Plan.groups`), runs each group on one worker, one run
after another (:func:`sim.batch.worker.execute_group`: the world is burnt in
once), and yields one result per run as groups finish, in whatever order they
finish (the storage does not care about order). Each keeps only a few groups
in flight per worker, so a batch of a million runs never holds a million
tasks in memory.

- ``process`` (the default): the standard library's process pool (see
  :func:`start_method` for how its workers start). With one worker the runs
  execute in this process instead (no pool to start; easiest to debug).
- ``dask``: Dask distributed, either a ``LocalCluster`` started here (one
  single-threaded worker process per core, listening on localhost only) or an
  existing cluster at ``--scheduler tcp://host:port`` (for example one
  started with dask-jobqueue on Slurm or PBS; see README.md).
- ``slurm`` and ``pbs``: the ``dask`` executor with workers it starts and
  stops itself as Slurm or PBS jobs, through dask-jobqueue (:mod:`sim.batch.cluster`).

A worker that dies (killed, out of memory) takes its groups with it, runs
finished in them too: their runs are tried again (on the process pool each
group alone, so that one that kills its worker every time takes no other
down with it), and a run that was on a dying worker three times is reported
as *lost* rather than stored, so rerunning the batch tries it once more.
(Dask does the same on its side: ``distributed.scheduler.allowed-failures``.)
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from sim.batch.worker import RunResult, Task, execute, execute_group
from sim.errors import UserError

EXECUTORS = ("process", "dask", "slurm", "pbs")
JOB_QUEUES = ("slurm", "pbs")
"""Executors that start Dask workers as batch jobs of their own (sim/batch/cluster.py)."""
ALLOWED_CRASHES = 3
"""Times a run may be on a worker that dies before it is reported lost."""


@dataclass(frozen=True)
class Lost:
    """A run that could not be completed because its worker kept dying; not stored, so a rerun tries it again."""

    run_id: str
    reason: str


Outcome = RunResult | Lost


def available_cpus() -> int:
    """CPUs this process may use (respects affinity masks and cgroup-limited schedulers where Python can see them)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """How pool workers start: ``fork`` on Linux when this process runs no other Python thread, else ``forkserver``; ``spawn`` on macOS and Windows.

    A forked worker inherits the imported model and starts in milliseconds;
    ``spawn`` and ``forkserver`` import it anew, about a second per pool,
    which is most of a small batch's time (16 runs of 1,000 households on two
    workers: 97% parallel efficiency forked, 55% spawned). Forking is unsafe
    only where another Python thread could hold a lock the child then waits
    on forever, so it is used only when there is none. The thread pools of C
    libraries (OpenBLAS, Arrow) make Python 3.12 warn about any fork; they do
    not hold Python locks, OpenBLAS re-initialises after fork, and workers
    use no Arrow: they compute runs and exit without running exit handlers.
    macOS frameworks are not fork-safe, and Windows cannot fork.
    """
    if sys.platform != "linux":
        return "spawn"
    return "fork" if threading.active_count() == 1 else "forkserver"


def make_executor(kind: str, workers: int | None, scheduler: str | None, cluster: dict[str, Any] | None = None, cluster_config: str | None = None) -> Executor:
    """The executor for ``--executor KIND --workers N [--scheduler ADDRESS]``; a UserError for a bad combination.

    ``cluster`` holds the job options of ``--executor slurm`` or ``pbs``
    (``jobs``, ``cores_per_job``, ``memory``, ``walltime``, ``account``,
    ``queue``; None where not given) and ``cluster_config`` the file of
    ``--cluster-config``: see :mod:`sim.batch.cluster`.
    """
    if kind not in EXECUTORS:
        raise UserError(f"--executor: {kind!r} is not accepted (accepted: {', '.join(EXECUTORS)})")
    if workers is not None and workers < 1:
        raise UserError(f"--workers: {workers} is not accepted (accepted: a whole number >= 1)")
    given = {name: value for name, value in (cluster or {}).items() if value is not None}
    if kind not in JOB_QUEUES and (given or cluster_config is not None):
        option = "--" + next(iter(given)).replace("_", "-") if given else "--cluster-config"
        raise UserError(f"{option}: only used with --executor slurm or pbs, which start their own worker jobs (accepted: e.g. --executor slurm {option} ...)")
    if scheduler is not None and kind != "dask":
        raise UserError("--scheduler: only used with --executor dask (accepted: --executor dask --scheduler tcp://HOST:PORT)")
    if kind in JOB_QUEUES:
        if workers is not None:
            raise UserError(f"--workers: not used with --executor {kind}: its jobs are its workers (accepted: --jobs N, and --cores-per-job N for N workers per job)")
        from sim.batch import cluster as job_queue  # imports dask only when a cluster starts

        return job_queue.make(kind, cluster or {}, cluster_config)
    if scheduler is not None:
        if workers is not None:
            raise UserError("--workers: cannot be combined with --scheduler: the cluster's own workers run the batch (accepted: one of the two)")
        return DaskExecutor(None, scheduler)
    count = workers if workers is not None else available_cpus()
    if kind == "dask":
        return DaskExecutor(count, None)
    return SerialExecutor() if count == 1 else ProcessExecutor(count)


class Executor:
    """Runs groups of tasks; use as a context manager, then iterate over :meth:`run` for one outcome per task."""

    name = "executor"

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(abort=exc[0] is not None)

    def run(self, groups: Iterable[Sequence[Task]]) -> Iterator[Outcome]:
        raise NotImplementedError

    def close(self, abort: bool = False) -> None:
        """Release workers; ``abort`` stops runs in progress at once (after Ctrl-C)."""

    def describe(self) -> str:
        return self.name

    def settings(self) -> dict[str, Any]:
        """For the manifest."""
        return {"executor": self.name}


class SerialExecutor(Executor):
    """Every run in this process, one after another."""

    name = "process"

    def run(self, groups: Iterable[Sequence[Task]]) -> Iterator[Outcome]:
        # What execute_group does, but each run is stored as soon as it is done, not when its group is.
        for group in groups:
            for task in group:
                yield execute(task)

    def describe(self) -> str:
        return "1 worker (this process)"

    def settings(self) -> dict[str, Any]:
        return {"executor": "process", "workers": 1}


def init_worker() -> None:
    """Worker initializer: leave Ctrl-C to the main process (it stops the workers), and exit if it dies.

    A pool's workers would otherwise outlive a main process killed with
    ``kill -9``, waiting for work forever. A forked worker also inherits the
    main process's SIGTERM handler, which is put back to the default here.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _ready() -> int:
    """A no-op task that makes the pool start its workers now."""
    return os.getpid()


class ProcessExecutor(Executor):
    """The standard library's process pool, started when entered and restarted if a worker dies.

    ``method`` forces a start method (fork, forkserver, spawn); by default
    :func:`start_method` chooses.
    """

    name = "process"

    def __init__(self, workers: int, method: str | None = None):
        self.workers = workers
        self.method = method
        self.started_with: str | None = None
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessExecutor:
        self._start()  # before a progress bar starts its thread, and so that workers start while the batch is prepared
        return self

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is not None:
            return self._pool
        method = self.method or start_method()
        if method == "forkserver":
            multiprocessing.set_forkserver_preload(["sim.batch.worker"])
        sys.stdout.flush()  # a forked child must not write out a copy of what is still buffered here
        sys.stderr.flush()
        pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method), initializer=init_worker)
        with warnings.catch_warnings():
            # Only reached by fork without other Python threads: see start_method.
            warnings.filterwarnings("ignore", message=r"This process \(pid=\d+\) is multi-threaded, use of fork\(\) may lead to deadlocks", category=DeprecationWarning)
            for _ in range(self.workers):
                pool.submit(_ready)
        self._pool, self.started_with = pool, method
        return pool

    def run(self, groups: Iterable[Sequence[Task]]) -> Iterator[Outcome]:
        source = iter(groups)
        retry: deque[list[Task]] = deque()
        crashes: Counter[str] = Counter()
        limit = 2 * self.workers  # one group running and one waiting per worker: no idle gaps
        # A group retried after a worker died runs alone: the pool cannot tell which group killed it,
        # and a group that always does (a run that exhausts memory) would otherwise take the groups
        # beside it down every time, until they too were lost.
        suspect: Future | None = None
        while True:
            pool = self._start()
            inflight: dict[Future, list[Task]] = {}
            try:
                while True:
                    while len(inflight) < limit and suspect not in inflight:
                        if retry and inflight:
                            break  # the next suspect waits until the pool is empty
                        from_retry = bool(retry)
                        group = retry.popleft() if from_retry else next(source, None)
                        if group is None:
                            break
                        tasks = list(group)
                        future = pool.submit(execute_group, tasks)
                        inflight[future] = tasks
                        suspect = future if from_retry else suspect
                    if not inflight:
                        self.close()
                        return
                    done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                    for future in done:
                        if isinstance(future.exception(), BrokenProcessPool):
                            raise BrokenProcessPool(str(future.exception()))
                        inflight.pop(future)
                        yield from future.result()
            except BrokenProcessPool:
                # A worker died: every group in flight is lost with the pool, with the runs
                # it had finished. Keep the groups that finished; retry the others' runs in
                # a new pool, still as one group each (one burn-in), but for runs lost by now.
                wait(inflight)
                for future, group in inflight.items():
                    if future.exception() is None:
                        yield from future.result()
                        continue
                    crashes.update(task.run_id for task in group)
                    for task in group:
                        if crashes[task.run_id] >= ALLOWED_CRASHES:
                            yield Lost(task.run_id, f"its worker process died {ALLOWED_CRASHES} times (killed, or out of memory?)")
                    left = [task for task in group if crashes[task.run_id] < ALLOWED_CRASHES]
                    if left:
                        retry.append(left)
                self.close(abort=True)

    def close(self, abort: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if abort:
            for process in list(getattr(pool, "_processes", {}).values()):  # no public way before Python 3.14
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return f"{self.workers} worker processes"

    def settings(self) -> dict[str, Any]:
        return {"executor": "process", "workers": self.workers, "start_method": self.method or start_method()}


class DaskExecutor(Executor):
    """Dask distributed: a LocalCluster started here, or an existing cluster at ``scheduler``."""

    name = "dask"

    def __init__(self, workers: int | None, scheduler: str | None):
        self.workers = workers
        self.scheduler = scheduler
        self.client: Any = None
        self.cluster: Any = None
        self.inflight: dict[Any, list[Task]] = {}  # groups submitted, not yet returned (read by sim.batch.cluster's scaling: one worker each)

    def __enter__(self) -> DaskExecutor:
        try:
            self.cluster, self.client = self._start()
        except BaseException:  # Ctrl-C while starting: nothing started may outlive the batch
            self.close(abort=True)
            raise
        return self

    def _start(self) -> tuple[Any, Any]:
        """(the cluster started here or None, a client of the cluster); sim.batch.cluster starts worker jobs instead."""
        try:
            import dask
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise UserError("--executor dask: Dask distributed is not installed (accepted: pip install -e \".[cluster]\", or --executor process)") from None
        if self.scheduler is not None:
            try:
                return None, Client(self.scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as error:
                raise UserError(f"--scheduler: cannot connect to {self.scheduler!r}: {error} (accepted: the address of a running Dask scheduler, e.g. tcp://HOST:8786)") from None
        # Dashboard (needs bokeh) and scheduler on localhost only: nothing is exposed to the network.
        dashboard = "127.0.0.1:0" if importlib.util.find_spec("bokeh") is not None else None
        # No statistical profiler in the workers: it samples the running run's stack every 10 ms,
        # which made each run 12-15% slower than in a plain process (2,000 households, 2026-12-01).
        # Each nanny takes the config when it is made, so it holds for workers restarted later too.
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=dashboard)
        return cluster, Client(cluster)

    def _capacity(self) -> int:
        """Groups in flight: one running and one waiting per worker thread."""
        return max(4, 2 * sum(self.client.nthreads().values()))

    def run(self, groups: Iterable[Sequence[Task]]) -> Iterator[Outcome]:
        from dask.distributed import as_completed

        source = iter(groups)
        inflight = self.inflight = {}
        queue = as_completed()
        limit, checked = self._capacity(), time.monotonic()

        def fill() -> None:
            while len(inflight) < limit:
                group = next(source, None)
                if group is None:
                    return
                tasks = list(group)
                # Named for its first run, which no other group of the batch holds.
                future = self.client.submit(execute_group, tasks, key=f"runs-{tasks[0].run_id}", pure=False)
                inflight[future] = tasks
                queue.add(future)

        fill()
        for future in queue:
            group = inflight.pop(future)
            try:
                results = future.result()
            except Exception as error:  # KilledWorker after Dask's own retries, a lost connection, ...
                for task in group:
                    yield Lost(task.run_id, f"{type(error).__name__}: {error}")
            else:
                yield from results
            future.release()
            if time.monotonic() - checked > 5:  # clusters grow and shrink (dask-jobqueue, adaptive)
                limit, checked = self._capacity(), time.monotonic()
            fill()

    def close(self, abort: bool = False) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def describe(self) -> str:
        if self.scheduler is not None:
            return f"Dask cluster at {self.scheduler} ({sum(self.client.nthreads().values())} worker threads now)"
        link = f"; dashboard {self.client.dashboard_link}" if self.cluster.dashboard_link and importlib.util.find_spec("bokeh") else ""
        return f"Dask LocalCluster, {self.workers} worker processes{link}"

    def settings(self) -> dict[str, Any]:
        return {"executor": "dask", "workers": self.workers, "scheduler": self.scheduler}
