"""Stigma: internalised stigma pulled by external signals and buffered by ties, the block and real power.

Internalised stigma moves towards a target set by external signals (the
stigma of place in media and society: Wacquant 2007; disrespectful treatment
received from the landlord, sim/mechanisms/treatment.py; employers'
"postcode" discrimination met when looking for work) and buffered by bonding
ties, collective efficacy (the block's shared confidence) and real power in
decisions: the influence a resident saw their say have this month (what was
delivered, sim/mechanisms/voice.py), not what the policy promised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import social_capital
from sim.parameters import Param, Section

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "stigma",
    "External stigma and how internalised stigma moves.",
    (
        Param("external", 0.5, "index [0, 1]", "assumption; Shelter/YouGov 2018: 24% of social-renting families looked down on where they live (8% other tenures)", "Stigma of social housing in media and society.", 0.0, 1.0, plausible=(0.3, 0.7)),
        Param("employer_stigma", 0.2, "share [0, 1]", "assumption (territorial stigma: Wacquant 2007)", "Employers' postcode bias: share of job chances lost at full external stigma.", 0.0, 1.0, plausible=(0.1, 0.3)),
        Param("adjust_rate", 0.05, "share per month", "assumption", "How fast internalised stigma moves towards its target.", 0.0, 1.0, plausible=(0.02, 0.1)),
        Param("media_weight", 0.4, "weight", "assumption", "Weight of external stigma in the pull on a resident.", 0.0, 1.0, plausible=(0.2, 0.6)),
        Param("treatment_weight", 0.4, "weight", "assumption; G15 2024: 45% experienced prejudice, landlords the most common source", "Weight of disrespect received from the landlord.", 0.0, 1.0, plausible=(0.2, 0.6)),
        Param("discrimination_weight", 0.2, "weight", "assumption", "Weight of employers' discrimination, for those looking for work.", 0.0, 1.0, plausible=(0.1, 0.3)),
        Param("bonding_buffer", 0.3, "share [0, 1]", "assumption", "Most of the pull that strong bonding ties absorb.", 0.0, 1.0, plausible=(0.1, 0.5)),
        Param("collective_buffer", 0.2, "share [0, 1]", "assumption", "Most of the pull that the block's collective efficacy absorbs.", 0.0, 1.0, plausible=(0.1, 0.3)),
        Param("stigma_lens", 0.5, "share [0, 1]", "assumption (rejection sensitivity; Link and Phelan 2001)", "How much internalised stigma makes treatment feel less respectful.", 0.0, 1.0, plausible=(0.2, 0.8)),
        Param("power_buffer", 0.5, "share [0, 1]", "assumption (Link and Phelan 2001: stigma depends on power)", "Most of the pull that full influence over decisions, seen this month, absorbs.", 0.0, 1.0, plausible=(0.1, 0.8)),
    ),
)


def block_mean(values: np.ndarray, block: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Each resident's block mean of ``values`` (``counts``: residents per block, ``np.bincount(block)``, if known)."""
    totals = np.bincount(block, weights=values)
    if counts is None:
        counts = np.bincount(block)
    return (totals / np.maximum(counts, 1))[block]


def target(external, respect, seeking_work, employer_stigma, bonding, collective_efficacy, power, p) -> np.ndarray:
    """Where internalised stigma is pulled this month, per resident, in [0, 1]."""
    weights = p.media_weight + p.treatment_weight + p.discrimination_weight
    pull = (
        p.media_weight * external
        + p.treatment_weight * (1.0 - respect)
        + p.discrimination_weight * seeking_work * employer_stigma * external
    ) / max(weights, 1e-12)
    buffer = p.bonding_buffer * bonding + p.collective_buffer * collective_efficacy + p.power_buffer * power
    return pull * (1.0 - np.clip(buffer, 0.0, 1.0))


def update(model: HousingModel) -> None:
    """Phase: internalised stigma moves towards its target."""
    from sim.kernels import households as kernels  # numba, only when a model runs

    s, p = model.state, model.params.stigma
    bonding = social_capital.bonding_capital(model)
    power = s.influence_seen  # 0 for those who had no say this month
    seeking = s.working_age & ~s.employed
    # target() and the step towards it, per household in a compiled loop:
    kernels.stigma(s.stigma, model.month.respect, seeking, bonding, block_mean(s.efficacy, s.block, model.blocks.sizes), power, model.external_stigma,
                   p.media_weight, p.treatment_weight, p.discrimination_weight, p.employer_stigma, max(p.media_weight + p.treatment_weight + p.discrimination_weight, 1e-12),
                   p.bonding_buffer, p.collective_buffer, p.power_buffer, p.adjust_rate)
