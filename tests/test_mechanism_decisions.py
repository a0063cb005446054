"""Decisions: the landlord's belief and residents' agenda, service design, provision and the budget.

The small functions against their equations (sim/mechanisms/decisions.py),
and the phase on a small real model with the month's room set by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms import decisions, voice

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


def test_leaning_prior_moves_need_between_community_and_repairs():
    np.testing.assert_allclose(decisions.leaning_prior(PRIOR, 0.05), [0.60, 0.1, 0.1, 0.20])
    np.testing.assert_allclose(decisions.leaning_prior(PRIOR, -0.10), [0.45, 0.1, 0.1, 0.35])
    np.testing.assert_allclose(decisions.leaning_prior(PRIOR, 0.40), [0.95, 0.1, 0.1, 0.0])  # cut at 0
    np.testing.assert_array_equal(decisions.leaning_prior(tuple(PRIOR), 0.0), PRIOR)  # the default: as declared


def test_a_lean_is_the_same_landlord_as_its_leaning_prior_declared():
    """The lean only rewrites professionals' prior: a run with lean 0.05 is bitwise the run declaring (0.60, 0.1, 0.1, 0.20)."""
    from sim import HousingModel

    leaning = HousingModel(rng=4, residents=60, steps=6, landlord__prior_repairs_lean=0.05).run()
    declared = HousingModel(rng=4, residents=60, steps=6, landlord__prior_belief=(0.60, 0.1, 0.1, 0.20)).run()
    assert leaning.equals(declared)
    assert not leaning.equals(HousingModel(rng=4, residents=60, steps=6).run())


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


# -- learn -------------------------------------------------------------------


def test_learn_moves_weight_of_the_way():
    current = np.array([0.55, 0.1, 0.1, 0.25])
    heard = np.array([0.0, 1.0, 0.0, 0.0])
    # 0.9 * current + 0.1 * heard = (0.495, 0.19, 0.09, 0.225).
    np.testing.assert_allclose(decisions.learn(current, heard, 0.1), [0.495, 0.19, 0.09, 0.225])
    np.testing.assert_array_equal(decisions.learn(current, heard, 0.0), current)
    np.testing.assert_allclose(decisions.learn(current, heard, 1.0), heard)


def test_learning_keeps_a_distribution_a_distribution():
    rng = np.random.default_rng(0)
    for _ in range(20):
        current, heard = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))
        moved = decisions.learn(current, heard, rng.random())
        assert moved.sum() == pytest.approx(1.0)
        assert np.all(moved >= 0)


# -- design_information -------------------------------------------------------


def test_design_information_known_values():
    # 2 delivered requests of 100 households: share 0.02 -> 0.02 / (0.02 + 0.02) = 0.5; none: 0.
    np.testing.assert_allclose(decisions.design_information(np.array([2.0, 0.0, 6.0, 0.0]), 100, 0.02), [0.5, 0.0, 0.75, 0.0])


def test_design_information_rises_with_diminishing_returns_below_one():
    values = decisions.design_information(np.arange(1.0, 101.0), 100, 0.02)  # 1 to 100 requests, evenly spaced
    assert np.all(np.diff(values) > 0) and np.all(np.diff(values, 2) < 0)
    assert values[-1] < 1.0


def test_design_information_with_no_households_does_not_divide_by_zero():
    np.testing.assert_allclose(decisions.design_information(np.zeros(4), 0, 0.02), np.zeros(4))


# -- reprovide ------------------------------------------------------------------


def test_reprovide_moves_at_most_the_room_to_change():
    provision = np.array([0.5, 0.5, 0.0, 0.0])
    intended = np.full(4, 0.25)
    # The gap is (-0.25, -0.25, 0.25, 0.25), total variation 0.5; room for 0.1 moves a fifth of the way.
    moved = decisions.reprovide(provision, intended, 0.1)
    np.testing.assert_allclose(moved, [0.45, 0.45, 0.05, 0.05])
    assert decisions.belief_accuracy(moved, provision) == pytest.approx(1.0 - 0.1)
    assert moved.sum() == pytest.approx(1.0)


