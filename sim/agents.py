"""The Mesa agents: residents, the landlord and services.

A :class:`Resident` is a real ``mesa.Agent`` (identity, a place in the
network, what a person inspects in the visualisation) whose numeric state
lives in row ``index`` of the model's :class:`~sim.state.ResidentState`
arrays: reading ``resident.trust_landlord`` reads that row, assigning it
writes the row. There is one copy of every value.

The landlord and services are few, so their state lives on the agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.state import DOMAINS

if TYPE_CHECKING:
    from sim.model import HousingModel
    from sim.policies import Policy


class StateField:
    """A Resident attribute that reads and writes the resident's row of a state array."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, resident: Resident | None, owner: type):
        if resident is None:
            return self
        value = getattr(resident.model.state, self.name)[resident.index]
        return value.item() if isinstance(value, np.generic) else value

    def __set__(self, resident: Resident, value) -> None:
        getattr(resident.model.state, self.name)[resident.index] = value


class Resident(mesa.Agent):
    """One household, living in dwelling ``index`` of block ``block``."""

    block = StateField()
    estate = StateField()
    advantage = StateField()
    need = StateField()
    working_age = StateField()
    employed = StateField()
    income_band = StateField()
    efficacy = StateField()
    stigma = StateField()
    trust_landlord = StateField()
    trust_neighbours = StateField()
    trust_services = StateField()
    voice_expectation = StateField()
    time_available = StateField()
    aspiration = StateField()
    tenure_months = StateField()
    carer = StateField()
    fatigue = StateField()
    raised = StateField()
    delivered = StateField()
    wellbeing = StateField()
    need_fit = StateField()
    participated = StateField()
    contacted = StateField()
    respect_felt = StateField()
    voice_felt = StateField()
    informed_felt = StateField()
    complaint_open = StateField()
    months_since_complaint = StateField()
    complaint_felt = StateField()
    repairs_felt = StateField()
    months_since_repair = StateField()
    neighbourhood_felt = StateField()

    def __init__(self, model: HousingModel, index: int):
        super().__init__(model)
        self.index = int(index)

    def needs(self) -> dict[str, float]:
        """Need held now in each domain (need units)."""
        return dict(zip(DOMAINS, (float(x) for x in self.need), strict=True))

    def describe(self) -> dict[str, float | int | bool]:
        """The resident's state as plain values, for a tooltip or a table."""
        names = (
            "block", "estate", "employed", "income_band", "efficacy", "stigma", "trust_landlord",
            "trust_neighbours", "trust_services", "wellbeing", "need_fit", "participated", "tenure_months",
        )
        return {name: getattr(self, name) for name in names}


class Landlord(mesa.Agent):
    """The landlord: budget, a belief about needs that can be wrong, humility, respect, and a policy.

    ``belief`` is the share of residents' need the landlord thinks lies in
    each domain (sums to 1); it means to allocate the service budget by it,
    except for the share of decisions residents hold, which follows
    ``agenda``, residents' own priorities as the participants' room sets them
    (``intended_allocation``). ``provision`` is the allocation actually in
    place: it moves towards the intended one only as fast as the flexible
    part of the budget allows (sim/mechanisms/decisions.py).
    ``baseline_belief`` is what the organisation knows without residents'
    input (its records and professional judgement): staff turnover pulls
    the belief back towards it. ``pressure`` in [0, 1] is how much the
    organisation is under strain (a funding cut, a scandal, a serious
    incident): it fades month by month. ``committed`` (GBP per household per
    month) is the part of the budget tied up in contracts and posts: it
    follows the budget only as contracts come up for renewal, so a cut falls
    first on what is flexible.
    """

    def __init__(self, model: HousingModel, budget: float, belief: np.ndarray, humility: float, respect: float, policy: Policy):
        super().__init__(model)
        self.budget = float(budget)
        self.belief = np.asarray(belief, dtype=float)
        self.baseline_belief = self.belief.copy()
        self.agenda = self.belief.copy()
        self.provision = self.belief.copy()
        self.humility = float(humility)
        self.respect = float(respect)
        self.respect_baseline = float(respect)
        self.policy = policy
        self.pressure = 0.0
        self.committed = 0.0  # set by the model from voice.flexible_share

    def flexible_budget(self, diverted: float) -> float:
        """GBP per household this month not committed in contracts and posts, after ``diverted`` paid for participation."""
        return max(0.0, self.budget - diverted - self.committed)

    def promise(self) -> float:
        """The influence the current policy promises participants."""
        return self.policy.promise()

    def intended_allocation(self) -> np.ndarray:
        """Share of the service budget the landlord means to put in each domain: the belief, and residents' agenda on the share of power they hold."""
        share = self.policy.power_share
        return (1.0 - share) * self.belief + share * self.agenda


class Service(mesa.Agent):
    """A service in one need domain, funded by the landlord's allocation.

    ``capacity`` is the need units it can serve this month (budget,
    residents' co-delivery and any fixed capacity such as a hub);
    ``design_fit`` the share of a unit that actually meets need (how well
    its design fits what residents need); ``designed_for`` where on the
    scale of advantage (0 least, 1 most advantaged; 0.5 the typical tenant)
    sit the people its design was shaped around; ``accessibility`` the share
    of need that can reach it.
    """

    def __init__(self, model: HousingModel, domain: int, accessibility: float, design_fit: float):
        super().__init__(model)
        self.domain = int(domain)
        self.name = DOMAINS[self.domain]
        self.accessibility = float(accessibility)
        self.design_fit = float(design_fit)
        self.default_fit = float(design_fit)
        self.designed_for = 0.5
        self.fixed_capacity = 0.0  # need units per household per month (a hub)
        self.running_cost = 0.0  # GBP per household per month of the fixed capacity
        self.capacity = 0.0
        self.co_delivered = 0.0
