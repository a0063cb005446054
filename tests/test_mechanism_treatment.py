"""Treatment: respect each resident receives, the conditions of contact, and staff respect moving with contact.

Staff respect rises with contact only under Allport's conditions (equal
status, common goals, institutional support), and falls, more strongly,
under poor ones (sim/mechanisms/treatment.py).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from sim import HousingModel
from sim.mechanisms import decisions, treatment, voice
from sim.parameters import as_namespace

P = as_namespace(decisions.LANDLORD.defaults())  # contact_threshold 0.4, respect_learning 0.2, negative_contact 2, staff_turnover 0.015


def params(**changes) -> SimpleNamespace:
    return as_namespace({**decisions.LANDLORD.defaults(), **changes})


# -- respect_received ---------------------------------------------------------


def test_respect_received_known_value():
    # advantage 0 -> disadvantage 1/(1+e^0) = 0.5; 0.75 * (1 - 0.3*0.5) * (1 - 0.5*0.2) = 0.75 * 0.85 * 0.9 = 0.57375.
    value = treatment.respect_received(0.75, np.array([0.0]), np.array([0.2]), 0.3, 0.5)
    assert value[0] == pytest.approx(0.57375)


def test_less_advantaged_receive_less_respect():
    advantage = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    values = treatment.respect_received(0.75, advantage, np.full(5, 0.3), 0.3, 0.5)
    assert np.all(np.diff(values) > 0)
    # Most advantaged approaches the landlord's respect times the stigma lens factor.
    disadvantage = 1 / (1 + math.exp(2.0))
    assert values[-1] == pytest.approx(0.75 * (1 - 0.3 * disadvantage) * (1 - 0.5 * 0.3))


def test_more_stigmatised_feel_less_respected():
    values = treatment.respect_received(0.75, np.zeros(5), np.linspace(0, 1, 5), 0.3, 0.5)
    assert np.all(np.diff(values) < 0)


def test_no_bias_and_no_lens_gives_everyone_the_landlords_respect():
    values = treatment.respect_received(0.6, np.array([-3.0, 0.0, 3.0]), np.array([1.0, 0.5, 0.0]), 0.0, 0.0)
    np.testing.assert_allclose(values, 0.6)


def test_respect_received_stays_in_unit_interval():
    rng = np.random.default_rng(0)
    values = treatment.respect_received(1.0, rng.normal(0, 3, 200), rng.random(200), 1.0, 1.0)
    assert np.all((values >= 0) & (values <= 1))


# -- contact_quality ----------------------------------------------------------


def test_contact_quality_is_the_geometric_mean_of_the_three_conditions():
    assert treatment.contact_quality(1.0, 1.0, 1.0) == pytest.approx(1.0)
    # (0.125 * 1 * 1)^(1/3) = 0.5; (0.5 * 0.5 * 0.5)^(1/3) = 0.5; (0.8 * 0.5 * 0.2)^(1/3) = 0.08^(1/3) = 0.4309.
    assert treatment.contact_quality(0.125, 1.0, 1.0) == pytest.approx(0.5)
    assert treatment.contact_quality(0.5, 0.5, 0.5) == pytest.approx(0.5)
    assert treatment.contact_quality(0.8, 0.5, 0.2) == pytest.approx(0.08 ** (1 / 3))


@pytest.mark.parametrize("failed", [0, 1, 2])
def test_failing_any_one_condition_spoils_the_contact(failed):
    conditions = [1.0, 1.0, 1.0]
    conditions[failed] = 0.0
    assert treatment.contact_quality(*conditions) == 0.0


def test_contact_quality_rises_with_each_condition_and_stays_in_unit_interval():
    levels = (0.1, 0.4, 0.7, 1.0)
    for which in range(3):
        values = []
        for x in levels:
            conditions = [0.6, 0.6, 0.6]
            conditions[which] = x
            values.append(treatment.contact_quality(*conditions))
        assert np.all(np.diff(values) > 0)
    # A condition read below 0 (rounding) counts as 0, not as a complex root.
    assert treatment.contact_quality(-1e-12, 1.0, 1.0) == 0.0


# -- staff_respect ------------------------------------------------------------


def test_staff_respect_known_values():
    # Best contact (quality 1), a tenth of households working with staff, respect 0.5 at its baseline:
    #   change = 0.2 * 0.1 * (1 - 0.4) / (1 - 0.4) * (1 - 0.5) = 0.01; turnover pulls last month's 0.5 to its
    #   baseline 0.5: nothing -> 0.51.
    assert treatment.staff_respect(0.5, 0.5, 0.1, 1.0, P) == pytest.approx(0.51)
    # Worst contact (quality 0): change = -0.2 * 2 * 0.1 * (0.4 - 0) / 0.4 * 0.5 = -0.02 -> 0.48.
    assert treatment.staff_respect(0.5, 0.5, 0.1, 0.0, P) == pytest.approx(0.48)
    # Both at once, away from the baseline: 0.5 + 0.01 + 0.015 * (0.7 - 0.5) = 0.513.
    assert treatment.staff_respect(0.5, 0.7, 0.1, 1.0, P) == pytest.approx(0.513)
    # No contact: only turnover, 0.6 + 0.015 * (0.75 - 0.6) = 0.60225.
    assert treatment.staff_respect(0.6, 0.75, 0.0, 0.0, P) == pytest.approx(0.60225)


def test_contact_at_the_threshold_changes_nothing_but_turnover():
    assert treatment.staff_respect(0.6, 0.6, 0.5, P.contact_threshold, P) == pytest.approx(0.6)


def test_contact_under_good_conditions_raises_respect_and_under_poor_lowers_it():
    qualities = np.linspace(0.0, 1.0, 11)
    after = [treatment.staff_respect(0.6, 0.6, 0.2, q, P) for q in qualities]
    assert np.all(np.diff(after) > 0)
    below = qualities < P.contact_threshold - 1e-9
    above = qualities > P.contact_threshold + 1e-9
    assert np.all(np.array(after)[below] < 0.6)
    assert np.all(np.array(after)[above] > 0.6)


def test_negative_contact_weighs_more_than_positive_at_the_same_distance():
    # Threshold 0.5, respect 0.5 and no turnover make the two sides alike but for negative_contact:
    # rise = 0.2 * 0.3 * (0.8 - 0.5) / 0.5 * 0.5 = 0.018; fall = 0.2 * negative_contact * 0.3 * (0.5 - 0.2) / 0.5 * 0.5.
    for ratio in (1.0, 2.0, 4.0):
        p = params(contact_threshold=0.5, staff_turnover=0.0, negative_contact=ratio)
        rise = treatment.staff_respect(0.5, 0.5, 0.3, 0.8, p) - 0.5
        fall = 0.5 - treatment.staff_respect(0.5, 0.5, 0.3, 0.2, p)
        assert rise == pytest.approx(0.018)
        assert fall == pytest.approx(ratio * 0.018)
    # At the defaults (threshold 0.4, ratio 2) the same distance of 0.1 either side, respect 0.5:
    # rise 0.2 * 0.3 * 0.1/0.6 * 0.5 = 0.005; fall 0.2 * 2 * 0.3 * 0.1/0.4 * 0.5 = 0.015.
    p = params(staff_turnover=0.0)
    rise = treatment.staff_respect(0.5, 0.5, 0.3, 0.5, p) - 0.5
    fall = 0.5 - treatment.staff_respect(0.5, 0.5, 0.3, 0.3, p)
    assert rise == pytest.approx(0.005)
    assert fall == pytest.approx(0.015)
    assert fall > rise


def test_more_contact_moves_respect_further_either_way():
    good = [treatment.staff_respect(0.6, 0.6, w, 0.9, P) for w in (0.0, 0.05, 0.2, 1.0)]
    poor = [treatment.staff_respect(0.6, 0.6, w, 0.1, P) for w in (0.0, 0.05, 0.2, 1.0)]
    assert good[0] == pytest.approx(0.6) and poor[0] == pytest.approx(0.6)
    assert np.all(np.diff(good) > 0)
    assert np.all(np.diff(poor) < 0)


@pytest.mark.parametrize("start", [0.2, 0.95])
def test_staff_respect_reverts_to_baseline_without_contact(start):
    respect = start
    for _ in range(1000):
        respect = treatment.staff_respect(respect, 0.75, 0.0, 0.0, P)
    # Gap shrinks by 0.985 a month: after 1000 months it is 0.985^1000 ~ 3e-7 of the start gap.
    assert respect == pytest.approx(0.75, abs=1e-5)


def test_staff_respect_stays_in_unit_interval():
    extreme = params(respect_learning=10.0, negative_contact=20.0, staff_turnover=0.0)
    assert treatment.staff_respect(0.9, 0.9, 1.0, 1.0, extreme) == 1.0
    assert treatment.staff_respect(0.9, 0.9, 1.0, 0.0, extreme) == 0.0
    rng = np.random.default_rng(1)
    for _ in range(200):
        value = treatment.staff_respect(rng.random(), rng.random(), rng.random(), rng.random(), P)
        assert 0.0 <= value <= 1.0


# -- receive (the phase) ------------------------------------------------------


def _model(policy: str = "co_production", **overrides) -> HousingModel:
    model = HousingModel(rng=4, residents=100, policy=policy, status_quo__months=0, **overrides)
    model.landlord.belief = np.full(4, 0.25)
    return model


def _room(participants: int, delivered_share: float, heard) -> SimpleNamespace:
    room = voice.empty_room(4)
    room.participants = participants
    room.delivered_share = delivered_share
    room.heard = np.asarray(heard, dtype=float)
    return room


def test_receive_without_participants_only_turnover_moves_respect():
    model = _model()
    model.landlord.respect = 0.6
    model.month.room = voice.empty_room(4)
    treatment.receive(model)
    # 0.6 + 0.015 * (0.75 - 0.6) = 0.60225.
    assert model.landlord.respect == pytest.approx(0.60225)
    assert model.month.respect.shape == (100,)


def test_receive_known_value_under_the_best_conditions():
    model = _model()
    # 20 of 100 took part, staff_contact 1 (co-production): working 0.2. Every request delivered,
    # the room says what the landlord believes, no pressure: quality 1.
    model.month.room = _room(20, 1.0, model.landlord.belief)
    treatment.receive(model)
    assert model.month.contact_quality == pytest.approx(1.0)
    # 0.75 + 0.2 * 0.2 * 1 * (1 - 0.75) = 0.76 (at its baseline before the month, turnover adds nothing).
    assert model.landlord.respect == pytest.approx(0.76)
    expected = treatment.respect_received(0.76, model.state.advantage, model.state.stigma, P.staff_bias, model.params.stigma.stigma_lens)
    np.testing.assert_allclose(model.month.respect, expected)


@pytest.mark.parametrize(
    ("delivered_share", "belief", "heard", "pressure"),
    [
        (0.0, [0.25] * 4, [0.25] * 4, 0.0),  # nothing residents asked for was delivered: no equal status
        (1.0, [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0], 0.0),  # staff and residents see needs wholly differently: no common goals
        (1.0, [0.25] * 4, [0.25] * 4, 1.0),  # the organisation under full pressure: no institutional support
    ],
)
def test_receive_under_a_failed_condition_lowers_respect(delivered_share, belief, heard, pressure):
    model = _model()
    model.landlord.belief = np.array(belief)
    model.landlord.pressure = pressure
    model.month.room = _room(20, delivered_share, heard)
    treatment.receive(model)
    assert model.month.contact_quality == 0.0
    # 0.75 - 0.2 * 2 * 0.2 * 1 * 0.75 = 0.69.
    assert model.landlord.respect == pytest.approx(0.69)


def test_common_goals_read_the_distance_between_belief_and_the_room():
    model = _model()
    # TV distance between (0.25, ...) and (0.55, 0.05, 0.15, 0.25) = 0.5 * (0.3 + 0.2 + 0.1 + 0) = 0.3: common goals 0.7.
    # Half delivered, no pressure: quality (0.5 * 0.7 * 1)^(1/3).
    model.month.room = _room(20, 0.5, [0.55, 0.05, 0.15, 0.25])
    treatment.receive(model)
    assert model.month.contact_quality == pytest.approx((0.5 * 0.7) ** (1 / 3))


def test_receive_without_staff_contact_leaves_respect_to_turnover():
    # A consultation where nobody works with staff (staff_contact 0): even a room where nothing is delivered
    # does not move respect.
    model = _model(policy="consultation", policy__staff_contact=0.0)
    model.month.room = _room(20, 0.0, [0.25] * 4)
    treatment.receive(model)
    assert model.landlord.respect == pytest.approx(0.75)
