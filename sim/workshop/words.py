"""What a household knows, and what happened to it this month, in plain words.

A participant sees only what their household would know: its own
circumstances and feelings, its neighbours as it knows them, and what the
landlord offers residents as residents are told it. Never the levers, other
households, or the model's internal numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.state import DOMAINS, REPAIRS

NEEDS: dict[str, str] = {
    "repairs": "repairs and safety in your home",
    "employment": "finding or keeping work",
    "health": "health and wellbeing",
    "community": "things to do and places to meet nearby",
}
"""Each need domain, as a household would name it."""

RAISE_OPTIONS: dict[str, str] = {str(d): NEEDS[name].capitalize() for d, name in enumerate(DOMAINS)}
"""The choice of what to raise: domain index (as text) to words."""

OFFERS: dict[str, str] = {
    "paternalistic": "Your landlord does not ask residents what they think: its staff decide what to provide.",
    "consultation": "Your landlord asks residents for their views at meetings and in surveys.",
    "co_design": "Your landlord invites residents to design services with its staff in workshops.",
    "co_production": "Your landlord shares decisions and the running of services with residents, and its staff knock on doors to invite people.",
}
"""What the landlord offers residents, as residents are told it (by policy name)."""

NOBODY_ASKED = "paternalistic"


def level(value: float, words: tuple[str, str, str, str]) -> str:
    """One of four words for a value in [0, 1] (quarters)."""
    return words[min(3, max(0, int(float(value) * 4)))]


def change(before: float, after: float, what: str) -> str:
    """How ``what`` moved, in words ("went up a little")."""
    delta = float(after) - float(before)
    if abs(delta) < 0.01:
        return f"{what} stayed about the same."
    size = "a lot" if abs(delta) >= 0.05 else "a little"
    return f"{what} went {'up' if delta > 0 else 'down'} {size}."


@dataclass(frozen=True)
class HouseholdFacts:
    """One household's numbers that its person may see (read from the model by :func:`facts`)."""

    employed: bool
    working_age: bool
    carer: bool
    income_band: int
    tenure_months: float
    need: tuple[float, ...]
    unmet_repairs: float
    complaint_open: bool
    stigma: float
    trust_landlord: float
    trust_neighbours: float
    wellbeing: float
    neighbours_known: int
    participated: bool
    contacted: bool
    raised: int
    delivered: bool
    reversed: bool


def facts(model, household: int) -> HouseholdFacts:
    """What household ``household`` knows of itself now."""
    s = model.state
    row = model.network.bonding[[household], :] if s.n else None
    known = int(np.count_nonzero(row.data)) if row is not None else 0
    return HouseholdFacts(
        employed=bool(s.employed[household]), working_age=bool(s.working_age[household]), carer=bool(s.carer[household]),
        income_band=int(s.income_band[household]), tenure_months=float(s.tenure_months[household]),
        need=tuple(float(x) for x in s.need[household]), unmet_repairs=float(s.unmet_repairs[household]),
        complaint_open=bool(s.complaint_open[household]), stigma=float(s.stigma[household]),
        trust_landlord=float(s.trust_landlord[household]), trust_neighbours=float(s.trust_neighbours[household]),
        wellbeing=float(s.wellbeing[household]), neighbours_known=known,
        participated=bool(s.participated[household]), contacted=bool(s.contacted[household]), raised=int(s.raised[household]),
        delivered=bool(s.delivered[household]), reversed=bool(s.reversed[household]),
    )


def household_lines(f: HouseholdFacts, policy: str) -> list[str]:
    """The household's circumstances, in plain words (a list of sentences)."""
    years = f.tenure_months / 12.0
    lived = f"{years:.0f} years" if years >= 2 else f"{f.tenure_months:.0f} months"
    if f.employed:
        work = "You are in work."
    elif f.working_age:
        work = "You are not in work at the moment."
    else:
        work = "You are past working age."
    money = ("Money is very tight.", "Money is tight.", "You get by.", "You are comfortable.", "You are comfortable.")[f.income_band]
    lines = [f"You have lived here {lived}. {work} {money}" + (" You care for someone at home, so your free time is short." if f.carer else "")]
    order = np.argsort(f.need)[::-1]
    held = [NEEDS[DOMAINS[d]] for d in order if f.need[d] >= 0.05]
    if held:
        lines.append(f"What you need most now: {held[0]}." + (f" Also: {', '.join(held[1:])}." if len(held) > 1 else ""))
    else:
        lines.append("You have nothing pressing to ask for at the moment.")
    if f.unmet_repairs > 0.0:
        lines.append("A repair in your home is still waiting to be done." + (" You have a complaint open about it." if f.complaint_open else ""))
    lines.append(level(f.stigma, (
        "You rarely feel looked down on for living here.", "Sometimes you feel looked down on for living here.",
        "You often feel looked down on for living here.", "Most of the time you feel looked down on for living here.")))
    lines.append(level(f.trust_landlord, (
        "You do not trust your landlord.", "You trust your landlord a little.", "You mostly trust your landlord.", "You trust your landlord.")))
    known = f.neighbours_known
    lines.append(f"You know {'no' if known == 0 else known} neighbour{'' if known == 1 else 's'} in your block to say hello to or ask a favour." + " " + level(f.trust_neighbours, (
        "You do not trust the people round here.", "You trust the people round here a little.", "You mostly trust the people round here.", "You trust the people round here.")))
    lines.append(OFFERS.get(policy, ""))
    return [line for line in lines if line]


