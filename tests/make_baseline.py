"""Regenerate tests/baseline.json: ``python -m tests.make_baseline``.

Run this only for a deliberate, reviewed change in the model's behaviour, and
say in the commit message why the numbers moved.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim import HousingModel
from sim.mechanisms.outcomes import OUTCOMES

BASELINE = Path(__file__).with_name("baseline.json")
RUNS = {"seed": 7, "residents": 300, "steps": 24, "scenarios": ["paternalistic", "consultation", "co_design", "co_production"]}


def summary() -> dict:
    """Final-month outcomes of each pinned run."""
    root = Path(__file__).resolve().parent.parent / "scenarios"
    results = {}
    for name in RUNS["scenarios"]:
        model = HousingModel(root / f"{name}.toml", rng=RUNS["seed"], residents=RUNS["residents"])
        final = model.run(RUNS["steps"]).iloc[-1]
        results[name] = {column: float(final[column]) for column in OUTCOMES}
    return {"runs": RUNS, "final": results}


if __name__ == "__main__":
    BASELINE.write_text(json.dumps(summary(), indent=2) + "\n")
    print(f"wrote {BASELINE}")