def test_reprovide_with_room_enough_reaches_the_intention():
    provision = np.array([0.5, 0.5, 0.0, 0.0])
    intended = np.full(4, 0.25)
    np.testing.assert_array_equal(decisions.reprovide(provision, intended, 0.5), intended)
    np.testing.assert_array_equal(decisions.reprovide(provision, intended, 1.0), intended)


def test_a_landlord_with_no_flexible_money_changes_nothing():
    provision = np.array([0.7, 0.1, 0.1, 0.1])
    np.testing.assert_array_equal(decisions.reprovide(provision, np.full(4, 0.25), 0.0), provision)


# -- decide (the phase, on a small real model) -------------------------------


def _model(policy: str = "co_design", **overrides):
    from sim import HousingModel

    model = HousingModel(rng=2, residents=100, policy=policy, status_quo__months=0, **overrides)
    landlord = model.landlord
    uniform = np.full(4, 0.25)
    landlord.belief, landlord.baseline_belief, landlord.agenda, landlord.provision = (uniform.copy() for _ in range(4))
    model.state.participated[:] = False
    model.month.room = voice.empty_room(4)
    model.month.diverted = 0.0
    return model


def _room(model, heard, information, delivered_by_domain=(0, 0, 0, 0), designers=(0.5, 0.5, 0.5, 0.5), request_spend=0.0):
    room = model.month.room
    room.participants = 10
    room.heard = np.array(heard, dtype=float)
    room.information = information
    room.delivered_by_domain = np.array(delivered_by_domain, dtype=float)
    room.designers = np.array(designers, dtype=float)
    room.request_spend = request_spend
    model.state.participated[:10] = True


def test_decide_known_values_for_belief_agenda_design_and_capacity():
    model = _model()
    _room(model, [0.0, 1.0, 0.0, 0.0], 0.5, delivered_by_domain=(0, 2, 0, 0), designers=(0.5, 0.9, 0.5, 0.5), request_spend=100.0)
    decisions.decide(model)
    landlord = model.landlord
    # Belief: learning_rate 0.1 * acts_on_input 0.7 * humility 0.8 * information 0.5 = 0.028 of the way to what was heard:
    #   0.25 + 0.028 * (h - 0.25) = (0.243, 0.271, 0.243, 0.243); then turnover 0.015 of the way back to 0.25:
    #   (0.243105, 0.270685, 0.243105, 0.243105).
    np.testing.assert_allclose(landlord.belief, [0.243105, 0.270685, 0.243105, 0.243105])
    # Agenda: learning_rate 0.1 * information 0.5 = 0.05 of the way, no turnover: (0.2375, 0.2875, 0.2375, 0.2375).
    np.testing.assert_allclose(landlord.agenda, [0.2375, 0.2875, 0.2375, 0.2375])
    # Design: 2 requests delivered in employment of 100 households: information 0.02 / 0.04 = 0.5, times design_learning 0.1:
    #   fit 0.7 + 0.05 * (1 - 0.7) = 0.715, designed around 0.5 + 0.05 * (0.9 - 0.5) = 0.52. Other domains learn nothing.
    fits = [service.design_fit for service in model.services]
    designed_for = [service.designed_for for service in model.services]
    np.testing.assert_allclose(fits, [0.7, 0.715, 0.7, 0.7])
    np.testing.assert_allclose(designed_for, [0.5, 0.52, 0.5, 0.5])
    # Provision: intended = 0.7 * belief + 0.3 * agenda is 0.0292 (total variation) from uniform; the flexible money left,
    # (110 - 99) * 100 - 100 = 1000 of 11000, allows 0.0909: provision reaches the intention.
    np.testing.assert_allclose(landlord.provision, 0.7 * landlord.belief + 0.3 * landlord.agenda)
    # Capacity: (11000 - 100 spent on requests) / 150 = 72.667 units by provision; no co-delivery, no hub.
    for d, service in enumerate(model.services):
        assert service.capacity == pytest.approx(10900 / 150 * landlord.provision[d])
        assert service.co_delivered == 0.0


