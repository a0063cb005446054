"""Helpers for the batch tests: tiny experiment files, the command line, and a results folder's raw contents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.batch import experiment, plan, sampling, storage
from sim.calibration.posterior import Posterior, write

ROOT = Path(__file__).resolve().parents[1]
TINY_OUTCOMES = ("trust_landlord", "stigma", "bridging", "need_fit", "wellbeing", "equity_gap", "cost")


def toml_value(value: Any) -> str:
    """A Python value as TOML (enough for experiment files)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return repr(value)


def write_experiment(path: Path, scenarios: tuple[str, ...] = ("paternalistic", "co_production"), seeds: int | list[int] = 4, steps: int = 12,
                     residents: int = 100, outcomes: tuple[str, ...] | None = TINY_OUTCOMES, tables: dict[str, dict[str, Any]] | None = None,
                     name: str = "Tiny experiment") -> Path:
    """Write a small experiment file and return its path."""
    lines = [f"name = {toml_value(name)}", f"scenarios = {toml_value(list(scenarios))}", f"seeds = {toml_value(seeds)}", f"steps = {steps}"]
    if outcomes is not None:
        lines.append(f"outcomes = {toml_value(list(outcomes))}")
    tables = {"constants": {}, **(tables or {})}
    tables["constants"] = {"community.residents": residents, **tables["constants"]}
    for table, entries in tables.items():
        lines.append(f"\n[{table}]")
        lines += [f"{key} = {toml_value(value)}" for key, value in entries.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def make_plan(path: Path) -> plan.Plan:
    spec = experiment.load(path)
    return plan.make_plan(spec, sampling.points(spec))


def cli(*args: str | Path, timeout: float = 180) -> subprocess.CompletedProcess:
    """``python run.py ARGS`` in the project folder."""
    return subprocess.run([sys.executable, "run.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def physical_run_ids(folder: Path) -> list[str]:
    """Every run id in every committed runs part, duplicates included (what is on disk, not what readers see)."""
    ids: list[str] = []
    for path in sorted((folder / "runs").glob("part-*.parquet")):
        ids += pq.read_table(path, columns=["run_id"])["run_id"].to_pylist()
    return ids


def comparable(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A folder's runs and steps tables without the columns that depend on when and where a run ran."""
    tables = storage.load(folder)
    runs = tables.runs.drop(columns=["wall_seconds", "worker", "finished"]).sort_values("run_id").reset_index(drop=True)
    steps = tables.steps.sort_values(["run_id", "step"]).reset_index(drop=True)
    return runs, steps


def log_rows(path: Path) -> int:
    table = storage.read_log(path)
    return 0 if table is None else table.num_rows



def write_posterior(folder: Path) -> None:
    """A small made-up posterior (20 draws of three parameters) in ``folder``, for batches with a ``[posterior]`` table."""
    rng = np.random.default_rng(1)
    n = 20
    draws = np.column_stack([rng.uniform(0.45, 0.5, n), rng.uniform(0.6, 0.95, n), rng.uniform(0.1, 0.4, n)])
    write(Posterior(("survey.threshold", "landlord.respect", "policy.acts_on_input"), ((0.3, 0.55), (0.5, 1.0), (0.0, 0.5)), draws,
                    np.full(n, 1 / n), (("tsm_satisfied", 0.713, 0.02),), (None,), (n,), 1, n, "0.13"), folder)
