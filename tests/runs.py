"""Helpers for tests that run the whole model: small communities, several paired seeds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim import HousingModel

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def finals(policy: str, seeds: range | list[int], steps: int, residents: int = 500, scenario: str | Path | None = None, **overrides) -> pd.DataFrame:
    """The outcome row at month ``steps`` for each seed (indexed by seed)."""
    rows = {}
    for seed in seeds:
        model = HousingModel(scenario, rng=seed, policy=policy, residents=residents, **overrides)
        rows[seed] = model.run(steps).iloc[-1]
    return pd.DataFrame(rows).T


def series(policy: str, seed: int, steps: int, residents: int = 500, **overrides) -> pd.DataFrame:
    """The whole time series of one run, indexed by month."""
    model = HousingModel(rng=seed, policy=policy, residents=residents, **overrides)
    return model.run(steps).set_index("step")
