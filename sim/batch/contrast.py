"""Screening a policy contrast: where, over the uncertain parameters, scenario A does worse than scenario B.

An experiment's ``[sensitivity] contrast = ["A", "B"]`` asks ``run.py
sensitivity`` to screen the contrast A minus B as well as each scenario. At
every design point both scenarios run with the same seeds, so each seed gives
a paired difference ``A - B`` at the final month (common random numbers: the
same residents, network and luck). From those:

- **Per point** (``contrast_points.csv``): the mean of the paired differences
  over the point's seeds, its t-based 95% interval, whether A does **worse**
  there (the mean points the wrong way for the outcome: see
  :mod:`sim.batch.direction`) and whether it is **clearly worse** (the
  interval excludes 0 on the wrong side). With few seeds per point the
  interval is wide (with 2 seeds it is ``t(0.975, 1) = 12.7`` standard
  errors): "clearly worse" is then strict, and "worse" alone includes points
  where the difference may be chance.
- **Indices of the contrast** (``contrast_morris.csv`` or
  ``contrast_sobol.csv``, ``figures/contrast_METHOD.png``): the method's
  indices (:mod:`sim.batch.sensitivity`) with the per-point mean contrast as
  the output: which parameters move the difference between the policies.
- **Where A loses** (``contrast_regions.md``, ``contrast_regions.csv``): per
  outcome, how many points A does worse at, and for each varied parameter
  where its values sit among those losing points compared with all points,
  as positions in the parameter's range (0 its low end, 1 its high end): the
  median of the losing points and of all points, and the difference between
  the mean position of the losing points and of the others. Parameters are
  ranked by the size of that difference. ``chance`` is twice the standard
  deviation the difference would have if the losing points were picked at
  random among the design points (a rough 95% band), widened for the
  design's clusters: a Morris trajectory's k + 1 points (a Saltelli block's
  k + 2) share all but a few values, and neighbouring points tend to win or
  lose together, so the points are not independent. The variance is
  multiplied by the design effect of a difference between groups,
  ``1 + (m - 1) rho_loses rho_parameter`` (Scott and Holt 1982; m points per
  cluster, rho the intra-cluster correlations of losing and of the
  parameter's position): with ten trajectories, a region is found only if it
  holds across trajectories. A difference inside ``chance`` is not evidence
  of a region. With few clusters and many parameters, some parameters still
  line up with the losing clusters by coincidence; the indices tell them
  apart (changing such a parameter hardly moves the contrast), so a
  parameter is named as marking the region only when it is beyond chance
  *and* its own index on the contrast (``own_effect``, scaled so the
  outcome's top parameter is 1) is at least ``OWN_EFFECT``. This is a screening description, not scenario
  discovery (no boxes are fitted), and the design points are a Morris or
  Sobol design rather than an independent random sample, so counts are
  counts of design points, not shares of the parameter space.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.batch import direction, sensitivity, statistics
from sim.batch import manifest as manifests
from sim.batch.results import Results
from sim.errors import UserError
from sim.output import write_csv, write_text

NAMED = 3
"""Parameters named per outcome in the plain-language lines."""
OWN_EFFECT = 0.1
"""A parameter is named as marking where A loses only if its own index on the contrast (scaled so the outcome's top parameter is 1) reaches this:
with few clusters (ten Morris trajectories), some of many parameters line up with the losing clusters by coincidence, and such a parameter's
own elementary effects on the contrast are small."""
RANKED_ROWS = 6
"""Parameters shown per outcome in contrast_regions.md (all of them in contrast_regions.csv)."""
POINT_COLUMNS = ("mean", "ci_low", "ci_high", "worse", "clearly_worse")
"""Per outcome in contrast_points.csv: ``OUTCOME_mean``, ``OUTCOME_ci_low``, ..."""


@dataclass
class Screening:
    """A contrast's screening: per-point table, indices, loses-shares and region rankings."""

    a: str
    b: str
    method: str
    name: str
    steps: int
    outcomes: list[str]
    parameters: list[str]
    bounds: list[tuple[float, float]]
    points: pd.DataFrame
    indices: pd.DataFrame
    shares: pd.DataFrame
    regions: pd.DataFrame

    @property
    def label(self) -> str:
        return f"{self.a} - {self.b}"

    @property
    def seeds(self) -> tuple[int, int]:
        """Fewest and most seed pairs at a point."""
        pairs = self.points["pairs"]
        return int(pairs.min()), int(pairs.max())

    def seeds_text(self) -> str:
        low, high = self.seeds
        return f"{low} seed{'s' if low != 1 else ''}" if low == high else f"{low}-{high} seeds"


# -- which contrast ----------------------------------------------------------------------------------


def pair(manifest: dict[str, Any]) -> tuple[str, str] | None:
    """The folder's contrast ``(A, B)``, or None when its experiment asks for none."""
    entry = manifest.get("sensitivity") or {}
    found = entry.get("contrast") if "contrast" in entry else manifest.get("experiment", {}).get("sensitivity", {}).get("contrast")
    return (found[0], found[1]) if found else None


def remember(folder: Path, contrast: tuple[str, str] | None) -> None:
    """Record the experiment file's contrast in a finished folder's manifest (it may have been added after the runs were made)."""
    manifest = manifests.read(folder)
    entry = manifest.get("sensitivity")
    wanted = list(contrast) if contrast else None
    if entry is not None and entry.get("contrast") != wanted:
        entry["contrast"] = wanted
        manifests.write(folder, manifest)


# -- computing -----------------------------------------------------------------------------------------


def losing(outcome: str, mean: Any, ci_low: Any, ci_high: Any) -> tuple[np.ndarray, np.ndarray]:
    """Where A does worse (the mean contrast points the wrong way) and clearly worse (its interval excludes 0 on the wrong side).

    A NaN mean (no value) is never worse; a NaN interval (one seed: no spread) is never clearly worse.
    """
    mean, low, high = (np.asarray(x, dtype=float) for x in (mean, ci_low, ci_high))
    if direction.better(outcome) > 0:
        return mean < 0, high < 0
    return mean > 0, low > 0


def screen(results: Results) -> Screening | None:
    """The screening of the folder's contrast from its stored runs (None when it asks for no contrast)."""
    contrast = pair(results.manifest)
    entry = results.manifest.get("sensitivity")
    if contrast is None or not entry:
        return None
    a, b = contrast
    missing = [s for s in contrast if s not in results.scenarios]
    if missing:
        raise UserError(f"{results.folder}: sensitivity.contrast: {missing[0]!r} is not one of the folder's scenarios (accepted: {', '.join(results.scenarios)})")
    spec = entry["problem"]
    matrix = np.asarray(entry["design"], dtype=float)
    points = point_table(results, a, b, spec["names"], len(matrix))
    rows = []
    for outcome in results.outcomes:
        rows += sensitivity.indices(entry["method"], spec, matrix, points[f"{outcome}_mean"].to_numpy(), f"{a} - {b}", outcome, entry)
    indices = pd.DataFrame(rows).rename(columns={"scenario": "contrast"})
    return build(a, b, entry["method"], results.experiment["name"], results.steps_planned, results.outcomes, spec, points, indices)


def point_table(results: Results, a: str, b: str, parameters: list[str], count: int) -> pd.DataFrame:
    """One row per design point: its parameter values, the seed pairs, and per outcome the mean contrast, its interval, worse, clearly worse."""
    finals = results.finals
    outcomes = results.outcomes
    index = ["point", "seed"]
    first = finals[finals["scenario"] == a].set_index(index)[outcomes]
    second = finals[finals["scenario"] == b].set_index(index)[outcomes]
    differences = (first - second).dropna(how="all").reset_index()
    have = set(differences["point"])
    missing = sum(1 for p in range(count) if p not in have)
    if missing:
        raise UserError(f"{results.folder}: {missing} of {count} design points have no pair of runs of {a} and {b} with the same seed "
                        "(accepted: a complete batch; run the same sensitivity command again to finish it)")
    summary = statistics.summarise(differences, outcomes, keys=("point",))
    columns: dict[str, Any] = {"point": np.arange(count)}
    for name in parameters:
        columns[name] = [results.points[p][name] for p in range(count)]
    columns["pairs"] = differences.groupby("point").size().reindex(range(count)).to_numpy()
    for outcome in outcomes:
        rows = summary[summary["outcome"] == outcome].set_index("point").reindex(range(count))
        worse, clearly = losing(outcome, rows["mean"], rows["ci_low"], rows["ci_high"])
        columns.update({f"{outcome}_mean": rows["mean"].to_numpy(), f"{outcome}_ci_low": rows["ci_low"].to_numpy(), f"{outcome}_ci_high": rows["ci_high"].to_numpy(),
                        f"{outcome}_worse": worse, f"{outcome}_clearly_worse": clearly})
    return pd.DataFrame(columns)


def build(a: str, b: str, method: str, name: str, steps: int, outcomes: list[str], spec: dict[str, Any], points: pd.DataFrame, indices: pd.DataFrame) -> Screening:
    """The loses-shares and region rankings from the per-point table (as computed, or read back from contrast_points.csv)."""
    parameters = list(spec["names"])
    bounds = [(float(low), float(high)) for low, high in spec["bounds"]]
    return Screening(a, b, method, name, steps, list(outcomes), parameters, bounds, points, indices,
                     _shares(points, outcomes), _regions(points, outcomes, parameters, bounds, cluster_size(method, len(parameters)), own_effects(indices, method)))


def positions(points: pd.DataFrame, parameters: list[str], bounds: list[tuple[float, float]]) -> pd.DataFrame:
    """Each point's parameter values as positions in their ranges (0: the low end, 1: the high end)."""
    return pd.DataFrame({name: (points[name].astype(float) - low) / (high - low) for name, (low, high) in zip(parameters, bounds, strict=True)})


def _shares(points: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    rows = []
    for outcome in outcomes:
        mean = points[f"{outcome}_mean"].to_numpy(dtype=float)
        valid = np.isfinite(mean)
        worse = points[f"{outcome}_worse"].to_numpy(dtype=bool) & valid
        clearly = points[f"{outcome}_clearly_worse"].to_numpy(dtype=bool) & valid
        sign = direction.better(outcome)
        ci_low, ci_high = points[f"{outcome}_ci_low"].to_numpy(dtype=float), points[f"{outcome}_ci_high"].to_numpy(dtype=float)
        clearly_better = (ci_low > 0) if sign > 0 else (ci_high < 0)
        n = int(valid.sum())
        rows.append({"outcome": outcome, "better": direction.word(outcome), "points": n, "worse": int(worse.sum()), "clearly_worse": int(clearly.sum()),
                     "clearly_better": int((clearly_better & valid).sum()), "share_worse": worse.sum() / n if n else math.nan})
    return pd.DataFrame(rows)


def cluster_size(method: str, parameters: int) -> int:
    """Consecutive design points that share a base point: a Morris trajectory (k + 1), a Saltelli block without second order (k + 2)."""
    return parameters + 1 if method == "morris" else parameters + 2


def intra_cluster_correlation(values: np.ndarray, clusters: np.ndarray) -> float:
    """One-way ANOVA estimate of the intra-cluster correlation, in [0, 1] (0 when it cannot be estimated)."""
    labels, groups = np.unique(clusters, return_inverse=True)
    g, n = len(labels), len(values)
    if g < 2 or n <= g:
        return 0.0
    size = np.bincount(groups).astype(float)
    means = np.bincount(groups, weights=values) / size
    between = float((size * (means - values.mean()) ** 2).sum()) / (g - 1)
    within = float(((values - means[groups]) ** 2).sum()) / (n - g)
    m = n / g
    denominator = between + (m - 1) * within
    return float(np.clip((between - within) / denominator, 0.0, 1.0)) if denominator > 0 else 0.0


def own_effects(indices: pd.DataFrame, method: str) -> dict[tuple[str, str], float]:
    """(outcome, parameter) -> the parameter's index on the contrast, scaled so each outcome's largest is 1 (empty without indices)."""
    column = sensitivity.main_index(method)
    if indices.empty or column not in indices:
        return {}
    found = {}
    for outcome, rows in indices.groupby("outcome"):
        values = rows[column].clip(lower=0).to_numpy(dtype=float)
        top = np.nanmax(values) if np.isfinite(values).any() else math.nan
        for name, value in zip(rows["parameter"], values, strict=True):
            found[(str(outcome), str(name))] = float(value / top) if top and math.isfinite(top) and top > 0 else math.nan
    return found


def _regions(points: pd.DataFrame, outcomes: list[str], parameters: list[str], bounds: list[tuple[float, float]], cluster: int,
             effects: dict[tuple[str, str], float]) -> pd.DataFrame:
    where = positions(points, parameters, bounds)
    clusters = points["point"].to_numpy() // cluster
    rows = []
    for outcome in outcomes:
        valid = np.isfinite(points[f"{outcome}_mean"].to_numpy(dtype=float))
        lose = points[f"{outcome}_worse"].to_numpy(dtype=bool) & valid
        k, n = int(lose.sum()), int(valid.sum())
        rho_lose = intra_cluster_correlation(lose[valid].astype(float), clusters[valid]) if 0 < k < n else 0.0
        m = n / max(len(np.unique(clusters[valid])), 1)
        found = []
        for name in parameters:
            u = where[name].to_numpy()
            spread = float(np.std(u[valid], ddof=1)) if n >= 2 else math.nan
            mean_losing = float(u[lose].mean()) if k else math.nan
            mean_others = float(u[valid & ~lose].mean()) if n - k else math.nan
            difference = mean_losing - mean_others
            design_effect = 1 + (m - 1) * rho_lose * intra_cluster_correlation(u[valid], clusters[valid]) if 0 < k < n else 1.0
            chance = 2 * spread * math.sqrt((1 / k + 1 / (n - k)) * design_effect) if 0 < k < n else math.nan
            effect = effects.get((outcome, name), math.nan)
            beyond = bool(abs(difference) > chance) if math.isfinite(chance) and math.isfinite(difference) else False
            found.append({"outcome": outcome, "parameter": name, "losing_points": k, "points": n,
                          "median_losing": float(np.median(u[lose])) if k else math.nan, "median_all": float(np.median(u[valid])) if n else math.nan,
                          "mean_losing": mean_losing, "mean_others": mean_others, "difference": difference, "chance": chance,
                          "beyond_chance": beyond, "own_effect": effect, "named": beyond and not (math.isfinite(effect) and effect < OWN_EFFECT)})
        found.sort(key=lambda r: -abs(r["difference"]) if math.isfinite(r["difference"]) else math.inf)
        rows += [{**r, "rank": i + 1} for i, r in enumerate(found)]
    columns = ["outcome", "rank", "parameter", "losing_points", "points", "median_losing", "median_all", "mean_losing", "mean_others", "difference", "chance", "beyond_chance", "own_effect", "named"]
    return pd.DataFrame(rows, columns=columns)


# -- words -------------------------------------------------------------------------------------------


def _side(row: pd.Series) -> str:
    return "low" if row["difference"] < 0 else "high"


def sentence(screening: Screening, outcome: str) -> str:
    """One plain-language line: how often A loses on ``outcome`` and where those points sit."""
    share = screening.shares.set_index("outcome").loc[outcome]
    a, b = screening.a, screening.b
    k, n, clearly = int(share["worse"]), int(share["points"]), int(share["clearly_worse"])
    if n == 0:
        return f"{outcome}: no value at any point (the outcome was not computed)."
    if k == 0:
        return f"{a} does not do worse than {b} on {outcome} at any of the {n} points."
    counted = f"{a} loses on {outcome} ({direction.word(outcome)} is better) at {k} of {n} points ({clearly} clearly worse)"
    if k == n:
        return f"{counted}: everywhere in the ranges screened."
    ranked = screening.regions[screening.regions["outcome"] == outcome]
    named = ranked[ranked["named"]].head(NAMED)
    if named.empty:
        top = ranked.iloc[0]
        return (f"{counted}; no parameter that moves the contrast separates these points from the others by more than chance would "
                f"(largest: {top['parameter']}, mean position {top['mean_losing']:.2f} of its range vs {top['mean_others']:.2f} at the other points).")
    parts = [f"{_side(r)} {r['parameter']} (median {r['median_losing']:.2f} of its range vs {r['median_all']:.2f} overall)" for _, r in named.iterrows()]
    return f"{counted}; these points have " + ", ".join(parts) + "."


def _short_region(screening: Screening, outcome: str) -> str:
    share = screening.shares.set_index("outcome").loc[outcome]
    k, n = int(share["worse"]), int(share["points"])
    if k == 0:
        return "never worse"
    if k == n:
        return "worse everywhere"
    ranked = screening.regions[screening.regions["outcome"] == outcome]
    named = ranked[ranked["named"]].head(2)
    if named.empty:
        return "no parameter that moves the contrast separates the losing points beyond chance"
    return ", ".join(f"{_side(r)} {r['parameter']} ({r['median_losing']:.2f} vs {r['median_all']:.2f} of range)" for _, r in named.iterrows())


def interval_note(screening: Screening) -> str:
    """What "clearly worse" means with this many seeds per point."""
    low, _ = screening.seeds
    if low < 2:
        return "With one seed per point there is no interval: no point can count as clearly worse, and \"worse\" may be chance."
    q = float(stats.t.ppf(0.5 + statistics.LEVEL / 2, low - 1))
    return (f"With {screening.seeds_text()} per point, each point's 95% interval is t(0.975, {low - 1}) = {q:.1f} standard errors either side of its mean: "
            "with few seeds per point the per-point interval is wide, so \"clearly worse\" counts only differences that are large against "
            "the seed-to-seed spread, and \"worse\" alone includes points where the difference may be chance.")


def losers(screening: Screening) -> list[str]:
    """Outcomes on which A does worse at one point or more, the most often first (then in the experiment's order)."""
    shares = screening.shares[screening.shares["worse"] > 0]
    return list(shares.sort_values("share_worse", ascending=False, kind="stable")["outcome"])


def never(screening: Screening) -> list[str]:
    """Outcomes on which A does worse at no point."""
    return [o for o in screening.shares[screening.shares["worse"] == 0]["outcome"]]


def console(screening: Screening) -> str:
    """The few lines printed after a sensitivity analysis with a contrast."""
    top = sensitivity.top_parameters(screening.indices.rename(columns={"contrast": "scenario"}), screening.method, count=2)
    label, n = screening.label, len(screening.points)
    low, _ = screening.seeds
    lines = [f"Contrast {label} at month {screening.steps}, paired by seed ({screening.seeds_text()} per point"
             + ("; with so few seeds each point's interval is wide" if low <= 3 else "") + ")"]
    losing = losers(screening)
    shares = screening.shares.set_index("outcome")
    if losing:
        lines.append(f"{screening.a} does worse at some of the {n} points on ({sensitivity.main_index(screening.method)} of the contrast after 'driven by'):")
    for outcome in losing:
        share = shares.loc[outcome]
        drivers = ", ".join(f"{name} {value:.2f}" for name, value in top.get((label, outcome), [])) or "(does not vary)"
        lines.append(f"  {outcome:<31} worse at {share['worse']}/{share['points']} ({share['clearly_worse']} clearly): {_short_region(screening, outcome)}")
        lines.append(f"  {'':<31} driven by {drivers}")
    if never(screening):
        lines += textwrap.wrap(f"{screening.a} is never worse on: {', '.join(never(screening))}", width=110, subsequent_indent="  ")
    return "\n".join(lines)


def _share_table(screening: Screening) -> list[str]:
    lines = [f"| outcome | better | {screening.a} worse at | clearly worse | clearly better |", "|---|---|---|---|---|"]
    for _, r in screening.shares.iterrows():
        share = f"{r['worse']} of {r['points']} ({r['share_worse']:.0%})" if r["points"] else "n/a"
        lines.append(f"| {r['outcome']} | {r['better']} | {share} | {r['clearly_worse']} | {r['clearly_better']} |")
    return lines


def _reading(screening: Screening) -> list[str]:
    lower = [o for o in screening.outcomes if direction.better(o) < 0]
    return [f"At each design point, `{screening.label}` is the mean over the point's seeds of the difference between the two runs with the same seed "
            f"(common random numbers) at month {screening.steps}. {screening.a} does **worse** at a point when that mean points the wrong way "
            f"(below 0 where higher is better; above 0 where lower is better: {', '.join(lower) or 'none here'}), and **clearly worse** when "
            "its 95% interval over the seeds excludes 0.", "", interval_note(screening)]


def _clusters_text(screening: Screening) -> str:
    size = cluster_size(screening.method, len(screening.parameters))
    kind = "Morris trajectories" if screening.method == "morris" else "Saltelli blocks"
    return f"{len(screening.points) // size} {kind} of {size} points"


def regions_markdown(screening: Screening) -> str:
    """The text of contrast_regions.md."""
    n = len(screening.points)
    lines = [f"# Where {screening.a} does worse than {screening.b}", "",
             f"{screening.name}: {screening.method} design of {n} points over {len(screening.parameters)} parameters, {screening.seeds_text()} per point.", "",
             *_reading(screening), "", *_share_table(screening), "",
             "Where the losing points sit: each parameter's values as positions in its range (0: its low end, 1: its high end). "
             "`difference` is the mean position of the losing points minus that of the other points; parameters are ranked by its size. "
             "`chance` is about twice the standard deviation that difference would have if the losing points were picked at random among the design points, "
             f"widened for the design's clusters ({_clusters_text(screening)}: their points share all but a few values and tend to win or lose together): "
             "a difference inside it is no evidence of a region. With few clusters and many parameters, some parameters still line up with the losing "
             f"clusters by coincidence: `own effect` is the parameter's own index on the contrast (scaled so the outcome's top parameter is 1), and a "
             f"parameter beyond chance whose own effect is under {OWN_EFFECT} is marked as a likely coincidence and not named. "
             "The design points are a screening design, not a random sample of the parameter space, and points share seeds: read this as a pointer "
             "to where to look, not as a fitted region. Every parameter's ranking: `contrast_regions.csv`; every point: `contrast_points.csv`."]
    if never(screening):
        lines += ["", f"{screening.a} does not do worse than {screening.b} at any point on: {', '.join(never(screening))}."]
    for outcome in [o for o in screening.outcomes if o in losers(screening)]:
        lines += ["", f"## {outcome} ({direction.word(outcome)} is better)", "", sentence(screening, outcome)]
        ranked = screening.regions[screening.regions["outcome"] == outcome]
        share = screening.shares.set_index("outcome").loc[outcome]
        if 0 < share["worse"] < share["points"]:
            lines += ["", "| parameter | median of losing points | median of all points | difference (losing - others) | chance (±) | own effect |", "|---|---|---|---|---|---|"]
            for _, r in ranked.head(RANKED_ROWS).iterrows():
                mark = " (within chance)" if not r["beyond_chance"] else ("" if r["named"] else " (likely coincidence)")
                effect = f"{r['own_effect']:.2f}" if math.isfinite(r["own_effect"]) else "n/a"
                lines.append(f"| {r['parameter']} | {r['median_losing']:.2f} | {r['median_all']:.2f} | {r['difference']:+.2f}{mark} | {r['chance']:.2f} | {effect} |")
    return "\n".join(lines) + "\n"


def report_lines(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """The report.md section, from the files :func:`write` left (none when the folder has no contrast or no written screening)."""
    found = read(folder, manifest)
    if found is None:
        return []
    lines = ["", f"## Where {found.a} does worse than {found.b}", "", *_reading(found), "", *_share_table(found), "",
             "Where the losing points sit (positions are shares of each parameter's range; details and rankings in `contrast_regions.md`, every point in `contrast_points.csv`):", ""]
    lines += [f"- {sentence(found, outcome)}" for outcome in found.outcomes if outcome in losers(found)]
    if never(found):
        lines.append(f"- {found.a} does not do worse than {found.b} at any point on: {', '.join(never(found))}.")
    table = found.indices.rename(columns={"contrast": "scenario"})
    lines += ["", f"### What drives the contrast {found.label} ({found.method})", "",
              *sensitivity.summary_lines(table, found.method, file=f"contrast_{found.method}.csv", label="contrast")]
    if (folder / "figures" / f"contrast_{found.method}.png").exists():
        lines += ["", f"![What drives the contrast ({found.method})](figures/contrast_{found.method}.png)"]
    return lines


# -- files ---------------------------------------------------------------------------------------------


def write(results: Results) -> Screening | None:
    """Screen the folder's contrast (if it asks for one) and write its tables, contrast_regions.md and the figure."""
    found = screen(results)
    if found is None:
        return None
    folder = results.folder
    write_csv(folder / f"contrast_{found.method}.csv", found.indices)
    write_csv(folder / "contrast_points.csv", found.points)
    write_csv(folder / "contrast_regions.csv", found.regions)
    write_text(folder / "contrast_regions.md", regions_markdown(found))
    (folder / "figures").mkdir(exist_ok=True)
    sensitivity.plot(found.indices.rename(columns={"contrast": "scenario"}), found.method, folder / "figures" / f"contrast_{found.method}.png",
                     question=f"What drives the contrast {found.label}")
    return found


def read(folder: Path, manifest: dict[str, Any]) -> Screening | None:
    """The screening written in ``folder`` (None when there is none, or when it is not the folder's current contrast)."""
    contrast = pair(manifest)
    entry = manifest.get("sensitivity")
    if contrast is None or not entry:
        return None
    method = entry["method"]
    points_path, indices_path = folder / "contrast_points.csv", folder / f"contrast_{method}.csv"
    if not points_path.exists() or not indices_path.exists():
        return None
    indices = pd.read_csv(indices_path)
    if set(indices["contrast"]) != {f"{contrast[0]} - {contrast[1]}"}:
        return None
    experiment = manifest["experiment"]
    return build(*contrast, method, experiment["name"], int(experiment["steps"]), list(experiment["outcomes"]), entry["problem"], pd.read_csv(points_path), indices)
