"""The landlord population's widths: a linear emulator over a probe population, fitted to percentiles."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibration import spread_fit


def _population(factors: np.ndarray, n: int = 2000, seed: int = 3) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Landlords whose two items answer two parameters (and noise): positions at the largest widths, and items at ``factors``."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(-1.0, 1.0, size=(n, 2))
    noise = rng.normal(0.0, 0.02, size=(n, 2))
    shrunk = u * factors
    items = {"a": 0.7 + 0.10 * shrunk[:, 0] + 0.02 * shrunk[:, 1] + noise[:, 0],
             "b": 0.5 + 0.01 * shrunk[:, 0] + 0.12 * shrunk[:, 1] + noise[:, 1]}
    return u, items


def test_the_emulator_recovers_the_lines_slopes_and_explains_what_they_explain():
    u, items = _population(np.ones(2))
    model = spread_fit.emulator(u, items)
    np.testing.assert_allclose(model.slopes["a"], [0.10, 0.02], atol=0.003)
    np.testing.assert_allclose(model.slopes["b"], [0.01, 0.12], atol=0.003)
    # Variance explained: 0.1^2/3 + 0.02^2/3 against 0.02^2 of noise -> about 0.90.
    assert model.explained()["a"] == pytest.approx((0.0104 / 3) / (0.0104 / 3 + 0.0004), abs=0.02)
    # At the probe's widths the emulator gives back the probe exactly.
    np.testing.assert_allclose(model.predict(np.ones(2))["a"], items["a"])


def test_the_fitted_widths_are_the_ones_that_made_the_national_spread():
    truth = np.array([0.4, 0.8])
    _, national_items = _population(truth, seed=11)  # "England": another draw of landlords at the true widths
    national = spread_fit.percentiles(national_items)
    u, items = _population(np.ones(2))  # the probe at the largest widths
    found, emulated = spread_fit.fit_factors(spread_fit.emulator(u, items), national, seed=1)
    np.testing.assert_allclose(found, truth, atol=0.08)
    assert emulated < 0.3  # points


def test_a_parameter_the_items_do_not_answer_cannot_be_fitted_and_does_no_harm():
    rng = np.random.default_rng(5)
    u = rng.uniform(-1.0, 1.0, size=(1000, 2))
    items = {"a": 0.6 + 0.1 * u[:, 0] + rng.normal(0.0, 0.02, 1000)}  # the second parameter moves nothing
    national = spread_fit.percentiles({"a": 0.6 + 0.05 * u[:, 0] + rng.normal(0.0, 0.02, 1000)})
    found, emulated = spread_fit.fit_factors(spread_fit.emulator(u, items), national, seed=1)
    assert found[0] == pytest.approx(0.5, abs=0.1)
    assert emulated < 0.3


def test_a_landlord_that_reported_nothing_is_left_out_not_counted_as_zero():
    u, items = _population(np.ones(2), n=400)
    items["a"][:40] = np.nan
    model = spread_fit.emulator(u, items)
    predicted = model.predict(np.full(2, 0.5))["a"]
    assert np.isnan(predicted[:40]).all() and np.isfinite(predicted[40:]).all()
    low, high = spread_fit.percentiles({"a": predicted})["a"]
    assert 0.6 < low < high < 0.8


def test_the_miss_is_the_root_mean_square_in_points():
    assert spread_fit.miss({"a": (0.50, 0.80)}, {"a": (0.48, 0.84)}) == pytest.approx(np.sqrt((2**2 + 4**2) / 2))
