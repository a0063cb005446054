"""The regression adjustment of an ABC posterior (sim.calibration.adjustment), on problems whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibration import adjustment


def accepted_ball(rng: np.random.Generator, n: int, slope: float, noise: float, radius: float):
    """Rejection ABC by hand: theta uniform on (0, 10), s = slope * theta + noise; keep |s - 5| < radius (in tolerance 1)."""
    theta = rng.uniform(0.0, 10.0, size=200 * n)
    s = slope * theta + noise * rng.normal(size=len(theta))
    keep = np.abs(s - 5.0) < radius
    return theta[keep][:n, None], (s[keep][:n] - 5.0)[:, None]


def test_a_linear_model_is_brought_back_to_the_exact_posterior():
    # s = theta + N(0, 0.3) observed at 5: the exact posterior is N(5, 0.3) (the prior is flat far around it).
    # Accepted within 2.0 tolerances the sd is about sqrt(0.3^2 + 2^2/3) = 1.19; adjusted, it is the noise's 0.3 again.
    theta, misses = accepted_ball(np.random.default_rng(3), 2000, slope=1.0, noise=0.3, radius=2.0)
    weights = np.full(len(theta), 1.0 / len(theta))
    assert theta.std() > 1.0
    adjusted, w = adjustment.linear(theta, weights, misses, ((0.0, 10.0),))
    mean = w @ adjusted[:, 0]
    sd = np.sqrt(w @ (adjusted[:, 0] - mean) ** 2)
    assert mean == pytest.approx(5.0, abs=0.05)
    assert sd == pytest.approx(0.3, rel=0.15)  # the logit scale bends a little; the noise is what is left
    assert w.sum() == pytest.approx(1.0) and np.all(w >= 0)


def test_adjusted_sets_stay_inside_the_prior_and_the_farthest_weighs_nothing():
    # Observed next to the prior's edge: a straight-line move would put many sets below 0; on the logit scale none go.
    rng = np.random.default_rng(4)
    theta = rng.uniform(0.0, 10.0, size=20000)
    s = theta + 0.5 * rng.normal(size=len(theta))
    keep = np.abs(s - 0.3) < 1.5
    adjusted, w = adjustment.linear(theta[keep, None], np.ones(keep.sum()) / keep.sum(), (s[keep] - 0.3)[:, None], ((0.0, 10.0),))
    assert adjusted.min() >= 0.0 and adjusted.max() <= 10.0
    far = np.argmax(np.abs(s[keep] - 0.3))
    assert w[far] == 0.0


def test_sets_whose_simulations_hit_the_figures_are_not_moved():
    rng = np.random.default_rng(5)
    theta = rng.uniform(0.2, 0.8, size=(50, 3))
    misses = np.zeros((50, 2))
    misses[:25] = rng.normal(size=(25, 2))  # half of them missed; the regression is fitted on all
    adjusted, _ = adjustment.linear(theta, np.full(50, 0.02), misses, ((0.0, 1.0),) * 3)
    assert np.allclose(adjusted[25:], theta[25:], atol=1e-12)


def test_too_few_sets_or_a_missing_figure_is_refused():
    theta = np.linspace(0.1, 0.9, 4)[:, None]
    with pytest.raises(ValueError, match="cannot fit a regression on 3 figures"):
        adjustment.linear(theta, np.full(4, 0.25), np.arange(12.0).reshape(4, 3), ((0.0, 1.0),))
    misses = np.ones((4, 1))
    misses[1, 0] = np.nan
    with pytest.raises(ValueError, match="missing figure"):
        adjustment.linear(theta, np.full(4, 0.25), misses, ((0.0, 1.0),))
