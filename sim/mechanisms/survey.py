"""The survey: how residents' perceptions become survey answers, and the sample survey a landlord reports.

**Answering.** Each Tenant Satisfaction Measures item rests on one
perception held in the residents' state:

- overall satisfaction (TP01) on trust in the landlord;
- satisfaction with repairs (TP02) on the household's view of repairs
  (``repairs_felt``: the share of its repairs need met, a moving average over
  the months it held repairs need), asked only of those who had a repair in
  the last twelve months (held repairs need in one of them:
  ``months_since_repair < REPAIR_MEMORY_MONTHS``);
- "the home is well maintained" (TP04) on the same view of repairs, asked of
  everyone: one perception, two populations asked. (Repairs need arises in
  every home every month while its mean arrival is above zero, so in
  practice every household has had a repair and TP02 reads as TP04 does:
  docs/ODD.md Appendix A);
- "listens to your views and acts on them" (TP06) on perceived listening;
- "keeps you informed" (TP07) on feeling informed;
- "treats you fairly and with respect" (TP08) on perceived respect;
- complaints handling (TP09) on a complainant's view of the handling, asked
  only of those who complained in the last twelve months;
- "makes a positive contribution to your neighbourhood" (TP11) on
  ``neighbourhood_felt``, the share of the estate's community need met (a
  moving average; the community domain is where the hub and social
  infrastructure act), which every resident of an estate sees alike;
- handling of anti-social behaviour (TP12), a proxy: the model has no
  anti-social behaviour, and relations with neighbours (trust in
  neighbours) are the nearest state it has. For validation only, never
  fitted.

Not mapped: TP03 (time taken to complete the most recent repair: the model
has no repair durations distinct from need met in a month), TP05 (the home
is safe: the model has no safety of the home) and TP10 (communal areas kept
clean and well maintained: no cleaning or communal areas). Their national
medians are in experiments/data/uk_targets.csv for the record.

A tenant's relationship with the landlord colours every answer: an item is
answered from ``(1 - halo) * the item's own perception + halo * trust in the
landlord`` (the halo effect, Thorndike 1920: an overall impression colours
judgements of particular qualities), which is why a landlord rated well on
one item tends to be rated well on the others. A resident answers
positively with probability ``logistic((perception - threshold) / spread)``,
the usual latent-variable reading of a survey answer, and negatively
(dissatisfied) with probability ``logistic((threshold - neutral_band -
perception) / spread)``; between the two lies "neither". One threshold,
spread, neutral band and halo serve every item: differences between items
come from the mechanisms, not from item-specific cut-offs.

**The whole tenancy** (the ``tsm_*`` outcomes): the expected share of all
tenants answering positively, exact for any community size (no draw). This is
what policies are compared on.

**What the landlord reports** (the ``tsm_reported_*`` columns): the TSM are
reported from a sample survey. The regulator's Tenant Survey Requirements
(RSH 2022) set the sampling error a landlord must achieve at 95% confidence
by its number of homes: within 5 points below 2,500 homes, 4 points from
2,500, 3 from 10,000, 2 from 25,000. The sample is the usual one for a
proportion of 0.5 with the finite-population correction, rounded up (a
landlord of 7,271 homes needs 555 responses by it; one landlord's published
statement gives 554, rounding down). The model runs the survey as many
landlords do, rolling through the year: each month each household is
interviewed with chance ``sample / (12 * households)`` (stream
``survey_sample``), and each interviewed household answers every item it is
asked (stream ``survey_answers``, one row of numbers per interviewee, one
number per reported item, whether or not the complaints or repairs item
applies, so two policies draw the same numbers).

**A landlord simulated at reduced scale** (``homes_per_household`` above 1,
as a landlord population can run real landlords at a fraction of their
size: docs/VALIDATION.md section 7 measures what that changes) still reports from the sample its real number of homes
(``households * homes_per_household``) needs, so its sampling error is the
real landlord's. The interviews then fall on fewer households, some more than
once a year (chance per month capped at 1); each interview is a fresh answer
from that household's perception.
At the end of each survey year (every twelve months from month 0) the year's
answers become the reported figures, which stand until the next year's;
before the first year's end they are missing (NaN). A burn-in that is not a
whole number of years makes month 0's figures those of a part-year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import complaints
from sim.parameters import Param, Section

if TYPE_CHECKING:
    from sim.model import HousingModel
    from sim.state import ResidentState

PARAMETERS = Section(
    "survey",
    "How residents' state becomes survey answers.",
    (
        Param("threshold", 0.5, "index [0, 1]", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "Perception at which a resident is as likely as not to answer a survey item positively.", 0.0, 1.0, plausible=(0.3, 0.6)),
        Param("spread", 0.1, "index", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "How gradually the chance of a positive answer rises with the perception.", 0.001, 1.0, plausible=(0.03, 0.15)),
        Param("neutral_band", 0.1, "index", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "Width of the \"neither\" answers below the threshold: below threshold minus this, a resident is more likely than not dissatisfied.", 0.0, 1.0, plausible=(0.0, 0.3)),
        Param("homes_per_household", 1.0, "homes per simulated household", "scaling convention (docs/VALIDATION.md section 7: scaling a landlord down moves its shares; the shipped population runs at full size)", "Real homes each simulated household stands for: the reported survey's sample is the one the real number of homes needs.", 1.0, 10_000.0),
        Param("halo", 0.3, "share [0, 1]", "assumption (the halo effect: Thorndike 1920); fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "How much a tenant's overall relationship with the landlord (trust) colours each item's answer.", 0.0, 1.0, plausible=(0.1, 0.6)),
    ),
)

ITEMS: tuple[str, ...] = (
    "satisfied", "dissatisfied", "listens", "informed", "respect", "complaints",
    "repairs", "maintained", "neighbourhood", "antisocial",
)
"""Reported items, in column order: TP01 (satisfied, dissatisfied), TP06, TP07, TP08, TP09, TP02, TP04, TP11, TP12."""

REPORTED: tuple[str, ...] = tuple(f"tsm_reported_{item}" for item in ITEMS)
"""The outcome columns holding what the landlord reports."""

REPAIR_MEMORY_MONTHS = 12
"""TP02 asks tenants who had a repair in the last 12 months (the TSM definition; not a tunable parameter)."""

MARGINS: tuple[tuple[int, float], ...] = ((25_000, 0.02), (10_000, 0.03), (2_500, 0.04), (0, 0.05))
"""(homes at least, sampling error at 95% confidence) from the regulator's Tenant Survey Requirements (RSH 2022)."""


