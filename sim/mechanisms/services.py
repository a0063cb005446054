"""Services and need-fit: needs arise, services share their capacity, need is met or left unmet.

Each month part of the need left unmet resolves itself or is given up on,
and every household gains new need in each domain around its own
profile. A service shares its capacity among residents in proportion to the
need that reaches it (need times access: trust in services draws people in,
internalised stigma holds them back), and a delivered unit meets need in
proportion to how well the service fits the resident: its design fit,
less ``tailoring`` times the distance on the scale of advantage between the
resident and the people its design was shaped around (a service designed
with the confident and well-off, say online and in working hours, fits those
unlike them less; professionals design for the typical tenant, 0.5). Need-fit
is the share of need held that was met.

A delivered request (sim/mechanisms/voice.py) is served before the rest:
its units meet the need that came forward from the household that raised
it, in the domain it raised, and what that household does not need joins
the domain's capacity for everyone.

What residents make of it, for the survey (TSM TP02, TP04, TP11): a
household's view of repairs is a moving average, at the shared perception
rate, of the share of its repairs need met, over the months it held
repairs need (those months also count as having had a repair); its view of
the landlord's part in the neighbourhood is a moving average of the share
of its estate's community need met (the community domain is where the hub
and social infrastructure act), a figure every resident of the estate
sees. A month without such need leaves the view as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.arraytools import column_totals
from sim.parameters import Param, Section
from sim.state import COMMUNITY, EMPLOYMENT, NEVER, REPAIRS

if TYPE_CHECKING:
    from sim.model import HousingModel
    from sim.state import ResidentState


PARAMETERS = Section(
    "services",
    "Services: cost, accessibility, design fit, the community hub.",
    (
        Param("unit_cost", 150.0, "GBP per need unit", "assumption", "Cost of serving one unit of need (a month of one domain's typical need).", 0.01, 1e6, plausible=(100.0, 200.0)),
        Param("accessibility", 0.9, "share [0, 1]", "assumption", "Share of need that can reach a service.", 0.0, 1.0, plausible=(0.7, 1.0)),
        Param("design_fit", 0.7, "share [0, 1]", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "Share of a delivered unit that meets need, as professionals design it.", 0.0, 1.0, plausible=(0.3, 0.95)),
        Param("design_learning", 0.1, "share per month", "assumption", "Most a service's design fit (and who it is designed around) can move towards what work with residents teaches in a month.", 0.0, 1.0, plausible=(0.03, 0.3)),
        Param("tailoring", 0.3, "share of fit per unit of distance", "assumption", "How much of a service's fit a resident loses per unit of distance (on the 0-1 scale of advantage) from the people its design was shaped around.", 0.0, 1.0, plausible=(0.0, 0.6)),
        Param("trust_barrier", 0.3, "share [0, 1]", "assumption", "Share of need held back by a resident with no trust in services.", 0.0, 1.0, plausible=(0.1, 0.5)),
        Param("stigma_barrier", 0.3, "share [0, 1]", "assumption (Corrigan et al. 2009)", "How much internalised stigma holds a resident back from asking for help.", 0.0, 1.0, plausible=(0.1, 0.5)),
        Param("redeployment", 0.5, "share [0, 1]", "assumption", "Share of capacity a domain cannot use that moves to domains still short.", 0.0, 1.0, plausible=(0.2, 0.8)),
        Param("need_persistence", 0.85, "share per month", "assumption", "Share of unmet need still held a month later (the rest resolves or is given up on).", 0.0, 1.0, plausible=(0.75, 0.92)),
        Param("need_cap", 3.0, "need units", "assumption", "Most need a household can hold in one domain.", 0.0, 100.0),
        Param("co_delivery_productivity", 0.05, "need units per hour", "assumption", "Need served by one hour of a resident co-delivering.", 0.0, 10.0, plausible=(0.02, 0.1)),
        Param("co_delivery_hours", 4.0, "hours per month", "assumption", "Hours a co-delivering participant gives in a month, on top of taking part.", 0.0, 200.0, plausible=(2.0, 8.0)),
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
    (domains,) service units; ``fit`` (n, domains) need met per unit, for
    each resident. A resident gets the domain's units in proportion to their
    demand and meets ``units * fit`` of it, at most all of it. A service
    offers the same to all, so meeting all of a domain's demand takes
    ``sum(demand) / (the lowest fit among those with demand)`` units (those
    it fits best get more than they can use). A share ``redeployment`` of the
    units a domain cannot use moves to domains still short, in proportion to
    their shortfall (services flex a little; budgets are not perfectly rigid).
    """
    total = column_totals(demand)
    lowest = np.where(demand > 0, fit, np.inf).min(axis=0) if len(demand) else np.full(demand.shape[1], np.inf)
    met = fit * per_unit(total, lowest, capacity, redeployment)
    np.minimum(met, 1.0, out=met)
    met *= demand
    return met


