"""Complaints: who complains about repairs, and how they judge the handling (TSM TP09).

The TSM item "satisfaction with the landlord's approach to handling
complaints" is asked only of tenants who complained in the last twelve
months, so this module keeps who complained and what they made of it.

A resident whose unmet repairs need is at least ``trigger`` need units after
the month's delivery complains with probability equal to their efficacy
(those who doubt their actions make a difference complain less; stream
``complaints``, one draw per slot each month). While a complaint is open
(unmet repairs stay at or above the trigger) the complainant judges its
handling each month by the process, ``handling`` (how well the landlord's
complaints process itself works: acknowledging, explaining, keeping to
timescales), with weight ``process_weight``, and by the outcome, the mean of
the share of their repairs need met that month (resolution) and the respect
they received, with the rest. At the default weight of one third the three
count equally. A good process can lift the judgement above what the outcome
earned, and a poor one sink it below. Their view of the
handling is a moving average over open months, at the shared perception
rate, starting from the first month's judgement. The survey asks those
whose last complaint was within ``memory_months``.

Complaining changes nothing else: a complaint does not move a repair up the
queue (a known simplification, ODD Appendix A).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import human_choices
from sim.parameters import Param, Section
from sim.state import NEVER_COMPLAINED, REPAIRS

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "complaints",
    "Who complains about repairs and how they judge the handling.",
    (
        Param("trigger", 0.3, "need units", "assumption (about one household in ten complains in a year under the defaults)", "Unmet repairs need at which a resident complains (if their efficacy moves them to).", 0.0, 100.0, plausible=(0.15, 0.6)),
        Param("handling", 0.4, "index [0, 1]", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "How well the landlord's complaints process works (acknowledging, explaining, timescales).", 0.0, 1.0, plausible=(0.0, 1.0)),
        Param("process_weight", 1 / 3, "share [0, 1]", "assumption (one third: process, resolution and respect weigh equally); fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "Weight of the complaints process itself, against the outcome (repair done, respect received), in a complainant's judgement of the handling.", 0.0, 1.0, plausible=(0.2, 0.8)),
        Param("memory_months", 12, "months", "TSM definition: tenants who made a complaint in the last 12 months", "How far back a complaint counts for the survey.", 1, 1200),
    ),
)


def handling_experience(resolution: np.ndarray, respect: np.ndarray, handling: float, process_weight: float) -> np.ndarray:
    """A month's judgement of an open complaint, per complainant, in [0, 1]: the process against the outcome."""
    outcome = (np.clip(resolution, 0.0, 1.0) + respect) / 2.0
    return process_weight * handling + (1.0 - process_weight) * outcome


def update(model: HousingModel) -> None:
    """Phase: new complaints; open complaints judged; months since each household's last complaint."""
    s, p = model.state, model.params.complaints
    draw = model.streams["complaints"].random(s.n)
    open_before = s.complaint_open
    unresolved = s.unmet_repairs >= p.trigger
    willing = draw < s.efficacy
    people, complain = human_choices.chosen(model, "complain")  # a person playing a household decides for it
    willing[people] = complain
    new = ~open_before & unresolved & willing

    # Only complainants judge: the few households with a new or open complaint.
    judging = np.flatnonzero(new | open_before)
    met = model.month.met[judging, REPAIRS]
    held = met + s.unmet_repairs[judging]
    resolution = np.divide(met, held, out=np.ones_like(held), where=held > 0)
    judged = handling_experience(resolution, model.month.respect[judging], p.handling, p.process_weight)
    felt = s.complaint_felt[judging]
    rate = model.params.trust.perception_rate
    s.complaint_felt[judging] = np.where(new[judging], judged, felt + rate * (judged - felt))

    np.minimum(s.months_since_complaint + 1, NEVER_COMPLAINED, out=s.months_since_complaint)
    s.months_since_complaint[judging] = 0
    s.complaint_open[:] = new | (open_before & unresolved)


def recent_complainants(model: HousingModel) -> np.ndarray:
    """Bool per household: complained within the survey's memory (``complaints.memory_months``)."""
    return model.state.months_since_complaint < model.params.complaints.memory_months
