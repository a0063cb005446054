"""Outcomes: what every run reports each month, under stable column names.

All outcomes but ``cost`` (GBP per household per month) are shares or
indices in [0, 1]. The ``tsm_*`` columns are the expected share of all
tenants who would answer the Tenant Satisfaction Measures items positively
(sim/mechanisms/survey.py: how a perception becomes an answer, coloured by
the tenant's relationship with the landlord), and the ``survey_*`` columns
the share answering other national surveys' questions "yes". The
``tsm_reported_*`` columns are what the landlord reports from its sample
survey: last survey year's figures, with sampling error.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.mechanisms import complaints, survey

if TYPE_CHECKING:
    from sim.model import HousingModel

OUTCOMES: tuple[str, ...] = (
    "trust_landlord", "trust_neighbours", "trust_services", "stigma", "bonding", "bridging", "linking",
    "participation", "participation_most_stigmatised", "need_fit", "employment_rate", "upward_mobility",
    "wellbeing", "cost", "equity_gap", "tsm_satisfied", "tsm_listens", "tsm_respect",
    "tsm_informed", "tsm_complaints",
)
"""The stable outcome columns every tool can rely on, in this order."""

COST_PARTS: tuple[str, ...] = ("services", "facilitation", "outreach", "hub", "failure_demand", "residents_time")
"""The parts of ``cost`` (sim/mechanisms/cost.py), each a column ``cost_<part>``."""

GROUPS: tuple[str, ...] = ("most_stigmatised", "least_stigmatised", "in_work", "out_of_work")
"""For whom: the groups ``wellbeing`` and ``trust_landlord`` are also read within."""

EXTRA: tuple[str, ...] = (
    "participation_least_stigmatised", "belief_accuracy", "landlord_respect", "external_stigma",
    *(f"cost_{part}" for part in COST_PARTS),
    "tsm_dissatisfied", "complainants", "survey_looked_down_on", "survey_discrimination", "survey_felt_ignored",
    "tenure_under_3_years", "years_at_address", "survey_trust_neighbours_unemployed",
    *survey.REPORTED,
    "need_fit_most_stigmatised", "need_fit_least_stigmatised",
    "landlord_pressure", "requests_delivered", "requests_funded", "contact_quality", "fatigue", "linked_to_landlord",
    "tsm_repairs", "tsm_maintained", "tsm_neighbourhood", "tsm_antisocial", "recent_repairs",
    *(f"{outcome}_{group}" for outcome in ("wellbeing", "trust_landlord") for group in GROUPS),
)
"""Further columns that help explain the outcomes (may grow; tools should not require them)."""


def fifths(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the lowest and highest fifth of ``values`` (``n // 5`` each, at least one).

    Linear time (a partition, not a sort). Among values tied at a fifth's
    boundary, which ones fall inside is unspecified but deterministic.
    """
    n = len(values)
    k = max(1, n // 5)
    low = np.zeros(n, dtype=bool)
    high = np.zeros(n, dtype=bool)
    if n == 0:
        return low, high
    if n == 1:
        low[0] = high[0] = True
        return low, high
    order = np.argpartition(values, (k - 1, n - k))  # one partition finds both fifths
    low[order[:k]] = True
    high[order[n - k :]] = True
    return low, high


def average(values: np.ndarray) -> float:
    """The mean of a float array, as ``np.mean`` computes it (one pairwise sum, one division), without its Python wrapper.

    Bitwise ``float(values.mean())``; a month's columns take about thirty
    means, and at 1,000 households the wrapper cost more than the sum.
    """
    return float(values.sum() / values.size)


def positive_share(perception: np.ndarray, threshold: float, spread: float) -> float:
    """Expected share answering a survey item positively, given each resident's perception.

    The logistic ``1 / (1 + exp(-z))`` is written out with numpy's
    vectorised ``exp`` in place: scipy's ``expit`` took twice as long, and a
    month asks for fourteen of these (it agrees with ``expit`` to a few units in
    the last place).
    """
    if perception.size == 0:
        return 0.0
    z = np.subtract(threshold, perception)
    z /= spread
    with np.errstate(over="ignore"):  # far below the threshold exp overflows to inf, and 1 / (1 + inf) is exactly 0
        np.exp(z, out=z)
    z += 1.0
    np.reciprocal(z, out=z)
    return average(z)


def negative_share(perception: np.ndarray, threshold: float, spread: float, neutral_band: float) -> float:
    """Expected share answering a survey item negatively (dissatisfied), given each resident's perception."""
    return positive_share(-perception, -(threshold - neutral_band), spread)


def discrimination(respect_felt: np.ndarray, seeking_work: np.ndarray, employer_stigma: float, external: float) -> np.ndarray:
    """How much prejudice a resident has met, per resident: the worse of the landlord's and employers'.

    Disrespect from the landlord is ``1 - respect_felt``; a working-age
    resident out of work meets employers' postcode bias,
    ``employer_stigma * external`` (the stigma mechanism's own terms).
    """
    return np.maximum(1.0 - respect_felt, np.where(seeking_work, employer_stigma * external, 0.0))


def share(mask: np.ndarray, of: np.ndarray | None = None) -> float:
    """Share of ``True`` in ``mask`` (among ``of`` if given); 0 when empty."""
    if of is None:
        return np.count_nonzero(mask) / mask.size if mask.size else 0.0
    among = np.count_nonzero(of)
    return np.count_nonzero(mask & of) / among if among else 0.0


def mean_within(values: np.ndarray, members: np.ndarray) -> float:
    """Mean of ``values`` over ``members`` (a mask, or the members' indices in ascending order); NaN when the group is
    empty (no household in it this month). The same number either way: the same values, summed in the same order."""
    picked = values[members]
    return float(picked.sum() / picked.size) if picked.size else math.nan


def fifth_need_fit(model: HousingModel, members: np.ndarray) -> float:
    """Share of the need held by ``members`` (a mask) that was met this month."""
    weights = members.astype(float)
    met = float((weights @ model.month.met).sum())
    held = met + float((weights @ model.state.need).sum())
    return met / held if held > 0 else 1.0


class Reading:
    """What a month's outcome columns are read from: each quantity several columns share is computed once, and only if a column asks for it."""

    def __init__(self, model: HousingModel):
        self.model = model
        self.s = model.state
        reading = model.params.survey
        self.threshold, self.spread, self.band = reading.threshold, reading.spread, reading.neutral_band

    def positive(self, perception: np.ndarray) -> float:
        return positive_share(perception, self.threshold, self.spread)

    def negative(self, perception: np.ndarray) -> float:
        return negative_share(perception, self.threshold, self.spread, self.band)

    @cached_property
    def capital(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.model.social_capital()

    @cached_property
    def stigma_fifths(self) -> tuple[np.ndarray, np.ndarray]:
        """(least, most stigmatised)"""
        return fifths(self.s.stigma)

    @cached_property
    def advantage_fifths(self) -> tuple[np.ndarray, np.ndarray]:
        """(least, most advantaged)"""
        return fifths(self.s.advantage)

    @cached_property
    def complained(self) -> np.ndarray:
        return complaints.recent_complainants(self.model)

    @cached_property
    def answers(self) -> dict[str, np.ndarray]:
        return survey.perceptions(self.model)

    @cached_property
    def maintained(self) -> float:
        """TP04, and TP02 when everyone had a repair."""
        return self.positive(self.answers["maintained"])

    @cached_property
    def seeking_work(self) -> np.ndarray:
        return self.s.working_age & ~self.s.employed

    @cached_property
    def groups(self) -> dict[str, np.ndarray]:
        """For whom: the groups the ``*_most_stigmatised``, ... columns are read within."""
        least_stigmatised, most_stigmatised = self.stigma_fifths
        return {"most_stigmatised": most_stigmatised, "least_stigmatised": least_stigmatised,
                "in_work": self.s.working_age & self.s.employed, "out_of_work": self.seeking_work}

    def equity_gap(self) -> float:
        least_advantaged, most_advantaged = self.advantage_fifths
        gap = average(self.s.wellbeing[most_advantaged]) - average(self.s.wellbeing[least_advantaged])
        return max(0.0, gap)  # a reversed gap (the least advantaged better off) reads as no gap

    def tsm_repairs(self) -> float:
        answers = self.answers
        return self.maintained if answers["repairs"] is answers["maintained"] else self.positive(answers["repairs"])

    def discrimination(self) -> float:
        m = self.model
        return self.positive(discrimination(self.s.respect_felt, self.seeking_work, m.params.stigma.employer_stigma, m.external_stigma))

    @cached_property
    def group_members(self) -> dict[str, np.ndarray]:
        """Each group's members as indices (read by eight columns: a mask is searched once, not eight times)."""
        return {group: np.flatnonzero(mask) for group, mask in self.groups.items()}

    def within(self, per_resident: np.ndarray, group: str) -> float:
        return mean_within(per_resident, self.group_members[group])


def _room(read: Any) -> Any:
    """Wrap a column of this month's participation room: NaN in a month nobody took part."""
    return lambda r: read(r.model.month.room, r.model.month) if r.model.month.room.participants else math.nan


COLUMNS: dict[str, Any] = {
    "trust_landlord": lambda r: average(r.s.trust_landlord),
    "trust_neighbours": lambda r: average(r.s.trust_neighbours),
    "trust_services": lambda r: average(r.s.trust_services),
    "stigma": lambda r: average(r.s.stigma),
    "bonding": lambda r: average(r.capital[0]),
    "bridging": lambda r: average(r.capital[1]),
    "linking": lambda r: average(r.capital[2]),
    "participation": lambda r: share(r.s.participated),
    "participation_most_stigmatised": lambda r: share(r.s.participated, r.stigma_fifths[1]),
    "need_fit": lambda r: r.model.month.need_fit,
    "employment_rate": lambda r: share(r.s.employed, r.s.working_age),
    "upward_mobility": lambda r: share(r.s.moved_up_within(12)),
    "wellbeing": lambda r: average(r.s.wellbeing),
    "cost": lambda r: float(sum(r.model.month.costs.values())),
    "equity_gap": Reading.equity_gap,
    "tsm_satisfied": lambda r: r.positive(r.s.trust_landlord),
    "tsm_listens": lambda r: r.positive(r.answers["listens"]),
    "tsm_respect": lambda r: r.positive(r.answers["respect"]),
    "tsm_informed": lambda r: r.positive(r.answers["informed"]),
    "tsm_complaints": lambda r: r.positive(r.answers["complaints"]),
    "participation_least_stigmatised": lambda r: share(r.s.participated, r.stigma_fifths[0]),
    "belief_accuracy": lambda r: r.model.belief_accuracy(),
    "landlord_respect": lambda r: r.model.landlord.respect,
    "external_stigma": lambda r: r.model.external_stigma,
    "tsm_dissatisfied": lambda r: r.negative(r.s.trust_landlord),
    "complainants": lambda r: share(r.complained),
    "survey_looked_down_on": lambda r: r.positive(r.s.stigma),
    "survey_discrimination": Reading.discrimination,
    "survey_felt_ignored": lambda r: r.negative(r.s.complaint_felt[r.complained]),
    "tenure_under_3_years": lambda r: share(r.s.tenure_months < 36),
    "years_at_address": lambda r: float(r.s.tenure_months.mean() / 12.0) if r.s.n else 0.0,
    "survey_trust_neighbours_unemployed": lambda r: r.positive(r.s.trust_neighbours[r.seeking_work]),
    **{column: (lambda r, item=item: r.model.survey.reported[item]) for column, item in zip(survey.REPORTED, survey.ITEMS, strict=True)},
    "need_fit_most_stigmatised": lambda r: fifth_need_fit(r.model, r.stigma_fifths[1]),
    "need_fit_least_stigmatised": lambda r: fifth_need_fit(r.model, r.stigma_fifths[0]),
    "landlord_pressure": lambda r: r.model.landlord.pressure,
    "requests_delivered": _room(lambda room, month: room.delivered_share),
    "requests_funded": _room(lambda room, month: room.funded),
    "contact_quality": _room(lambda room, month: month.contact_quality),
    "fatigue": lambda r: average(r.s.fatigue) if r.s.n else 0.0,
    "linked_to_landlord": lambda r: share(r.model.network.linking[:, 0] > 0),
    "tsm_repairs": Reading.tsm_repairs,
    "tsm_maintained": lambda r: r.maintained,
    "tsm_neighbourhood": lambda r: r.positive(r.answers["neighbourhood"]),
    "tsm_antisocial": lambda r: r.positive(r.answers["antisocial"]),
    "recent_repairs": lambda r: share(survey.recent_repair(r.model)),
    **{f"cost_{name}": (lambda r, name=name: float(r.model.month.costs[name])) for name in COST_PARTS},
    # For whom: the same outcomes within groups, so a report can say who gains and who loses.
    **{f"{outcome}_{group}": (lambda r, outcome=outcome, group=group: r.within(getattr(r.s, outcome), group))
       for outcome in ("wellbeing", "trust_landlord") for group in GROUPS},
}
"""Every outcome column, as a function of the month's :class:`Reading`."""

ALL_COLUMNS: tuple[str, ...] = (*OUTCOMES, *EXTRA)
"""Every column, in the order runs report them."""


def measure(model: HousingModel) -> None:
    """Phase: compute the outcome columns the model collects (``model.measured``; by default all of them) into ``model.outcomes``.

    A batch that analyses six outcomes computes six columns, not seventy; a
    column's value never depends on which others are computed beside it.
    """
    reading = Reading(model)
    model.outcomes = {name: COLUMNS[name](reading) for name in model.measured}
