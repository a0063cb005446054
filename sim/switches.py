"""Each mechanism's neutral setting: the parameter values that switch it off, for ablation.

``python run.py ablate A B`` runs two scenarios over paired seeds with every
mechanism on, then with each mechanism switched off in turn (in both
scenarios alike), and reports how much of the A-B contrast each mechanism
carries. A switch is a set of parameter overrides (``section.key``), chosen
so that the mechanism does nothing while everything else runs as before;
docs/ODD.md (section 7 and "Mechanism contributions") says what each one
means. Listed by hand, in the order of the month's phases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Switch:
    """One mechanism and the overrides that switch it off."""

    name: str
    phase: str
    doc: str
    neutral: dict[str, Any]


SWITCHES: tuple[Switch, ...] = (
    Switch("shocks", "shocks", "No background shocks: no contractor failures, works, incidents or restructures.",
           {"shocks.contractor_failure": 0.0, "shocks.major_works": 0.0, "shocks.incident": 0.0, "shocks.reorganisation": 0.0}),
    Switch("fatigue", "participation", "Taking part never tires anyone: no fatigue, so no burnout and no drop-out from it.", {"participation.fatigue_gain": 0.0}),
    Switch("promise", "voice", "Being asked raises nobody's expectations: expected influence moves only with what residents saw.", {"voice.promise_weight": 0.0}),
    Switch("elite_capture", "voice", "Every participant has the same say in the room, however confident.", {"voice.dominance": 0.0}),
    Switch("disagreement", "voice", "Where residents decide, the room backs every request alike.", {"voice.disagreement": 0.0}),
    Switch("funding_limit", "voice", "Every request acted on is funded: the whole service budget can be redirected to requests.", {"voice.flexible_share": 1.0}),
    Switch("reversal", "voice", "No change residents won is ever reversed.", {"voice.reversal": 0.0, "voice.pressure_reversal": 0.0}),
    Switch("belief_learning", "decisions", "The room moves neither the landlord's belief about needs nor residents' own agenda.", {"landlord.learning_rate": 0.0}),
    Switch("design_learning", "decisions", "Work with residents does not change how services are designed, nor who they are designed around.", {"services.design_learning": 0.0}),
    Switch("opportunity_cost", "decisions", "Running participation is paid on top of the service budget, never out of it.", {"landlord.participation_funding": 0.0}),
    Switch("staff_turnover", "decisions", "Staff never leave: nothing learnt is lost, ties to staff do not weaken as staff go.", {"landlord.staff_turnover": 0.0}),
    Switch("co_delivery", "decisions", "Residents who co-deliver add no service capacity.", {"services.co_delivery_productivity": 0.0}),
    Switch("tailoring", "delivery", "A service fits everyone alike, whoever its design was shaped around.", {"services.tailoring": 0.0}),
    Switch("contact_respect", "treatment", "Working alongside residents does not change staff respect, whatever the conditions.", {"landlord.respect_learning": 0.0}),
    Switch("frustration", "trust", "The influence residents saw against what they expected does not move their trust.", {"trust.voice_weight": 0.0}),
    Switch("trust_asymmetry", "trust", "Trust is lost no faster than it is gained.", {"trust.loss_ratio": 1.0}),
    Switch("word_of_mouth", "trust", "Residents judge by their own experience only, not neighbours'.", {"trust.word_of_mouth": 0.0}),
    Switch("informed_by_relationship", "informed", "Routine communication is read and believed alike whatever a resident's trust.", {"information.distrust_discount": 0.0}),
    Switch("power_buffer", "stigma", "Influence seen in decisions does not buffer internalised stigma.", {"stigma.power_buffer": 0.0}),
    Switch("linking_from_contact", "ties", "Contact with landlord staff forms no ties to them.", {"network.linking_gain": 0.0, "network.outreach_contact": 0.0, "network.complaint_contact": 0.0}),
    Switch("weak_ties_jobs", "mobility", "Ties to people in work do not help residents find work.", {"mobility.weak_tie_weight": 0.0, "mobility.strong_tie_weight": 0.0}),
    Switch("halo", "survey", "A tenant's relationship with the landlord does not colour their answers to the other survey items.", {"survey.halo": 0.0}),
)
"""The mechanisms, in phase order. Names are stable: results folders and docs refer to them."""

SWITCHES_BY_NAME: dict[str, Switch] = {s.name: s for s in SWITCHES}
