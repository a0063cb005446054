"""A population of simulated landlords, and fitting how much they differ to the spread across English landlords.

The national TSM figures are medians across landlords; landlords differ a
lot (in 2023/24 the 10th and 90th percentiles of overall satisfaction were
57.8% and 83.5%). The population is an experiment file
(``experiments/landlords.toml``): each point is one landlord, run with its
own seed and so its own community (``sampling.pairing = "one seed per
point"``), with one row per landlord in the results.

**Sizes.** With ``sizes`` (a CSV of the real landlords' numbers of homes,
one row each, column ``homes_low_cost_rental``) there is one simulated
landlord per real one, each with ``homes / scale`` households (at least
:data:`MIN_RESIDENTS`) and ``survey.homes_per_household = scale``, so its
reported figures carry the sampling error of the real landlord's survey. The
sizes are a list-valued uncertainty sampled by a Latin hypercube of exactly
as many points as sizes, which puts each size in exactly one point (one per
stratum). Without ``sizes``, ``count`` landlords of ``residents`` households
each.

**Differences.** Landlords differ in the parameters listed under
``[landlords.differences]`` of the calibration file: each is drawn (Latin
hypercube) uniformly over ``centre +/- factor * width``, where the centre is
the calibrated scenario's value, ``width`` the file's largest half-width, and
the range is cut to the parameter's valid range. The factor of each
parameter, in [0, 1], is fitted so that the simulated 10th and 90th
percentiles of every reported item are closest (root mean square, in
percentage points) to the national ones: a probe population at every
largest width, a linear emulator of the items over the landlords' positions,
and a second population at the fitted widths to check
(sim/calibration/spread_fit.py).

Only the size of the differences is fitted: their centre is the national
calibration, and which parameters differ, and the largest difference
considered in each, are choices stated in the calibration file
(docs/VALIDATION.md).
"""

from __future__ import annotations

import csv
import hashlib
import json
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
from sim.calibration import spread_fit
from sim.calibration.pipeline import Interrupted
from sim.calibration.toml_out import dumps
from sim.errors import UserError
from sim.mechanisms.outcomes import EXTRA, OUTCOMES
from sim.parameters import cut, shown, suggest

COLUMNS = (*OUTCOMES, *EXTRA)

KEYS = ("experiment_out", "sizes", "scale", "count", "residents", "seed", "percentiles", "differences", "source")
RETIRED = {"spreads": "the width of each difference is now fitted on its own (sim/calibration/spread_fit.py): remove spreads, and give each "
                      "parameter's largest half-width under [landlords.differences]"}
SIZE_COLUMN = "homes_low_cost_rental"
MIN_RESIDENTS = 20
"""The fewest households a scaled-down landlord is simulated with (half a block of 40)."""


@dataclass(frozen=True)
class Population:
    """The ``[landlords]`` table of a calibration file, checked."""

    experiment_out: Path
    count: int
    residents: int | tuple[int, ...]  # households of every landlord, or of each (real sizes scaled)
    scale: float  # real homes per simulated household (1 without sizes)
    seed: int
    percentiles: dict[str, tuple[float, float]]  # column -> national (p10, p90), shares
    widths: dict[str, float]  # parameter -> largest half-width (the probe's)
    source: str


def settings(table: dict[str, Any], base_dir: Path, where: str) -> Population:
    """Check the ``[landlords]`` table."""
    here = f"{where}: landlords"
    for key in table:
        if key in RETIRED:
            raise UserError(f"{here}.{key}: no longer used ({RETIRED[key]})")
        if key not in KEYS:
            raise UserError(f"{here}.{cut(key)}: unknown key{suggest(key, list(KEYS))} (accepted: {', '.join(KEYS)})")
    if "sizes" in table:
        for key in ("count", "residents"):
            if key in table:
                raise UserError(f"{here}.{key}: not with sizes (accepted: sizes and scale for landlords at real sizes, or count and residents for landlords of one size)")
        scale = _number(table.get("scale", 1), f"{here}.scale", 1.0, 10_000.0)
        homes = read_sizes(table["sizes"], base_dir, f"{here}.sizes")
        residents: int | tuple[int, ...] = scaled_sizes(homes, scale)
        count = len(homes)
    else:
        if "scale" in table:
            raise UserError(f"{here}.scale: only with sizes (accepted: sizes = \"a CSV of homes per landlord\" with scale, or count and residents)")
        scale = 1.0
        count = experiments.whole_number(table.get("count", 240), f"{here}.count", 2, 100_000)
        residents = experiments.whole_number(table.get("residents", 300), f"{here}.residents", 10, 10_000_000)
    seed = experiments.whole_number(table.get("seed", 1), f"{here}.seed", 0, scenarios.MAX_SEED)
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
        raise UserError(f"{here}.differences: missing (accepted: a table of section.key = largest half-width, e.g. landlord.respect = 0.1)")
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
    return Population((base_dir / out).resolve(), count, residents, scale, seed, checked, widths, str(source))


