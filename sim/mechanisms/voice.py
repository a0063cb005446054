"""Voice: what participants are promised and raise, who is heard, what is acted on and delivered, what is reversed.

**The promise.** Taking part comes with a promise of influence (the policy's
share of power plus the share of the rest it commits to act on:
``Policy.promise``). A participant's expected influence moves towards it
as far as they trust the landlord (``promise_weight``): asking raises
expectations (Folger 1977), more so among those who believe what they are told.

**What the room raises.** Each participant raises one need of their own, a
domain drawn in proportion to the need they hold in each (stream
``raised``, one number per household per month). The room does not hear
everyone alike: a participant's say is ``exp(dominance * (efficacy - 0.5))``,
so the confident carry the room (elite capture: Mansuri and Rao 2013; Fung
2006). What the room says about needs (``heard``: the say-weighted mix of
participants' needs) is what the landlord learns from and, where residents
hold power, what their own priorities follow (sim/mechanisms/decisions.py).

**What is acted on.** On the share of decisions residents hold, the room
takes up a request as far as it shares the priority (``support``: the say
behind that domain over the say behind the room's top domain, so residents
who disagree with the room's majority see less of their own request taken
up, as far as residents disagree: ``disagreement``); on the rest, the
landlord acts on the share it commits to, as far as
its humility allows (``Policy.chance_acted_on``). Acting costs money: each
request acted on costs ``request_cost``, paid from the flexible part of the
service budget, what is not committed in contracts and posts
(``Landlord.flexible_budget``; what participation itself costs comes out of
it first, as far as the service budget pays for participation). When what is
taken up costs more than that, only a share of it is funded. A cut falls on
the flexible part first, until contracts come up for renewal. A
request is delivered when it is acted on and funded (stream ``acted``, one
number per household per month); its money buys service in the domain
raised, for the household that raised it first (its own need in that
domain; what it does not need goes to everyone's: sim/mechanisms/services.py).
Those in the room gain what those absent do not.

**What participants see.** Whether their own request was delivered, and
what the others in the room say happened to theirs (word of mouth among
participants): the influence a participant sees this month is
``(1 - room_weight) * own + room_weight * room's delivered share``. Nobody
sees the lever: a promise the budget cannot fund, a landlord that does not
listen, or a room that backs other priorities all show as requests not
delivered, against an expectation the promise raised (the frustration
effect, now from the gap between promised and delivered).

**Reversals.** A delivered change stands until it settles (after
``settle_months`` on average) or is reversed: each month a standing change
is reversed with probability ``reversal + pressure * pressure_reversal``
(cuts and scandals unpick commitments; stream ``reversal``). The household
sees influence 0 that month, whether or not it takes part.

**Information.** How far input can teach the landlord depends on how much of
its tenancy it has heard: the effective share of households heard (Kish's
effective sample size, ``(sum of say)^2 / sum of say^2``, over the number of
households) with diminishing returns,
``information = share / (share + information_half)``. A share, not a
headcount (assumption): a landlord of 50,000 homes learns from the same
share of its tenants as one of 1,000, as its organisation is that much
larger.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import human_choices
from sim.parameters import Param, Section
from sim.state import DOMAINS, NO_DOMAIN

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "voice",
    "What becomes of residents' input: who is heard, what is acted on, funded, delivered and reversed.",
    (
        Param("dominance", 1.5, "log say per unit of efficacy", "assumption (elite capture: Mansuri and Rao 2013; Fung 2006)", "How much more say the confident have in the room: a participant's say is exp(dominance * (efficacy - 0.5)).", 0.0, 10.0, plausible=(0.0, 3.0)),
        Param("information_half", 0.02, "share of households", "assumption", "Effective share of households heard at which input carries half the weight it could.", 1e-6, 1.0, plausible=(0.005, 0.08)),
        Param("flexible_share", 0.1, "share of the service budget", "assumption", "Share of the service budget not committed in contracts and posts, which the landlord can spend each month on acting on residents' requests and on changing what it provides.", 0.0, 1.0, plausible=(0.03, 0.2)),
        Param("request_cost", 50.0, "GBP per request", "assumption", "Cost of acting on one participant's request (a change in a service).", 0.0, 1e6, plausible=(10.0, 200.0)),
        Param("promise_weight", 0.3, "share per month", "assumption (Folger 1977: voice raises expectations)", "How far the promise of influence moves a participant's expected influence in a month, for a resident who fully trusts the landlord.", 0.0, 1.0, plausible=(0.05, 0.6)),
        Param("disagreement", 1.0, "share [0, 1]", "assumption (residents disagree about priorities: Cooke and Kothari 2001)", "How far a request on a priority the room's majority does not share is less likely to be taken up where residents decide (0: the room backs every request alike).", 0.0, 1.0, plausible=(0.3, 1.0)),
        Param("room_weight", 0.5, "share [0, 1]", "assumption", "Weight of what others in the room saw delivered against what became of one's own request.", 0.0, 1.0, plausible=(0.2, 0.8)),
        Param("reversal", 0.01, "probability per month", "assumption", "Chance a standing change is reversed in a month when the landlord is under no pressure.", 0.0, 1.0, plausible=(0.0, 0.04)),
        Param("pressure_reversal", 0.2, "probability per month at full pressure", "assumption", "Extra chance a standing change is reversed, per unit of pressure on the landlord (cuts, scandal).", 0.0, 1.0, plausible=(0.05, 0.5)),
        Param("settle_months", 12.0, "months", "assumption", "Mean time after which a delivered change is settled and no longer reversed.", 1.0, 1200.0, plausible=(6.0, 36.0)),
    ),
)


def raised_domains(need: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The domain each resident raises: drawn in proportion to the need they hold in each.

    ``need`` is (k, domains), ``u`` one uniform number per row in [0, 1). A
    resident with no need at all raises the first domain.
    """
    cumulative = np.cumsum(need, axis=1)
    total = cumulative[:, -1]
    target = u * total
    # The first domain whose cumulative need passes the target (a domain with no need is never raised).
    domain = np.minimum(np.count_nonzero(cumulative <= target[:, None], axis=1), need.shape[1] - 1)
    return np.where(total > 0, domain, 0)


