"""Participation: who takes part in the landlord's channel this month, what it costs them, and what it teaches.

Residents choose to take part with a probability that rises with efficacy,
trust in the landlord, the influence they expect and free time, and falls with
internalised stigma (the "why try" effect: Corrigan, Larson and Rüsch 2009)
and with fatigue. Outreach (being on the ground) invites a household in
person and lowers the barrier; without it participation is unequal, because
the confident volunteer. A channel can host only so many (its capacity).

Taking part costs time: ``hours`` a month (plus co-delivery's hours), against
the free hours a household has (less for those in work or caring:
sim/population.py). The strain builds fatigue, which fades when a resident
stops; the same few taking part month after month tire and drop out
(Kagan 2006; Brodie et al. 2011, Pathways through Participation).

Afterwards those who had a say learn from what became of it: the influence
they expect and their efficacy move towards the influence they saw
(sim/mechanisms/voice.py), so disappointment lowers the will to take part
again (drop-out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.arraytools import expit
from sim.mechanisms import human_choices
from sim.parameters import Param, Section

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "participation",
    "Who takes part in participation channels.",
    (
        Param("base_logit", -1.0, "log-odds", "assumption", "Log-odds of taking part, when invited, for a resident with every trait at its midpoint.", -10.0, 10.0, plausible=(-2.0, 0.0)),
        Param("efficacy_weight", 2.0, "log-odds per unit", "assumption", "Effect of efficacy on taking part.", 0.0, 20.0, plausible=(1.0, 3.0)),
        Param("trust_weight", 1.5, "log-odds per unit", "assumption", "Effect of trust in the landlord on taking part.", 0.0, 20.0, plausible=(0.5, 2.5)),
        Param("voice_weight", 1.5, "log-odds per unit", "assumption", "Effect of the influence a resident expects on taking part.", 0.0, 20.0, plausible=(0.5, 2.5)),
        Param("stigma_weight", 3.0, "log-odds per unit", "assumption (Corrigan et al. 2009: the why-try effect)", "Effect of internalised stigma against taking part.", 0.0, 20.0, plausible=(1.5, 4.5)),
        Param("time_weight", 1.0, "log-odds per unit", "assumption", "Effect of free time on taking part.", 0.0, 20.0, plausible=(0.5, 2.0)),
        Param("outreach_weight", 1.5, "log-odds", "assumption", "Lift in log-odds for a household contacted in person this month.", 0.0, 20.0, plausible=(0.5, 2.5)),
        Param("fatigue_weight", 2.0, "log-odds per unit", "assumption (Brodie et al. 2011: burnout leads to withdrawal)", "Effect of fatigue against taking part.", 0.0, 20.0, plausible=(0.5, 4.0)),
        Param("hours", 3.0, "hours per month", "assumption", "Time a participant gives in a month.", 0.0, 200.0, plausible=(1.0, 8.0)),
        Param("free_hours", 40.0, "hours per month", "assumption", "Free hours a month of a resident with all their time available.", 1.0, 744.0, plausible=(20.0, 60.0)),
        Param("fatigue_gain", 0.3, "share per unit of strain", "assumption (Kagan 2006: activists' stress)", "How fast fatigue builds in a month of taking part, per unit of strain (hours given over free hours).", 0.0, 1.0, plausible=(0.1, 0.6)),
        Param("fatigue_recovery", 0.1, "share per month", "assumption", "How fast fatigue fades each month.", 0.0, 1.0, plausible=(0.03, 0.3)),
        Param("expectation_learning", 0.2, "share per month", "assumption", "How fast a resident's expected influence moves to the influence they saw.", 0.0, 1.0, plausible=(0.05, 0.5)),
        Param("efficacy_learning", 0.1, "share per month", "assumption", "How fast a resident's efficacy moves to the influence they saw.", 0.0, 1.0, plausible=(0.02, 0.3)),
    ),
)


def propensity(efficacy, trust_landlord, voice_expectation, stigma, time_available, contacted, fatigue, p) -> np.ndarray:
    """Probability of taking part if invited, per resident."""
    logit = (
        p.base_logit
        + p.efficacy_weight * (efficacy - 0.5)
        + p.trust_weight * (trust_landlord - 0.5)
        + p.voice_weight * (voice_expectation - 0.5)
        - p.stigma_weight * (stigma - 0.5)
        + p.time_weight * (time_available - 0.5)
        + p.outreach_weight * contacted
        - p.fatigue_weight * fatigue
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
    probability = invited * propensity(s.efficacy, s.trust_landlord, s.voice_expectation, s.stigma, s.time_available, contacted, s.fatigue, p)
    people, take_part = human_choices.chosen(model, "take_part")  # a person playing a household decides for it, if invited
    probability[people] = invited[people] * take_part
    capacity = int(np.floor(policy.capacity * n))
    s.contacted[:] = contacted
    s.participated[:] = choose(probability, capacity, u_choice, u_priority)
    # What running participation costs this month, as far as the service budget pays for it.
    model.month.diverted = model.params.landlord.participation_funding * running_cost(model)


def running_cost(model: HousingModel) -> float:
    """What running participation costs this month, GBP per household: facilitating participants and outreach contacts."""
    s, policy = model.state, model.landlord.policy
    if s.n == 0:
        return 0.0
    return (np.count_nonzero(s.participated) * policy.facilitation_cost + np.count_nonzero(s.contacted) * policy.outreach_cost) / s.n


def strain(hours: np.ndarray, time_available: np.ndarray, free_hours: float) -> np.ndarray:
    """Hours given this month over the free hours a resident has, at most 1."""
    return np.minimum(1.0, hours / (free_hours * np.maximum(time_available, 0.05)))


def learn_from_taking_part(model: HousingModel) -> None:
    """Phase: what those who had a say expect and their efficacy move towards the influence they saw; fatigue builds and fades."""
    s, p = model.state, model.params.participation
    said = np.flatnonzero(s.had_say())  # indices: cheaper than a mask used four times
    seen = s.influence_seen[said]
    s.voice_expectation[said] += p.expectation_learning * (seen - s.voice_expectation[said])
    s.efficacy[said] += p.efficacy_learning * (seen - s.efficacy[said])

    hours = s.participated * p.hours + model.month.co_delivers * model.params.services.co_delivery_hours
    s.fatigue += p.fatigue_gain * strain(hours, s.time_available, p.free_hours) * (1.0 - s.fatigue) - p.fatigue_recovery * s.fatigue
