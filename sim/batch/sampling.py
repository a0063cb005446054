"""The parameter points of a sweep: every combination (grid), a Latin hypercube, or a Sobol sequence.

A point is a dict ``{section.key: value}`` over the experiment's levers and
uncertainties. Sampled designs draw from the experiment's ``sampling.seed``
only, so the same file always gives the same points. A range is sampled
uniformly (whole numbers: every whole number in the range equally likely); a
list of values is sampled uniformly over its items.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from sim import size_guard
from sim.batch.experiment import Experiment, Factor
from sim.errors import UserError
from sim.parameters import Value

Point = dict[str, Value]


def points(experiment: Experiment) -> list[Point]:
    """The experiment's parameter points, in a fixed order (a single empty point when nothing varies)."""
    if experiment.posterior is not None:
        _check_runs(experiment, experiment.posterior.draws, f"posterior.draws = {experiment.posterior.draws}")
        return experiment.posterior.points()
    factors = experiment.factors
    if not factors:
        return [{}]
    method = experiment.sampling.method
    if method == "grid":
        for factor in factors:
            if factor.is_range and factor.levels is None:
                raise UserError(
                    f"{experiment.source}: {factor.group}.{factor.name}: a range needs levels for grid sampling "
                    "(accepted: { low, high, levels = N }, a list of values, sampling.method = \"latin\" or \"sobol\", or run.py sensitivity)")
        levels = [len(f.grid_values()) for f in factors]
        _check_runs(experiment, math.prod(levels), f"grid sampling over {' x '.join(map(str, levels))} levels")
        return grid(factors)
    samples = experiment.sampling.samples
    assert samples is not None
    _check_runs(experiment, samples, f"sampling.samples = {samples}")
    return from_unit_cube(factors, unit_sample(method, len(factors), samples, experiment.sampling.seed))


def _check_runs(experiment: Experiment, count: int, how: str) -> None:
    """Refuse ``count`` points before they are listed if the plan they make is too big (see :data:`sim.size_guard.MAX_RUNS`).

    Counted, not listed: a grid of three levers of 10,000 levels is 10^12
    points, which would fill memory long before any check on the list.
    """
    seeds = len(experiment.seeds) if experiment.sampling.pairing == "crossed" else 1
    scenarios = len(experiment.scenarios)
    size_guard.check_runs(count * seeds * scenarios, str(experiment.source),
                          f"{how}, {scenarios} scenario{'s' if scenarios != 1 else ''} and {seeds} seed{'s' if seeds != 1 else ''}")


def grid(factors: tuple[Factor, ...]) -> list[Point]:
    """Every combination of the factors' values; the last factor varies fastest."""
    names = [f.name for f in factors]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(f.grid_values() for f in factors))]


def unit_sample(method: str, dimensions: int, samples: int, seed: int) -> np.ndarray:
    """``samples`` points in [0, 1)^dimensions: a Latin hypercube or a scrambled Sobol sequence."""
    from scipy.stats import qmc  # a quarter of a second: only when a design is sampled

    rng = np.random.default_rng(seed)
    if method == "latin":
        return qmc.LatinHypercube(dimensions, rng=rng).random(samples)
    if method == "sobol":
        return qmc.Sobol(dimensions, rng=rng).random_base2(int(math.log2(samples)))
    raise ValueError(f"unknown sampling method {method!r}")


def from_unit_cube(factors: tuple[Factor, ...], unit: np.ndarray) -> list[Point]:
    """Map each row of ``unit`` (values in [0, 1)) to a point."""
    return [{f.name: f.from_unit(float(u)) for f, u in zip(factors, row, strict=True)} for row in unit]
