"""Experiment files: which scenarios, which parameters vary and how, which seeds, steps and outcomes.

TOML, read with the standard library and checked like scenario files: every
mistake is one sentence ``FILE: key: problem (accepted: ...)``. As in the EMA
Workbench, the parameters that vary are kept apart by kind: **levers** (policy
choices someone could make), **uncertainties** (what nobody knows, such as how
right the landlord's beliefs are) and **constants** (fixed for every run). All
keys but ``scenarios`` are optional::

    name = "Outreach against power"
    description = "What this experiment asks, in plain language."
    scenarios = ["co_production"]      # names in scenarios/, or paths ending in .toml (relative to this file)
    baseline = "co_production"         # differences are taken from this scenario (default: the first)
    seeds = 20                         # seeds 1 to 20, or an explicit list such as [3, 7, 11]
    steps = 120                        # months (default: the scenarios' own)
    outcomes = ["trust_landlord", "equity_gap", "cost"]   # default: the 20 stable outcome columns

    [levers]
    policy.outreach = [0.0, 0.1, 0.2, 0.4]                      # a list of values
    policy.power_share = { low = 0.0, high = 1.0, levels = 5 }  # a range (levels: for grid sampling)

    [uncertainties]
    landlord.belief_accuracy = { low = 0.0, high = 1.0, levels = 3 }

    [constants]
    community.residents = 500

    [sampling]
    method = "grid"                    # grid (every combination) | latin (Latin hypercube) | sobol (Sobol sequence)
    samples = 32                       # latin and sobol: number of points (sobol: a power of 2)
    seed = 1                           # the sampler's seed
    pairing = "crossed"                # crossed: every point with every seed (default);
                                       # "one seed per point": point i runs with the i-th seed only
                                       # (a population, e.g. of landlords, each with its own community)

    [sensitivity]                      # used by `run.py sensitivity`
    trajectories = 10                  # Morris: number of trajectories
    levels = 4                         # Morris: grid levels (even)
    samples = 64                       # Sobol: base sample size N (a power of 2)
    contrast = ["co_production", "paternalistic"]   # also screen A minus B, paired by seed (two of the scenarios)

A parameter is named ``section.key`` as in scenario files (``residents`` and
``policy`` are shorthands for ``community.residents`` and ``policy.name``).
Every scenario runs with every parameter point and every seed: the same seeds
everywhere (common random numbers), so differences are paired.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim import scenario as scenarios
from sim import size_guard, toml_text
from sim.batch import from_today, posterior_points
from sim.batch.posterior_points import PosteriorDraws
from sim.catalogue import SECTIONS_BY_NAME
from sim.errors import UserError
from sim.mechanisms.outcomes import EXTRA, OUTCOMES
from sim.parameters import PATH_LIMIT, Param, Section, Value, cut, shown, suggest
from sim.policies import LEVERS, POLICIES

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_DIR = ROOT / "scenarios"

TOP_LEVEL = ("name", "description", "scenarios", "start_from", "baseline", "seeds", "steps", "outcomes", "levers", "uncertainties", "constants", "sampling",
             "sensitivity", "posterior")
GROUPS = ("levers", "uncertainties", "constants")
VARYING = ("levers", "uncertainties")
METHODS = ("grid", "latin", "sobol")
RANGE_KEYS = ("low", "high", "levels")
SAMPLING_KEYS = ("method", "samples", "seed", "pairing")
PAIRINGS = ("crossed", "one seed per point")
SENSITIVITY_KEYS = ("trajectories", "levels", "samples", "contrast")
MAX_SEEDS = 1_000_000
MAX_SAMPLES = 10_000_000

POLICY_NAME = Param("name", scenarios.DEFAULT_POLICY, "policy", "scenario choice", "The participation policy.", choices=tuple(sorted(POLICIES)))
"""``policy.name`` declared like a parameter, so it can be a lever or a constant."""


@dataclass(frozen=True)
class Factor:
    """One parameter that varies between an experiment's points: a list of values or a range."""

    name: str
    group: str
    param: Param
    values: tuple[Value, ...] | None = None
    low: float | None = None
    high: float | None = None
    levels: int | None = None

    @property
    def is_range(self) -> bool:
        return self.values is None

    @property
    def is_integer(self) -> bool:
        return isinstance(self.param.default, int) and not isinstance(self.param.default, bool)

    def grid_values(self) -> tuple[Value, ...]:
        """The values a grid takes: the list, or ``levels`` evenly spaced values over the range."""
        if self.values is not None:
            return self.values
        assert self.levels is not None and self.low is not None and self.high is not None
        step = (self.high - self.low) / (self.levels - 1)
        return tuple(dict.fromkeys(self.convert(self.low + i * step) for i in range(self.levels)))

    def from_unit(self, u: float) -> Value:
        """The value at position ``u`` in [0, 1): uniform over the list, or over the range."""
        if self.values is not None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        assert self.low is not None and self.high is not None
        if self.is_integer:  # every whole number in [low, high] equally likely
            return min(int(self.high), math.floor(self.low + u * (self.high - self.low + 1)))
        return self.convert(self.low + u * (self.high - self.low))

    def convert(self, x: float) -> Value:
        """A number from the range as the parameter's type (whole numbers rounded), kept within the range."""
        assert self.low is not None and self.high is not None
        x = min(max(float(x), self.low), self.high)
        return round(x) if self.is_integer else x

    def to_dict(self) -> dict[str, Any]:
        if self.values is not None:
            return {"group": self.group, "values": list(self.values)}
        return {"group": self.group, "low": self.low, "high": self.high, "levels": self.levels}