def say(efficacy: np.ndarray, dominance: float) -> np.ndarray:
    """Each participant's say in the room (relative weight)."""
    return np.exp(dominance * (efficacy - 0.5))


def information(say_weights: np.ndarray, households: int, half: float) -> float:
    """How much the room can teach, in [0, 1): the effective share of households heard, with diminishing returns."""
    total = float(say_weights.sum())
    if households <= 0 or total <= 0:
        return 0.0
    effective_share = total * total / float(np.square(say_weights).sum()) / households
    return effective_share / (effective_share + half)


def support(raised: np.ndarray, say_weights: np.ndarray, domains: int, disagreement: float) -> np.ndarray:
    """Per domain, how far the room backs a request on it, in [0, 1]: 1 for its top priority.

    With full ``disagreement``, the say behind the domain over the say behind
    the room's top domain; with none, 1 for every domain raised.
    """
    behind = np.bincount(raised, weights=say_weights, minlength=domains)
    top = behind.max()
    share = behind / top if top > 0 else np.zeros(domains)
    return 1.0 - disagreement * (1.0 - share)


def funded_share(chance: np.ndarray, request_cost: float, fund: float) -> float:
    """Share of the requests acted on that the flexible budget can pay for (expected cost against the fund, GBP)."""
    cost = float(chance.sum()) * request_cost
    return 1.0 if cost <= fund else fund / cost


def seen_influence(delivered: np.ndarray, room_weight: float) -> np.ndarray:
    """The influence each participant sees: their own request's fate, blended with the room's."""
    own = delivered.astype(float)
    room = own.mean() if len(own) else 0.0
    return (1.0 - room_weight) * own + room_weight * room


