"""Outcome helpers in isolation: fifths of a distribution and survey answer shares."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.mechanisms import outcomes

# -- outcomes.fifths ----------------------------------------------------------


def test_fifths_of_ten_values():
    values = np.array([5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0, 0.0])
    low, high = outcomes.fifths(values)
    # k = 10 // 5 = 2: lowest are 0.0 (index 9) and 1.0 (index 1); highest 9.0 (2) and 8.0 (6).
    assert np.flatnonzero(low).tolist() == [1, 9]
    assert np.flatnonzero(high).tolist() == [2, 6]


def test_fifths_small_and_tied():
    # Fewer than 5 values: one each. All tied: by position, first is lowest and last is highest.
    low, high = outcomes.fifths(np.array([0.3, 0.3, 0.3]))
    assert np.flatnonzero(low).tolist() == [0]
    assert np.flatnonzero(high).tolist() == [2]


def test_fifths_sizes_and_disjoint():
    values = np.random.default_rng(0).random(103)
    low, high = outcomes.fifths(values)
    assert low.sum() == high.sum() == 20
    assert not (low & high).any()
    assert values[low].max() < values[high].min()


# -- outcomes.positive_share --------------------------------------------------


def test_positive_share_is_half_at_threshold():
    assert outcomes.positive_share(np.array([0.5, 0.5]), 0.5, 0.1) == pytest.approx(0.5)
    assert outcomes.positive_share(np.array([0.7]), 0.7, 0.05) == pytest.approx(0.5)


def test_positive_share_known_value():
    # One spread above the threshold: 1 / (1 + e^-1) = 0.7311.
    assert outcomes.positive_share(np.array([0.6]), 0.5, 0.1) == pytest.approx(1 / (1 + math.exp(-1)))


def test_positive_share_is_symmetric_about_threshold():
    for d in (0.05, 0.1, 0.3):
        above = outcomes.positive_share(np.array([0.5 + d]), 0.5, 0.1)
        below = outcomes.positive_share(np.array([0.5 - d]), 0.5, 0.1)
        assert above + below == pytest.approx(1.0)
        assert above > 0.5 > below
    # A group symmetric about the threshold answers half positively.
    assert outcomes.positive_share(np.array([0.2, 0.8, 0.45, 0.55]), 0.5, 0.1) == pytest.approx(0.5)


def test_positive_share_rises_with_perception():
    values = [outcomes.positive_share(np.array([x]), 0.5, 0.1) for x in np.linspace(0, 1, 11)]
    assert np.all(np.diff(values) > 0)


def test_positive_share_of_nobody_is_zero():
    assert outcomes.positive_share(np.array([]), 0.5, 0.1) == 0.0


def test_share_with_and_without_subgroup():
    mask = np.array([True, False, True, True])
    assert outcomes.share(mask) == pytest.approx(0.75)
    assert outcomes.share(mask, np.array([False, True, True, False])) == pytest.approx(0.5)
    assert outcomes.share(mask, np.zeros(4, dtype=bool)) == 0.0


def test_positive_share_is_numerically_safe_at_the_declared_extremes():
    # Far below the threshold with the sharpest declared spread (0.001): exp(800) would overflow in a naive
    # logistic; nobody answers positively, and no warning is raised (warnings are errors under pytest).
    assert outcomes.positive_share(np.array([0.0, 0.1]), 0.9, 0.001) == 0.0
    assert outcomes.positive_share(np.array([1.0]), 0.1, 0.001) == 1.0


# -- what became of residents' say ----------------------------------------------


def test_the_say_columns_are_missing_in_a_month_without_participants():
    from sim import HousingModel

    model = HousingModel(rng=1, residents=100, status_quo__months=0)
    row = model.run(1).iloc[-1]
    for column in ("requests_delivered", "requests_funded", "contact_quality"):
        assert math.isnan(row[column]), column
    assert row["participation"] == 0.0


def test_the_say_columns_are_shares_when_residents_take_part():
    from sim import HousingModel

    frame = HousingModel(rng=1, residents=200, policy="co_production", status_quo__months=0).run(6)
    assert (frame["participation"] > 0).all()
    for column in ("requests_delivered", "requests_funded", "contact_quality", "landlord_pressure", "fatigue", "linked_to_landlord"):
        assert frame[column].between(0.0, 1.0).all(), column


def test_the_fast_means_are_bitwise_numpys():
    # average() and mean_within() skip numpy's Python wrappers, not its arithmetic: the same pairwise sum, one division.
    rng = np.random.default_rng(8)
    for n in (1, 7, 128, 1000, 10_001):
        values = rng.random(n) * rng.choice([1e-3, 1.0, 1e3])
        assert outcomes.average(values) == float(values.mean())
        members = rng.random(n) < 0.3
        expected = float(values[members].mean()) if members.any() else math.nan
        for group in (members, np.flatnonzero(members)):
            got = outcomes.mean_within(values, group)
            assert got == expected or (math.isnan(expected) and math.isnan(got))
