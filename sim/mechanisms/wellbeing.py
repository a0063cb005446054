"""Wellbeing: a slow-moving index of how life is going, from needs met, ties, work and stigma.

Wellbeing moves towards a weighted mix of need-fit, bonding capital, being
in work, freedom from internalised stigma and trust in neighbours, less the
fatigue of taking part month after month (sim/mechanisms/participation.py).
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
        Param("rate", 0.1, "share per month", "assumption", "How fast wellbeing moves towards its target.", 0.0, 1.0, plausible=(0.05, 0.2)),
        Param("need_weight", 0.3, "weight", "assumption", "Weight of need-fit.", 0.0, 1.0, plausible=(0.15, 0.45)),
        Param("bonding_weight", 0.2, "weight", "assumption", "Weight of bonding capital.", 0.0, 1.0, plausible=(0.1, 0.3)),
        Param("work_weight", 0.2, "weight", "assumption", "Weight of being in work (for working-age residents; others count as in work).", 0.0, 1.0, plausible=(0.1, 0.3)),
        Param("stigma_weight", 0.2, "weight", "assumption", "Weight of freedom from internalised stigma.", 0.0, 1.0, plausible=(0.1, 0.3)),
        Param("neighbour_weight", 0.1, "weight", "assumption", "Weight of trust in neighbours.", 0.0, 1.0, plausible=(0.05, 0.2)),
        Param("burden_weight", 0.1, "per unit of fatigue", "assumption (Kagan 2006: activists' stress)", "Loss from the fatigue of taking part.", 0.0, 1.0, plausible=(0.0, 0.3)),
    ),
)


def target(need_fit, bonding, in_work, stigma, trust_neighbours, fatigue, p) -> np.ndarray:
    """Where wellbeing is heading, per resident, in [0, 1]."""
    weights = p.need_weight + p.bonding_weight + p.work_weight + p.stigma_weight + p.neighbour_weight
    good = (
        p.need_weight * need_fit
        + p.bonding_weight * bonding
        + p.work_weight * in_work
        + p.stigma_weight * (1.0 - stigma)
        + p.neighbour_weight * trust_neighbours
    ) / max(weights, 1e-12)
    return np.clip(good - p.burden_weight * fatigue, 0.0, 1.0)


def update(model: HousingModel) -> None:
    """Phase: wellbeing moves towards its target."""
    from sim.kernels import households as kernels  # numba, only when a model runs

    s, p = model.state, model.params.wellbeing
    weights = max(p.need_weight + p.bonding_weight + p.work_weight + p.stigma_weight + p.neighbour_weight, 1e-12)
    # target() and the step towards it, per household in a compiled loop:
    kernels.wellbeing(s.wellbeing, s.need_fit, social_capital.bonding_capital(model), s.employed, s.working_age, s.stigma, s.trust_neighbours, s.fatigue,
                      p.need_weight, p.bonding_weight, p.work_weight, p.stigma_weight, p.neighbour_weight, weights, p.burden_weight, p.rate)