def empty_room(domains: int) -> SimpleNamespace:
    """What a month without participants leaves for the decisions and the staff."""
    return SimpleNamespace(
        participants=0, heard=None, information=0.0, delivered_share=float("nan"),
        delivered_by_domain=np.zeros(domains), designers=np.full(domains, 0.5), units_per_request=0.0, request_spend=0.0, funded=1.0,
    )


def hear(model: HousingModel) -> None:
    """Phase: the promise, what is raised, who is heard, what is acted on, funded and delivered, and what is reversed.

    Sets ``state.raised``, ``delivered``, ``reversed``, ``change_standing``,
    ``influence_seen`` and ``voice_expectation``, and ``model.month.room``.
    """
    s, p, landlord = model.state, model.params.voice, model.landlord
    policy = landlord.policy
    n, domains = s.n, len(DOMAINS)
    u_raise = model.streams["raised"].random(n)
    u_acted = model.streams["acted"].random(n)
    u_reversal = model.streams["reversal"].random(n)

    # Changes won before: settled, or reversed under pressure.
    standing = s.change_standing
    hazard = min(1.0, p.reversal + landlord.pressure * p.pressure_reversal)
    s.reversed[:] = standing & (u_reversal < hazard)
    settles = standing & (u_reversal >= hazard) & (u_reversal < hazard + 1.0 / p.settle_months)
    standing &= ~(s.reversed | settles)

    took = np.flatnonzero(s.participated)
    s.raised[:] = NO_DOMAIN
    s.delivered[:] = False
    s.influence_seen[:] = 0.0
    room = empty_room(domains)
    if len(took):
        # The promise that comes with being asked, believed as far as the landlord is trusted.
        expectation = s.voice_expectation[took]
        expectation += p.promise_weight * s.trust_landlord[took] * (policy.promise() - expectation)
        s.voice_expectation[took] = expectation

        need = s.need[took]
        raised = raised_domains(need, u_raise[took])
        people, domain = human_choices.chosen(model, "raise_domain")  # what a person playing a participant raises
        at = np.searchsorted(took, people)
        present = at < len(took)
        present[present] = took[at[present]] == people[present]
        raised[at[present]] = domain[present]
        weights = say(s.efficacy[took], p.dominance)
        backing = support(raised, weights, domains, p.disagreement)[raised]
        if model.landlord_choice is None:
            chance = policy.chance_acted_on(backing, landlord.humility)
        else:  # people playing the landlord decide which kinds of request it acts on, on its share of the decisions
            chance = model.landlord_choice.chance_acted_on(policy, backing, raised)
        fund = landlord.flexible_budget(model.month.diverted) * n
        funded = funded_share(chance, p.request_cost, fund)
        delivered = u_acted[took] < chance * funded

        s.raised[took] = raised
        s.delivered[took] = delivered
        s.influence_seen[took] = seen_influence(delivered, p.room_weight)
        standing[took[delivered]] = True

        heard = weights @ need
        count = np.bincount(raised[delivered], minlength=domains).astype(float)
        # Who shaped each domain's changes: where on the scale of advantage those who won them sit, by their say.
        position = s.position[took[delivered]]
        shaping = np.bincount(raised[delivered], weights=weights[delivered], minlength=domains)
        designers = np.bincount(raised[delivered], weights=weights[delivered] * position, minlength=domains)
        room = SimpleNamespace(
            participants=len(took),
            heard=heard / heard.sum() if heard.sum() > 0 else np.full(domains, 1.0 / domains),
            information=information(weights, n, p.information_half),
            delivered_share=float(delivered.mean()),
            delivered_by_domain=count,
            designers=np.divide(designers, shaping, out=np.full(domains, 0.5), where=shaping > 0),
            units_per_request=p.request_cost / model.params.services.unit_cost,
            request_spend=float(count.sum()) * p.request_cost,
            funded=funded,
        )
    s.influence_seen[s.reversed] = 0.0  # a reversal this month is what the household sees, whatever else happened
    model.month.room = room