@dataclass(frozen=True)
class ScenarioRef:
    """A scenario file used by an experiment: its short key, path, content hash and checked contents."""

    key: str
    path: Path
    sha256: str
    scenario: scenarios.Scenario = field(repr=False)
    switches_at_month_0: bool = False
    """Derived by ``start_from``: the start scenario's world and status quo, this file's policy from month 0 (sim.batch.from_today)."""


@dataclass(frozen=True)
class Sampling:
    """How a sweep's points are chosen."""

    method: str = "grid"
    samples: int | None = None
    seed: int = 1
    pairing: str = "crossed"


@dataclass(frozen=True)
class SensitivitySettings:
    """Design sizes for ``run.py sensitivity``, and the pair of scenarios whose contrast it screens (A minus B), if any."""

    trajectories: int = 10
    levels: int = 4
    samples: int = 64
    contrast: tuple[str, str] | None = None


@dataclass(frozen=True)
class Experiment:
    """A checked experiment: scenarios x parameter points x seeds, and what to record."""

    name: str
    description: str
    source: str
    scenarios: tuple[ScenarioRef, ...]
    baseline: str
    seeds: tuple[int, ...]
    steps: int
    outcomes: tuple[str, ...]
    constants: dict[str, Value]
    factors: tuple[Factor, ...]
    sampling: Sampling = Sampling()
    sensitivity: SensitivitySettings = SensitivitySettings()
    sha256: str | None = None
    start_from: str | None = None  # the start scenario's path (sim.batch.from_today)
    posterior: PosteriorDraws | None = None  # the points are posterior draws (sim.batch.posterior_points)

    def scenario(self, key: str) -> ScenarioRef:
        return next(ref for ref in self.scenarios if ref.key == key)

    def to_dict(self) -> dict[str, Any]:
        """Everything resolved, as plain data (for the manifest)."""
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "sha256": self.sha256,
            "scenarios": {ref.key: str(ref.path) for ref in self.scenarios},
            "baseline": self.baseline,
            "seeds": list(self.seeds),
            "steps": self.steps,
            "outcomes": list(self.outcomes),
            "constants": dict(self.constants),
            "factors": {f.name: f.to_dict() for f in self.factors},
            "sampling": {"method": self.sampling.method, "samples": self.sampling.samples, "seed": self.sampling.seed, "pairing": self.sampling.pairing},
            "sensitivity": {"trajectories": self.sensitivity.trajectories, "levels": self.sensitivity.levels, "samples": self.sensitivity.samples,
                            **({"contrast": list(self.sensitivity.contrast)} if self.sensitivity.contrast else {})},
            **({"start_from": self.start_from} if self.start_from else {}),
            **({"posterior": self.posterior.to_dict()} if self.posterior else {}),
        }


