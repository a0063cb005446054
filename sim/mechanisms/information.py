"""Keeping residents informed: what the TSM item "keeps you informed about things that matter" reads.

Each month a resident hears from the landlord in one of two ways. Routine
communication (letters, newsletters, a website) reaches everyone alike and
informs them to the degree ``communication``. Personal contact informs fully:
being contacted by outreach or taking part this month, and, for the rest, a
tie to someone at the landlord (a linking tie of strength ``s`` informs
``1 - exp(-s / linking_scale)``, the resident's linking capital with the
landlord). The channels combine as independent chances of having heard what
matters: ``1 - (1 - routine) * (1 - personal)``. Feeling informed is a moving
average of that, at the perception rate shared with respect and listening.

Feeling informed feeds nothing else in the model: it is a perception read by
the survey, so adding it changed no other outcome.
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
        Param("communication", 0.6, "share [0, 1]", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "How well routine communication (letters, newsletters, website) alone keeps a resident informed about things that matter.", 0.0, 1.0),
    ),
)


def informed(routine: float, personal: np.ndarray) -> np.ndarray:
    """A month's experience of being kept informed, per resident, in [0, 1]."""
    return 1.0 - (1.0 - routine) * (1.0 - np.clip(personal, 0.0, 1.0))


def update(model: HousingModel) -> None:
    """Phase: feeling informed moves towards this month's experience of being informed."""
    s = model.state
    in_person = (s.contacted | s.participated).astype(float)
    linked = 1.0 - np.exp(-model.network.linking[:, 0] / model.params.social_capital.linking_scale)
    experience = informed(model.params.information.communication, np.maximum(in_person, linked))
    s.informed_felt += model.params.trust.perception_rate * (experience - s.informed_felt)
