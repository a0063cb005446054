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
hypercube) uniformly over ``centre + (shift +/- factor) * width``, where the
centre is the calibrated scenario's value, ``width`` the file's largest
half-width, and the range is cut to the parameter's valid range. The factor
of each parameter, in [0, 1], is fitted so that the simulated 10th and 90th
percentiles of every reported item are closest (root mean square, in
percentage points) to the national ones: a probe population at every
largest width, a quadratic emulator of the items over the landlords'
positions, and populations at the fitted widths, in ``waves`` (each wave's
emulator also fitted on the populations before it; the closest run is
chosen) (sim/calibration/spread_fit.py).

**Centres.** When the file gives each item's national median too
(``[p10, median, p90]``), the shifts are fitted with the widths, to all
three percentiles: the national figures are medians *across landlords*, and
the calibrated scenario, one landlord of 1,000 households chosen among the
posterior's draws, need not sit at the population's median (at real sizes,
with the others spread around it, it read three items 5 points high). The
shift is bounded so the population stays inside the probe's ranges
(``|shift| + factor <= 1``). Without medians the centre is the calibrated
scenario. Which parameters differ, and the largest difference considered in
each, are choices stated in the calibration file (docs/VALIDATION.md).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
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

KEYS = ("experiment_out", "sizes", "scale", "count", "residents", "seed", "percentiles", "differences", "waves", "source")
RETIRED = {"spreads": "the width of each difference is now fitted on its own (sim/calibration/spread_fit.py): remove spreads, and give each "
                      "parameter's largest half-width under [landlords.differences]"}
SIZE_COLUMN = "homes_low_cost_rental"
MIN_RESIDENTS = 20
"""The fewest households a scaled-down landlord is simulated with (half a block of 40)."""
MAX_WAVES = 5
"""The most fitted populations a calibration file may ask for (each a full population run: about 3 minutes at real sizes)."""


@dataclass(frozen=True)
class Population:
    """The ``[landlords]`` table of a calibration file, checked."""

    experiment_out: Path
    count: int
    residents: int | tuple[int, ...]  # households of every landlord, or of each (real sizes scaled)
    scale: float  # real homes per simulated household (1 without sizes)
    seed: int
    percentiles: dict[str, tuple[float, float]]  # column -> national (p10, p90), shares
    medians: dict[str, float] | None  # column -> national median, share, when given (then the centres are fitted too)
    widths: dict[str, float]  # parameter -> largest half-width (the probe's)
    source: str
    waves: int = 1  # fitted populations run, each refitting the emulator on every population before it

    def searched(self) -> dict[str, tuple[float, ...]]:
        """What the search fits, by column: (p10, median, p90) when the medians are given, else (p10, p90)."""
        if self.medians is None:
            return dict(self.percentiles)
        return {c: (p[0], self.medians[c], p[1]) for c, p in self.percentiles.items()}


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
        raise UserError(f"{here}.percentiles: missing (accepted: a table of column = [p10, p90] or [p10, median, p90], shares, "
                        "e.g. tsm_satisfied = [0.578, 0.713, 0.835])")
    checked, medians = {}, {}
    forms = {len(v) for v in percentiles.values() if isinstance(v, list)}
    for column, values in percentiles.items():
        if column not in COLUMNS:
            raise UserError(f"{here}.percentiles.{column}: not an outcome column{suggest(column, list(COLUMNS))} (accepted: one of {', '.join(COLUMNS)})")
        if (not isinstance(values, list) or len(values) not in (2, 3) or len(forms) != 1
                or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in values) or not all(a < b for a, b in pairwise(values))):
            raise UserError(f"{here}.percentiles.{column}: {shown(values)} is not accepted (accepted: [p10, p90] or [p10, median, p90] as rising shares, "
                            "the same form for every column)")
        checked[column] = (float(values[0]), float(values[-1]))
        if len(values) == 3:
            medians[column] = float(values[1])
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
    waves = experiments.whole_number(table.get("waves", 1), f"{here}.waves", 1, MAX_WAVES)
    return Population((base_dir / out).resolve(), count, residents, scale, seed, checked, medians or None, widths, str(source), waves)


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


def probe_range(key: str, centre: float, width: float) -> tuple[float, float]:
    """The probe's range of a parameter in largest half-widths from the centre: -1 to 1, cut to the parameter's valid range."""
    param = experiments.declaration(key, "landlords.differences")
    low = max(-1.0, (param.low - centre) / width) if param.low is not None else -1.0
    high = min(1.0, (param.high - centre) / width) if param.high is not None else 1.0
    return low, high


