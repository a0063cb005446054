"""The tie-matrix operations give bitwise the numbers of the plain scipy operations they replace."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from sim import tie_matrix
from sim.arraytools import row_totals
from sim.network import SocialNetwork


def random_ties(rng: np.random.Generator, n: int, pairs: int) -> sp.csr_array:
    u, v = rng.integers(0, n, pairs), rng.integers(0, n, pairs)
    keep = u != v
    return tie_matrix.build(n, u[keep], v[keep], rng.uniform(0.05, 0.9, keep.sum()))


def plain_sum(matrix: sp.csr_array, u: np.ndarray, v: np.ndarray, gain: np.ndarray) -> sp.csr_array:
    """What strengthening did before: a general sparse sum with the pairs, then the cap."""
    n = matrix.shape[0]
    addition = sp.csr_array((np.concatenate((gain, gain)), (np.concatenate((u, v)), np.concatenate((v, u)))), shape=(n, n))
    result = (matrix + addition).tocsr()
    np.minimum(result.data, 1.0, out=result.data)
    return result


def same(a: sp.csr_array, b: sp.csr_array) -> bool:
    return np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data)


@pytest.mark.parametrize("n", [2, 7, 60, 300])
def test_find_locates_stored_entries_and_insertion_points(n):
    rng = np.random.default_rng(n)
    matrix = random_ties(rng, n, 4 * n)
    dense = matrix.toarray()
    rows, cols = rng.integers(0, n, 500), rng.integers(0, n, 500)
    at, found = tie_matrix.find(matrix, rows, cols)
    np.testing.assert_array_equal(found, dense[rows, cols] != 0)
    row_start = matrix.indptr[rows]
    expected = [start + np.searchsorted(matrix.indices[start : matrix.indptr[r + 1]], c) for start, r, c in zip(row_start, rows, cols, strict=True)]
    np.testing.assert_array_equal(at, expected)


def test_find_in_an_empty_matrix():
    matrix = sp.csr_array((5, 5))
    at, found = tie_matrix.find(matrix, np.array([0, 4]), np.array([1, 2]))
    assert not found.any()
    np.testing.assert_array_equal(at, [0, 0])


def test_strengthen_is_bitwise_the_general_sparse_sum_and_drops_explicit_zeros():
    rng = np.random.default_rng(1)
    matrix = random_ties(rng, 200, 800)
    tie_matrix.decay(matrix, 0.5, 0.2)  # leaves explicit zeros
    assert (matrix.data == 0).any()
    u, v = rng.integers(0, 200, 300), rng.integers(0, 200, 300)
    keep = u != v
    u, v = np.concatenate((u[keep], u[keep][:20])), np.concatenate((v[keep], v[keep][:20]))  # some pairs twice
    gain = np.full(len(u), 0.25)
    expected = plain_sum(matrix, u, v, gain)
    result = tie_matrix.strengthen(matrix, u, v, gain)
    assert same(result, expected)
    assert (result.data != 0).all()


def test_strengthen_with_no_pairs_only_prunes():
    matrix = random_ties(np.random.default_rng(2), 50, 100)
    nonzero = matrix.nnz
    matrix.data[:3] = 0.0
    result = tie_matrix.strengthen(matrix, np.array([], int), np.array([], int), np.array([]))
    assert result.nnz == nonzero - 3


def test_drop_residents_zeroes_their_rows_and_columns_only():
    rng = np.random.default_rng(3)
    matrix = random_ties(rng, 120, 600)
    dense = matrix.toarray()
    slots = np.unique(rng.integers(0, 120, 9))
    tie_matrix.drop_residents(matrix, slots)
    dense[slots] = 0.0
    dense[:, slots] = 0.0
    np.testing.assert_array_equal(matrix.toarray(), dense)


def test_row_totals_are_bitwise_numpys_sums():
    x = np.random.default_rng(5).random((1000, 5)) * np.array([1e-3, 1.0, 1e3, 7.0, 1e-6])
    np.testing.assert_array_equal(row_totals(x), x.sum(axis=1))


def test_network_hides_dropped_ties_and_they_change_no_number():
    rng = np.random.default_rng(6)
    n = 200
    block = np.arange(n) // 20
    u, v = rng.integers(0, n, 1500), rng.integers(0, n, 1500)
    net = SocialNetwork.from_pairs(block, u, v, rng.uniform(0.05, 0.9, 1500), 5)
    net.decay(0.3, 0.3, 0.0, 0.2)
    net.cut(np.array([3, 50, 51]))
    x = rng.random((n, 3))
    # Read before pruning (explicit zeros still stored)...
    sums = net.contact_sums(x)
    strengths = (net.bonding_strength().copy(), net.bridging_strength().copy())
    mean = net.neighbour_mean(x)
    # ...and after: reading the matrices removes the zeros, and every number is the same.
    assert (net.bonding.data != 0).all() and (net.bridging.data != 0).all()
    net._strengths = None
    for before, after in zip(sums, net.contact_sums(x), strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(strengths[0], net.bonding_strength())
    np.testing.assert_array_equal(strengths[1], net.bridging_strength())
    np.testing.assert_array_equal(mean, net.neighbour_mean(x))
