"""Parameter declarations: each component declares its defaults once, here checked.

Every mechanism module declares a :class:`Section` of :class:`Param` next to
the code that uses it, with a default, a unit or range, and a source (or the
word "assumption"). The scenario loader validates user values against these
declarations, docs/ODD.md lists them (a test keeps the two in step), and the
model reads them as ``model.params.<section>.<name>``.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sim.errors import UserError

Value = bool | int | float | str | tuple

LEVER_SECTION_NOTE = (
    "The `[policy]` table takes `name` (the policy) and any of these levers; "
    "each policy has its own defaults."
)


@dataclass(frozen=True)
class Param:
    """One model parameter.

    ``low``/``high`` bound numbers (inclusive); ``choices`` bound strings;
    a tuple default declares a fixed-length vector of numbers in the bounds.
    ``plausible`` is the range the value could plausibly take in a real
    landlord's community, for an uncertain (unmeasured) number: narrower than
    the bounds, which only say what the model accepts. Sensitivity analyses
    and the policy-contrast screening vary every parameter that has one
    (experiments/contrast.toml).
    """

    name: str
    default: Value
    unit: str
    source: str
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    plausible: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.plausible is not None:
            low, high = self.plausible
            inside = (self.low is None or self.low <= low) and (self.high is None or high <= self.high)
            if not (low < high and inside):
                raise ValueError(f"parameter {self.name!r}: plausible range {self.plausible} must be increasing and inside its bounds")

    @property
    def accepted(self) -> str:
        """Plain-language description of the values this parameter accepts."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = _kind_name(self.default)
        if isinstance(self.default, tuple):
            kind = f"a list of {len(self.default)} numbers"
        if self.low is None and self.high is None:
            return kind
        low = "-inf" if self.low is None else _fmt(self.low)
        high = "inf" if self.high is None else _fmt(self.high)
        return f"{kind} in [{low}, {high}]"

    def check(self, value: Any, where: str) -> Value:
        """Return ``value`` converted to this parameter's type, or raise UserError.

        ``where`` names the origin (a file and key) for the message.
        """
        problem = f"{where}: {shown(value)} is not accepted (accepted: {self.accepted})"
        default = self.default
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise UserError(problem)
            return value
        if isinstance(default, tuple):
            if not isinstance(value, list | tuple) or len(value) != len(default):
                raise UserError(problem)
            items = tuple(self._number(v, float, problem) for v in value)
            return items
        if isinstance(default, int):
            return self._number(value, int, problem)
        if isinstance(default, float):
            return self._number(value, float, problem)
        if not isinstance(value, str):
            raise UserError(problem)
        if self.choices is not None and value not in self.choices:
            raise UserError(problem)
        return value

    def _number(self, value: Any, kind: type, problem: str) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(problem)
        # Compare before converting: an integer too large for a float (TOML
        # allows them) must be rejected, not overflow.
        if isinstance(value, float) and (not math.isfinite(value) or (kind is int and not value.is_integer())):
            raise UserError(problem)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise UserError(problem)
        try:
            return kind(value)
        except OverflowError:
            raise UserError(problem) from None


@dataclass(frozen=True)
class Section:
    """A named group of parameters belonging to one component."""

    name: str
    doc: str
    params: tuple[Param, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(names) != len(set(names)):
            raise ValueError(f"section {self.name!r} declares a parameter twice")

    def get(self, name: str) -> Param:
        """The parameter called ``name``; KeyError if none."""
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)

    def defaults(self) -> dict[str, Value]:
        """Each parameter's default, by name."""
        return {p.name: p.default for p in self.params}

    def resolve(self, values: dict[str, Any], where: str) -> dict[str, Value]:
        """Defaults overlaid with checked ``values``; unknown keys raise UserError."""
        resolved = self.defaults()
        for key, value in values.items():
            resolved[key] = self.param_for(key, where).check(value, f"{where}: {self.name}.{cut(key)}")
        return resolved

    def param_for(self, key: str, where: str) -> Param:
        """The parameter called ``key``, or a UserError suggesting the closest name."""
        try:
            return self.get(key)
        except KeyError:
            names = [p.name for p in self.params]
            accepted = ", ".join(names) if names else "no keys here"
            raise UserError(f"{where}: {self.name}.{cut(key)}: unknown key{suggest(key, names)} (accepted: {accepted})") from None


def suggest(key: str, candidates: list[str]) -> str:
    """A ", did you mean 'x'?" hint, or an empty string when nothing is close."""
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    # Suggesting the very name given would be no help: the name is right but not accepted there.
    return f" (did you mean {close[0]!r}?)" if close and close[0] != key else ""


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` for a message, shortened; safe for integers too long to print."""
    try:
        text = repr(value)
    except ValueError:  # Python refuses to print integers of more than 4300 digits
        return "<a very long integer>"
    return cut(text, limit)


PATH_LIMIT = 200
"""How much of a file's path a message echoes (a real path is shorter; a 5,000-character one would bury the message)."""


def cut(text: str, limit: int = 60) -> str:
    """``text`` (a key or name the user wrote, echoed as written) shortened for a message, on one line."""
    text = str(text)
    if not text.isprintable():  # a quoted TOML key may hold a line break: the message stays one line
        text = repr(text)[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_namespace(values: dict[str, Value]) -> SimpleNamespace:
    """Read-only-by-convention attribute access: ``params.trust.gain_rate``."""
    return SimpleNamespace(**values)


def _kind_name(default: Value) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    return "a string"


def _fmt(x: float) -> str:
    return f"{x:g}"
