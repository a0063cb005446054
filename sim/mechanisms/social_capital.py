"""Social capital: ties form through shared activity and decay without it; capital measured on the network.

Bonding capital is a resident's tie strength within the block, bridging
capital across blocks and estates (Putnam 2000), linking capital to staff of
the landlord and services, across the power gradient (Szreter and Woolcock
2004). Each is ``1 - exp(-strength / scale)``: the first ties matter most.

Each month: neighbours meet by chance, in the block (bonding) and around the
estate (mostly bridging); participants meet in workshop groups and hub users
in session groups, estate-wide, so their new ties are mostly bridging.

Linking ties form from contact of any kind and decay without it: a month of
taking part adds ``linking_gain`` times how closely the policy has
participants work with staff (``policy.staff_contact``: a consultation's
meetings as much as co-production's joint work, only less of it); an
outreach visit and a month with a complaint open add their shares
(``outreach_contact``, ``complaint_contact``); co-delivering participants
and hub users gain ties to service staff. Ties to landlord staff also weaken
as staff leave (``landlord.staff_turnover``). Then every tie decays.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from sim.community import Groups
from sim.mechanisms import human_choices
from sim.parameters import Param, Section
from sim.state import COMMUNITY

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "social_capital",
    "How social capital is measured from tie strengths.",
    (
        Param("bonding_scale", 3.0, "tie strength", "assumption", "Bonding tie strength giving 63% of full bonding capital.", 0.01, 100.0, plausible=(1.5, 6.0)),
        Param("bridging_scale", 1.5, "tie strength", "assumption", "Bridging tie strength giving 63% of full bridging capital.", 0.01, 100.0, plausible=(0.75, 3.0)),
        Param("linking_scale", 0.5, "tie strength", "assumption", "Linking tie strength giving 63% of full linking capital.", 0.01, 100.0, plausible=(0.25, 1.0)),
    ),
)


def capital(strength: np.ndarray, scale: float) -> np.ndarray:
    """Capital index in [0, 1) from summed tie strength."""
    return 1.0 - np.exp(-strength / scale)


def bonding_capital(model: HousingModel) -> np.ndarray:
    """Each resident's bonding capital now, in [0, 1) (all that stigma and wellbeing read of social capital)."""
    return capital(model.network.bonding_strength(), model.params.social_capital.bonding_scale)


def group_pairs(members: np.ndarray, estate: np.ndarray, group_size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every pair within random groups of ``members``, grouped within each estate.

    Returns two arrays of resident ids (one pair per index). Draws one
    number per member from ``rng``.
    """
    members = np.asarray(members, dtype=np.int64)
    if len(members) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.lexsort((rng.random(len(members)), estate[members]))
    members = members[order]
    their_estate = estate[members]
    new_estate = np.concatenate(([True], their_estate[1:] != their_estate[:-1]))
    estate_start = np.maximum.accumulate(np.where(new_estate, np.arange(len(members)), 0))
    position = np.arange(len(members)) - estate_start
    group = np.cumsum(position % group_size == 0) - 1
    slot = position % group_size
    table = np.full((group[-1] + 1, group_size), -1, dtype=np.int64)
    table[group, slot] = members
    first, second = _pairs_in_group(group_size)
    u, v = table[:, first].ravel(), table[:, second].ravel()
    both = (u >= 0) & (v >= 0)
    return u[both], v[both]


@functools.cache
def _pairs_in_group(group_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Seat numbers of every pair in a group (``np.triu_indices`` costs more than the rest of a month's grouping)."""
    return np.triu_indices(group_size, k=1)


def random_member(group: np.ndarray, who: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each resident in ``who``, a uniformly random resident of the same group (block or estate; possibly itself).

    ``u`` holds one uniform number per resident in ``who``. (The model keeps
    a prebuilt :class:`sim.community.Groups` per kind of group and calls it directly.)
    """
    return Groups(group).random_member(who, u)


def update_ties(model: HousingModel) -> None:
    """Phase: shared activity forms ties, then all ties decay."""
    s, p, net = model.state, model.params.network, model.network
    n = s.n
    streams = model.streams

    firsts, seconds = [], []
    for place, groups, chance in (("block", model.blocks, p.neighbour_meeting), ("estate", model.estates, p.estate_meeting)):
        u_meet = streams[f"{place}_meeting"].random(n)
        u_partner = streams[f"{place}_partner"].random(n)
        meet = u_meet < chance
        if place == "block":  # a person playing a household decides whether it calls on a neighbour
            people, calls = human_choices.chosen(model, "call_on_neighbour")
            meet[people] = calls
        meets = np.flatnonzero(meet)
        firsts.append(meets)
        seconds.append(groups.random_member(meets, u_partner[meets]))
    for activity, members in (("workshop_groups", s.participated), ("hub_groups", model.month.hub_attendees)):
        u, v = group_pairs(np.flatnonzero(members), s.estate, p.group_size, streams[activity])
        firsts.append(u)
        seconds.append(v)
    pairs = np.concatenate(firsts), np.concatenate(seconds)

    # Linking ties (a column per institution): contact of any kind with landlord staff, then service staff.
    policy = model.landlord.policy
    contact = s.participated * policy.staff_contact
    contact += s.contacted * p.outreach_contact
    contact += s.complaint_open * p.complaint_contact
    landlord, hub = net.linking[:, 0], net.linking[:, 1 + COMMUNITY]
    landlord += p.linking_gain * contact
    co_delivers = model.month.co_delivers
    net.linking[co_delivers, 1 + s.raised[co_delivers]] += p.activity_tie_gain
    np.add(hub, p.activity_tie_gain, out=hub, where=model.month.hub_attendees)
    np.minimum(net.linking, 1.0, out=net.linking)

    rates = np.full(net.linking.shape[1], p.linking_decay)
    rates[0] += model.params.landlord.staff_turnover
    # One pass over the ties for all of the month's meetings (a pair meeting twice gains twice) and every tie's decay.
    net.strengthen_and_decay(*pairs, p.activity_tie_gain, p.bonding_decay, p.bridging_decay, rates, p.tie_threshold, p.linking_threshold)