def required_sample(households: int) -> int:
    """Responses a landlord of ``households`` homes needs (RSH margins, p = 0.5, finite population corrected)."""
    if households <= 0:
        return 0
    margin = next(m for size, m in MARGINS if households >= size)
    infinite = 1.959964**2 * 0.25 / margin**2
    return min(households, math.ceil(infinite / (1.0 + (infinite - 1.0) / households)))


def coloured(perception: np.ndarray, trust: np.ndarray, halo: float) -> np.ndarray:
    """The perception an item is answered from: its own, coloured by the relationship (trust)."""
    return (1.0 - halo) * perception + halo * trust


def recent_repair(model: HousingModel) -> np.ndarray:
    """Bool per household: had a repair (held repairs need) within the last ``REPAIR_MEMORY_MONTHS`` months."""
    return model.state.months_since_repair < REPAIR_MEMORY_MONTHS


FELT: dict[str, str] = {
    "listens": "voice_felt", "informed": "informed_felt", "respect": "respect_felt", "complaints": "complaint_felt",
    "repairs": "repairs_felt", "maintained": "repairs_felt",  # TP04 reads the same view of repairs, asked of everyone
    "neighbourhood": "neighbourhood_felt", "antisocial": "trust_neighbours",  # a proxy: relations with neighbours
}
"""Each item's own perception (a state field), before the relationship colours it; "satisfied" is trust itself."""


