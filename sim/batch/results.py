"""A results folder read back for analysis: its manifest and tables, joined.

``load(folder)`` needs nothing but the folder (no scenario or experiment
file), so ``run.py report`` can rebuild statistics and figures anywhere, and
can read a batch that is still running or was stopped part-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch import manifest as manifests
from sim.batch import storage
from sim.batch.plan import describe_point


@dataclass
class Results:
    """A results folder: ``manifest`` (dict), ``runs`` (one row per stored run) and ``steps`` (one row per run and month)."""

    folder: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    steps: pd.DataFrame

    @property
    def experiment(self) -> dict[str, Any]:
        return self.manifest["experiment"]

    @property
    def outcomes(self) -> list[str]:
        return list(self.experiment["outcomes"])

    @property
    def scenarios(self) -> list[str]:
        """Scenario keys in the experiment's order."""
        return list(self.experiment["scenarios"])

    @property
    def baseline(self) -> str:
        return self.experiment["baseline"]

    @property
    def factors(self) -> list[str]:
        """Names of the varied parameters (runs-table columns)."""
        return list(self.experiment["factors"])

    @property
    def points(self) -> list[dict[str, Any]]:
        return self.manifest["points"]

    @property
    def steps_planned(self) -> int:
        return int(self.experiment["steps"])

    def point_label(self, point: int) -> str:
        return describe_point(self.points[point]) or "defaults"

    @cached_property
    def ok(self) -> pd.DataFrame:
        """Runs that completed without error."""
        return self.runs[self.runs["status"] == "ok"]

    @cached_property
    def failed(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] != "ok"]

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """Every month of every successful run, with its scenario, point, seed and parameter values."""
        info = self.ok[["run_id", "scenario", "point", "seed", *self.factors]]
        return self.steps.merge(info, on="run_id", how="inner", validate="many_to_one")

    @cached_property
    def finals(self) -> pd.DataFrame:
        """One row per successful run: its outcomes at the final month, and ``cost_mean``, its cost averaged over all months."""
        series = self.timeseries
        if series.empty:
            return pd.DataFrame(columns=["run_id", "step", *self.outcomes, "scenario", "point", "seed", *self.factors])
        last = series.loc[series.groupby("run_id")["step"].idxmax()]
        if "cost" in self.outcomes:
            last = last.merge(series.groupby("run_id")["cost"].mean().rename("cost_mean"), left_on="run_id", right_index=True)
        return last.sort_values(["point", "seed", "scenario"], kind="stable").reset_index(drop=True)

    def status(self) -> str:
        """``complete``, ``interrupted``, ``running``, ``killed`` (running, but nobody holds the folder), ..."""
        status = self.manifest.get("status", "unknown")
        if status == "running" and not storage.FolderLock(self.folder).held_elsewhere():
            return "killed"
        return status


def load(folder: str | Path) -> Results:
    """Read a results folder (a UserError if it is not one)."""
    folder = Path(folder)
    manifest = manifests.read(folder)
    tables = storage.load(folder)
    runs = tables.runs
    for name in manifest["experiment"]["factors"]:  # an empty folder has no parameter columns yet
        if name not in runs.columns:
            runs[name] = pd.Series(dtype=object)
    return Results(folder, manifest, runs, tables.steps)
