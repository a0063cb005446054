"""How much landlords differ, and around what centre, fitted to the national percentiles through a quadratic emulator.

Running a population of landlords takes a batch (hundreds of communities),
so the differences are not searched by running populations. Instead one
population, the *probe*, runs with every parameter at its largest width (the
calibration file's ``[landlords.differences]``). Landlord i's position in
parameter j is ``u_ij``, in largest half-widths from the calibrated value
(-1 to 1, or less where the parameter's valid range cuts the probe's range).
For each reported item, a least-squares quadratic through the probe's
landlords, ``y_i = f(u_i) + r_i`` (the positions, their squares and their
pairwise products), separates what the differences explain from the rest
``r_i`` (its survey sample, its shocks, its own community, and what the
surface misses). A quadratic, not a line: the items saturate towards their
ends, and a line fitted over the probe's wide ranges misplaced the fitted
population's upper tails by up to 5 points (docs/VALIDATION.md section 7).

A population with parameter j's range shrunk to a share ``a_j`` of the
largest and its centre moved by ``c_j`` largest half-widths keeps each
probe landlord at the same place *within* the range (the same quantile),
so it moves landlord i to ``f(u'_i) + r_i``: the emulator. The search
(scipy's differential evolution, seeded, bounded) finds the widths, and with
medians the centres too, whose emulated percentiles are closest to the
national ones (root mean square, in points); a population runs at them,
and the percentiles reported are that population's, not the emulator's.

**Waves.** The surface is least right where the search ends, and a search
finds those errors (on the committed population a full search emulated a
percentile miss of 1.8 points and the population gave 3.4). So the fit
goes in waves: each population run joins the probe in the least-squares
fit of the next surface, which then sees the region the answer lies in, and
the landlords the next search moves are the latest population's, whose
rests are what the surface misses there (the probe's rests carry what it
misses far away). The population chosen is the one whose *run* is closest
to the national figures.

The emulator never leaves the probe's ranges (extrapolating a fitted
surface is not evidence): ``|c_j| + a_j <= 1``, searched as
``c_j = (1 - a_j) s_j`` with ``s_j`` in [-1, 1]. A width or a centre at
that bound says the data would like more than the probe allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations

import numpy as np
from scipy.optimize import differential_evolution

PERCENTILES = (10, 90)
WITH_MEDIANS = (10, 50, 90)
SEARCH_GENERATIONS = 600
"""Generations of the differential evolution search (15 candidates per free number each): 144,000 emulations, about half a minute,
for 8 widths and 8 centres, where searches from seeds 1 and 2 ended within 0.001 point of each other (200 generations left them 0.15 apart)."""


def features(u: np.ndarray) -> np.ndarray:
    """The quadratic surface's columns: 1, each position, its square, and each pair's product."""
    n, k = u.shape
    first, second = _pairs(k)
    out = np.empty((n, 1 + 2 * k + len(first)))
    out[:, 0] = 1.0
    out[:, 1:1 + k] = u
    np.multiply(u, u, out=out[:, 1 + k:1 + 2 * k])
    np.multiply(u[:, first], u[:, second], out=out[:, 1 + 2 * k:])
    return out


@cache
def _pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    pairs = list(combinations(range(k), 2))
    return np.array([i for i, _ in pairs], dtype=int), np.array([j for _, j in pairs], dtype=int)


@dataclass(frozen=True)
class Emulator:
    """Per item, the quadratic's coefficients; the landlords it moves (the base), with their rests and places within their ranges."""

    positions: np.ndarray  # (landlords, parameters): the base's u
    quantiles: np.ndarray  # (landlords, parameters): each base landlord's place within the range it was drawn over, in [0, 1]
    limits: np.ndarray  # (parameters, 2): the probe's lowest and highest u (-1 and 1 unless the valid range cuts it)
    coefficients: dict[str, np.ndarray]  # item -> (features,)
    rests: dict[str, np.ndarray]  # item -> (landlords,), NaN where the landlord reported nothing

    def moved(self, factors: np.ndarray, shifts: np.ndarray | None = None) -> np.ndarray:
        """The base's landlords, each at its own place within every range shrunk by ``factors`` around ``shifts``."""
        low, high = range_of(self.limits, factors, shifts)
        return low + self.quantiles * (high - low)

    def predict(self, factors: np.ndarray, shifts: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Each item's reported figure per landlord with every range shrunk by ``factors`` and moved by ``shifts``."""
        surface = features(self.moved(factors, shifts))
        return {item: surface @ self.coefficients[item] + self.rests[item] for item in self.coefficients}

    def percentiles(self, factors: np.ndarray, shifts: np.ndarray | None, items: list[str], levels: tuple[int, ...]) -> np.ndarray:
        """The ``levels`` percentiles of ``items`` across the moved landlords, (items, levels): the search's inner loop, one call per item set."""
        surface = features(self.moved(factors, shifts))
        values = np.column_stack([surface @ self.coefficients[item] + self.rests[item] for item in items])
        if np.isnan(values).any():
            return np.nanpercentile(values, levels, axis=0).T
        return np.percentile(values, levels, axis=0).T

    def explained(self) -> dict[str, float]:
        """Share of each item's variance across the base's landlords that the surface explains (R squared)."""
        out = {}
        surface = features(self.positions)
        for item, rest in self.rests.items():
            y = surface @ self.coefficients[item] + rest
            ok = np.isfinite(y)
            total = np.var(y[ok])
            out[item] = float(1.0 - np.var(rest[ok]) / total) if total > 0 else 0.0
        return out


def range_of(limits: np.ndarray, factors: np.ndarray, shifts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest position of a population at ``factors`` around ``shifts``, cut to the probe's ranges."""
    centre = np.zeros(len(factors)) if shifts is None else np.asarray(shifts, dtype=float)
    low, high = limits[:, 0], limits[:, 1]
    return np.clip(centre - factors, low, high), np.clip(centre + factors, low, high)


def quantiles(positions: np.ndarray, ranges: np.ndarray) -> np.ndarray:
    """Each landlord's place within the range it was drawn over; where a parameter was fixed, evenly spread places in a seeded order.

    A fixed parameter says nothing about where a landlord would sit if it
    differed, so each gets one of n even places (a Latin hypercube's column:
    a permutation seeded by the parameter's index, the same on every run).
    """
    n, k = positions.shape
    out = np.empty((n, k))
    for j in range(k):
        low, high = ranges[j]
        if high > low:
            out[:, j] = np.clip((positions[:, j] - low) / (high - low), 0.0, 1.0)
        else:
            out[:, j] = (np.random.default_rng(j).permutation(n) + 0.5) / n
    return out


def emulator(positions: np.ndarray, reported: dict[str, np.ndarray], ranges: np.ndarray | None = None,
             more: Sequence[tuple[np.ndarray, dict[str, np.ndarray]]] = (), limits: np.ndarray | None = None) -> Emulator:
    """Fit the quadratic for each item over the landlords that reported it, to move the landlords of ``positions``.

    ``ranges`` are the ranges those landlords were drawn over (default -1 to
    1), ``limits`` the probe's, which no population leaves (default
    ``ranges``). ``more`` are other populations' positions and reports
    (the probe and earlier waves, when the base is the latest wave): they
    join the least-squares fit, so the surface is fitted where the answer
    lies and far from it, while the landlords moved are the latest ones,
    whose rests are what the surface misses near the answer.
    """
    ranges = np.tile([-1.0, 1.0], (positions.shape[1], 1)) if ranges is None else np.asarray(ranges, dtype=float)
    limits = ranges if limits is None else np.asarray(limits, dtype=float)
    design = features(positions)
    pooled = np.vstack([design, *(features(p) for p, _ in more)])
    coefficients, rests = {}, {}
    for item, y in reported.items():
        ys = np.concatenate([y, *(r[item] for _, r in more)])
        ok = np.isfinite(ys)
        coefficients[item], *_ = np.linalg.lstsq(pooled[ok], ys[ok], rcond=None)
        rests[item] = y - design @ coefficients[item]  # NaN stays NaN: that landlord never reported the item
    return Emulator(positions, quantiles(positions, ranges), limits, coefficients, rests)


def percentiles(values: dict[str, np.ndarray], levels: tuple[int, ...] = PERCENTILES) -> dict[str, tuple[float, ...]]:
    """The ``levels`` percentiles (10th and 90th by default) across landlords of each item (landlords that reported it)."""
    return {item: tuple(float(x) for x in np.nanpercentile(v, levels)) for item, v in values.items()}


def miss(simulated: dict[str, tuple[float, ...]], national: dict[str, tuple[float, ...]]) -> float:
    """Root mean square miss of the percentiles, in percentage points."""
    errors = [100 * (s - n) for c in national for s, n in zip(simulated[c], national[c], strict=True)]
    return float(np.sqrt(np.mean(np.square(errors))))


@dataclass(frozen=True)
class Found:
    """The search's answer: each range's share of the largest, its centre's move (in largest half-widths), and the emulated miss."""

    factors: np.ndarray
    shifts: np.ndarray
    miss: float  # emulated, over the percentiles searched on


def fit(model: Emulator, national: dict[str, tuple[float, ...]], seed: int, centres: bool = False) -> Found:
    """The widths in [0, 1] (and with ``centres`` the moves of the centres) whose emulated percentiles are closest to ``national``.

    ``national`` gives each item's (p10, p90), or (p10, median, p90) when the
    centres are searched too: without a median nothing places the centre.
    """
    levels = WITH_MEDIANS if centres else PERCENTILES
    if any(len(v) != len(levels) for v in national.values()):
        raise ValueError(f"national percentiles must be {levels} for every item")
    k = model.positions.shape[1]

    def unpack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        factors = np.clip(x[:k], 0.0, 1.0)
        shifts = (1.0 - factors) * np.clip(x[k:], -1.0, 1.0) if centres else np.zeros(k)
        return factors, shifts

    items = list(national)
    wanted = np.array([national[c] for c in items])

    def objective(x: np.ndarray) -> float:  # miss(), on arrays: the same numbers, a third of the time
        errors = 100 * (model.percentiles(*unpack(x), items, levels) - wanted)
        return float(np.sqrt(np.mean(np.square(errors.ravel()))))

    free = 2 * k if centres else k
    bounds = [(0.0, 1.0)] * k + [(-1.0, 1.0)] * (free - k)
    # Percentiles make the objective a staircase with many shallow local minima: a seeded global search
    # (one process, so the same seed gives the same answer), not a local one from a few starts.
    found = differential_evolution(objective, bounds, seed=seed, maxiter=SEARCH_GENERATIONS, popsize=15, tol=1e-7, polish=False, workers=1)
    best_x, best_f = found.x, float(found.fun)
    factors, shifts = unpack(best_x)
    return Found(factors, shifts, best_f)
