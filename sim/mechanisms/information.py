"""Keeping residents informed: what the TSM item "keeps you informed about things that matter" reads.

Each month a resident hears from the landlord in two ways.

*Routine communication* (letters, newsletters, a website) reaches everyone,
but informs a resident only about what it is about and only as far as it is
read and believed. It is about what the landlord is doing: its provision
across need domains. It matters to a resident as far as that overlaps with
the needs they have (relevance: ``sum over domains of min(provision share,
the share of the resident's typical need in that domain)``, from their need
profile, 1 when the landlord's priorities are exactly theirs). And a resident who distrusts the landlord discounts it
(``1 - distrust_discount * (1 - trust in the landlord)``). Routine informs
``communication * relevance * belief``.

*Personal contact* informs in person: an outreach visit; a tie to someone at
the landlord (a linking tie of strength ``s`` informs ``1 - exp(-s /
linking_scale)``, the resident's linking capital with the landlord); and,
for a participant, hearing back about what they raised (fully when it was
delivered, ``report_back`` when it was not).

The channels combine as independent chances of having heard what matters:
``1 - (1 - routine) * (1 - personal)``. Feeling informed is a moving average
of that, at the perception rate shared with respect and listening. It feeds
nothing else in the model: it is a perception read by the survey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.parameters import Param, Section

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "information",
    "How the landlord keeps residents informed.",
    (
        Param("communication", 0.6, "share [0, 1]", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "How well routine communication (letters, newsletters, website) keeps a resident informed, when it is about their needs and fully believed.", 0.0, 1.0, plausible=(0.1, 1.0)),
        Param("distrust_discount", 0.5, "share [0, 1]", "assumption", "How much of routine communication a resident who does not trust the landlord at all discounts.", 0.0, 1.0, plausible=(0.2, 0.8)),
        Param("report_back", 0.5, "share [0, 1]", "assumption", "How well a participant whose request was not delivered is told what became of it (1: fully).", 0.0, 1.0, plausible=(0.1, 0.9)),
    ),
)


def relevance(allocation: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Per resident, how far the landlord's priorities overlap with their needs, in [0, 1].

    ``allocation`` is the share of the budget by domain; ``need`` (n,
    domains), each resident's typical need (their need profile). A resident
    with no need at all finds routine news as relevant as anyone whose needs
    follow the allocation (1).
    """
    total = need.sum(axis=1)
    # sum_d min(allocation_d, need_d / total) = sum_d min(allocation_d * total, need_d) / total, a column at a time.
    overlap = np.minimum(need[:, 0], allocation[0] * total)
    for d in range(1, need.shape[1]):
        overlap += np.minimum(need[:, d], allocation[d] * total)
    return np.divide(overlap, total, out=np.full(len(total), float(allocation.sum())), where=total > 0)


def informed(routine: np.ndarray, personal: np.ndarray) -> np.ndarray:
    """A month's experience of being kept informed, per resident, in [0, 1]."""
    return 1.0 - (1.0 - np.clip(routine, 0.0, 1.0)) * (1.0 - np.clip(personal, 0.0, 1.0))


def update(model: HousingModel) -> None:
    """Phase: feeling informed moves towards this month's experience of being informed."""
    s, p = model.state, model.params.information
    believed = 1.0 - p.distrust_discount * (1.0 - s.trust_landlord)
    routine = p.communication * relevance(model.landlord.provision, s.need_profile) * believed
    linked = 1.0 - np.exp(-model.network.linking[:, 0] / model.params.social_capital.linking_scale)
    heard_back = np.where(s.delivered, 1.0, p.report_back) * s.participated
    personal = np.maximum(np.maximum(s.contacted.astype(float), heard_back), linked)
    s.informed_felt += model.params.trust.perception_rate * (informed(routine, personal) - s.informed_felt)
