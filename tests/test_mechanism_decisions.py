"""Decisions in isolation: the landlord's belief about needs, how far input moves it, and the budget."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.mechanisms import decisions
from sim.mechanisms import services as services_module
from sim.parameters import as_namespace
from sim.streams import Streams

PRIOR = np.array([0.55, 0.1, 0.1, 0.25])


# -- need_shares --------------------------------------------------------------


def test_need_shares_known_answer():
    need = np.array([[1.0, 0.0, 0.0, 1.0], [1.0, 2.0, 0.0, 0.0]])
    # Column totals 2, 2, 0, 1 of 5.
    np.testing.assert_allclose(decisions.need_shares(need), [0.4, 0.4, 0.0, 0.2])


def test_need_shares_is_uniform_without_need():
    np.testing.assert_allclose(decisions.need_shares(np.zeros((3, 4))), [0.25] * 4)


def test_need_shares_sum_to_one():
    need = np.random.default_rng(0).random((20, 4))
    assert decisions.need_shares(need).sum() == pytest.approx(1.0)


# -- initial_belief -----------------------------------------------------------


def test_initial_belief_with_accuracy_zero_is_the_prior():
    truth = np.array([0.4, 0.4, 0.0, 0.2])
    np.testing.assert_allclose(decisions.initial_belief(truth, PRIOR, 0.0), PRIOR)


def test_initial_belief_with_accuracy_one_is_the_truth():
    truth = np.array([0.4, 0.4, 0.0, 0.2])
    np.testing.assert_allclose(decisions.initial_belief(truth, PRIOR, 1.0), truth)


def test_initial_belief_halfway():
    truth = np.array([0.4, 0.4, 0.0, 0.2])
    # 0.5*truth + 0.5*prior = [0.475, 0.25, 0.05, 0.225] (sums to 1 already).
    np.testing.assert_allclose(decisions.initial_belief(truth, PRIOR, 0.5), [0.475, 0.25, 0.05, 0.225])


def test_initial_belief_normalises_the_prior():
    truth = np.array([0.25, 0.25, 0.25, 0.25])
    # Prior (2, 2, 0, 0) reads as (0.5, 0.5, 0, 0).
    np.testing.assert_allclose(decisions.initial_belief(truth, np.array([2.0, 2.0, 0.0, 0.0]), 0.0), [0.5, 0.5, 0, 0])
    # An all-zero prior reads as uniform.
    np.testing.assert_allclose(decisions.initial_belief(truth, np.zeros(4), 0.0), [0.25] * 4)


def test_initial_belief_gets_closer_to_truth_with_accuracy():
    truth = np.array([0.4, 0.4, 0.0, 0.2])
    scores = [decisions.belief_accuracy(decisions.initial_belief(truth, PRIOR, a), truth) for a in (0.0, 0.3, 0.6, 1.0)]
    assert np.all(np.diff(scores) > 0)
    assert scores[-1] == pytest.approx(1.0)


# -- belief_accuracy ----------------------------------------------------------


def test_belief_accuracy_identical_is_one():
    assert decisions.belief_accuracy(PRIOR, PRIOR.copy()) == pytest.approx(1.0)


def test_belief_accuracy_disjoint_is_zero():
    assert decisions.belief_accuracy(np.array([1.0, 0, 0, 0]), np.array([0, 0.5, 0.5, 0])) == pytest.approx(0.0)


def test_belief_accuracy_known_value():
    # |0.5-0.25|*2 + |0-0.25|*2 = 1.0; 1 - 0.5*1.0 = 0.5.
    assert decisions.belief_accuracy(np.array([0.5, 0.5, 0, 0]), np.full(4, 0.25)) == pytest.approx(0.5)


def test_belief_accuracy_is_symmetric():
    a, b = np.array([0.7, 0.1, 0.1, 0.1]), np.array([0.2, 0.3, 0.3, 0.2])
    assert decisions.belief_accuracy(a, b) == pytest.approx(decisions.belief_accuracy(b, a))


# -- input_weight -------------------------------------------------------------


def test_input_weight_is_zero_without_participants():
    assert decisions.input_weight(1.0, 0, 0.5, 10.0) == 0.0


def test_input_weight_known_value():
    # 0.1 * 0.5 * 10/(10+10) = 0.025.
    assert decisions.input_weight(0.5, 10, 0.1, 10.0) == pytest.approx(0.025)


def test_input_weight_rises_with_participants_towards_learning_rate_times_influence():
    weights = [decisions.input_weight(0.5, k, 0.1, 10.0) for k in (1, 2, 5, 10, 100, 10_000)]
    assert np.all(np.diff(weights) > 0)
    assert weights[-1] < 0.1 * 0.5
    assert weights[-1] == pytest.approx(0.05, rel=1e-2)


def test_input_weight_is_zero_without_influence_and_rises_with_it():
    assert decisions.input_weight(0.0, 50, 0.1, 10.0) == 0.0
    assert decisions.input_weight(0.8, 50, 0.1, 10.0) > decisions.input_weight(0.4, 50, 0.1, 10.0)


# -- decide (the phase, on a hand-made model) ---------------------------------


def _fake_model(influence: float, co_delivery: float, design_fit: float = 0.7):
    lp = as_namespace({**decisions.LANDLORD.defaults(), "learning_rate": 0.1, "information_half": 2.0})
    sp = as_namespace(services_module.PARAMETERS.defaults())  # design_fit 0.7, design_reversion 0.02
    state = SimpleNamespace(
        participated=np.array([True, True, False, False]),
        need=np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [5.0, 0.0, 0.0, 0.0], [5.0, 0.0, 0.0, 0.0]]),
        n=4,
    )
    landlord = SimpleNamespace(
        belief=PRIOR.copy(),
        budget=110.0,
        policy=SimpleNamespace(co_delivery=co_delivery),
        influence=lambda: influence,
    )
    services = [SimpleNamespace(domain=d, design_fit=design_fit, fixed_capacity=0.0, capacity=0.0, co_delivered=0.0) for d in range(4)]
    services[3].fixed_capacity = 0.05
    return SimpleNamespace(
        state=state,
        landlord=landlord,
        services=services,
        params=SimpleNamespace(landlord=lp, services=sp),
        month=SimpleNamespace(),
        streams=Streams(1),
    )


def test_decide_moves_belief_towards_participants_needs_and_sets_capacity():
    # co_delivery 1: every participant co-delivers (a uniform draw is always below 1).
    model = _fake_model(influence=0.5, co_delivery=1.0)
    decisions.decide(model)
    # Two participants, both with need only in employment: heard = (0, 1, 0, 0).
    # weight = 0.1 * 0.5 * 2/(2+2) = 0.025.
    # belief = 0.975 * (0.55, 0.1, 0.1, 0.25) + 0.025 * (0, 1, 0, 0) = (0.53625, 0.1225, 0.0975, 0.24375).
    belief = np.array([0.53625, 0.1225, 0.0975, 0.24375])
    np.testing.assert_allclose(model.landlord.belief, belief)
    assert model.month.influence == 0.5
    # Design fit at the professional default (no reversion pull) closes 2.5% of its gap to 1: 0.7 + 0.025*0.3 = 0.7075.
    for service in model.services:
        assert service.design_fit == pytest.approx(0.7075)
    np.testing.assert_array_equal(model.month.co_delivers, [True, True, False, False])
    # Co-delivery: 2 co-deliverers * 4 h * 0.05 units/h = 0.4 units, shared by belief.
    # Budget: 110 * 4 / 150 = 2.9333 units, shared by belief. Hub: 0.05 * 4 = 0.2 units in community.
    budget_units = 110 * 4 / 150
    for d, service in enumerate(model.services):
        assert service.co_delivered == pytest.approx(0.4 * belief[d])
        hub = 0.2 if d == 3 else 0.0
        assert service.capacity == pytest.approx(budget_units * belief[d] + 0.4 * belief[d] + hub)


def test_decide_without_influence_leaves_belief_alone_and_budget_sets_capacity():
    model = _fake_model(influence=0.0, co_delivery=0.0)
    decisions.decide(model)
    np.testing.assert_array_equal(model.landlord.belief, PRIOR)
    assert all(service.design_fit == pytest.approx(0.7) for service in model.services)
    assert not model.month.co_delivers.any()
    # Total capacity less the hub's 0.2 is exactly the budget's units: 110 * 4 / 150.
    assert sum(s.capacity for s in model.services) - 0.2 == pytest.approx(110 * 4 / 150)


def test_design_fit_drifts_back_to_the_default_without_input():
    model = _fake_model(influence=0.0, co_delivery=0.0, design_fit=0.9)
    decisions.decide(model)
    # 0.9 + 0.02 * (0.7 - 0.9) = 0.896.
    assert all(service.design_fit == pytest.approx(0.896) for service in model.services)
