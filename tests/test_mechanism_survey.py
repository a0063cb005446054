"""The survey: the regulator's sample size, answers coloured by the relationship, and the landlord's rolling sample survey.

A year's answers become the reported figures at the year's end and stand
until the next; before the first year's end the figures are missing; the
complaints item is asked only of recent complainants; and the households
interviewed depend on the seed and the month, not on the policy (common
random numbers). Perceptions are set by hand with a very small ``spread``,
so that every answer is certain and the reported shares are known exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import HousingModel
from sim.mechanisms import survey
from sim.state import NEVER_COMPLAINED

# -- required_sample ----------------------------------------------------------


def test_the_rsh_sample_for_a_landlord_of_7271_homes_is_555():
    # Within 4 points (2,500 to 9,999 homes): 1.96^2 * 0.25 / 0.04^2 = 600.23 responses from an endless population,
    # 554.53 from 7,271 homes after the finite population correction, rounded up to 555 (a landlord's published
    # statement rounds it down to 554).
    assert survey.required_sample(7271) == 555


def test_required_sample_is_close_to_the_finite_population_formula():
    # 600.23 / (1 + 600.23 / 7271) = 554.46 and 600.23 / (1 + 599.23 / 7271) = 554.53: 554 or 555 however it rounds.
    assert survey.required_sample(7271) in (554, 555)


def test_a_small_landlord_asks_nearly_everyone():
    # 10 homes at 5 points: 384.1 / (1 + 383.1 / 10) = 9.77, so all 10; no more responses than homes.
    assert survey.required_sample(10) == 10
    assert survey.required_sample(1) == 1
    assert survey.required_sample(0) == 0
    for homes in (2, 50, 300, 2499, 2500, 9999, 10_000, 25_000, 1_000_000):
        assert 0 < survey.required_sample(homes) <= homes


@pytest.mark.parametrize(("below", "at"), [(2499, 2500), (9999, 10_000), (24_999, 25_000)])
def test_the_margin_tightens_at_each_of_the_regulators_sizes(below, at):
    # 5 points below 2,500 homes, 4 from 2,500, 3 from 10,000, 2 from 25,000: one more home asks for many more answers.
    assert survey.required_sample(at) > survey.required_sample(below) + 100


def test_required_sample_approaches_the_infinite_population_size():
    # At 2 points: 1.959964^2 * 0.25 / 0.02^2 = 2400.9 responses however many homes.
    assert 2390 <= survey.required_sample(10_000_000) <= 2401
    sizes = [25_000, 50_000, 100_000, 1_000_000]
    assert np.all(np.diff([survey.required_sample(n) for n in sizes]) > 0)


# -- coloured, positive_probability, negative_probability ----------------------


def test_coloured_known_values():
    # (1 - 0.3) * 0.5 + 0.3 * 0.9 = 0.62; no halo: the item's own perception; full halo: trust.
    np.testing.assert_allclose(survey.coloured(np.array([0.5]), np.array([0.9]), 0.3), [0.62])
    np.testing.assert_allclose(survey.coloured(np.array([0.5]), np.array([0.9]), 0.0), [0.5])
    np.testing.assert_allclose(survey.coloured(np.array([0.5]), np.array([0.9]), 1.0), [0.9])


def test_a_good_relationship_lifts_every_item():
    low = survey.positive_probability(survey.coloured(np.array([0.5]), np.array([0.2]), 0.3), 0.5, 0.1)
    high = survey.positive_probability(survey.coloured(np.array([0.5]), np.array([0.8]), 0.3), 0.5, 0.1)
    assert high[0] > 0.5 > low[0]


def test_positive_probability_known_values():
    # logistic((perception - threshold) / spread): at the threshold 0.5; one spread above 1 / (1 + e^-1).
    values = survey.positive_probability(np.array([0.5, 0.6, 0.4]), 0.5, 0.1)
    np.testing.assert_allclose(values, [0.5, 1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))])


def test_positive_probability_is_safe_far_from_the_threshold():
    # Far below with the sharpest spread, exp(900) overflows: exactly 0, and no warning (warnings are errors here).
    np.testing.assert_array_equal(survey.positive_probability(np.array([0.0]), 0.9, 0.001), [0.0])
    np.testing.assert_array_equal(survey.positive_probability(np.array([1.0]), 0.1, 0.001), [1.0])


def test_negative_probability_is_even_at_the_bottom_of_the_neutral_band():
    # Dissatisfied as likely as not at threshold - band = 0.4; likelier below.
    values = survey.negative_probability(np.array([0.4, 0.3, 0.5]), 0.5, 0.1, 0.1)
    np.testing.assert_allclose(values, [0.5, 1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))])


def test_no_one_is_likelier_satisfied_and_dissatisfied_than_either_alone():
    perception = np.linspace(0.0, 1.0, 101)
    for band in (0.0, 0.1, 0.3):
        total = survey.positive_probability(perception, 0.5, 0.1) + survey.negative_probability(perception, 0.5, 0.1, band)
        assert np.all(total <= 1.0 + 1e-12)


# -- SurveyYear ---------------------------------------------------------------


def test_a_survey_year_reports_its_shares_and_starts_again():
    year = survey.SurveyYear()
    assert all(math.isnan(year.reported[item]) for item in survey.ITEMS)
    year.positive["satisfied"], year.asked["satisfied"] = 30, 40
    year.close()
    assert year.reported["satisfied"] == pytest.approx(0.75)
    # Items nobody was asked are missing, not 0.
    assert math.isnan(year.reported["complaints"])
    assert year.positive == dict.fromkeys(survey.ITEMS, 0) and year.asked == dict.fromkeys(survey.ITEMS, 0)


# -- interview (the phase) ----------------------------------------------------


def _model(policy: str = "paternalistic", residents: int = 300, **overrides) -> HousingModel:
    """A model whose survey answers are certain (spread 0.001), unless told otherwise."""
    return HousingModel(rng=11, residents=residents, policy=policy, status_quo__months=0, **{"survey__spread": 0.001, **overrides})


def _everyone(model: HousingModel, level: float) -> None:
    s = model.state
    for name in ("trust_landlord", "voice_felt", "informed_felt", "respect_felt", "complaint_felt"):
        getattr(s, name)[:] = level
    s.months_since_complaint[:] = 0


def _interview_months(model: HousingModel, first: int, last: int) -> list[float]:
    """Interview months ``first`` to ``last``; the reported satisfied share after each."""
    reported = []
    for month in range(first, last + 1):
        model.clock = month
        survey.interview(model)
        reported.append(model.survey.reported["satisfied"])
    return reported


def test_a_years_answers_are_reported_at_its_end_and_stand_until_the_next():
    model = _model()
    _everyone(model, 1.0)  # everyone answers positively
    first = _interview_months(model, 1, 12)
    assert all(math.isnan(x) for x in first[:11])  # before the first year's end: missing
    assert first[11] == 1.0
    _everyone(model, 0.0)  # the second year everyone answers negatively...
    second = _interview_months(model, 13, 24)
    assert second[:11] == [1.0] * 11  # ...but last year's figure stands until this year's end
    assert second[11] == 0.0
    reported = model.survey.reported
    assert reported["listens"] == reported["informed"] == reported["respect"] == reported["complaints"] == 0.0
    assert reported["dissatisfied"] == 1.0


def test_a_year_asks_about_the_regulators_sample():
    model = _model(residents=3000)
    _everyone(model, 1.0)
    for month in range(1, 12):
        model.clock = month
        survey.interview(model)
    asked = model.survey.asked["satisfied"]
    # 3,000 homes at 4 points: 600.23 / (1 + 599.23 / 3000) = 500.3 -> 501 a year; each month each household is asked
    # with chance 501 / 36,000. Eleven months: 459.25 expected, binomial s.d. about 21.3.
    needed = survey.required_sample(3000)
    assert needed == 501
    assert abs(asked - 11 * needed / 12) < 4 * math.sqrt(11 * needed / 12)
    # The items every tenant is asked, all asked alike.
    assert model.survey.asked["listens"] == model.survey.asked["respect"] == model.survey.asked["dissatisfied"] == asked


def test_a_landlord_at_a_tenth_of_its_size_asks_its_real_sample():
    # 300 households standing for 3,000 homes: the 501 responses a landlord of 3,000 homes needs, from 300 households
    # (each asked with chance 501 / 3,600 a month). Eleven months: 459.25 expected, s.d. about 20.
    model = _model(residents=300, survey__homes_per_household=10.0)
    _everyone(model, 1.0)
    for month in range(1, 12):
        model.clock = month
        survey.interview(model)
    asked = model.survey.asked["satisfied"]
    assert abs(asked - 11 * 501 / 12) < 4 * math.sqrt(11 * 501 / 12)


def test_a_sample_larger_than_the_households_asks_everyone_each_month():
    model = _model(residents=30, survey__homes_per_household=100.0)  # 3,000 homes need 501 a year: more than 30 x 12
    _everyone(model, 1.0)
    model.clock = 1
    survey.interview(model)
    assert model.survey.asked["satisfied"] == 30


def test_the_complaints_item_asks_only_recent_complainants():
    model = _model()
    s = model.state
    _everyone(model, 0.0)
    recent = np.arange(300) < 150
    s.months_since_complaint[:] = NEVER_COMPLAINED
    s.months_since_complaint[recent] = np.arange(150) % 12  # complained 0 to 11 months ago
    s.trust_landlord[recent] = 1.0
    s.complaint_felt[recent] = 1.0  # only complainants are satisfied with the handling
    _interview_months(model, 1, 12)
    reported = model.survey.reported
    assert reported["complaints"] == 1.0  # nobody who did not complain recently was asked
    assert 0.0 < reported["satisfied"] < 1.0


def test_no_recent_complainant_leaves_the_complaints_item_missing():
    model = _model()
    _everyone(model, 1.0)
    model.state.months_since_complaint[:] = 12  # a complaint 12 months ago is outside the survey's memory
    _interview_months(model, 1, 12)
    assert math.isnan(model.survey.reported["complaints"])
    assert model.survey.reported["satisfied"] == 1.0


def test_nobody_is_both_satisfied_and_dissatisfied():
    model = _model(survey__spread=0.1, survey__neutral_band=0.0)
    rng = np.random.default_rng(0)
    model.state.trust_landlord[:] = rng.random(300)
    _interview_months(model, 1, 11)
    year = model.survey
    assert year.positive["satisfied"] + year.positive["dissatisfied"] <= year.asked["satisfied"]
    assert year.positive["satisfied"] > 0 and year.positive["dissatisfied"] > 0


def test_the_halo_lets_the_relationship_colour_the_other_items():
    answers = {}
    for halo in (0.0, 0.6):
        model = _model(survey__halo=halo)
        _everyone(model, 0.45)  # every item's own perception just below the threshold...
        model.state.trust_landlord[:] = 1.0  # ...but the relationship is good
        _interview_months(model, 1, 12)
        answers[halo] = model.survey.reported["listens"]
    # Without the halo, 0.45 is below 0.5: nobody says the landlord listens. With halo 0.6: 0.4 * 0.45 + 0.6 = 0.78.
    assert answers[0.0] == 0.0 and answers[0.6] == 1.0


def test_two_policies_with_the_same_seed_interview_the_same_households():
    recorded = {}
    for policy in ("paternalistic", "co_production"):
        model = HousingModel(rng=11, residents=300, policy=policy, status_quo__months=0)
        sample = model.streams["survey_sample"]
        draws = []

        class Recorder:
            def random(self, size, _sample=sample, _draws=draws):
                values = _sample.random(size)
                _draws.append(values)
                return values

        model.streams._generators["survey_sample"] = Recorder()
        model.run(24)
        chance = survey.required_sample(300) / (12 * 300)
        recorded[policy] = ([np.flatnonzero(x < chance) for x in draws], model)
    (a, model_a), (b, model_b) = recorded["paternalistic"], recorded["co_production"]
    assert len(a) == len(b) == 24  # one draw a month
    for month_a, month_b in zip(a, b, strict=True):
        np.testing.assert_array_equal(month_a, month_b)
    assert sum(len(x) for x in a) > 0
    # Same households, different answers: the policies differ in what residents think.
    assert model_a.survey.reported["listens"] != model_b.survey.reported["listens"]


def test_with_a_burn_in_of_whole_years_month_0_has_last_years_figures():
    # The status quo's last survey year ends at month 0, so its figures are reported from month 1.
    model = HousingModel(rng=11, residents=300, status_quo__months=24)
    frame = model.run(2)
    assert frame["tsm_reported_satisfied"].notna().all()
    assert frame["tsm_reported_listens"].notna().all()
    # Without a burn-in there is nothing to report until month 12.
    frame = HousingModel(rng=11, residents=300, status_quo__months=0).run(12)
    assert frame["tsm_reported_satisfied"].iloc[:11].isna().all()
    assert frame["tsm_reported_satisfied"].iloc[11:].notna().all()
