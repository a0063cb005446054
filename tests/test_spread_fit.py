"""The landlord population's widths and centres: a quadratic emulator over a probe population, fitted to percentiles."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibration import spread_fit


def _population(factors: np.ndarray, n: int = 2000, seed: int = 3, shifts: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Landlords whose two items answer two parameters (and noise): positions at the largest widths, and items at ``factors`` around ``shifts``."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(-1.0, 1.0, size=(n, 2))
    noise = rng.normal(0.0, 0.02, size=(n, 2))
    shrunk = u * factors + (0.0 if shifts is None else shifts)
    items = {"a": 0.7 + 0.10 * shrunk[:, 0] + 0.02 * shrunk[:, 1] + noise[:, 0],
             "b": 0.5 + 0.01 * shrunk[:, 0] + 0.12 * shrunk[:, 1] + noise[:, 1]}
    return u, items


def test_the_emulator_recovers_the_lines_slopes_and_explains_what_they_explain():
    u, items = _population(np.ones(2))
    model = spread_fit.emulator(u, items)
    # Coefficients: 1, u1, u2, u1^2, u2^2, u1 u2; a straight response has no curvature.
    np.testing.assert_allclose(model.coefficients["a"][1:3], [0.10, 0.02], atol=0.003)
    np.testing.assert_allclose(model.coefficients["b"][1:3], [0.01, 0.12], atol=0.003)
    np.testing.assert_allclose(model.coefficients["a"][3:], 0.0, atol=0.005)
    # Variance explained: 0.1^2/3 + 0.02^2/3 against 0.02^2 of noise -> about 0.90.
    assert model.explained()["a"] == pytest.approx((0.0104 / 3) / (0.0104 / 3 + 0.0004), abs=0.02)
    # At the probe's widths the emulator gives back the probe exactly.
    np.testing.assert_allclose(model.predict(np.ones(2))["a"], items["a"])


def test_the_fitted_widths_are_the_ones_that_made_the_national_spread():
    truth = np.array([0.4, 0.8])
    _, national_items = _population(truth, seed=11)  # "England": another draw of landlords at the true widths
    national = spread_fit.percentiles(national_items)
    u, items = _population(np.ones(2))  # the probe at the largest widths
    found = spread_fit.fit(spread_fit.emulator(u, items), national, seed=1)
    np.testing.assert_allclose(found.factors, truth, atol=0.08)
    np.testing.assert_array_equal(found.shifts, 0.0)  # without medians the centre stays
    assert found.miss < 0.3  # points


def test_with_medians_the_centres_are_found_too():
    truth, moved = np.array([0.4, 0.5]), np.array([0.3, -0.4])
    _, national_items = _population(truth, seed=11, shifts=moved)  # "England" sits off the calibrated centre
    national = spread_fit.percentiles(national_items, spread_fit.WITH_MEDIANS)
    u, items = _population(np.ones(2))
    found = spread_fit.fit(spread_fit.emulator(u, items), national, seed=1, centres=True)
    np.testing.assert_allclose(found.factors, truth, atol=0.08)
    np.testing.assert_allclose(found.shifts, moved, atol=0.05)
    assert found.miss < 0.3
    # Without the medians, only the widths can move, and they cannot place the centre.
    widths_only = spread_fit.fit(spread_fit.emulator(u, items), {c: (p[0], p[2]) for c, p in national.items()}, seed=1)
    assert widths_only.miss > 1.0


def test_the_population_never_leaves_the_probes_ranges():
    ranges = np.array([[-1.0, 1.0], [-0.25, 1.0]])  # the second cut by its valid range below the calibrated value
    positions = np.array([[-1.0, -0.25], [0.0, 0.375], [1.0, 1.0]])
    model = spread_fit.emulator(positions, {"a": np.array([0.5, 0.6, 0.7])}, ranges)
    moved = model.moved(np.array([0.5, 0.5]), np.array([0.5, -0.5]))
    # Each landlord keeps its place within the range: the lowest at the new low, the highest at the new high.
    np.testing.assert_allclose(moved[:, 0], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(moved[:, 1], [-0.25, -0.125, 0.0])  # -1 to 0, cut at -0.25
    u, items = _population(np.ones(2), n=500)
    found = spread_fit.fit(spread_fit.emulator(u, items), spread_fit.percentiles({"a": items["a"] + 0.3, "b": items["b"]}, spread_fit.WITH_MEDIANS),
                           seed=1, centres=True)
    assert np.all(np.abs(found.shifts) + found.factors <= 1.0 + 1e-12)  # England out of reach: the search stops at the edge


def test_a_curved_response_is_emulated_over_a_shrunk_and_moved_range():
    rng = np.random.default_rng(4)
    u = rng.uniform(-1.0, 1.0, size=(1500, 1))
    def response(x):
        return 0.7 + 0.1 * x[:, 0] - 0.08 * x[:, 0] ** 2 + rng.normal(0.0, 0.01, len(x))
    model = spread_fit.emulator(u, {"a": response(u)})
    shrunk = rng.uniform(-0.3, 0.9, size=(1500, 1))  # width 0.6 around +0.3
    truth = spread_fit.percentiles({"a": response(shrunk)}, spread_fit.WITH_MEDIANS)["a"]
    emulated = spread_fit.percentiles(model.predict(np.array([0.6]), np.array([0.3])), spread_fit.WITH_MEDIANS)["a"]
    np.testing.assert_allclose(emulated, truth, atol=0.004)


def test_a_parameter_the_items_do_not_answer_cannot_be_fitted_and_does_no_harm():
    rng = np.random.default_rng(5)
    u = rng.uniform(-1.0, 1.0, size=(1000, 2))
    items = {"a": 0.6 + 0.1 * u[:, 0] + rng.normal(0.0, 0.02, 1000)}  # the second parameter moves nothing
    national = spread_fit.percentiles({"a": 0.6 + 0.05 * u[:, 0] + rng.normal(0.0, 0.02, 1000)})
    found = spread_fit.fit(spread_fit.emulator(u, items), national, seed=1)
    assert found.factors[0] == pytest.approx(0.5, abs=0.1)
    assert found.miss < 0.3


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


def test_a_later_waves_population_corrects_the_emulator_where_it_lies():
    """Where the quadratic cannot follow the response everywhere, a population run near the answer puts it right there."""
    rng = np.random.default_rng(6)

    def response(x):
        return 0.6 + 0.1 * x[:, 0] + 0.12 * x[:, 0] ** 3 + rng.normal(0.0, 0.005, len(x))

    probe = rng.uniform(-1.0, 1.0, size=(600, 1))
    near = rng.uniform(0.5, 0.9, size=(600, 1))  # a first wave: width 0.2 around +0.7
    target = rng.uniform(0.45, 0.85, size=(600, 1))  # where the next search looks: width 0.2 around +0.65
    truth = spread_fit.percentiles({"a": response(target)}, spread_fit.WITH_MEDIANS)["a"]
    probe_y, near_y = response(probe), response(near)
    alone = spread_fit.emulator(probe, {"a": probe_y})
    waved = spread_fit.emulator(near, {"a": near_y}, np.array([[0.5, 0.9]]), more=[(probe, {"a": probe_y})], limits=np.array([[-1.0, 1.0]]))

    def error(model):
        got = spread_fit.percentiles(model.predict(np.array([0.2]), np.array([0.65])), spread_fit.WITH_MEDIANS)["a"]
        return np.max(np.abs(np.subtract(got, truth)))

    assert error(waved) < 0.01 < error(alone)  # 0.008 and 0.015 (the probe alone overstates the low tail by 1.5 points)
    # The base's landlords keep their places: at the first wave's own range they come back where they were.
    np.testing.assert_allclose(waved.moved(np.array([0.2]), np.array([0.7])), near)


def test_the_searchs_percentiles_are_the_reported_ones_exactly():
    u, items = _population(np.ones(2), n=400)
    items["b"][:30] = np.nan  # landlords that reported nothing on one item
    model = spread_fit.emulator(u, items)
    rng = np.random.default_rng(9)
    for _ in range(20):
        factors, shifts = rng.uniform(0.0, 1.0, 2), rng.uniform(-0.5, 0.5, 2)
        fast = model.percentiles(factors, shifts, ["a", "b"], spread_fit.WITH_MEDIANS)
        slow = spread_fit.percentiles(model.predict(factors, shifts), spread_fit.WITH_MEDIANS)
        np.testing.assert_array_equal(fast, np.array([slow["a"], slow["b"]]))
