"""Trust in isolation: asymmetric updating and the experience of the landlord (the frustration effect)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms import trust
from sim.parameters import as_namespace

P = as_namespace(trust.PARAMETERS.defaults())


# -- asymmetric_step ----------------------------------------------------------


def test_asymmetric_step_known_values():
    before = np.array([0.5, 0.5, 0.5])
    experience = np.array([0.9, 0.1, 0.5])
    # Up: 0.5 + 0.1 * 0.4 = 0.54. Down: rate 0.1 * 3 = 0.3; 0.5 - 0.3 * 0.4 = 0.38. Equal: unchanged.
    np.testing.assert_allclose(trust.asymmetric_step(before, experience, 0.1, 3.0), [0.54, 0.38, 0.5])


def test_losses_are_faster_than_gains_by_loss_ratio():
    before = np.array([0.5, 0.5])
    after = trust.asymmetric_step(before, np.array([0.7, 0.3]), 0.08, 3.0)
    gain, loss = after[0] - 0.5, 0.5 - after[1]
    assert gain > 0 and loss > 0
    assert loss / gain == pytest.approx(3.0)


def test_loss_rate_is_capped_at_one():
    # gain 0.5 * ratio 3 = 1.5 -> 1: trust falls straight to the experience, not past it.
    after = trust.asymmetric_step(np.array([0.8]), np.array([0.2]), 0.5, 3.0)
    assert after[0] == pytest.approx(0.2)


def test_asymmetric_step_moves_towards_and_not_past_experience():
    rng = np.random.default_rng(0)
    before, experience = rng.random(100), rng.random(100)
    after = trust.asymmetric_step(before, experience, 0.08, 3.0)
    assert np.all(np.abs(after - experience) <= np.abs(before - experience) + 1e-12)
    assert np.all(np.sign(after - before) == np.sign(experience - before))
    assert np.all((after >= 0) & (after <= 1))


def test_recovery_takes_longer_than_the_loss():
    # One bad month, then good months at the old level: trust takes several months to recover.
    level = np.array([0.7])
    level = trust.asymmetric_step(level, np.array([0.3]), 0.08, 3.0)  # 0.7 - 0.24*0.4 = 0.604
    assert level[0] == pytest.approx(0.604)
    months = 0
    while level[0] < 0.7 - 0.01:
        level = trust.asymmetric_step(level, np.array([0.7]), 0.08, 3.0)
        months += 1
    # Gap 0.096 shrinks by 0.92 a month: below 0.01 after ceil(log(0.01/0.096)/log(0.92)) = 28 months.
    assert months == 28


# -- landlord_experience ------------------------------------------------------


def _experience(need_fit, respect, participated, influence, expectation):
    return float(
        trust.landlord_experience(
            np.array([need_fit]), np.array([respect]), np.array([participated]), influence, np.array([expectation]), P
        )[0]
    )


def test_landlord_experience_known_value_for_non_participant():
    # (0.6 * 0.8 + 0.4 * 0.6) / (0.6 + 0.4) = 0.72; no voice term.
    assert _experience(0.8, 0.6, False, 0.9, 0.5) == pytest.approx(0.72)


def test_asked_and_ignored_is_worse_than_not_asked():
    # Frustration effect: influence 0.2 against 0.5 expected: 0.72 + 0.8 * (0.2 - 0.5) = 0.48 < 0.72.
    ignored = _experience(0.8, 0.6, True, 0.2, 0.5)
    not_asked = _experience(0.8, 0.6, False, 0.2, 0.5)
    assert ignored == pytest.approx(0.48)
    assert ignored < not_asked


def test_heard_beyond_expectation_is_better_than_not_asked():
    # 0.72 + 0.8 * (0.8 - 0.5) = 0.96.
    heard = _experience(0.8, 0.6, True, 0.8, 0.5)
    assert heard == pytest.approx(0.96)
    assert heard > _experience(0.8, 0.6, False, 0.8, 0.5)


def test_influence_equal_to_expectation_is_neutral():
    assert _experience(0.8, 0.6, True, 0.5, 0.5) == pytest.approx(_experience(0.8, 0.6, False, 0.5, 0.5))


def test_landlord_experience_is_clipped_to_unit_interval():
    assert _experience(1.0, 1.0, True, 1.0, 0.0) == 1.0
    assert _experience(0.0, 0.0, True, 0.0, 1.0) == 0.0


def test_landlord_experience_rises_with_need_fit_and_respect():
    assert _experience(0.9, 0.5, False, 0, 0) > _experience(0.4, 0.5, False, 0, 0)
    assert _experience(0.5, 0.9, False, 0, 0) > _experience(0.5, 0.4, False, 0, 0)


# -- word of mouth ------------------------------------------------------------


def test_word_of_mouth_blend():
    # 0.7 * 0.2 + 0.3 * 0.8 = 0.38.
    np.testing.assert_allclose(trust.with_word_of_mouth(np.array([0.2]), np.array([0.8]), 0.3), [0.38])
    np.testing.assert_allclose(trust.with_word_of_mouth(np.array([0.2]), np.array([0.8]), 0.0), [0.2])


# -- update (the phase) -------------------------------------------------------


def _model():
    from sim import HousingModel

    model = HousingModel(rng=8, residents=10, status_quo__months=0, trust__word_of_mouth=0.0)
    s = model.state
    s.participated[:] = False
    s.reversed[:] = False
    s.influence_seen[:] = 0.0
    s.voice_expectation[:] = 0.6
    s.need_fit[:] = 0.8
    s.trust_landlord[:] = 0.5
    s.voice_felt[:] = 0.5
    model.month.respect = np.full(10, 0.6)
    return model


def test_a_reversed_change_is_a_say_that_frustrates_those_who_did_not_take_part():
    model = _model()
    s = model.state
    s.reversed[0] = True  # a change this household won was reversed this month: it saw influence 0
    trust.update(model)
    # Household 1 (no say): experience 0.6 * 0.8 + 0.4 * 0.6 = 0.72 -> trust 0.5 + 0.08 * 0.22 = 0.5176.
    # Household 0: 0.72 + 0.8 * (0 - 0.6) = 0.24 -> falls at 0.24: 0.5 - 0.24 * 0.26 = 0.4376.
    assert s.trust_landlord[1] == pytest.approx(0.5176)
    assert s.trust_landlord[0] == pytest.approx(0.4376)
    # "Listens and acts": the reversed household judges by the influence it saw (0), the other by need met (0.8).
    assert s.voice_felt[0] == pytest.approx(0.5 + 0.2 * (0.0 - 0.5))
    assert s.voice_felt[1] == pytest.approx(0.5 + 0.2 * (0.8 - 0.5))


def test_participants_judge_by_the_influence_they_saw_delivered():
    model = _model()
    s = model.state
    s.participated[:2] = True
    s.influence_seen[:2] = [1.0, 0.1]
    trust.update(model)
    # Delivered beyond expectation: 0.72 + 0.8 * 0.4 = 1.04 -> 1; trust 0.5 + 0.08 * 0.5 = 0.54.
    # Little delivered: 0.72 + 0.8 * (0.1 - 0.6) = 0.32 -> 0.5 - 0.24 * 0.18 = 0.4568; below not being asked (0.5176).
    np.testing.assert_allclose(s.trust_landlord[:3], [0.54, 0.4568, 0.5176])


# -- what the landlord is judged on (home_weight) -----------------------------


def test_judged_need_met_weighs_the_home():
    need_fit = np.array([0.4, 0.4, 0.7])
    met = np.array([[0.9, 0.1, 0.0, 0.0], [0.0, 0.5, 0.0, 0.3], [0.0, 0.7, 0.0, 0.0]])
    left = np.array([[0.1, 0.9, 0.5, 0.0], [1.0, 0.2, 0.0, 0.0], [0.0, 0.3, 0.0, 0.0]])
    # Repairs met 0.9 of 1.0 and 0 of 1.0; the third household held no repairs need, so it is judged on need met overall.
    np.testing.assert_allclose(trust.judged_need_met(need_fit, met, left, 0.5), [0.5 * 0.4 + 0.5 * 0.9, 0.5 * 0.4, 0.7])
    np.testing.assert_allclose(trust.judged_need_met(need_fit, met, left, 1.0), [0.9, 0.0, 0.7])
    np.testing.assert_array_equal(trust.judged_need_met(need_fit, met, left, 0.0), need_fit)  # off: today's rule


@pytest.mark.parametrize("repairs_met, direction", [(1.0, +1), (0.0, -1)])
def test_weighing_the_home_cuts_both_ways(repairs_met, direction):
    """The same need met overall: trust and "listens and acts" rise where repairs were done and fall where they were not."""
    after = {}
    for weight in (0.0, 1.0):
        model = _model()
        model.params.trust.home_weight = weight
        s = model.state
        s.need[:] = 0.0
        model.month.met = np.zeros((10, 4))
        model.month.met[:, 0] = repairs_met  # of one unit of repairs need held this month
        s.need[:, 0] = 1.0 - repairs_met
        trust.update(model)
        after[weight] = (s.trust_landlord.copy(), s.voice_felt.copy())
    for weighed, today in zip(after[1.0], after[0.0], strict=True):
        assert np.all(np.sign(weighed - today) == direction)