def answered_from(s: ResidentState, halo: float, who: np.ndarray) -> np.ndarray:
    """The perception each household in ``who`` (indices) answers each item from, one row per item of :data:`ITEMS`.

    Trust itself for "satisfied" (and for "dissatisfied", read from the same
    answer); every other item its own perception coloured by trust. One
    array for all items: the month's few interviews cost a handful of numpy
    calls, not a dozen per item.
    """
    trust = s.trust_landlord[who]
    own = np.array([trust if item in ("satisfied", "dissatisfied") else getattr(s, FELT[item])[who] for item in ITEMS])
    perceived = coloured(own, trust, halo)
    perceived[[ITEMS.index("satisfied"), ITEMS.index("dissatisfied")]] = trust
    return perceived


def perceptions(model: HousingModel) -> dict[str, np.ndarray]:
    """Per item, the perception each asked resident answers from (complaints: recent complainants only; repairs: recent repairs only).

    When every household had a repair in the last twelve months, "repairs" is
    the very array of "maintained" (the outcomes read it once).
    """
    s, halo = model.state, model.params.survey.halo
    trust = s.trust_landlord
    complained = complaints.recent_complainants(model)
    repaired = recent_repair(model)
    maintained = coloured(getattr(s, FELT["maintained"]), trust, halo)
    answers = {"satisfied": trust}
    for item in ("listens", "informed", "respect", "neighbourhood", "antisocial"):
        answers[item] = coloured(getattr(s, FELT[item]), trust, halo)
    answers["complaints"] = coloured(getattr(s, FELT["complaints"])[complained], trust[complained], halo)
    answers["repairs"] = maintained if repaired.all() else maintained[repaired]
    answers["maintained"] = maintained
    return answers


def positive_probability(perception: np.ndarray, threshold: float, spread: float) -> np.ndarray:
    """Chance each resident answers positively."""
    with np.errstate(over="ignore"):  # far below the threshold exp overflows to inf, and 1 / (1 + inf) is exactly 0
        return 1.0 / (1.0 + np.exp((threshold - perception) / spread))


def negative_probability(perception: np.ndarray, threshold: float, spread: float, neutral_band: float) -> np.ndarray:
    """Chance each resident answers negatively (dissatisfied)."""
    return positive_probability(-perception, -(threshold - neutral_band), spread)


@dataclass
class SurveyYear:
    """The answers gathered so far this survey year, and the figures last reported."""

    positive: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ITEMS, 0))
    asked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ITEMS, 0))
    reported: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ITEMS, math.nan))

    def close(self) -> None:
        """The year's answers become the reported figures; a new year starts."""
        self.reported = {item: self.positive[item] / self.asked[item] if self.asked[item] else math.nan for item in ITEMS}
        self.positive = dict.fromkeys(ITEMS, 0)
        self.asked = dict.fromkeys(ITEMS, 0)


def interview(model: HousingModel) -> None:
    """Phase: this month's share of the landlord's sample answers; at a survey year's end, the figures are reported."""
    s, p, year = model.state, model.params.survey, model.survey
    chance = min(1.0, required_sample(round(s.n * p.homes_per_household)) / (12.0 * max(s.n, 1)))
    asked = np.flatnonzero(model.streams["survey_sample"].random(s.n) < chance)
    u = model.streams["survey_answers"].random((len(asked), len(ITEMS)))
    if len(asked):
        perceived = answered_from(s, p.halo, asked)
        draws = u.T  # one row per item, as perceived
        answers = draws < positive_probability(perceived, p.threshold, p.spread)
        # "dissatisfied" is the same TP01 answer: dissatisfied at the top of its numbers, satisfied at the bottom.
        satisfied = ITEMS.index("satisfied")
        answers[ITEMS.index("dissatisfied")] = u[:, satisfied] > 1.0 - negative_probability(perceived[satisfied], p.threshold, p.spread, p.neutral_band)
        eligible = np.ones_like(answers)
        eligible[ITEMS.index("complaints")] = complaints.recent_complainants(model)[asked]
        eligible[ITEMS.index("repairs")] = recent_repair(model)[asked]
        positive = np.count_nonzero(answers & eligible, axis=1)
        counted = np.count_nonzero(eligible, axis=1)
        for row, item in enumerate(ITEMS):
            year.positive[item] += int(positive[row])
            year.asked[item] += int(counted[row])
    if model.clock % 12 == 0:
        year.close()
