"""Wellbeing: a slow-moving index of how life is going, from needs met, ties, work and stigma.

Wellbeing moves towards a weighted mix of need-fit, bonding capital, being
in work, freedom from internalised stigma and trust in neighbours, less the
burden of time given to taking part against the time a resident has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import social_capital
from sim.parameters import Param, Section

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "wellbeing",
    "What wellbeing is made of.",
    (
        Param("rate", 0.1, "share per month", "assumption", "How fast wellbeing moves towards its target.", 0.0, 1.0),
        Param("need_weight", 0.3, "weight", "assumption", "Weight of need-fit.", 0.0, 1.0),
        Param("bonding_weight", 0.2, "weight", "assumption", "Weight of bonding capital.", 0.0, 1.0),
        Param("work_weight", 0.2, "weight", "assumption", "Weight of being in work (for working-age residents; others count as in work).", 0.0, 1.0),
        Param("stigma_weight", 0.2, "weight", "assumption", "Weight of freedom from internalised stigma.", 0.0, 1.0),
        Param("neighbour_weight", 0.1, "weight", "assumption", "Weight of trust in neighbours.", 0.0, 1.0),
        Param("burden_weight", 0.1, "per unit of burden", "assumption", "Loss from time given to taking part, relative to time available.", 0.0, 1.0),
        Param("free_hours", 40.0, "hours per month", "assumption", "Free hours a month of a resident with all their time available.", 1.0, 744.0),
    ),
)


def target(need_fit, bonding, in_work, stigma, trust_neighbours, burden, p) -> np.ndarray:
    """Where wellbeing is heading, per resident, in [0, 1]."""
    weights = p.need_weight + p.bonding_weight + p.work_weight + p.stigma_weight + p.neighbour_weight
    good = (
        p.need_weight * need_fit
        + p.bonding_weight * bonding
        + p.work_weight * in_work
        + p.stigma_weight * (1.0 - stigma)
        + p.neighbour_weight * trust_neighbours
    ) / max(weights, 1e-12)
    return np.clip(good - p.burden_weight * burden, 0.0, 1.0)


def update(model: HousingModel) -> None:
    """Phase: wellbeing moves towards its target."""
    s, p = model.state, model.params.wellbeing
    hours = s.participated * model.params.participation.hours + model.month.co_delivers * model.params.services.co_delivery_hours
    burden = np.minimum(1.0, hours / (p.free_hours * np.maximum(s.time_available, 0.05)))
    in_work = (s.employed | ~s.working_age).astype(float)  # residents not of working age count as in work
    goal = target(s.need_fit, social_capital.bonding_capital(model), in_work, s.stigma, s.trust_neighbours, burden, p)
    s.wellbeing += p.rate * (goal - s.wellbeing)