def per_unit(total: np.ndarray, lowest: np.ndarray, capacity: np.ndarray, redeployment: float) -> np.ndarray:
    """Each domain's capacity per unit of demand (0 where none), after redeployment (see :func:`allot`).

    ``total`` is the domain's demand, ``lowest`` the lowest fit among the
    residents with demand in it.
    """
    required = np.divide(total, np.maximum(lowest, 1e-12), out=np.zeros_like(total), where=total > 0)
    spare = np.maximum(capacity - required, 0.0).sum() * redeployment
    short = np.maximum(required - capacity, 0.0)
    if spare > 0 and short.sum() > 0:
        capacity = np.minimum(capacity, required) + spare * short / short.sum()
    return np.divide(capacity, total, out=np.zeros_like(total), where=total > 0)


def serve_requests(demand: np.ndarray, fit: np.ndarray, delivered: np.ndarray, raised: np.ndarray, units: float, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Serve each delivered request first: its ``units`` meet its household's demand in the domain raised.

    Takes what was met out of ``demand`` and adds the units a household did
    not need to ``capacity`` (both in place). Returns the households served
    and the need met for each.
    """
    won = np.flatnonzero(delivered)
    return serve_households(won, demand, fit[won], raised[won], units, capacity)


def serve_households(won: np.ndarray, demand: np.ndarray, fit: np.ndarray, domain: np.ndarray, units: float, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`serve_requests` for the households ``won``, given their rows of fit and the domain each raised."""
    if len(won) == 0 or units <= 0:
        return won[:0], np.zeros(0)
    rows = np.arange(len(won))
    direct = np.minimum(demand[won, domain], units * fit[rows, domain])
    demand[won, domain] -= direct
    leftover = units - direct / np.maximum(fit[rows, domain], 1e-12)
    capacity += np.bincount(domain, weights=leftover, minlength=len(capacity))
    return won, direct


def resident_fit(design_fit: np.ndarray, designed_for: np.ndarray, position: np.ndarray, tailoring: float) -> np.ndarray:
    """(n, domains) share of a delivered unit that meets each resident's need: design fit, less the distance from those it was designed around.

    ``position`` is each resident's place on the 0-1 scale of advantage (``state.position``).
    """
    fit = np.subtract(position[:, None], designed_for[None, :])
    np.abs(fit, out=fit)
    fit *= -tailoring
    fit += 1.0
    fit *= design_fit
    return fit


def perceive(s: ResidentState, held: np.ndarray, met: np.ndarray, rate: float) -> None:
    """Residents' views of repairs and of the neighbourhood follow this month's delivery (in place).

    ``held`` is the (n, domains) need held before delivery, ``met`` the need
    met. A household holding repairs need has had a repair this month
    (``months_since_repair`` 0) and moves ``repairs_felt`` towards the share
    of it met; every household moves ``neighbourhood_felt`` towards the share
    of its estate's community need met. Without such need, a view stays.
    """
    repairs = held[:, REPAIRS]
    had_repairs = repairs > 0
    step = np.divide(met[:, REPAIRS], repairs, out=np.zeros_like(repairs), where=had_repairs)
    step -= s.repairs_felt
    step *= rate
    step *= had_repairs
    s.repairs_felt += step
    since = s.months_since_repair
    since += 1
    np.minimum(since, NEVER, out=since)
    since *= ~had_repairs

    community_held = np.bincount(s.estate, weights=held[:, COMMUNITY])
    community_met = np.bincount(s.estate, weights=met[:, COMMUNITY])
    some = community_held > 0
    estate_share = np.divide(community_met, community_held, out=np.zeros_like(community_held), where=some)
    step = estate_share[s.estate]
    step -= s.neighbourhood_felt
    step *= np.where(some, rate, 0.0)[s.estate]
    s.neighbourhood_felt += step


def deliver(model: HousingModel) -> None:
    """Phase: services deliver; need falls by what is met; need-fit, residents' views of repairs and the neighbourhood, and hub attendance are recorded."""
    from sim.kernels import services as kernels  # numba, only when a model runs

    s, p = model.state, model.params.services
    accessibility = np.array([svc.accessibility for svc in model.services])
    capacity = np.array([svc.capacity for svc in model.services])
    design_fit = np.array([svc.design_fit for svc in model.services])
    designed_for = np.array([svc.designed_for for svc in model.services])
    demand = np.empty_like(s.need)
    kernels.demand(s.need, s.trust_services, s.stigma, accessibility, p.trust_barrier, p.stigma_barrier, demand)
    won = np.flatnonzero(s.delivered)
    won, direct = serve_households(won, demand, resident_fit(design_fit, designed_for, s.position[won], p.tailoring), s.raised[won], model.month.room.units_per_request, capacity)
    total, lowest = kernels.totals(demand, s.position, designed_for, design_fit, p.tailoring)
    met, held, employment_support = np.empty_like(demand), np.empty(s.n), np.empty(s.n)
    kernels.deliver(
        demand, s.need, s.position, s.estate, designed_for, design_fit, p.tailoring, per_unit(total, lowest, capacity, p.redeployment),
        won, s.raised, direct, model.shocks.repairs_delivered, model.params.trust.perception_rate, (REPAIRS, EMPLOYMENT, COMMUNITY),
        s.repairs_felt, s.months_since_repair, s.neighbourhood_felt, s.need_fit, s.unmet_repairs, NEVER, met, held, employment_support,
    )  # allot, the requests' need met, the contractor's shortfall, need-fit, perceive, need less met: numbers as the functions above give
    model.month.employment_support = employment_support

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
