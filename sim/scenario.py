"""Scenario files: TOML in, checked values out, with one clear sentence for any mistake.

A scenario has top-level ``name``, ``description``, ``steps`` and ``seed``;
a ``[policy]`` table with the policy's ``name`` and any of its levers; a
``[status_quo]`` table with the ``policy`` (and levers) the landlord ran
before month 0 and the ``months`` it ran it for (the burn-in: month 0 is
that status quo's steady state); a table per parameter section
(``[community]``, ``[trust]``, ...; see docs/ODD.md); and ``[[events]]``. Everything is optional: missing values take
their declared defaults. Files are read with the standard library's
``tomllib`` (data only, nothing executes). Every problem is reported as
``FILE: key: problem (accepted: ...)``.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim import size_guard, toml_text
from sim.catalogue import SECTIONS, SECTIONS_BY_NAME
from sim.errors import UserError
from sim.events import Event, check_event
from sim.parameters import PATH_LIMIT, Value, cut, shown, suggest
from sim.policies import policy_class

TOP_LEVEL = ("name", "description", "steps", "seed")
TABLES = ("policy", "status_quo", "events", *SECTIONS_BY_NAME)
DEFAULT_POLICY = "paternalistic"
DEFAULT_STATUS_QUO = "paternalistic"
OWN = "own"
"""``status_quo.policy = "own"``: the status quo is the scenario's own policy and levers (a landlord as it is today)."""
DEFAULT_BURN_IN = 120
"""Months the status quo runs before month 0, unless a scenario says otherwise (docs/ODD.md, section 5)."""
MAX_BURN_IN = 12_000
SHORTHANDS = {"residents": "community.residents", "policy": "policy.name"}
"""Override names that stand for a longer key (``HousingModel(residents=..., policy=...)``)."""


@dataclass(frozen=True)
class Scenario:
    """A checked scenario: resolved parameter values, policy, events and where it came from."""

    name: str = "default"
    description: str = ""
    steps: int = 120
    seed: int | None = None
    params: dict[str, dict[str, Value]] = field(default_factory=dict)
    policy: str = DEFAULT_POLICY
    levers: dict[str, Value] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    status_quo: str = DEFAULT_STATUS_QUO
    status_quo_levers: dict[str, Value] = field(default_factory=dict)
    burn_in: int = DEFAULT_BURN_IN
    source: str = "<defaults>"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def with_overrides(self, overrides: dict[str, Any], where: str = "override") -> Scenario:
        """This scenario with ``overrides`` applied (keys ``section.key``, ``section__key``, or a top-level or shorthand name)."""
        raw = copy.deepcopy(self.raw)
        for key, value in overrides.items():
            _assign(raw, key, value, where)
        base_dir = Path(self.source).parent if self.source != "<defaults>" else None
        # Shortening a run is not a mistake: events after its last step simply never fire.
        return build(raw, self.source, base_dir, check_where=where, late_events_ok=True)

    def to_dict(self) -> dict[str, Any]:
        """Everything resolved, as plain data (for a manifest)."""
        return {
            "name": self.name,
            "description": self.description,
            "steps": self.steps,
            "seed": self.seed,
            "source": self.source,
            "policy": {"name": self.policy, **self.levers},
            "status_quo": {"policy": self.status_quo, "months": self.burn_in, **self.status_quo_levers},
            **{section: dict(values) for section, values in self.params.items()},
            "events": [{"step": e.step, "type": e.type, **e.values} for e in self.events],
        }


def default() -> Scenario:
    """The scenario with every value at its default."""
    return build({}, "<defaults>", None)


SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
"""The shipped scenarios: the project's ``scenarios/`` folder."""


def shipped() -> list[str]:
    """Names of the shipped scenarios (their file names without ``.toml``)."""
    return sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))


