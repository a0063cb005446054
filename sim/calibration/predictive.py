"""The posterior predictive check: posterior draws run again on fresh seeds, against every figure.

**Draws.** ``count`` draws by systematic resampling of the posterior's
weights (one uniform number from the calibration's seed, then evenly
spaced), so the draws follow the posterior with less sampling noise than
independent draws. A parameter set drawn more than once is run once and
counts as often as it was drawn.

**What is compared.** Each run is one simulated landlord (its own community
and seed). The national figures are medians across landlords, so a figure's
*simulated* value is the posterior predictive mean of the typical landlord:
the mean over all runs, each draw counted by its multiplicity. Two intervals
say how sure that is:

- the **posterior interval**: the 2.5th and 97.5th weighted percentiles of
  the draws' means over the seeds: what the parameters the figures leave
  open move (with the seeds' noise in each mean, so slightly wide);
- the **seed interval**: the 95% interval of the mean over the runs from
  the seeds alone (the standard error between seeds within a draw, pooled).

Then the spread of **single landlords** in the runs (10th and 90th
percentiles of all runs), which is what the model says landlords alike in
every parameter would differ by from chance alone, against the national
10th and 90th percentiles where the figure has them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.posterior_points import systematic
from sim.calibration.posterior import Posterior
from sim.calibration.spec import Calibration

Z95 = 1.959964


def draws(posterior: Posterior, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` systematic-resampling draws from ``posterior``: the distinct parameter sets and how often each was drawn."""
    distinct, counts = np.unique(systematic(posterior.weights, count, seed), return_counts=True)
    return posterior.draws[distinct], counts


def weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative weight reaches ``q`` percent (NaN values ignored)."""
    keep = np.isfinite(values)
    values, weights = values[keep], weights[keep]
    if not len(values):
        return float("nan")
    order = np.argsort(values, kind="stable")
    reached = np.cumsum(weights[order]) >= q / 100.0 * weights.sum() - 1e-12
    return float(values[order[int(np.argmax(reached))]])


def table(cal: Calibration, runs: pd.DataFrame, counts: np.ndarray, spreads: dict[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """Per target and validation figure: national, simulated, the posterior and seed intervals, single landlords' spread, miss."""
    spreads = spreads or {}
    weight = counts[runs["point"].to_numpy()].astype(float)
    rows = []
    for target in (*cal.targets, *cal.validation):
        values = runs[target.column].to_numpy(dtype=float)
        ok = np.isfinite(values)
        w = weight[ok]
        mean = float(np.average(values[ok], weights=w)) if ok.any() else float("nan")
        per_draw = runs.assign(_v=values).groupby("point")["_v"]
        draw_means = per_draw.mean()
        draw_weights = counts[draw_means.index.to_numpy()].astype(float)
        within = per_draw.var(ddof=1).to_numpy()
        pooled = float(np.nanmean(within)) if np.isfinite(within).any() else float("nan")
        seed_half = Z95 * np.sqrt(pooled / max(int(ok.sum()), 1))
        national = spreads.get(target.column, (float("nan"), float("nan")))
        rows.append({
            "column": target.column, "measure": target.measure, "used": "fitted" if target.calibrated else "validation only",
            "national": target.value, "simulated": mean,
            "posterior_low": weighted_percentile(draw_means.to_numpy(), draw_weights, 2.5),
            "posterior_high": weighted_percentile(draw_means.to_numpy(), draw_weights, 97.5),
            "seed_low": mean - seed_half, "seed_high": mean + seed_half,
            "landlords_p10": weighted_percentile(values, weight, 10), "landlords_p90": weighted_percentile(values, weight, 90),
            "national_p10": national[0], "national_p90": national[1],
            "runs": int(ok.sum()), "miss": mean - target.value, "tolerance": target.tolerance,
            "source": f"{target.figure.source} ({target.figure.year}; {target.figure.population})",
        })
    return pd.DataFrame(rows)


PLAIN = {
    "tsm_tp01_overall_satisfied": "TP01 satisfied overall",
    "tsm_tp01_dissatisfied": "TP01 dissatisfied overall",
    "tsm_tp06_listens_and_acts": "TP06 listens to views and acts",
    "tsm_tp07_keeps_informed": "TP07 keeps tenants informed",
    "tsm_tp08_fair_and_respectful": "TP08 fair and respectful",
    "tsm_tp09_complaints_handling": "TP09 complaints handling",
    "tsm_tp04_well_maintained": "TP04 home well maintained",
    "tsm_tp11_neighbourhood_contribution": "TP11 contribution to the neighbourhood",
    "tsm_tp02_repairs": "TP02 repairs (those with a repair)",
    "tsm_tp12_antisocial_behaviour": "TP12 anti-social behaviour (a proxy)",
    "working_age_in_work": "working-age tenants in work",
    "looked_down_on_where_they_live": "feel looked down on where they live",
    "experienced_prejudice_or_discrimination": "met prejudice or discrimination",
    "felt_ignored_reporting_poor_conditions": "felt ignored reporting poor conditions",
    "lived_in_home_under_3_years": "in the home under 3 years",
    "trust_neighbours_unemployed": "unemployed tenants trusting neighbours",
}
"""Plain words for the national figures' measure names, as the figure shows them."""


def plain(measure: str) -> str:
    """A measure's name in plain words (its own name, spaced, when it has none here)."""
    return PLAIN.get(measure, measure.replace("_", " "))


def figure(check: pd.DataFrame, runs: pd.DataFrame, counts: np.ndarray, path: Path) -> Path:
    """Each figure's simulated single landlords and draw means against the national median (and 10th-90th percentiles)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(check.itertuples())
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(rows) + 1.6))
    weight = counts[runs["point"].to_numpy()]
    banded = False  # one legend entry for the national bands
    for i, row in enumerate(rows):
        y = len(rows) - 1 - i
        values = np.repeat(runs[row.column].to_numpy(dtype=float), weight)
        values = values[np.isfinite(values)]
        if not np.isnan(row.national_p10):
            ax.plot([row.national_p10, row.national_p90], [y, y], color="#999999", lw=7, alpha=0.45, solid_capstyle="butt",
                    label=None if banded else "England: 10th to 90th percentile of landlords")
            banded = True
        if len(values):
            parts = ax.violinplot(values, positions=[y], vert=False, widths=0.8, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor("#0072B2")
                body.set_alpha(0.35)
        ax.plot([row.posterior_low, row.posterior_high], [y, y], color="#0072B2", lw=2.5,
                label="model: 95% posterior interval of the typical landlord" if i == 0 else None)
        ax.plot(row.simulated, y, "o", color="#0072B2", ms=6, label="model: typical landlord" if i == 0 else None)
        ax.plot(row.national, y, "D", color="#D55E00", ms=7, mec="black", label="England: median landlord" if i == 0 else None)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{plain(r.measure)}\n({'fitted' if r.used == 'fitted' else 'compared, not fitted'})" for r in reversed(rows)], fontsize=8)
    ax.set_xlabel("share of tenants")
    from matplotlib.patches import Patch

    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="#0072B2", alpha=0.35))
    labels.append("model: single landlords (all draws and seeds)")
    ax.set_xlim(0, 1)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / max(len(rows), 1)), ncol=2, fontsize=8, frameon=False)
    ax.set_title("Posterior predictive check: the calibrated model against the English figures", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
