"""Services and need-fit: needs arise, services share their capacity, need is met or left unmet.

Each month part of the need left unmet resolves itself or is given up on,
and every household gains new need in each domain around its own
profile. A service shares its capacity among residents in proportion to the
need that reaches it (need times access: trust in services draws people in,
internalised stigma holds them back), and a delivered unit meets need in
proportion to the service's design fit. Need-fit is the share of need held
that was met.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.arraytools import column_totals, row_totals, scale_columns
from sim.parameters import Param, Section
from sim.state import COMMUNITY, EMPLOYMENT, REPAIRS

if TYPE_CHECKING:
    from sim.model import HousingModel


PARAMETERS = Section(
    "services",
    "Services: cost, accessibility, design fit, the community hub.",
    (
        Param("unit_cost", 150.0, "GBP per need unit", "assumption", "Cost of serving one unit of need (a month of one domain's typical need).", 0.01, 1e6),
        Param("accessibility", 0.9, "share [0, 1]", "assumption", "Share of need that can reach a service.", 0.0, 1.0),
        Param("design_fit", 0.7, "share [0, 1]", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "Share of a delivered unit that meets need, as professionals design it.", 0.0, 1.0),
        Param("design_reversion", 0.02, "share per month", "assumption (staff turnover, re-procurement)", "How fast service design drifts back to the professional default without residents' input.", 0.0, 1.0),
        Param("trust_barrier", 0.3, "share [0, 1]", "assumption", "Share of need held back by a resident with no trust in services.", 0.0, 1.0),
        Param("stigma_barrier", 0.3, "share [0, 1]", "assumption (Corrigan et al. 2009)", "How much internalised stigma holds a resident back from asking for help.", 0.0, 1.0),
        Param("redeployment", 0.5, "share [0, 1]", "assumption", "Share of capacity a domain cannot use that moves to domains still short.", 0.0, 1.0),
        Param("need_persistence", 0.85, "share per month", "assumption", "Share of unmet need still held a month later (the rest resolves or is given up on).", 0.0, 1.0),
        Param("need_cap", 3.0, "need units", "assumption", "Most need a household can hold in one domain.", 0.0, 100.0),
        Param("co_delivery_productivity", 0.05, "need units per hour", "assumption", "Need served by one hour of a resident co-delivering.", 0.0, 10.0),
        Param("co_delivery_hours", 4.0, "hours per month", "assumption", "Hours a co-delivering participant gives in a month, on top of taking part.", 0.0, 200.0),
        Param("hub_open", False, "true or false", "assumption", "A community hub (social infrastructure) is open from the start.", None, None),
        Param("hub_capacity", 0.05, "need units per household per month", "assumption", "Community-domain capacity the hub adds while open.", 0.0, 10.0),
        Param("hub_cost", 5.0, "GBP per household per month", "assumption (Frontier Economics for Local Trust 2021 estimate about 3.2 returned per 1 invested in social infrastructure: a benchmark for the model's return, not the source of this cost)", "Running cost of the hub while open.", 0.0, 10000.0),
        Param("session_units", 0.1, "need units", "assumption", "Community need met at the hub that amounts to attending one group session.", 0.001, 10.0),
    ),
)

def needs_arise(model: HousingModel) -> None:
    """Phase: unmet need partly persists; new need arrives (mean: each household's profile), capped."""
    s, p = model.state, model.params.services
    u = model.streams["needs"].random(s.need.shape)
    s.need *= p.need_persistence
    s.need += s.need_profile * 2.0 * u
    np.minimum(s.need, p.need_cap, out=s.need)


def access(trust_services: np.ndarray, stigma: np.ndarray, stigma_barrier: float, trust_barrier: float) -> np.ndarray:
    """Share of a resident's need that comes forward to services, in [0, 1].

    Distrust of services and internalised stigma hold need back: a resident
    with no trust in services brings forward ``1 - trust_barrier`` of it.
    """
    return (1.0 - trust_barrier + trust_barrier * trust_services) * (1.0 - stigma_barrier * stigma)


def allot(demand: np.ndarray, capacity: np.ndarray, fit: np.ndarray, redeployment: float) -> np.ndarray:
    """Need each resident has met: capacity shared in proportion to the need that came forward.

    ``demand`` is (n, domains), the need that came forward; ``capacity``
    (domains,) service units; ``fit`` (domains,) need met per unit. Meeting
    all demand in a domain takes ``demand / fit`` units; with fewer, every
    resident's share is scaled down alike. A share ``redeployment`` of the
    units a domain cannot use moves to domains still short, in proportion to
    their shortfall (services flex a little; budgets are not perfectly rigid).
    """
    required = column_totals(demand) / np.maximum(fit, 1e-12)
    spare = np.maximum(capacity - required, 0.0).sum() * redeployment
    short = np.maximum(required - capacity, 0.0)
    if spare > 0 and short.sum() > 0:
        capacity = np.minimum(capacity, required) + spare * short / short.sum()
    served = np.divide(capacity, required, out=np.ones_like(required), where=required > 0)
    return scale_columns(demand, np.minimum(served, 1.0))


def deliver(model: HousingModel) -> None:
    """Phase: services deliver; need falls by what is met; need-fit and hub attendance are recorded."""
    s, p = model.state, model.params.services
    share = access(s.trust_services, s.stigma, p.stigma_barrier, p.trust_barrier)
    demand = np.empty_like(s.need)  # need * share[:, None] * accessibility, a column at a time (see scale_columns)
    for svc in model.services:
        column = demand[:, svc.domain]
        np.multiply(s.need[:, svc.domain], share, out=column)
        column *= svc.accessibility
    capacity = np.array([svc.capacity for svc in model.services])
    fit = np.array([svc.design_fit for svc in model.services])
    met = allot(demand, capacity, fit, p.redeployment)
    held = row_totals(s.need)
    s.need_fit[:] = np.where(held > 0, row_totals(met) / np.maximum(held, 1e-12), 1.0)
    employment_need = s.need[:, EMPLOYMENT]
    model.month.employment_support = np.where(employment_need > 0, met[:, EMPLOYMENT] / np.maximum(employment_need, 1e-12), 0.0)
    s.need -= met
    s.unmet_repairs[:] = s.need[:, REPAIRS]

    model.month.met = met
    held_total = held.sum()
    model.month.need_fit = float(met.sum() / held_total) if held_total > 0 else 1.0

    # Hub sessions: the share of community provision delivered at the hub
    # brings people together; a resident attends about once per
    # ``session_units`` of community need met there.
    hub = model.services[COMMUNITY]
    at_hub = hub.fixed_capacity * s.n / hub.capacity if hub.capacity > 0 else 0.0
    sessions = met[:, COMMUNITY] * at_hub / p.session_units
    model.month.hub_attendees = model.streams["hub_attendance"].random(s.n) < sessions
