"""Decisions and need-fit: the landlord's belief about needs, what input does to it, and the budget.

The landlord allocates its service budget across need domains by its
*belief* about where residents' needs lie, which can be wrong ("what you
know for sure that just ain't so"). Residents' input (the needs of those who
took part: a sample that is biased when only the confident take part) moves
the belief, and the design of services, as far as the policy's influence
allows, and what residents teach about design is kept only while they keep
teaching it. Residents who co-deliver add capacity. Nothing here looks at
outcomes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.arraytools import column_totals
from sim.parameters import Param, Section

if TYPE_CHECKING:
    from sim.model import HousingModel

LANDLORD = Section(
    "landlord",
    "The landlord: budget, belief about needs, humility and respect.",
    (
        Param("budget", 110.0, "GBP per household per month", "assumption", "Service budget (repairs, employment support, health and wellbeing, community).", 0.0, 100000.0),
        Param("belief_accuracy", 0.5, "share [0, 1]", "assumption", "How close the landlord's initial belief is to residents' true needs (1: exact; 0: its prior).", 0.0, 1.0),
        Param("prior_belief", (0.55, 0.1, 0.1, 0.25), "shares of need by domain (repairs, employment, health, community)", "assumption", "What professionals assume needs are, before any evidence.", 0.0, 1.0),
        Param("humility", 0.8, "share [0, 1]", "assumption", "How far the landlord lets residents' input change its mind.", 0.0, 1.0),
        Param("learning_rate", 0.1, "share per month", "assumption", "Most the belief can move towards residents' input in a month.", 0.0, 1.0),
        Param("information_half", 10.0, "participants", "assumption", "Participants at which input carries half its possible weight (small samples are noisy).", 0.0, 1e9),
        Param("respect", 0.75, "index [0, 1]", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "How respectfully staff treat residents.", 0.0, 1.0),
        Param("staff_bias", 0.3, "share [0, 1]", "assumption (Link and Phelan 2001: status loss and discrimination; G15 2024: landlords the most common source); fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "How much less respect the least advantaged residents receive.", 0.0, 1.0),
        Param("respect_learning", 0.1, "share per month", "assumption (contact reduces stereotyping: Allport 1954)", "How fast working alongside residents raises staff respect.", 0.0, 1.0),
        Param("respect_reversion", 0.02, "share per month", "assumption", "How fast staff respect returns to the organisation's baseline.", 0.0, 1.0),
    ),
)

def need_shares(need: np.ndarray) -> np.ndarray:
    """Share of total need held in each domain (uniform if there is none)."""
    total = column_totals(need)
    whole = total.sum()
    return total / whole if whole > 0 else np.full(need.shape[1], 1.0 / need.shape[1])


def initial_belief(true_shares: np.ndarray, prior: np.ndarray, accuracy: float) -> np.ndarray:
    """The landlord's starting belief: ``accuracy`` of the truth, the rest its prior, normalised."""
    prior = np.asarray(prior, dtype=float)
    prior = prior / prior.sum() if prior.sum() > 0 else np.full(len(prior), 1.0 / len(prior))
    belief = accuracy * true_shares + (1.0 - accuracy) * prior
    return belief / belief.sum()


def belief_accuracy(belief: np.ndarray, true_shares: np.ndarray) -> float:
    """1 minus the total-variation distance between belief and true shares, in [0, 1]."""
    return float(1.0 - 0.5 * np.abs(belief - true_shares).sum())


def input_weight(influence: float, participants: int, learning_rate: float, information_half: float) -> float:
    """How far this month's input moves belief and design, in [0, 1]."""
    if participants == 0:
        return 0.0
    information = participants / (participants + information_half)
    return learning_rate * influence * information


def decide(model: HousingModel) -> None:
    """Phase: input moves belief and design; the budget is allocated; capacities are set."""
    s, landlord = model.state, model.landlord
    lp, sp = model.params.landlord, model.params.services
    policy = landlord.policy
    participants = int(np.count_nonzero(s.participated))
    influence = landlord.influence()
    model.month.influence = influence
    weight = input_weight(influence, participants, lp.learning_rate, lp.information_half)
    if weight > 0:
        heard = need_shares(np.compress(s.participated, s.need, axis=0))  # s.need[s.participated], faster
        landlord.belief = (1.0 - weight) * landlord.belief + weight * heard
    for service in model.services:
        # What residents teach about design is kept only while they keep
        # teaching it: without input, design drifts back to the professional default.
        service.design_fit += sp.design_reversion * (sp.design_fit - service.design_fit) + weight * (1.0 - service.design_fit)

    co_delivers = s.participated & (model.streams["co_delivery"].random(s.n) < policy.co_delivery)
    model.month.co_delivers = co_delivers
    co_units = int(np.count_nonzero(co_delivers)) * sp.co_delivery_hours * sp.co_delivery_productivity
    budget_units = landlord.budget * s.n / sp.unit_cost
    for service in model.services:
        d = service.domain
        service.co_delivered = co_units * landlord.belief[d]
        service.capacity = budget_units * landlord.belief[d] + service.co_delivered + service.fixed_capacity * s.n
