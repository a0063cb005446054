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
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim import outcome_table, palette
from sim.batch import figures
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


TOP = 10
"""Parameters drawn per outcome in the ranked chart; the others are summarised in one bar (all are in the CSV table)."""
PANELS = 12
"""Outcomes drawn per scenario: all when the experiment has at most this many, else the key outcomes."""


def plot(table: pd.DataFrame, method: str, path: Path, question: str = "Which parameters drive each outcome") -> Path:
    """Write :func:`build_plot`'s chart to ``path`` (PNG)."""
    figure = build_plot(table, method, question)
    tmp = path.with_suffix(".tmp.png")
    figure.savefig(tmp, dpi=figures.DPI)
    tmp.replace(path)
    return path


def index_label(method: str) -> str:
    """What the ranking index is, with its scale, for an axis."""
    return "Morris mu*, scaled (largest for the outcome = 1)" if method == "morris" else "Sobol index: share of the outcome's variance"


def build_plot(table: pd.DataFrame, method: str, question: str = "Which parameters drive each outcome", top: int = TOP) -> Figure:
    """A ranked chart: per scenario and outcome, the ``top`` parameters by the ranking index as horizontal bars (largest first), the rest in one grey bar."""
    column = main_index(method)
    scenarios = list(dict.fromkeys(table["scenario"]))
    outcomes = list(dict.fromkeys(table["outcome"]))
    chosen = outcomes if len(outcomes) <= PANELS else figures.key_outcomes(outcomes, PANELS)
    panels = [(s, o) for s in scenarios for o in chosen]
    rows_per_panel = min(top, table["parameter"].nunique()) + (1 if table["parameter"].nunique() > top else 0)
    figure, axes = figures.grid(len(panels), columns=3, width=4.4, height=max(2.6, 0.24 * rows_per_panel + 1.5))
    values = table[column].to_numpy(dtype=float)
    high = max(1.0, float(np.nanmax(values)) if np.isfinite(values).any() else 1.0)
    for ax, (scenario, outcome) in zip(axes, panels, strict=True):
        rows = table[(table["scenario"] == scenario) & (table["outcome"] == outcome)].dropna(subset=[column]).sort_values(column, ascending=False)
        shown, rest = rows.head(top), rows.iloc[top:]
        y = np.arange(rows_per_panel)[::-1][: len(shown)]
        if method == "morris":
            scale = shown["mu_star_scaled"] / shown["mu_star"].where(shown["mu_star"] > 0)
            ax.barh(y, shown[column], color=palette.BLUE, height=0.7, xerr=(shown["mu_star_conf"] * scale).fillna(0).to_numpy(),
                    error_kw={"elinewidth": 0.8, "ecolor": "#333333", "capsize": 0})
        else:
            ax.barh(y, shown["ST"], color=palette.SKY_BLUE, height=0.7, xerr=shown["ST_conf"].fillna(0).to_numpy(), error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
            ax.barh(y, shown["S1"].clip(lower=0), color=palette.BLUE, height=0.35)
        labels = list(shown["parameter"])
        if len(rest):
            ax.barh([y[-1] - 1], [float(rest[column].max())], color="#bbbbbb", height=0.7)
            labels.append(f"{len(rest)} others (largest shown)")
            y = np.append(y, y[-1] - 1)
        if rows.empty:
            ax.text(0.5, 0.5, "does not vary over the design", ha="center", va="center", transform=ax.transAxes, fontsize=figures.TICKS)
        ax.set_yticks(y, labels, fontsize=figures.TICKS - 0.5)
        ax.set_ylim(-0.6, rows_per_panel - 0.4)
        ax.set_xlim(0, high * 1.05)
        ax.set_xlabel(index_label(method), fontsize=figures.TICKS)
        name = textwrap.shorten(outcome_table.label(outcome), 48, placeholder="...")
        ax.set_title(name if len(scenarios) == 1 else f"{name}\n({scenario})", fontsize=figures.TITLES)
        figures.tidy(ax, "x")
    if method == "morris":
        handles = [Patch(color=palette.BLUE, label="mu*: mean absolute effect of the parameter (scaled)"), Line2D([], [], color="#333333", linewidth=0.8, label="bootstrap 95% interval")]
    else:
        handles = [Patch(color=palette.SKY_BLUE, label="ST: total (with interactions)"), Patch(color=palette.BLUE, label="S1: the parameter alone"),
                   Line2D([], [], color="#333333", linewidth=0.8, label="bootstrap 95% interval of ST")]
    if table["parameter"].nunique() > top:
        handles.append(Patch(color="#bbbbbb", label=f"largest of the parameters beyond the top {top}"))
    figures.shared_legend(figure, handles, columns=len(handles))
    chosen_note = "" if chosen == outcomes else f" ({len(chosen)} key outcomes of {len(outcomes)}; all in the CSV table)"
    single = f" ({scenarios[0]})" if len(scenarios) == 1 else ""
    ranked = "Morris mu* (scaled)" if method == "morris" else "Sobol total index ST"
    figure.suptitle(f"{question}{single}: parameters ranked by {ranked}{chosen_note}", fontsize=11)
    return figure


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
