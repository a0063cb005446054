"""How much landlords differ in each parameter, fitted to the national 10th and 90th percentiles through a linear emulator.

Running a population of landlords takes a batch (hundreds of communities),
so the widths of the differences are not searched by running populations.
Instead one population, the *probe*, runs with every parameter at its
largest width (the calibration file's ``[landlords.differences]``). For each
reported item, a least-squares line through the probe's landlords,
``y_i = b_0 + sum_j b_j u_ij + r_i`` with ``u_ij`` landlord i's position in
parameter j's range (-1 to 1), separates what the differences explain from
the rest ``r_i`` (its survey sample, its shocks, its own community, and what
the line misses). Shrinking parameter j's width by a factor ``a_j`` in
[0, 1] then moves landlord i to ``b_0 + sum_j b_j a_j u_ij + r_i``: the
emulator. The factors that bring the emulated percentiles closest to the
national ones (root mean square, in points) are found by a bounded search
(scipy's Powell, from several starts), and a second population runs at
those widths to check: the percentiles reported are that population's, not
the emulator's.

The emulator never widens beyond the probe (extrapolating a line is not
evidence), so the probe's widths must be generous; a factor at 1 says the
data would like more difference in that parameter than the probe allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

PERCENTILES = (10, 90)
STARTS = 6
"""Starting points of the bounded search: all 1, all 0.5, and random ones (seeded)."""


@dataclass(frozen=True)
class Emulator:
    """Per item, the line's intercept and slopes and each landlord's rest, for the probe's landlords."""

    positions: np.ndarray  # (landlords, parameters): u in [-1, 1]
    intercepts: dict[str, float]
    slopes: dict[str, np.ndarray]  # item -> (parameters,)
    rests: dict[str, np.ndarray]  # item -> (landlords,), NaN where the landlord reported nothing

    def predict(self, factors: np.ndarray) -> dict[str, np.ndarray]:
        """Each item's reported figure per landlord with every width shrunk by ``factors``."""
        shrunk = self.positions * factors
        return {item: self.intercepts[item] + shrunk @ self.slopes[item] + self.rests[item] for item in self.slopes}

    def explained(self) -> dict[str, float]:
        """Share of each item's variance across the probe's landlords that the line explains (R squared)."""
        out = {}
        for item, rest in self.rests.items():
            y = self.predict(np.ones(self.positions.shape[1]))[item]
            ok = np.isfinite(y)
            total = np.var(y[ok])
            out[item] = float(1.0 - np.var(rest[ok]) / total) if total > 0 else 0.0
        return out


def emulator(positions: np.ndarray, reported: dict[str, np.ndarray]) -> Emulator:
    """Fit the line for each item over the landlords that reported it."""
    intercepts, slopes, rests = {}, {}, {}
    design = np.column_stack([np.ones(len(positions)), positions])
    for item, y in reported.items():
        ok = np.isfinite(y)
        coefficients, *_ = np.linalg.lstsq(design[ok], y[ok], rcond=None)
        intercepts[item] = float(coefficients[0])
        slopes[item] = coefficients[1:]
        rests[item] = y - design @ coefficients  # NaN stays NaN: that landlord never reported the item
    return Emulator(positions, intercepts, slopes, rests)


def percentiles(values: dict[str, np.ndarray]) -> dict[str, tuple[float, float]]:
    """10th and 90th percentiles across landlords of each item (landlords that reported it)."""
    return {item: tuple(float(x) for x in np.nanpercentile(v, PERCENTILES)) for item, v in values.items()}


def miss(simulated: dict[str, tuple[float, float]], national: dict[str, tuple[float, float]]) -> float:
    """Root mean square miss of the percentiles, in percentage points."""
    errors = [100 * (s - n) for c in national for s, n in zip(simulated[c], national[c], strict=True)]
    return float(np.sqrt(np.mean(np.square(errors))))


def fit_factors(model: Emulator, national: dict[str, tuple[float, float]], seed: int) -> tuple[np.ndarray, float]:
    """The width factors in [0, 1] whose emulated percentiles are closest to ``national``, and that emulated miss."""
    k = model.positions.shape[1]

    def objective(factors: np.ndarray) -> float:
        return miss(percentiles({c: v for c, v in model.predict(np.clip(factors, 0.0, 1.0)).items() if c in national}), national)

    rng = np.random.default_rng(seed)
    starts = [np.ones(k), np.full(k, 0.5), *rng.uniform(0.0, 1.0, size=(STARTS - 2, k))]
    best_x, best_f = np.ones(k), objective(np.ones(k))
    for start in starts:
        found = minimize(objective, start, method="Powell", bounds=[(0.0, 1.0)] * k, options={"xtol": 1e-3, "ftol": 1e-4, "maxfev": 4000})
        x = np.clip(found.x, 0.0, 1.0)
        f = objective(x)
        if f < best_f - 1e-12:
            best_x, best_f = x, f
    return best_x, best_f
