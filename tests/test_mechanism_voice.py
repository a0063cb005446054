"""Voice: the promise, what participants raise, who is heard, what is acted on, funded, delivered and reversed.

The small functions are checked against their equations (sim/mechanisms/voice.py);
the phase on a small real model whose participants and needs are set by hand,
with the month's random numbers read from the same named streams the phase
draws from (one number per household per month: ``raised``, ``acted``,
``reversal``).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from sim import HousingModel
from sim.mechanisms import voice
from sim.state import NO_DOMAIN
from sim.streams import Streams

SEED = 7
N = 100

# -- raised_domains -----------------------------------------------------------


def test_raised_domain_known_answers():
    need = np.array([[1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0], [0.0, 2.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]])
    # The first domain whose cumulative need passes the target u * total (domain d takes u in [cum[d-1], cum[d]) / total).
    # Row 0: cumulative (1, 1, 1, 2), target 0.49 * 2 = 0.98 -> domain 0.
    # Row 1: target 0.5 * 2 = 1.0 -> domain 3 (domain 0's share ends at 1; domains 1 and 2 hold nothing).
    # Row 2: only domain 1 holds need.  Row 3: cumulative (0.5, 1, 1.5, 2), target 0.6 * 2 = 1.2 -> domain 2.
    np.testing.assert_array_equal(voice.raised_domains(need, np.array([0.49, 0.5, 0.9, 0.6])), [0, 3, 1, 2])


def test_domains_are_raised_in_proportion_to_the_need_held():
    u = (np.arange(1000) + 0.5) / 1000  # evenly spread uniforms
    raised = voice.raised_domains(np.tile([1.0, 3.0, 0.0, 0.0], (1000, 1)), u)
    # A quarter of the need is in repairs, three quarters in employment; none elsewhere.
    assert np.bincount(raised, minlength=4).tolist() == [250, 750, 0, 0]


def test_a_resident_with_no_need_raises_the_first_domain():
    np.testing.assert_array_equal(voice.raised_domains(np.zeros((3, 4)), np.array([0.0, 0.5, 0.99])), [0, 0, 0])


def test_raised_domain_never_past_the_last_domain():
    raised = voice.raised_domains(np.array([[0.2, 0.3, 0.0, 0.0]]), np.array([np.nextafter(1.0, 0.0)]))
    assert raised.tolist() == [1]


# -- say ----------------------------------------------------------------------


def test_say_known_values_and_elite_capture():
    # exp(1.5 * (efficacy - 0.5)): 0.5 -> 1; 1 -> e^0.75; 0 -> e^-0.75.
    np.testing.assert_allclose(voice.say(np.array([0.5, 1.0, 0.0]), 1.5), [1.0, math.exp(0.75), math.exp(-0.75)])
    # Without dominance everyone has the same say.
    np.testing.assert_array_equal(voice.say(np.array([0.0, 0.3, 1.0]), 0.0), [1.0, 1.0, 1.0])


# -- information --------------------------------------------------------------


def test_information_known_value_for_an_equal_room():
    # 4 equal voices of 100 households: effective share 0.04; 0.04 / (0.04 + 0.02) = 2/3.
    assert voice.information(np.ones(4), 100, 0.02) == pytest.approx(2 / 3)


def test_an_unequal_room_teaches_less_than_an_equal_room_of_the_same_size():
    # Say (4, 1, 1, 1): effective count 7^2 / (16 + 3) = 49/19 = 2.579 of 100 -> 0.02579 / 0.04579 = 0.5632.
    unequal = voice.information(np.array([4.0, 1.0, 1.0, 1.0]), 100, 0.02)
    assert unequal == pytest.approx((49 / 19 / 100) / (49 / 19 / 100 + 0.02))
    assert unequal < voice.information(np.ones(4), 100, 0.02)


def test_information_is_a_share_not_a_headcount():
    # The same share of a landlord's tenants heard teaches as much at any size.
    assert voice.information(np.ones(10), 1000, 0.02) == pytest.approx(voice.information(np.ones(500), 50_000, 0.02))
    values = [voice.information(np.ones(k), 1000, 0.02) for k in (1, 10, 100, 1000)]
    assert np.all(np.diff(values) > 0) and values[-1] < 1.0


def test_information_without_anyone_heard_is_zero():
    assert voice.information(np.zeros(0), 100, 0.02) == 0.0
    assert voice.information(np.ones(3), 0, 0.02) == 0.0


# -- support ------------------------------------------------------------------


def test_support_known_values():
    raised = np.array([0, 0, 1])
    # Say behind each domain (2, 1, 0, 0): the top domain is backed fully, the other by half; nobody raised 2 or 3.
    np.testing.assert_allclose(voice.support(raised, np.ones(3), 4, 1.0), [1.0, 0.5, 0.0, 0.0])
    # Half the disagreement: 1 - 0.5 * (1 - share) = (1, 0.75, 0.5, 0.5).
    np.testing.assert_allclose(voice.support(raised, np.ones(3), 4, 0.5), [1.0, 0.75, 0.5, 0.5])
    # Without disagreement the room backs every request alike.
    np.testing.assert_allclose(voice.support(raised, np.ones(3), 4, 0.0), [1.0, 1.0, 1.0, 1.0])


def test_the_confident_few_can_outweigh_the_many():
    # Two confident participants (efficacy 1) raise repairs, three unconfident (efficacy 0) raise employment.
    raised = np.array([0, 0, 1, 1, 1])
    say = voice.say(np.array([1.0, 1.0, 0.0, 0.0, 0.0]), 1.5)
    backing = voice.support(raised, say, 4, 1.0)
    # Say behind repairs 2 e^0.75 = 4.234, behind employment 3 e^-0.75 = 1.417: repairs is the room's priority.
    assert backing[0] == 1.0
    assert backing[1] == pytest.approx(3 * math.exp(-0.75) / (2 * math.exp(0.75)))
    # With equal say, the majority's domain is the priority instead.
    equal = voice.support(raised, voice.say(np.array([1.0, 1.0, 0.0, 0.0, 0.0]), 0.0), 4, 1.0)
    np.testing.assert_allclose(equal[:2], [2 / 3, 1.0])


# -- funded_share -------------------------------------------------------------


def test_funded_share_known_values():
    chance = np.array([0.5, 0.5, 1.0])  # 2 requests expected to be acted on, 100 GBP at 50 each
    assert voice.funded_share(chance, 50.0, 50.0) == pytest.approx(0.5)
    assert voice.funded_share(chance, 50.0, 100.0) == 1.0
    assert voice.funded_share(chance, 50.0, 1000.0) == 1.0
    assert voice.funded_share(chance, 50.0, 0.0) == 0.0


def test_nothing_to_fund_is_fully_funded():
    assert voice.funded_share(np.zeros(3), 50.0, 0.0) == 1.0
    assert voice.funded_share(np.ones(3), 0.0, 0.0) == 1.0


# -- seen_influence -----------------------------------------------------------


def test_seen_influence_blends_own_request_with_the_rooms():
    delivered = np.array([True, False, False, False])
    # Room's delivered share 0.25; room_weight 0.5: delivered 0.5 + 0.125 = 0.625; not delivered 0.125.
    np.testing.assert_allclose(voice.seen_influence(delivered, 0.5), [0.625, 0.125, 0.125, 0.125])
    np.testing.assert_allclose(voice.seen_influence(delivered, 0.0), [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(voice.seen_influence(delivered, 1.0), [0.25] * 4)


def test_seen_influence_of_an_empty_room_is_empty():
    assert voice.seen_influence(np.zeros(0, dtype=bool), 0.5).shape == (0,)


# -- hear (the phase) ---------------------------------------------------------


def _model(policy: str = "co_production", **overrides) -> HousingModel:
    model = HousingModel(rng=SEED, residents=N, policy=policy, status_quo__months=0, **overrides)
    model.month = SimpleNamespace(diverted=0.0)
    s = model.state
    s.participated[:] = False
    s.change_standing[:] = False
    return model


def _draws(name: str) -> np.ndarray:
    """This month's numbers from a stream the phase draws once a month from (first month: nothing drawn before)."""
    return Streams(SEED)[name].random(N)


