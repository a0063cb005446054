"""Dask workers as batch jobs on Slurm (or PBS), started and stopped by the batch itself: ``--executor slurm``.

The batch process runs a Dask scheduler and submits worker jobs through
dask-jobqueue (``SLURMCluster``, ``PBSCluster``); everything else is the
``dask`` executor (:class:`sim.batch.executors.DaskExecutor`): the same
groups of tasks, the same retries, and only this process writes the results
folder. What is particular to a job queue is here:

- the jobs: one single-threaded worker process per core of a job (the model
  holds the GIL), scaled adaptively between none and ``--jobs`` to the groups
  of runs left, so idle jobs end and a queue's wait is paid only for work
  there is;
- a lost job (``scancel``, pre-emption, its wall time): the scheduler gives
  its groups of runs to other workers, and the adaptive cluster submits a
  new job in its place. Workers also retire a few minutes before their wall
  time, so a job running out of time hands its runs back cleanly;
- the end: every job submitted is cancelled when the batch ends, fails or is
  interrupted (Ctrl-C, SIGTERM), even one dask-jobqueue no longer tracks. If
  the batch process itself is killed (``kill -9``), its workers find no
  scheduler and exit within a minute (``death_timeout``), ending their jobs.

Options come from the command line, else the ``[cluster]`` table of the file
given with ``--cluster-config``, else the defaults below.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.batch.executors import DaskExecutor, Outcome
from sim.batch.job_settings import DEATH_TIMEOUT, QUEUE_SYSTEMS, RETIRE_BEFORE_END, JobSettings, job_settings, seconds
from sim.batch.worker import Task
from sim.errors import UserError
from sim.parameters import cut

# -- the executor ---------------------------------------------------------------------------------------------


class JobQueueExecutor(DaskExecutor):
    """The ``dask`` executor on a cluster of its own: worker jobs submitted to Slurm (or PBS), cancelled at the end."""

    def __init__(self, settings: JobSettings):
        super().__init__(None, None)
        self.job = settings
        self.name = settings.system
        self.submissions = Submissions()
        self.failure: str | None = None  # why no worker job can be submitted, if none can

    def _start(self) -> tuple[Any, Any]:
        try:
            dask_jobqueue = _import_dask_jobqueue()
            from dask.distributed import Client
        except ImportError:
            raise UserError(f"--executor {self.name}: dask-jobqueue is not installed (accepted: pip install -e \".[cluster]\", or --executor process)") from None
        job = self.job
        submit = "sbatch" if job.system == "slurm" else "qsub"
        if shutil.which(submit) is None:
            local = "; or, to try it on this machine, experiments/local_slurm.sh start" if job.system == "slurm" else ""
            raise UserError(f"--executor {self.name}: {submit} not found: this machine cannot submit {QUEUE_SYSTEMS[job.system][1]} jobs "
                            f"(accepted: a machine where {submit} works, such as a cluster's login node{local})")
        cluster_cls = getattr(dask_jobqueue, QUEUE_SYSTEMS[job.system][0])
        logging.getLogger("tornado.application").addFilter(_quiet_failed_submissions)
        dashboard = importlib.util.find_spec("bokeh") is not None
        try:
            cluster = cluster_cls(job_cls=_recording(cluster_cls.job_cls, self.submissions), **job_arguments(job),
                                  scheduler_options={"dashboard": dashboard, "dashboard_address": ":0"}, silence_logs="error")
        except (OSError, ValueError) as error:  # e.g. an interface this machine does not have, a log folder it cannot make
            raise UserError(f"--executor {self.name}: cannot start the Dask scheduler for the jobs: {error} (accepted: settings this machine can serve; see --cluster-config)") from None
        try:
            if job.system == "slurm":
                _test_submission(cluster.job_script())
        except BaseException:  # refused, or Ctrl-C meanwhile: no job was submitted yet
            cluster.close()
            raise
        following = _following(lambda: len(self.inflight), self.submissions, job.cores_per_job, self._give_up)
        cluster.adapt(Adaptive=following, minimum_jobs=0, maximum_jobs=job.jobs)
        return cluster, Client(cluster)

    def _give_up(self, error: str) -> None:
        """Called from Dask's event loop when no job can be submitted and none of the batch's is left: end the batch with ``error``."""
        self.failure = error
        futures = list(self.inflight)
        # Cancelling wakes the run loop, which then raises; the client's calls must not come from the loop's own thread.
        threading.Thread(target=self.client.cancel, args=(futures,), name="give-up", daemon=True).start()

    def run(self, groups: Iterable[Sequence[Task]]) -> Iterator[Outcome]:
        for outcome in super().run(groups):
            if self.failure is not None:
                raise UserError(f"--executor {self.name}: {self.failure}; the runs stored so far are kept "
                                f"(accepted: jobs within this cluster's limits and options it takes; the jobs' logs are in {self.job.log_directory})")
            yield outcome

    def _capacity(self) -> int:
        # One group running and one waiting per worker the jobs may hold, as for the other executors.
        return 2 * self.job.max_workers

    def close(self, abort: bool = False) -> None:
        try:
            super().close(abort)  # dask-jobqueue cancels the jobs it tracks
        finally:
            self._cancel_leftovers()

    def _cancel_leftovers(self) -> None:
        """Cancel every job this batch submitted, tracked or not (cancelling a finished one is harmless)."""
        ids, self.submissions.ids[:] = list(self.submissions.ids), []
        if ids:
            command = "scancel" if self.job.system == "slurm" else "qdel"
            try:
                subprocess.run([command, *ids], capture_output=True, timeout=120, check=False)
            except (OSError, subprocess.TimeoutExpired) as error:
                print(f"warning: could not cancel jobs {' '.join(ids)} ({error}); cancel them with {command}", file=sys.stderr)

    def describe(self) -> str:
        job, system = self.job, QUEUE_SYSTEMS[self.job.system][1]
        link = f"; dashboard {self.client.dashboard_link}" if self.client is not None and importlib.util.find_spec("bokeh") else ""
        return (f"{system} jobs '{job.job_name}': up to {job.jobs} of {job.cores_per_job} core{'s' if job.cores_per_job > 1 else ''} "
                f"and {job.job_memory} for {job.walltime} each (scheduler {self.cluster.scheduler_address}{link})")

    def settings(self) -> dict[str, Any]:
        job = self.job
        return {"executor": self.name, "jobs": job.jobs, "cores_per_job": job.cores_per_job, "memory": job.job_memory, "walltime": job.walltime,
                "account": job.account, "queue": job.queue, "job_name": job.job_name, "job_extra_directives": list(job.job_extra_directives)}


NO_PROFILER = "export DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False"
"""Job-script line that turns off Dask's statistical profiler in the workers, as for a LocalCluster (sim/batch/executors.py):
it samples the running run's stack every 10 ms and made each run 12-15% slower. After the user's prologue, so it holds."""


def job_arguments(job: JobSettings) -> dict[str, Any]:
    """dask-jobqueue's arguments for each worker job (its ``Job`` class's, which its cluster classes pass on)."""
    wall = seconds(job.walltime)
    retire = ["--lifetime", f"{wall - RETIRE_BEFORE_END}s", "--lifetime-stagger", "60s"] if wall >= 3 * RETIRE_BEFORE_END else []
    return {
        "cores": job.cores_per_job, "processes": job.cores_per_job,  # one single-threaded worker per core: runs hold the GIL
        "memory": job.job_memory, "walltime": job.walltime, "account": job.account, "queue": job.queue,
        "job_extra_directives": list(job.job_extra_directives), "job_script_prologue": [*job.job_script_prologue, NO_PROFILER],
        "interface": job.interface, "job_name": job.job_name, "log_directory": job.log_directory, "python": job.python,
        "death_timeout": DEATH_TIMEOUT, "worker_extra_args": retire,
    }


def _import_dask_jobqueue() -> Any:
    """``import dask_jobqueue``, keeping this process's Ctrl-C.

    Importing it (0.9) replaces the SIGINT handler with ``sys.exit()``
    (dask_jobqueue/runner.py), so Ctrl-C would end the batch with status 0
    and skip its interrupted-batch handling; the handler is put back.
    """
    handler = signal.getsignal(signal.SIGINT)
    try:
        import dask_jobqueue
    finally:
        if threading.current_thread() is threading.main_thread():  # the only thread that may set handlers
            signal.signal(signal.SIGINT, handler)
    return dask_jobqueue


def _test_submission(script: str) -> None:
    """Ask Slurm whether it would take a worker job (``sbatch --test-only``), so a wrong account, partition or size is one line now, not a batch that waits forever."""
    with tempfile.NamedTemporaryFile("w", suffix=".sh", prefix="shs-worker-") as file:
        file.write(script)
        file.flush()
        try:
            answer = subprocess.run(["sbatch", "--test-only", file.name], capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise UserError(f"--executor slurm: sbatch did not answer: {error} (accepted: a machine whose Slurm answers, e.g. 'sinfo' works)") from None
    if answer.returncode != 0:
        lines = [line.strip() for line in (answer.stderr or answer.stdout).splitlines() if line.strip()]
        why = next((line for line in reversed(lines) if "error" in line.lower()), lines[-1] if lines else f"exit status {answer.returncode}")
        raise UserError(f"--executor slurm: Slurm refuses the worker jobs: {cut(why, 300)} (accepted: a Slurm that answers, as 'sinfo' shows, "
                        f"and --account, --queue, --memory, --walltime and [cluster] settings it takes; 'sinfo' lists its partitions)")


GIVE_UP_AFTER = 3
"""Failed submissions in a row, with no job of the batch left, after which the batch stops instead of waiting for workers that cannot come."""


@dataclass
class Submissions:
    """What became of the batch's job submissions (shared by its job class and its scaling)."""

    ids: list[str] = field(default_factory=list)  # every job submitted, so that none outlives the batch
    in_a_row: int = 0  # failed submissions since the last that worked
    error: str = ""  # why the last one failed


