"""Residents' state as arrays over resident slots: the one source of truth.

Row ``i`` of every array belongs to the household living in dwelling ``i``
(the :class:`~sim.agents.Resident` agent with ``index == i`` reads and writes
that row). Mechanisms update whole arrays at once, which is what makes a step
over 10,000 or 1,000,000 households cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.arraytools import expit

DOMAINS: tuple[str, ...] = ("repairs", "employment", "health", "community")
"""Need domains, in the column order of every (n, 4) array and belief vector."""

REPAIRS, EMPLOYMENT, HEALTH, COMMUNITY = range(len(DOMAINS))

INCOME_BANDS = 5
"""Income bands 0 (lowest) to 4."""

NEVER = 10_000
"""A months-since counter of a household for which the thing has not happened since moving in."""

NEVER_COMPLAINED = NEVER
"""``months_since_complaint`` of a household that has not complained (since moving in)."""

NO_DOMAIN = -1
"""``raised`` of a household that raised nothing this month."""


@dataclass
class HouseholdTraits:
    """What a household brings when it moves in (drawn by ``sim.population``)."""

    advantage: np.ndarray  # latent advantage, standard normal; fixes the equity fifths
    need_profile: np.ndarray  # (n, 4) mean new need per month, need units
    need: np.ndarray  # (n, 4) need held now, need units
    working_age: np.ndarray  # bool
    employed: np.ndarray  # bool
    income_band: np.ndarray  # int, 0..4
    efficacy: np.ndarray  # [0, 1]
    stigma: np.ndarray  # internalised stigma, [0, 1]
    trust_landlord: np.ndarray  # [0, 1]
    trust_neighbours: np.ndarray  # [0, 1]
    trust_services: np.ndarray  # [0, 1]
    voice_expectation: np.ndarray  # expected influence when asked, [0, 1]
    time_available: np.ndarray  # share of a month's free time, [0, 1]
    aspiration: np.ndarray  # [0, 1]
    tenure_months: np.ndarray  # months in this home
    carer: np.ndarray  # bool, caring responsibilities (a lone parent, an unpaid carer): less free time


@dataclass
class ResidentState(HouseholdTraits):
    """Everything the model knows about residents, one row per dwelling."""

    block: np.ndarray  # int, the block the dwelling is in
    estate: np.ndarray  # int, the estate the block is in
    position: np.ndarray  # logistic(advantage): the household's place on the 0-1 scale of advantage (fixed per household)
    months_since_moved_up: np.ndarray  # int, months since moving into work or up a band; NEVER if not since moving in
    wellbeing: np.ndarray  # [0, 1]
    need_fit: np.ndarray  # share of this month's need met, [0, 1]
    participated: np.ndarray  # bool, took part this month
    contacted: np.ndarray  # bool, reached by outreach this month
    raised: np.ndarray  # int, the need domain a participant raised this month (NO_DOMAIN if none)
    delivered: np.ndarray  # bool, what the participant raised was acted on and delivered this month
    change_standing: np.ndarray  # bool, a change this household won is in place and could still be reversed
    reversed: np.ndarray  # bool, a change this household won was reversed this month
    influence_seen: np.ndarray  # the influence a resident with a say saw this month (own request and the room's), [0, 1]; 0 for others
    fatigue: np.ndarray  # strain of taking part month after month, [0, 1]
    respect_felt: np.ndarray  # perceived respect from the landlord (moving average), [0, 1]
    voice_felt: np.ndarray  # perceived "listens and acts" (moving average), [0, 1]
    informed_felt: np.ndarray  # perceived "keeps you informed" (moving average), [0, 1]
    complaint_open: np.ndarray  # bool, a complaint about repairs is in progress
    months_since_complaint: np.ndarray  # int, 0 while a complaint is open; NEVER if none
    complaint_felt: np.ndarray  # view of how the last complaint was handled (moving average), [0, 1]
    unmet_repairs: np.ndarray  # repairs need left unmet this month, need units
    repairs_felt: np.ndarray  # view of repairs: share of own repairs need met (moving average over months with repairs need), [0, 1]
    months_since_repair: np.ndarray  # int, 0 in a month the household held repairs need; NEVER if none since moving in
    neighbourhood_felt: np.ndarray  # view of the landlord's part in the neighbourhood: share of the estate's community need met (moving average), [0, 1]

    def had_say(self) -> np.ndarray:
        """Bool per household: saw what became of its say this month (took part, or a change it won was reversed)."""
        return self.participated | self.reversed

    def moved_up_within(self, months: int) -> np.ndarray:
        """Bool per household: moved into work or up an income band within the last ``months`` months."""
        return self.months_since_moved_up < months

    @property
    def n(self) -> int:
        """Number of resident slots (households)."""
        return len(self.block)

    @classmethod
    def create(cls, traits: HouseholdTraits, block: np.ndarray, estate: np.ndarray) -> ResidentState:
        """State for newly built community: traits plus position plus derived starting values."""
        n = len(block)
        values = {f.name: getattr(traits, f.name) for f in fields(HouseholdTraits)}
        return cls(
            **values,
            block=np.asarray(block, dtype=np.int64),
            estate=np.asarray(estate, dtype=np.int64),
            position=expit(traits.advantage),
            months_since_moved_up=np.full(n, NEVER, dtype=np.int64),
            wellbeing=np.full(n, 0.5),
            need_fit=np.ones(n),
            participated=np.zeros(n, dtype=bool),
            contacted=np.zeros(n, dtype=bool),
            raised=np.full(n, NO_DOMAIN, dtype=np.int64),
            delivered=np.zeros(n, dtype=bool),
            change_standing=np.zeros(n, dtype=bool),
            reversed=np.zeros(n, dtype=bool),
            influence_seen=np.zeros(n),
            fatigue=np.zeros(n),
            respect_felt=traits.trust_landlord.copy(),
            voice_felt=traits.trust_landlord.copy(),
            informed_felt=traits.trust_landlord.copy(),
            complaint_open=np.zeros(n, dtype=bool),
            months_since_complaint=np.full(n, NEVER_COMPLAINED, dtype=np.int64),
            complaint_felt=traits.trust_landlord.copy(),
            unmet_repairs=np.zeros(n),
            repairs_felt=traits.trust_landlord.copy(),
            months_since_repair=np.full(n, NEVER, dtype=np.int64),
            neighbourhood_felt=traits.trust_landlord.copy(),
        )

    def replace_households(self, slots: np.ndarray, traits: HouseholdTraits) -> None:
        """New households move into ``slots`` (row-wise reset; position unchanged)."""
        for f in fields(HouseholdTraits):
            getattr(self, f.name)[slots] = getattr(traits, f.name)
        self.position[slots] = expit(traits.advantage)
        self.months_since_moved_up[slots] = NEVER
        self.wellbeing[slots] = 0.5
        self.need_fit[slots] = 1.0
        self.participated[slots] = False
        self.contacted[slots] = False
        self.raised[slots] = NO_DOMAIN
        self.delivered[slots] = False
        self.change_standing[slots] = False
        self.reversed[slots] = False
        self.influence_seen[slots] = 0.0
        self.fatigue[slots] = 0.0
        self.respect_felt[slots] = traits.trust_landlord
        self.voice_felt[slots] = traits.trust_landlord
        self.informed_felt[slots] = traits.trust_landlord
        self.complaint_open[slots] = False
        self.months_since_complaint[slots] = NEVER_COMPLAINED
        self.complaint_felt[slots] = traits.trust_landlord
        self.unmet_repairs[slots] = 0.0
        self.repairs_felt[slots] = traits.trust_landlord
        self.months_since_repair[slots] = NEVER
        self.neighbourhood_felt[slots] = traits.trust_landlord
