"""Services in isolation: need arising, access, and sharing capacity among residents."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.mechanisms import services
from sim.parameters import as_namespace
from sim.streams import Streams

# -- allot --------------------------------------------------------------------


def test_allot_with_ample_capacity_meets_all_demand():
    demand = np.array([[1.0, 0.5], [2.0, 0.0]])
    # Required units: 3/1 and 0.5/0.5 = 1; capacity 10 and 10 is ample.
    met = services.allot(demand, np.array([10.0, 10.0]), np.array([1.0, 0.5]), redeployment=0.5)
    np.testing.assert_allclose(met, demand)


def test_allot_with_scarce_capacity_scales_everyone_alike():
    demand = np.array([[1.0, 0.5], [3.0, 1.5]])
    # Required: 4/1 = 4 units and 2/0.5 = 4 units. Capacity 2 and 1: served 1/2 and 1/4. No spare anywhere.
    met = services.allot(demand, np.array([2.0, 1.0]), np.array([1.0, 0.5]), redeployment=1.0)
    np.testing.assert_allclose(met, [[0.5, 0.125], [1.5, 0.375]])


def test_allot_redeploys_spare_capacity_to_the_short_domain():
    demand = np.array([[1.0, 0.0], [3.0, 2.0]])
    fit = np.array([1.0, 0.5])
    # Required: 4 and 2/0.5 = 4. Capacity 2 and 10: domain 1 has 6 spare, redeployment 0.25 moves 1.5
    # to domain 0 (the only one short): capacity 2 + 1.5 = 3.5 of 4 -> served 0.875; domain 1 fully served.
    met = services.allot(demand, np.array([2.0, 10.0]), fit, redeployment=0.25)
    np.testing.assert_allclose(met, [[0.875, 0.0], [2.625, 2.0]])
    # Without redeployment domain 0 gets only 2 of 4 units.
    rigid = services.allot(demand, np.array([2.0, 10.0]), fit, redeployment=0.0)
    np.testing.assert_allclose(rigid, [[0.5, 0.0], [1.5, 2.0]])


def test_redeployment_is_in_proportion_to_shortfall():
    demand = np.array([[4.0, 4.0, 2.0]])
    fit = np.ones(3)
    capacity = np.array([2.0, 3.0, 6.0])
    # Shortfalls 2 and 1; spare 6 - 2 = 4, half moved = 2, split 2:1 -> +4/3 and +2/3.
    # Domain 0: (2 + 4/3)/4 = 0.8333; domain 1: (3 + 2/3)/4 = 0.9167; domain 2: all of its 2.
    met = services.allot(demand, capacity, fit, redeployment=0.5)
    np.testing.assert_allclose(met, [[4 * (2 + 4 / 3) / 4, 4 * (3 + 2 / 3) / 4, 2.0]])


def test_allot_never_meets_more_than_demand():
    rng = np.random.default_rng(0)
    for _ in range(50):
        demand = rng.random((8, 4)) * rng.integers(0, 2, (8, 4))
        capacity = rng.random(4) * 5
        fit = rng.uniform(0.1, 1.0, 4)
        met = services.allot(demand, capacity, fit, redeployment=rng.random())
        assert np.all(met <= demand + 1e-12)
        assert np.all(met >= 0)
        # Nor does any domain use more units than it has after redeployment (total units conserved or fewer).
        assert (met.sum(axis=0) / fit).sum() <= capacity.sum() + 1e-9


def test_allot_more_capacity_never_meets_less():
    demand = np.array([[1.0, 2.0, 0.5, 0.3], [0.2, 0.0, 1.5, 0.1]])
    fit = np.array([0.7, 0.7, 0.7, 0.7])
    low = services.allot(demand, np.array([1.0, 1.0, 1.0, 1.0]), fit, 0.5)
    high = services.allot(demand, np.array([2.0, 1.0, 1.0, 1.0]), fit, 0.5)
    assert np.all(high >= low - 1e-12)
    assert high.sum() > low.sum()


def test_allot_with_no_demand_meets_nothing():
    met = services.allot(np.zeros((3, 4)), np.ones(4), np.ones(4), 0.5)
    np.testing.assert_array_equal(met, np.zeros((3, 4)))


def test_poorer_design_fit_needs_more_units():
    demand = np.array([[1.0]])
    # 1 unit of capacity: fit 1 meets all; fit 0.5 needs 2 units, so meets half.
    assert services.allot(demand, np.array([1.0]), np.array([1.0]), 0.0)[0, 0] == pytest.approx(1.0)
    assert services.allot(demand, np.array([1.0]), np.array([0.5]), 0.0)[0, 0] == pytest.approx(0.5)


# -- access -------------------------------------------------------------------


def test_access_known_values():
    # Full trust, no stigma: (1 - 0.3 + 0.3) * 1 = 1. No trust, full stigma, barriers 0.3: 0.7 * 0.7 = 0.49.
    np.testing.assert_allclose(services.access(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.3, 0.3), [1.0, 0.49])
    # No trust barrier: trust does not matter; stigma barrier 0.5 at full stigma halves access.
    np.testing.assert_allclose(services.access(np.array([0.0, 1.0]), np.array([1.0, 1.0]), 0.5, 0.0), [0.5, 0.5])


def test_access_rises_with_trust_and_falls_with_stigma():
    trust = np.linspace(0, 1, 5)
    assert np.all(np.diff(services.access(trust, np.full(5, 0.3), 0.3, 0.3)) > 0)
    assert np.all(np.diff(services.access(np.full(5, 0.5), trust, 0.3, 0.3)) < 0)


# -- needs_arise --------------------------------------------------------------


def test_needs_arise_persists_adds_and_caps():
    sp = as_namespace({**services.PARAMETERS.defaults(), "need_persistence": 0.5, "need_cap": 2.0})
    state = SimpleNamespace(
        need=np.array([[1.0, 0.0, 0.0, 0.0], [3.0, 0.0, 0.0, 0.0]]), need_profile=np.array([[0.2, 0.0, 0.0, 0.1], [2.0, 0.0, 0.0, 0.0]])
    )
    model = SimpleNamespace(state=state, params=SimpleNamespace(services=sp), streams=Streams(4))
    u = Streams(4)["needs"].random((2, 4))
    services.needs_arise(model)
    # need = min(0.5 * old + profile * 2u, 2).
    expected = np.minimum(0.5 * np.array([[1.0, 0, 0, 0], [3.0, 0, 0, 0]]) + state.need_profile * 2 * u, 2.0)
    np.testing.assert_allclose(state.need, expected)
    assert state.need[1, 0] <= 2.0
    # No profile in a domain, no new need there.
    assert state.need[0, 1] == 0.0 and state.need[0, 2] == 0.0
