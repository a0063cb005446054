"""The calibration, from a calibration file to a posterior and a calibrated scenario.

1. **ABC-SMC** (``sim.calibration.smc``, pyabc): a population of parameter
   sets drawn from the uniform priors, then generations that perturb the
   last and keep what comes closer to the national figures, until the
   file's stopping rule (generations, ``min_epsilon`` or ``max_simulations``).
   A simulation (``sim.calibration.simulator``) is the mean of ``seeds``
   runs, each its own community, at the final month; its distance is the
   root mean square miss in tolerances (``sim.calibration.smc_distance``).
   Stored generation by generation in ``smc/`` (resumable); the last
   generation, regression-adjusted if the file says ``adjust = "linear"``
   (``sim.calibration.adjustment``), is the posterior (``smc/posterior.csv``,
   ``posterior.json``).
2. **Posterior predictive check on fresh seeds**: ``check_draws`` parameter
   sets drawn from the posterior by weight, each run with ``check_seeds``
   seeds no simulation of step 1 used, as an ordinary batch (``check-<digest of the draws>/``:
   any executor, stored as runs finish, resumable). Every target and
   validation figure is compared with the simulated typical landlord (the
   mean over all those runs), with an interval from the seeds and one from
   the posterior (``sim.calibration.predictive``).
3. **The calibrated scenario**: one parameter set is needed for the app and
   for anything run without a posterior: the checked draw whose mean over
   the fresh seeds is closest to the figures (a real posterior draw, not a
   mixture of marginals, which need not fit at all).
4. **What the figures constrain** (``sim.calibration.identifiability``):
   read from the posterior: marginals, their share of the prior, and the
   parameters that trade off with one another.

Everything is a function of the calibration file: the same file (and seed)
gives the same posterior, check, choice and scenario, on any number of
workers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch import results as batch_results
from sim.batch.executors import Executor
from sim.batch.plan import make_plan
from sim.batch.runner import run_batch
from sim.calibration import identifiability, predictive, smc
from sim.calibration.posterior import Posterior
from sim.calibration.simulator import FigureSimulator
from sim.calibration.spec import Calibration
from sim.calibration.targets import distance


class Interrupted(Exception):
    """A stage stopped before it was complete (rerun with the same folder to resume)."""


@dataclass
class Outcome:
    """What a calibration found."""

    names: list[str]
    posterior: Posterior
    draws: pd.DataFrame  # the checked draws: parameter values, times drawn, check distance
    counts: np.ndarray  # times each checked draw was drawn
    chosen: dict[str, float]
    check: pd.DataFrame  # per target / validation column (sim.calibration.predictive.table)
    runs: pd.DataFrame  # the check's runs: point (draw), seed, figures
    parameters: pd.DataFrame  # per parameter (sim.calibration.identifiability.table)


def problem(cal: Calibration) -> smc.Problem:
    """The ABC-SMC problem of a calibration file: its simulator, priors and targets."""
    spec = cal.experiment
    ref = spec.scenarios[0]
    simulator = FigureSimulator(
        scenario=ref.scenario, steps=spec.steps, constants=dict(spec.constants),
        whole=tuple(f.name for f in spec.factors if f.is_integer), columns=cal.columns, seeds=len(spec.seeds),
    )
    # Everything else a simulation depends on (the scenario file's bytes, the months, the constants, the validation
    # figures returned): stored with the generations and compared on resuming.
    key = {"scenario": ref.sha256, "steps": spec.steps, "constants": {k: spec.constants[k] for k in sorted(spec.constants)},
           "seeds_per_simulation": len(spec.seeds), "columns": list(cal.columns)}
    return smc.Problem(
        simulator=simulator,
        priors={f.name: (float(f.low), float(f.high)) for f in spec.factors},
        targets={t.column: (t.value, float(t.tolerance)) for t in cal.targets},
        key=key,
    )


def calibrate(cal: Calibration, folder: Path, executor: Callable[[], Executor], quiet: bool = False, workers: int = 1) -> Outcome:
    """Run the calibration in ``cal`` into ``folder`` (see the module docstring)."""
    try:
        posterior = smc.run(problem(cal), folder / "smc", population_size=cal.population, seed=cal.seed, generations=cal.generations,
                            min_epsilon=cal.min_epsilon, max_simulations=cal.max_simulations, workers=workers, quiet=quiet,
                            kernel_scale=cal.kernel_scale, adjust=cal.adjust)
    except smc.Interrupted as stopped:
        raise Interrupted(stopped.folder) from None
    names = list(posterior.names)
    values, counts = predictive.draws(posterior, cal.check_draws, cal.seed)
    # One check folder per set of draws: a posterior that moved on (a resumed run allowed more generations) is checked anew.
    drawn = hashlib.sha256(np.ascontiguousarray(values).tobytes() + np.ascontiguousarray(counts).tobytes()).hexdigest()[:10]
    runs = _run_points(cal, values, folder / f"check-{drawn}", executor, quiet)
    means = runs.groupby("point")[[t.column for t in cal.targets]].mean().reindex(range(len(values)))
    check_distance = distance(means.to_numpy(), list(cal.targets))
    check_distance = np.where(np.isfinite(check_distance), check_distance, np.inf)
    winner = int(np.argmin(check_distance))
    draws = pd.DataFrame(values, columns=names)
    draws["times_drawn"] = counts
    draws["check_distance"] = check_distance
    chosen = {name: float(v) for name, v in zip(names, values[winner], strict=True)}
    check = predictive.table(cal, runs, counts, cal.spreads)
    return Outcome(names, posterior, draws, counts, chosen, check, runs, identifiability.table(posterior))


def _run_points(cal: Calibration, values: np.ndarray, folder: Path, executor: Callable[[], Executor], quiet: bool) -> pd.DataFrame:
    """Run every point (row of ``values``) with every check seed: one row per run (point, seed, figures)."""
    spec = replace(cal.experiment, seeds=cal.check_seeds)
    points = [{f.name: (round(v) if f.is_integer else float(v)) for f, v in zip(spec.factors, row, strict=True)} for row in values]
    plan = make_plan(spec, points)
    outcome = run_batch(plan, folder, executor(), kind="calibration check", quiet=quiet)
    if outcome.status == "interrupted":
        raise Interrupted(folder)
    finals = batch_results.load(folder).finals
    return finals[["point", "seed", *cal.columns]].sort_values(["point", "seed"]).reset_index(drop=True)