# -- loading ----------------------------------------------------------------------------


def load(path: str | Path) -> Experiment:
    """Read and check the experiment file at ``path``."""
    path = Path(path)
    data, data_bytes = read_toml(path, "experiment file", "experiments/headline.toml")
    return build(data, str(path), path.parent, sha256=hashlib.sha256(data_bytes).hexdigest())


def read_toml(path: Path, what: str, example: str) -> tuple[dict[str, Any], bytes]:
    """A TOML file's data and bytes; every way it can fail is one sentence naming the file (``what``: "experiment file", ...)."""
    where = str(path)
    try:
        data_bytes = size_guard.read_capped(path, what)
        text = toml_text.decode(data_bytes)
    except FileNotFoundError:
        raise UserError(f"{where}: no such {what} (accepted: a path to a .toml file, e.g. {example})") from None
    except IsADirectoryError:
        raise UserError(f"{where}: is a folder, not a {what} (accepted: a path to a .toml file)") from None
    except UnicodeDecodeError:
        raise UserError(f"{where}: is not UTF-8 text (accepted: a TOML file)") from None
    except (OSError, ValueError) as error:
        raise UserError(f"{cut(where, PATH_LIMIT)}: cannot be read: {getattr(error, 'strerror', None) or error} (accepted: a path to a readable .toml file)") from None
    return toml_text.parse(text, where, example), data_bytes


def comparison(scenario_names: list[str], seeds: int | list[int], steps: int | None = None, constants: dict[str, Any] | None = None, baseline: str | None = None,
               name: str | None = None, where: str = "compare", outcomes: list[str] | None = None) -> Experiment:
    """An experiment comparing scenarios (no parameter varies), as the ``compare`` command builds it (``outcomes``: default all)."""
    name = name or "Comparison of " + ", ".join(Path(s).stem for s in scenario_names)
    data: dict[str, Any] = {"name": name, "scenarios": list(scenario_names), "seeds": seeds}
    if steps is not None:
        data["steps"] = steps
    if baseline is not None:
        data["baseline"] = baseline
    if outcomes is not None:
        data["outcomes"] = list(outcomes)
    if constants:
        data["constants"] = dict(constants)
    return build(data, where, Path.cwd())


def build(data: dict[str, Any], where: str, base_dir: Path, sha256: str | None = None) -> Experiment:
    """Check raw experiment data (as parsed from TOML) and resolve every value."""
    if "calibration" in data:
        raise UserError(f"{where}: calibration: this is a calibration file (accepted: python run.py calibrate {where})")
    for key in data:
        if key not in TOP_LEVEL:
            raise UserError(f"{where}: {cut(key)}: unknown key{suggest(key, list(TOP_LEVEL))} (accepted: {', '.join(TOP_LEVEL)})")
    name = _string(data, "name", where, "experiment")
    description = _string(data, "description", where, "")
    refs = _scenarios(data, where, base_dir)
    start_from = None
    if "start_from" in data:
        refs, start_from = _from_today(data["start_from"], refs, where, base_dir)
    keys = [ref.key for ref in refs]
    baseline = _string(data, "baseline", where, keys[0])
    if baseline not in keys:
        raise UserError(f"{where}: baseline: {shown(baseline)} is not one of the experiment's scenarios{suggest(baseline, keys)} (accepted: {', '.join(keys)})")
    seeds = _seeds(data, where)
    steps = _steps(data, where, refs)
    outcomes = _outcomes(data, where)

    groups = {}
    for group in GROUPS:
        table = data.get(group, {})
        if not isinstance(table, dict):
            raise UserError(f"{where}: {group}: must be a table (accepted: a [{group}] table of section.key = ...)")
        groups[group] = flatten(table, f"{where}: {group}")
    seen: dict[str, str] = {}
    for group, specs in groups.items():
        for key in specs:
            if key in seen:
                raise UserError(f"{where}: {group}.{cut(key)}: already given in [{seen[key]}] (accepted: each parameter in one of levers, uncertainties, constants)")
            seen[key] = group
    constants = {key: declaration(key, f"{where}: constants").check(value, f"{where}: constants.{key}") for key, value in groups["constants"].items()}
    factors = tuple(_factor(key, spec, group, where) for group in VARYING for key, spec in groups[group].items())
    posterior = None
    if "posterior" in data:
        if factors:
            raise UserError(f"{where}: posterior: the points are the posterior's draws, so [levers] and [uncertainties] cannot vary too "
                            "(accepted: [posterior] alone, or ranges without it)")
        posterior = posterior_points.load(data["posterior"], where, base_dir, declaration)
        if start_from is None and any(name.startswith("policy.") for name in posterior.names):
            raise UserError(f"{where}: posterior: its draws set the status quo's levers ({', '.join(n for n in posterior.names if n.startswith('policy.'))}), "
                            "which would overwrite each scenario's own policy (accepted: start_from = the calibrated scenario, so they set where the landlord starts)")
        data = {**data, "sampling": {"method": "latin", "samples": posterior.draws}}  # the draws are the sample
    sampling = _sampling(data, where, factors) if posterior is None else Sampling("latin", posterior.draws, posterior.seed, "crossed")
    sensitivity = _sensitivity(data, where, keys)
    return Experiment(name, description, where, refs, baseline, seeds, steps, outcomes, constants, factors, sampling, sensitivity, sha256, start_from, posterior)


