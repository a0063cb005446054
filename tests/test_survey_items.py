"""The repairs, maintenance, neighbourhood and anti-social behaviour items (TSM TP02, TP04, TP11, TP12).

The perceptions behind them (``repairs_felt``, ``months_since_repair``,
``neighbourhood_felt``) follow delivery (``services.perceive``, in the
delivery phase); the items are read from them as every other TSM item is
(sim/mechanisms/survey.py): coloured by trust in the landlord, one threshold
and spread. TP02 is asked only of households that had a repair in the last
twelve months, TP04, TP11 and TP12 of everyone.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from sim import HousingModel
from sim.mechanisms import outcomes, services, survey
from sim.population import draw_households
from sim.state import COMMUNITY, NEVER, REPAIRS

ROOT = Path(__file__).resolve().parent.parent


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def small(residents: int = 10, **overrides) -> HousingModel:
    """A small model one month in, survey reading threshold 0.5, spread 0.1, halo 0.3, nobody moving."""
    settings = {"survey__threshold": 0.5, "survey__spread": 0.1, "survey__halo": 0.3, "mobility__churn_rate": 0.0, **overrides}
    model = HousingModel(rng=3, residents=residents, status_quo__months=0, **settings)
    model.step()
    return model


def measured(model: HousingModel) -> dict[str, float]:
    outcomes.measure(model)
    return model.outcomes


# -- the perceptions: services.perceive ---------------------------------------------------------


def test_repairs_all_met_raises_the_view_towards_1_and_none_met_lowers_it_towards_0():
    model = small(residents=4)
    s, rate = model.state, model.params.trust.perception_rate
    s.repairs_felt[:] = 0.5
    held = np.zeros((4, 4))
    held[:, REPAIRS] = 0.4
    met = np.zeros((4, 4))
    met[:2, REPAIRS] = 0.4  # households 0 and 1: all their repairs need met; 2 and 3: none of it
    history = []
    for _ in range(30):
        services.perceive(s, held, met, rate)
        history.append(s.repairs_felt.copy())
    history = np.array(history)
    assert np.all(np.diff(history[:, :2], axis=0) > 0) and np.all(np.diff(history[:, 2:], axis=0) < 0)
    # A moving average at the perception rate: 1 - 0.5 * (1 - rate)^30 after 30 months of all met.
    assert history[-1, :2] == pytest.approx(1.0 - 0.5 * (1.0 - rate) ** 30)
    assert history[-1, 2:] == pytest.approx(0.5 * (1.0 - rate) ** 30)
    assert (s.months_since_repair == 0).all()


def test_the_view_of_repairs_moves_to_the_share_met_at_the_perception_rate():
    model = small(residents=3)
    s, rate = model.state, model.params.trust.perception_rate
    s.repairs_felt[:] = [0.2, 0.9, 0.6]
    held = np.zeros((3, 4))
    held[:, REPAIRS] = [1.0, 0.5, 0.2]
    met = np.zeros((3, 4))
    met[:, REPAIRS] = [0.25, 0.5, 0.0]
    services.perceive(s, held, met, rate)
    assert s.repairs_felt == pytest.approx([0.2 + rate * (0.25 - 0.2), 0.9 + rate * (1.0 - 0.9), 0.6 - rate * 0.6])


def test_a_month_without_repairs_need_leaves_the_view_and_counts_up_since_the_last_repair():
    model = small(residents=3)
    s = model.state
    s.repairs_felt[:] = [0.3, 0.7, 0.5]
    s.months_since_repair[:] = [0, 11, NEVER]
    held = np.zeros((3, 4))
    held[:, COMMUNITY] = 1.0  # need elsewhere, none for repairs
    met = np.zeros((3, 4))
    services.perceive(s, held, met, model.params.trust.perception_rate)
    assert s.repairs_felt == pytest.approx([0.3, 0.7, 0.5])
    # Counted up; a household never repaired since moving in stays NEVER.
    assert s.months_since_repair.tolist() == [1, 12, NEVER]


def test_the_neighbourhood_view_follows_the_share_of_the_estates_community_need_met():
    model = small(residents=6)
    s, rate = model.state, model.params.trust.perception_rate
    s.estate[:] = [0, 0, 0, 1, 1, 2]
    s.neighbourhood_felt[:] = 0.5
    held = np.zeros((6, 4))
    met = np.zeros((6, 4))
    held[:3, COMMUNITY] = [0.2, 0.6, 0.0]  # estate 0 holds 0.8 and has 0.6 of it met...
    met[:3, COMMUNITY] = [0.0, 0.6, 0.0]  # ...all of it by one household: every resident sees 0.75
    held[3:5, COMMUNITY] = [0.5, 0.5]  # estate 1: nothing met
    held[5, REPAIRS] = 1.0  # estate 2 holds no community need this month
    services.perceive(s, held, met, rate)
    expected = [0.5 + rate * 0.25] * 3 + [0.5 - rate * 0.5] * 2 + [0.5]
    assert s.neighbourhood_felt == pytest.approx(expected)


def test_every_resident_of_an_estate_sees_its_neighbourhood_alike():
    # 400 households in blocks of 40, two blocks an estate: five estates, whose community need met differs.
    model = HousingModel(rng=5, residents=400, status_quo__months=0, mobility__churn_rate=0.0, community__blocks_per_estate=2)
    s = model.state
    s.neighbourhood_felt[:] = 0.5  # one starting view everywhere (a newcomer starts from their own trust in the landlord)
    model.run(6)
    assert len(np.unique(s.estate)) == 5
    for estate in range(5):
        assert np.ptp(s.neighbourhood_felt[s.estate == estate]) == pytest.approx(0.0, abs=1e-12)
    per_estate = np.array([s.neighbourhood_felt[s.estate == estate][0] for estate in range(5)])
    assert np.ptp(per_estate) > 1e-6


def test_a_household_with_no_repairs_need_is_never_counted_as_repaired_in_a_run():
    model = HousingModel(rng=5, residents=40, status_quo__months=0, mobility__churn_rate=0.0)
    s = model.state
    none = np.arange(40) < 10
    s.need_profile[none, REPAIRS] = 0.0
    s.need[none, REPAIRS] = 0.0
    s.months_since_repair[:] = NEVER
    s.repairs_felt[none] = 0.123
    model.run(5)
    assert (s.months_since_repair[none] == NEVER).all()
    assert s.repairs_felt[none] == pytest.approx(0.123)
    assert (s.months_since_repair[~none] == 0).all()  # repairs need arises every month in every other home
    assert model.outcomes["recent_repairs"] == pytest.approx(30 / 40)


# -- the items ---------------------------------------------------------------------------------


def test_repairs_satisfaction_asks_only_households_with_a_repair_in_the_last_12_months():
    model = small()
    s = model.state
    s.trust_landlord[:] = 0.5
    s.repairs_felt[:] = 0.95  # households not asked must not count
    s.months_since_repair[:] = NEVER
    s.months_since_repair[[0, 1, 2]] = [0, 11, 12]  # this month; 11 months ago; outside the 12 months
    s.repairs_felt[[0, 1, 2]] = [0.5, 0.3, 0.0]
    got = measured(model)
    # Coloured by trust 0.5 with halo 0.3: 0.7 * 0.5 + 0.15 = 0.5 (at the threshold) and 0.7 * 0.3 + 0.15 = 0.36.
    assert got["tsm_repairs"] == pytest.approx((0.5 + logistic(-1.4)) / 2)
    assert got["recent_repairs"] == pytest.approx(0.2)


def test_maintained_is_asked_of_everyone_from_the_same_view_of_repairs():
    model = small()
    s = model.state
    s.trust_landlord[:] = np.linspace(0.2, 0.9, 10)
    s.repairs_felt[:] = np.linspace(0.9, 0.1, 10)
    s.months_since_repair[:] = NEVER  # nobody had a repair: TP04 still asks everyone
    got = measured(model)
    by_hand = np.mean([logistic((0.7 * r + 0.3 * t - 0.5) / 0.1) for r, t in zip(s.repairs_felt, s.trust_landlord, strict=True)])
    assert got["tsm_maintained"] == pytest.approx(by_hand)
    assert got["tsm_repairs"] == 0.0  # nobody asked
    s.months_since_repair[:] = 0  # everyone had one: the two items agree
    assert measured(model)["tsm_repairs"] == pytest.approx(by_hand)


def test_neighbourhood_and_antisocial_behaviour_read_their_own_perceptions():
    model = small()
    s = model.state
    s.trust_landlord[:] = 0.6
    s.neighbourhood_felt[:] = 0.4
    s.trust_neighbours[:] = 0.8
    got = measured(model)
    # 0.7 * 0.4 + 0.18 = 0.46; 0.7 * 0.8 + 0.18 = 0.74.
    assert got["tsm_neighbourhood"] == pytest.approx(logistic(-0.4))
    assert got["tsm_antisocial"] == pytest.approx(logistic(2.4))


def test_a_better_relationship_lifts_the_new_items_too():
    shares = []
    for trust in (0.2, 0.5, 0.8):
        model = small()
        s = model.state
        s.trust_landlord[:] = trust
        s.repairs_felt[:] = s.neighbourhood_felt[:] = s.trust_neighbours[:] = 0.5
        s.months_since_repair[:] = 0
        got = measured(model)
        shares.append([got[k] for k in ("tsm_repairs", "tsm_maintained", "tsm_neighbourhood", "tsm_antisocial")])
    assert np.all(np.diff(np.array(shares), axis=0) > 0)


# -- newcomers ---------------------------------------------------------------------------------


def test_newcomers_start_their_views_from_their_trust_and_have_had_no_repair():
    model = small(residents=20)
    s = model.state
    s.repairs_felt[:] = s.neighbourhood_felt[:] = 0.01
    s.months_since_repair[:] = 0
    slots = np.array([3, 7])
    newcomers = draw_households(np.random.default_rng(1), 2, model.params.population, newcomers=True)
    s.replace_households(slots, newcomers)
    np.testing.assert_array_equal(s.repairs_felt[slots], newcomers.trust_landlord)
    np.testing.assert_array_equal(s.neighbourhood_felt[slots], newcomers.trust_landlord)
    assert (s.months_since_repair[slots] == NEVER).all()
    others = np.setdiff1d(np.arange(20), slots)
    assert (s.repairs_felt[others] == 0.01).all() and (s.months_since_repair[others] == 0).all()


def test_a_resident_agent_reads_and_writes_the_new_state():
    model = small()
    resident = model.resident(4)
    resident.repairs_felt = 0.25
    resident.neighbourhood_felt = 0.75
    resident.months_since_repair = 3
    assert model.state.repairs_felt[4] == 0.25 and model.state.neighbourhood_felt[4] == 0.75
    assert resident.months_since_repair == 3 and isinstance(resident.months_since_repair, int)


# -- the landlord's sample survey ---------------------------------------------------------------


NEW = ("repairs", "maintained", "neighbourhood", "antisocial")


def test_the_new_items_are_reported_columns():
    assert [f"tsm_reported_{item}" for item in NEW] == list(survey.REPORTED[-4:])
    for column in ("tsm_repairs", "tsm_maintained", "tsm_neighbourhood", "tsm_antisocial", *survey.REPORTED):
        assert column in outcomes.EXTRA and column not in outcomes.OUTCOMES


def test_reported_figures_are_missing_until_the_first_survey_year_ends_then_shares():
    frame = HousingModel(rng=11, residents=300, status_quo__months=0).run(14)
    for item in NEW:
        column = frame[f"tsm_reported_{item}"]
        assert column.iloc[:11].isna().all(), item
        assert column.iloc[11:].between(0.0, 1.0).all(), item


def _interview_year(model: HousingModel) -> None:
    for month in range(1, 13):
        model.clock = month
        survey.interview(model)


def test_the_sample_survey_asks_repairs_only_of_recent_repairs_and_the_rest_of_everyone():
    model = HousingModel(rng=11, residents=300, status_quo__months=0, survey__spread=0.001)
    s = model.state
    for name in ("trust_landlord", "voice_felt", "informed_felt", "respect_felt", "complaint_felt", "repairs_felt", "neighbourhood_felt", "trust_neighbours"):
        getattr(s, name)[:] = 0.0
    recent = np.arange(300) < 150
    s.months_since_repair[:] = NEVER
    s.months_since_repair[recent] = np.arange(150) % 12
    s.trust_landlord[recent] = 1.0
    s.repairs_felt[recent] = 1.0  # only those with a recent repair are satisfied with repairs
    _interview_year(model)
    reported = model.survey.reported
    assert reported["repairs"] == 1.0  # nobody without a recent repair was asked
    assert 0.0 < reported["maintained"] < 1.0  # everyone was asked about maintenance
    # Every item but TP02 (and TP09) asks every interviewee: TP04 is satisfied exactly where TP01 is (the recent half).
    assert reported["maintained"] == reported["satisfied"]
    assert reported["neighbourhood"] == reported["antisocial"] == 0.0  # 0.7 * 0 + 0.3 * 1 = 0.3 at best: below the threshold


def test_nobody_with_a_recent_repair_leaves_the_repairs_item_missing():
    model = HousingModel(rng=11, residents=300, status_quo__months=0)
    model.state.months_since_repair[:] = 12
    _interview_year(model)
    assert math.isnan(model.survey.reported["repairs"])
    assert 0.0 <= model.survey.reported["maintained"] <= 1.0


def test_the_repairs_items_draw_their_own_numbers():
    # TP02 and TP04 read one perception but are two answers: near the threshold they differ for some interviewees.
    model = HousingModel(rng=11, residents=3000, status_quo__months=0, survey__spread=0.1)
    s = model.state
    s.trust_landlord[:] = 0.5
    s.repairs_felt[:] = 0.5
    s.months_since_repair[:] = 0
    _interview_year(model)
    year = model.survey.reported
    assert year["repairs"] != year["maintained"]
    assert abs(year["repairs"] - 0.5) < 0.1 and abs(year["maintained"] - 0.5) < 0.1


# -- the national figures ----------------------------------------------------------------------


def test_the_national_figures_hold_the_new_items_medians():
    with (ROOT / "experiments" / "data" / "uk_targets.csv").open(newline="", encoding="utf-8") as handle:
        rows = {row["measure"]: row for row in csv.DictReader(handle)}
    expected = {
        "tsm_tp02_repairs": "72.3", "tsm_tp03_repair_time": "67.4", "tsm_tp04_well_maintained": "70.8", "tsm_tp05_safe": "76.7",
        "tsm_tp10_communal_areas": "65.1", "tsm_tp11_neighbourhood_contribution": "63.1", "tsm_tp12_antisocial_behaviour": "57.8",
    }
    for measure, value in expected.items():
        row = rows[measure]
        assert row["value"] == value and row["unit"] == "percent (median of landlords)" and row["year"] == "2023/24", measure
        assert measure.split("_")[1].upper() in row["source"], measure


def test_a_community_hub_lifts_the_view_of_the_landlords_part_in_the_neighbourhood():
    # The hub adds community-domain capacity: more of each estate's community need is met, and residents see it.
    views = {}
    for hub in (False, True):
        model = HousingModel(rng=7, residents=400, status_quo__months=0, services__hub_open=hub)
        frame = model.run(24)
        views[hub] = (float(model.state.neighbourhood_felt.mean()), float(frame["tsm_neighbourhood"].iloc[-1]))
    assert views[True][0] > views[False][0] and views[True][1] > views[False][1]