def locate(spec: str | Path) -> Path:
    """The file a scenario given as ``spec`` is read from: a path, or a shipped scenario's name (``co_production``).

    A relative path is looked for from the current folder, then in the
    shipped scenarios folder, where ``scenarios/NAME.toml`` (as the README
    writes it) is found from any folder too. A bare name (no folder, no
    ``.toml``) that is neither a file here nor a shipped scenario is a
    UserError listing the shipped names; any other path is returned as
    given, for :func:`load` to say what is wrong with it.
    """
    path = Path(spec)
    if path.is_absolute() or _exists(path):
        return path
    candidates = [SCENARIO_DIR / path]
    if len(path.parts) > 1 and path.parts[0] == SCENARIO_DIR.name:
        candidates.append(SCENARIO_DIR.joinpath(*path.parts[1:]))
    bare = len(path.parts) == 1 and path.suffix != ".toml"
    if bare:
        candidates.append(SCENARIO_DIR / f"{path.name}.toml")
    for candidate in candidates:
        if _exists(candidate):
            return candidate
    if bare:
        names, text = shipped(), str(spec)
        raise UserError(f"{cut(text)}: no such scenario{suggest(text, names)} (accepted: a shipped scenario's name: {', '.join(names)}; "
                        "or a path to a .toml file)")
    return path


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # e.g. a name too long for the file system: load says so
        return False


def load(path: str | Path) -> Scenario:
    """Read and check a scenario: a file's path or a shipped scenario's name (see :func:`locate`)."""
    path = locate(path)
    where = str(path)
    try:
        text = toml_text.decode(size_guard.read_capped(path, "scenario file"))
    except FileNotFoundError:
        raise UserError(f"{where}: no such scenario file (accepted: a path to a .toml file, e.g. scenarios/co_production.toml, "
                        f"or a shipped scenario's name: {', '.join(shipped())})") from None
    except IsADirectoryError:
        raise UserError(f"{where}: is a folder, not a scenario file (accepted: a path to a .toml file)") from None
    except UnicodeDecodeError:
        raise UserError(f"{where}: is not UTF-8 text (accepted: a TOML file)") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        raise UserError(f"{cut(where, PATH_LIMIT)}: cannot be read: {getattr(error, 'strerror', None) or error} (accepted: a path to a readable .toml file)") from None
    data = toml_text.parse(text, where, "scenarios/co_production.toml")
    return build(data, where, path.parent)


MAX_STEPS = 1_000_000
MAX_SEED = 2**63 - 1


def build(data: dict[str, Any], where: str, base_dir: Path | None, check_where: str | None = None, late_events_ok: bool = False) -> Scenario:
    """Check raw scenario data (as parsed from TOML) and resolve every value.

    An event after the last step is a mistake in a file, but not in
    overrides (``late_events_ok``), which may shorten a run: such events
    simply never fire.
    """
    here = check_where or where
    for key, value in data.items():
        if key in TOP_LEVEL:
            continue
        if key not in TABLES:
            raise UserError(f"{here}: {cut(key)}: unknown key{suggest(key, [*TOP_LEVEL, *TABLES])} (accepted: {', '.join((*TOP_LEVEL, *TABLES))})")
        if key == "events":
            if not isinstance(value, list):
                raise UserError(f"{here}: events: must be a list of [[events]] tables (accepted: [[events]] with step and type)")
        elif not isinstance(value, dict):
            raise UserError(f"{here}: {key}: must be a table (accepted: a [{key}] table of keys)")

    name = _top(data, "name", str, "default", here, "a string")
    description = _top(data, "description", str, "", here, "a string")
    steps = _top(data, "steps", int, 120, here, f"a whole number from 1 to {MAX_STEPS}")
    if not 1 <= steps <= MAX_STEPS:
        raise UserError(f"{here}: steps: {shown(steps)} is not accepted (accepted: a whole number from 1 to {MAX_STEPS})")
    seed = _top(data, "seed", int, None, here, f"a whole number from 0 to {MAX_SEED}")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise UserError(f"{here}: seed: {shown(seed)} is not accepted (accepted: a whole number from 0 to {MAX_SEED})")

    params = {section.name: section.resolve(data.get(section.name, {}), here) for section in SECTIONS}
    network_file = params["community"]["network_file"]
    if network_file and base_dir is not None and not Path(network_file).is_absolute():
        params["community"]["network_file"] = str(base_dir / network_file)

    policy_table = dict(data.get("policy", {}))
    policy = policy_table.pop("name", DEFAULT_POLICY)
    cls = policy_class(policy, f"{here}: policy.name")
    levers = cls.section().resolve(policy_table, here)

    status_quo, status_quo_levers, burn_in = _status_quo(data.get("status_quo", {}), here, policy, levers)

    events = tuple(check_event(raw, f"{here}: events[{i}]") for i, raw in enumerate(data.get("events", [])))
    late = [e.step for e in events if e.step > steps]
    if late and not late_events_ok:
        raise UserError(f"{here}: events: an event at step {late[0]} is after the last step {steps} (accepted: steps 1 to {steps})")
    return Scenario(name, description, steps, seed, params, policy, levers, events, status_quo, status_quo_levers, burn_in, where, copy.deepcopy(data))