def _need_only_in(model: HousingModel, who, domain: int) -> None:
    model.state.need[who] = 0.0
    model.state.need[who, domain] = 1.0


def test_no_participants_nothing_raised_nothing_delivered():
    model = _model()
    expectation = model.state.voice_expectation.copy()
    voice.hear(model)
    s, room = model.state, model.month.room
    assert room.participants == 0 and room.heard is None
    assert math.isnan(room.delivered_share)
    assert room.request_spend == 0.0 and room.units_per_request == 0.0
    assert np.all(s.raised == NO_DOMAIN)
    assert not s.delivered.any() and not s.change_standing.any() and not s.reversed.any()
    assert np.all(s.influence_seen == 0.0)
    np.testing.assert_array_equal(s.voice_expectation, expectation)


def test_the_promise_raises_expectations_as_far_as_the_landlord_is_trusted():
    model = _model()
    s = model.state
    s.participated[:4] = True
    s.voice_expectation[:6] = 0.2
    s.trust_landlord[:6] = [1.0, 0.5, 0.0, 1.0, 1.0, 1.0]
    voice.hear(model)
    # Co-production promises 0.6 + 0.4 * 0.8 = 0.92; promise_weight 0.3:
    # trust 1: 0.2 + 0.3 * 1 * 0.72 = 0.416; trust 0.5: 0.2 + 0.108 = 0.308; trust 0: unchanged.
    # Households 4 and 5 did not take part: no promise reaches them.
    np.testing.assert_allclose(s.voice_expectation[:6], [0.416, 0.308, 0.2, 0.416, 0.2, 0.2])


