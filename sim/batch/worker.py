"""One run of a batch, as a module-level function any worker process can import and call.

A run is ``HousingModel(scenario, rng=seed, **overrides).run()``: its numbers
depend on nothing else, so every executor and any number of workers give the
same results. A run that raises is returned as ``failed`` with its error, so
one bad corner of a sweep does not stop the batch. Only ordinary exceptions
are caught: Ctrl-C (``KeyboardInterrupt``) still stops the batch.

Executors hand a worker a group of runs that share a burn-in
(:meth:`sim.batch.plan.Plan.groups`), run here one after another
(:func:`execute_group`) so that this process burns the world in once and the
others copy it.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.scenario import Scenario


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one run."""

    run_id: str
    scenario: Scenario
    overrides: dict[str, Any]
    seed: int
    steps: int
    outcomes: tuple[str, ...]


@dataclass
class RunResult:
    """What one run returns: its status, time, where it ran, and its outcome columns by month."""

    run_id: str
    status: str
    wall_seconds: float
    worker: str
    step: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    values: dict[str, np.ndarray] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None


def execute(task: Task) -> RunResult:
    """Run ``task``; a run that raises comes back with status ``failed`` and its error."""
    clock = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        # The steps go in with the overrides so that a scenario's events after
        # a shortened horizon are allowed (they never fire), as with --steps.
        model = _housing_model()(task.scenario, rng=task.seed, steps=task.steps, collect=task.outcomes, **task.overrides)
        frame = model.run()
        step = frame["step"].to_numpy(dtype=np.int32)
        values = {name: frame[name].to_numpy(dtype=np.float64) for name in task.outcomes}
    except Exception as error:  # a failed run is recorded, and the batch goes on
        return RunResult(task.run_id, "failed", time.perf_counter() - clock, worker, error=f"{type(error).__name__}: {error}", traceback=traceback.format_exc())
    return RunResult(task.run_id, "ok", time.perf_counter() - clock, worker, step, values)


def execute_group(tasks: list[Task]) -> list[RunResult]:
    """Run ``tasks`` in order, in this process, each as :func:`execute` does (a run that raises is one failed result; the others go on)."""
    return [execute(task) for task in tasks]


def __getattr__(name: str) -> Any:
    # ``HousingModel`` (Mesa, pandas, scipy) is imported at the first run, not with this module:
    # ``run.py check`` plans an experiment's tasks without running them (PEP 562).
    if name == "HousingModel":
        from sim.model import HousingModel

        globals()["HousingModel"] = HousingModel
        return HousingModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _housing_model() -> type:
    """``sim.model.HousingModel``, or whatever a test put in its place as ``worker.HousingModel``."""
    return globals().get("HousingModel") or __getattr__("HousingModel")
