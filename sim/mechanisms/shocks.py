"""Shocks: the random troubles and windfalls real landlords meet, so that their figures move from year to year.

Scheduled events (sim/events.py) are what a scenario asks about; shocks are
the background luck every landlord has. Each strikes at random, at a yearly
rate (monthly chance ``1 - exp(-rate / 12)``), per estate where it is local
and once for the landlord where it is organisation-wide, so a large landlord
meets more shocks, each touching a smaller share of its homes:

- **Contractor failure** (per estate): a repairs contractor fails; that
  estate gets ``contractor_loss`` less of its repairs done until a new
  contractor is in place (on average ``contractor_months``).
- **Major works** (per estate): a programme brings the estate's homes up to
  standard; its households' outstanding repairs need is done.
- **Serious incident** (per estate): a fire-safety, damp and mould or
  anti-social behaviour case that reveals hazards (``incident_severity``
  need units of repairs for the estate's households) and puts the
  organisation under pressure in proportion to the estate's share of its
  homes (blame: sim/mechanisms/treatment.py, voice.py).
- **Reorganisation** (landlord-wide): a restructure replaces
  ``reorganisation_loss`` of staff at once: what was learnt about needs and
  design, and staff respect gained, drift back that far to the
  organisation's defaults, and residents' ties to staff weaken as much.

Pressure on the organisation fades at ``landlord.pressure_recovery`` a month,
here, before this month's shocks add to it (and after this month's events
have: sim/events.py runs first). Every draw comes from
the stream ``shocks``, the same numbers under every
policy (common random numbers): two policies meet the same luck. Shocks
change the world the mechanisms act on, never an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.parameters import Param, Section
from sim.state import REPAIRS

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "shocks",
    "Random shocks landlords meet (contractors, works, incidents, restructures).",
    (
        Param("contractor_failure", 0.1, "per estate per year", "assumption", "Rate at which an estate's repairs contractor fails.", 0.0, 12.0, plausible=(0.0, 0.3)),
        Param("contractor_loss", 0.3, "share [0, 1]", "assumption", "Share of an estate's repairs left undone while its contractor has failed.", 0.0, 1.0, plausible=(0.1, 0.6)),
        Param("contractor_months", 6.0, "months", "assumption", "Mean time to put a new contractor in place.", 1.0, 120.0, plausible=(2.0, 12.0)),
        Param("major_works", 0.05, "per estate per year", "assumption", "Rate at which an estate's homes are brought up to standard by a works programme.", 0.0, 12.0, plausible=(0.0, 0.15)),
        Param("incident", 0.1, "per estate per year", "assumption", "Rate of serious incidents on an estate (fire safety, damp and mould, anti-social behaviour).", 0.0, 12.0, plausible=(0.0, 0.3)),
        Param("incident_severity", 0.3, "need units; pressure per share of homes", "assumption", "Repairs need an incident reveals for each household on the estate, and the pressure it puts on the organisation per share of its homes affected.", 0.0, 5.0, plausible=(0.1, 0.8)),
        Param("reorganisation", 0.1, "per year", "assumption", "Rate of restructures that replace many staff at once.", 0.0, 12.0, plausible=(0.0, 0.3)),
        Param("reorganisation_loss", 0.3, "share [0, 1]", "assumption", "Share of staff (and of what they had learnt) a restructure replaces.", 0.0, 1.0, plausible=(0.1, 0.5)),
    ),
)


def monthly_chance(rate_per_year: float) -> float:
    """Chance an event with a yearly rate happens in a given month."""
    return float(-np.expm1(-rate_per_year / 12.0))


@dataclass
class Shocks:
    """What shocks have left in place: per estate, whether its repairs contractor has failed."""

    contractor_failed: np.ndarray  # bool per estate
    repairs_delivered: np.ndarray  # per estate, share of allotted repairs actually done (1 unless its contractor has failed)

    @classmethod
    def none(cls, estates: int) -> Shocks:
        """No shock in place."""
        return cls(np.zeros(estates, dtype=bool), np.ones(estates))


def strike(model: HousingModel) -> None:
    """Phase: pressure fades; this month's shocks, per estate and for the landlord."""
    p, state, shocks = model.params.shocks, model.state, model.shocks
    model.landlord.pressure *= 1.0 - model.params.landlord.pressure_recovery
    estates = len(shocks.contractor_failed)
    u = model.streams["shocks"].random((estates + 1, 4))
    u_fail, u_recover, u_works, u_incident = u[:estates].T
    u_reorganise = u[estates, 0]

    # Contractors fail and are replaced.
    failed = shocks.contractor_failed
    recovers = failed & (u_recover < 1.0 / p.contractor_months)
    fails = ~failed & (u_fail < monthly_chance(p.contractor_failure))
    failed[:] = (failed & ~recovers) | fails
    shocks.repairs_delivered[:] = np.where(failed, 1.0 - p.contractor_loss, 1.0)

    # Major works clear an estate's outstanding repairs; incidents reveal hazards and bring blame.
    works = u_works < monthly_chance(p.major_works)
    incidents = u_incident < monthly_chance(p.incident)
    if works.any():
        state.need[works[state.estate], REPAIRS] = 0.0
    if incidents.any():
        hit = incidents[state.estate]
        state.need[hit, REPAIRS] += p.incident_severity
        landlord = model.landlord
        share = float(np.count_nonzero(hit)) / max(state.n, 1)
        landlord.pressure += min(1.0, p.incident_severity * share) * (1.0 - landlord.pressure)

    if u_reorganise < monthly_chance(p.reorganisation):
        reorganise(model, p.reorganisation_loss)


def reorganise(model: HousingModel, loss: float) -> None:
    """A restructure replaces ``loss`` of staff: what they had learnt drifts that far back to the organisation's defaults."""
    landlord = model.landlord
    landlord.belief = landlord.belief + loss * (landlord.baseline_belief - landlord.belief)
    landlord.respect += loss * (landlord.respect_baseline - landlord.respect)
    for service in model.services:
        service.design_fit += loss * (service.default_fit - service.design_fit)
        service.designed_for += loss * (0.5 - service.designed_for)
    model.network.linking[:, 0] *= 1.0 - loss
