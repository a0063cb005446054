"""Figures of a results folder, as PNG files (matplotlib, no window, no global pyplot state).

- ``timeseries.png``: each key outcome over the months, mean over seeds with
  its 95% interval as a band, one line per scenario;
- ``finals.png``: every outcome at the final month, scenarios side by side
  (mean and 95% interval; for a batch over posterior draws also the
  posterior interval);
- ``differences.png``: the change from the baseline scenario, paired on the
  seeds (and on the draws of a posterior batch), with the same intervals;
- ``equity_gap.png``: the wellbeing gap between the most and least
  advantaged fifths, over time and at the end;
- ``returns.png``: each outcome's change per extra GBP 10 per household per month;
- ``surface.png``: a sweep's outcomes against the varied parameters (a line
  with its band for one parameter, a heat map over the first two for a
  grid, scatter plots for sampled designs).

Figures for a comparison of scenarios are drawn at its one parameter point;
a batch over posterior draws pools them (levels and changes, no bands over
time); a sweep's figures show every point.

How every figure reads: outcomes are named, with their unit and which way
is better, from the one outcome table (:mod:`sim.outcome_table`, the
browser app's too); scenarios have the same colour and marker everywhere
(:mod:`sim.palette`); one legend per figure. An axis that reads a level
starts at zero (shares and indices run 0 to 1, as in the app); a change has
a zero line; panels in the same unit share their scale, so a longer bar is a
bigger change. Each ``build_*`` function returns the matplotlib Figure
(tests inspect it); :func:`write_all` saves them.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim import outcome_table, palette
from sim.batch.analysis import Analysis

KEY_OUTCOMES = (
    "trust_landlord", "trust_neighbours", "stigma", "bridging", "linking", "participation_most_stigmatised",
    "need_fit", "employment_rate", "wellbeing", "tsm_listens", "cost", "equity_gap",
)
"""Outcomes drawn over time and in sweeps, when recorded."""
DPI = 100
TICKS = 8
"""Font size of ticks, axis labels and legends (points; the figures are saved at 100 dpi and shown at about that size)."""
TITLES = 9
ZERO = {"color": "#333333", "linewidth": 0.9, "zorder": 1}
GRID = {"color": "#e6e6e6", "linewidth": 0.7}
SEED_INTERVAL = "95% interval over seeds (chance alone)"
POSTERIOR_INTERVAL = "posterior interval: 2.5th-97.5th percentile of the draws (what the calibration leaves open)"
LEVEL_RANGE = {"share": (0.0, 1.0), "index": (0.0, 1.0)}
"""Fixed value range of a level, by unit (as in the browser app); other units run from 0 to the largest value."""


def write_all(analysis: Analysis, folder: Path) -> list[Path]:
    """Every figure that applies to this folder's results; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    return [save(figure, folder / name) for name, figure in build_all(analysis).items()]


def build_all(analysis: Analysis) -> dict[str, Figure]:
    """Every figure that applies to this folder's results, by file name (nothing saved)."""
    if not analysis.has_runs:
        return {}
    results = analysis.results
    found: dict[str, Figure] = {}
    if analysis.posterior is not None:
        found["finals.png"] = build_finals(analysis)
        if not analysis.differences.empty:
            found["differences.png"] = build_differences(analysis)
        return found
    single = len(results.points) == 1
    if single and not analysis.over_time.empty:
        found["timeseries.png"] = build_timeseries(analysis)
    if single:
        found["finals.png"] = build_finals(analysis)
        if not analysis.differences.empty:
            found["differences.png"] = build_differences(analysis)
    if "equity_gap" in results.outcomes and single:
        found["equity_gap.png"] = build_equity_gap(analysis)
    if single and not analysis.returns.empty and analysis.returns["per_10_gbp"].notna().any():
        found["returns.png"] = build_returns(analysis)
    if results.factors and "sensitivity" not in results.manifest:  # a sensitivity design is read from its ranked chart (sim.batch.sensitivity)
        found["surface.png"] = build_surface(analysis)
    return found


def key_outcomes(outcomes: list[str], limit: int | None = None) -> list[str]:
    """The key outcomes that were recorded, or all recorded outcomes when none of them was."""
    chosen = [o for o in KEY_OUTCOMES if o in outcomes] or list(outcomes)
    return chosen[:limit] if limit else chosen


def sweep_outcomes(outcomes: list[str], limit: int = 9) -> list[str]:
    """A sweep's outcomes to show: the experiment's own (first ``limit``) when it chose a few, else the key outcomes."""
    return list(outcomes)[:limit] if len(outcomes) <= 9 else key_outcomes(outcomes, limit)


