"""A population of simulated landlords, and fitting how much they differ to the spread across English landlords.

The national TSM figures are medians across landlords; landlords differ a
lot (in 2023/24 the 10th and 90th percentiles of overall satisfaction were
57.8% and 83.5%). The population is an experiment file
(``experiments/landlords.toml``): each point is one landlord, run with its
own seed and so its own community (``sampling.pairing = "one seed per
point"``), with one row per landlord in the results. Landlords differ in the
parameters listed under ``[landlords.differences]`` of the calibration file:
each is drawn (Latin hypercube) uniformly over ``centre +/- spread * width``,
where the centre is the calibrated scenario's value, ``width`` is the
file's reference half-width and the range is cut to the parameter's valid
range. One ``spread`` factor scales every difference; the calibration tries
each factor in ``spreads`` and keeps the one whose simulated 10th and 90th
percentiles are closest (root mean square, in percentage points) to the
national ones, then writes that population as the experiment file.

Only the size of the differences is fitted: their centre is the national
calibration, and which parameters differ, and by how much relative to one
another, are choices stated in the calibration file (docs/VALIDATION.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import scenario as scenarios
from sim.batch import experiment as experiments
from sim.batch import results as batch_results
from sim.batch.executors import Executor
from sim.batch.plan import make_plan
from sim.batch.runner import run_batch
from sim.batch.sampling import points as sample_points
from sim.calibration.pipeline import Interrupted
from sim.calibration.toml_out import dumps
from sim.errors import UserError
from sim.mechanisms.outcomes import EXTRA, OUTCOMES
from sim.parameters import cut, shown, suggest

COLUMNS = (*OUTCOMES, *EXTRA)

KEYS = ("experiment_out", "count", "residents", "seed", "spreads", "percentiles", "differences", "source")
PERCENTILES = (10, 90)


@dataclass(frozen=True)
class Population:
    """The ``[landlords]`` table of a calibration file, checked."""

    experiment_out: Path
    count: int
    residents: int
    seed: int
    spreads: tuple[float, ...]
    percentiles: dict[str, tuple[float, float]]  # column -> national (p10, p90), shares
    widths: dict[str, float]  # parameter -> half-width at spread 1
    source: str


def settings(table: dict[str, Any], base_dir: Path, where: str) -> Population:
    """Check the ``[landlords]`` table."""
    here = f"{where}: landlords"
    for key in table:
        if key not in KEYS:
            raise UserError(f"{here}.{cut(key)}: unknown key{suggest(key, list(KEYS))} (accepted: {', '.join(KEYS)})")
    count = experiments.whole_number(table.get("count", 240), f"{here}.count", 2, 100_000)
    residents = experiments.whole_number(table.get("residents", 300), f"{here}.residents", 10, 10_000_000)
    seed = experiments.whole_number(table.get("seed", 1), f"{here}.seed", 0, scenarios.MAX_SEED)
    spreads = table.get("spreads", [0.5, 1.0, 1.5])
    if not isinstance(spreads, list) or not spreads or any(isinstance(s, bool) or not isinstance(s, int | float) or s < 0 for s in spreads):
        raise UserError(f"{here}.spreads: {shown(spreads)} is not accepted (accepted: a list of factors >= 0, e.g. [0.5, 1.0, 1.5])")
    percentiles = table.get("percentiles")
    if not isinstance(percentiles, dict) or not percentiles:
        raise UserError(f"{here}.percentiles: missing (accepted: a table of column = [p10, p90], shares, e.g. tsm_satisfied = [0.578, 0.835])")
    checked = {}
    for column, pair in percentiles.items():
        if column not in COLUMNS:
            raise UserError(f"{here}.percentiles.{column}: not an outcome column{suggest(column, list(COLUMNS))} (accepted: one of {', '.join(COLUMNS)})")
        if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in pair) or not pair[0] < pair[1]:
            raise UserError(f"{here}.percentiles.{column}: {shown(pair)} is not accepted (accepted: [p10, p90] as shares, p10 < p90)")
        checked[column] = (float(pair[0]), float(pair[1]))
    differences = table.get("differences")
    if not isinstance(differences, dict) or not differences:
        raise UserError(f"{here}.differences: missing (accepted: a table of section.key = half-width at spread 1, e.g. landlord.respect = 0.1)")
    widths = {}
    for key, width in experiments.flatten(differences, f"{here}.differences").items():
        param = experiments.declaration(key, f"{here}.differences")
        if isinstance(param.default, bool) or not isinstance(param.default, int | float):
            raise UserError(f"{here}.differences.{key}: landlords can only differ in a numeric parameter, and this one is {param.accepted} (accepted: a numeric parameter such as landlord.respect)")
        if isinstance(width, bool) or not isinstance(width, int | float) or width <= 0:
            raise UserError(f"{here}.differences.{key}: {shown(width)} is not accepted (accepted: a positive half-width)")
        widths[key] = float(width)
    out = table.get("experiment_out", "landlords.toml")
    if not isinstance(out, str) or not out.endswith(".toml"):
        raise UserError(f"{here}.experiment_out: {shown(out)} is not accepted (accepted: a path ending in .toml)")
    source = table.get("source", "")
    return Population((base_dir / out).resolve(), count, residents, seed, tuple(float(s) for s in spreads), checked, widths, str(source))


def experiment_data(population: Population, scenario_path: Path, spread: float, steps: int) -> dict[str, Any]:
    """The landlords experiment (as TOML data) at one spread factor, centred on the calibrated scenario."""
    calibrated = scenarios.load(scenario_path)
    uncertainties: dict[str, Any] = {}
    for key, width in population.widths.items():
        param = experiments.declaration(key, "landlords.differences")
        centre = _value(calibrated, key)
        low = max(centre - spread * width, param.low if param.low is not None else -np.inf)
        high = min(centre + spread * width, param.high if param.high is not None else np.inf)
        if high > low:
            uncertainties[key] = {"low": round(float(low), 4), "high": round(float(high), 4)}
    columns = list(dict.fromkeys([*population.percentiles, "tsm_satisfied", "tsm_listens", "tsm_informed", "tsm_respect", "tsm_complaints", "trust_landlord", "need_fit", "cost"]))
    return {
        "name": "A population of English landlords",
        "description": (
            f"{population.count} simulated landlords, each running its own community of {population.residents} households "
            f"(its own seed) for {steps} months, centred on the calibrated scenario and differing in "
            + ", ".join(population.widths) + f". Spread factor {spread:g}, fitted so that the 10th and 90th percentiles of "
            + " and ".join(population.percentiles) + " across landlords match the national ones"
            + (f" ({population.source})" if population.source else "") + ". One row per landlord: "
            "`python run.py batch experiments/landlords.toml`, then results/.../runs (docs/VALIDATION.md)."
        ),
        "scenarios": [_relative_scenario(scenario_path, population.experiment_out.parent)],
        "seeds": population.count,
        "steps": steps,
        "outcomes": [c for c in columns if c in COLUMNS],
        "uncertainties": uncertainties,
        "constants": {"community.residents": population.residents},
        "sampling": {"method": "latin", "samples": population.count, "seed": population.seed, "pairing": "one seed per point"},
    }


def percentiles(finals: pd.DataFrame, columns: list[str]) -> dict[str, tuple[float, float]]:
    """10th and 90th percentiles across landlords (one final row each) of each column."""
    return {c: tuple(float(x) for x in np.percentile(finals[c].to_numpy(dtype=float), PERCENTILES)) for c in columns}


def miss(simulated: dict[str, tuple[float, float]], national: dict[str, tuple[float, float]]) -> float:
    """Root mean square miss of the percentiles, in percentage points."""
    errors = [100 * (s - n) for c in national for s, n in zip(simulated[c], national[c], strict=True)]
    return float(np.sqrt(np.mean(np.square(errors))))


@dataclass
class Fit:
    spread: float
    percentiles: dict[str, tuple[float, float]]
    miss: float
    data: dict[str, Any]


def fit(population: Population, scenario_path: Path, steps: int, folder: Path, executor: Callable[[], Executor], quiet: bool = False) -> tuple[Fit, list[Fit]]:
    """Run the population at each spread factor; the closest fit and all of them."""
    fits = []
    for spread in population.spreads:
        data = experiment_data(population, scenario_path, spread, steps)
        spec = experiments.build(data, f"landlords (spread {spread:g})", population.experiment_out.parent)
        plan = make_plan(spec, sample_points(spec))
        out = folder / f"{_digest(scenario_path)}-spread-{spread:g}"  # a new calibrated scenario is a new population
        outcome = run_batch(plan, out, executor(), kind="landlords", quiet=quiet)
        if outcome.status == "interrupted":
            raise Interrupted(out)
        finals = batch_results.load(out).finals
        got = percentiles(finals, list(population.percentiles))
        fits.append(Fit(spread, got, miss(got, population.percentiles), data))
    return min(fits, key=lambda f: f.miss), fits


def write(population: Population, chosen: Fit, source: Path) -> Path:
    """Write the chosen population as the landlords experiment file."""
    header = (f"Written by `python run.py calibrate {source.name}` (the landlord population): rerun the calibration rather than edit.\n"
              f"Spread {chosen.spread:g}: " + "; ".join(f"{c} p10 {p[0]:.3f} p90 {p[1]:.3f} (national {population.percentiles[c][0]:.3f}, {population.percentiles[c][1]:.3f})"
                                                       for c, p in chosen.percentiles.items()))
    try:
        population.experiment_out.write_text(dumps(chosen.data, header), encoding="utf-8")
    except OSError as error:
        raise UserError(f"{population.experiment_out}: cannot write the landlords experiment ({error.strerror or error})") from None
    experiments.load(population.experiment_out)  # what was written must be a valid experiment
    return population.experiment_out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def _value(scenario: scenarios.Scenario, key: str) -> float:
    section, _, name = key.partition(".")
    value = scenario.levers[name] if section == "policy" else scenario.params[section][name]
    return float(value)


def _relative_scenario(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve().parent / "scenarios")).removesuffix(".toml")
    except ValueError:
        return str(path)
