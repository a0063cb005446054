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


def curved_ball(rng: np.random.Generator, n: int):
    """Rejection ABC by hand on a curved, heteroscedastic response: s = theta^3 / 25 + N(0, 0.3), observed at 5, kept within 3.

    Also returns the exact posterior's mean and sd, from a very narrow rejection (|s - 5| < 0.02) of the same draws."""
    theta = rng.uniform(0.0, 10.0, size=400_000)
    s = theta**3 / 25.0 + 0.3 * rng.normal(size=len(theta))
    keep = np.abs(s - 5.0) < 3.0
    exact = theta[np.abs(s - 5.0) < 0.02]
    return theta[keep][:n, None], (s[keep][:n] - 5.0)[:, None], exact.mean(), exact.std()


def weighted_mean_sd(values: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    mean = float(w @ values)
    return mean, float(np.sqrt(w @ (values - mean) ** 2))


def test_the_neural_adjustment_follows_a_curved_response_where_the_straight_line_cannot():
    # Within the ball the response is far from linear (slope 1.3 at its left edge, 4.7 at its right): the linear
    # adjustment leaves the mean low and the spread 25% too wide; the networks recover both within 2% and 8%.
    theta, misses, exact_mean, exact_sd = curved_ball(np.random.default_rng(1), 400)
    weights = np.full(len(theta), 1.0 / len(theta))
    straight = weighted_mean_sd(*_first(adjustment.linear(theta, weights, misses, ((0.0, 10.0),))))
    curved = weighted_mean_sd(*_first(adjustment.neural(theta, weights, misses, ((0.0, 10.0),), seed=0)))
    assert straight[1] > 1.2 * exact_sd
    assert curved[0] == pytest.approx(exact_mean, abs=0.02)
    assert curved[1] == pytest.approx(exact_sd, rel=0.08)
    assert abs(curved[0] - exact_mean) < abs(straight[0] - exact_mean)


def _first(result):
    adjusted, w = result
    return adjusted[:, 0], w


def test_the_neural_adjustment_is_reproducible_and_stays_inside_the_prior():
    rng = np.random.default_rng(6)
    theta = rng.uniform(0.0, 1.0, size=(60, 2))
    misses = np.column_stack([theta[:, 0] * 4 - 1 + 0.1 * rng.normal(size=60), np.sin(3 * theta[:, 1]) + 0.1 * rng.normal(size=60)])
    first = adjustment.neural(theta, np.full(60, 1 / 60), misses, ((0.0, 1.0),) * 2, seed=3)
    again = adjustment.neural(theta, np.full(60, 1 / 60), misses, ((0.0, 1.0),) * 2, seed=3)
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert first[0].min() >= 0.0 and first[0].max() <= 1.0
    with pytest.raises(ValueError, match="cannot fit a regression on 3 figures"):
        adjustment.neural(theta[:4], np.full(4, 0.25), np.arange(12.0).reshape(4, 3), ((0.0, 1.0),) * 2)


def test_cross_validation_ranks_the_methods_by_how_well_they_estimate_left_out_sets():
    # Each left-out set's parameters are estimated from the others: on a response this informative either adjustment
    # estimates them far better than the accepted sets' mean does (whose error is near 1 by construction). (Which of
    # the two adjustments wins here depends on the draws: 5 or 8 sets left out of seeds 2-4 split them 5 to 1.)
    theta, misses, _, _ = curved_ball(np.random.default_rng(4), 300)
    errors = adjustment.cross_validation(theta, np.full(len(theta), 1 / len(theta)), misses, ((0.0, 10.0),), held_out=5)
    assert set(errors) == set(adjustment.METHODS)
    assert errors[adjustment.NONE][0] > 0.5
    assert errors[adjustment.LINEAR][0] < 0.1 and errors[adjustment.NEURAL][0] < 0.1


def test_a_parameter_every_set_shares_is_left_where_it_is():
    rng = np.random.default_rng(9)
    theta = np.column_stack([rng.uniform(0.2, 0.8, 40), np.full(40, 0.5)])
    misses = (theta[:, :1] - 0.5) * 4 + 0.1 * rng.normal(size=(40, 1))
    for method in (adjustment.linear, adjustment.neural):
        adjusted, _ = method(theta, np.full(40, 1 / 40), misses, ((0.0, 1.0),) * 2)
        assert np.all(np.isfinite(adjusted)) and np.allclose(adjusted[:, 1], 0.5)