def _status_quo(table: dict[str, Any], where: str, policy: str, levers: dict[str, Value]) -> tuple[str, dict[str, Value], int]:
    """The status quo's policy, its levers and the months it runs before month 0, checked.

    ``policy = "own"`` takes the scenario's own policy and levers (``policy``, ``levers``).
    """
    table = dict(table)
    months = table.pop("months", DEFAULT_BURN_IN)
    if isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= MAX_BURN_IN:
        raise UserError(f"{where}: status_quo.months: {shown(months)} is not accepted (accepted: a whole number of months from 0 to {MAX_BURN_IN})")
    name = table.pop("policy", DEFAULT_STATUS_QUO)
    if name == OWN:
        if table:
            raise UserError(f"{where}: status_quo.{cut(next(iter(table)))}: not accepted with policy = \"own\" (accepted: the levers come from [policy]; only months)")
        return policy, dict(levers), months
    cls = policy_class(name, f"{where}: status_quo.policy")
    section = cls.section()
    for key in table:
        if key not in {p.name for p in section.params}:
            accepted = ["months", "policy", *(p.name for p in section.params)]
            raise UserError(f"{where}: status_quo.{cut(key)}: unknown key{suggest(key, accepted)} (accepted: {', '.join(accepted)})")
    levers = {key: section.get(key).check(value, f"{where}: status_quo.{key}") for key, value in table.items()}
    return name, section.resolve(levers, where), months


def _top(data: dict[str, Any], key: str, kind: type, default: Any, where: str, accepted: str) -> Any:
    if key not in data:
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise UserError(f"{where}: {key}: {shown(value)} is not accepted (accepted: {accepted})")
    return value


def _assign(raw: dict[str, Any], key: str, value: Any, where: str) -> None:
    """Put an override into raw scenario data."""
    key = SHORTHANDS.get(key, key).replace("__", ".")
    if key in TOP_LEVEL:
        raw[key] = value
        return
    section, _, name = key.partition(".")
    if section == "events":
        raise UserError(f"{where}: {cut(key)}: events cannot be set here, only as [[events]] tables with step and type in a scenario file "
                        "(accepted: section.key, e.g. trust.gain_rate, or name, description, steps, seed, residents, policy)")
    if not name or section not in TABLES:
        accepted = "section.key (e.g. trust.gain_rate), " + ", ".join((*TOP_LEVEL, *SHORTHANDS))
        raise UserError(f"{where}: {cut(key)}: unknown setting{suggest(section, [*TOP_LEVEL, *TABLES])} (accepted: {accepted})")
    table = raw.setdefault(section, {})
    if not isinstance(table, dict):
        raise UserError(f"{where}: {section}: is not a table")
    # Changing policy.name keeps the levers the user set explicitly; the rest
    # take the new policy's defaults when the scenario is rebuilt.
    table[name] = value


def parse_assignment(text: str, where: str = "--set") -> tuple[str, Any]:
    """``key=value`` from the command line; the value is read as TOML (a number, true, a list...) or else a string."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UserError(f"{where}: {shown(text)} is not accepted (accepted: key=value, e.g. trust.gain_rate=0.1)")
    if "\n" in text or "\r" in text:
        raise UserError(f"{where}: {shown(text)} is not accepted (accepted: key=value on one line)")
    try:
        document = tomllib.loads(f"v = {value.strip()}")
    except (tomllib.TOMLDecodeError, ValueError):
        return key, value.strip()
    except RecursionError:
        raise UserError(f"{where}: the value of {shown(key)} is nested too deeply to read (accepted: a number, true or false, a string, or a list)") from None
    return key, document["v"]
