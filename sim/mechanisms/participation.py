"""Participation: who takes part in the landlord's channel this month, and what taking part teaches.

Residents choose to take part with a probability that rises with efficacy,
trust in the landlord, the influence they expect and free time, and falls with
internalised stigma (the "why try" effect: Corrigan, Larson and Rüsch 2009).
Outreach (being on the ground) invites a household in person and lowers the
barrier; without it participation is unequal, because the confident
volunteer. A channel can host only so many (its capacity).

Afterwards participants learn from what happened: the influence they
expect and their efficacy move towards the influence they actually had.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from sim.parameters import Param, Section

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "participation",
    "Who takes part in participation channels.",
    (
        Param("base_logit", -1.0, "log-odds", "assumption", "Log-odds of taking part, when invited, for a resident with every trait at its midpoint.", -10.0, 10.0),
        Param("efficacy_weight", 2.0, "log-odds per unit", "assumption", "Effect of efficacy on taking part.", 0.0, 20.0),
        Param("trust_weight", 1.5, "log-odds per unit", "assumption", "Effect of trust in the landlord on taking part.", 0.0, 20.0),
        Param("voice_weight", 1.5, "log-odds per unit", "assumption", "Effect of the influence a resident expects on taking part.", 0.0, 20.0),
        Param("stigma_weight", 3.0, "log-odds per unit", "assumption (Corrigan et al. 2009: the why-try effect)", "Effect of internalised stigma against taking part.", 0.0, 20.0),
        Param("time_weight", 1.0, "log-odds per unit", "assumption", "Effect of free time on taking part.", 0.0, 20.0),
        Param("outreach_weight", 1.5, "log-odds", "assumption", "Lift in log-odds for a household contacted in person this month.", 0.0, 20.0),
        Param("hours", 3.0, "hours per month", "assumption", "Time a participant gives in a month.", 0.0, 200.0),
        Param("expectation_learning", 0.2, "share per month", "assumption", "How fast a participant's expected influence moves to the influence experienced.", 0.0, 1.0),
        Param("efficacy_learning", 0.1, "share per month", "assumption", "How fast a participant's efficacy moves to the influence experienced.", 0.0, 1.0),
    ),
)


def propensity(efficacy, trust_landlord, voice_expectation, stigma, time_available, contacted, p) -> np.ndarray:
    """Probability of taking part if invited, per resident."""
    logit = (
        p.base_logit
        + p.efficacy_weight * (efficacy - 0.5)
        + p.trust_weight * (trust_landlord - 0.5)
        + p.voice_weight * (voice_expectation - 0.5)
        - p.stigma_weight * (stigma - 0.5)
        + p.time_weight * (time_available - 0.5)
        + p.outreach_weight * contacted
    )
    return expit(logit)


def choose(probability: np.ndarray, capacity: int, u_choice: np.ndarray, u_priority: np.ndarray) -> np.ndarray:
    """Who takes part: each volunteers with ``probability``; past ``capacity``, a random subset.

    Both uniform arrays have one number per resident, so the draws do not
    depend on how many volunteer (common random numbers across policies).
    """
    volunteers = u_choice < probability
    if np.count_nonzero(volunteers) <= capacity:
        return volunteers
    chosen = np.zeros_like(volunteers)
    if capacity > 0:
        # The volunteers with the ``capacity`` lowest priority numbers.
        who = np.flatnonzero(volunteers)
        chosen[who[np.argpartition(u_priority[who], capacity - 1)[:capacity]]] = True
    return chosen


def take_part(model: HousingModel) -> None:
    """Phase: outreach contacts, invitations and choices; sets ``state.participated``."""
    s, p, policy = model.state, model.params.participation, model.landlord.policy
    n = s.n
    u_contact = model.streams["outreach"].random(n)
    u_choice = model.streams["participation"].random(n)
    u_priority = model.streams["participation_capacity"].random(n)
    contacted = u_contact < policy.outreach
    invited = policy.invitation(contacted)
    probability = invited * propensity(s.efficacy, s.trust_landlord, s.voice_expectation, s.stigma, s.time_available, contacted, p)
    capacity = int(np.floor(policy.capacity * n))
    s.contacted[:] = contacted
    s.participated[:] = choose(probability, capacity, u_choice, u_priority)


def learn_from_taking_part(model: HousingModel) -> None:
    """Phase: participants' expected influence and efficacy move towards the influence they had."""
    s, p = model.state, model.params.participation
    took_part = np.flatnonzero(s.participated)  # indices: cheaper than a mask used four times
    influence = model.month.influence
    s.voice_expectation[took_part] += p.expectation_learning * (influence - s.voice_expectation[took_part])
    s.efficacy[took_part] += p.efficacy_learning * (influence - s.efficacy[took_part])
