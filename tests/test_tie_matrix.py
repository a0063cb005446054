"""The tie store gives bitwise the numbers of plain scipy operations on one matrix per kind."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from sim import tie_matrix
from sim.network import SocialNetwork
from sim.tie_matrix import TieMatrix


def random_ties(rng: np.random.Generator, n: int, pairs: int) -> sp.csr_array:
    u, v = rng.integers(0, n, pairs), rng.integers(0, n, pairs)
    keep = u != v
    return tie_matrix.build(n, u[keep], v[keep], rng.uniform(0.05, 0.9, keep.sum()))


def random_store(rng: np.random.Generator, n: int, pairs: int) -> tuple[TieMatrix, list[sp.csr_array]]:
    """A two-kind store and, as plain scipy matrices, the kinds it holds."""
    kinds = [random_ties(rng, n, pairs), random_ties(rng, n, pairs // 2)]
    return TieMatrix.stack([k.copy() for k in kinds]), kinds


def plain_sum(matrix: sp.csr_array, u: np.ndarray, v: np.ndarray, gain: np.ndarray) -> sp.csr_array:
    """Strengthening with scipy's public operators: a general sparse sum with the pairs, then the cap."""
    n = matrix.shape[0]
    addition = sp.csr_array((np.concatenate((gain, gain)), (np.concatenate((u, v)), np.concatenate((v, u)))), shape=(n, n))
    result = (matrix + addition).tocsr()
    np.minimum(result.data, 1.0, out=result.data)
    return result


def same(a: sp.csr_array, b: sp.csr_array) -> bool:
    a, b = a.copy(), b.copy()
    a.eliminate_zeros()
    b.eliminate_zeros()
    return np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data)


def holds(store: TieMatrix, kinds: list[sp.csr_array]) -> bool:
    return all(same(store.kind(k), matrix) for k, matrix in enumerate(kinds))


