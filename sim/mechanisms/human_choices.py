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

A choice left as None falls back to the model's rule. Every random number
the model draws is drawn as before, one per household, whatever a person
chose: a run with people's choices and the same run without them (the same
seed) differ only through what the people chose (common random numbers), so
the difference is what the people changed.

The choices of a month are set in ``model.human_choices`` (household index
to :class:`HouseholdChoice`) before the month and apply to that month only:
the model empties it after the month (:meth:`sim.model.HousingModel.step`).
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