def scenario_path(text: str, base_dir: Path) -> Path:
    """Where a scenario given in an experiment or on the command line lives.

    A bare name (no ``.toml``, no folder) is a file in the project's
    ``scenarios/`` folder; anything else is a path relative to ``base_dir``.
    """
    if not text.endswith(".toml") and "/" not in text and "\\" not in text:
        return SCENARIO_DIR / f"{text}.toml"
    path = Path(text)
    return path if path.is_absolute() else base_dir / path


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name too long for the file system
        return False


def shipped_scenarios() -> list[str]:
    """Names of the scenario files in the project's ``scenarios/`` folder."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def canonical(name: str) -> str:
    """``section.key`` for any accepted spelling (``section__key``, ``residents``, ``policy``)."""
    return scenarios.SHORTHANDS.get(name, name).replace("__", ".")


def declaration(name: str, where: str) -> Param:
    """The declared parameter called ``name`` (``section.key``), or a UserError suggesting the closest name."""
    section, _, key = name.partition(".")
    if section == "policy" and key == "name":
        return POLICY_NAME
    if section == "policy" and key:
        return Section("policy", "The policy's levers.", LEVERS).param_for(key, where)
    if section in SECTIONS_BY_NAME and key:
        return SECTIONS_BY_NAME[section].param_for(key, where)
    sections = ["policy", *SECTIONS_BY_NAME]
    raise UserError(f"{where}: {cut(name)}: unknown parameter{suggest(section, sections)} (accepted: section.key with a section among {', '.join(sections)}; see `python run.py params`)")


# -- the parts ------------------------------------------------------------------------------


def _string(data: dict[str, Any], key: str, where: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise UserError(f"{where}: {key}: {shown(value)} is not accepted (accepted: a string)")
    return value


def _scenarios(data: dict[str, Any], where: str, base_dir: Path) -> tuple[ScenarioRef, ...]:
    accepted = f"a list of scenario names in scenarios/ ({', '.join(shipped_scenarios())}) or paths to .toml files relative to {where}"
    if "scenarios" not in data:
        raise UserError(f"{where}: scenarios: missing (accepted: {accepted})")
    names = data["scenarios"]
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        raise UserError(f"{where}: scenarios: {shown(names)} is not accepted (accepted: {accepted})")
    refs = []
    for i, text in enumerate(names):
        path = scenario_path(text, base_dir)
        if not _is_file(path):
            hint = suggest(text, shipped_scenarios()) if "/" not in text else ""
            raise UserError(f"{where}: scenarios[{i}]: no such scenario file {shown(str(path), PATH_LIMIT)}{hint} (accepted: {accepted})")
        loaded = scenarios.load(path)  # first: it reads the file with a size cap
        content = path.read_bytes()
        refs.append(ScenarioRef(path.stem, path, hashlib.sha256(content).hexdigest(), loaded))
    keys = [ref.key for ref in refs]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise UserError(f"{where}: scenarios[{i}]: {shown(key)} is listed twice (accepted: each scenario once; files need different names)")
    return tuple(refs)


def _from_today(text: Any, refs: tuple[ScenarioRef, ...], where: str, base_dir: Path) -> tuple[tuple[ScenarioRef, ...], str]:
    """Each listed scenario's policy from month 0 in the world and status quo of the ``start_from`` scenario (sim.batch.from_today)."""
    if not isinstance(text, str) or not text:
        raise UserError(f"{where}: start_from: {shown(text)} is not accepted (accepted: a scenario name or path, e.g. \"england_baseline\")")
    path = scenario_path(text, base_dir)
    if not _is_file(path):
        raise UserError(f"{where}: start_from: no such scenario file {shown(str(path), PATH_LIMIT)}{suggest(text, shipped_scenarios())} "
                        "(accepted: a scenario name in scenarios/ or a path to a .toml file)")
    start = scenarios.load(path)
    start_bytes = path.read_bytes()
    derived = []
    for i, ref in enumerate(refs):
        if ref.path.resolve() == path.resolve():
            derived.append(ref)  # the status quo carried on
            continue
        scenario, digest = from_today.derive(start, path, start_bytes, ref.scenario, ref.path, ref.path.read_bytes(), f"{where}: scenarios[{i}]")
        derived.append(ScenarioRef(ref.key, ref.path, digest, scenario, switches_at_month_0=True))
    return tuple(derived), str(path)


