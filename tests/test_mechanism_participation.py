"""Participation: who is willing to take part, who gets a place, what it costs, and what having a say teaches."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.mechanisms import participation
from sim.parameters import as_namespace

P = as_namespace(participation.PARAMETERS.defaults())
MID = {"efficacy": 0.5, "trust_landlord": 0.5, "voice_expectation": 0.5, "stigma": 0.5, "time_available": 0.5, "contacted": 0.0, "fatigue": 0.0}


def propensity(**changes) -> float:
    values = {**MID, **changes}
    return float(participation.propensity(p=P, **{k: np.asarray(v, dtype=float) for k, v in values.items()}))


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# -- propensity ---------------------------------------------------------------


def test_propensity_at_midpoint_is_logistic_of_base_logit():
    # Every trait at 0.5, not contacted, not tired: logit = base_logit = -1 -> 1 / (1 + e) = 0.2689.
    assert propensity() == pytest.approx(1.0 / (1.0 + math.e))


def test_propensity_known_value_with_outreach_and_traits():
    # logit = -1 + 2.0*(0.9-0.5) + 1.5*(0.7-0.5) + 1.5*(0.5-0.5) - 3.0*(0.2-0.5) + 1.0*(0.3-0.5) + 1.5*1
    #       = -1 + 0.8 + 0.3 + 0 + 0.9 - 0.2 + 1.5 = 2.3
    value = propensity(efficacy=0.9, trust_landlord=0.7, stigma=0.2, time_available=0.3, contacted=1.0)
    assert value == pytest.approx(logistic(2.3))


@pytest.mark.parametrize("trait", ["efficacy", "trust_landlord", "voice_expectation", "time_available", "contacted"])
def test_propensity_rises_with_each_encouraging_trait(trait):
    values = [propensity(**{trait: x}) for x in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert np.all(np.diff(values) > 0)


@pytest.mark.parametrize("trait", ["stigma", "fatigue"])
def test_propensity_falls_with_stigma_and_fatigue(trait):
    values = [propensity(**{trait: x}) for x in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert np.all(np.diff(values) < 0)


def test_fatigue_known_value():
    # Full fatigue at fatigue_weight 2: logit -1 - 2 = -3.
    assert propensity(fatigue=1.0) == pytest.approx(logistic(-3.0))


def test_outreach_lifts_the_most_stigmatised():
    # Outreach adds 1.5 to the log-odds: the odds rise by e^1.5 whatever the resident's traits.
    before = propensity(stigma=1.0, efficacy=0.1)
    after = propensity(stigma=1.0, efficacy=0.1, contacted=1.0)
    odds = lambda q: q / (1 - q)  # noqa: E731
    assert odds(after) / odds(before) == pytest.approx(math.exp(1.5))


def test_propensity_is_a_probability_vector():
    rng = np.random.default_rng(0)
    traits = rng.random((6, 50))
    contacted = rng.random(50) < 0.5
    q = participation.propensity(*traits[:5], contacted, traits[5], P)
    assert q.shape == (50,)
    assert np.all((q > 0) & (q < 1))


# -- choose -------------------------------------------------------------------


def test_choose_known_answer_over_capacity():
    probability = np.array([0.9, 0.9, 0.9, 0.1, 0.6])
    u_choice = np.array([0.1, 0.5, 0.95, 0.05, 0.3])
    # Volunteers (u_choice < probability): 0 (0.1<0.9), 1 (0.5<0.9), 3 (0.05<0.1), 4 (0.3<0.6); not 2.
    u_priority = np.array([0.3, 0.2, 0.0, 0.9, 0.25])
    # Four volunteers, capacity 2: the two volunteers with the lowest priority numbers: 1 (0.2), 4 (0.25).
    # Resident 2 has the lowest priority number of all but did not volunteer.
    chosen = participation.choose(probability, 2, u_choice, u_priority)
    np.testing.assert_array_equal(chosen, [False, True, False, False, True])


def test_choose_under_capacity_takes_every_volunteer():
    probability = np.array([0.9, 0.9, 0.9, 0.1, 0.6])
    u_choice = np.array([0.1, 0.5, 0.95, 0.05, 0.3])
    chosen = participation.choose(probability, 10, u_choice, np.zeros(5))
    np.testing.assert_array_equal(chosen, [True, True, False, True, True])
    # Exactly at capacity: still every volunteer.
    np.testing.assert_array_equal(participation.choose(probability, 4, u_choice, np.zeros(5)), chosen)


def test_choose_zero_capacity_takes_nobody():
    chosen = participation.choose(np.ones(5), 0, np.zeros(5), np.linspace(0, 1, 5))
    assert not chosen.any()


def test_choose_respects_capacity_exactly_and_picks_only_volunteers():
    rng = np.random.default_rng(1)
    n = 500
    probability = rng.random(n)
    u_choice = rng.random(n)
    u_priority = rng.random(n)
    volunteers = u_choice < probability
    assert volunteers.sum() > 100
    for capacity in (1, 7, 50, 100):
        chosen = participation.choose(probability, capacity, u_choice, u_priority)
        assert chosen.sum() == capacity
        assert np.all(volunteers[chosen])
        # The places go to the volunteers first in the priority order.
        assert u_priority[chosen].max() < u_priority[volunteers & ~chosen].min()


def test_choose_is_deterministic_given_the_uniforms():
    rng = np.random.default_rng(2)
    args = (rng.random(200), 20, rng.random(200), rng.random(200))
    np.testing.assert_array_equal(participation.choose(*args), participation.choose(*args))


def test_zero_probability_never_takes_part():
    chosen = participation.choose(np.zeros(10), 10, np.zeros(10), np.zeros(10))
    assert not chosen.any()


# -- strain -------------------------------------------------------------------


def test_strain_known_values():
    # 3 hours against 40 free hours * 0.5 of them available = 3 / 20 = 0.15; 7 hours (with co-delivery) 0.35.
    np.testing.assert_allclose(participation.strain(np.array([3.0, 7.0, 0.0]), np.array([0.5, 0.5, 0.5]), 40.0), [0.15, 0.35, 0.0])


def test_strain_is_at_most_one_and_counts_a_little_time_for_those_with_none():
    # No time available counts as 5% of the free hours: 3 / 2 = 1.5, capped at 1; 0.05 / (40 * 0.05) = 0.025.
    np.testing.assert_allclose(participation.strain(np.array([3.0, 0.05]), np.array([0.0, 0.0]), 40.0), [1.0, 0.025])


def test_strain_falls_with_free_time():
    values = participation.strain(np.full(4, 3.0), np.array([0.1, 0.3, 0.6, 1.0]), 40.0)
    assert np.all(np.diff(values) < 0)


# -- running_cost and take_part ---------------------------------------------------


def _model(policy: str = "co_production", residents: int = 100, **overrides):
    from sim import HousingModel

    return HousingModel(rng=3, residents=residents, policy=policy, status_quo__months=0, **overrides)


def test_running_cost_known_value():
    model = _model()
    s = model.state
    s.participated[:] = False
    s.contacted[:] = False
    s.participated[:10] = True
    s.contacted[5:25] = True
    # Co-production: 10 participants * 80 + 20 contacts * 10 = 1000 GBP over 100 households = 10 a household.
    assert participation.running_cost(model) == pytest.approx(10.0)
    s.participated[:] = False
    s.contacted[:] = False
    assert participation.running_cost(model) == 0.0


def test_take_part_diverts_participation_funding_of_the_running_cost():
    model = _model()
    participation.take_part(model)
    assert model.state.participated.any()
    # landlord.participation_funding 0.5 of what this month's participants and contacts cost.
    assert model.month.diverted == pytest.approx(0.5 * participation.running_cost(model))
    assert model.month.diverted > 0.0
    paid_on_top = _model(landlord__participation_funding=0.0)
    participation.take_part(paid_on_top)
    assert paid_on_top.month.diverted == 0.0


def test_tired_residents_take_part_less():
    # Room for everyone (capacity 1), so only willingness decides.
    fresh, tired = _model(residents=1000, policy__capacity=1.0), _model(residents=1000, policy__capacity=1.0)
    tired.state.fatigue[:] = 1.0
    participation.take_part(fresh)
    participation.take_part(tired)
    # The same invitations and numbers; fatigue only lowers each resident's chance, so nobody tired takes part
    # who would not have taken part fresh.
    assert tired.state.participated.sum() < fresh.state.participated.sum()
    assert not (tired.state.participated & ~fresh.state.participated).any()


# -- learn_from_taking_part -----------------------------------------------------


def _learning_model():
    model = _model(residents=10)
    s = model.state
    s.participated[:] = False
    s.reversed[:] = False
    s.influence_seen[:] = 0.0
    s.voice_expectation[:] = 0.5
    s.efficacy[:] = 0.6
    s.fatigue[:] = 0.0
    s.time_available[:] = 0.5
    model.month.co_delivers = np.zeros(10, dtype=bool)
    return model


def test_those_who_had_a_say_learn_from_the_influence_they_saw_and_others_do_not():
    model = _learning_model()
    s = model.state
    s.participated[0] = True
    s.influence_seen[0] = 0.1
    s.reversed[1] = True  # a change won earlier was reversed this month: influence seen 0
    participation.learn_from_taking_part(model)
    # Participant: expectation 0.5 + 0.2 * (0.1 - 0.5) = 0.42; efficacy 0.6 + 0.1 * (0.1 - 0.6) = 0.55.
    # Reversed: expectation 0.5 + 0.2 * (0 - 0.5) = 0.4; efficacy 0.6 + 0.1 * (0 - 0.6) = 0.54.
    np.testing.assert_allclose(s.voice_expectation[:3], [0.42, 0.4, 0.5])
    np.testing.assert_allclose(s.efficacy[:3], [0.55, 0.54, 0.6])


def test_influence_beyond_expectation_raises_expectation_and_efficacy():
    model = _learning_model()
    s = model.state
    s.participated[0] = True
    s.influence_seen[0] = 1.0
    participation.learn_from_taking_part(model)
    # 0.5 + 0.2 * 0.5 = 0.6; 0.6 + 0.1 * 0.4 = 0.64.
    assert s.voice_expectation[0] == pytest.approx(0.6)
    assert s.efficacy[0] == pytest.approx(0.64)


def test_fatigue_builds_with_taking_part_and_fades_without():
    model = _learning_model()
    s = model.state
    s.participated[:2] = True
    model.month.co_delivers[1] = True
    s.fatigue[2] = 0.5
    participation.learn_from_taking_part(model)
    # Taking part: strain 3 / 20 = 0.15 -> 0.3 * 0.15 * (1 - 0) = 0.045.
    # With co-delivery's 4 hours: strain 7 / 20 = 0.35 -> 0.105.
    # Not taking part: 0.5 - 0.1 * 0.5 = 0.45.
    np.testing.assert_allclose(s.fatigue[:4], [0.045, 0.105, 0.45, 0.0])


def test_the_same_few_taking_part_month_after_month_tire_towards_a_ceiling():
    model = _learning_model()
    s = model.state
    s.participated[0] = True
    s.time_available[0] = 0.0  # no free time: strain 1
    levels = []
    for _ in range(300):
        participation.learn_from_taking_part(model)
        levels.append(s.fatigue[0])
    assert np.all(np.diff(levels[:50]) > 0) and np.all(np.diff(levels) >= 0)
    # Steady state: 0.3 * (1 - f) = 0.1 * f -> f = 0.3 / 0.4 = 0.75.
    assert levels[-1] == pytest.approx(0.75, abs=1e-9)
    assert np.all((s.fatigue >= 0.0) & (s.fatigue <= 1.0))


def test_take_part_phase_with_no_channel_has_no_participants():
    model = _model(policy="paternalistic", residents=50)
    participation.take_part(model)
    assert not model.state.participated.any()
    assert not model.state.contacted.any()


def test_take_part_phase_fills_at_most_the_channel_capacity():
    # capacity 0.1 of 200 households = floor(20) places; reach 1 invites everyone, and with a mean
    # propensity near 0.3 about 60 volunteer, so the channel is full: exactly 20 take part.
    model = _model(policy="consultation", residents=200, policy__reach=1.0, policy__capacity=0.1)
    participation.take_part(model)
    assert model.state.participated.sum() == 20
    # No outreach in consultation: nobody contacted.
    assert not model.state.contacted.any()