def random_pairs(rng: np.random.Generator, n: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    u, v = rng.integers(0, n, count), rng.integers(0, n, count)
    keep = u != v
    return np.concatenate((u[keep], u[keep][:20])), np.concatenate((v[keep], v[keep][:20]))  # some pairs twice


def test_stacking_keeps_each_kind_as_it_was_storing_each_tie_once():
    store, kinds = random_store(np.random.default_rng(0), 80, 300)
    assert store.rows == 160
    assert holds(store, kinds)
    assert store.tie_count() == store.nnz == sum(k.nnz for k in kinds) // 2
    rows = np.repeat(np.arange(store.rows) % 80, np.diff(store.indptr))
    assert (store.indices > rows).all()  # each tie in its lower-numbered resident's row


def test_strengthen_is_bitwise_the_public_sparse_sum_for_each_kind_and_drops_explicit_zeros():
    rng = np.random.default_rng(1)
    store, kinds = random_store(rng, 200, 800)
    store.decay((0.5, 0.5), 0.2)  # leaves explicit zeros
    assert (store.data == 0).any()
    expected = [k.copy() for k in kinds]
    for matrix in expected:
        matrix.data *= 0.5
        matrix.data[matrix.data < 0.2] = 0.0
    u, v = random_pairs(rng, 200, 300)
    kind = rng.random(len(u)) < 0.4
    store.strengthen(kind, u, v, 0.25)
    for k, matrix in enumerate(expected):
        mine = kind == k
        expected[k] = plain_sum(matrix, u[mine], v[mine], np.full(mine.sum(), 0.25))
    assert holds(store, expected)
    assert (store.data != 0).all()


def test_strengthen_with_no_pairs_only_removes_explicit_zeros():
    store, _ = random_store(np.random.default_rng(2), 50, 100)
    nonzero = store.nnz
    store.data[:3] = 0.0
    store.strengthen(np.array([], bool), np.array([], int), np.array([], int), 0.25)
    assert store.nnz == nonzero - 3


def test_strengthening_month_after_month_reuses_two_sets_of_arrays_and_grows_when_needed():
    rng = np.random.default_rng(3)
    store, kinds = random_store(rng, 300, 600)
    seen = []
    for _ in range(12):  # the store grows from about 2 to about 20 ties per resident
        u, v = random_pairs(rng, 300, 250)
        kind = rng.random(len(u)) < 0.5
        store.strengthen(kind, u, v, 0.3)
        for k in (0, 1):
            kinds[k] = plain_sum(kinds[k], u[kind == k], v[kind == k], np.full((kind == k).sum(), 0.3))
        seen.append(id(store.indices.base))
    assert holds(store, kinds)
    assert len(set(seen)) < len(seen)  # arrays were reused, not allocated every month


def test_decay_weakens_each_kind_at_its_own_rate_and_zeroes_weak_ties():
    store, kinds = random_store(np.random.default_rng(4), 100, 400)
    store.decay((0.1, 0.5), 0.3)
    for matrix, rate in zip(kinds, (0.1, 0.5), strict=True):
        matrix.data *= 1.0 - rate
        matrix.data[matrix.data < 0.3] = 0.0
    assert holds(store, kinds)


def test_drop_residents_zeroes_their_rows_and_columns_in_every_kind_only():
    rng = np.random.default_rng(5)
    store, kinds = random_store(rng, 120, 600)
    slots = np.unique(rng.integers(0, 120, 9))
    store.drop_residents(slots)
    for k, matrix in enumerate(kinds):
        dense = matrix.toarray()
        dense[slots] = 0.0
        dense[:, slots] = 0.0
        np.testing.assert_array_equal(store.kind(k).toarray(), dense)


@pytest.mark.parametrize("several", [1, 2, 3, 99])
@pytest.mark.parametrize("quantities", [1, 2, 3, 5])
def test_products_are_bitwise_each_kinds_public_product(quantities, several, monkeypatch):
    monkeypatch.setattr(tie_matrix, "SEVERAL", several)  # from how many quantities the one-pass product is used
    rng = np.random.default_rng(6)
    store, kinds = random_store(rng, 150, 900)
    store.decay((0.3, 0.3), 0.2)  # explicit zeros add nothing
    x = rng.random((quantities, 150))
    result = store.products(x)
    for k, matrix in enumerate(kinds):
        matrix.data *= 0.7
        matrix.data[matrix.data < 0.2] = 0.0
        np.testing.assert_array_equal(result[:, k * 150 : (k + 1) * 150], (matrix @ x.T).T)


def test_a_store_moved_to_64_bit_indices_gives_the_same_numbers():
    rng = np.random.default_rng(7)
    narrow, kinds = random_store(rng, 100, 400)
    wide = TieMatrix.stack([k.copy() for k in kinds])
    wide._widen()
    assert wide.indices.dtype == np.int64 and narrow.indices.dtype == np.int32
    u, v = random_pairs(rng, 100, 200)
    kind = rng.random(len(u)) < 0.5
    x = rng.random((1, 100))
    for store in (narrow, wide):
        store.strengthen(kind, u, v, 0.2)
        store.decay((0.1, 0.2), 0.1)
        store.drop_residents(np.array([4, 40]))
    np.testing.assert_array_equal(narrow.products(x), wide.products(x))
    assert all(same(narrow.kind(k), wide.kind(k)) for k in (0, 1))


def test_network_hides_dropped_ties_and_strengths_read_with_a_product_are_the_same():
    rng = np.random.default_rng(6)
    n = 200
    block = np.arange(n) // 20
    u, v = rng.integers(0, n, 1500), rng.integers(0, n, 1500)
    net = SocialNetwork.from_pairs(block, u, v, rng.uniform(0.05, 0.9, 1500), 5)
    net.decay(0.3, 0.3, np.zeros(5), 0.2, 0.005)
    net.cut(np.array([3, 50, 51]))
    x = rng.random((3, n))
    # Strengths are kept up to date through every change...
    means = net.neighbour_means(*x)
    strengths = (net.bonding_strength().copy(), net.bridging_strength().copy())
    # ...and they, and the means, are the plain products' numbers, with the dropped ties hidden from readers.
    bonding, bridging = net.bonding, net.bridging
    assert (bonding.data != 0).all() and (bridging.data != 0).all()
    np.testing.assert_array_equal(strengths[0], bonding @ np.ones(n))
    np.testing.assert_array_equal(strengths[1], bridging @ np.ones(n))
    weight = strengths[0] + strengths[1]
    for quantity, mean in zip(x, means, strict=True):
        total = bonding @ quantity + bridging @ quantity
        np.testing.assert_array_equal(mean, np.where(weight > 0, total / np.maximum(weight, 1e-12), quantity))
    np.testing.assert_array_equal(strengths[0], net.ties.products(np.ones((1, n)))[0, :n])
    sums = net.contact_sums(x[0])
    np.testing.assert_array_equal(sums[0], bonding @ x[0])
    np.testing.assert_array_equal(sums[1], bridging @ x[0])


def test_strengthen_with_a_gain_per_pair_adds_each_pairs_gains_either_way_round():
    rng = np.random.default_rng(8)
    store, kinds = random_store(rng, 100, 300)
    u, v = random_pairs(rng, 100, 200)
    u, v = np.concatenate((u, v[:10])), np.concatenate((v, u[:10]))  # some pairs again, the other way round
    gain = rng.uniform(0.01, 0.3, len(u))
    kind = (u + v) % 2
    store.strengthen(kind, u, v, gain)
    for k, matrix in enumerate(kinds):
        mine = kind == k
        expected = plain_sum(matrix, u[mine], v[mine], gain[mine]).toarray()
        np.testing.assert_allclose(store.kind(k).toarray(), expected, rtol=1e-15, atol=0)  # sums of three or more gains may round in another order


def test_the_networks_matrices_are_rebuilt_after_every_change_to_the_ties():
    rng = np.random.default_rng(9)
    n = 60
    net = SocialNetwork.from_pairs(np.arange(n) // 10, rng.integers(0, n, 200), rng.integers(0, n, 200), rng.uniform(0.1, 0.9, 200), 5)
    first = net.bonding
    assert net.bonding is first  # kept while nothing changes
    for change in (lambda: net.strengthen(np.array([0]), np.array([1]), 0.3), lambda: net.decay(0.5, 0.5, np.zeros(5), 0.2, 0.005), lambda: net.cut(np.array([2]))):
        before = net.bonding.toarray()
        change()
        assert net.bonding is not first
        first = net.bonding
        np.testing.assert_array_equal(first.toarray(), net.ties.kind(0).toarray())
        assert not np.array_equal(before, first.toarray())
