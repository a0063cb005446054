"""SocialNetwork on hand-made networks, and the seeded generator on a few thousand residents."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from sim import network
from sim.community import layout
from sim.network import SocialNetwork, generate
from sim.parameters import as_namespace

# Six residents: 0, 1, 2 in block 0; 3, 4 in block 1; 5 alone in block 2.
BLOCK = np.array([0, 0, 0, 1, 1, 2])
INSTITUTIONS = 5


def params(**changes):
    return as_namespace({**network.PARAMETERS.defaults(), **changes})


def dense(matrix) -> np.ndarray:
    return np.asarray(matrix.toarray())


def make(pairs: list[tuple[int, int, float]]) -> SocialNetwork:
    u, v, w = (np.array(x) for x in zip(*pairs, strict=True)) if pairs else (np.array([], int),) * 3
    return SocialNetwork.from_pairs(BLOCK, u, v, np.asarray(w, dtype=float), INSTITUTIONS)


# -- building -----------------------------------------------------------------


def test_same_block_pairs_are_bonding_and_cross_block_pairs_are_bridging():
    net = make([(0, 1, 0.5), (0, 3, 0.4)])
    bonding, bridging = dense(net.bonding), dense(net.bridging)
    assert bonding[0, 1] == pytest.approx(0.5)
    assert bridging[0, 3] == pytest.approx(0.4)
    # Nothing leaks into the other matrix.
    assert bonding[0, 3] == 0.0 and bridging[0, 1] == 0.0
    assert np.count_nonzero(bonding) == 2  # (0,1) and (1,0)
    assert np.count_nonzero(bridging) == 2  # (0,3) and (3,0)
    assert net.linking.shape == (6, INSTITUTIONS)
    assert not net.linking.any()


def test_ties_are_symmetric():
    net = make([(0, 1, 0.5), (3, 0, 0.4), (4, 5, 0.2)])
    for matrix in (dense(net.bonding), dense(net.bridging)):
        np.testing.assert_array_equal(matrix, matrix.T)


def test_self_pairs_are_dropped():
    net = make([(2, 2, 0.9), (5, 5, 0.3), (0, 1, 0.5)])
    assert np.all(np.diag(dense(net.bonding)) == 0)
    assert np.all(np.diag(dense(net.bridging)) == 0)
    assert net.tie_count() == 1


def test_duplicate_pairs_are_summed_and_capped_at_one():
    # 0.3 + 0.4 = 0.7 (either direction counts as the same tie); 0.6 + 0.7 = 1.3 -> capped at 1.
    net = make([(0, 1, 0.3), (1, 0, 0.4), (3, 4, 0.6), (3, 4, 0.7)])
    bonding = dense(net.bonding)
    assert bonding[0, 1] == pytest.approx(0.7)
    assert bonding[1, 0] == pytest.approx(0.7)
    assert bonding[3, 4] == pytest.approx(1.0)
    assert net.tie_count() == 2


def test_strengthen_adds_to_existing_ties_and_creates_missing_ones():
    net = make([(0, 1, 0.5)])
    # Existing bonding tie 0.5 + 0.25 = 0.75; new bridging tie 2-5 of 0.25 (scalar gain broadcast).
    net.strengthen(np.array([1, 2]), np.array([0, 5]), 0.25)
    assert dense(net.bonding)[0, 1] == pytest.approx(0.75)
    assert dense(net.bridging)[5, 2] == pytest.approx(0.25)
    # Strengthening an existing tie past 1 caps it at 1: 0.75 + 0.5 = 1.25 -> 1.
    net.strengthen(np.array([0]), np.array([1]), 0.5)
    assert dense(net.bonding)[1, 0] == pytest.approx(1.0)


def test_strengths_sum_each_residents_ties():
    net = make([(0, 1, 0.5), (0, 2, 0.25), (0, 3, 0.4), (0, 5, 0.1)])
    # Resident 0: bonding 0.5 + 0.25 = 0.75; bridging 0.4 + 0.1 = 0.5.
    np.testing.assert_allclose(net.bonding_strength(), [0.75, 0.5, 0.25, 0, 0, 0])
    np.testing.assert_allclose(net.bridging_strength(), [0.5, 0, 0, 0.4, 0, 0.1])
    net.linking[0, 0] = 0.3
    net.linking[0, 2] = 0.2
    np.testing.assert_allclose(net.linking_strength(), [0.5, 0, 0, 0, 0, 0])


# -- decay --------------------------------------------------------------------


def test_decay_applies_each_rate_to_its_kind_of_tie():
    net = make([(0, 1, 0.5), (0, 3, 0.4)])
    net.linking[2, 0] = 0.8
    net.linking[2, 3] = 0.8
    rates = np.array([0.25, 0.5, 0.5, 0.1, 0.5])  # one rate per institution
    net.decay(bonding_rate=0.1, bridging_rate=0.5, linking_rates=rates, threshold=0.0, linking_threshold=0.0)
    # bonding 0.5 * 0.9 = 0.45; bridging 0.4 * 0.5 = 0.2; linking to institution 0: 0.8 * 0.75 = 0.6, to 3: 0.8 * 0.9 = 0.72.
    assert dense(net.bonding)[0, 1] == pytest.approx(0.45)
    assert dense(net.bonding)[1, 0] == pytest.approx(0.45)
    assert dense(net.bridging)[3, 0] == pytest.approx(0.2)
    assert net.linking[2, 0] == pytest.approx(0.6)
    assert net.linking[2, 3] == pytest.approx(0.72)


def test_decay_prunes_ties_below_threshold_and_keeps_the_rest():
    net = make([(0, 1, 0.5), (3, 4, 0.2), (0, 3, 0.4)])
    net.linking[1, 0] = 0.3
    net.linking[2, 1] = 0.8
    net.linking[3, 0] = 0.01
    net.decay(bonding_rate=0.1, bridging_rate=0.5, linking_rates=np.full(INSTITUTIONS, 0.2), threshold=0.25, linking_threshold=0.005)
    # bonding: 0.5 -> 0.45 kept; 0.2 -> 0.18 < 0.25 dropped.
    # bridging: 0.4 -> 0.2 < 0.25 dropped.
    # linking has its own, lower threshold: 0.3 -> 0.24 kept (it would be dropped at 0.25);
    # 0.8 -> 0.64 kept; 0.01 -> 0.008 kept; nothing below 0.005.
    bonding = dense(net.bonding)
    assert bonding[0, 1] == pytest.approx(0.45)
    assert bonding[3, 4] == 0.0
    assert net.bridging.nnz == 0  # pruned entries are removed, not kept as explicit zeros
    assert net.bonding.nnz == 2
    assert net.linking[1, 0] == pytest.approx(0.24)
    assert net.linking[2, 1] == pytest.approx(0.64)
    assert net.linking[3, 0] == pytest.approx(0.008)
    assert net.tie_count() == 1
    # A month later 0.008 -> 0.0064, and then 0.00512; the month after, 0.004096 < 0.005 is dropped.
    for expected in (0.0064, 0.00512, 0.0):
        net.decay(0.1, 0.5, np.full(INSTITUTIONS, 0.2), 0.25, 0.005)
        assert net.linking[3, 0] == pytest.approx(expected)


def test_zero_decay_changes_nothing():
    net = make([(0, 1, 0.5), (0, 3, 0.4)])
    net.linking[2, 0] = 0.3
    net.decay(0.0, 0.0, np.zeros(INSTITUTIONS), 0.0, 0.0)
    assert dense(net.bonding)[0, 1] == pytest.approx(0.5)
    assert dense(net.bridging)[0, 3] == pytest.approx(0.4)
    assert net.linking[2, 0] == 0.3


# -- cut ----------------------------------------------------------------------


def test_cut_removes_every_tie_of_moved_residents_and_keeps_the_others():
    net = make([(0, 1, 0.5), (1, 2, 0.6), (3, 4, 0.7), (2, 5, 0.3), (0, 3, 0.4), (1, 4, 0.2)])
    net.linking[1, 0] = 0.5
    net.linking[0, 0] = 0.4
    net.cut(np.array([1]))
    bonding, bridging = dense(net.bonding), dense(net.bridging)
    assert not bonding[1].any() and not bonding[:, 1].any()
    assert not bridging[1].any() and not bridging[:, 1].any()
    assert not net.linking[1].any()
    # Untouched: 3-4 bonding 0.7, 2-5 and 0-3 bridging, 0's linking tie.
    assert bonding[3, 4] == pytest.approx(0.7) and bonding[4, 3] == pytest.approx(0.7)
    assert bridging[2, 5] == pytest.approx(0.3)
    assert bridging[0, 3] == pytest.approx(0.4)
    assert net.linking[0, 0] == pytest.approx(0.4)
    assert net.tie_count() == 3


def test_cut_of_nobody_changes_nothing():
    net = make([(0, 1, 0.5), (0, 3, 0.4)])
    net.cut(np.array([], dtype=np.int64))
    assert net.tie_count() == 2


# -- reading ------------------------------------------------------------------


def test_neighbour_means_is_tie_weighted_and_own_value_when_isolated():
    net = make([(0, 1, 1.0), (0, 3, 0.4), (1, 2, 0.5)])
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    mean = net.neighbour_means(x)[0]
    # 0: ties to 1 (1.0) and 3 (0.4): (1.0*2 + 0.4*4) / 1.4 = 3.6 / 1.4.
    # 1: ties to 0 (1.0) and 2 (0.5): (1.0*1 + 0.5*3) / 1.5 = 2.5 / 1.5.
    # 2: tie to 1 only: 2.   3: tie to 0 only: 1.
    # 4 and 5: no ties: their own values 5 and 6.
    np.testing.assert_allclose(mean, [3.6 / 1.4, 2.5 / 1.5, 2.0, 1.0, 5.0, 6.0])


def test_neighbour_means_ignores_own_value_when_connected():
    net = make([(0, 1, 0.5)])
    before = net.neighbour_means(np.array([0.0, 1.0, 0, 0, 0, 0]))[0]
    after = net.neighbour_means(np.array([100.0, 1.0, 0, 0, 0, 0]))[0]
    assert before[0] == after[0] == pytest.approx(1.0)


def test_to_networkx_carries_kinds_weights_and_institutions():
    net = make([(0, 1, 0.5), (0, 3, 0.4)])
    net.linking[2, 1] = 0.3
    graph = net.to_networkx(["landlord", "a", "b", "c", "d"], estate=np.array([0, 0, 0, 0, 1, 1]))
    assert graph.number_of_nodes() == 6 + 5
    assert graph.edges[0, 1] == {"weight": pytest.approx(0.5), "kind": "bonding"}
    assert graph.edges[0, 3]["kind"] == "bridging"
    assert graph.edges[2, "a"] == {"weight": pytest.approx(0.3), "kind": "linking"}
    assert graph.nodes[4]["estate"] == 1 and graph.nodes[4]["block"] == 1
    assert graph.number_of_edges() == 3


# -- generate -----------------------------------------------------------------


def _generated(n: int, seed: int, **changes) -> tuple[SocialNetwork, np.ndarray, np.ndarray]:
    block, estate = layout(n, 40, 10)
    return generate(np.random.default_rng(seed), block, estate, params(**changes), INSTITUTIONS), block, estate


def _edges(matrix) -> tuple[np.ndarray, np.ndarray]:
    coo = sp.coo_array(matrix)
    return coo.row, coo.col


def test_generate_is_reproducible_with_the_same_seed():
    a, _, _ = _generated(800, 11)
    b, _, _ = _generated(800, 11)
    c, _, _ = _generated(800, 12)
    assert (a.bonding != b.bonding).nnz == 0
    assert (a.bridging != b.bridging).nnz == 0
    np.testing.assert_array_equal(a.linking, b.linking)
    assert (a.bonding != c.bonding).nnz > 0


def test_generate_mean_degrees_are_close_to_declared():
    net, _, _ = _generated(10_000, 3)
    bonding_degree = net.bonding.nnz / net.n
    bridging_degree = net.bridging.nnz / net.n
    # Declared 4 and 1, within 10% on one seed (duplicate draws merge into one tie, so a little short).
    assert bonding_degree == pytest.approx(4.0, rel=0.10)
    assert bridging_degree == pytest.approx(1.0, rel=0.10)


def test_generate_degrees_match_declared_within_5_percent_on_a_large_community():
    # A bridging partner drawn from the resident's own block must be redrawn, not dropped
    # (dropping them left the bridging degree ~8% short: 0.92 instead of 1).
    net, _, _ = _generated(20_000, 3)
    assert net.bridging.nnz / net.n == pytest.approx(1.0, rel=0.05)
    assert net.bonding.nnz / net.n == pytest.approx(4.0, rel=0.05)


def test_generate_degree_follows_the_declared_value():
    low, _, _ = _generated(4000, 3, bonding_degree=2.0, bridging_degree=3.0)
    high, _, _ = _generated(4000, 3, bonding_degree=8.0, bridging_degree=0.5)
    assert high.bonding.nnz > 3 * low.bonding.nnz
    assert low.bridging.nnz > 4 * high.bridging.nnz


def test_generate_zero_degrees_give_no_ties():
    net, _, _ = _generated(1000, 3, bonding_degree=0.0, bridging_degree=0.0)
    assert net.tie_count() == 0


def test_generate_has_no_self_ties_and_bonding_stays_within_blocks():
    net, block, _ = _generated(4000, 5)
    assert net.bonding.diagonal().sum() == 0 and net.bridging.diagonal().sum() == 0
    rows, cols = _edges(net.bonding)
    assert len(rows) > 0
    assert np.all(block[rows] == block[cols])
    rows, cols = _edges(net.bridging)
    assert len(rows) > 0
    assert np.all(block[rows] != block[cols])


def test_generate_every_resident_with_a_neighbour_gets_a_bonding_tie():
    # bonding_degree 2: every resident draws exactly one partner, always another member of its block,
    # so nobody in a block of 3 is left without a bonding tie.
    block, estate = layout(3000, 3, 10)
    net = generate(np.random.default_rng(8), block, estate, params(bonding_degree=2.0), INSTITUTIONS)
    assert np.all(net.bonding_strength() > 0)
    assert net.bonding.diagonal().sum() == 0


def test_generate_initial_strengths_by_kind():
    # Bonding ties start at U(0.3, 1) and bridging ties at U(0.2, 0.6); a repeated draw only adds strength.
    net, _, _ = _generated(4000, 5)
    assert net.bonding.data.min() >= 0.3
    assert net.bridging.data.min() >= 0.2
    assert net.bonding.data.mean() > net.bridging.data.mean()


def test_generate_ties_are_symmetric_with_strengths_in_range():
    net, _, _ = _generated(2000, 5)
    for matrix in (net.bonding, net.bridging):
        assert abs(matrix - matrix.T).max() == 0
        assert matrix.data.min() > 0 and matrix.data.max() <= 1.0


def test_generate_all_bridging_within_estate_when_share_is_one():
    net, _, estate = _generated(4000, 5, same_estate_bridging=1.0)
    rows, cols = _edges(net.bridging)
    assert len(rows) > 0
    assert np.all(estate[rows] == estate[cols])


def test_generate_initial_linking_share():
    net, _, _ = _generated(10_000, 5)
    linked = net.linking[:, 0] > 0
    # Declared 10% of residents start with a 0.3-strength tie to the landlord (binomial s.d. 0.3%).
    assert linked.mean() == pytest.approx(0.1, abs=0.015)
    assert np.all(net.linking[linked, 0] == pytest.approx(0.3))
    assert not net.linking[:, 1:].any()


def test_generate_handles_a_resident_alone_in_its_block():
    block = np.array([0, 0, 0, 1])
    estate = np.zeros(4, dtype=np.int64)
    net = generate(np.random.default_rng(0), block, estate, params(bonding_degree=10.0), INSTITUTIONS)
    assert net.bonding_strength()[3] == 0.0
    assert net.bonding.diagonal().sum() == 0
