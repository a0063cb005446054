"""Outcomes: what every run reports each month, under stable column names.

All outcomes but ``cost`` (GBP per household per month) are shares or
indices in [0, 1]. The ``tsm_*`` columns are the share of residents who would
answer the Tenant Satisfaction Measures items positively. Each item rests on
one perception (overall satisfaction: trust in the landlord; listens to views
and acts on them: perceived listening; treats fairly and with respect:
perceived respect); a resident answers positively with probability
``logistic((perception - threshold) / spread)``, the usual latent-variable
reading of a survey answer, and the column is the expected share (no random
draw, so it is exact for any community size).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from sim.parameters import Param, Section

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "survey",
    "How residents' state becomes survey answers.",
    (
        Param("threshold", 0.5, "index [0, 1]", "assumption (to be calibrated against the TSM)", "Perception at which a resident is as likely as not to answer a TSM item positively.", 0.0, 1.0),
        Param("spread", 0.1, "index", "assumption", "How gradually the chance of a positive answer rises with the perception.", 0.001, 1.0),
    ),
)

OUTCOMES: tuple[str, ...] = (
    "trust_landlord", "trust_neighbours", "trust_services", "stigma", "bonding", "bridging", "linking",
    "participation", "participation_most_stigmatised", "need_fit", "employment_rate", "upward_mobility",
    "wellbeing", "cost", "equity_gap", "tsm_satisfied", "tsm_listens", "tsm_respect",
)
"""The stable outcome columns every tool can rely on, in this order."""

EXTRA: tuple[str, ...] = (
    "participation_least_stigmatised", "belief_accuracy", "landlord_respect", "external_stigma",
    "cost_services", "cost_facilitation", "cost_outreach", "cost_hub", "cost_failure_demand", "cost_residents_time",
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
    """Expected share answering a survey item positively, given each resident's perception."""
    if perception.size == 0:
        return 0.0
    return float(np.mean(expit((perception - threshold) / spread)))


def share(mask: np.ndarray, of: np.ndarray | None = None) -> float:
    """Share of ``True`` in ``mask`` (among ``of`` if given); 0 when empty."""
    if of is not None:
        mask = mask[of]
    return float(mask.mean()) if mask.size else 0.0


def measure(model: HousingModel) -> None:
    """Phase: compute every outcome column into ``model.outcomes``."""
    s = model.state
    bonding, bridging, linking = model.social_capital()
    least_stigmatised, most_stigmatised = fifths(s.stigma)
    least_advantaged, most_advantaged = fifths(s.advantage)
    survey = model.params.survey
    costs = model.month.costs
    gap = float(s.wellbeing[most_advantaged].mean() - s.wellbeing[least_advantaged].mean())
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
        "upward_mobility": share(s.moved_up()),
        "wellbeing": float(s.wellbeing.mean()),
        "cost": float(sum(costs.values())),
        # A reversed gap (the least advantaged better off) reads as no gap.
        "equity_gap": max(0.0, gap),
        "tsm_satisfied": positive_share(s.trust_landlord, survey.threshold, survey.spread),
        "tsm_listens": positive_share(s.voice_felt, survey.threshold, survey.spread),
        "tsm_respect": positive_share(s.respect_felt, survey.threshold, survey.spread),
        "participation_least_stigmatised": share(s.participated, least_stigmatised),
        "belief_accuracy": model.belief_accuracy(),
        "landlord_respect": model.landlord.respect,
        "external_stigma": model.external_stigma,
    }
    values.update({f"cost_{name}": float(value) for name, value in costs.items()})
    model.outcomes = values