def experiment_data(population: Population, scenario_path: Path, factors: dict[str, float], steps: int,
                    shifts: dict[str, float] | None = None) -> dict[str, Any]:
    """The landlords experiment (as TOML data) with each largest width shrunk by its factor, around the calibrated scenario moved by its shift."""
    calibrated = scenarios.load(scenario_path)
    shifts = shifts or dict.fromkeys(population.widths, 0.0)
    uncertainties: dict[str, Any] = {}
    constants: dict[str, Any] = {}
    for key, width in population.widths.items():
        centre = _value(calibrated, key)
        lowest, highest = spread_fit.range_of(np.array([probe_range(key, centre, width)]), np.array([factors[key]]), np.array([shifts[key]]))
        low, high = round(float(centre + lowest[0] * width), 4), round(float(centre + highest[0] * width), 4)
        if high > low:
            uncertainties[key] = {"low": low, "high": high}
        elif shifts[key] != 0:
            constants[key] = low  # no difference left, but not at the calibrated value
    columns = list(dict.fromkeys([*population.percentiles, "tsm_satisfied", "tsm_listens", "tsm_informed", "tsm_respect", "tsm_complaints", "trust_landlord", "need_fit", "cost"]))
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
    moved = {k: v for k, v in shifts.items() if v != 0}
    if moved:
        around = ("centred on the calibrated scenario moved by " + ", ".join(f"{k} {v * population.widths[k]:+.4g}" for k, v in moved.items())
                  + " and differing in ")
        fitted = ", half-widths and centres fitted so that the 10th, 50th and 90th percentiles of "
    else:
        around = "centred on the calibrated scenario and differing in "
        fitted = ", half-widths fitted so that the 10th and 90th percentiles of "
    return {
        "name": "A population of English landlords",
        "description": (
            f"{size} (its own seed) for {steps} months, " + around
            + ", ".join(f"{k} (+/- {factors[k] * w:.4g})" for k, w in population.widths.items())
            + fitted + " and ".join(population.percentiles) + " across landlords match the national ones"
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
    label: str  # "probe" (every largest width) or "wave N"
    factors: dict[str, float]  # parameter -> share of its largest width
    percentiles: dict[str, tuple[float, float]]  # what the population's landlords report: p10, p90
    miss: float  # root mean square miss of the p10 and p90, points
    data: dict[str, Any]
    emulated: float | None = None  # the emulator's p10/p90 miss at these factors (fitted only)
    shifts: dict[str, float] | None = None  # parameter -> move of the centre, in largest half-widths (fitted with medians only)
    medians: dict[str, float] | None = None  # what the population's landlords report: median (when the national medians are given)
    median_miss: float | None = None  # root mean square miss of the medians, points
    calibrated: dict[str, float] | None = None  # parameter -> the calibrated scenario's value (the probe's centre)
    searched_miss: float = float("nan")  # root mean square miss of what the search minimises (p10, p90 and, when given, medians): the choice


def fit(population: Population, scenario_path: Path, steps: int, folder: Path, executor: Callable[[], Executor], quiet: bool = False) -> tuple[Fit, list[Fit]]:
    """The probe population, then ``waves`` populations at the emulator's widths (and centres): (the closest run, all of them).

    Each wave's emulator is fitted on the probe and every wave before it
    (sim/calibration/spread_fit.py); the one chosen is the population whose
    run is closest to the national figures, on what the search minimises.
    """
    columns = list(population.percentiles)
    calibrated = scenarios.load(scenario_path)
    centres = {key: _value(calibrated, key) for key in population.widths}
    ones = dict.fromkeys(population.widths, 1.0)
    probe_data = experiment_data(population, scenario_path, ones, steps)
    finals = _run(population, probe_data, folder / f"{_digest(scenario_path)}-probe-{_data_digest(probe_data)}", executor, quiet)
    probe = _measured("probe", population, ones, None, finals, probe_data, centres)
    # Each landlord's position in each parameter's largest range; the probe's ranges (a parameter that cannot move: 0 to 0).
    positions = _positions(population, finals, probe_data, centres)
    ranges = np.array([probe_range(key, centres[key], width) if key in finals.columns else (0.0, 0.0) for key, width in population.widths.items()])
    national = population.searched()
    pool = [(positions, _reported(finals, columns), ranges)]  # every population run: positions, reports, the ranges drawn over
    fits = [probe]
    for wave in range(1, population.waves + 1):
        # The latest population is the one moved (its rests are what the surface misses nearest the answer); all fit the surface.
        base_positions, base_reported, base_ranges = pool[-1]
        model = spread_fit.emulator(base_positions, base_reported, base_ranges, more=[(p, r) for p, r, _ in pool[:-1]], limits=ranges)
        found = spread_fit.fit(model, national, population.seed, centres=population.medians is not None)
        factors = {key: round(float(a), 3) for key, a in zip(population.widths, found.factors, strict=True)}
        shifts = {key: round(float(c), 3) for key, c in zip(population.widths, found.shifts, strict=True)}
        if any(f.factors == factors and (f.shifts or dict.fromkeys(shifts, 0.0)) == shifts for f in fits[1:]):
            break  # the surface, refitted, points where a wave has already been: nothing new to run
        emulated_values = model.predict(np.array(list(factors.values())), np.array(list(shifts.values())))
        emulated = spread_fit.miss(spread_fit.percentiles({c: emulated_values[c] for c in columns}), population.percentiles)
        data = experiment_data(population, scenario_path, factors, steps, shifts)
        finals = _run(population, data, folder / f"{_digest(scenario_path)}-fitted-{_data_digest(data)}", executor, quiet)
        fits.append(_measured(f"wave {wave}", population, factors, shifts if population.medians else None, finals, data, centres, emulated))
        pool.append((_positions(population, finals, data, centres), _reported(finals, columns), _drawn_over(population, data, centres)))
    chosen = min(fits[1:], key=lambda f: f.searched_miss)
    return chosen, fits


def value_range(data: dict[str, Any], key: str, calibrated: float) -> tuple[float, float]:
    """A difference's range in a population's experiment: its uncertainty's low and high, or one value (a constant, else the calibrated one)."""
    spec = data["uncertainties"].get(key)
    if spec:
        return spec["low"], spec["high"]
    value = data["constants"].get(key, calibrated)
    return value, value


def _drawn_over(population: Population, data: dict[str, Any], centres: dict[str, float]) -> np.ndarray:
    """The range each difference was drawn over in a population, in largest half-widths from the calibrated value (low = high if fixed)."""
    out = []
    for key, width in population.widths.items():
        low, high = value_range(data, key, centres[key])
        out.append(((low - centres[key]) / width, (high - centres[key]) / width))
    return np.array(out)


def _positions(population: Population, finals: pd.DataFrame, data: dict[str, Any], centres: dict[str, float]) -> np.ndarray:
    """Each landlord's value of each difference, in largest half-widths from the calibrated value (a fixed value from the constants)."""
    columns = []
    for key, width in population.widths.items():
        value = finals[key].to_numpy(dtype=float) if key in finals.columns else np.full(len(finals), float(data["constants"].get(key, centres[key])))
        columns.append((value - centres[key]) / width)
    return np.column_stack(columns)


def _measured(label: str, population: Population, factors: dict[str, float], shifts: dict[str, float] | None, finals: pd.DataFrame,
              data: dict[str, Any], centres: dict[str, float], emulated: float | None = None) -> Fit:
    """A population's percentiles (and medians) against the national ones."""
    reported = _reported(finals, list(population.percentiles))
    got = spread_fit.percentiles(reported)
    fit_ = Fit(label, factors, got, spread_fit.miss(got, population.percentiles), data, emulated, shifts, calibrated=centres)
    fit_.searched_miss = fit_.miss
    if population.medians:
        fit_.medians = {c: float(np.nanmedian(v)) for c, v in reported.items()}
        fit_.median_miss = spread_fit.miss({c: (m,) for c, m in fit_.medians.items()}, {c: (m,) for c, m in population.medians.items()})
        with_medians = {c: (p[0], fit_.medians[c], p[1]) for c, p in got.items()}
        fit_.searched_miss = spread_fit.miss(with_medians, population.searched())
    return fit_


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
              + f"The population of {chosen.label} (of at most {population.waves}: the run closest to the national figures; docs/VALIDATION.md section 7).\n"
              "Half-widths, as shares of the largest: " + ", ".join(f"{k} {a:g}" for k, a in chosen.factors.items()) + ".\n"
              + ("Centres moved from the calibrated scenario, in largest half-widths: " + ", ".join(f"{k} {c:+g}" for k, c in chosen.shifts.items()) + ".\n"
                 if chosen.shifts else "")
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
