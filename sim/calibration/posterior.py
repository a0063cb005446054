"""The posterior file: weighted parameter draws (``posterior.csv``) and how they were made (``posterior.json``).

``posterior.csv`` has one row per draw: a column per parameter, in the
order of ``posterior.json``, and ``weight`` (the draws' importance weights,
summing to 1). Numbers are written with Python's ``repr``, the shortest text
that reads back as the same float, so the file round-trips exactly and two
runs that agree give byte-identical files.

``posterior.json`` holds the parameters and their uniform prior bounds, the
targets with their tolerances, the epsilon and number of simulations of each
generation (the first is the prior: no epsilon), the seed, the population
size, the pyabc version, and ``key``: whatever else the caller says the
simulations depend on (a scenario's hash, the months simulated). Nothing in
it depends on the machine, the workers or the time taken.

Both files are written whole to a temporary name and then renamed, so a
folder never holds half a posterior. Reading checks everything and reports
the first problem as a :class:`sim.errors.UserError` naming the file.
"""

from __future__ import annotations

import csv
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibration import adjustment as adjustment_methods
from sim.errors import UserError

FORMAT = 1
DRAWS = "posterior.csv"
ABOUT = "posterior.json"
WEIGHT = "weight"
WEIGHT_SUM_SLACK = 1e-9
"""How far the weights may sum from 1 (rounding in pyabc's normalisation is around 1e-16 per draw)."""

DISTANCE = "root mean square over the targets of (simulated - value) / tolerance"


@dataclass(frozen=True, eq=False)
class Posterior:
    """Weighted draws from an ABC-SMC posterior, with how they were made."""

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]  # uniform prior (low, high) per parameter
    draws: np.ndarray  # draw x parameter
    weights: np.ndarray  # per draw, summing to 1
    targets: tuple[tuple[str, float, float], ...]  # (summary statistic, value, tolerance)
    epsilons: tuple[float | None, ...]  # per generation; None for the first (the prior)
    simulations: tuple[int, ...]  # per generation, up to the last accepted candidate
    seed: int
    population_size: int
    pyabc_version: str
    key: dict[str, Any] = field(default_factory=dict)
    adjustment: str = adjustment_methods.NONE  # LINEAR: the last generation regression-adjusted (sim.calibration.adjustment)

    @property
    def generations(self) -> int:
        return len(self.epsilons)

    @property
    def effective_size(self) -> float:
        """How many equally weighted parameter sets the weights are worth (:func:`effective_size`)."""
        return effective_size(self.weights)

    def mean(self) -> np.ndarray:
        """Posterior mean of each parameter."""
        return self.weights @ self.draws

    def std(self) -> np.ndarray:
        """Posterior standard deviation of each parameter."""
        return np.sqrt(self.weights @ (self.draws - self.mean()) ** 2)

    def quantile(self, q: float) -> np.ndarray:
        """Each parameter's ``q`` quantile: the smallest draw whose cumulative weight reaches ``q``."""
        out = np.empty(len(self.names))
        for j in range(len(self.names)):
            order = np.argsort(self.draws[:, j], kind="stable")
            reached = np.cumsum(self.weights[order]) >= q - WEIGHT_SUM_SLACK
            out[j] = self.draws[order[int(np.argmax(reached))], j]
        return out


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of importance weights: ``(sum w)^2 / sum w^2``."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / np.square(weights).sum())


