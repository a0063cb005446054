"""Figures of a results folder, as PNG files (matplotlib, no window, no global pyplot state).

- ``timeseries.png``: each key outcome over the months, mean over seeds with
  its 95% interval as a band, one line per scenario;
- ``finals.png``: every outcome at the final month, scenarios side by side
  (mean and 95% interval);
- ``differences.png``: paired differences from the baseline scenario;
- ``equity_gap.png``: the wellbeing gap between the most and least
  advantaged fifths, over time and at the end;
- ``returns.png``: each outcome's change per extra GBP 10 per household per month;
- ``surface.png``: a sweep's outcomes against the varied parameters (a line
  with its band for one parameter, a heat map over the first two for a
  grid, scatter plots for sampled designs).

Figures for a comparison of scenarios are drawn at its one parameter point;
a sweep's figures show every point.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.batch.analysis import Analysis

KEY_OUTCOMES = (
    "trust_landlord", "trust_neighbours", "stigma", "bridging", "linking", "participation_most_stigmatised",
    "need_fit", "employment_rate", "wellbeing", "tsm_listens", "cost", "equity_gap",
)
"""Outcomes drawn over time and in sweeps, when recorded."""
DPI = 100


def write_all(analysis: Analysis, folder: Path) -> list[Path]:
    """Every figure that applies to this folder's results; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    if not analysis.has_runs:
        return []
    results = analysis.results
    written = []
    single = len(results.points) == 1
    if single and not analysis.over_time.empty:
        written.append(timeseries(analysis, folder / "timeseries.png"))
    if single:
        written.append(finals(analysis, folder / "finals.png"))
        if not analysis.differences.empty:
            written.append(differences(analysis, folder / "differences.png"))
    if "equity_gap" in results.outcomes and single:
        written.append(equity_gap(analysis, folder / "equity_gap.png"))
    if single and not analysis.returns.empty and analysis.returns["per_10_gbp"].notna().any():
        written.append(returns(analysis, folder / "returns.png"))
    if results.factors:
        written.append(surface(analysis, folder / "surface.png"))
    return written


def key_outcomes(outcomes: list[str], limit: int | None = None) -> list[str]:
    """The key outcomes that were recorded, or all recorded outcomes when none of them was."""
    chosen = [o for o in KEY_OUTCOMES if o in outcomes] or list(outcomes)
    return chosen[:limit] if limit else chosen


def sweep_outcomes(outcomes: list[str], limit: int = 9) -> list[str]:
    """A sweep's outcomes to show: the experiment's own (first ``limit``) when it chose a few, else the key outcomes."""
    return list(outcomes)[:limit] if len(outcomes) <= 9 else key_outcomes(outcomes, limit)


def _colours(scenarios: list[str]) -> dict[str, str]:
    palette = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#2e4057", "#c05805", "#7a7a7a", "#4c956c"]
    return {s: palette[i % len(palette)] for i, s in enumerate(scenarios)}


def _grid(count: int, columns: int = 3, width: float = 4.2, height: float = 2.9) -> tuple[Figure, list]:
    rows = max(1, math.ceil(count / columns))
    columns = min(columns, max(1, count))
    figure = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel().tolist()
    for ax in axes[count:]:
        ax.set_visible(False)
    return figure, axes[:count]


def _save(figure: Figure, path: Path) -> Path:
    tmp = path.with_suffix(".tmp.png")
    figure.savefig(tmp, dpi=DPI)
    tmp.replace(path)
    return path


def _seeds_note(analysis: Analysis) -> str:
    n = analysis.summary["n"]
    return f"{n.min()} seeds" if n.min() == n.max() else f"{n.min()}-{n.max()} seeds"


def timeseries(analysis: Analysis, path: Path) -> Path:
    """Key outcomes over time: mean over seeds and 95% band, one line per scenario."""
    results = analysis.results
    outcomes = key_outcomes(results.outcomes)
    colours = _colours(results.scenarios)
    figure, axes = _grid(len(outcomes))
    data = analysis.over_time
    for ax, outcome in zip(axes, outcomes, strict=True):
        for scenario in results.scenarios:
            rows = data[(data["outcome"] == outcome) & (data["scenario"] == scenario)]
            if rows.empty:
                continue
            ax.plot(rows["step"], rows["mean"], color=colours[scenario], label=scenario, linewidth=1.4)
            ax.fill_between(rows["step"], rows["ci_low"], rows["ci_high"], color=colours[scenario], alpha=0.2, linewidth=0)
        ax.set_title(outcome, fontsize=10)
        ax.set_xlabel("month", fontsize=8)
        ax.tick_params(labelsize=8)
    axes[0].legend(fontsize=7, loc="best")
    figure.suptitle(f"{results.experiment['name']}: mean and 95% interval over {_seeds_note(analysis)}", fontsize=11)
    return _save(figure, path)