# -- how an outcome is named on a figure ------------------------------------------------------------------------------


def title(outcome: str, width: int = 34) -> str:
    """A panel's title: the outcome's name (wrapped) and, on its own line, which way is better."""
    return "\n".join([*textwrap.wrap(outcome_table.label(outcome), width), cue(outcome)])


def cue(outcome: str) -> str:
    """``higher is better ↑``, ``lower is better ↓`` or ``no better direction``."""
    text = outcome_table.direction_cue(outcome)
    return text if not outcome_table.has_direction(outcome) else f"{text} {'↑' if outcome_table.better(outcome) > 0 else '↓'}"


def arrow(outcome: str) -> str:
    """``↑`` (higher is better), ``↓`` (lower is better) or nothing."""
    return "" if not outcome_table.has_direction(outcome) else ("↑" if outcome_table.better(outcome) > 0 else "↓")


def value_label(outcome: str, change: bool = False) -> str:
    """The label of an axis that reads ``outcome``'s value (a level, or a change from the baseline), with its unit."""
    unit = outcome_table.name(outcome).unit
    if not change:
        return outcome_table.unit_text(outcome)
    return {"share": "change in share (0.01 = 1 percentage point)", "index": "change on the 0-1 index",
            "gbp": "change, GBP per household per month", "years": "change in years"}[unit]


def unit(outcome: str) -> str:
    return outcome_table.name(outcome).unit


# -- layout -----------------------------------------------------------------------------------------------------------


def grid(count: int, columns: int = 3, width: float = 4.2, height: float = 2.9, **shared) -> tuple[Figure, list[Axes]]:
    rows = max(1, math.ceil(count / columns))
    columns = min(columns, max(1, count))
    figure = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False, **shared).ravel().tolist()
    for ax in axes[count:]:
        ax.set_visible(False)
    return figure, axes[:count]


def save(figure: Figure, path: Path) -> Path:
    """Write ``figure`` as a PNG through a temporary file, so a kill never leaves half a figure under the real name."""
    tmp = path.with_suffix(".tmp.png")
    figure.savefig(tmp, dpi=DPI)
    tmp.replace(path)
    return path


def tidy(ax: Axes, grid_axis: str = "both") -> None:
    ax.tick_params(labelsize=TICKS)
    ax.grid(True, axis=grid_axis, **GRID)
    ax.set_axisbelow(True)


def shared_legend(figure: Figure, handles: list, columns: int | None = None) -> None:
    """One legend for the whole figure, below the panels."""
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncols=columns or min(len(handles), 5), fontsize=TICKS, frameon=False)


def _scenario_handles(styles: dict[str, palette.Style], line: bool = False) -> list[Line2D]:
    return [Line2D([], [], color=s.colour, marker=s.marker, markersize=5, linestyle=s.linestyle if line else "", label=name) for name, s in styles.items()]