def _seeds(data: dict[str, Any], where: str) -> tuple[int, ...]:
    value = data.get("seeds", 10)
    accepted = f"a number of seeds from 1 to {MAX_SEEDS} (seeds 1 to N) or a list of distinct whole numbers from 0 to {scenarios.MAX_SEED}"
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= MAX_SEEDS:
            raise UserError(f"{where}: seeds: {shown(value)} is not accepted (accepted: {accepted})")
        return tuple(range(1, value + 1))
    if not isinstance(value, list) or not value:
        raise UserError(f"{where}: seeds: {shown(value)} is not accepted (accepted: {accepted})")
    for seed in value:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= scenarios.MAX_SEED:
            raise UserError(f"{where}: seeds: {shown(seed)} is not accepted (accepted: {accepted})")
    if len(set(value)) != len(value):
        repeated = next(s for i, s in enumerate(value) if s in value[:i])
        raise UserError(f"{where}: seeds: {repeated} is listed twice (accepted: {accepted})")
    return tuple(value)


def _steps(data: dict[str, Any], where: str, refs: tuple[ScenarioRef, ...]) -> int:
    accepted = f"a whole number of months from 1 to {scenarios.MAX_STEPS}"
    if "steps" in data:
        steps = data["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= scenarios.MAX_STEPS:
            raise UserError(f"{where}: steps: {shown(steps)} is not accepted (accepted: {accepted})")
        return steps
    own = {ref.key: ref.scenario.steps for ref in refs}
    if len(set(own.values())) > 1:
        listed = ", ".join(f"{k}: {v}" for k, v in own.items())
        raise UserError(f"{where}: steps: missing, and the scenarios run for different numbers of months ({listed}) (accepted: {accepted}, the same for every scenario)")
    return next(iter(own.values()))


def _outcomes(data: dict[str, Any], where: str) -> tuple[str, ...]:
    value = data.get("outcomes", list(OUTCOMES))
    known = [*OUTCOMES, *EXTRA]
    accepted = f"a list of outcome columns: {', '.join(known)}"
    if not isinstance(value, list) or not value:
        raise UserError(f"{where}: outcomes: {shown(value)} is not accepted (accepted: {accepted})")
    for i, name in enumerate(value):
        if not isinstance(name, str) or name not in known:
            hint = suggest(name, known) if isinstance(name, str) else ""
            raise UserError(f"{where}: outcomes[{i}]: {shown(name)} is not an outcome{hint} (accepted: {accepted})")
        if name in value[:i]:
            raise UserError(f"{where}: outcomes[{i}]: {name!r} is listed twice (accepted: each outcome once)")
    return tuple(value)


def _looks_like_range(value: Any) -> bool:
    return isinstance(value, dict) and any(key in value for key in RANGE_KEYS)


def flatten(table: dict[str, Any], where: str) -> dict[str, Any]:
    """``{section.key: spec}`` from a group table written with dotted keys, quoted keys or sub-tables."""
    flat: dict[str, Any] = {}
    spelled: dict[str, str] = {}  # how each parameter was first written, to name both spellings of a duplicate

    def put(key: str, spec: Any, written: str) -> None:
        # TOML only refuses the same key written the same way: `residents`, `"community.residents"`
        # and `community.residents` are three keys to it, but one parameter here, and the last would silently win.
        name = canonical(key)
        if name in flat:
            raise UserError(f"{where}: {cut(name)}: given twice (as {cut(spelled[name])} and as {cut(written)}) (accepted: each parameter once, under one name)")
        flat[name] = spec
        spelled[name] = written

    for key, value in table.items():
        if key in SECTIONS_BY_NAME and not isinstance(value, dict):
            raise UserError(f"{where}: {key}: is a section, not a parameter (accepted: {key}.KEY = ..., e.g. a parameter of [{key}])")
        if isinstance(value, dict) and not _looks_like_range(value) and "." not in key:  # a section's table (dotted keys)
            for sub, spec in value.items():
                put(f"{key}.{sub}", spec, f"{key}.{sub}")
        else:
            put(key, value, f'"{key}"' if "." in key else key)  # a dot in a single key: it was quoted
    return flat


def _factor(name: str, spec: Any, group: str, where: str) -> Factor:
    here = f"{where}: {group}.{name}"
    param = declaration(name, f"{where}: {group}")
    accepted = "a list of values, or a range { low = ..., high = ..., levels = N } (a fixed value belongs in [constants])"
    if isinstance(spec, list):
        if not spec:
            raise UserError(f"{here}: an empty list is not accepted (accepted: {accepted})")
        values = tuple(param.check(v, here) for v in spec)
        for i, v in enumerate(values):
            if v in values[:i]:
                raise UserError(f"{here}: {shown(spec[i])} is listed twice (accepted: distinct values)")
        return Factor(name, group, param, values=values)
    if not isinstance(spec, dict):
        raise UserError(f"{here}: {shown(spec)} is not accepted (accepted: {accepted})")
    for key in spec:
        if key not in RANGE_KEYS:
            raise UserError(f"{here}.{cut(key)}: unknown key{suggest(key, list(RANGE_KEYS))} (accepted: {', '.join(RANGE_KEYS)})")
    numeric = isinstance(param.default, int | float) and not isinstance(param.default, bool)
    if not numeric:
        raise UserError(f"{here}: a range needs a numeric parameter, and this one is {param.accepted} (accepted: a list of values)")
    for key in ("low", "high"):
        if key not in spec:
            raise UserError(f"{here}.{key}: missing (accepted: a range needs low and high, {param.accepted})")
    low = param.check(spec["low"], f"{here}.low")
    high = param.check(spec["high"], f"{here}.high")
    if not low < high:
        raise UserError(f"{here}: low {shown(low)} is not below high {shown(high)} (accepted: low < high)")
    levels = spec.get("levels")
    if levels is not None and (isinstance(levels, bool) or not isinstance(levels, int) or not 2 <= levels <= 10_000):
        raise UserError(f"{here}.levels: {shown(levels)} is not accepted (accepted: a whole number from 2 to 10000)")
    return Factor(name, group, param, low=float(low), high=float(high), levels=levels)


def whole_number(value: Any, key: str, low: int, high: int, accepted: str | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UserError(f"{key}: {shown(value)} is not accepted (accepted: {accepted or f'a whole number from {low} to {high}'})")
    return value


def _is_power_of_two(n: int) -> bool:
    return n >= 1 and n & (n - 1) == 0


def _table(data: dict[str, Any], key: str, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise UserError(f"{where}: {key}: must be a table (accepted: a [{key}] table with {', '.join(keys)})")
    for name in table:
        if name not in keys:
            raise UserError(f"{where}: {key}.{cut(name)}: unknown key{suggest(name, list(keys))} (accepted: {', '.join(keys)})")
    return table


def _sampling(data: dict[str, Any], where: str, factors: tuple[Factor, ...]) -> Sampling:
    table = _table(data, "sampling", where, SAMPLING_KEYS)
    method = table.get("method", "grid")
    if method not in METHODS:
        raise UserError(f"{where}: sampling.method: {shown(method)} is not accepted{suggest(str(method), list(METHODS))} (accepted: {', '.join(METHODS)})")
    seed = whole_number(table.get("seed", 1), f"{where}: sampling.seed", 0, scenarios.MAX_SEED)
    pairing = table.get("pairing", "crossed")
    if pairing not in PAIRINGS:
        raise UserError(f"{where}: sampling.pairing: {shown(pairing)} is not accepted{suggest(str(pairing), list(PAIRINGS))} (accepted: {', '.join(repr(p) for p in PAIRINGS)})")
    samples = table.get("samples")
    if samples is not None:
        samples = whole_number(samples, f"{where}: sampling.samples", 1, MAX_SAMPLES)
    if method == "grid":
        return Sampling("grid", samples, seed, pairing)  # ranges without levels are refused when a grid is made (sampling.points)
    if samples is None:
        raise UserError(f"{where}: sampling.samples: missing (accepted: the number of points to sample with {method}, e.g. 64)")
    if method == "sobol" and not _is_power_of_two(samples):
        raise UserError(f"{where}: sampling.samples: {samples} is not accepted (accepted: a power of 2 for sobol, e.g. {2 ** max(1, round(math.log2(samples)))})")
    if not factors:
        raise UserError(f"{where}: sampling.method: {method} needs something to vary (accepted: [levers] or [uncertainties] with ranges or lists)")
    return Sampling(method, samples, seed, pairing)


def _sensitivity(data: dict[str, Any], where: str, scenario_keys: list[str]) -> SensitivitySettings:
    table = _table(data, "sensitivity", where, SENSITIVITY_KEYS)
    trajectories = whole_number(table.get("trajectories", 10), f"{where}: sensitivity.trajectories", 2, 100_000)
    levels = whole_number(table.get("levels", 4), f"{where}: sensitivity.levels", 2, 1000)
    if levels % 2:
        raise UserError(f"{where}: sensitivity.levels: {levels} is not accepted (accepted: an even whole number, e.g. 4)")
    samples = whole_number(table.get("samples", 64), f"{where}: sensitivity.samples", 2, MAX_SAMPLES)
    if not _is_power_of_two(samples):
        raise UserError(f"{where}: sensitivity.samples: {samples} is not accepted (accepted: a power of 2, e.g. {2 ** max(1, round(math.log2(samples)))})")
    return SensitivitySettings(trajectories, levels, samples, _contrast(table.get("contrast"), where, scenario_keys))


def _contrast(value: Any, where: str, keys: list[str]) -> tuple[str, str] | None:
    """``sensitivity.contrast``: two different scenarios of the experiment, ``[A, B]`` for A minus B (or None when not given)."""
    if value is None:
        return None
    accepted = f"two different scenarios of this experiment, [A, B] to screen A minus B, among {', '.join(keys)}"
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) for v in value):
        raise UserError(f"{where}: sensitivity.contrast: {shown(value)} is not accepted (accepted: {accepted})")
    for i, name in enumerate(value):
        if name not in keys:
            raise UserError(f"{where}: sensitivity.contrast[{i}]: {shown(name)} is not one of the experiment's scenarios{suggest(name, keys)} (accepted: {accepted})")
    if value[0] == value[1]:
        raise UserError(f"{where}: sensitivity.contrast: {shown(value[0])} is given twice (accepted: {accepted})")
    return (value[0], value[1])
