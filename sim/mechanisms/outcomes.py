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
from typing import TYPE_CHECKING

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

EXTRA: tuple[str, ...] = (
    "participation_least_stigmatised", "belief_accuracy", "landlord_respect", "external_stigma",
    "cost_services", "cost_facilitation", "cost_outreach", "cost_hub", "cost_failure_demand", "cost_residents_time",
    "tsm_dissatisfied", "complainants", "survey_looked_down_on", "survey_discrimination", "survey_felt_ignored",
    "tenure_under_3_years", "years_at_address", "survey_trust_neighbours_unemployed",
    *survey.REPORTED,
    "need_fit_most_stigmatised", "need_fit_least_stigmatised",
    "landlord_pressure", "requests_delivered", "requests_funded", "contact_quality", "fatigue", "linked_to_landlord",
    "tsm_repairs", "tsm_maintained", "tsm_neighbourhood", "tsm_antisocial", "recent_repairs",
    *(f"{outcome}_{group}" for outcome in ("wellbeing", "trust_landlord") for group in ("most_stigmatised", "least_stigmatised", "in_work", "out_of_work")),
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
    return float(z.mean())


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
    """Mean of ``values`` over ``members`` (a mask); NaN when the group is empty (no household in it this month)."""
    count = int(members.sum())
    return float(values[members].sum() / count) if count else math.nan


def fifth_need_fit(model: HousingModel, members: np.ndarray) -> float:
    """Share of the need held by ``members`` (a mask) that was met this month."""
    weights = members.astype(float)
    met = float((weights @ model.month.met).sum())
    held = met + float((weights @ model.state.need).sum())
    return met / held if held > 0 else 1.0


def measure(model: HousingModel) -> None:
    """Phase: compute every outcome column into ``model.outcomes``."""
    s = model.state
    bonding, bridging, linking = model.social_capital()
    least_stigmatised, most_stigmatised = fifths(s.stigma)
    least_advantaged, most_advantaged = fifths(s.advantage)
    reading = model.params.survey
    threshold, spread, band = reading.threshold, reading.spread, reading.neutral_band
    complained = complaints.recent_complainants(model)
    answers = survey.perceptions(model)
    room = model.month.room
    seeking_work = s.working_age & ~s.employed
    costs = model.month.costs
    gap = float(s.wellbeing[most_advantaged].mean() - s.wellbeing[least_advantaged].mean())
    maintained = positive_share(answers["maintained"], threshold, spread)  # TP04, and TP02 when everyone had a repair
    values = {
        "trust_landlord": float(s.trust_landlord.mean()),
        "trust_neighbours": float(s.trust_neighbours.mean()),
        "trust_services": float(s.trust_services.mean()),
        "stigma": float(s.stigma.mean()),
        "bonding": float(bonding.mean()),
        "bridging": float(bridging.mean()),
        "linking": float(linking.mean()),
        "participation": share(s.participated),
        "participation_most_stigmatised": share(s.participated, most_stigmatised),
        "need_fit": model.month.need_fit,
        "employment_rate": share(s.employed, s.working_age),
        "upward_mobility": share(s.moved_up_within(12)),
        "wellbeing": float(s.wellbeing.mean()),
        "cost": float(sum(costs.values())),
        # A reversed gap (the least advantaged better off) reads as no gap.
        "equity_gap": max(0.0, gap),
        "tsm_satisfied": positive_share(s.trust_landlord, threshold, spread),
        "tsm_listens": positive_share(answers["listens"], threshold, spread),
        "tsm_respect": positive_share(answers["respect"], threshold, spread),
        "tsm_informed": positive_share(answers["informed"], threshold, spread),
        "tsm_complaints": positive_share(answers["complaints"], threshold, spread),
        "participation_least_stigmatised": share(s.participated, least_stigmatised),
        "belief_accuracy": model.belief_accuracy(),
        "landlord_respect": model.landlord.respect,
        "external_stigma": model.external_stigma,
        "tsm_dissatisfied": negative_share(s.trust_landlord, threshold, spread, band),
        "complainants": share(complained),
        "survey_looked_down_on": positive_share(s.stigma, threshold, spread),
        "survey_discrimination": positive_share(discrimination(s.respect_felt, seeking_work, model.params.stigma.employer_stigma, model.external_stigma), threshold, spread),
        "survey_felt_ignored": negative_share(s.complaint_felt[complained], threshold, spread, band),
        "tenure_under_3_years": share(s.tenure_months < 36),
        "years_at_address": float(s.tenure_months.mean() / 12.0) if s.n else 0.0,
        "survey_trust_neighbours_unemployed": positive_share(s.trust_neighbours[seeking_work], threshold, spread),
        **{column: model.survey.reported[item] for column, item in zip(survey.REPORTED, survey.ITEMS, strict=True)},
        "need_fit_most_stigmatised": fifth_need_fit(model, most_stigmatised),
        "need_fit_least_stigmatised": fifth_need_fit(model, least_stigmatised),
        "landlord_pressure": model.landlord.pressure,
        "requests_delivered": room.delivered_share if room.participants else math.nan,
        "requests_funded": room.funded if room.participants else math.nan,
        "contact_quality": model.month.contact_quality if room.participants else math.nan,
        "fatigue": float(s.fatigue.mean()) if s.n else 0.0,
        "linked_to_landlord": share(model.network.linking[:, 0] > 0),
        "tsm_repairs": maintained if answers["repairs"] is answers["maintained"] else positive_share(answers["repairs"], threshold, spread),
        "tsm_maintained": maintained,
        "tsm_neighbourhood": positive_share(answers["neighbourhood"], threshold, spread),
        "tsm_antisocial": positive_share(answers["antisocial"], threshold, spread),
        "recent_repairs": share(survey.recent_repair(model)),
    }
    values.update({f"cost_{name}": float(value) for name, value in costs.items()})
    # For whom: the same outcomes within groups, so a report can say who gains and who loses.
    groups = {"most_stigmatised": most_stigmatised, "least_stigmatised": least_stigmatised,
              "in_work": s.working_age & s.employed, "out_of_work": seeking_work}
    for outcome, per_resident in (("wellbeing", s.wellbeing), ("trust_landlord", s.trust_landlord)):
        values.update({f"{outcome}_{group}": mean_within(per_resident, members) for group, members in groups.items()})
    model.outcomes = values