def level_limits(outcomes: list[str], low: dict[str, float], high: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Value limits of level panels: from zero (or below, if a mean in ``low`` is negative), shared by every panel of a unit.

    ``low`` should hold the lowest mean, not the lowest interval end: a t-interval of a share near zero can reach below zero,
    where no share can be, and is cut at the axis.
    """
    found = {}
    for u in {unit(o) for o in outcomes}:
        group = [o for o in outcomes if unit(o) == u]
        lo = min([0.0, *(low.get(o, 0.0) for o in group)])
        hi = max([0.0, *(high.get(o, 0.0) for o in group)])
        fixed = LEVEL_RANGE.get(u)
        if fixed:
            lo, hi = min(lo, fixed[0]), max(hi, fixed[1])
        else:
            hi = hi * 1.08 if hi > 0 else 1.0
        for o in group:
            found[o] = (lo, hi)
    return found


def change_limits(outcomes: list[str], low: dict[str, float], high: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Value limits of change panels: zero inside, padded, shared by every panel of a unit."""
    found = {}
    for u in {unit(o) for o in outcomes}:
        group = [o for o in outcomes if unit(o) == u]
        lo = min([0.0, *(low.get(o, 0.0) for o in group)])
        hi = max([0.0, *(high.get(o, 0.0) for o in group)])
        pad = 0.08 * (hi - lo) or 0.01
        for o in group:
            found[o] = (lo - pad, hi + pad)
    return found


def _finite(*values: float) -> list[float]:
    return [float(v) for v in values if v is not None and np.isfinite(v)]


# -- levels and changes at the final month ----------------------------------------------------------------------------


def _seeds_note(analysis: Analysis) -> str:
    table = analysis.summary
    if analysis.posterior is not None:
        draws, seeds = table["draws"], table["seeds"]
        return f"{draws.max()} posterior draws x {seeds.max()} seeds"
    n = table["n"]
    return f"{n.min()} seeds" if n.min() == n.max() else f"{n.min()}-{n.max()} seeds"


def _interval_panels(analysis: Analysis, table: pd.DataFrame, scenarios: list[str], change: bool) -> Figure:
    """One panel per outcome, a row per scenario: the mean as a dot, the seed interval as a thick bar, the posterior interval (if any) as a thin one."""
    results = analysis.results
    posterior = analysis.posterior is not None
    styles = palette.styles(results.scenarios, results.baseline)
    outcomes = [o for o in results.outcomes if (table["outcome"] == o).any()]
    columns = 4 if len(outcomes) > 9 else 3
    figure, axes = grid(len(outcomes), columns=columns, width=3.4, height=0.3 * len(scenarios) + 1.35)
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    rows_by = {o: table[table["outcome"] == o].set_index("scenario") for o in outcomes}
    for o, rows in rows_by.items():
        spans = _finite(*rows["mean"], *rows["ci_low"], *rows["ci_high"], *(rows["posterior_low"] if posterior else []), *(rows["posterior_high"] if posterior else []))
        low[o], high[o] = (min(spans), max(spans)) if spans else (0.0, 0.0)
        if not change:
            low[o] = min(_finite(*rows["mean"]), default=0.0)
    limits = change_limits(outcomes, low, high) if change else level_limits(outcomes, low, high)
    y = {s: len(scenarios) - 1 - i for i, s in enumerate(scenarios)}
    for i, (ax, outcome) in enumerate(zip(axes, outcomes, strict=True)):
        rows = rows_by[outcome]
        for scenario in scenarios:
            if scenario not in rows.index:
                continue
            row, style = rows.loc[scenario], styles[scenario]
            if posterior and np.isfinite(row["posterior_low"]):
                ax.hlines(y[scenario], row["posterior_low"], row["posterior_high"], color=style.colour, linewidth=1.2, alpha=0.8)
            if np.isfinite(row["ci_low"]):
                ax.hlines(y[scenario], row["ci_low"], row["ci_high"], color=style.colour, linewidth=4.5, alpha=0.45)
            ax.plot([row["mean"]], [y[scenario]], marker=style.marker, color=style.colour, markersize=6, markeredgecolor="white", markeredgewidth=0.6, linestyle="")
        if change:
            ax.axvline(0, **ZERO)
        ax.set_xlim(*limits[outcome])
        ax.set_ylim(-0.6, len(scenarios) - 0.4)
        ax.set_yticks(list(y.values()), list(y) if i % columns == 0 else [""] * len(y))
        ax.set_xlabel(value_label(outcome, change), fontsize=TICKS)
        ax.set_title(title(outcome), fontsize=TITLES)
        tidy(ax, "x")
    handles = _scenario_handles({s: styles[s] for s in scenarios})
    handles.append(Line2D([], [], color="#777777", linewidth=4.5, alpha=0.45, label=SEED_INTERVAL))
    if posterior:
        handles.append(Line2D([], [], color="#777777", linewidth=1.2, label=POSTERIOR_INTERVAL))
    shared_legend(figure, handles, columns=len(handles) if len(handles) <= 7 else math.ceil(len(handles) / 2))
    return figure


def build_finals(analysis: Analysis) -> Figure:
    """Every outcome at the final month, scenarios side by side."""
    results = analysis.results
    scenarios = [s for s in results.scenarios if s in set(analysis.summary["scenario"])]
    figure = _interval_panels(analysis, analysis.summary, scenarios, change=False)
    figure.suptitle(f"Month {results.steps_planned}: mean over {_seeds_note(analysis)}", fontsize=11)
    return figure


def build_differences(analysis: Analysis) -> Figure:
    """Each scenario's change from the baseline, paired on seeds (and draws), with its intervals."""
    results = analysis.results
    scenarios = [s for s in results.scenarios if s in set(analysis.differences["scenario"])]
    figure = _interval_panels(analysis, analysis.differences, scenarios, change=True)
    paired = "draw and seed" if analysis.posterior is not None else "seed"
    figure.suptitle(f"Change from {results.baseline} at month {results.steps_planned}, paired on {paired}: mean over {_seeds_note(analysis)}", fontsize=11)
    return figure


# -- over time --------------------------------------------------------------------------------------------------------


def build_timeseries(analysis: Analysis) -> Figure:
    """Key outcomes over time: mean over seeds and 95% band, one line per scenario."""
    results = analysis.results
    outcomes = key_outcomes(results.outcomes)
    styles = palette.styles(results.scenarios, results.baseline)
    figure, axes = grid(len(outcomes), columns=4 if len(outcomes) > 9 else 3, width=3.4, height=2.6)
    data = analysis.over_time
    low = {o: float(data.loc[data["outcome"] == o, "mean"].min()) for o in outcomes}
    high = {o: float(data.loc[data["outcome"] == o, "ci_high"].max()) for o in outcomes}
    limits = level_limits(outcomes, low, high)
    for ax, outcome in zip(axes, outcomes, strict=True):
        for scenario in results.scenarios:
            rows = data[(data["outcome"] == outcome) & (data["scenario"] == scenario)]
            if rows.empty:
                continue
            style = styles[scenario]
            ax.plot(rows["step"], rows["mean"], **style.line(), label=scenario, linewidth=1.4)
            ax.fill_between(rows["step"], rows["ci_low"], rows["ci_high"], color=style.colour, alpha=0.18, linewidth=0)
        ax.set_ylim(*limits[outcome])
        ax.set_title(title(outcome), fontsize=TITLES)
        ax.set_xlabel("month", fontsize=TICKS)
        ax.set_ylabel(value_label(outcome), fontsize=TICKS)
        tidy(ax)
    shown = {s: styles[s] for s in results.scenarios if s in set(data["scenario"])}
    shared_legend(figure, [*_scenario_handles(shown, line=True), Line2D([], [], color="#777777", linewidth=6, alpha=0.3, label=f"band: {SEED_INTERVAL}")])
    figure.suptitle(f"{results.experiment['name']}: mean over {_seeds_note(analysis)}", fontsize=11)
    return figure


def build_equity_gap(analysis: Analysis) -> Figure:
    """The equity gap over time (with bands) and at the final month, on one value scale."""
    results = analysis.results
    styles = palette.styles(results.scenarios, results.baseline)
    figure = Figure(figsize=(10, 4.2), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=[2.2, 1], sharey=True)
    data = analysis.over_time
    data = data[data["outcome"] == "equity_gap"] if not data.empty else data
    final = analysis.summary[analysis.summary["outcome"] == "equity_gap"]
    scenarios = [s for s in results.scenarios if s in set(final["scenario"])]
    for scenario in scenarios if not data.empty else []:
        rows = data[data["scenario"] == scenario]
        left.plot(rows["step"], rows["mean"], **styles[scenario].line(), linewidth=1.4)
        left.fill_between(rows["step"], rows["ci_low"], rows["ci_high"], color=styles[scenario].colour, alpha=0.18, linewidth=0)
    left.set_xlabel("month", fontsize=TICKS)
    left.set_ylabel(value_label("equity_gap"), fontsize=TICKS)
    left.set_title("over time", fontsize=TITLES)
    rows = final.set_index("scenario")
    for x, scenario in enumerate(scenarios):
        row, style = rows.loc[scenario], styles[scenario]
        right.vlines(x, row["ci_low"], row["ci_high"], color=style.colour, linewidth=4.5, alpha=0.45)
        right.plot([x], [row["mean"]], marker=style.marker, color=style.colour, markersize=6, markeredgecolor="white", linestyle="")
    right.set_xticks(range(len(scenarios)), scenarios, rotation=30, ha="right")
    right.set_xlim(-0.6, len(scenarios) - 0.4)
    right.set_xlabel("scenario", fontsize=TICKS)
    right.set_title(f"month {results.steps_planned}", fontsize=TITLES)
    means = _finite(*final["mean"], *(data["mean"] if not data.empty else []))
    spans = _finite(*final["ci_high"], *(data["ci_high"] if not data.empty else []))
    top = max(spans, default=0.0)
    left.set_ylim(min(0.0, *means), top * 1.1 if top > 0 else 1.0)  # from zero, but not 0 to 1: this figure is about how the gap compares
    for ax in (left, right):
        tidy(ax, "y")
    shared_legend(figure, [*_scenario_handles({s: styles[s] for s in scenarios}, line=True),
                     Line2D([], [], color="#777777", linewidth=4.5, alpha=0.45, label=SEED_INTERVAL)])
    figure.suptitle(f"{outcome_table.label('equity_gap')}: mean over {_seeds_note(analysis)} ({cue('equity_gap')})", fontsize=11)
    return figure


# -- return on spending -----------------------------------------------------------------------------------------------


def build_returns(analysis: Analysis) -> Figure:
    """Each outcome's change per extra GBP 10 per household per month, against the baseline, one panel per scenario on one scale."""
    results = analysis.results
    table = analysis.returns
    scenarios = [s for s in results.scenarios if s != results.baseline and s in set(table["scenario"])]
    styles = palette.styles(results.scenarios, results.baseline)
    outcomes = [o for o in results.outcomes if o != "cost" and (table["outcome"] == o).any()]
    figure, axes = grid(len(scenarios), columns=min(len(scenarios), 3), width=4.4, height=0.3 * len(outcomes) + 1.6, sharex=True)
    y = {o: len(outcomes) - 1 - i for i, o in enumerate(outcomes)}
    names = [f"{textwrap.shorten(outcome_table.label(o), 40, placeholder='...')} {arrow(o)}" for o in outcomes]
    for i, (ax, scenario) in enumerate(zip(axes, scenarios, strict=True)):
        rows = table[table["scenario"] == scenario].set_index("outcome")
        style = styles[scenario]
        if rows["per_10_gbp"].isna().all():
            note = rows["note"].iloc[0] if not rows.empty else "no runs"
            ax.text(0.5, 0.5, textwrap.fill(f"no return computed: {note}", 40), ha="center", va="center", transform=ax.transAxes, fontsize=TICKS)
        for outcome in outcomes:
            if outcome not in rows.index or not np.isfinite(rows.loc[outcome, "per_10_gbp"]):
                continue
            row = rows.loc[outcome]
            ax.hlines(y[outcome], row["per_10_gbp_low"], row["per_10_gbp_high"], color=style.colour, linewidth=4.5, alpha=0.5)
            ax.plot([row["per_10_gbp"]], [y[outcome]], marker=style.marker, color=style.colour, markersize=5, markeredgecolor="white", linestyle="")
        ax.axvline(0, **ZERO)
        ax.set_ylim(-0.6, len(outcomes) - 0.4)
        ax.set_yticks(list(y.values()), names if i % 3 == 0 else [""] * len(names))
        extra = rows["extra_cost"].iloc[0] if not rows.empty else math.nan
        ax.set_title(f"{scenario}\nextra cost {extra:+.1f} GBP per household per month", fontsize=TITLES)
        ax.set_xlabel("change per extra GBP 10 per household per month\n(in each outcome's own unit)", fontsize=TICKS)
        tidy(ax, "x")
    shared_legend(figure, [*_scenario_handles({s: styles[s] for s in scenarios}),
                     Line2D([], [], color="#777777", linewidth=4.5, alpha=0.45, label="95% bootstrap interval over seeds"),
                     Line2D([], [], linestyle="", label="↑ higher is better, ↓ lower is better")])
    figure.suptitle(f"Return on spending against {results.baseline} at month {results.steps_planned}", fontsize=11)
    return figure


# -- sweeps -----------------------------------------------------------------------------------------------------------


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def build_surface(analysis: Analysis) -> Figure:
    """A sweep's final outcomes against its varied parameters."""
    results = analysis.results
    factors = results.factors
    outcomes = sweep_outcomes(results.outcomes)
    table = analysis.summary
    styles = palette.styles(results.scenarios, results.baseline)
    method = results.experiment["sampling"]["method"]
    limits = level_limits(outcomes, {o: float(table.loc[table["outcome"] == o, "mean"].min()) for o in outcomes},
                          {o: float(table.loc[table["outcome"] == o, "ci_high" if method == "grid" else "mean"].max()) for o in outcomes})
    shown = {s: styles[s] for s in results.scenarios if s in set(table["scenario"])}
    if len(factors) == 1:
        factor = factors[0]
        figure, axes = grid(len(outcomes), width=3.6, height=2.8)
        for ax, outcome in zip(axes, outcomes, strict=True):
            for scenario in shown:
                rows = table[(table["outcome"] == outcome) & (table["scenario"] == scenario)].sort_values(factor)
                x = rows[factor].to_numpy() if _numeric(rows[factor]) else np.arange(len(rows))
                style = styles[scenario]
                if method == "grid":
                    ax.plot(x, rows["mean"], marker=style.marker, markersize=3.5, **style.line())
                    ax.fill_between(x, rows["ci_low"], rows["ci_high"], color=style.colour, alpha=0.18, linewidth=0)
                else:
                    ax.scatter(x, rows["mean"], s=10, color=style.colour, marker=style.marker)
                if not _numeric(rows[factor]):
                    ax.set_xticks(x, [str(v) for v in rows[factor]], fontsize=7)
            ax.set_ylim(*limits[outcome])
            _label_level(ax, outcome, factor)
        shared_legend(figure, _scenario_handles(shown, line=method == "grid") + ([Line2D([], [], color="#777777", linewidth=6, alpha=0.3, label=f"band: {SEED_INTERVAL}")] if method == "grid" else []))
    elif method == "grid":
        fx, fy = factors[0], factors[1]
        panels = [(s, o) for s in shown for o in outcomes]
        figure, axes = grid(len(panels), columns=len(outcomes) if len(shown) > 1 else min(3, len(outcomes)), width=3.8, height=3.3)
        for ax, (scenario, outcome) in zip(axes, panels, strict=True):
            rows = table[(table["outcome"] == outcome) & (table["scenario"] == scenario)]
            cells = rows.pivot_table(index=fy, columns=fx, values="mean", aggfunc="mean")
            image = ax.imshow(cells.to_numpy(), origin="lower", aspect="auto", cmap="viridis", vmin=limits[outcome][0] if unit(outcome) in LEVEL_RANGE else None,
                              vmax=limits[outcome][1] if unit(outcome) in LEVEL_RANGE else None)
            ax.set_xticks(range(cells.shape[1]), [_tick(v) for v in cells.columns], fontsize=7)
            ax.set_yticks(range(cells.shape[0]), [_tick(v) for v in cells.index], fontsize=7)
            low, high = image.get_clim()
            for (i, j), value in np.ndenumerate(cells.to_numpy()):
                if np.isfinite(value) and cells.size <= 64:
                    light = high > low and (value - low) / (high - low) > 0.6  # viridis is light at the top
                    ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=6, color="black" if light else "white")
            ax.set_xlabel(fx, fontsize=TICKS)
            ax.set_ylabel(fy, fontsize=TICKS)
            ax.set_title(f"{title(outcome)}" + (f"\n({scenario})" if len(shown) > 1 else ""), fontsize=TITLES)
            bar = figure.colorbar(image, ax=ax, shrink=0.8)
            bar.set_label(value_label(outcome), fontsize=TICKS)
            bar.ax.tick_params(labelsize=7)
        note = f" and over {', '.join(factors[2:])}" if len(factors) > 2 else ""
        figure.suptitle(f"{results.experiment['name']}: final month, mean over seeds{note}", fontsize=11)
    else:  # sampled designs: a row per outcome (one value scale), a column per parameter
        figure = Figure(figsize=(2.4 * len(factors) + 1.2, 1.9 * len(outcomes) + 1.0), layout="constrained")
        axes = figure.subplots(len(outcomes), len(factors), squeeze=False, sharey="row")
        for r, outcome in enumerate(outcomes):
            for c, factor in enumerate(factors):
                ax = axes[r, c]
                for scenario in shown:
                    rows = table[(table["outcome"] == outcome) & (table["scenario"] == scenario)]
                    x = rows[factor].to_numpy() if _numeric(rows[factor]) else pd.factorize(rows[factor])[0]
                    ax.scatter(x, rows["mean"], s=8, color=styles[scenario].colour, marker=styles[scenario].marker, alpha=0.75)
                ax.set_ylim(*limits[outcome])
                ax.set_xlabel(factor, fontsize=TICKS - 1)
                if c == 0:
                    name = textwrap.fill(f"{outcome_table.label(outcome)} {arrow(outcome)}", 28)
                    ax.set_ylabel(f"{name}\n{value_label(outcome)}", fontsize=TICKS - 0.5)
                tidy(ax)
                ax.tick_params(labelsize=TICKS - 1)
        shared_legend(figure, [*_scenario_handles(shown), Line2D([], [], linestyle="", label="↑ higher is better, ↓ lower is better")])
    if not figure.get_suptitle():
        figure.suptitle(f"{results.experiment['name']}: final month, mean over seeds", fontsize=11)
    return figure


def _label_level(ax: Axes, outcome: str, factor: str) -> None:
    ax.set_xlabel(factor, fontsize=TICKS)
    ax.set_ylabel(value_label(outcome), fontsize=TICKS)
    ax.set_title(title(outcome), fontsize=TITLES)
    tidy(ax)


def _tick(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
