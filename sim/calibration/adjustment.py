"""Regression adjustment of an ABC posterior (Beaumont, Zhang and Balding 2002).

ABC accepts parameter sets whose simulations come *near* the figures, within
a threshold epsilon, not *at* them. When epsilon is large against how much
the figures vary with the parameters, the accepted sets are those of figures
anywhere in that ball: the posterior is too wide, and where the model's
response is lopsided its centre is off too (the calibration of 2026-12-02
stopped at epsilon 4.7 tolerances, and its posterior predictive check missed
TP01 dissatisfied by 5.5 points and TP09 by 4.7).

The adjustment uses what every accepted set's own simulation says. Within
the accepted ball, regress the parameters on the simulated figures' misses
``s - s_obs`` (in tolerances, as the distance measures them), by weighted
least squares; then move each accepted set by the regression to where it
would be had its simulation hit the figures exactly:
``theta* = theta - (s - s_obs) beta``. The residuals are kept, so the
posterior's spread that the figures do not explain stays.

As the R package ``abc`` does by default for ``loclinear`` (Csillery et al.
2012):

- **Bounded parameters on the logit scale.** Each parameter is mapped from
  its uniform prior's ``(low, high)`` to the real line before the
  regression and back after, so an adjusted set never leaves its prior.
- **Epanechnikov weights.** Each set's weight is its importance weight (an
  SMC generation's) times ``1 - (d / h)^2``, ``d`` its distance and ``h``
  the largest distance accepted: the regression trusts the sets nearest
  the figures most, and the farthest weighs nothing.

It assumes the parameters' response is roughly linear within the ball and
its residual spread the same across it (no heteroscedastic correction).
The posterior predictive check on fresh seeds shows whether that held:
it runs the adjusted sets again, and the report says how near they come.
"""

from __future__ import annotations

import numpy as np

LINEAR = "linear"
NONE = "none"
METHODS = (NONE, LINEAR)
DESCRIPTION = {
    LINEAR: "local linear regression on the logit scale, Epanechnikov weights (Beaumont, Zhang and Balding 2002)",
}
EDGE = 1e-9
"""How near a prior bound a draw is taken on the logit scale (a uniform draw exactly at a bound would map to infinity)."""


def linear(draws: np.ndarray, weights: np.ndarray, misses: np.ndarray, bounds: tuple[tuple[float, float], ...]) -> tuple[np.ndarray, np.ndarray]:
    """Adjusted draws and their weights (summing to 1), from accepted ``draws`` (set x parameter), their importance
    ``weights`` and their simulations' ``misses`` (set x target, ``(simulated - value) / tolerance``)."""
    draws = np.asarray(draws, dtype=float)
    misses = np.asarray(misses, dtype=float)
    if draws.ndim != 2 or misses.ndim != 2 or len(draws) != len(misses) or len(weights) != len(draws):
        raise ValueError("draws, weights and misses need one row per accepted set")
    if not np.all(np.isfinite(misses)):
        raise ValueError("an accepted set has a missing figure: a regression adjustment needs every accepted simulation's figures")
    distances = np.sqrt(np.mean(misses**2, axis=1))
    widest = distances.max()
    kernel = 1.0 - (distances / widest) ** 2 if widest > 0 else np.ones(len(distances))
    w = np.asarray(weights, dtype=float) * kernel
    if np.count_nonzero(w > 0) <= misses.shape[1] + 1:
        raise ValueError(f"{np.count_nonzero(w > 0)} weighted sets cannot fit a regression on {misses.shape[1]} figures "
                         "(accepted: a population larger than the figures plus two)")
    low, high = (np.array([b[i] for b in bounds]) for i in (0, 1))
    unit = np.clip((draws - low) / (high - low), EDGE, 1.0 - EDGE)
    logit = np.log(unit) - np.log1p(-unit)
    design = np.column_stack([np.ones(len(misses)), misses])
    root = np.sqrt(w)[:, None]
    beta, *_ = np.linalg.lstsq(design * root, logit * root, rcond=None)
    adjusted = logit - misses @ beta[1:]
    unit = 1.0 / (1.0 + np.exp(-adjusted))
    # On the logit scale an adjusted value is finite, but back on the prior's scale it may round onto a bound: keep it inside.
    values = np.clip(low + unit * (high - low), low, high)
    return values, w / w.sum()
