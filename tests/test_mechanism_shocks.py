"""Shocks: contractor failures, major works, serious incidents and restructures, at random, the same under every policy.

The month's shocks are checked against the numbers the phase draws from its
stream (``shocks``: one row of four per estate and one for the landlord,
each month), read from a fresh copy of the stream.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import HousingModel
from sim.mechanisms import shocks
from sim.state import REPAIRS
from sim.streams import Streams

SEED = 9
ESTATES = 10  # 200 households in blocks of 10, two blocks an estate


def _model(policy: str = "paternalistic", **overrides) -> HousingModel:
    return HousingModel(rng=SEED, residents=200, policy=policy, status_quo__months=0, community__block_size=10, community__blocks_per_estate=2, **overrides)


def _draws() -> np.ndarray:
    """The first month's shock numbers: (estates + 1, 4)."""
    return Streams(SEED)["shocks"].random((ESTATES + 1, 4))


QUIET = {"shocks__contractor_failure": 0.0, "shocks__major_works": 0.0, "shocks__incident": 0.0, "shocks__reorganisation": 0.0}


# -- monthly_chance -----------------------------------------------------------


def test_monthly_chance_known_values():
    # 1 - exp(-rate / 12): 12 a year -> 1 - 1/e; none -> 0.
    assert shocks.monthly_chance(12.0) == pytest.approx(1.0 - math.exp(-1.0))
    assert shocks.monthly_chance(0.0) == 0.0
    # Twelve months at the monthly chance give the yearly rate's chance of at least one: 1 - exp(-0.1).
    p = shocks.monthly_chance(0.1)
    assert 1.0 - (1.0 - p) ** 12 == pytest.approx(1.0 - math.exp(-0.1))


def test_monthly_chance_rises_with_the_rate_and_stays_below_one():
    values = [shocks.monthly_chance(r) for r in (0.01, 0.1, 1.0, 12.0, 1000.0)]
    assert np.all(np.diff(values) > 0)
    assert values[0] == pytest.approx(0.01 / 12, rel=1e-3)
    assert all(0.0 < v <= 1.0 for v in values)


# -- strike (the phase) -------------------------------------------------------


def test_a_model_starts_with_no_shock_in_place():
    model = _model()
    assert model.shocks.contractor_failed.shape == (ESTATES,)
    assert not model.shocks.contractor_failed.any()
    np.testing.assert_array_equal(model.shocks.repairs_delivered, np.ones(ESTATES))


def test_without_shocks_only_pressure_fades():
    model = _model(**QUIET)
    model.landlord.pressure = 0.5
    need = model.state.need.copy()
    belief = model.landlord.belief.copy()
    shocks.strike(model)
    # pressure_recovery 0.05: 0.5 * 0.95 = 0.475.
    assert model.landlord.pressure == pytest.approx(0.475)
    np.testing.assert_array_equal(model.state.need, need)
    np.testing.assert_array_equal(model.landlord.belief, belief)
    assert not model.shocks.contractor_failed.any()


def test_contractors_fail_where_the_months_numbers_fall_below_the_chance():
    model = _model(**{**QUIET, "shocks__contractor_failure": 12.0})
    shocks.strike(model)
    fails = _draws()[:ESTATES, 0] < shocks.monthly_chance(12.0)
    assert 0 < fails.sum() < ESTATES  # this seed has some of each
    np.testing.assert_array_equal(model.shocks.contractor_failed, fails)
    # Contractor loss 0.3: a failed estate gets 0.7 of its repairs done.
    np.testing.assert_allclose(model.shocks.repairs_delivered, np.where(fails, 0.7, 1.0))


def test_a_failed_contractor_is_replaced_after_contractor_months_on_average():
    # A month to replace (the shortest allowed): every failed contractor is replaced the next month.
    model = _model(**{**QUIET, "shocks__contractor_months": 1.0})
    model.shocks.contractor_failed[:] = True
    shocks.strike(model)
    assert not model.shocks.contractor_failed.any()
    np.testing.assert_array_equal(model.shocks.repairs_delivered, np.ones(ESTATES))
    # Ten years to replace: a contractor is replaced with chance 1/120 a month.
    model = _model(**{**QUIET, "shocks__contractor_months": 120.0})
    model.shocks.contractor_failed[:] = True
    shocks.strike(model)
    np.testing.assert_array_equal(model.shocks.contractor_failed, _draws()[:ESTATES, 1] >= 1.0 / 120.0)


def test_major_works_clear_an_estates_repairs_and_nothing_else():
    model = _model(**{**QUIET, "shocks__major_works": 12.0})
    before = model.state.need.copy()
    shocks.strike(model)
    works = _draws()[:ESTATES, 2] < shocks.monthly_chance(12.0)
    assert 0 < works.sum() < ESTATES
    on_works = works[model.state.estate]
    assert np.all(model.state.need[on_works, REPAIRS] == 0.0)
    np.testing.assert_array_equal(model.state.need[~on_works], before[~on_works])
    np.testing.assert_array_equal(model.state.need[:, 1:], before[:, 1:])


