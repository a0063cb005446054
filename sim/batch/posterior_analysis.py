"""A batch whose points are posterior draws: the draws are what the calibration leaves open, not a sweep.

An experiment with ``[posterior]`` (sim.batch.posterior_points) runs ``K``
parameter sets drawn from a calibration's posterior, each with every seed
and every scenario (paired on both). The draws are not levels of a lever:
they are samples of what the national figures do not pin down, so they are
pooled, and their spread is reported as an interval of its own next to the
seeds' one.

The formulas. ``x[k, s]`` is an outcome at the final month for draw ``k``
and seed ``s`` (a level), or ``d[k, s] = x[k, s](scenario) - x[k, s](baseline)``
(a change, paired on draw and seed); ``n_k`` seeds have both runs in draw
``k`` (``S`` for every draw once a batch is complete); ``K`` draws have any.

- **Per-draw mean** ``m_k = sum_s x[k, s] / n_k``.
- **Change** (or level) ``m = sum_k m_k / K``: every draw counts the same
  (the draws already follow the posterior's weights); with every run done
  it is the mean over all ``K * S`` values.
- **Seed interval** (95%), what chance alone moves (which households, ties
  and events a seed gives) with the parameters held at the draws::

      v    = sum_k sum_s (x[k, s] - m_k)^2 / df     # pooled within-draw variance
      df   = sum_k (n_k - 1)                        # K * (S - 1) when complete
      half = t(0.975, df) * sqrt(v * mean_k(1 / n_k) / K)   # = sqrt(v / (K * S)) when complete
      [m - half, m + half]

  (with every run done ``v`` is the mean over draws of the sample variance
  over seeds).
- **Posterior interval**: the 2.5th and 97.5th percentiles of the ``K``
  per-draw means (``numpy.percentile``, linear), what the parameters the
  national figures leave open move. With few draws it is close to their
  range (with 10 draws, 22% of the way from the lowest to the second
  lowest, and the same at the top). It needs two draws.
- **Draws agreeing**: how many ``m_k`` have the sign of ``m`` (0 counts as
  a sign of its own: ``unchanged`` counts the draws whose ``m_k`` is 0).
- **Return on spending** (as in :mod:`sim.batch.statistics`): the change at
  the final month per extra GBP 10 per household per month, the extra cost
  being the paired change in the cost averaged over the months; left out
  when the extra cost's seed interval includes zero. Its seed interval is a
  percentile bootstrap over seeds (the same resampled seeds in every draw,
  which keeps the pairing); its posterior interval the percentiles of the
  per-draw ratios, given only when the extra cost is positive in every draw.

Neither interval covers the model's structure: what it leaves out or gets wrong.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.batch.statistics import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, LEVEL, PER_GBP

FEW_DRAWS = 40
"""Below this many draws the posterior interval's percentiles sit close to the lowest and highest draw."""

COLUMNS = ["draws", "seeds", "n", "mean", "ci_low", "ci_high", "posterior_low", "posterior_high", "seed_sd", "draw_sd"]
"""Columns of a pooled row; ``ci_low``/``ci_high`` are the seed interval (named as in the other batches' tables)."""


def applies(results: Any) -> bool:
    """Whether a results folder's points are posterior draws (its experiment has a ``posterior`` entry)."""
    return bool(results.experiment.get("posterior"))


@dataclass(frozen=True)
class Pooled:
    """One outcome's values over draws and seeds, pooled: the numbers of a row (see the module docstring)."""

    draws: int  # K: draws with at least one value
    seeds: int  # the most seeds any draw has
    n: int  # values in all
    mean: float
    ci_low: float  # the seed interval
    ci_high: float
    posterior_low: float  # the posterior interval
    posterior_high: float
    seed_sd: float  # sqrt of the pooled within-draw variance
    draw_sd: float  # standard deviation of the per-draw means
    agreeing: int  # per-draw means with the sign of ``mean``
    unchanged: int  # per-draw means of exactly zero
    draw_means: np.ndarray  # m_k of every draw (NaN where a draw has no value)

    def row(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in COLUMNS}