def scaled_sizes(homes: tuple[int, ...], scale: float) -> tuple[int, ...]:
    """Households per landlord: homes / scale, at least MIN_RESIDENTS, and all different.

    The sizes are one list of an experiment, whose values must differ; two
    landlords whose homes round to the same number of households (1,105 and
    1,114 homes at a tenth) are kept apart by one household (for the 355
    English landlords at a tenth, at most 2% off homes / scale; at full size
    the real sizes, as they are). Sorted from
    the smallest.
    """
    out: list[int] = []
    for h in sorted(homes):
        size = max(MIN_RESIDENTS, round(h / scale))
        out.append(max(size, out[-1] + 1) if out else size)
    return tuple(out)


def read_sizes(value: Any, base_dir: Path, where: str) -> tuple[int, ...]:
    """The homes of each landlord from a CSV (column ``homes_low_cost_rental``), checked."""
    if not isinstance(value, str) or not value.endswith(".csv"):
        raise UserError(f"{where}: {shown(value)} is not accepted (accepted: a path to a CSV file with a column {SIZE_COLUMN})")
    path = base_dir / value
    try:
        with path.open(encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise UserError(f"{path}: cannot read the landlord sizes ({getattr(error, 'strerror', None) or error}) (named by {where})") from None
    if not rows or SIZE_COLUMN not in rows[0]:
        raise UserError(f"{path}: no column {SIZE_COLUMN} (accepted: a CSV with a header row naming {SIZE_COLUMN}, one landlord per row)")
    homes = []
    for line, row in enumerate(rows, start=2):
        text = (row[SIZE_COLUMN] or "").strip()
        if not text.isdigit() or int(text) < 1:
            raise UserError(f"{path}: line {line}: {SIZE_COLUMN} {shown(text)} is not accepted (accepted: a whole number of homes, 1 or more)")
        homes.append(int(text))
    if len(homes) < 2:
        raise UserError(f"{path}: {len(homes)} landlord (accepted: at least 2 rows, one per landlord)")
    return tuple(homes)


def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise UserError(f"{where}: {shown(value)} is not accepted (accepted: a number from {low:g} to {high:g})")
    return float(value)


def experiment_data(population: Population, scenario_path: Path, factors: dict[str, float], steps: int) -> dict[str, Any]:
    """The landlords experiment (as TOML data) with each largest width shrunk by its factor, centred on the calibrated scenario."""
    calibrated = scenarios.load(scenario_path)
    uncertainties: dict[str, Any] = {}
    for key, width in population.widths.items():
        param = experiments.declaration(key, "landlords.differences")
        centre = _value(calibrated, key)
        low = max(centre - factors[key] * width, param.low if param.low is not None else -np.inf)
        high = min(centre + factors[key] * width, param.high if param.high is not None else np.inf)
        if high > low:
            uncertainties[key] = {"low": round(float(low), 4), "high": round(float(high), 4)}
    columns = list(dict.fromkeys([*population.percentiles, "tsm_satisfied", "tsm_listens", "tsm_informed", "tsm_respect", "tsm_complaints", "trust_landlord", "need_fit", "cost"]))
    constants: dict[str, Any] = {}
    if isinstance(population.residents, tuple):
        # One size per landlord: a list sampled by a Latin hypercube of len(list) points takes each item once.
        uncertainties["community.residents"] = list(population.residents)
        constants["survey.homes_per_household"] = population.scale
        span = f"{min(population.residents):,} to {max(population.residents):,} households"
        size = (f"{population.count} simulated landlords, one per English landlord, each running its own community of its real number of homes ({span})"
                if population.scale == 1 else
                f"{population.count} simulated landlords, one per English landlord, each running its own community of its real number "
                f"of homes divided by {population.scale:g} ({span}; its survey sample that of its real size)")
    else:
        constants["community.residents"] = population.residents
        size = f"{population.count} simulated landlords, each running its own community of {population.residents} households"
    return {
        "name": "A population of English landlords",
        "description": (
            f"{size} (its own seed) for {steps} months, centred on the calibrated scenario and differing in "
            + ", ".join(f"{k} (+/- {factors[k] * w:.4g})" for k, w in population.widths.items())
            + ", half-widths fitted so that the 10th and 90th percentiles of "
            + " and ".join(population.percentiles) + " across landlords match the national ones"
            + (f" ({population.source})" if population.source else "") + ". One row per landlord: "
            "`python run.py batch experiments/landlords.toml`, then results/.../runs (docs/VALIDATION.md)."
        ),
        "scenarios": [_relative_scenario(scenario_path, population.experiment_out.parent)],
        "seeds": population.count,
        "steps": steps,
        "outcomes": [c for c in columns if c in COLUMNS],
        "uncertainties": uncertainties,
        "constants": constants,
        "sampling": {"method": "latin", "samples": population.count, "seed": population.seed, "pairing": "one seed per point"},
    }


@dataclass
class Fit:
    label: str  # "probe" (every largest width) or "fitted"
    factors: dict[str, float]  # parameter -> share of its largest width
    percentiles: dict[str, tuple[float, float]]
    miss: float
    data: dict[str, Any]
    emulated: float | None = None  # the emulator's miss at these factors (fitted only)


def fit(population: Population, scenario_path: Path, steps: int, folder: Path, executor: Callable[[], Executor], quiet: bool = False) -> tuple[Fit, list[Fit]]:
    """The probe population, the emulator's widths, and the population at those widths: (the fitted one, both)."""
    columns = list(population.percentiles)
    calibrated = scenarios.load(scenario_path)
    ones = dict.fromkeys(population.widths, 1.0)
    probe_data = experiment_data(population, scenario_path, ones, steps)
    finals = _run(population, probe_data, folder / f"{_digest(scenario_path)}-probe-{_data_digest(probe_data)}", executor, quiet)
    got = spread_fit.percentiles(_reported(finals, columns))
    probe = Fit("probe", ones, got, spread_fit.miss(got, population.percentiles), probe_data)
    # Each landlord's position in each parameter's largest range (a parameter that cannot move stays at 0).
    positions = np.column_stack([
        (finals[key].to_numpy(dtype=float) - _value(calibrated, key)) / width if key in finals.columns else np.zeros(len(finals))
        for key, width in population.widths.items()])
    model = spread_fit.emulator(positions, _reported(finals, columns))
    found, emulated = spread_fit.fit_factors(model, population.percentiles, population.seed)
    factors = {key: round(float(a), 3) for key, a in zip(population.widths, found, strict=True)}
    data = experiment_data(population, scenario_path, factors, steps)
    finals = _run(population, data, folder / f"{_digest(scenario_path)}-fitted-{_data_digest(data)}", executor, quiet)
    got = spread_fit.percentiles(_reported(finals, columns))
    fitted = Fit("fitted", factors, got, spread_fit.miss(got, population.percentiles), data, emulated)
    return fitted, [probe, fitted]


def _run(population: Population, data: dict[str, Any], out: Path, executor: Callable[[], Executor], quiet: bool) -> pd.DataFrame:
    """Run one population (resumable: one folder per calibrated scenario and widths); one final row per landlord."""
    spec = experiments.build(data, f"landlords ({out.name})", population.experiment_out.parent)
    outcome = run_batch(make_plan(spec, sample_points(spec)), out, executor(), kind="landlords", quiet=quiet)
    if outcome.status == "interrupted":
        raise Interrupted(out)
    return batch_results.load(out).finals


def _reported(finals: pd.DataFrame, columns: list[str]) -> dict[str, np.ndarray]:
    return {c: finals[c].to_numpy(dtype=float) for c in columns}


def write(population: Population, chosen: Fit, source: Path) -> Path:
    """Write the chosen population as the landlords experiment file."""
    header = (f"Written by `python run.py calibrate {source.name}` (the landlord population): rerun the calibration rather than edit.\n"
              "Half-widths, as shares of the largest: " + ", ".join(f"{k} {a:g}" for k, a in chosen.factors.items()) + ".\n"
              + "; ".join(f"{c} p10 {p[0]:.3f} p90 {p[1]:.3f} (national {population.percentiles[c][0]:.3f}, {population.percentiles[c][1]:.3f})"
                          for c, p in chosen.percentiles.items()))
    try:
        population.experiment_out.write_text(dumps(chosen.data, header), encoding="utf-8")
    except OSError as error:
        raise UserError(f"{population.experiment_out}: cannot write the landlords experiment ({error.strerror or error})") from None
    experiments.load(population.experiment_out)  # what was written must be a valid experiment
    return population.experiment_out


def _data_digest(data: dict[str, Any]) -> str:
    """A population's own folder: its sizes, widths, months and seed all in the name, so a changed population never meets an old one."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:8]


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
