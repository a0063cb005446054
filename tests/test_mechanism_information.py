"""Keeping residents informed: routine communication as far as it is relevant and believed, and personal contact.

The functions against their equations (sim/mechanisms/information.py), and
the phase on a small real model with each channel set by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import HousingModel
from sim.mechanisms import information

# -- relevance ----------------------------------------------------------------


def test_relevance_known_values():
    allocation = np.array([0.5, 0.5, 0.0, 0.0])
    need = np.array([[1.0, 0.0, 0.0, 0.0], [2.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0], [1.0, 0.0, 3.0, 0.0]])
    # Sum of min(allocation share, need share): (0.5), (0.5 + 0.5), (0), (min(0.5, 0.25) = 0.25).
    np.testing.assert_allclose(information.relevance(allocation, need), [0.5, 1.0, 0.0, 0.25])


def test_relevance_is_one_when_the_landlords_priorities_are_the_residents():
    allocation = np.array([0.55, 0.1, 0.1, 0.25])
    need = np.array([allocation * 2.0, allocation * 0.3])
    np.testing.assert_allclose(information.relevance(allocation, need), [1.0, 1.0])


def test_a_resident_with_no_need_finds_routine_news_fully_relevant():
    np.testing.assert_allclose(information.relevance(np.array([0.7, 0.1, 0.1, 0.1]), np.zeros((2, 4))), [1.0, 1.0])


def test_relevance_falls_as_needs_move_away_from_what_the_landlord_does():
    allocation = np.array([1.0, 0.0, 0.0, 0.0])
    need = np.array([[1.0 - x, x, 0.0, 0.0] for x in (0.0, 0.25, 0.5, 0.75, 1.0)])
    values = information.relevance(allocation, need)
    np.testing.assert_allclose(values, [1.0, 0.75, 0.5, 0.25, 0.0])
    assert np.all((values >= 0.0) & (values <= 1.0))


# -- informed -----------------------------------------------------------------


def test_informed_combines_the_channels_as_independent_chances():
    # 1 - (1 - 0.6) * (1 - p): p = 0 -> 0.6; 1 -> 1; 0.5 -> 0.8.
    np.testing.assert_allclose(information.informed(np.full(3, 0.6), np.array([0.0, 1.0, 0.5])), [0.6, 1.0, 0.8])
    np.testing.assert_allclose(information.informed(np.zeros(2), np.zeros(2)), [0.0, 0.0])


def test_informed_stays_in_unit_interval_and_rises_with_either_channel():
    rng = np.random.default_rng(0)
    routine, personal = rng.random(100), rng.random(100)
    values = information.informed(routine, personal)
    assert np.all((values >= np.maximum(routine, personal) - 1e-12) & (values <= 1.0))
    # Out-of-range inputs are clipped.
    np.testing.assert_allclose(information.informed(np.array([1.5, -0.5]), np.array([0.0, -1.0])), [1.0, 0.0])


# -- update (the phase) -------------------------------------------------------


def _model(**overrides) -> HousingModel:
    """Ten households, none contacted, taking part or linked to staff; needs as the landlord provides; felt 0.5."""
    model = HousingModel(rng=5, residents=10, status_quo__months=0, **overrides)
    s = model.state
    model.landlord.provision = np.full(4, 0.25)
    s.need_profile[:] = 1.0
    s.contacted[:] = False
    s.participated[:] = False
    s.delivered[:] = False
    model.network.linking[:] = 0.0
    s.informed_felt[:] = 0.5
    s.trust_landlord[:] = 1.0
    return model


def test_routine_communication_believed_and_relevant_informs_at_its_quality():
    model = _model()
    information.update(model)
    # Routine 0.6 * relevance 1 * believed 1 = 0.6; felt moves a fifth of the way: 0.5 + 0.2 * 0.1 = 0.52.
    np.testing.assert_allclose(model.state.informed_felt, 0.52)


def test_distrust_discounts_routine_communication():
    model = _model()
    model.state.trust_landlord[:] = np.linspace(0.0, 1.0, 10)
    information.update(model)
    # Believed 1 - 0.5 * (1 - trust); routine 0.6 * believed; trust 0: 0.3 -> 0.5 + 0.2 * (0.3 - 0.5) = 0.46.
    felt = model.state.informed_felt
    assert felt[0] == pytest.approx(0.46) and felt[-1] == pytest.approx(0.52)
    assert np.all(np.diff(felt) > 0)


def test_news_about_other_needs_informs_less():
    model = _model()
    model.landlord.provision = np.array([1.0, 0.0, 0.0, 0.0])
    s = model.state
    s.need_profile[:5] = [1.0, 0.0, 0.0, 0.0]  # the landlord's priority is theirs
    s.need_profile[5:] = [0.0, 1.0, 0.0, 0.0]  # nothing the landlord does is about their needs
    information.update(model)
    np.testing.assert_allclose(s.informed_felt[:5], 0.52)
    # Routine informs them of nothing: 0.5 + 0.2 * (0 - 0.5) = 0.4.
    np.testing.assert_allclose(s.informed_felt[5:], 0.4)


def test_personal_contact_informs_whatever_the_relationship():
    model = _model()
    s = model.state
    s.trust_landlord[:] = 0.0
    s.contacted[0] = True  # an outreach visit
    s.participated[1:3] = True
    s.delivered[1] = True  # heard back fully: the request was delivered
    model.network.linking[3, 0] = 0.5  # a tie to staff of strength linking_scale: 1 - e^-1
    information.update(model)
    felt = s.informed_felt
    # Routine for a distrustful resident: 0.3. Contacted or delivered: informed 1 -> 0.5 + 0.2 * 0.5 = 0.6.
    assert felt[0] == pytest.approx(0.6) and felt[1] == pytest.approx(0.6)
    # Not delivered: told what became of it at report_back 0.5: 1 - 0.7 * 0.5 = 0.65 -> 0.5 + 0.2 * 0.15 = 0.53.
    assert felt[2] == pytest.approx(0.53)
    # Linked: 1 - 0.7 * e^-1 -> 0.5 + 0.2 * (0.5 - 0.7 * e^-1).
    assert felt[3] == pytest.approx(0.5 + 0.2 * (0.5 - 0.7 * math.exp(-1.0)))
    # The rest: routine only, 0.3 -> 0.46.
    np.testing.assert_allclose(felt[4:], 0.46)


def test_a_participant_who_is_told_nothing_is_informed_by_routine_alone():
    model = _model(information__report_back=0.0)
    s = model.state
    s.participated[:5] = True  # nothing delivered, and nobody reports back
    information.update(model)
    np.testing.assert_allclose(s.informed_felt, 0.52)


def test_feeling_informed_is_a_moving_average_that_stays_in_unit_interval():
    model = _model()
    s = model.state
    s.informed_felt[:] = np.linspace(0.0, 1.0, 10)
    s.contacted[::2] = True
    for _ in range(200):
        information.update(model)
        assert np.all((s.informed_felt >= 0.0) & (s.informed_felt <= 1.0))
    # After many months it sits at the month's experience: 1 for the contacted, 0.6 for the rest.
    np.testing.assert_allclose(s.informed_felt[::2], 1.0, atol=1e-9)
    np.testing.assert_allclose(s.informed_felt[1::2], 0.6, atol=1e-9)
