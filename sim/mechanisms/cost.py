"""Cost: what a month of the policy costs, per household, in pounds.

Counted: the service budget (less what participation took out of it:
``landlord.participation_funding``); facilitation of participants and
outreach contacts (staff time); the hub while open; failure demand (unmet repairs
that escalate to emergencies at a higher unit cost); and residents' own
time valued at the National Living Wage. Co-production adds capacity
through residents' hours (see decisions) and can avoid cost through better
fit (less failure demand).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.parameters import Param, Section

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "cost",
    "Unit costs.",
    (
        Param("hour_value", 11.44, "GBP per hour", "National Living Wage from April 2024 (GBP 11.44)", "Value of an hour of a resident's own time.", 0.0, 1000.0),
        Param("escalation", 0.1, "share per month", "assumption", "Share of unmet repairs need that escalates to emergency work each month.", 0.0, 1.0, plausible=(0.05, 0.2)),
        Param("emergency_multiplier", 3.0, "ratio", "assumption", "Cost of emergency work per need unit, relative to planned work.", 1.0, 100.0, plausible=(2.0, 5.0)),
    ),
)


def account(model: HousingModel) -> None:
    """Phase: this month's costs, per household (GBP), by component, in ``model.month.costs``."""
    s, c = model.state, model.params.cost
    services, participation = model.params.services, model.params.participation
    policy = model.landlord.policy
    n = max(s.n, 1)
    participants = int(np.count_nonzero(s.participated))
    hours = participants * participation.hours + int(np.count_nonzero(model.month.co_delivers)) * services.co_delivery_hours
    model.month.costs = {
        # Participation paid out of the service budget is counted once, as facilitation and outreach.
        "services": model.landlord.budget - model.month.diverted,
        "facilitation": participants * policy.facilitation_cost / n,
        "outreach": int(np.count_nonzero(s.contacted)) * policy.outreach_cost / n,
        "hub": sum(service.running_cost for service in model.services),
        "failure_demand": float(s.unmet_repairs.sum()) * c.escalation * services.unit_cost * c.emergency_multiplier / n,
        "residents_time": hours * c.hour_value / n,
    }
