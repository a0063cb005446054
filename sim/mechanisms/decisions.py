"""Decisions: the landlord's belief about needs, residents' own priorities, service design, and the budget.

The landlord allocates its service budget across need domains by its
*belief* about where residents' needs lie, which can be wrong ("what you
know for sure that just ain't so"), except on the share of decisions
residents hold, which follows their own *agenda* (``Landlord.intended_allocation``).

Learning from the room (sim/mechanisms/voice.py). What the room says about
needs moves the belief as far as the landlord takes input on board (the
share it commits to act on, times its humility) and as far as the room
carries information (the effective share of households heard); it moves
residents' agenda as far as the room carries information. A room the
confident dominate says what the confident need: acting on it can serve
those present and leave those absent worse off.

Service design learns only from work done with residents: in each domain,
as far as requests on it were delivered (a share of households, with the
same diminishing returns), design fit rises and the design is shaped around
those who won the changes (``Service.designed_for``; sim/mechanisms/services.py
for what that does to those unlike them).

Staff turnover erodes what was learnt: each month the belief, and each
service's design, drift back towards what the organisation knows and does
without residents (its records and professional defaults).

The budget: the share ``participation_funding`` of what running
participation costs this month (facilitation and outreach) comes out of the
service budget (the opportunity cost of participation within a fixed
budget); what was spent acting on requests buys service in the domains
raised (delivered by sim/mechanisms/services.py, first to those who raised
them); the rest goes by the provision in place. Provision moves towards
what the landlord intends (belief, and residents' agenda on their share of
power), but only as far as the flexible part of the budget left after
requests allows in a month (``Landlord.flexible_budget``; most of a budget
is committed in contracts and posts): a landlord whose flexible money is
spent, or cut, changes nothing else that month. Committed spending follows
the service budget (less what participation takes out of it) as contracts
come up for renewal (``recommissioning``), so after a cut the flexible part
recovers only slowly. Residents who co-deliver add
capacity in the domain they raised. Nothing here looks at outcomes.

A repairs budget of its own (``repairs_budget_share``, off at 0): English
landlords account for maintenance and major repairs apart from management
and their other services. Switched on, that share of the service budget goes
to repairs, committed like contracts: the landlord's belief and residents'
agenda move only how the rest is split across the other domains (provision
on repairs is the ring-fence itself), and requests acted on are paid from the
rest, so they displace the other domains' provision, never the repairs
budget (a request raised on repairs still adds repairs service for whoever
raised it). At 0 there is one budget, split by belief and agenda, as before.

Where the belief starts: ``belief_accuracy`` of the way from professionals'
prior (``prior_belief``, with ``prior_repairs_lean`` of need moved from the
community share to the repairs share) to residents' true needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.arraytools import column_totals
from sim.parameters import Param, Section
from sim.state import COMMUNITY, REPAIRS

if TYPE_CHECKING:
    from sim.model import HousingModel

LANDLORD = Section(
    "landlord",
    "The landlord: budget, belief about needs, humility, respect, staff.",
    (
        Param("budget", 110.0, "GBP per household per month", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "Service budget (repairs, employment support, health and wellbeing, community).", 0.0, 100000.0, plausible=(90.0, 130.0)),
        Param("belief_accuracy", 0.5, "share [0, 1]", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "How close the landlord's belief about needs is, from its own records and judgement, to residents' true needs (1: exact; 0: its prior).", 0.0, 1.0, plausible=(0.1, 0.9)),
        Param("prior_belief", (0.55, 0.1, 0.1, 0.25), "shares of need by domain (repairs, employment, health, community)", "assumption", "What professionals assume needs are, before any evidence.", 0.0, 1.0),
        Param("prior_repairs_lean", 0.0, "share of need", "assumption; 0 is prior_belief as declared; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "Share of need professionals' prior belief moves from the community domain to repairs (negative: from repairs to community), on top of prior_belief: how the money professionals think needed splits between the home and the neighbourhood. Shares cut at 0.", -0.5, 0.5, plausible=(-0.1, 0.2)),
        Param("humility", 0.8, "share [0, 1]", "assumption", "How far the landlord lets residents' input change its mind.", 0.0, 1.0, plausible=(0.3, 1.0)),
        Param("learning_rate", 0.1, "share per month", "assumption", "Most the belief, or residents' agenda, can move towards what the room says in a month.", 0.0, 1.0, plausible=(0.03, 0.3)),
        Param("repairs_budget_share", 0.0, "share of the service budget", "assumption (the Regulator of Social Housing's Global Accounts report maintenance and major repairs as cost lines of their own, apart from management and other social housing costs; the share is not taken from them); 0 switches the ring-fence off", "Share of the service budget ring-fenced for repairs, committed like contracts: belief, residents' agenda and the cost of requests move only the rest (0: one budget, split by belief). A structural switch, off by default, so not among the screened uncertainties (docs/notes/repairs_ring_fence.md studies it).", 0.0, 0.9),
        Param("participation_funding", 0.5, "share [0, 1]", "assumption (landlords fund engagement partly from budgets that also pay for services)", "Share of the cost of running participation (facilitation, outreach) paid out of the service budget rather than on top of it.", 0.0, 1.0, plausible=(0.0, 1.0)),
        Param("respect", 0.75, "index [0, 1]", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "How respectfully staff treat residents, as the organisation's culture sets it.", 0.0, 1.0, plausible=(0.5, 1.0)),
        Param("staff_bias", 0.3, "share [0, 1]", "assumption (Link and Phelan 2001: status loss and discrimination; G15 2024: landlords the most common source); fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "How much less respect the least advantaged residents receive.", 0.0, 1.0, plausible=(0.0, 0.6)),
        Param("respect_learning", 0.2, "share per month per share of households working with staff", "assumption (Allport 1954; Pettigrew and Tropp 2006)", "How fast working alongside residents moves staff respect, under the best or worst conditions.", 0.0, 10.0, plausible=(0.05, 0.6)),
        Param("contact_threshold", 0.4, "index [0, 1]", "assumption (Pettigrew and Tropp 2006: contact usually helps even short of Allport's conditions)", "Quality of the conditions of contact (equal status, common goals, institutional support) below which contact lowers staff respect.", 0.01, 0.99, plausible=(0.2, 0.6)),
        Param("negative_contact", 2.0, "ratio", "assumption (Barlow et al. 2012; Graf, Paolini and Rubin 2014: negative contact weighs more than positive)", "How many times more strongly contact under poor conditions moves respect than contact under good ones.", 0.0, 20.0, plausible=(1.0, 4.0)),
        Param("staff_turnover", 0.015, "share per month", "assumption (about 15-20% of staff a year)", "Share of staff replaced each month: belief, design and respect drift back to the organisation's defaults, and ties to staff weaken.", 0.0, 1.0, plausible=(0.005, 0.03)),
        Param("recommissioning", 0.04, "share per month", "assumption (contracts of a few years)", "Share of committed spending (contracts, posts) that comes up for renewal each month and so follows a changed budget.", 0.0, 1.0, plausible=(0.015, 0.1)),
        Param("pressure_recovery", 0.05, "share per month", "assumption", "How fast pressure on the organisation (a cut, a scandal, an incident) fades.", 0.0, 1.0, plausible=(0.02, 0.15)),
    ),
)

def need_shares(need: np.ndarray) -> np.ndarray:
    """Share of total need held in each domain (uniform if there is none)."""
    total = column_totals(need)
    whole = total.sum()
    return total / whole if whole > 0 else np.full(need.shape[1], 1.0 / need.shape[1])


def leaning_prior(prior_belief, lean: float) -> np.ndarray:
    """Professionals' prior belief with ``lean`` of need moved from community to repairs (negative: the other way), shares cut at 0."""
    prior = np.array(prior_belief, dtype=float)
    if lean != 0.0:
        prior[REPAIRS] += lean
        prior[COMMUNITY] -= lean
        np.clip(prior, 0.0, None, out=prior)
    return prior