def _following(groups_left: Callable[[], int], submissions: Submissions, per_job: int, give_up: Callable[[str], None]) -> type:
    """Adaptive scaling to one worker per group of runs left, between none and the maximum; and what to do when jobs cannot be submitted.

    A group (the runs sharing a burn-in) runs on one worker, so it is the
    unit of work here. Dask's own target estimates the work from the groups
    its scheduler holds, which are only the executor's window (two per
    worker): with groups of seconds it would keep a few jobs for a batch of
    hours. Groups in flight stay at the window's size while more are
    waiting, so this asks for every job until the last groups are handed
    out, then lets idle jobs go (Dask closes a worker only when it holds no
    group).

    A job whose submission failed (sbatch refused it: a limit on jobs, an
    account out of hours) stays in dask-jobqueue's books as if it ran, so the
    batch would wait for it forever. It is forgotten here; with other jobs
    of the batch submitted, the batch goes on with those (the queue takes no
    more); with none, it tries again and stops after GIVE_UP_AFTER failures.
    """
    from distributed.core import Status
    from distributed.deploy.adaptive import Adaptive

    class FollowingRuns(Adaptive):
        async def target(self) -> int:
            return groups_left()  # capped at the maximum by Adaptive

        async def adapt(self) -> None:
            with contextlib.suppress(RuntimeError):  # a failed sbatch can surface here too; the job class records it
                await super().adapt()
            failed = [name for name, job in self.cluster.workers.items() if job.job_id is None]
            for name in failed:
                self.cluster.workers.pop(name).status = Status.failed  # what closing the cluster expects of a job that never ran
                self.cluster.worker_spec.pop(name, None)
            if not failed:
                return
            if self.cluster.workers:
                self.maximum = min(self.maximum, len(self.cluster.workers) * per_job)
            elif submissions.in_a_row >= GIVE_UP_AFTER:
                give_up(f"cannot submit worker jobs ({submissions.error})")
                self.stop()

    return FollowingRuns