def _dot_whisker(ax, labels: list[str], means: np.ndarray, lows: np.ndarray, highs: np.ndarray, colours: list[str]) -> None:
    y = np.arange(len(labels))[::-1]
    for yi, m, lo, hi, c in zip(y, means, lows, highs, colours, strict=True):
        ax.errorbar(m, yi, xerr=[[m - lo if np.isfinite(lo) else 0], [hi - m if np.isfinite(hi) else 0]], fmt="o", color=c, capsize=3, markersize=4)
    ax.set_yticks(y, labels, fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.margins(y=0.15)


def _outcome_panels(analysis: Analysis, table, height: float, zero_line: bool):
    """One dot-and-whisker panel per outcome from ``table`` (columns outcome, scenario, mean, ci_low, ci_high)."""
    results = analysis.results
    colours = _colours(results.scenarios)
    figure, axes = _grid(len(results.outcomes), columns=3, height=height)
    for ax, outcome in zip(axes, results.outcomes, strict=True):
        rows = table[table["outcome"] == outcome]
        _dot_whisker(ax, list(rows["scenario"]), rows["mean"].to_numpy(), rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy(), [colours[s] for s in rows["scenario"]])
        if zero_line:
            ax.axvline(0, color="#555555", linewidth=0.8)
        ax.set_title(outcome, fontsize=10)
    return figure


def finals(analysis: Analysis, path: Path) -> Path:
    """Every outcome at the final month, scenarios side by side."""
    figure = _outcome_panels(analysis, analysis.summary, height=2.2, zero_line=False)
    figure.suptitle(f"Month {analysis.results.steps_planned}: mean and 95% interval over {_seeds_note(analysis)}", fontsize=11)
    return _save(figure, path)


def differences(analysis: Analysis, path: Path) -> Path:
    """Paired differences from the baseline, with 95% intervals."""
    results = analysis.results
    figure = _outcome_panels(analysis, analysis.differences, height=2.0, zero_line=True)
    figure.suptitle(f"Paired difference from {results.baseline} at month {results.steps_planned} (same seeds), mean and 95% interval", fontsize=11)
    return _save(figure, path)


def equity_gap(analysis: Analysis, path: Path) -> Path:
    """The equity gap over time (with bands) and at the final month."""
    results = analysis.results
    colours = _colours(results.scenarios)
    figure = Figure(figsize=(11, 3.8), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=[2, 1])
    data = analysis.over_time
    if not data.empty:
        for scenario in results.scenarios:
            rows = data[(data["outcome"] == "equity_gap") & (data["scenario"] == scenario)]
            left.plot(rows["step"], rows["mean"], color=colours[scenario], label=scenario)
            left.fill_between(rows["step"], rows["ci_low"], rows["ci_high"], color=colours[scenario], alpha=0.2, linewidth=0)
        left.legend(fontsize=8)
    left.set_xlabel("month")
    left.set_ylabel("wellbeing gap, most vs least advantaged fifth")
    rows = analysis.summary[analysis.summary["outcome"] == "equity_gap"]
    _dot_whisker(right, list(rows["scenario"]), rows["mean"].to_numpy(), rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy(), [colours[s] for s in rows["scenario"]])
    right.set_title(f"month {results.steps_planned}", fontsize=10)
    figure.suptitle("Equity gap: mean and 95% interval over seeds", fontsize=11)
    return _save(figure, path)


def returns(analysis: Analysis, path: Path) -> Path:
    """Each outcome's change per extra GBP 10 per household per month, against the baseline."""
    results = analysis.results
    table = analysis.returns
    scenarios = [s for s in results.scenarios if s != results.baseline]
    colours = _colours(results.scenarios)
    figure, axes = _grid(len(scenarios), columns=len(scenarios), width=4.6, height=0.32 * len(results.outcomes) + 1.4)
    for ax, scenario in zip(axes, scenarios, strict=True):
        rows = table[table["scenario"] == scenario]
        if rows["per_10_gbp"].isna().all():
            note = rows["note"].iloc[0] if not rows.empty else "no runs"
            ax.text(0.5, 0.5, f"no return computed:\n{note}", ha="center", va="center", transform=ax.transAxes, fontsize=9)
            ax.set_axis_off()
        else:
            _dot_whisker(ax, list(rows["outcome"]), rows["per_10_gbp"].to_numpy(), rows["per_10_gbp_low"].to_numpy(), rows["per_10_gbp_high"].to_numpy(), [colours[scenario]] * len(rows))
            ax.axvline(0, color="#555555", linewidth=0.8)
            extra = rows["extra_cost"].iloc[0]
            ax.set_title(f"{scenario}\n(extra cost {extra:+.1f} GBP/household/month)", fontsize=9)
    figure.suptitle(f"Change per extra GBP 10 per household per month, against {results.baseline} (95% bootstrap interval)", fontsize=10)
    return _save(figure, path)


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def surface(analysis: Analysis, path: Path) -> Path:
    """A sweep's final outcomes against its varied parameters."""
    results = analysis.results
    factors = results.factors
    outcomes = sweep_outcomes(results.outcomes)
    table = analysis.summary
    colours = _colours(results.scenarios)
    method = results.experiment["sampling"]["method"]
    if len(factors) == 1:
        factor = factors[0]
        figure, axes = _grid(len(outcomes))
        for ax, outcome in zip(axes, outcomes, strict=True):
            for scenario in results.scenarios:
                rows = table[(table["outcome"] == outcome) & (table["scenario"] == scenario)].sort_values(factor)
                x = rows[factor].to_numpy() if _numeric(rows[factor]) else np.arange(len(rows))
                if method == "grid":
                    ax.plot(x, rows["mean"], marker="o", markersize=3, color=colours[scenario], label=scenario)
                    ax.fill_between(x, rows["ci_low"], rows["ci_high"], color=colours[scenario], alpha=0.2, linewidth=0)
                else:
                    ax.scatter(x, rows["mean"], s=8, color=colours[scenario], label=scenario)
                if not _numeric(rows[factor]):
                    ax.set_xticks(x, [str(v) for v in rows[factor]], fontsize=7)
            ax.set_xlabel(factor, fontsize=8)
            ax.set_title(outcome, fontsize=10)
        axes[0].legend(fontsize=7)
    elif method == "grid":
        fx, fy = factors[0], factors[1]
        panels = [(s, o) for s in results.scenarios for o in outcomes]
        figure, axes = _grid(len(panels), columns=len(outcomes) if len(results.scenarios) > 1 else min(3, len(outcomes)), width=3.8, height=3.2)
        for ax, (scenario, outcome) in zip(axes, panels, strict=True):
            rows = table[(table["outcome"] == outcome) & (table["scenario"] == scenario)]
            grid = rows.pivot_table(index=fy, columns=fx, values="mean", aggfunc="mean")
            image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
            ax.set_xticks(range(grid.shape[1]), [_tick(v) for v in grid.columns], fontsize=7)
            ax.set_yticks(range(grid.shape[0]), [_tick(v) for v in grid.index], fontsize=7)
            low, high = image.get_clim()
            for (i, j), value in np.ndenumerate(grid.to_numpy()):
                if np.isfinite(value) and grid.size <= 64:
                    light = high > low and (value - low) / (high - low) > 0.6  # viridis is light at the top
                    ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=6, color="black" if light else "white")
            ax.set_xlabel(fx, fontsize=8)
            ax.set_ylabel(fy, fontsize=8)
            ax.set_title(f"{outcome} ({scenario})" if len(results.scenarios) > 1 else outcome, fontsize=9)
            figure.colorbar(image, ax=ax, shrink=0.8)
        if len(factors) > 2:
            figure.suptitle(f"Mean over seeds and over {', '.join(factors[2:])}", fontsize=10)
    else:
        panels = [(o, f) for o in outcomes for f in factors]
        figure, axes = _grid(len(panels), columns=len(factors), width=3.2, height=2.6)
        for ax, (outcome, factor) in zip(axes, panels, strict=True):
            for scenario in results.scenarios:
                rows = table[(table["outcome"] == outcome) & (table["scenario"] == scenario)]
                x = rows[factor].to_numpy() if _numeric(rows[factor]) else pd.factorize(rows[factor])[0]
                ax.scatter(x, rows["mean"], s=6, color=colours[scenario], label=scenario, alpha=0.7)
            ax.set_xlabel(factor, fontsize=8)
            ax.set_ylabel(outcome, fontsize=8)
            ax.tick_params(labelsize=7)
        axes[0].legend(fontsize=7)
    if not figure.get_suptitle():
        figure.suptitle(f"{results.experiment['name']}: final month, mean over seeds", fontsize=11)
    return _save(figure, path)


def _tick(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