def month_lines(before: HouseholdFacts, after: HouseholdFacts, chose: dict | None, moved: bool, policy: str) -> list[str]:
    """What happened to the household this month, in plain words."""
    if moved:
        return ["Your household moved away this month. A new household has moved into your home: you play them from now on."]
    lines = []
    if chose is None:
        lines.append("You did not choose in time: your household did what it would usually do.")
    if after.contacted:
        lines.append("Someone from the landlord knocked on your door to invite you.")
    if after.participated:
        lines.append(f"You took part and raised {NEEDS[DOMAINS[after.raised]]}." if after.raised >= 0 else "You took part.")
        lines.append("What you raised was acted on." if after.delivered else "What you raised was not acted on this month.")
    elif policy != NOBODY_ASKED and chose is not None and chose.get("take_part"):
        lines.append("You wanted to take part, but you were not invited this month, or the meeting was full.")
    if after.reversed:
        lines.append("A change you had won earlier was taken back.")
    if before.unmet_repairs > 0.0 or before.need[REPAIRS] > 0.05:
        lines.append("Your repairs were done." if after.unmet_repairs <= 0.0 else "A repair is still waiting to be done.")
    if after.complaint_open and not before.complaint_open:
        lines.append("You made a complaint about the repair.")
    elif before.complaint_open and not after.complaint_open:
        lines.append("Your complaint is closed: the repair was done." if after.unmet_repairs <= 0.0
                     else "Your complaint is closed: most of the repair was done.")
    if chose is not None and chose.get("call_on_neighbour"):
        lines.append("You called on a neighbour.")
    if after.employed and not before.employed:
        lines.append("Good news: you found work.")
    elif before.employed and not after.employed:
        lines.append("You lost your job this month.")
    lines.append(change(before.trust_landlord, after.trust_landlord, "Your trust in your landlord"))
    lines.append(change(before.trust_neighbours, after.trust_neighbours, "Your trust in the people round here"))
    lines.append(change(-before.stigma, -after.stigma, "How good you feel about where you live"))
    return lines


def choice_words(choice) -> str:
    """A month's choice, said back to the person who made it."""
    parts = []
    if choice.take_part is not None:
        parts.append(f"take part and raise {NEEDS[DOMAINS[choice.raise_domain]]}" if choice.take_part and choice.raise_domain is not None
                     else "take part" if choice.take_part else "not take part")
    if choice.complain is not None:
        parts.append("complain if the repair is not done" if choice.complain else "not complain")
    if choice.call_on_neighbour is not None:
        parts.append("call on a neighbour" if choice.call_on_neighbour else "not call on a neighbour")
    return "You chose to " + ", ".join(parts) + "." if parts else "You left it to your household's usual ways."


def landlord_lines(model) -> list[str]:
    """What the landlord's board knows before choosing: last month's requests, its budget, residents' share of decisions."""
    s, policy, p = model.state, model.landlord.policy, model.params.voice
    raised = np.bincount(s.raised[s.participated & (s.raised >= 0)], minlength=len(DOMAINS))
    diverted = getattr(model.month, "diverted", 0.0)
    fund = model.landlord.flexible_budget(diverted) * s.n
    lines = []
    if policy.reach <= 0.0 and policy.capacity <= 0.0:
        lines.append("Under this policy residents are not invited to have a say: there are no requests to act on.")
    elif raised.sum():
        asked = ", ".join(f"{NEEDS[d]}: {k}" for d, k in zip(DOMAINS, raised, strict=True) if k)
        lines.append(f"Last month {int(raised.sum())} residents took part and raised: {asked}.")
    else:
        lines.append("Last month nobody raised anything.")
    lines.append(f"Your flexible budget is about £{fund:,.0f} a month; acting on one request costs £{p.request_cost:,.0f}. "
                 "What you decide to act on beyond that budget is only partly funded.")
    if policy.power_share > 0:
        lines.append(f"Residents decide {policy.power_share:.0%} of what is done with requests themselves; you decide the rest.")
    return lines


def landlord_month_lines(model, choice, trust_before: float) -> list[str]:
    """What came of the month for the landlord's board."""
    s, room = model.state, model.month.room
    if choice is None:
        lines = ["You did not decide in time: the landlord acted as its policy says."]
    else:
        kinds = [NEEDS[d] for d, a in zip(DOMAINS, choice.act_on, strict=True) if a]
        lines = ["You acted on requests about " + (", ".join(kinds) if kinds else "nothing") + "."]
    if room.participants:
        delivered = int(np.count_nonzero(s.delivered))
        lines.append(f"{room.participants} residents took part; {delivered} of their requests were delivered"
                     + (f" (the budget paid for {room.funded:.0%} of what was taken up)." if room.funded < 1 else "."))
    else:
        lines.append("Nobody took part this month.")
    lines.append(change(trust_before, float(s.trust_landlord.mean()), "Residents' trust in the landlord"))
    return lines
