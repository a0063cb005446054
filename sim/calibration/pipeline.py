"""The calibration, from a calibration file to a calibrated scenario.

1. **Rounds of ABC rejection** (``sim.calibration.abc``): each round is an
   ordinary batch (``sim.batch``: any executor, stored as runs finish,
   resumable) of a Latin hypercube of points, every point run with the
   file's seeds. A point's simulated figures are its means over those seeds
   at the final month; its distance is the root mean square miss in
   tolerances (``sim.calibration.targets``).
2. **Local search** (``sim.calibration.refine``): Nelder-Mead from the
   closest point of the rounds, on the same seeds, for at most
   ``search_evaluations`` evaluations (stored in ``search.csv``; reused
   when the calibration file has not changed).
3. **Check on fresh seeds**: the search's best point and the closest points
   of the rounds (``candidates`` in all) are run again with ``check_seeds`` seeds none of the rounds used, and the
   closest on those is chosen, so the choice is not a lucky draw.
4. **Identifiability** at the chosen point (``sim.calibration.identifiability``).
5. **Write**: the chosen values into the calibrated scenario (the fitted
   scenario's file with the values set), and a report of every target and
   validation figure against the simulated mean with its 95% interval, the
   posterior of each parameter and whether the data pinned it down.

Everything is a function of the calibration file: the same file gives the
same points, runs, choice and scenario, on any number of workers.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch import results as batch_results
from sim.batch.executors import Executor, start_method
from sim.batch.plan import make_plan
from sim.batch.runner import run_batch
from sim.batch.sampling import unit_sample
from sim.batch.statistics import describe
from sim.calibration import abc, identifiability, refine
from sim.calibration.spec import Calibration
from sim.calibration.targets import distance
from sim.errors import UserError


class Interrupted(Exception):
    """A round stopped before its runs were all stored (rerun with the same folder to resume)."""


@dataclass
class Round:
    """One round's points (parameter values, rows) and their distances."""

    number: int
    values: np.ndarray
    simulated: pd.DataFrame  # point x target column: mean over seeds
    distances: np.ndarray
    kept: np.ndarray  # indices of accepted points, best first


@dataclass
class Outcome:
    """What a calibration found."""

    names: list[str]
    prior: abc.Box
    rounds: list[Round]
    posterior: list[abc.Marginal]  # from round 1 (the prior) only
    candidates: pd.DataFrame  # candidate x parameter values, with their check distance
    chosen: dict[str, float]
    check: pd.DataFrame  # per target / validation column: national, mean, ci_low, ci_high, n, miss
    local: pd.DataFrame  # per parameter: local identifiability at the chosen point
    search: refine.Search | None = None


def calibrate(cal: Calibration, folder: Path, executor: Callable[[], Executor], quiet: bool = False, workers: int = 1) -> Outcome:
    """Run the calibration in ``cal`` into ``folder`` (see the module docstring)."""
    spec = cal.experiment
    names = [f.name for f in spec.factors]
    prior = abc.Box(np.array([f.low for f in spec.factors], dtype=float), np.array([f.high for f in spec.factors], dtype=float))
    samples = spec.sampling.samples
    assert samples is not None
    rounds: list[Round] = []
    box = prior
    for number in range(1, cal.rounds + 1):
        unit = unit_sample(spec.sampling.method, len(names), samples, spec.sampling.seed + number - 1)
        values = _typed(spec, box.scale(unit))
        simulated = _run_points(cal, spec, values, folder / f"round{number}", executor, quiet)
        distances = distance(simulated[[t.column for t in cal.targets]].to_numpy(), list(cal.targets))
        distances = np.where(np.isfinite(distances), distances, np.inf)  # failed points are never accepted
        kept = abc.accepted(distances, cal.accept)
        rounds.append(Round(number, values, simulated, distances, kept))
        box = abc.next_box(values[kept], prior)
    posterior = abc.marginals(rounds[0].values[rounds[0].kept], prior)

    pool = np.vstack([r.values for r in rounds])
    pooled = np.concatenate([r.distances for r in rounds])
    if not np.isfinite(pooled).any():
        raise UserError(f"{folder}: every run of the rounds failed, so nothing can be fitted (accepted: a calibration whose runs succeed; python run.py report {folder}/round1 shows their errors)")
    search = None
    if cal.search_evaluations > 0:
        search = _search(cal, pool[int(np.argmin(pooled))], prior, folder, quiet, workers)
        pool = np.vstack([_typed(spec, search.best[None, :]), pool])
        pooled = np.concatenate([[search.best_distance], pooled])
    best = _distinct_best(pool, pooled, cal.candidates)
    fitting_seeds = max(*spec.seeds, *cal.search_seeds)
    check_spec = replace(spec, seeds=tuple(range(fitting_seeds + 1, fitting_seeds + 1 + cal.check_seeds)))
    # The folder is named for the candidates, so that a changed calibration resumes
    # what it can and never mixes its check with another's.
    check_folder = folder / f"check-{hashlib.sha256(pool[best].tobytes()).hexdigest()[:10]}"
    per_run = _run_points(cal, check_spec, pool[best], check_folder, executor, quiet, per_seed=True)
    means = per_run.groupby("point")[[t.column for t in cal.targets]].mean().reindex(range(len(best)))
    check_distance = distance(means.to_numpy(), list(cal.targets))
    check_distance = np.where(np.isfinite(check_distance), check_distance, np.inf)
    winner = int(np.argmin(check_distance))
    candidates = pd.DataFrame(pool[best], columns=names)
    candidates["fit_distance"] = pooled[best]
    candidates["check_distance"] = check_distance
    chosen = {name: float(v) for name, v in zip(names, pool[best][winner], strict=True)}
    check = _against_figures(cal, per_run[per_run["point"] == winner])
    with run_pool(workers) as runs:
        local = identifiability.table(cal, pool[best][winner], prior, runs)
    return Outcome(names, prior, rounds, posterior, candidates, chosen, check, local, search)