def initial_belief(true_shares: np.ndarray, prior: np.ndarray, accuracy: float) -> np.ndarray:
    """The landlord's starting belief: ``accuracy`` of the truth, the rest its prior, normalised."""
    prior = np.asarray(prior, dtype=float)
    prior = prior / prior.sum() if prior.sum() > 0 else np.full(len(prior), 1.0 / len(prior))
    belief = accuracy * true_shares + (1.0 - accuracy) * prior
    return belief / belief.sum()


def belief_accuracy(belief: np.ndarray, true_shares: np.ndarray) -> float:
    """1 minus the total-variation distance between belief and true shares, in [0, 1]."""
    return float(1.0 - 0.5 * np.abs(belief - true_shares).sum())


def learn(current: np.ndarray, heard: np.ndarray, weight: float) -> np.ndarray:
    """A distribution over domains moved ``weight`` of the way towards what was heard."""
    return current + weight * (heard - current)


def design_information(delivered: np.ndarray, households: int, half: float) -> np.ndarray:
    """Per domain, how much the month's delivered requests can teach its design, in [0, 1)."""
    share = delivered / max(households, 1)
    return share / (share + half)


def reprovide(provision: np.ndarray, intended: np.ndarray, room_to_change: float) -> np.ndarray:
    """Provision moved towards what is intended, by at most ``room_to_change`` of the budget (total variation)."""
    gap = intended - provision
    change = 0.5 * float(np.abs(gap).sum())
    if change <= room_to_change:
        return intended.copy()
    return provision + (room_to_change / change) * gap


