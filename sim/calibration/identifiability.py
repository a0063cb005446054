"""What the figures constrain, read from the posterior: marginals, their share of the prior, trade-offs.

Every prior is uniform, so a parameter the figures say nothing about keeps
a posterior close to its prior: a central 90% interval of about 90% of the
prior range. For each parameter:

- **share of prior**: the width of its central 90% posterior interval
  (weighted 5th to 95th percentile) over the width of its prior range
  (0.9 for a parameter the figures leave alone);
- **constrained**: "yes" when that share is at most ``CONSTRAINED`` (the
  figures have ruled out at least half of what the prior allowed), "partly"
  up to ``PARTLY``, else "no";
- **trades off with**: the parameters whose weighted posterior correlation
  with it is at least ``TRADE_OFF`` in size: combinations the figures
  constrain together but not apart (a ridge in the posterior), so that a
  parameter can look unconstrained alone while its pair is pinned down.

ABC approximates the posterior at its last threshold: with a threshold
above the simulations' own noise, the posterior is wider than the exact one,
so these readings err towards "not constrained". The pair plot
(:func:`figure`) shows the whole picture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.posterior import Posterior

CONSTRAINED = 0.45
PARTLY = 0.75
TRADE_OFF = 0.3


def correlations(posterior: Posterior) -> np.ndarray:
    """Weighted correlation matrix of the parameters (0 where a parameter does not vary)."""
    centred = posterior.draws - posterior.mean()
    covariance = (centred * posterior.weights[:, None]).T @ centred
    scale = np.sqrt(np.diag(covariance))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = covariance / np.outer(scale, scale)
    return np.nan_to_num(out)


def table(posterior: Posterior) -> pd.DataFrame:
    """Per parameter: prior, posterior median and 90% interval, its share of the prior, constrained or not, trade-offs."""
    low, median, high = posterior.quantile(0.05), posterior.quantile(0.5), posterior.quantile(0.95)
    r = correlations(posterior)
    rows = []
    for j, name in enumerate(posterior.names):
        prior_low, prior_high = posterior.bounds[j]
        share = float((high[j] - low[j]) / (prior_high - prior_low))
        partners = [k for k in np.argsort(-np.abs(r[j]), kind="stable") if k != j and abs(r[j, k]) >= TRADE_OFF]
        rows.append({
            "parameter": name, "prior_low": prior_low, "prior_high": prior_high,
            "posterior_median": float(median[j]), "posterior_5": float(low[j]), "posterior_95": float(high[j]),
            "share_of_prior": share, "constrained": "yes" if share <= CONSTRAINED else "partly" if share <= PARTLY else "no",
            "trades_off_with": ", ".join(f"{posterior.names[k]} ({r[j, k]:+.2f})" for k in partners[:3]),
        })
    return pd.DataFrame(rows)


def figure(posterior: Posterior, path: Path, chosen: dict[str, float] | None = None) -> Path:
    """Pair plot: weighted marginal histograms on the diagonal, the draws (sized by weight) below; the prior is each axis's range."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = len(posterior.names)
    fig, axes = plt.subplots(k, k, figsize=(1.45 * k + 1, 1.45 * k + 1), squeeze=False)
    size = 4 + 60 * posterior.weights / posterior.weights.max()
    for i in range(k):
        for j in range(k):
            ax = axes[i, j]
            lo_j, hi_j = posterior.bounds[j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(posterior.draws[:, j], bins=20, range=(lo_j, hi_j), weights=posterior.weights, color="#0072B2", alpha=0.7)
                ax.set_yticks([])
            else:
                ax.scatter(posterior.draws[:, j], posterior.draws[:, i], s=size, color="#0072B2", alpha=0.35, linewidths=0)
                ax.set_ylim(*posterior.bounds[i])
                if chosen is not None:
                    ax.plot(chosen[posterior.names[j]], chosen[posterior.names[i]], "D", color="#D55E00", ms=4, mec="black", mew=0.4)
            ax.set_xlim(lo_j, hi_j)
            ax.tick_params(labelsize=5)
            if i == k - 1:
                ax.set_xlabel(_label(posterior.names[j]), fontsize=6)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(_label(posterior.names[i]), fontsize=6)
            elif j > 0:
                ax.set_yticklabels([])
    fig.suptitle("What the figures leave open: the posterior of each parameter (diagonal) and of each pair\n"
                 "(axes span the prior; points sized by weight" + ("; diamond: the calibrated scenario)" if chosen else ")"), fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _label(name: str) -> str:
    return name.replace("_", " ").replace(".", ":\n")
