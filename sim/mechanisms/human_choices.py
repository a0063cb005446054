"""Choices people make for households: a workshop's participants playing households from their phones.

A person playing a household decides, each month, what the model otherwise
decides for it by its own rule, and nothing else:

- ``take_part``: whether to take part if the landlord invites them this
  month (replaces the household's propensity, sim/mechanisms/participation.py;
  being invited, the channel's capacity and everything after are the model's);
- ``raise_domain``: which need to raise if they take part (replaces the draw
  in proportion to need, sim/mechanisms/voice.py);
- ``complain``: whether to complain if a repair is still outstanding after
  this month's delivery (replaces the draw against efficacy,
  sim/mechanisms/complaints.py);
- ``call_on_neighbour``: whether to call on a neighbour in the block this
  month (help out, have a chat; replaces the chance meeting,
  sim/mechanisms/social_capital.py; which neighbour is the model's draw).

A team may play the landlord (:class:`LandlordChoice`): which kinds of
request (by need domain) it acts on this month, on its share of the
decisions, in place of the policy's commitment and its humility
(``Policy.chance_acted_on``). Residents' share of power, the room's backing,
the budget (only what the flexible budget can pay for is funded) and
everything else stay the model's.

A choice left as None falls back to the model's rule. Every random number
the model draws is drawn as before, one per household, whatever a person
chose: a run with people's choices and the same run without them (the same
seed) differ only through what the people chose (common random numbers), so
the difference is what the people changed.

The choices of a month are set in ``model.human_choices`` (household index
to :class:`HouseholdChoice`) and ``model.landlord_choice`` before the month
and apply to that month only: the model empties them after the month
(:meth:`sim.model.HousingModel.step`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import UserError
from sim.state import DOMAINS

if TYPE_CHECKING:
    from sim.model import HousingModel


@dataclass(frozen=True)
class HouseholdChoice:
    """What a person chose for their household this month (None: the model's own rule)."""

    take_part: bool | None = None
    raise_domain: int | None = None
    complain: bool | None = None
    call_on_neighbour: bool | None = None

    def __post_init__(self) -> None:
        for name in ("take_part", "complain", "call_on_neighbour"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool | np.bool_):
                raise UserError(f"choice {name}: {value!r} is not accepted (accepted: true, false or none)")
        d = self.raise_domain
        if d is not None and (isinstance(d, bool) or not isinstance(d, int | np.integer) or not 0 <= d < len(DOMAINS)):
            raise UserError(f"choice raise_domain: {d!r} is not accepted (accepted: 0 to {len(DOMAINS) - 1}, for {', '.join(DOMAINS)}, or none)")

    def as_record(self) -> dict[str, Any]:
        """Its fields by name (None where the model's rule applies)."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> HouseholdChoice:
        """A choice from :meth:`as_record`'s dict (missing or NaN fields: None)."""
        values = {}
        for f in fields(cls):
            value = record.get(f.name)
            if value is None or (isinstance(value, float) and np.isnan(value)):
                values[f.name] = None
            elif f.name == "raise_domain":
                values[f.name] = int(value)
            else:
                values[f.name] = bool(value)
        return cls(**values)


@dataclass(frozen=True)
class LandlordChoice:
    """Which kinds of request (one flag per need domain, in ``DOMAINS`` order) people playing the landlord act on this month."""

    act_on: tuple[bool, ...]

    def __post_init__(self) -> None:
        if len(self.act_on) != len(DOMAINS) or not all(isinstance(a, bool | np.bool_) for a in self.act_on):
            raise UserError(f"landlord choice act_on: {self.act_on!r} is not accepted (accepted: {len(DOMAINS)} true or false, for {', '.join(DOMAINS)})")

    def chance_acted_on(self, policy, support: np.ndarray, raised: np.ndarray) -> np.ndarray:
        """Chance each participant's request is acted on, before funding: the room decides residents' share, the team the rest."""
        chosen = np.asarray(self.act_on, dtype=float)[raised]
        return policy.power_share * support + (1.0 - policy.power_share) * chosen

    def as_record(self) -> dict[str, Any]:
        """One ``act_on_<domain>`` field per domain."""
        return {f"act_on_{d}": bool(a) for d, a in zip(DOMAINS, self.act_on, strict=True)}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> LandlordChoice:
        """A choice from :meth:`as_record`'s dict."""
        return cls(tuple(bool(record[f"act_on_{d}"]) for d in DOMAINS))


def chosen(model: HousingModel, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The households whose person set ``name`` this month, and what they set (two arrays, in household order)."""
    made = model.human_choices
    if not made:
        return _NONE
    pairs = sorted((h, getattr(c, name)) for h, c in made.items() if getattr(c, name) is not None)
    if not pairs:
        return _NONE
    households, values = zip(*pairs, strict=True)
    return np.asarray(households, dtype=np.int64), np.asarray(values)


_NONE = (np.empty(0, dtype=np.int64), np.empty(0))
