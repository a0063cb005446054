"""The pinned summary of fixed-seed runs: any change in behaviour must be deliberate.

If this fails after an intended change, regenerate with
``python -m tests.make_baseline`` and explain the change in the commit.
"""

from __future__ import annotations

import json

import pytest

from tests.make_baseline import BASELINE, summary


def test_fixed_seed_summary_matches_the_baseline():
    pinned = json.loads(BASELINE.read_text())
    current = summary()
    assert current["runs"] == pinned["runs"]
    for scenario, outcomes in pinned["final"].items():
        for column, value in outcomes.items():
            assert current["final"][scenario][column] == pytest.approx(value, rel=1e-9, abs=1e-12), f"{scenario}.{column}"
