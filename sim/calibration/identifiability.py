"""Which parameters the figures pin down, near the calibrated point: the local sensitivity of the fit.

At the calibrated values the figures' sensitivities to each parameter are
taken by central differences (a step of ``STEP`` of the prior range each
way, one-sided at a bound), on the search seeds, in units of each figure's
tolerance: the Jacobian ``J``. Treating a one-tolerance miss as one standard
error, ``J^T J`` is the Fisher information of the fit, and the square root of
the diagonal of its (pseudo-)inverse is how far each parameter can move,
with the others re-adjusting, before the fit worsens by about one tolerance
(a linearised profile; Raue et al. 2009 for the profile view of
identifiability). A parameter whose 95% range (+/- 1.96 of those) covers at
least half its prior range is reported as not pinned down; so is any
parameter with a substantial part (``UNSEEN``) of its direction in what the
figures cannot see at all (eigenvectors of ``J^T J`` with eigenvalues near
zero: with more parameters than figures there are always some), with the
parameters it trades off against.

This complements round 1 of the rejection: rejection explores the whole
prior but, with a few hundred points in ten or more dimensions, accepts
points well away from the best fit; the local view is sharp but only holds
near the calibrated point.
"""

from __future__ import annotations

from concurrent.futures import Executor

import numpy as np
import pandas as pd

from sim.calibration import abc
from sim.calibration.refine import simulate
from sim.calibration.spec import Calibration

STEP = 0.02
"""Finite-difference step, as a share of each parameter's prior range."""

Z95 = 1.96

UNSEEN = 0.3
"""A parameter whose direction lies this much (or more) in what the figures cannot see is not pinned down."""


def jacobian(cal: Calibration, values: np.ndarray, prior: abc.Box, pool: Executor | None = None) -> np.ndarray:
    """Sensitivity of each target (rows, in tolerances) to each parameter (columns, per prior range)."""
    tolerance = np.array([t.tolerance for t in cal.targets], dtype=float)
    width = prior.high - prior.low
    seeds = cal.search_seeds
    columns = []
    for j in range(len(values)):
        up, down = values.copy(), values.copy()
        up[j] = min(values[j] + STEP * width[j], prior.high[j])
        down[j] = max(values[j] - STEP * width[j], prior.low[j])
        change = (simulate(cal, up, seeds, pool) - simulate(cal, down, seeds, pool)) / tolerance
        columns.append(change / ((up[j] - down[j]) / width[j]))
    return np.column_stack(columns)


def table(cal: Calibration, values: np.ndarray, prior: abc.Box, pool: Executor | None = None) -> pd.DataFrame:
    """Per parameter: its 95% range from the local fit (as a share of the prior range), pinned or not, the figure it moves most."""
    J = jacobian(cal, values, prior, pool)
    information = J.T @ J
    covariance = np.linalg.pinv(information)
    half = Z95 * np.sqrt(np.clip(np.diag(covariance), 0.0, None))  # in prior ranges
    eigenvalues, vectors = np.linalg.eigh(information)
    blind = eigenvalues < 1e-6 * max(eigenvalues.max(), 1e-12)
    # Share of each parameter's direction the figures cannot see: with more
    # parameters than figures some combinations leave every figure unchanged,
    # and a parameter in such a combination can move as far as its partners let it.
    unseen = np.sqrt((vectors[:, blind] ** 2).sum(axis=1)) if blind.any() else np.zeros(len(values))
    names = [f.name for f in cal.experiment.factors]
    targets = [t.column for t in cal.targets]
    rows = []
    for j, name in enumerate(names):
        hidden = unseen[j] > UNSEEN
        share = float("inf") if hidden else float(2 * half[j])
        partners = [names[k] for k in np.argsort(-np.abs(vectors[:, blind] @ vectors[j, blind]))[:4] if k != j][:3] if hidden else []
        rows.append({
            "parameter": name, "local_95_share_of_prior": share,
            "pinned_down": bool(share < abc.PINNED_BELOW),
            "trades_off_with": ", ".join(partners),
            "moves_most": targets[int(np.argmax(np.abs(J[:, j])))],
            "largest_sensitivity": float(np.abs(J[:, j]).max()),
        })
    return pd.DataFrame(rows)