def test_decide_without_participants_only_turnover_and_the_budget_act():
    model = _model()
    model.landlord.belief = np.array([0.4, 0.2, 0.2, 0.2])
    model.services[0].design_fit = 0.9
    model.services[0].designed_for = 0.8
    decisions.decide(model)
    # Belief 0.015 of the way back to the baseline: 0.4 - 0.015 * 0.15 = 0.39775, 0.2 + 0.015 * 0.05 = 0.20075.
    np.testing.assert_allclose(model.landlord.belief, [0.39775, 0.20075, 0.20075, 0.20075])
    np.testing.assert_allclose(model.landlord.agenda, 0.25)
    # Design drifts back to the defaults: 0.9 + 0.015 * (0.7 - 0.9) = 0.897; 0.8 + 0.015 * (0.5 - 0.8) = 0.7955.
    assert model.services[0].design_fit == pytest.approx(0.897)
    assert model.services[0].designed_for == pytest.approx(0.7955)
    assert not model.month.co_delivers.any()
    # The whole budget buys service: 110 * 100 / 150 units.
    assert sum(service.capacity for service in model.services) == pytest.approx(110 * 100 / 150)


def test_a_landlord_that_takes_no_input_on_board_does_not_learn_from_the_room():
    model = _model(policy="consultation", policy__acts_on_input=0.0)
    _room(model, [0.0, 1.0, 0.0, 0.0], 0.9)
    decisions.decide(model)
    np.testing.assert_allclose(model.landlord.belief, 0.25)
    # Residents' own agenda still moves: 0.1 * 0.9 = 0.09 of the way.
    np.testing.assert_allclose(model.landlord.agenda, [0.2275, 0.3175, 0.2275, 0.2275])


def test_a_room_that_carries_no_information_teaches_nothing():
    model = _model()
    _room(model, [0.0, 1.0, 0.0, 0.0], 0.0)
    decisions.decide(model)
    np.testing.assert_allclose(model.landlord.belief, 0.25)
    np.testing.assert_allclose(model.landlord.agenda, 0.25)


def test_design_learns_only_from_delivered_work():
    # A room that says much but won nothing leaves every design as it was.
    model = _model()
    _room(model, [0.0, 1.0, 0.0, 0.0], 0.9, designers=(0.9, 0.9, 0.9, 0.9))
    decisions.decide(model)
    assert all(service.design_fit == pytest.approx(0.7) for service in model.services)
    assert all(service.designed_for == pytest.approx(0.5) for service in model.services)


def test_provision_moves_only_as_far_as_the_flexible_budget_allows():
    model = _model(policy="paternalistic")
    model.landlord.provision = np.array([1.0, 0.0, 0.0, 0.0])
    decisions.decide(model)
    # Intended: the belief, uniform. Flexible 11 of 110 a household: a tenth of the budget can move.
    # Total variation to go 0.75: provision = (1, 0, 0, 0) + (0.1 / 0.75) * ((0.25, ...) - (1, 0, 0, 0)).
    np.testing.assert_allclose(model.landlord.provision, [0.9, 0.1 / 3, 0.1 / 3, 0.1 / 3])


def test_spending_on_requests_leaves_less_room_to_change_provision():
    model = _model()
    _room(model, [0.0, 1.0, 0.0, 0.0], 0.0, request_spend=1100.0)  # every flexible pound spent on requests
    model.landlord.provision = np.array([1.0, 0.0, 0.0, 0.0])
    decisions.decide(model)
    np.testing.assert_array_equal(model.landlord.provision, [1.0, 0.0, 0.0, 0.0])
    # And the requests' money is not spent twice: (11000 - 1100) / 150 units go by provision.
    assert sum(service.capacity for service in model.services) == pytest.approx(9900 / 150)


