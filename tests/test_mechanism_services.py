"""Services: need arising, access, each resident's fit, requests served first, and sharing capacity among residents."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim import HousingModel
from sim.mechanisms import services, voice
from sim.parameters import as_namespace
from sim.state import COMMUNITY, REPAIRS
from sim.streams import Streams


def alike(fit, residents: int) -> np.ndarray:
    """Every resident with the same fit per domain: the (n, domains) array allot takes."""
    return np.tile(np.asarray(fit, dtype=float), (residents, 1))


# -- allot --------------------------------------------------------------------


def test_allot_with_ample_capacity_meets_all_demand():
    demand = np.array([[1.0, 0.5], [2.0, 0.0]])
    # Required units: 3/1 and 0.5/0.5 = 1; capacity 10 and 10 is ample.
    met = services.allot(demand, np.array([10.0, 10.0]), alike([1.0, 0.5], 2), redeployment=0.5)
    np.testing.assert_allclose(met, demand)


def test_allot_with_scarce_capacity_scales_everyone_alike():
    demand = np.array([[1.0, 0.5], [3.0, 1.5]])
    # Required: 4/1 = 4 units and 2/0.5 = 4 units. Capacity 2 and 1: served 1/2 and 1/4. No spare anywhere.
    met = services.allot(demand, np.array([2.0, 1.0]), alike([1.0, 0.5], 2), redeployment=1.0)
    np.testing.assert_allclose(met, [[0.5, 0.125], [1.5, 0.375]])


def test_allot_redeploys_spare_capacity_to_the_short_domain():
    demand = np.array([[1.0, 0.0], [3.0, 2.0]])
    fit = alike([1.0, 0.5], 2)
    # Required: 4 and 2/0.5 = 4. Capacity 2 and 10: domain 1 has 6 spare, redeployment 0.25 moves 1.5
    # to domain 0 (the only one short): capacity 2 + 1.5 = 3.5 of 4 -> served 0.875; domain 1 fully served.
    met = services.allot(demand, np.array([2.0, 10.0]), fit, redeployment=0.25)
    np.testing.assert_allclose(met, [[0.875, 0.0], [2.625, 2.0]])
    # Without redeployment domain 0 gets only 2 of 4 units.
    rigid = services.allot(demand, np.array([2.0, 10.0]), fit, redeployment=0.0)
    np.testing.assert_allclose(rigid, [[0.5, 0.0], [1.5, 2.0]])


def test_redeployment_is_in_proportion_to_shortfall():
    demand = np.array([[4.0, 4.0, 2.0]])
    fit = np.ones((1, 3))
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
        fit = rng.uniform(0.1, 1.0, (8, 4))  # each resident's own fit
        met = services.allot(demand, capacity, fit, redeployment=rng.random())
        assert np.all(met <= demand + 1e-12)
        assert np.all(met >= 0)
        # Nor are more units used than there are (redeployment moves units, it makes none).
        assert (met / fit).sum() <= capacity.sum() + 1e-9


def test_allot_more_capacity_never_meets_less():
    demand = np.array([[1.0, 2.0, 0.5, 0.3], [0.2, 0.0, 1.5, 0.1]])
    fit = alike([0.7, 0.7, 0.7, 0.7], 2)
    low = services.allot(demand, np.array([1.0, 1.0, 1.0, 1.0]), fit, 0.5)
    high = services.allot(demand, np.array([2.0, 1.0, 1.0, 1.0]), fit, 0.5)
    assert np.all(high >= low - 1e-12)
    assert high.sum() > low.sum()


def test_allot_with_no_demand_meets_nothing():
    met = services.allot(np.zeros((3, 4)), np.ones(4), np.ones((3, 4)), 0.5)
    np.testing.assert_array_equal(met, np.zeros((3, 4)))


def test_poorer_design_fit_needs_more_units():
    demand = np.array([[1.0]])
    # 1 unit of capacity: fit 1 meets all; fit 0.5 needs 2 units, so meets half.
    assert services.allot(demand, np.array([1.0]), np.array([[1.0]]), 0.0)[0, 0] == pytest.approx(1.0)
    assert services.allot(demand, np.array([1.0]), np.array([[0.5]]), 0.0)[0, 0] == pytest.approx(0.5)


def test_units_are_shared_by_demand_and_meet_need_by_each_residents_fit():
    demand = np.array([[1.0], [1.0]])
    # One unit, shared by demand: half a unit each; resident 0 meets 0.5 * 1, resident 1 only 0.5 * 0.5.
    met = services.allot(demand, np.array([1.0]), np.array([[1.0], [0.5]]), 0.0)
    np.testing.assert_allclose(met, [[0.5], [0.25]])
    # Ample units: each meets all of their demand, however well the service fits them.
    met = services.allot(demand, np.array([10.0]), np.array([[1.0], [0.5]]), 0.0)
    np.testing.assert_allclose(met, demand)


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


# -- resident_fit -------------------------------------------------------------


def test_resident_fit_known_values():
    design_fit = np.array([0.7, 0.7])
    designed_for = np.array([0.5, 0.9])
    # A resident at 0.5 on the scale of advantage (the typical tenant): fit 0.7;
    # 0.4 from a design shaped around 0.9: 0.7 * (1 - 0.3 * 0.4) = 0.616.
    np.testing.assert_allclose(services.resident_fit(design_fit, designed_for, np.array([0.5]), 0.3), [[0.7, 0.616]])


def test_a_design_fits_those_unlike_its_designers_less():
    position = np.array([0.05, 0.27, 0.5, 0.73, 0.95])
    fit = services.resident_fit(np.array([0.8]), np.array([1.0]), position, 0.5)[:, 0]
    # Shaped around the most advantaged: the further down the scale, the worse the fit.
    assert np.all(np.diff(fit) > 0)
    assert np.all(fit <= 0.8) and np.all(fit >= 0.8 * 0.5)


def test_without_tailoring_a_service_fits_everyone_alike():
    fit = services.resident_fit(np.array([0.6, 0.9]), np.array([0.1, 0.95]), np.array([0.12, 0.5, 0.88]), 0.0)
    np.testing.assert_array_equal(fit, np.tile([0.6, 0.9], (3, 1)))


# -- serve_requests -----------------------------------------------------------


def test_serve_requests_known_values():
    demand = np.array([[1.0, 0.0], [0.1, 0.0], [0.5, 0.5]])
    fit = np.full((3, 2), 0.5)
    capacity = np.array([2.0, 1.0])
    delivered = np.array([True, True, False])
    raised = np.array([0, 0, -1])
    # Each request buys 0.5 units, meeting 0.25 of need at fit 0.5.
    # Household 0 needs 1: meets 0.25, no units left. Household 1 needs 0.1: meets 0.1 with 0.2 units,
    # the other 0.3 units join repairs' capacity for everyone.
    won, direct = services.serve_requests(demand, fit, delivered, raised, 0.5, capacity)
    np.testing.assert_array_equal(won, [0, 1])
    np.testing.assert_allclose(direct, [0.25, 0.1])
    np.testing.assert_allclose(demand, [[0.75, 0.0], [0.0, 0.0], [0.5, 0.5]])
    np.testing.assert_allclose(capacity, [2.3, 1.0])


def test_no_request_delivered_serves_nobody_first():
    demand = np.ones((2, 2))
    capacity = np.ones(2)
    won, direct = services.serve_requests(demand, np.ones((2, 2)), np.zeros(2, dtype=bool), np.array([-1, -1]), 0.5, capacity)
    assert len(won) == 0 and len(direct) == 0
    np.testing.assert_array_equal(demand, np.ones((2, 2)))
    np.testing.assert_array_equal(capacity, np.ones(2))


def test_serving_requests_uses_no_more_units_than_they_bought():
    rng = np.random.default_rng(3)
    demand = rng.random((50, 4))
    fit = rng.uniform(0.3, 1.0, (50, 4))
    delivered = rng.random(50) < 0.4
    raised = rng.integers(0, 4, 50)
    capacity = np.zeros(4)
    before = demand.copy()
    won, direct = services.serve_requests(demand, fit, delivered, raised, 0.4, capacity)
    # Units met directly plus units passed on = units bought.
    used = (direct / fit[won, raised[won]]).sum()
    assert used + capacity.sum() == pytest.approx(0.4 * len(won))
    assert np.all(direct <= before[won, raised[won]] + 1e-12)
    assert np.all(demand >= -1e-12)


def test_requests_that_cost_nothing_buy_nothing_and_delivery_goes_on():
    model = _delivery_model()
    for service in model.services:
        service.capacity = 10.0
    model.state.delivered[:3] = True
    model.state.raised[:3] = REPAIRS
    model.month.room.units_per_request = 0.0  # voice.request_cost 0
    services.deliver(model)
    # The winners' requests bought nothing: they are served as everyone else.
    assert np.all(model.month.met[:3] > 0)


# -- deliver (the phase) ------------------------------------------------------


def _delivery_model(**overrides) -> HousingModel:
    model = HousingModel(rng=6, residents=50, status_quo__months=0, **overrides)
    s = model.state
    s.need[:] = 1.0
    s.delivered[:] = False
    s.raised[:] = -1
    model.month.room = voice.empty_room(4)
    for service in model.services:
        service.capacity = 0.0
    return model


def test_those_who_won_a_change_are_served_before_the_rest():
    model = _delivery_model()
    s = model.state
    s.delivered[:3] = True
    s.raised[:3] = REPAIRS
    model.month.room.units_per_request = 0.01  # too little for anything to be left over for others
    services.deliver(model)
    # Only the winners had any need met, and only in repairs; nobody else's service had capacity.
    assert np.all(model.month.met[:3, REPAIRS] > 0)
    assert np.all(model.month.met[3:] == 0) and np.all(model.month.met[:, 1:] == 0)
    assert np.all(s.need_fit[:3] > 0) and np.all(s.need_fit[3:] == 0)


def test_need_falls_by_what_was_met_and_need_fit_is_the_share_met():
    model = _delivery_model()
    for service in model.services:
        service.capacity = 20.0
    held = model.state.need.sum(axis=1)
    services.deliver(model)
    met = model.month.met
    np.testing.assert_allclose(model.state.need, 1.0 - met)
    np.testing.assert_allclose(model.state.need_fit, met.sum(axis=1) / held)
    assert model.month.need_fit == pytest.approx(met.sum() / held.sum())
    np.testing.assert_allclose(model.state.unmet_repairs, model.state.need[:, REPAIRS])
    assert np.all((model.state.need_fit >= 0) & (model.state.need_fit <= 1))


def test_a_failed_contractor_leaves_its_estates_repairs_undone():
    done, failed = _delivery_model(), _delivery_model()
    for model in (done, failed):
        for service in model.services:
            service.capacity = 10.0
    failed.shocks.repairs_delivered[:] = 0.7  # contractor_loss 0.3
    services.deliver(done)
    services.deliver(failed)
    np.testing.assert_allclose(failed.month.met[:, REPAIRS], 0.7 * done.month.met[:, REPAIRS])
    np.testing.assert_allclose(failed.month.met[:, 1:], done.month.met[:, 1:])


def test_a_design_shaped_around_the_advantaged_serves_them_better():
    model = _delivery_model()
    s = model.state
    s.advantage[:25] = -2.0
    s.advantage[25:] = 2.0
    s.position[:] = 1.0 / (1.0 + np.exp(-s.advantage))  # the place on the scale of advantage follows the advantage
    s.trust_services[:] = 0.5
    s.stigma[:] = 0.0
    for service in model.services:
        service.capacity = 5.0  # scarce: 50 households each bring forward 0.9 * 0.85 of a unit
        service.designed_for = 1.0 / (1.0 + np.exp(-2.0))
    services.deliver(model)
    assert model.state.need_fit[25:].min() > model.state.need_fit[:25].max()


def test_no_hub_means_no_hub_sessions():
    model = _delivery_model()
    model.services[COMMUNITY].capacity = 10.0
    services.deliver(model)
    assert not model.month.hub_attendees.any()


def test_redeployment_never_takes_units_a_domain_still_needs_when_fits_differ():
    """Meeting every resident takes enough units for the one the service fits worst; only units beyond that move."""
    demand = np.array([[1.0, 1.0], [1.0, 0.0]])
    fit = np.array([[1.0, 1.0], [0.5, 1.0]])
    # Domain 0 needs 2 / 0.5 = 4 units to meet both (1 each in proportion to demand, 2 for the resident it fits half as well).
    met = services.allot(demand, np.array([10.0, 0.0]), fit, redeployment=1.0)
    np.testing.assert_allclose(met[:, 0], [1.0, 1.0])
    # The 6 units beyond that go to domain 1, which needs 1.
    assert met[0, 1] == 1.0
    # Short of that, the resident it fits worst is met less: 3 units, 1.5 each, 0.75 of their need.
    np.testing.assert_allclose(services.allot(np.array([[1.0], [1.0]]), np.array([3.0]), np.array([[1.0], [0.5]]), 0.0)[:, 0], [1.0, 0.75])
