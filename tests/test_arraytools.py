"""The array helpers give bitwise numpy's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

from sim.arraytools import column_totals, row_totals, scale_columns

SCALES = np.array([1e-3, 1.0, 1e3, 7.0, 1e-6, 0.1, 3.0, 1e9])


@pytest.mark.parametrize("shape", [(1000, 5), (1, 4), (0, 4), (10001, 2), (3000, 8)])
def test_row_totals_are_bitwise_numpys_sums(shape):
    x = np.random.default_rng(5).random(shape) * SCALES[: shape[1]]
    np.testing.assert_array_equal(row_totals(x), x.sum(axis=1))


@pytest.mark.parametrize("shape", [(1000, 4), (1, 4), (0, 4), (100_003, 2), (3000, 8), (500, 1)])
def test_column_totals_are_bitwise_numpys_sums(shape):
    x = np.random.default_rng(6).random(shape) * SCALES[: shape[1]]
    np.testing.assert_array_equal(column_totals(x), x.sum(axis=0))
    np.testing.assert_array_equal(column_totals(x[::2]), x[::2].sum(axis=0))  # not contiguous: numpy's own sum


def test_scale_columns_is_bitwise_the_broadcast_product():
    rng = np.random.default_rng(7)
    x, factor = rng.random((2001, 4)), rng.random(4) * 3.0
    np.testing.assert_array_equal(scale_columns(x, factor), x * factor)
