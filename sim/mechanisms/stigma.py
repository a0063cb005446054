"""Stigma: how the landlord treats residents, and internalised stigma pulled by external signals.

Treatment: staff respect for a resident is the landlord's respect, lower
for the least advantaged (status loss and discrimination: Link and Phelan
2001). Staff who work alongside residents (linking ties) come to stereotype
less, so respect rises with contact and otherwise returns to the
organisation's baseline.

Internalised stigma moves towards a target set by external signals (the
stigma of place in media and society: Wacquant 2007; disrespectful treatment;
employers' "postcode" discrimination met when looking for work) and buffered
by bonding ties, collective efficacy (the block's shared confidence) and real
power in decisions (influence held by those who took part).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from sim.mechanisms import social_capital
from sim.parameters import Param, Section

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "stigma",
    "External stigma and how internalised stigma moves.",
    (
        Param("external", 0.5, "index [0, 1]", "assumption; Shelter/YouGov 2018: 24% of social-renting families looked down on where they live (8% other tenures)", "Stigma of social housing in media and society.", 0.0, 1.0),
        Param("employer_stigma", 0.2, "share [0, 1]", "assumption (territorial stigma: Wacquant 2007)", "Employers' postcode bias: share of job chances lost at full external stigma.", 0.0, 1.0),
        Param("adjust_rate", 0.05, "share per month", "assumption", "How fast internalised stigma moves towards its target.", 0.0, 1.0),
        Param("media_weight", 0.4, "weight", "assumption", "Weight of external stigma in the pull on a resident.", 0.0, 1.0),
        Param("treatment_weight", 0.4, "weight", "assumption; G15 2024: 45% experienced prejudice, landlords the most common source", "Weight of disrespect received from the landlord.", 0.0, 1.0),
        Param("discrimination_weight", 0.2, "weight", "assumption", "Weight of employers' discrimination, for those looking for work.", 0.0, 1.0),
        Param("bonding_buffer", 0.3, "share [0, 1]", "assumption", "Most of the pull that strong bonding ties absorb.", 0.0, 1.0),
        Param("collective_buffer", 0.2, "share [0, 1]", "assumption", "Most of the pull that the block's collective efficacy absorbs.", 0.0, 1.0),
        Param("stigma_lens", 0.5, "share [0, 1]", "assumption (rejection sensitivity; Link and Phelan 2001)", "How much internalised stigma makes treatment feel less respectful.", 0.0, 1.0),
        Param("power_buffer", 0.5, "share [0, 1]", "assumption (Link and Phelan 2001: stigma depends on power)", "Most of the pull that full influence over decisions absorbs for a participant.", 0.0, 1.0),
    ),
)


def respect_received(landlord_respect: float, advantage: np.ndarray, stigma: np.ndarray, staff_bias: float, stigma_lens: float) -> np.ndarray:
    """Respect each resident feels they receive, in [0, 1].

    Staff give less to the less advantaged; a resident who has internalised
    stigma reads the same treatment as less respectful.
    """
    disadvantage = expit(-advantage)
    return landlord_respect * (1.0 - staff_bias * disadvantage) * (1.0 - stigma_lens * stigma)


def staff_respect(respect: float, baseline: float, contact: float, learning: float, reversion: float) -> float:
    """Staff respect after a month of ``contact`` (mean linking tie strength to the landlord, [0, 1])."""
    respect = respect + learning * contact * (1.0 - respect) + reversion * (baseline - respect)
    return float(np.clip(respect, 0.0, 1.0))


def receive_treatment(model: HousingModel) -> None:
    """Phase: staff respect moves with contact; each resident's respect received this month."""
    landlord, lp = model.landlord, model.params.landlord
    contact = float(model.network.linking[:, 0].mean()) if model.state.n else 0.0
    landlord.respect = staff_respect(landlord.respect, landlord.respect_baseline, contact, lp.respect_learning, lp.respect_reversion)
    model.month.respect = respect_received(landlord.respect, model.state.advantage, model.state.stigma, lp.staff_bias, model.params.stigma.stigma_lens)


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
    s, p = model.state, model.params.stigma
    bonding = social_capital.bonding_capital(model)
    power = np.where(s.participated, model.month.influence, 0.0)
    seeking = s.working_age & ~s.employed
    pulled_to = target(model.external_stigma, model.month.respect, seeking, p.employer_stigma, bonding, block_mean(s.efficacy, s.block, model.blocks.sizes), power, p)
    s.stigma += p.adjust_rate * (pulled_to - s.stigma)