def test_a_paternalistic_landlord_promises_nothing_and_expectations_fall():
    model = _model(policy="paternalistic")
    s = model.state
    s.participated[:2] = True  # as if taking part in something the landlord runs without promising influence
    s.voice_expectation[:2] = 0.5
    s.trust_landlord[:2] = 1.0
    voice.hear(model)
    # 0.5 + 0.3 * (0 - 0.5) = 0.35.
    np.testing.assert_allclose(s.voice_expectation[:2], [0.35, 0.35])


def test_a_request_the_rooms_majority_does_not_share_is_less_likely_taken_up():
    # Residents hold every decision; every voice counts alike; the budget can pay for everything.
    model = _model(policy__power_share=1.0, voice__dominance=0.0, voice__flexible_share=1.0)
    s = model.state
    s.participated[:40] = True
    _need_only_in(model, slice(0, 30), 0)  # 30 raise repairs
    _need_only_in(model, slice(30, 40), 1)  # 10 raise employment
    voice.hear(model)
    room = model.month.room
    assert room.funded == 1.0
    np.testing.assert_array_equal(s.raised[:40], [0] * 30 + [1] * 10)
    # Support: repairs 1, employment 10/30. A request is delivered when this month's number is below its chance.
    u = _draws("acted")
    assert s.delivered[:30].all()
    np.testing.assert_array_equal(s.delivered[30:40], u[30:40] < 1 / 3)
    assert s.delivered[30:40].mean() < s.delivered[:30].mean()
    assert not s.delivered[40:].any()
    # What the room says: the mean of its needs, (0.75, 0.25, 0, 0); it heard 40 of 100 alike: 0.4 / 0.42.
    np.testing.assert_allclose(room.heard, [0.75, 0.25, 0.0, 0.0])
    assert room.information == pytest.approx(0.4 / 0.42)
    won = int(s.delivered[30:40].sum())
    np.testing.assert_array_equal(room.delivered_by_domain, [30, won, 0, 0])
    assert room.delivered_share == pytest.approx((30 + won) / 40)
    # Each delivered request costs 50 and buys 50 / 150 need units.
    assert room.request_spend == pytest.approx((30 + won) * 50.0)
    assert room.units_per_request == pytest.approx(50.0 / 150.0)


def test_without_disagreement_the_room_backs_the_minority_too():
    model = _model(policy__power_share=1.0, voice__dominance=0.0, voice__flexible_share=1.0, voice__disagreement=0.0)
    s = model.state
    s.participated[:40] = True
    _need_only_in(model, slice(0, 30), 0)
    _need_only_in(model, slice(30, 40), 1)
    voice.hear(model)
    assert s.delivered[:40].all()
    # Everyone saw their own request and the whole room's delivered: influence 1.
    np.testing.assert_allclose(s.influence_seen[:40], 1.0)
    assert s.change_standing[:40].all() and not s.change_standing[40:].any()


def test_delivery_is_acted_on_times_funded_and_what_participants_see_follows():
    # Co-production's own levers and a tight budget: the phase's chance for each participant is
    # chance_acted_on(support of the domain raised) times the funded share.
    model = _model(voice__flexible_share=0.02)
    s = model.state
    s.participated[:30] = True
    voice.hear(model)
    room, took = model.month.room, np.arange(30)
    raised = voice.raised_domains(s.need[took], _draws("raised")[took])
    np.testing.assert_array_equal(s.raised[took], raised)
    say = voice.say(s.efficacy[took], model.params.voice.dominance)
    chance = model.landlord.policy.chance_acted_on(voice.support(raised, say, 4, 1.0)[raised], model.landlord.humility)
    # Flexible money: 110 - 0.98 * 110 = 2.2 GBP a household, 220 in all, against 50 a request.
    assert room.funded == pytest.approx(voice.funded_share(chance, 50.0, 220.0))
    assert room.funded < 1.0
    np.testing.assert_array_equal(s.delivered[took], _draws("acted")[took] < chance * room.funded)
    np.testing.assert_allclose(s.influence_seen[took], voice.seen_influence(s.delivered[took], 0.5))
    assert np.all(s.influence_seen[30:] == 0.0)


