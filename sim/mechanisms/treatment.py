"""Treatment: how respectfully staff treat residents, and how that changes with contact.

Respect each resident receives is the staff's respect, lower for the least
advantaged (status loss and discrimination: Link and Phelan 2001), and read
as less respectful by a resident who has internalised stigma (rejection
sensitivity).

Staff respect moves with contact only under conditions. Working alongside
residents (the share of households taking part, times how closely the
policy has them work with staff) changes staff attitudes as Allport (1954)
put it: contact helps under equal status, common goals and institutional
support, and can harden attitudes without them (Pettigrew and Tropp 2006
found the conditions facilitating rather than essential; Barlow et al. 2012
and Graf, Paolini and Rubin 2014 that negative contact weighs more than
positive). The quality of this month's contact is the geometric mean of
three conditions, each in [0, 1] and each read from what happened, not from
a lever (geometric, because the conditions work together: a failure of any
one spoils the contact):

- *equal status*: the share of participants whose request was delivered
  (residents' say turning into decisions);
- *common goals*: how far staff and residents see needs alike,
  ``1 - total variation distance(belief, what the room says)``;
- *institutional support*: ``1 - pressure`` (no cut, scandal or incident
  weighing on the organisation).

Above ``contact_threshold`` contact raises respect towards 1; below it,
contact lowers respect towards 0, ``negative_contact`` times as strongly.
Staff turnover pulls respect back to the organisation's culture
(``landlord.respect``) as staff who learnt are replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

if TYPE_CHECKING:
    from sim.model import HousingModel


def respect_received(landlord_respect: float, advantage: np.ndarray, stigma: np.ndarray, staff_bias: float, stigma_lens: float) -> np.ndarray:
    """Respect each resident feels they receive, in [0, 1].

    Staff give less to the less advantaged; a resident who has internalised
    stigma reads the same treatment as less respectful.
    """
    disadvantage = expit(-advantage)
    return landlord_respect * (1.0 - staff_bias * disadvantage) * (1.0 - stigma_lens * stigma)


def contact_quality(equal_status: float, common_goals: float, support: float) -> float:
    """Quality of the conditions of contact (Allport's three), in [0, 1]: their geometric mean, so each one matters."""
    return float((max(equal_status, 0.0) * max(common_goals, 0.0) * max(support, 0.0)) ** (1.0 / 3.0))


def staff_respect(respect: float, baseline: float, working: float, quality: float, p) -> float:
    """Staff respect after a month in which ``working`` (share of households) worked alongside staff under contact of ``quality``."""
    if quality >= p.contact_threshold:
        change = p.respect_learning * working * (quality - p.contact_threshold) / (1.0 - p.contact_threshold) * (1.0 - respect)
    else:
        change = -p.respect_learning * p.negative_contact * working * (p.contact_threshold - quality) / p.contact_threshold * respect
    respect = respect + change + p.staff_turnover * (baseline - respect)
    return float(np.clip(respect, 0.0, 1.0))


def receive(model: HousingModel) -> None:
    """Phase: staff respect moves with this month's contact and its conditions; each resident's respect received."""
    s, landlord, lp = model.state, model.landlord, model.params.landlord
    room = model.month.room
    working = 0.0
    quality = 1.0
    if room.participants:
        working = room.participants / s.n * landlord.policy.staff_contact
        common_goals = 1.0 - 0.5 * float(np.abs(landlord.belief - room.heard).sum())
        quality = contact_quality(room.delivered_share, common_goals, 1.0 - landlord.pressure)
    model.month.contact_quality = quality
    landlord.respect = staff_respect(landlord.respect, landlord.respect_baseline, working, quality, lp)
    model.month.respect = respect_received(landlord.respect, s.advantage, s.stigma, lp.staff_bias, model.params.stigma.stigma_lens)