def _search(cal: Calibration, start: np.ndarray, prior: abc.Box, folder: Path, quiet: bool, workers: int) -> refine.Search:
    """The local search, or the stored one if the same calibration file already ran it from the same start."""
    stored, stamp = folder / "search.csv", folder / "search.json"
    # Everything the search's numbers depend on (not the whole file: the landlords' table does not matter here).
    spec = cal.experiment
    key = {
        "scenario": spec.scenarios[0].sha256, "steps": spec.steps, "constants": {k: spec.constants[k] for k in sorted(spec.constants)},
        "factors": [[f.name, f.low, f.high] for f in spec.factors], "targets": [[t.column, t.value, t.tolerance] for t in cal.targets],
        "start": [float(x) for x in start], "evaluations": cal.search_evaluations, "seeds": list(cal.search_seeds),
    }
    if stored.exists() and stamp.exists() and json.loads(stamp.read_text()) == key:
        history = pd.read_csv(stored)
        best = int(history["distance"].idxmin())
        names = [f.name for f in cal.experiment.factors]
        return refine.Search(history.loc[best, names].to_numpy(dtype=float), float(history.loc[best, "distance"]), history)
    with run_pool(workers) as runs:
        result = refine.search(cal, start, prior, cal.search_evaluations, quiet, runs)
    result.history.to_csv(stored, index=False)
    stamp.write_text(json.dumps(key))
    return result


@contextmanager
def run_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes for the search's and identifiability's runs (none for one worker)."""
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(start_method())) as pool:
        yield pool


def _typed(spec, values: np.ndarray) -> np.ndarray:
    """Values as their parameters take them (whole numbers rounded), kept in range."""
    out = values.copy()
    for j, factor in enumerate(spec.factors):
        out[:, j] = [float(factor.convert(x)) for x in values[:, j]]
    return out


def _run_points(cal: Calibration, spec, values: np.ndarray, folder: Path, executor: Callable[[], Executor], quiet: bool, per_seed: bool = False) -> pd.DataFrame:
    """Run every point (row of ``values``) with every seed of ``spec``; means over seeds per point, or the per-run table."""
    names = [f.name for f in spec.factors]
    points = [{name: (round(v) if f.is_integer else float(v)) for name, v, f in zip(names, row, spec.factors, strict=True)} for row in values]
    plan = make_plan(spec, points)
    outcome = run_batch(plan, folder, executor(), kind="calibration", quiet=quiet)
    if outcome.status == "interrupted":
        raise Interrupted(folder)
    finals = batch_results.load(folder).finals
    columns = list(cal.columns)
    if per_seed:
        return finals[["point", "seed", *columns]]
    return finals.groupby("point")[columns].mean().reindex(range(len(points)))


def _distinct_best(values: np.ndarray, distances: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` closest points, skipping repeats of the same values."""
    chosen: list[int] = []
    seen: set[bytes] = set()
    for i in np.argsort(distances, kind="stable"):
        key = values[i].tobytes()
        if key in seen or not np.isfinite(distances[i]):
            continue
        seen.add(key)
        chosen.append(int(i))
        if len(chosen) == count:
            break
    return np.array(chosen, dtype=int)


def _against_figures(cal: Calibration, runs: pd.DataFrame) -> pd.DataFrame:
    """Each target and validation figure against the chosen point's mean over the check seeds, with its 95% interval."""
    rows = []
    for target in (*cal.targets, *cal.validation):
        stats = describe(runs[target.column].to_numpy(dtype=float))
        rows.append({
            "column": target.column, "measure": target.measure, "used": "fitted" if target.calibrated else "validation only",
            "national": target.value, "simulated": stats["mean"], "ci_low": stats["ci_low"], "ci_high": stats["ci_high"], "seeds": stats["n"],
            "miss": stats["mean"] - target.value, "tolerance": target.tolerance, "source": f"{target.figure.source} ({target.figure.year}; {target.figure.population})",
        })
    return pd.DataFrame(rows)
