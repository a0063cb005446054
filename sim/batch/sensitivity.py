"""Global sensitivity analysis with SALib: which parameters drive each outcome.

``run.py sensitivity EXPERIMENT --method morris|sobol`` varies the
experiment's levers and uncertainties (each a range ``{ low, high }``) over a
design made by SALib, runs every design point with every seed (the same seeds
everywhere), averages each outcome at the final month over the seeds, and
computes per scenario and outcome:

- **Morris** elementary effects (``sensitivity.trajectories`` trajectories
  on a grid of ``sensitivity.levels`` levels; ``trajectories x (k + 1)``
  points for ``k`` parameters): ``mu_star``, the mean absolute effect of a
  parameter (in the outcome's units; ``mu_star_scaled`` divides it by the
  largest ``mu_star`` for that outcome), its bootstrap interval
  ``mu_star_conf``, and ``sigma``, the spread of the effects (interactions
  or non-linearity). A cheap screening method.
- **Sobol** indices (Saltelli's scheme with a Sobol sequence of base size
  ``sensitivity.samples``; ``N x (k + 2)`` points): ``S1``, the share of the
  outcome's variance due to the parameter alone, and ``ST``, its total
  share including interactions, each with a bootstrap interval. More runs,
  variance-based, quantitative.

Whole-number parameters are rounded when a run is made; the indices use the
design's unrounded values. An outcome that does not vary at all over the
design gets no indices (NaN).

With ``sensitivity.contrast = ["A", "B"]`` the same indices are computed for
the paired contrast A minus B, and the design points where A does worse are
described: see :mod:`sim.batch.contrast`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.batch.experiment import Experiment
from sim.batch.results import Results
from sim.batch.sampling import Point
from sim.errors import UserError
from sim.output import write_csv

METHODS = ("morris", "sobol")
ANALYSIS_SEED = 1
"""Seed of SALib's bootstrap intervals (fixed, so the same results give the same report)."""


def problem(experiment: Experiment) -> dict[str, Any]:
    """SALib's problem definition: every varied parameter, which must be a numeric range."""
    if not experiment.factors:
        raise UserError(f"{experiment.source}: levers, uncertainties: nothing varies (accepted: at least one parameter as a range {{ low = ..., high = ... }})")
    for factor in experiment.factors:
        if not factor.is_range:
            raise UserError(f"{experiment.source}: {factor.group}.{factor.name}: sensitivity analysis needs a range, not a list of values (accepted: {{ low = ..., high = ... }})")
    return {"num_vars": len(experiment.factors), "names": [f.name for f in experiment.factors], "bounds": [[f.low, f.high] for f in experiment.factors]}


