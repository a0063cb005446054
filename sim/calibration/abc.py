"""Approximate Bayesian computation by rejection, in rounds, on a box of uniform priors.

Round 1 samples a Latin hypercube over the prior box (every parameter
uniform over its range) and keeps the ``accept`` share of points closest to
the targets: an ABC-rejection sample of the posterior (Pritchard et al.
1999; Beaumont 2010). Later rounds sample a new hypercube within the box the
accepted points span (padded a little, never beyond the prior), so that the
search concentrates where the fit is good; their accepted points are used to
choose the calibrated values, not to state uncertainty (the shrunk box is
not the prior). What the data pin down is read from round 1 alone: a
parameter whose accepted values still spread over most of its prior range
was not identified by the targets.

Pure functions on arrays; running the model is the pipeline's job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PINNED_BELOW = 0.5
"""A parameter counts as pinned down when its accepted 5-95% range is under half its prior range.

For a parameter the targets do not constrain, the accepted values stay
uniform over the prior, and their 5-95% range is about 0.9 of it.
"""

PADDING = 0.05
"""Share of the prior width added on each side of the accepted box for the next round."""


@dataclass(frozen=True)
class Box:
    """Lower and upper bounds per parameter."""

    low: np.ndarray
    high: np.ndarray

    def scale(self, unit: np.ndarray) -> np.ndarray:
        """Points of the unit cube mapped into the box."""
        return self.low + unit * (self.high - self.low)


def accepted(distances: np.ndarray, share: float) -> np.ndarray:
    """Indices of the ``share`` of points with the smallest distance (at least one), best first."""
    count = max(1, round(share * len(distances)))
    return np.argsort(distances, kind="stable")[:count]


def next_box(values: np.ndarray, prior: Box) -> Box:
    """The box the accepted ``values`` (rows: points) span, padded, within the prior."""
    pad = PADDING * (prior.high - prior.low)
    return Box(np.maximum(prior.low, values.min(axis=0) - pad), np.minimum(prior.high, values.max(axis=0) + pad))


@dataclass(frozen=True)
class Marginal:
    """What the accepted sample says about one parameter."""

    median: float
    low: float  # 5th percentile
    high: float  # 95th percentile
    width_ratio: float  # (high - low) / prior width

    @property
    def pinned(self) -> bool:
        return self.width_ratio < PINNED_BELOW


def marginals(values: np.ndarray, prior: Box) -> list[Marginal]:
    """Median, 5-95% range and range relative to the prior, per parameter (columns of ``values``)."""
    low, median, high = np.percentile(values, [5, 50, 95], axis=0)
    width = np.where(prior.high > prior.low, prior.high - prior.low, 1.0)
    return [Marginal(float(m), float(lo), float(hi), float((hi - lo) / w)) for m, lo, hi, w in zip(median, low, high, width, strict=True)]