def write(posterior: Posterior, folder: Path) -> None:
    """Write ``posterior.csv`` and ``posterior.json`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    about = {
        "format": FORMAT,
        "parameters": [{"name": n, "low": lo, "high": hi} for n, (lo, hi) in zip(posterior.names, posterior.bounds, strict=True)],
        "targets": [{"name": n, "value": v, "tolerance": t} for n, v, t in posterior.targets],
        "distance": DISTANCE,
        "generations": posterior.generations,
        "epsilons": list(posterior.epsilons),
        "simulations": list(posterior.simulations),
        "seed": posterior.seed,
        "population_size": posterior.population_size,
        "pyabc_version": posterior.pyabc_version,
        "key": posterior.key,
    }
    if posterior.adjustment != adjustment_methods.NONE:  # files of unadjusted posteriors are as they were before adjustments existed
        about["adjustment"] = posterior.adjustment
    lines = [",".join([*posterior.names, WEIGHT])]
    lines += [",".join(repr(float(x)) for x in (*row, w)) for row, w in zip(posterior.draws, posterior.weights, strict=True)]
    # The draws first: a folder whose json is complete also has its draws.
    _replace(folder / DRAWS, "\n".join(lines) + "\n")
    _replace(folder / ABOUT, json.dumps(about, indent=2, allow_nan=False) + "\n")


def _replace(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def files(path: str | Path) -> tuple[Path, Path]:
    """The draws and description files of the posterior at ``path``.

    ``path`` is a folder holding ``posterior.csv`` and ``posterior.json``, one
    of those two files, or a copy's pair ``NAME.csv`` / ``NAME.json`` (either
    one, or ``NAME`` without a suffix).
    """
    path = Path(path)
    if path.name in (DRAWS, ABOUT):
        return path.parent / DRAWS, path.parent / ABOUT
    if path.suffix in (".csv", ".json") or not path.is_dir():
        stem = path.with_suffix("") if path.suffix in (".csv", ".json") else path
        return stem.with_name(stem.name + ".csv"), stem.with_name(stem.name + ".json")
    return path / DRAWS, path / ABOUT


def read(path: str | Path) -> Posterior:
    """The posterior at ``path`` (see :func:`files`)."""
    draws_path, about_path = files(path)
    about = _read_about(about_path)
    names = tuple(p["name"] for p in about["parameters"])
    bounds = tuple((float(p["low"]), float(p["high"])) for p in about["parameters"])
    draws, weights = _read_draws(draws_path, names, bounds, about["population_size"])
    return Posterior(
        names=names, bounds=bounds, draws=draws, weights=weights,
        targets=tuple((t["name"], float(t["value"]), float(t["tolerance"])) for t in about["targets"]),
        epsilons=tuple(None if e is None else float(e) for e in about["epsilons"]),
        simulations=tuple(about["simulations"]), seed=about["seed"], population_size=about["population_size"],
        pyabc_version=about["pyabc_version"], key=about["key"], adjustment=about.get("adjustment", adjustment_methods.NONE),
    )


def _read_about(path: Path) -> dict[str, Any]:
    try:
        about = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserError(f"{path}: cannot read the posterior's description ({error.strerror or error})") from None
    except ValueError as error:
        raise UserError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(about, dict):
        raise UserError(f"{path}: not a JSON object (accepted: the posterior.json written with posterior.csv)")
    if about.get("format") != FORMAT:
        raise UserError(f"{path}: format: {about.get('format')!r} is not accepted (accepted: {FORMAT})")

    def need(key: str, check, accepted: str) -> Any:
        value = about.get(key)
        if not check(value):
            raise UserError(f"{path}: {key}: {'missing' if key not in about else repr(value) + ' is not accepted'} (accepted: {accepted})")
        return value

    parameters = need("parameters", _listed(lambda p: _has(p, "name", _text) and _has(p, "low", _real) and _has(p, "high", _real) and p["low"] < p["high"]),
                      "a non-empty list of {name, low, high} with low < high")
    names = [p["name"] for p in parameters]
    if len(set(names)) < len(names) or WEIGHT in names:
        raise UserError(f"{path}: parameters: names {names} repeat or use {WEIGHT!r} (accepted: distinct names other than {WEIGHT!r})")
    need("targets", _listed(lambda t: _has(t, "name", _text) and _has(t, "value", _real) and _has(t, "tolerance", _real) and t["tolerance"] > 0),
         "a non-empty list of {name, value, tolerance} with tolerance > 0")
    generations = need("generations", lambda v: _whole(v) and v >= 1, "a whole number >= 1")
    need("epsilons", lambda v: isinstance(v, list) and len(v) == generations and v[0] is None and all(_real(e) and e >= 0 for e in v[1:]),
         f"a list of {generations} (generations): null for the first (the prior), then numbers >= 0")
    need("simulations", lambda v: isinstance(v, list) and len(v) == generations and all(_whole(s) and s >= 1 for s in v),
         f"a list of {generations} (generations) whole numbers >= 1")
    need("seed", _whole, "a whole number")
    need("population_size", lambda v: _whole(v) and v >= 1, "a whole number >= 1")
    need("pyabc_version", _text, "a version text")
    need("key", lambda v: isinstance(v, dict), "an object")
    if "adjustment" in about:
        adjusted = [m for m in adjustment_methods.METHODS if m != adjustment_methods.NONE]
        need("adjustment", lambda v: v in adjusted, ', '.join(f'"{m}"' for m in adjusted) + " (or no adjustment key: the last generation as accepted)")
    return about


def _read_draws(path: Path, names: tuple[str, ...], bounds: tuple[tuple[float, float], ...], size: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise UserError(f"{path}: cannot read the posterior draws ({error.strerror or error})") from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not a readable CSV file ({error})") from None
    header = [*names, WEIGHT]
    if not rows or rows[0] != header:
        raise UserError(f"{path}: columns are {rows[0] if rows else []}, not {header} (accepted: the parameters of {ABOUT}, then {WEIGHT})")
    if len(rows) - 1 != size:
        raise UserError(f"{path}: {len(rows) - 1} draws, not the population size {size} of {ABOUT}")
    values = np.empty((size, len(header)))
    for i, row in enumerate(rows[1:]):
        line = i + 2
        if len(row) != len(header):
            raise UserError(f"{path}: line {line}: {len(row)} values, not {len(header)}")
        for j, text in enumerate(row):
            try:
                values[i, j] = float(text)
            except ValueError:
                raise UserError(f"{path}: line {line}: {header[j]}: {text!r} is not a number") from None
            low, high = bounds[j] if j < len(names) else (0.0, 1.0)
            if not low <= values[i, j] <= high:
                raise UserError(f"{path}: line {line}: {header[j]}: {text} is outside [{low!r}, {high!r}] (accepted: {'the prior bounds' if j < len(names) else 'a weight from 0 to 1'})")
    weights = values[:, -1]
    if abs(weights.sum() - 1.0) > WEIGHT_SUM_SLACK:
        raise UserError(f"{path}: the weights sum to {weights.sum()!r}, not 1")
    return values[:, :-1], weights


def _real(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _has(table: Any, key: str, check) -> bool:
    return isinstance(table, dict) and check(table.get(key))


def _listed(check):
    return lambda value: isinstance(value, list) and bool(value) and all(check(item) for item in value)
