"""Calibration files: an experiment (what varies, over which ranges) plus targets and settings.

A calibration file is an experiment file (``sim.batch.experiment``: the
scenario to fit, ``[levers]`` and ``[uncertainties]`` as ranges, which are
the uniform priors, ``[constants]``, ``seeds``: runs averaged in one
simulation) without ``[sampling]`` (ABC-SMC draws its own points), with two
more tables::

    [calibration]
    figures = "data/uk_targets.csv"          # national figures, relative to this file
    population = 200                         # ABC-SMC particles per generation
    generations = 8                          # stop after this many generations ...
    min_epsilon = 1.0                        # ... or once the threshold is this close (tolerances) ...
    max_simulations = 4000                   # ... or once this many simulations have run
    kernel_scale = 2.0                       # the perturbation kernel: this many times the last generation's weighted covariance
    adjust = "linear"                        # regression-adjust the last generation (sim.calibration.adjustment: "linear" or "neural"); "none" by default
    seed = 1                                 # the whole calibration is a function of this file and its seed
    check_draws = 40                         # posterior draws run again on fresh seeds
    check_seeds = 8                          # the fresh seeds (1 to 8) of each draw
    scenario_out = "../scenarios/england_baseline.toml"
    scenario_name = "England today (calibrated)"
    posterior_out = "data/england_baseline_posterior"   # a copy of the posterior for experiments

    [calibration.targets]                    # model column = national figure and tolerance
    tsm_satisfied = { measure = "tsm_tp01_overall_satisfied", tolerance = 0.03 }
    employment_rate = { measure = "working_age_in_work", value = 0.52, tolerance = 0.05 }

    [calibration.validation]                 # compared, never fitted
    survey_discrimination = { measure = "experienced_prejudice_or_discrimination" }

    [landlords]                              # optional: the population of landlords
    ...                                      # (see sim.calibration.landlords)

Every mistake is one sentence ``FILE: key: problem (accepted: ...)``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sim.batch import experiment as experiments
from sim.batch.experiment import Experiment
from sim.calibration import adjustment
from sim.calibration.targets import Target, as_share, read_figures, read_spreads
from sim.errors import UserError
from sim.mechanisms.outcomes import EXTRA, OUTCOMES
from sim.parameters import cut, shown, suggest

SETTINGS = ("figures", "population", "generations", "min_epsilon", "max_simulations", "kernel_scale", "adjust", "seed", "check_draws", "check_seeds",
            "scenario_out", "scenario_name", "posterior_out", "targets", "validation")
RETIRED = ("accept", "rounds", "search_evaluations", "search_seeds", "candidates")
"""Settings of the rejection-and-search calibration that ABC-SMC replaced (named in their own message)."""
TARGET_KEYS = ("measure", "value", "tolerance")
COLUMNS = (*OUTCOMES, *EXTRA)


@dataclass(frozen=True)
class Calibration:
    """A checked calibration file."""

    source: Path
    experiment: Experiment
    targets: tuple[Target, ...]  # fitted
    validation: tuple[Target, ...]  # compared only
    population: int
    generations: int
    min_epsilon: float | None
    max_simulations: int | None
    kernel_scale: float
    adjust: str  # "linear" or "neural": the last generation regression-adjusted (sim.calibration.adjustment); "none"
    seed: int
    check_draws: int
    check_seeds: tuple[int, ...]
    scenario_out: Path
    scenario_name: str
    posterior_out: Path | None
    spreads: dict[str, tuple[float, float]]  # national (p10, p90) across landlords, by column, where known
    landlords: dict[str, Any] | None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(t.column for t in (*self.targets, *self.validation))


def load(path: str | Path) -> Calibration:
    """Read and check the calibration file at ``path``."""
    path = Path(path)
    where = str(path)
    data, data_bytes = experiments.read_toml(path, "calibration file", "experiments/calibration.toml")
    settings = data.pop("calibration", None)
    landlords = data.pop("landlords", None)
    if not isinstance(settings, dict):
        raise UserError(f"{where}: calibration: missing or not a table (accepted: a [calibration] table with {', '.join(SETTINGS)})")
    for key in settings:
        if key in RETIRED:
            raise UserError(f"{where}: calibration.{key}: no longer used: the calibration is ABC-SMC, not rejection rounds and a search "
                            "(accepted: population, generations, min_epsilon, max_simulations, seed; see experiments/calibration.toml)")
        if key not in SETTINGS:
            raise UserError(f"{where}: calibration.{cut(key)}: unknown key{suggest(key, list(SETTINGS))} (accepted: {', '.join(SETTINGS)})")
    if landlords is not None and not isinstance(landlords, dict):
        raise UserError(f"{where}: landlords: must be a table (accepted: a [landlords] table; see experiments/calibration.toml)")
    if "sampling" in data:
        raise UserError(f"{where}: sampling: not used in a calibration file (accepted: no [sampling] table; ABC-SMC draws its points "
                        "from the priors, and calibration.seed seeds it)")
    population = int(_number(settings, "population", where, 200, 10, 100_000, "a whole number from 10 to 100000", whole=True))
    # The experiment's own checks need a sampling design; ABC-SMC draws its points itself.
    spec = experiments.build({**data, "sampling": {"method": "latin", "samples": population}}, where, path.parent,
                             sha256=hashlib.sha256(data_bytes).hexdigest())
    for factor in spec.factors:
        if not factor.is_range:
            raise UserError(f"{where}: {factor.group}.{factor.name}: a calibrated parameter needs a range (accepted: {{ low = ..., high = ... }}, the uniform prior)")
    if len(spec.scenarios) != 1:
        raise UserError(f"{where}: scenarios: a calibration fits one scenario, not {len(spec.scenarios)} (accepted: a list of one scenario)")

    figures_path = path.parent / _text(settings, "figures", where, "data/uk_targets.csv")
    figures = read_figures(figures_path)
    targets = _targets(settings.get("targets"), "targets", figures, figures_path, where, fitted=True)
    validation = _targets(settings.get("validation", {}), "validation", figures, figures_path, where, fitted=False)
    if not targets:
        raise UserError(f"{where}: calibration.targets: empty (accepted: at least one column = {{ measure = ..., tolerance = ... }})")
    adjust = _choice(settings, "adjust", where, adjustment.NONE, adjustment.METHODS)
    if adjust != adjustment.NONE and population < len(targets) + 3:
        # The regression has an intercept and a slope per target, and the farthest accepted set weighs nothing.
        raise UserError(f"{where}: calibration.population: {population} parameter sets cannot carry a regression adjustment on {len(targets)} "
                        f"targets (accepted: a population of at least {len(targets) + 3}, or adjust = \"none\")")
    outcomes = tuple(dict.fromkeys((*spec.outcomes, *(t.column for t in (*targets, *validation)))))
    spec = replace(spec, outcomes=outcomes)
    min_epsilon = settings.get("min_epsilon")
    if min_epsilon is not None:
        min_epsilon = float(_number(settings, "min_epsilon", where, 1.0, 0.0, 1e6, "a distance >= 0, in tolerances (e.g. 1.0)"))
    max_simulations = settings.get("max_simulations")
    if max_simulations is not None:
        max_simulations = int(_number(settings, "max_simulations", where, 0, population, 10**9, f"a whole number from the population ({population}) up", whole=True))
    posterior_out = settings.get("posterior_out")
    if posterior_out is not None:
        posterior_out = (path.parent / _text(settings, "posterior_out", where, "")).resolve()
    return Calibration(
        source=path,
        experiment=spec,
        targets=targets,
        validation=validation,
        population=population,
        generations=int(_number(settings, "generations", where, 8, 1, 100, "a whole number from 1 to 100", whole=True)),
        min_epsilon=min_epsilon,
        max_simulations=max_simulations,
        kernel_scale=float(_number(settings, "kernel_scale", where, 1.0, 0.1, 10.0, "a number from 0.1 to 10 (1: the weighted covariance itself; 2: twice it)")),
        adjust=adjust,
        seed=int(_number(settings, "seed", where, 1, 0, 2**32 - 1, "a whole number from 0 to 4294967295", whole=True)),
        check_draws=int(_number(settings, "check_draws", where, 40, 1, 10_000, "a whole number from 1 to 10000", whole=True)),
        check_seeds=tuple(range(1, 1 + int(_number(settings, "check_seeds", where, 8, 1, 10_000, "a whole number from 1 to 10000", whole=True)))),
        scenario_out=(path.parent / _text(settings, "scenario_out", where, "../scenarios/england_baseline.toml")).resolve(),
        scenario_name=_text(settings, "scenario_name", where, "Calibrated scenario"),
        posterior_out=posterior_out,
        spreads=read_spreads(figures_path, [*targets, *validation]),
        landlords=landlords,
    )


def _text(table: dict[str, Any], key: str, where: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise UserError(f"{where}: calibration.{key}: {shown(value)} is not accepted (accepted: a text)")
    return value


def _choice(table: dict[str, Any], key: str, where: str, default: str, accepted: tuple[str, ...]) -> str:
    value = table.get(key, default)
    if value not in accepted:
        raise UserError(f"{where}: calibration.{key}: {shown(value)} is not accepted (accepted: {', '.join(repr(a) for a in accepted)})")
    return value


def _number(table: dict[str, Any], key: str, where: str, default: float, low: float, high: float, accepted: str, whole: bool = False) -> float:
    value = table.get(key, default)
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        raise UserError(f"{where}: calibration.{key}: {shown(value)} is not accepted (accepted: {accepted})")
    return value


def _targets(table: Any, name: str, figures: dict, figures_path: Path, where: str, fitted: bool) -> tuple[Target, ...]:
    here = f"{where}: calibration.{name}"
    if not isinstance(table, dict):
        raise UserError(f"{here}: missing or not a table (accepted: a [calibration.{name}] table of column = {{ measure = ... }})")
    targets = []
    for column, spec in table.items():
        key = f"{here}.{cut(column)}"
        if column not in COLUMNS:
            raise UserError(f"{key}: not an outcome column{suggest(column, list(COLUMNS))} (accepted: one of {', '.join(COLUMNS)})")
        if not isinstance(spec, dict):
            raise UserError(f"{key}: {shown(spec)} is not accepted (accepted: {{ measure = ..., tolerance = ... }})")
        for k in spec:
            if k not in TARGET_KEYS:
                raise UserError(f"{key}.{cut(k)}: unknown key{suggest(k, list(TARGET_KEYS))} (accepted: {', '.join(TARGET_KEYS)})")
        measure = spec.get("measure")
        if not isinstance(measure, str) or measure not in figures:  # a list is no key (and unhashable)
            raise UserError(f"{key}.measure: {shown(measure)} is not in {figures_path}{suggest(str(measure), list(figures))} (accepted: one of {', '.join(figures)})")
        figure = figures[measure]
        value = spec.get("value", as_share(figure))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(f"{key}.value: the figure for {measure} is {figure.value!r}, not a number, so a value is needed (accepted: value = a share, e.g. 0.52)")
        tolerance = spec.get("tolerance")
        if fitted and (isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance <= 0):
            raise UserError(f"{key}.tolerance: {shown(tolerance)} is not accepted (accepted: a positive number, the size of a one-unit miss, e.g. 0.03)")
        if not fitted and tolerance is not None:
            raise UserError(f"{key}.tolerance: a validation figure is compared, not fitted (accepted: move it to [calibration.targets] to fit it)")
        targets.append(Target(column, measure, float(value), float(tolerance) if fitted else None, figure))
    return tuple(targets)