def test_a_promise_the_budget_cannot_fund_delivers_nothing():
    # Nothing of the budget is flexible: whatever the room and the landlord take up, nothing is funded.
    model = _model(voice__flexible_share=0.0)
    s = model.state
    s.participated[:30] = True
    s.trust_landlord[:30] = 1.0
    s.voice_expectation[:30] = 0.5
    voice.hear(model)
    assert model.month.room.funded == 0.0
    assert not s.delivered.any() and not s.change_standing.any()
    assert model.month.room.delivered_share == 0.0 and model.month.room.request_spend == 0.0
    # They saw no influence, against an expectation the promise raised: 0.5 + 0.3 * (0.92 - 0.5) = 0.626.
    np.testing.assert_allclose(s.influence_seen[:30], 0.0)
    np.testing.assert_allclose(s.voice_expectation[:30], 0.626)


def test_what_participation_costs_comes_out_of_the_flexible_money_first():
    model = _model()
    s = model.state
    s.participated[:30] = True
    # Flexible: 110 - 99 = 11 a household; 11 diverted to pay for participation leaves nothing for requests.
    model.month.diverted = 11.0
    voice.hear(model)
    assert model.month.room.funded == 0.0 and not s.delivered.any()


def test_the_designers_of_a_domain_are_those_who_won_changes_in_it():
    model = _model(policy__power_share=1.0, voice__dominance=0.0, voice__flexible_share=1.0, voice__disagreement=0.0)
    s = model.state
    s.participated[:4] = True
    _need_only_in(model, slice(0, 4), 2)
    s.advantage[:4] = [0.0, 0.0, 2.0, 2.0]
    s.position[:4] = 1.0 / (1.0 + np.exp(-s.advantage[:4]))  # the place on the scale of advantage follows the advantage
    voice.hear(model)
    # All four delivered, with equal say: mean position on the scale of advantage,
    # (0.5 + 0.5 + 2 * logistic(2)) / 4; domains nobody won changes in stay at the typical tenant, 0.5.
    expected = (1.0 + 2.0 / (1.0 + math.exp(-2.0))) / 4
    np.testing.assert_allclose(model.month.room.designers, [0.5, 0.5, expected, 0.5])


def test_under_pressure_standing_changes_are_reversed_and_seen_as_no_influence():
    model = _model(voice__pressure_reversal=1.0)
    s = model.state
    model.landlord.pressure = 1.0  # hazard min(1, 0.01 + 1 * 1) = 1: every standing change is reversed
    s.change_standing[:10] = True
    s.influence_seen[:] = 0.7  # last month's, to be overwritten
    s.participated[5:15] = True  # some of them also take part this month
    voice.hear(model)
    np.testing.assert_array_equal(s.reversed, np.arange(N) < 10)
    assert np.all(s.influence_seen[:10] == 0.0)
    # A reversal is a say: those who did not take part this month still had one.
    assert s.had_say()[:10].all()
    # Reversed changes no longer stand; only this month's deliveries do.
    np.testing.assert_array_equal(s.change_standing, s.delivered)


def test_without_pressure_a_standing_change_settles_or_stays():
    # No reversal at all and a settling time of one month: every standing change settles (no longer standing,
    # never reversed).
    model = _model(voice__reversal=0.0, voice__settle_months=1.0)
    model.state.change_standing[:10] = True
    voice.hear(model)
    assert not model.state.reversed.any()
    assert not model.state.change_standing[:10].any()
    # With a long settling time, a change settles in a month with chance 1/1200: the numbers say which.
    model = _model(voice__reversal=0.0, voice__settle_months=1200.0)
    model.state.change_standing[:10] = True
    voice.hear(model)
    np.testing.assert_array_equal(model.state.change_standing[:10], _draws("reversal")[:10] >= 1.0 / 1200.0)
    assert not model.state.reversed.any()


def test_reversals_are_rare_without_pressure_and_follow_the_hazard():
    model = _model()  # reversal 0.01, no pressure
    model.state.change_standing[:] = True
    voice.hear(model)
    np.testing.assert_array_equal(model.state.reversed, _draws("reversal") < 0.01)
