"""Statistics over seeds: means with intervals, paired differences, effect sizes, returns on spending.

The formulas (``x_i`` is an outcome in run ``i``, one run per seed, ``n`` seeds):

- **Mean and 95% interval** (t-based, for the mean over seeds)::

      mean = sum(x_i) / n
      sd   = sqrt(sum((x_i - mean)^2) / (n - 1))
      half = t(0.975, n - 1) * sd / sqrt(n)          # Student's t quantile
      interval = [mean - half, mean + half]

- **Paired difference** of scenario ``s`` from the baseline ``b``: the same
  seed gives both runs the same residents, network and luck (common random
  numbers), so ``d_i = x_i(s) - x_i(b)`` is taken seed by seed and its mean
  gets the same t interval. Pairing removes the between-seed variation both
  runs share, which makes this interval much narrower than the difference of
  two independent means.
- **Effect size** of a paired difference: Cohen's ``d_z = mean(d) / sd(d)``,
  the mean difference in units of its own spread over seeds (undefined, NaN,
  when every difference is the same).
- **Return on spending** of ``s`` against ``b``: ``extra cost`` is the paired
  mean difference in the cost outcome averaged over all months (GBP per
  household per month); ``change`` is the paired mean difference in an
  outcome at the final month; the return is ``change / extra cost * 10``, the
  change bought by each extra GBP 10 per household per month. Its 95%
  interval is a percentile bootstrap over seeds (2,000 resamples of the
  pairs, a fixed seed, so reports are reproducible). When the extra cost's
  own interval includes zero the ratio is not meaningful and is left out
  (NaN, with a note); when ``s`` is clearly cheaper the note says so.

With ``n = 1`` there is no spread: intervals and effect sizes are NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95
PER_GBP = 10.0
"""Returns are per this many GBP per household per month of extra spending."""
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240601


def t_half_width(sd: np.ndarray | float, n: np.ndarray | float, level: float = LEVEL) -> np.ndarray:
    """Half-width of the t interval for a mean: ``t(1 - (1 - level)/2, n - 1) * sd / sqrt(n)`` (NaN for n < 2)."""
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = stats.t.ppf(0.5 + level / 2, np.where(n >= 2, n - 1, np.nan))
        return q * sd / np.sqrt(n)


def describe(values: Sequence[float] | np.ndarray) -> dict[str, float]:
    """n, mean, sd and the 95% interval of one sample."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    mean = float(x.mean()) if n else float("nan")
    sd = float(x.std(ddof=1)) if n >= 2 else float("nan")
    half = float(t_half_width(sd, n))
    return {"n": n, "mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half}


def summarise(finals: pd.DataFrame, outcomes: Sequence[str], keys: Sequence[str] = ("scenario", "point")) -> pd.DataFrame:
    """Per group (``keys``) and outcome: n, mean, sd, and the 95% interval of the mean over seeds.

    ``finals`` has one row per run: the ``keys`` columns and one column per outcome.
    """
    keys = list(keys)
    long = finals.melt(id_vars=keys, value_vars=list(outcomes), var_name="outcome", value_name="value")
    long["outcome"] = pd.Categorical(long["outcome"], categories=list(outcomes), ordered=True)
    table = long.groupby([*keys, "outcome"], sort=True, observed=True)["value"].agg(n="count", mean="mean", sd="std").reset_index()
    table["outcome"] = table["outcome"].astype(str)
    half = t_half_width(table["sd"].to_numpy(), table["n"].to_numpy())
    table["ci_low"] = table["mean"] - half
    table["ci_high"] = table["mean"] + half
    return table


def paired_differences(finals: pd.DataFrame, outcomes: Sequence[str], baseline: str, keys: Sequence[str] = ("point",)) -> pd.DataFrame:
    """Per scenario other than ``baseline``, group and outcome: the paired difference over seeds.

    Columns: scenario, baseline, the ``keys``, outcome, n (pairs), mean, sd,
    ci_low, ci_high, d_z. Runs are paired on the ``keys`` and ``seed``.
    """
    keys = list(keys)
    index = [*keys, "seed"]
    base = finals[finals["scenario"] == baseline].set_index(index)[list(outcomes)]
    rows = []
    for scenario in [s for s in pd.unique(finals["scenario"]) if s != baseline]:
        other = finals[finals["scenario"] == scenario].set_index(index)[list(outcomes)]
        diff = (other - base).dropna(how="all")
        for group, frame in diff.groupby(level=keys, sort=True) if keys else [((), diff)]:
            group = group if isinstance(group, tuple) else (group,)
            for outcome in outcomes:
                d = frame[outcome].dropna().to_numpy()
                row = {"scenario": scenario, "baseline": baseline, **dict(zip(keys, group, strict=True)), "outcome": outcome, **describe(d)}
                row["d_z"] = cohens_dz(d)
                rows.append(row)
    columns = ["scenario", "baseline", *keys, "outcome", "n", "mean", "sd", "ci_low", "ci_high", "d_z"]
    return pd.DataFrame(rows, columns=columns)


def cohens_dz(differences: np.ndarray) -> float:
    """Cohen's d_z: mean paired difference over its standard deviation (NaN when undefined)."""
    d = np.asarray(differences, dtype=float)
    if len(d) < 2:
        return float("nan")
    sd = d.std(ddof=1)
    return float(d.mean() / sd) if sd > 0 else float("nan")


def returns(finals: pd.DataFrame, outcomes: Sequence[str], baseline: str, cost: str = "cost_mean", keys: Sequence[str] = ("point",)) -> pd.DataFrame:
    """Each outcome's change per extra GBP 10 per household per month against ``baseline`` (see the module docstring).

    ``finals`` needs a ``cost`` column: each run's cost averaged over its months.
    Columns: scenario, baseline, keys, outcome, n, extra_cost, extra_cost_low,
    extra_cost_high, change, change_low, change_high, per_10_gbp, per_10_gbp_low,
    per_10_gbp_high, note.
    """
    keys = list(keys)
    index = [*keys, "seed"]
    columns = [*[o for o in outcomes if o != "cost"], cost]
    base = finals[finals["scenario"] == baseline].set_index(index)[columns]
    rng_seed = BOOTSTRAP_SEED
    rows = []
    for scenario in [s for s in pd.unique(finals["scenario"]) if s != baseline]:
        other = finals[finals["scenario"] == scenario].set_index(index)[columns]
        diff = (other - base).dropna(subset=[cost])
        for group, frame in diff.groupby(level=keys, sort=True) if keys else [((), diff)]:
            group = group if isinstance(group, tuple) else (group,)
            dc = frame[cost].to_numpy()
            c = describe(dc)
            clear_cost = c["ci_low"] > 0
            note = "" if clear_cost else ("cheaper than the baseline" if c["ci_high"] < 0 else "no clear cost difference")
            rng = np.random.default_rng(rng_seed)
            resamples = rng.integers(0, len(dc), size=(BOOTSTRAP_RESAMPLES, len(dc))) if len(dc) >= 2 else None
            for outcome in columns[:-1]:
                dy = frame[outcome].to_numpy()
                y = describe(dy)
                ratio = low = high = float("nan")
                if clear_cost:
                    ratio = y["mean"] / c["mean"] * PER_GBP
                    if resamples is not None:
                        boot = dy[resamples].mean(axis=1) / dc[resamples].mean(axis=1) * PER_GBP
                        low, high = (float(v) for v in np.percentile(boot, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2]))
                rows.append({
                    "scenario": scenario, "baseline": baseline, **dict(zip(keys, group, strict=True)), "outcome": outcome, "n": y["n"],
                    "extra_cost": c["mean"], "extra_cost_low": c["ci_low"], "extra_cost_high": c["ci_high"],
                    "change": y["mean"], "change_low": y["ci_low"], "change_high": y["ci_high"],
                    "per_10_gbp": ratio, "per_10_gbp_low": low, "per_10_gbp_high": high, "note": note,
                })
    names = ["scenario", "baseline", *keys, "outcome", "n", "extra_cost", "extra_cost_low", "extra_cost_high", "change", "change_low", "change_high", "per_10_gbp", "per_10_gbp_low", "per_10_gbp_high", "note"]
    return pd.DataFrame(rows, columns=names)


def over_time(steps: pd.DataFrame, outcomes: Sequence[str], keys: Sequence[str] = ("scenario", "point")) -> pd.DataFrame:
    """Per group, month and outcome: mean over seeds and its 95% interval (for time-series bands).

    ``steps`` has one row per run and month: the ``keys`` columns, ``step``, and the outcomes.
    """
    keys = [*keys, "step"]
    grouped = steps.groupby(keys, sort=True)[list(outcomes)]
    mean, sd, n = grouped.mean(), grouped.std(), grouped.count()
    frames = []
    for outcome in outcomes:
        half = t_half_width(sd[outcome].to_numpy(), n[outcome].to_numpy())
        frame = pd.DataFrame({"outcome": outcome, "n": n[outcome].to_numpy(), "mean": mean[outcome].to_numpy(), "ci_low": mean[outcome].to_numpy() - half, "ci_high": mean[outcome].to_numpy() + half}, index=mean.index)
        frames.append(frame.reset_index())
    return pd.concat(frames, ignore_index=True)