def pool(values: np.ndarray, level: float = LEVEL) -> Pooled:
    """Pool a draws x seeds array (NaN: no value) into the change, its seed and posterior intervals and the draws agreeing."""
    x = np.asarray(values, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"pool needs a draws x seeds array, not shape {x.shape}")
    counts = (~np.isnan(x)).sum(axis=1)
    draw_means = np.full(len(x), np.nan)
    present = counts > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        draw_means[present] = np.nanmean(x[present], axis=1)
    x, n_k, means = x[present], counts[present], draw_means[present]
    k = len(means)
    nan = float("nan")
    if k == 0:
        return Pooled(0, 0, 0, nan, nan, nan, nan, nan, nan, nan, 0, 0, draw_means)
    mean = float(means.mean())
    df = int((n_k - 1).sum())
    seed_sd = ci_low = ci_high = nan
    if df > 0:
        variance = float(np.nansum((x - means[:, None]) ** 2)) / df
        seed_sd = variance**0.5
        half = float(stats.t.ppf(0.5 + level / 2, df)) * (variance * float(np.mean(1.0 / n_k)) / k) ** 0.5
        ci_low, ci_high = mean - half, mean + half
    posterior_low = posterior_high = draw_sd = nan
    if k >= 2:
        tail = 100 * (1 - level) / 2
        posterior_low, posterior_high = (float(v) for v in np.percentile(means, [tail, 100 - tail]))
        draw_sd = float(means.std(ddof=1))
    agreeing = int((np.sign(means) == np.sign(mean)).sum())
    unchanged = int((means == 0).sum())
    return Pooled(k, int(n_k.max()), int(n_k.sum()), mean, ci_low, ci_high, posterior_low, posterior_high, seed_sd, draw_sd, agreeing, unchanged,
                  draw_means)


@dataclass
class PosteriorAnalysis:
    """The pooled tables of a posterior batch, and every draw's own means."""

    draws: int  # planned
    seeds: int  # planned
    parameters: list[str]  # the posterior's parameters (every draw sets them)
    levels: pd.DataFrame  # scenario, outcome, COLUMNS
    differences: pd.DataFrame  # scenario, baseline, outcome, COLUMNS, agreeing, unchanged, direction
    returns: pd.DataFrame  # scenario, baseline, outcome, n, draws, extra cost / change / return with both intervals, note
    per_draw: pd.DataFrame  # scenario, baseline, draw, parameters, outcome, seeds, level, difference, difference_sd


def direction(mean: float) -> str:
    """``raises``, ``lowers`` or ``leaves unchanged`` (what a change of this sign does)."""
    if not np.isfinite(mean):
        return ""
    return "raises" if mean > 0 else "lowers" if mean < 0 else "leaves unchanged"


def analyse(results: Any) -> PosteriorAnalysis:
    """Pool a posterior batch's final outcomes over draws and seeds (``results``: a :class:`sim.batch.results.Results`)."""
    finals = results.finals
    outcomes = results.outcomes
    draws = len(results.points)
    seeds = list(results.experiment["seeds"])
    parameters = list(results.experiment["posterior"].get("parameters", []))
    baseline = results.baseline
    present = [s for s in results.scenarios if s in set(finals["scenario"])]
    columns = [*outcomes, *(["cost_mean"] if "cost_mean" in finals.columns else [])]
    arrays = {scenario: _arrays(finals[finals["scenario"] == scenario], columns, draws, seeds) for scenario in present}
    levels, differences, per_draw = [], [], []
    for scenario in present:
        for outcome in outcomes:
            x = pool(arrays[scenario][outcome])
            levels.append({"scenario": scenario, "outcome": outcome, **x.row()})
            diff = None
            if scenario != baseline and baseline in arrays:
                diff = pool(arrays[scenario][outcome] - arrays[baseline][outcome])
                differences.append({"scenario": scenario, "baseline": baseline, "outcome": outcome, **diff.row(),
                                    "agreeing": diff.agreeing, "unchanged": diff.unchanged, "direction": direction(diff.mean)})
            for k in range(draws):
                if np.isnan(x.draw_means[k]):
                    continue
                d = (arrays[scenario][outcome] - arrays[baseline][outcome])[k] if diff is not None else None
                per_draw.append({"scenario": scenario, "baseline": baseline, "draw": k, **{p: results.points[k].get(p) for p in parameters},
                                 "outcome": outcome, "seeds": int((~np.isnan(arrays[scenario][outcome][k])).sum()), "level": x.draw_means[k],
                                 "difference": diff.draw_means[k] if diff is not None else np.nan,
                                 "difference_sd": float(np.nanstd(d, ddof=1)) if d is not None and (~np.isnan(d)).sum() >= 2 else np.nan})
    returns = _returns(arrays, outcomes, baseline, present) if "cost" in outcomes and "cost_mean" in columns else pd.DataFrame()
    return PosteriorAnalysis(
        draws, len(seeds), parameters,
        pd.DataFrame(levels, columns=["scenario", "outcome", *COLUMNS]),
        pd.DataFrame(differences, columns=["scenario", "baseline", "outcome", *COLUMNS, "agreeing", "unchanged", "direction"]),
        returns,
        pd.DataFrame(per_draw, columns=["scenario", "baseline", "draw", *parameters, "outcome", "seeds", "level", "difference", "difference_sd"]),
    )


