"""Participation in isolation: who is willing to take part, who gets a place, and what taking part teaches."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from sim.mechanisms import participation
from sim.parameters import as_namespace

P = as_namespace(participation.PARAMETERS.defaults())
MID = {"efficacy": 0.5, "trust_landlord": 0.5, "voice_expectation": 0.5, "stigma": 0.5, "time_available": 0.5, "contacted": 0.0}


def propensity(**changes) -> float:
    values = {**MID, **changes}
    return float(participation.propensity(p=P, **{k: np.asarray(v, dtype=float) for k, v in values.items()}))


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# -- propensity ---------------------------------------------------------------


def test_propensity_at_midpoint_is_logistic_of_base_logit():
    # Every trait at 0.5 and not contacted: logit = base_logit = -1 -> 1 / (1 + e) = 0.2689.
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


def test_propensity_falls_with_stigma():
    values = [propensity(stigma=x) for x in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert np.all(np.diff(values) < 0)


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
    q = participation.propensity(*traits[:5], contacted, P)
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


# -- learning -----------------------------------------------------------------


def test_participants_learn_from_the_influence_they_had_and_others_do_not():
    state = SimpleNamespace(
        participated=np.array([True, False]),
        voice_expectation=np.array([0.5, 0.5]),
        efficacy=np.array([0.6, 0.6]),
    )
    model = SimpleNamespace(state=state, params=SimpleNamespace(participation=P), month=SimpleNamespace(influence=0.1))
    participation.learn_from_taking_part(model)
    # Participant: expectation 0.5 + 0.2*(0.1-0.5) = 0.42; efficacy 0.6 + 0.1*(0.1-0.6) = 0.55.
    np.testing.assert_allclose(state.voice_expectation, [0.42, 0.5])
    np.testing.assert_allclose(state.efficacy, [0.55, 0.6])


def test_take_part_phase_with_no_channel_has_no_participants():
    from sim import HousingModel

    model = HousingModel(residents=50, rng=3, policy="paternalistic")
    participation.take_part(model)
    assert not model.state.participated.any()
    assert not model.state.contacted.any()


def test_take_part_phase_fills_at_most_the_channel_capacity():
    from sim import HousingModel

    # capacity 0.1 of 200 households = floor(20) places; reach 1 invites everyone, and with a mean
    # propensity near 0.3 about 60 volunteer, so the channel is full: exactly 20 take part.
    model = HousingModel(residents=200, rng=3, policy="consultation", policy__reach=1.0, policy__capacity=0.1)
    participation.take_part(model)
    assert model.state.participated.sum() == 20
    # No outreach in consultation: nobody contacted.
    assert not model.state.contacted.any()
