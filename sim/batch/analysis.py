"""The statistics of a results folder: every table the report, the figures and the console show.

Runs are grouped by scenario and parameter point; paired differences and
returns on spending are taken against the experiment's baseline scenario at
the same point and seed. Formulas: :mod:`sim.batch.statistics`.

A batch whose points are posterior draws (an experiment with ``[posterior]``)
is not a sweep: its tables pool the draws and seeds, with a seed interval and
a posterior interval (:mod:`sim.batch.posterior_analysis`), and ``posterior``
holds them with every draw's own means.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.batch import posterior_analysis, statistics
from sim.batch.posterior_analysis import PosteriorAnalysis
from sim.batch.results import Results


@dataclass
class Analysis:
    """Summary, differences, returns and time-series bands of a results folder."""

    results: Results
    summary: pd.DataFrame
    differences: pd.DataFrame
    returns: pd.DataFrame
    over_time: pd.DataFrame
    posterior: PosteriorAnalysis | None = None
    """Set when the points are posterior draws: then summary, differences and returns are its pooled tables."""

    @property
    def has_runs(self) -> bool:
        return not self.summary.empty


def analyse(results: Results) -> Analysis:
    """Compute every table from the stored runs (successful runs only; partial batches included)."""
    outcomes = results.outcomes
    finals = results.finals
    if finals.empty:
        empty = pd.DataFrame()
        return Analysis(results, empty, empty, empty, empty)
    if posterior_analysis.applies(results):
        pooled = posterior_analysis.analyse(results)
        returns = pooled.returns if len(results.scenarios) > 1 else pd.DataFrame()
        return Analysis(results, _order(pooled.levels, results), _order(pooled.differences, results), _order(returns, results), pd.DataFrame(), pooled)
    summary = _with_params(statistics.summarise(finals, outcomes), results)
    differences = pd.DataFrame()
    returns = pd.DataFrame()
    if len(results.scenarios) > 1:
        differences = _with_params(statistics.paired_differences(finals, outcomes, results.baseline), results)
        if "cost" in outcomes:
            returns = _with_params(statistics.returns(finals, outcomes, results.baseline), results)
    over_time = pd.DataFrame()
    if len(results.points) <= 50:  # bands per point are only drawn for comparisons and small sweeps
        over_time = statistics.over_time(results.timeseries, outcomes)
    return Analysis(results, _order(summary, results), _order(differences, results), _order(returns, results), _order(over_time, results))


def _with_params(table: pd.DataFrame, results: Results) -> pd.DataFrame:
    """Add the varied parameters' values of each row's point, after the ``point`` column."""
    if table.empty or not results.factors:
        return table
    values = pd.DataFrame(results.points)
    values.index.name = "point"
    table = table.merge(values.reset_index(), on="point", how="left")
    first = list(table.columns).index("point") + 1
    columns = [c for c in table.columns if c not in results.factors]
    return table[columns[:first] + results.factors + columns[first:]]


def _order(table: pd.DataFrame, results: Results) -> pd.DataFrame:
    """Rows in the experiment's order of scenarios (then point, then outcome, then month)."""
    if table.empty or "scenario" not in table.columns:
        return table
    table = table.copy()
    rank = {name: i for i, name in enumerate(results.scenarios)}
    outcome_rank = {name: i for i, name in enumerate(results.outcomes)}
    sort = [table["scenario"].map(rank).rename("_s")]
    keys = ["_s"]
    if "point" in table.columns:
        sort.append(table["point"].rename("_p"))
        keys.append("_p")
    if "outcome" in table.columns:
        sort.append(table["outcome"].map(outcome_rank).rename("_o"))
        keys.append("_o")
    if "step" in table.columns:
        sort.append(table["step"].rename("_t"))
        keys.append("_t")
    order = pd.concat(sort, axis=1).sort_values(keys, kind="stable").index
    return table.loc[order].reset_index(drop=True)
