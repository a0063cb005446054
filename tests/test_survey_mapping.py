"""The survey mapping on hand-made residents: how state becomes TSM and other survey answers.

Residents' perceptions are set by hand in a small model; the outcome phase
must turn them into the documented shares (docs/ODD.md 7.16, "The survey
mapping"), each item from its own perception coloured by the tenant's trust
in the landlord (the halo, sim/mechanisms/survey.py), and asked of the right
people.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.mechanisms import complaints, information, outcomes
from sim.model import HousingModel
from sim.state import NEVER_COMPLAINED, REPAIRS


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@pytest.fixture
def model() -> HousingModel:
    """Ten households, survey reading threshold 0.5, spread 0.1, neutral band 0.2, halo 0.3."""
    m = HousingModel(rng=3, residents=10, status_quo__months=0, survey__threshold=0.5, survey__spread=0.1, survey__neutral_band=0.2, survey__halo=0.3)
    m.step()
    return m


def measured(model: HousingModel) -> dict[str, float]:
    outcomes.measure(model)
    return model.outcomes


def test_each_tsm_item_reads_its_own_perception(model):
    s = model.state
    s.trust_landlord[:] = 0.6  # one spread above the threshold
    s.voice_felt[:] = 0.5
    s.informed_felt[:] = 0.4
    s.respect_felt[:] = 0.7
    got = measured(model)
    # Satisfaction is the relationship itself; the other items are 0.7 * their own perception + 0.3 * trust 0.6:
    # listens 0.35 + 0.18 = 0.53, informed 0.28 + 0.18 = 0.46, respect 0.49 + 0.18 = 0.67.
    assert got["tsm_satisfied"] == pytest.approx(logistic(1.0))
    assert got["tsm_listens"] == pytest.approx(logistic(0.3))
    assert got["tsm_informed"] == pytest.approx(logistic(-0.4))
    assert got["tsm_respect"] == pytest.approx(logistic(1.7))


def test_without_the_halo_each_item_reads_only_its_own_perception():
    model = HousingModel(rng=3, residents=10, status_quo__months=0, survey__spread=0.1, survey__halo=0.0)
    model.step()
    s = model.state
    s.trust_landlord[:] = 0.9
    s.voice_felt[:] = 0.5  # at the threshold, whatever the relationship
    s.informed_felt[:] = 0.4
    outcomes.measure(model)
    assert model.outcomes["tsm_listens"] == pytest.approx(0.5)
    assert model.outcomes["tsm_informed"] == pytest.approx(logistic(-1.0))


def test_a_better_relationship_lifts_every_item():
    shares = []
    for trust in (0.2, 0.5, 0.8):
        model = HousingModel(rng=3, residents=10, status_quo__months=0)
        model.step()
        s = model.state
        s.trust_landlord[:] = trust
        s.voice_felt[:] = s.informed_felt[:] = s.respect_felt[:] = 0.5
        outcomes.measure(model)
        shares.append([model.outcomes[k] for k in ("tsm_listens", "tsm_informed", "tsm_respect")])
    assert np.all(np.diff(np.array(shares), axis=0) > 0)


def test_dissatisfied_lies_below_the_neutral_band(model):
    s = model.state
    s.trust_landlord[:5] = 0.3  # exactly threshold - band: as likely dissatisfied as not
    s.trust_landlord[5:] = 0.9  # far above: almost never dissatisfied
    got = measured(model)
    expected = (5 * 0.5 + 5 * logistic((0.3 - 0.9) / 0.1)) / 10
    assert got["tsm_dissatisfied"] == pytest.approx(expected)
    # Satisfied + dissatisfied < 1: the band between is "neither".
    assert got["tsm_satisfied"] + got["tsm_dissatisfied"] < 1.0


def test_complaints_handling_asks_only_recent_complainants(model):
    s = model.state
    s.trust_landlord[:] = 0.5
    s.months_since_complaint[:] = NEVER_COMPLAINED
    s.complaint_felt[:] = 0.9  # non-complainants' values must not count
    s.months_since_complaint[[0, 1]] = [0, 11]  # open now; closed 11 months ago
    s.months_since_complaint[2] = 12  # outside the 12-month memory
    s.complaint_felt[[0, 1, 2]] = [0.5, 0.3, 0.9]
    got = measured(model)
    assert got["complainants"] == pytest.approx(0.2)
    # Coloured by trust 0.5: 0.7 * 0.5 + 0.15 = 0.5 (at the threshold) and 0.7 * 0.3 + 0.15 = 0.36.
    assert got["tsm_complaints"] == pytest.approx((0.5 + logistic(-1.4)) / 2)
    # "Felt ignored" (another survey's question): a negative answer about the handling itself, same two people.
    assert got["survey_felt_ignored"] == pytest.approx((logistic((0.3 - 0.5) / 0.1) + logistic((0.3 - 0.3) / 0.1)) / 2)


def test_nobody_complained_reads_zero(model):
    model.state.months_since_complaint[:] = NEVER_COMPLAINED
    got = measured(model)
    assert got["complainants"] == 0.0 and got["tsm_complaints"] == 0.0


def test_looked_down_on_reads_internalised_stigma(model):
    model.state.stigma[:] = np.linspace(0.0, 0.9, 10)
    got = measured(model)
    assert got["survey_looked_down_on"] == pytest.approx(np.mean([logistic((x - 0.5) / 0.1) for x in np.linspace(0.0, 0.9, 10)]))


def test_discrimination_is_the_worse_of_landlord_and_employers():
    respect_felt = np.array([0.9, 0.9, 0.2])
    seeking = np.array([False, True, True])
    got = outcomes.discrimination(respect_felt, seeking, employer_stigma=0.5, external=0.8)
    # 1 - 0.9 = 0.1; employers 0.5 * 0.8 = 0.4 for a job seeker; landlord's 0.8 dominates.
    assert got == pytest.approx([0.1, 0.4, 0.8])


def test_employment_and_tenure_read_state_directly(model):
    s = model.state
    s.working_age[:] = [True] * 8 + [False] * 2
    s.employed[:] = [True] * 4 + [False] * 6
    s.tenure_months[:] = [0, 12, 35, 36, 48, 120, 120, 240, 360, 1]
    got = measured(model)
    assert got["employment_rate"] == pytest.approx(4 / 8)
    assert got["tenure_under_3_years"] == pytest.approx(4 / 10)
    assert got["years_at_address"] == pytest.approx(s.tenure_months.mean() / 12)


def test_trust_in_neighbours_is_asked_of_the_unemployed(model):
    s = model.state
    s.working_age[:] = True
    s.employed[:] = [True] * 5 + [False] * 5
    s.trust_neighbours[:5] = 0.0
    s.trust_neighbours[5:] = 0.5
    assert measured(model)["survey_trust_neighbours_unemployed"] == pytest.approx(0.5)


# -- the two new perceptions ----------------------------------------------------------------


def test_informed_combines_routine_and_personal_contact():
    got = information.informed(0.6, np.array([0.0, 1.0, 0.5]))
    assert got == pytest.approx([0.6, 1.0, 0.8])


def test_outreach_informs_more_than_letters(model):
    s = model.state
    s.informed_felt[:] = 0.5
    s.contacted[:] = [True] * 5 + [False] * 5
    s.participated[:] = False
    model.network.linking[:, 0] = 0.0
    information.update(model)
    assert (s.informed_felt[:5] > s.informed_felt[5:]).all()


def test_complaints_come_from_unmet_repairs_and_efficacy(model):
    s = model.state
    trigger = model.params.complaints.trigger
    s.complaint_open[:] = False
    s.months_since_complaint[:] = NEVER_COMPLAINED
    s.unmet_repairs[:] = [trigger + 0.1] * 6 + [trigger / 2] * 4
    s.efficacy[:] = [1.0] * 3 + [0.0] * 3 + [1.0] * 4  # efficacy 1 always complains, 0 never
    model.month.met = np.zeros((10, 4))
    model.month.respect = np.full(10, 0.5)
    complaints.update(model)
    assert s.complaint_open.tolist() == [True] * 3 + [False] * 7
    assert (s.months_since_complaint[:3] == 0).all()
    # Nothing met, respect 0.5: judged (0 + 0.5 + handling) / 3.
    assert s.complaint_felt[:3] == pytest.approx((0.5 + model.params.complaints.handling) / 3)


def test_a_complaint_closes_when_repairs_are_done(model):
    s = model.state
    s.complaint_open[:] = True
    s.months_since_complaint[:] = 0
    s.complaint_felt[:] = 0.2
    s.unmet_repairs[:] = 0.0
    model.month.met = np.zeros((10, 4))
    model.month.met[:, REPAIRS] = 1.0  # all of it met this month: resolution 1
    model.month.respect = np.full(10, 1.0)
    complaints.update(model)
    assert not s.complaint_open.any()
    # The last month's good resolution still moves the view up, at the perception rate.
    rate = model.params.trust.perception_rate
    judged = (1.0 + 1.0 + model.params.complaints.handling) / 3
    assert s.complaint_felt == pytest.approx(0.2 + rate * (judged - 0.2))
    complaints.update(model)
    assert (s.months_since_complaint == 1).all()