def ring_fenced(allocation: np.ndarray, share: float) -> np.ndarray:
    """``allocation`` with ``share`` of the budget on repairs and the rest across the other domains in its proportions (``share`` 0: unchanged)."""
    if share <= 0:
        return allocation
    rest = allocation.copy()
    rest[REPAIRS] = 0.0
    total = rest.sum()
    if total <= 0:
        rest[:] = 1.0
        rest[REPAIRS] = 0.0
        total = rest.sum()
    rest *= (1.0 - share) / total
    rest[REPAIRS] = share
    return rest


def decide(model: HousingModel) -> None:
    """Phase: the room moves belief, agenda and design; turnover erodes them; the budget is allocated; capacities are set."""
    s, landlord = model.state, model.landlord
    lp, sp = model.params.landlord, model.params.services
    policy = landlord.policy
    room = model.month.room

    if room.participants:
        landlord.belief = learn(landlord.belief, room.heard, lp.learning_rate * policy.acts_on_input * landlord.humility * room.information)
        landlord.agenda = learn(landlord.agenda, room.heard, lp.learning_rate * room.information)
    landlord.belief = learn(landlord.belief, landlord.baseline_belief, lp.staff_turnover)

    taught = sp.design_learning * design_information(room.delivered_by_domain, s.n, model.params.voice.information_half)
    for service in model.services:
        d = service.domain
        service.design_fit += taught[d] * (1.0 - service.design_fit) + lp.staff_turnover * (service.default_fit - service.design_fit)
        service.designed_for += taught[d] * (room.designers[d] - service.designed_for) + lp.staff_turnover * (0.5 - service.designed_for)

    co_delivers = s.participated & (model.streams["co_delivery"].random(s.n) < policy.co_delivery)
    model.month.co_delivers = co_delivers
    co_units = np.bincount(s.raised[co_delivers], minlength=len(model.services)) * sp.co_delivery_hours * sp.co_delivery_productivity
    services_budget = max(0.0, (landlord.budget - model.month.diverted) * s.n)
    flexible_left = landlord.flexible_budget(model.month.diverted) * s.n - room.request_spend
    ring = lp.repairs_budget_share  # 0: one budget; above 0, repairs has its own and only the rest moves
    landlord.provision = reprovide(ring_fenced(landlord.provision, ring), ring_fenced(landlord.intended_allocation(), ring),
                                   max(0.0, flexible_left) / services_budget if services_budget > 0 else 0.0)
    # Contracts and posts coming up for renewal follow the budget.
    landlord.committed += lp.recommissioning * ((1.0 - model.params.voice.flexible_share) * (landlord.budget - model.month.diverted) - landlord.committed)
    budget_units = max(0.0, services_budget - room.request_spend) / sp.unit_cost
    units = budget_units * landlord.provision
    if ring > 0:  # the repairs budget is kept whole: requests were paid from the rest
        kept = min(ring * services_budget / sp.unit_cost, budget_units)
        units = (budget_units - kept) / (1.0 - ring) * landlord.provision
        units[REPAIRS] = kept
    for service in model.services:
        d = service.domain
        service.co_delivered = float(co_units[d])
        service.capacity = units[d] + service.co_delivered + service.fixed_capacity * s.n