def test_ring_fenced_sets_the_repairs_share_and_keeps_the_others_proportions():
    np.testing.assert_allclose(decisions.ring_fenced(np.array([0.4, 0.3, 0.2, 0.1]), 0.7), [0.7, 0.15, 0.1, 0.05])
    allocation = np.array([0.4, 0.3, 0.2, 0.1])
    assert decisions.ring_fenced(allocation, 0.0) is allocation  # off: the one budget, untouched
    np.testing.assert_allclose(decisions.ring_fenced(np.array([1.0, 0.0, 0.0, 0.0]), 0.4), [0.4, 0.2, 0.2, 0.2])


def test_a_ring_fenced_repairs_budget_is_beyond_belief_agenda_and_requests():
    model = _model(landlord__repairs_budget_share=0.6)
    _room(model, [1.0, 0.0, 0.0, 0.0], 0.9, request_spend=1100.0)  # a room that wants repairs; every flexible pound spent on requests
    decisions.decide(model)
    # Provision on repairs is the ring-fence; the others keep their (uniform) proportions of the rest.
    np.testing.assert_allclose(model.landlord.provision, [0.6, 0.4 / 3, 0.4 / 3, 0.4 / 3])
    # Repairs keeps 0.6 * 11000 / 150 = 44 units; the requests' 1100 come out of the rest: (11000 - 1100) / 150 - 44 units.
    capacities = [service.capacity for service in model.services]
    assert capacities[0] == pytest.approx(0.6 * 11000 / 150)
    np.testing.assert_allclose(capacities[1:], (9900 / 150 - 44.0) / 3)


def test_co_delivery_adds_capacity_in_the_domains_raised():
    # co_delivery 1: every participant co-delivers (a uniform draw is always below 1).
    model = _model(policy="co_production", policy__co_delivery=1.0)
    _room(model, [0.25] * 4, 0.0)
    model.state.raised[:] = -1
    model.state.raised[:10] = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2]
    decisions.decide(model)
    np.testing.assert_array_equal(model.month.co_delivers, np.arange(100) < 10)
    # 4 hours * 0.05 units an hour = 0.2 units each: 3, 2, 5 and 0 co-deliverers.
    np.testing.assert_allclose([service.co_delivered for service in model.services], [0.6, 0.4, 1.0, 0.0])


def test_a_hub_adds_its_fixed_capacity_to_community():
    model = _model(policy="paternalistic", services__hub_open=True)
    decisions.decide(model)
    # hub_capacity 0.05 units per household: 5 units on top of the budget's.
    community = model.services[3]
    assert community.capacity == pytest.approx(110 * 100 / 150 * 0.25 + 5.0)


def test_a_cut_leaves_the_flexible_budget_at_zero_until_contracts_renew():
    from sim.events import fire_now

    model = _model(policy="paternalistic")
    model.landlord.committed = 99.0
    fire_now(model, "funding_cut", share=0.3)  # budget 110 -> 77, below the 99 committed
    flexible = []
    for _ in range(40):
        model.step()
        flexible.append(model.landlord.flexible_budget(0.0))
    # Committed follows 0.9 * 77 = 69.3 at recommissioning 0.04 a month: 69.3 + 29.7 * 0.96^k after k months.
    # It stays above the 77 budget while 0.96^k > 7.7 / 29.7 = 0.2593, i.e. for k up to 33 (0.96^33 = 0.2600).
    assert flexible[:33] == [0.0] * 33
    assert flexible[33] == pytest.approx(77.0 - (69.3 + 29.7 * 0.96**34))
    assert np.all(np.diff(flexible[33:]) > 0)


def test_when_contracts_renew_at_once_a_cut_passes_straight_to_them():
    from sim.events import fire_now

    model = _model(policy="paternalistic", landlord__recommissioning=1.0)
    model.landlord.committed = 99.0
    fire_now(model, "funding_cut", share=0.3)
    model.step()
    # Committed is 0.9 * 77 = 69.3 after one month: 7.7 a household is flexible again.
    assert model.landlord.committed == pytest.approx(69.3)
    assert model.landlord.flexible_budget(0.0) == pytest.approx(7.7)
