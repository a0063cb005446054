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

from sim.state import COMMUNITY, EMPLOYMENT, REPAIRS

if TYPE_CHECKING:
    from sim.model import HousingModel


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
    required = demand.sum(axis=0) / np.maximum(fit, 1e-12)
    spare = np.maximum(capacity - required, 0.0).sum() * redeployment
    short = np.maximum(required - capacity, 0.0)
    if spare > 0 and short.sum() > 0:
        capacity = np.minimum(capacity, required) + spare * short / short.sum()
    served = np.divide(capacity, required, out=np.ones_like(required), where=required > 0)
    return demand * np.minimum(served, 1.0)


def deliver(model: HousingModel) -> None:
    """Phase: services deliver; need falls by what is met; need-fit and hub attendance are recorded."""
    s, p = model.state, model.params.services
    accessibility = np.array([svc.accessibility for svc in model.services])
    demand = s.need * access(s.trust_services, s.stigma, p.stigma_barrier, p.trust_barrier)[:, None] * accessibility
    capacity = np.array([svc.capacity for svc in model.services])
    fit = np.array([svc.design_fit for svc in model.services])
    met = allot(demand, capacity, fit, p.redeployment)
    held = s.need.sum(axis=1)
    s.need_fit[:] = np.where(held > 0, met.sum(axis=1) / np.maximum(held, 1e-12), 1.0)
    employment_need = s.need[:, EMPLOYMENT].copy()
    s.need -= met
    s.unmet_repairs[:] = s.need[:, REPAIRS]

    model.month.met = met
    model.month.need_fit = float(met.sum() / held.sum()) if held.sum() > 0 else 1.0
    model.month.employment_support = np.where(employment_need > 0, met[:, EMPLOYMENT] / np.maximum(employment_need, 1e-12), 0.0)

    # Hub sessions: the share of community provision delivered at the hub
    # brings people together; a resident attends about once per
    # ``session_units`` of community need met there.
    hub = model.services[COMMUNITY]
    at_hub = hub.fixed_capacity * s.n / hub.capacity if hub.capacity > 0 else 0.0
    sessions = met[:, COMMUNITY] * at_hub / p.session_units
    model.month.hub_attendees = model.streams["hub_attendance"].random(s.n) < sessions
