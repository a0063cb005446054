"""Participation policies: pluggable objects on Arnstein's ladder, chosen by name.

A policy says which participation channel the landlord runs and how much
power it shares. It never touches an outcome: mechanisms read its levers
(who is invited, how much input is acted on, how much power residents hold,
whether they co-deliver) and the outcomes follow from the mechanisms.

All policies share one set of levers with different defaults, so any rung can
be tuned towards another (co-production with no outreach, consultation that
acts on input) and sweeps can cross them. A new policy is a subclass with its
own defaults (and, if needed, its own ``invitation``, ``promise`` or ``chance_acted_on``)
registered with :func:`register`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from sim.errors import UserError
from sim.parameters import Param, Section, shown, suggest

LEVERS: tuple[Param, ...] = (
    Param("reach", 0.0, "share of households per month", "assumption", "Share of households invited to take part each month (0: no channel).", 0.0, 1.0),
    Param("capacity", 0.0, "share of households per month", "assumption", "Most households the channel can host in a month (facilitation limits).", 0.0, 1.0),
    Param("acts_on_input", 0.0, "share [0, 1]", "assumption", "Share of residents' input the landlord acts on where it keeps the decision.", 0.0, 1.0),
    Param("power_share", 0.0, "share [0, 1]", "assumption (Arnstein 1969: partnership, delegated power)", "Share of decisions residents hold themselves.", 0.0, 1.0),
    Param("co_delivery", 0.0, "share [0, 1]", "assumption (Bovaird 2007: user co-delivery)", "Share of participants who also help deliver services.", 0.0, 1.0),
    Param("outreach", 0.0, "share of households per month", "assumption", "Share of households contacted in person each month (being on the ground).", 0.0, 1.0),
    Param("staff_contact", 0.0, "tie strength per month", "assumption", "How closely participants work with landlord staff (builds linking ties).", 0.0, 1.0),
    Param("facilitation_cost", 0.0, "GBP per participant per month", "assumption", "Staff and venue cost of hosting one participant for a month.", 0.0, 10000.0),
    Param("outreach_cost", 10.0, "GBP per household contacted", "assumption", "Staff cost of one outreach contact.", 0.0, 10000.0),
)


class Policy:
    """Base class: the levers and the two rules every mechanism asks a policy about."""

    name: ClassVar[str] = ""
    rung: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    defaults: ClassVar[dict[str, float]] = {}

    def __init__(self, levers: dict[str, Any] | None = None, where: str = "policy"):
        for key, value in self.section().resolve(levers or {}, where).items():
            setattr(self, key, value)

    @classmethod
    def section(cls) -> Section:
        """The ``[policy]`` keys this policy accepts, with its own defaults."""
        params = tuple(replace(p, default=cls.defaults.get(p.name, p.default)) for p in LEVERS)
        return Section("policy", f"Levers of the {cls.name} policy.", params)

    def levers(self) -> dict[str, float]:
        """Current lever values, by name."""
        return {p.name: getattr(self, p.name) for p in LEVERS}

    def promise(self) -> float:
        """The influence participants are told their input will have, in [0, 1].

        Residents are promised their share of power outright, and that the
        landlord will act on the share of the rest it commits to. What they
        then get is another matter (``chance_acted_on``, funding, reversals:
        sim/mechanisms/voice.py).
        """
        return self.power_share + (1.0 - self.power_share) * self.acts_on_input

    def chance_acted_on(self, support: np.ndarray, humility: float) -> np.ndarray:
        """Chance each participant's request is acted on, before funding, in [0, 1].

        On the share of decisions residents hold, the room decides: a request
        is taken up as far as the room supports it (``support``: 1 for the
        room's top priority, less for priorities fewer voices share). On the
        rest, the landlord acts on the share it commits to, as far as its
        humility lets residents change its mind.
        """
        return self.power_share * support + (1.0 - self.power_share) * self.acts_on_input * humility

    def invitation(self, contacted: np.ndarray) -> np.ndarray:
        """Probability each household is invited this month; outreach contacts always are."""
        if self.reach <= 0.0 and self.capacity <= 0.0:
            return np.zeros(contacted.shape)
        return np.where(contacted, 1.0, self.reach)

    def __repr__(self) -> str:
        levers = ", ".join(f"{k}={v:g}" for k, v in self.levers().items())
        return f"{type(self).__name__}({levers})"


POLICIES: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Add a policy class to the registry under ``cls.name`` (usable as a decorator)."""
    if not cls.name:
        raise ValueError("a policy class needs a name")
    unknown = set(cls.defaults) - {p.name for p in LEVERS}
    if unknown:
        raise ValueError(f"policy {cls.name!r} sets unknown levers {sorted(unknown)}")
    POLICIES[cls.name] = cls
    return cls


def policy_class(name: str, where: str) -> type[Policy]:
    """The registered policy called ``name``, or a UserError listing the valid names."""
    try:
        return POLICIES[name]
    except (KeyError, TypeError):
        names = sorted(POLICIES)
        hint = suggest(name, names) if isinstance(name, str) else ""
        raise UserError(f"{where}: unknown policy {shown(name)}{hint} (accepted: {', '.join(names)})") from None


def make_policy(name: str, levers: dict[str, Any] | None = None, where: str = "policy") -> Policy:
    """Build the policy called ``name`` with ``levers`` overriding its defaults."""
    return policy_class(name, where)(levers, where)


@register
class Paternalistic(Policy):
    name = "paternalistic"
    rung = "non-participation"
    summary = "Professionals decide. No channel for residents' views; services follow the landlord's own belief about needs."
    defaults: ClassVar[dict[str, float]] = {}


@register
class Consultation(Policy):
    name = "consultation"
    rung = "tokenism"
    summary = "Residents are asked (surveys, meetings) but little of what they say is acted on: a listening exercise."
    defaults: ClassVar[dict[str, float]] = {"reach": 0.2, "capacity": 0.15, "acts_on_input": 0.1, "staff_contact": 0.1, "facilitation_cost": 25.0}


@register
class CoDesign(Policy):
    name = "co_design"
    rung = "citizen power (partnership)"
    summary = "Residents shape what is designed in facilitated workshops; the landlord delivers."
    defaults: ClassVar[dict[str, float]] = {
        "reach": 0.2, "capacity": 0.15, "acts_on_input": 0.7, "power_share": 0.3,
        "outreach": 0.1, "staff_contact": 0.5, "facilitation_cost": 60.0,
    }


@register
class CoProduction(Policy):
    name = "co_production"
    rung = "citizen power (delegated power)"
    summary = "Residents share design, decisions and delivery with staff, with outreach to those not usually heard."
    defaults: ClassVar[dict[str, float]] = {
        "reach": 0.2, "capacity": 0.15, "acts_on_input": 0.8, "power_share": 0.6, "co_delivery": 0.5,
        "outreach": 0.2, "staff_contact": 1.0, "facilitation_cost": 80.0,
    }


LADDER: tuple[str, ...] = (
    "non-participation",
    "tokenism",
    "citizen power (partnership)",
    "citizen power (delegated power)",
)
"""The rungs a policy can stand on, lowest first: Arnstein's (1969) three bands, with citizen power
split into her partnership and delegated-power rungs (co-design below co-production)."""


def ladder_order(name: str) -> int:
    """How high the policy called ``name`` stands on Arnstein's ladder: 0 for non-participation, up to 3.

    Paternalistic < consultation < co-design < co-production. A comparison reads
    the higher one as the reform. A registered policy on a rung not in
    :data:`LADDER` is a ValueError (add its rung there).
    """
    rung = policy_class(name, "policy").rung
    if rung not in LADDER:
        raise ValueError(f"policy {name!r} stands on rung {rung!r}, which is not on the ladder (known: {', '.join(LADDER)})")
    return LADDER.index(rung)


def policy_table() -> list[dict[str, Any]]:
    """Every registered policy's name, rung, summary and lever defaults (for docs and the CLI)."""
    rows = []
    for name in sorted(POLICIES):
        cls = POLICIES[name]
        row = {"name": name, "rung": cls.rung, "summary": cls.summary}
        row.update(cls.section().defaults())
        rows.append(row)
    return rows