def _quiet_failed_submissions(record: logging.LogRecord) -> bool:
    """Leave out the traceback Dask's event loop logs for a failed sbatch or qsub: the batch says it in one line (see _following)."""
    error = record.exc_info[1] if record.exc_info else None
    return not (isinstance(error, RuntimeError) and str(error).startswith("Command exited with non-zero exit code"))


def _recording(job_cls: type, submissions: Submissions) -> type:
    """``job_cls`` noting each job id it is given, and each failed submission, in ``submissions``."""

    class Recorded(job_cls):  # type: ignore[misc, valid-type]
        def _job_id_from_submit_output(self, out: str) -> str:
            job_id = super()._job_id_from_submit_output(out)
            submissions.ids.append(job_id)
            submissions.in_a_row = 0
            return job_id

        async def start(self) -> None:
            try:
                await super().start()
            except Exception as error:
                lines = [line.strip() for line in str(error).splitlines() if line.strip()]
                submissions.in_a_row += 1
                submissions.error = cut(next((line for line in reversed(lines) if "error" in line.lower()), lines[-1] if lines else type(error).__name__), 300)
                raise

    return Recorded


def make(system: str, given: dict[str, Any], config: str | None) -> JobQueueExecutor:
    return JobQueueExecutor(job_settings(system, given, config))