def _arrays(runs: pd.DataFrame, columns: list[str], draws: int, seeds: list[int]) -> dict[str, np.ndarray]:
    """Each column as a draws x seeds array (NaN where no run completed), rows in draw order, columns in the experiment's seed order."""
    table = runs.set_index(["point", "seed"])[columns]
    full = pd.MultiIndex.from_product([range(draws), seeds], names=["point", "seed"])
    table = table[~table.index.duplicated(keep="last")].reindex(full)
    return {c: table[c].to_numpy(dtype=float).reshape(draws, len(seeds)) for c in columns}


def _returns(arrays: dict[str, dict[str, np.ndarray]], outcomes: list[str], baseline: str, present: list[str]) -> pd.DataFrame:
    """Each outcome's change per extra GBP 10 per household per month against ``baseline``, pooled over draws (module docstring)."""
    rows = []
    if baseline not in arrays:
        return pd.DataFrame()
    tail = 100 * (1 - LEVEL) / 2
    for scenario in [s for s in present if s != baseline]:
        cost = arrays[scenario]["cost_mean"] - arrays[baseline]["cost_mean"]
        c = pool(cost)
        clear = c.ci_low > 0
        note = "" if clear else ("cheaper than the baseline" if c.ci_high < 0 else "no clear cost difference")
        every_draw = clear and bool(np.all(c.draw_means[~np.isnan(c.draw_means)] > 0))
        if clear and not every_draw:
            note = "extra cost not positive in every draw: no posterior interval"
        seeds = cost.shape[1]
        resamples = np.random.default_rng(BOOTSTRAP_SEED).integers(0, seeds, size=(BOOTSTRAP_RESAMPLES, seeds)) if seeds >= 2 else None
        for outcome in [o for o in outcomes if o != "cost"]:
            change = arrays[scenario][outcome] - arrays[baseline][outcome]
            change = np.where(np.isnan(cost), np.nan, change)
            y = pool(change)
            ratio = low = high = post_low = post_high = float("nan")
            if clear:
                ratio = y.mean / c.mean * PER_GBP
                if resamples is not None:
                    boot = _mean_of_draws(change[:, resamples]) / _mean_of_draws(cost[:, resamples]) * PER_GBP
                    if np.isfinite(boot).any():
                        low, high = (float(v) for v in np.nanpercentile(boot, [tail, 100 - tail]))
                if every_draw and c.draws >= 2:
                    per_draw = y.draw_means / c.draw_means * PER_GBP
                    post_low, post_high = (float(v) for v in np.nanpercentile(per_draw, [tail, 100 - tail]))
            rows.append({
                "scenario": scenario, "baseline": baseline, "outcome": outcome, "n": y.n, "draws": y.draws,
                "extra_cost": c.mean, "extra_cost_low": c.ci_low, "extra_cost_high": c.ci_high,
                "extra_cost_posterior_low": c.posterior_low, "extra_cost_posterior_high": c.posterior_high,
                "change": y.mean, "change_low": y.ci_low, "change_high": y.ci_high,
                "change_posterior_low": y.posterior_low, "change_posterior_high": y.posterior_high,
                "per_10_gbp": ratio, "per_10_gbp_low": low, "per_10_gbp_high": high,
                "per_10_gbp_posterior_low": post_low, "per_10_gbp_posterior_high": post_high, "note": note,
            })
    return pd.DataFrame(rows)


def _mean_of_draws(resampled: np.ndarray) -> np.ndarray:
    """Per bootstrap resample, the mean over draws of each draw's mean over the resampled seeds (draws x resamples x seeds in)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.nanmean(resampled, axis=2), axis=0)