def design(experiment: Experiment, method: str) -> np.ndarray:
    """The design matrix (one row per point, one column per parameter), seeded from ``sampling.seed``."""
    spec = problem(experiment)
    settings = experiment.sensitivity
    seed = experiment.sampling.seed
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(spec, settings.trajectories, num_levels=settings.levels, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(spec, settings.samples, calc_second_order=False, seed=seed)
    raise UserError(f"--method: {method!r} is not accepted (accepted: {', '.join(METHODS)})")


def points(experiment: Experiment, matrix: np.ndarray) -> list[Point]:
    """The design's rows as parameter points (whole-number parameters rounded)."""
    return [{f.name: f.convert(float(x)) for f, x in zip(experiment.factors, row, strict=True)} for row in matrix]


def manifest_entry(experiment: Experiment, method: str, matrix: np.ndarray) -> dict[str, Any]:
    """What the manifest keeps so the analysis can be redone from the folder alone."""
    settings = experiment.sensitivity
    return {"sensitivity": {"method": method, "problem": problem(experiment), "design": matrix.tolist(),
                            "trajectories": settings.trajectories, "levels": settings.levels, "samples": settings.samples,
                            "contrast": list(settings.contrast) if settings.contrast else None}}


def analyse(results: Results) -> pd.DataFrame:
    """Indices per scenario, outcome and parameter (columns depend on the method; see the module docstring)."""
    entry = results.manifest.get("sensitivity")
    if not entry:
        raise UserError(f"{results.folder}: holds no sensitivity design (accepted: a folder written by run.py sensitivity)")
    method = entry["method"]
    spec = entry["problem"]
    matrix = np.asarray(entry["design"], dtype=float)
    finals = results.finals
    means = finals.groupby(["scenario", "point"])[results.outcomes].mean()
    rows = []
    for scenario in results.scenarios:
        if scenario not in means.index.get_level_values(0):
            continue
        table = means.loc[scenario].reindex(range(len(matrix)))
        missing = int(table[results.outcomes[0]].isna().sum())
        if missing:
            raise UserError(f"{results.folder}: {missing} of {len(matrix)} design points of {scenario} have no results (accepted: a complete batch; run the same sensitivity command again to finish it)")
        for outcome in results.outcomes:
            y = table[outcome].to_numpy()
            rows += indices(method, spec, matrix, y, scenario, outcome, entry)
    return pd.DataFrame(rows)


def indices(method: str, spec: dict[str, Any], matrix: np.ndarray, y: np.ndarray, scenario: str, outcome: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per parameter: the indices of ``y`` (one value per design row) for ``scenario`` and ``outcome``."""
    names = spec["names"]
    base = [{"scenario": scenario, "outcome": outcome, "parameter": name} for name in names]
    constant = float(np.ptp(y)) == 0.0
    if method == "morris":
        if constant:
            return [{**b, "mu": 0.0, "mu_star": 0.0, "mu_star_conf": 0.0, "sigma": 0.0, "mu_star_scaled": math.nan} for b in base]
        from SALib.analyze import morris

        found = morris.analyze(spec, matrix, y, num_levels=entry["levels"], seed=ANALYSIS_SEED)
        top = float(np.max(found["mu_star"])) or math.nan
        return [{**b, "mu": float(found["mu"][i]), "mu_star": float(found["mu_star"][i]), "mu_star_conf": float(found["mu_star_conf"][i]),
                 "sigma": float(found["sigma"][i]), "mu_star_scaled": float(found["mu_star"][i]) / top} for i, b in enumerate(base)]
    if constant:
        return [{**b, "S1": math.nan, "S1_conf": math.nan, "ST": math.nan, "ST_conf": math.nan} for b in base]
    from SALib.analyze import sobol

    found = sobol.analyze(spec, y, calc_second_order=False, seed=ANALYSIS_SEED)
    return [{**b, "S1": float(found["S1"][i]), "S1_conf": float(found["S1_conf"][i]), "ST": float(found["ST"][i]), "ST_conf": float(found["ST_conf"][i])} for i, b in enumerate(base)]


def main_index(method: str) -> str:
    """The column that ranks parameters: ``mu_star_scaled`` (Morris) or ``ST`` (Sobol)."""
    return "mu_star_scaled" if method == "morris" else "ST"


def plot(table: pd.DataFrame, method: str, path: Path, question: str = "Which parameters drive each outcome") -> Path:
    """A heat map per scenario: parameters down, outcomes across, the ranking index in each cell."""
    column = main_index(method)
    scenarios = list(dict.fromkeys(table["scenario"]))
    outcomes = list(dict.fromkeys(table["outcome"]))
    parameters = list(dict.fromkeys(table["parameter"]))
    figure = Figure(figsize=(max(6.0, 0.55 * len(outcomes) + 3), (0.45 * len(parameters) + 1.6) * len(scenarios)), layout="constrained")
    axes = figure.subplots(len(scenarios), 1, squeeze=False).ravel()
    for ax, scenario in zip(axes, scenarios, strict=True):
        grid = table[table["scenario"] == scenario].pivot(index="parameter", columns="outcome", values=column).reindex(index=parameters, columns=outcomes)
        values = grid.to_numpy(dtype=float)
        image = ax.imshow(np.nan_to_num(values, nan=0.0), vmin=0, vmax=1, cmap="magma_r", aspect="auto")
        for (i, j), value in np.ndenumerate(values):
            ax.text(j, i, "-" if not np.isfinite(value) else f"{value:.2f}", ha="center", va="center", fontsize=6, color="white" if np.isfinite(value) and value > 0.6 else "black")
        ax.set_xticks(range(len(outcomes)), outcomes, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(len(parameters)), parameters, fontsize=8)
        ax.set_title(scenario, fontsize=10)
        figure.colorbar(image, ax=ax, shrink=0.8, label=column)
    label = "Morris mu* (scaled by the largest per outcome)" if method == "morris" else "Sobol total-order index ST"
    figure.suptitle(f"{question}: {label}", fontsize=10)
    tmp = path.with_suffix(".tmp.png")
    figure.savefig(tmp, dpi=100)
    tmp.replace(path)
    return path


def top_parameters(table: pd.DataFrame, method: str, count: int = 3) -> dict[tuple[str, str], list[tuple[str, float]]]:
    """Per (scenario, outcome): the ``count`` parameters with the largest ranking index."""
    column = main_index(method)
    found = {}
    for (scenario, outcome), rows in table.groupby(["scenario", "outcome"], sort=False):
        rows = rows.dropna(subset=[column]).sort_values(column, ascending=False)
        found[(scenario, outcome)] = [(r["parameter"], float(r[column])) for _, r in rows.head(count).iterrows()]
    return found


def summary_lines(table: pd.DataFrame, method: str, file: str | None = None, label: str = "scenario") -> list[str]:
    """A Markdown table: for each scenario and outcome, the parameters that drive it most (full table in ``file``; ``label``: the first column's heading)."""
    column = main_index(method)
    lines = [f"The parameters that drive each outcome most, by {column} (full table: `{file or f'sensitivity_{method}.csv'}`).", "",
             f"| {label} | outcome | most influential parameters |", "|---|---|---|"]
    for (scenario, outcome), top in top_parameters(table, method).items():
        text = ", ".join(f"`{name}` {value:.2f}" for name, value in top) or "(does not vary)"
        lines.append(f"| {scenario} | {outcome} | {text} |")
    return lines


def console(table: pd.DataFrame, method: str) -> str:
    """The compact text printed after a sensitivity analysis."""
    column = main_index(method)
    lines = [f"Sensitivity ({method}): parameters driving each outcome, by {column}"]
    for scenario in dict.fromkeys(table["scenario"]):
        lines.append(scenario)
        for (s, outcome), top in top_parameters(table, method).items():
            if s == scenario:
                text = ", ".join(f"{name} {value:.2f}" for name, value in top) or "(does not vary)"
                lines.append(f"  {outcome:<31} {text}")
    return "\n".join(lines)


def write(results: Results) -> pd.DataFrame:
    """Compute the indices and write ``sensitivity_METHOD.csv`` and ``figures/sensitivity_METHOD.png``."""
    table = analyse(results)
    method = results.manifest["sensitivity"]["method"]
    write_csv(results.folder / f"sensitivity_{method}.csv", table)
    (results.folder / "figures").mkdir(exist_ok=True)
    plot(table, method, results.folder / "figures" / f"sensitivity_{method}.png")
    return table