def test_an_incident_reveals_hazards_and_brings_pressure_in_proportion_to_the_homes_hit():
    model = _model(**{**QUIET, "shocks__incident": 12.0, "shocks__incident_severity": 0.5})
    model.landlord.pressure = 0.2
    before = model.state.need.copy()
    shocks.strike(model)
    incidents = _draws()[:ESTATES, 3] < shocks.monthly_chance(12.0)
    hit = incidents[model.state.estate]
    assert 0 < incidents.sum() < ESTATES
    np.testing.assert_allclose(model.state.need[hit, REPAIRS], before[hit, REPAIRS] + 0.5)
    np.testing.assert_array_equal(model.state.need[~hit], before[~hit])
    # Pressure fades first (0.2 * 0.95 = 0.19), then gains min(1, 0.5 * share hit) of the room left.
    share = hit.mean()
    assert model.landlord.pressure == pytest.approx(0.19 + 0.5 * share * (1 - 0.19))


def test_pressure_stays_in_unit_interval_under_many_incidents():
    model = _model(**{**QUIET, "shocks__incident": 12.0, "shocks__incident_severity": 5.0})
    for _ in range(24):
        shocks.strike(model)
        assert 0.0 <= model.landlord.pressure <= 1.0


def test_a_restructure_happens_when_the_landlords_number_falls_below_the_chance():
    # 12 a year: a chance of 1 - 1/e this month; whether this seed's number is below it decides.
    model = _model(**{**QUIET, "shocks__reorganisation": 12.0, "shocks__reorganisation_loss": 1.0})
    model.landlord.respect = 0.2
    shocks.strike(model)
    assert _draws()[ESTATES, 0] < shocks.monthly_chance(12.0)  # this seed's number (0.137) is below 0.632
    # A restructure replacing all staff puts respect back at the organisation's 0.75.
    assert model.landlord.respect == pytest.approx(0.75)
    # With no restructures, the same number changes nothing.
    quiet = _model(**{**QUIET, "shocks__reorganisation_loss": 1.0})
    quiet.landlord.respect = 0.2
    shocks.strike(quiet)
    assert quiet.landlord.respect == 0.2


# -- reorganise ---------------------------------------------------------------


def test_reorganise_known_values():
    model = _model()
    landlord = model.landlord
    landlord.baseline_belief = np.array([0.4, 0.2, 0.2, 0.2])
    landlord.belief = np.array([0.1, 0.5, 0.2, 0.2])
    landlord.respect = 0.95  # baseline 0.75
    service = model.services[1]
    service.design_fit, service.designed_for = 0.9, 0.8  # defaults 0.7 and 0.5
    model.network.linking[:] = 0.0
    model.network.linking[:3, 0] = [0.5, 0.2, 0.0]
    model.network.linking[0, 2] = 0.4
    shocks.reorganise(model, 0.3)
    # Each moves 0.3 of the way back: belief 0.1 + 0.3 * 0.3 = 0.19 and 0.5 - 0.3 * 0.3 = 0.41; respect 0.95 - 0.06 = 0.89;
    # fit 0.9 - 0.06 = 0.84; designed for 0.8 - 0.09 = 0.71.
    np.testing.assert_allclose(landlord.belief, [0.19, 0.41, 0.2, 0.2])
    assert landlord.respect == pytest.approx(0.89)
    assert service.design_fit == pytest.approx(0.84)
    assert service.designed_for == pytest.approx(0.71)
    # Residents' ties to landlord staff weaken by 0.3; ties to service staff do not.
    np.testing.assert_allclose(model.network.linking[:3, 0], [0.35, 0.14, 0.0])
    assert model.network.linking[0, 2] == pytest.approx(0.4)


def test_a_restructure_of_nobody_changes_nothing():
    model = _model()
    model.landlord.belief = np.array([0.1, 0.5, 0.2, 0.2])
    before = model.landlord.belief.copy()
    shocks.reorganise(model, 0.0)
    np.testing.assert_array_equal(model.landlord.belief, before)


# -- common random numbers ----------------------------------------------------


def test_two_policies_meet_the_same_luck():
    frequent = {"shocks__contractor_failure": 3.0, "shocks__incident": 2.0, "shocks__major_works": 1.0}
    a = _model("paternalistic", **frequent)
    b = _model("co_production", **frequent)
    for _ in range(24):
        a.step()
        b.step()
        np.testing.assert_array_equal(a.shocks.contractor_failed, b.shocks.contractor_failed)
        # Pressure comes only from luck here (no events): the same under both policies.
        assert a.landlord.pressure == b.landlord.pressure
    assert a.shocks.contractor_failed.any() or a.landlord.pressure > 0  # some luck was met
    # And the policies did differ: the luck is shared, not the outcomes.
    assert a.state.participated.sum() != b.state.participated.sum()
