"""A local search from the best ABC point: the Nelder-Mead simplex on the fitting seeds.

Rejection over eleven or so parameters leaves the best sampled point some
way from the best point there is: a few hundred points are sparse in that
many dimensions. So the calibrated values come from a local search started
at the best point of the rounds, with scipy's Nelder-Mead (bounded to the
prior box, in unit coordinates so that every parameter moves on the same
scale). The objective is the distance of the mean over the fitting seeds;
the seeds stay the same for every evaluation (common random numbers), so
the objective is a fixed function and the search is reproducible. The
rounds still give the posterior and say what the data pin down; the search
only finds a better point estimate, which is then checked on fresh seeds
with the other candidates.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from sim.calibration import abc
from sim.calibration.spec import Calibration
from sim.calibration.targets import distance
from sim.model import HousingModel

SIMPLEX_STEP = 0.1
"""Initial simplex: each vertex moves one parameter by this share of its prior range."""

RESTARTS = 3
"""The evaluations are spent in this many legs, each restarting from the best point so far."""


def _simplex(x: np.ndarray) -> np.ndarray:
    """A simplex around ``x`` in the unit box, stepping inwards where a step outwards would leave it."""
    vertices = [x]
    for j in range(len(x)):
        vertex = x.copy()
        vertex[j] = x[j] + SIMPLEX_STEP if x[j] + SIMPLEX_STEP <= 1.0 else x[j] - SIMPLEX_STEP
        vertices.append(vertex)
    return np.array(vertices)


@dataclass
class Search:
    best: np.ndarray  # parameter values
    best_distance: float
    history: pd.DataFrame  # every evaluation: values and distance


def final_values(scenario: Any, seed: int, steps: int, overrides: dict[str, Any], columns: list[str]) -> np.ndarray:
    """One run's final-month values of ``columns`` (module level, so a process pool can call it)."""
    model = HousingModel(scenario, rng=seed, steps=steps, **overrides)
    return model.run().iloc[-1][columns].to_numpy(dtype=float)


def simulate(cal: Calibration, values: np.ndarray, seeds: tuple[int, ...], pool: Executor | None = None) -> np.ndarray:
    """Mean final-month value of each target column over ``seeds``, at parameter ``values`` (runs spread over ``pool`` if given)."""
    spec = cal.experiment
    point = {f.name: f.convert(float(v)) for f, v in zip(spec.factors, values, strict=True)}
    columns = [t.column for t in cal.targets]
    job = partial(final_values, spec.scenarios[0].scenario, steps=spec.steps, overrides={**spec.constants, **point}, columns=columns)
    rows = list(pool.map(job, seeds)) if pool is not None else [job(seed) for seed in seeds]
    return np.mean(rows, axis=0)


def search(cal: Calibration, start: np.ndarray, prior: abc.Box, evaluations: int, quiet: bool = False, pool: Executor | None = None) -> Search:
    """Nelder-Mead from ``start`` for at most ``evaluations`` objective evaluations (progress every 25 unless quiet)."""
    width = np.where(prior.high > prior.low, prior.high - prior.low, 1.0)
    seeds = cal.search_seeds
    records: list[list[float]] = []

    def objective(unit: np.ndarray) -> float:
        values = prior.scale(np.clip(unit, 0.0, 1.0))
        d = float(distance(simulate(cal, values, seeds, pool), list(cal.targets))[0])
        records.append([*values, d])
        if not quiet and len(records) % 25 == 0:
            print(f"search: {len(records)} of at most {evaluations} evaluations, closest distance {min(r[-1] for r in records):.3f}", flush=True)
        return d

    # Restarts from the best point so far with a fresh simplex: Nelder-Mead's
    # simplex collapses in many dimensions, and a restart is the usual remedy.
    x = np.clip((start - prior.low) / width, 0.0, 1.0)
    while len(records) < evaluations:
        budget = max(len(x) + 2, min(evaluations - len(records), evaluations // RESTARTS))
        result = minimize(objective, x, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(x),
                          options={"maxfev": budget, "initial_simplex": _simplex(x), "xatol": 1e-3, "fatol": 1e-3})
        x = np.clip(result.x, 0.0, 1.0)
    names = [f.name for f in cal.experiment.factors]
    history = pd.DataFrame(records, columns=[*names, "distance"])
    best = int(history["distance"].idxmin())
    return Search(history.loc[best, names].to_numpy(dtype=float), float(history.loc[best, "distance"]), history)
