"""Today is month 0: a scenario starts from its status quo's steady state, so without a change nothing drifts.

Every model first runs its status quo for the burn-in months (``[status_quo]``;
docs/ODD.md section 5). Under the status quo itself, with no scheduled events,
no outcome may trend by more than 1 percentage point a year over ten years:
seed by seed without background shocks (they are events too), and on average
over seeds with them (shocks are stationary luck: they move a landlord's
figures from year to year but not on a trend).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import HousingModel
from sim.mechanisms.outcomes import OUTCOMES
from tests.runs import ROOT

NO_SHOCKS = {"shocks__contractor_failure": 0.0, "shocks__major_works": 0.0, "shocks__incident": 0.0, "shocks__reorganisation": 0.0}
SHARES = [c for c in OUTCOMES if c != "cost"]
LIMIT = 1.0
"""Most a share may trend, in percentage points a year (cost: GBP per household per month a year)."""


def trends(frame) -> dict[str, float]:
    """Least-squares trend of each outcome per year: shares in percentage points, cost in GBP."""
    years = np.arange(len(frame)) / 12.0
    found = {c: np.polyfit(years, frame[c].to_numpy() * 100.0, 1)[0] for c in SHARES}
    found["cost"] = np.polyfit(years, frame["cost"].to_numpy(), 1)[0]
    return found


STATUS_QUOS = {
    "paternalistic (the default status quo)": {"policy": "paternalistic"},
    "England today (consultation-lite)": {"scenario": ROOT / "scenarios" / "england_status_quo.toml"},
    "co-production as the status quo": {"policy": "co_production", "status_quo__policy": "co_production"},
}


@pytest.mark.parametrize("name", list(STATUS_QUOS))
def test_without_shocks_no_outcome_trends_under_the_status_quo(name):
    settings = dict(STATUS_QUOS[name])
    scenario = settings.pop("scenario", None)
    for seed in (1, 2, 3):
        frame = HousingModel(scenario, rng=seed, residents=1000, **settings, **NO_SHOCKS).run(120)
        moving = {c: round(t, 2) for c, t in trends(frame).items() if abs(t) > LIMIT}
        assert not moving, f"{name}, seed {seed}: trends per year beyond {LIMIT}: {moving}"


def test_with_shocks_the_average_over_seeds_does_not_trend():
    frames = [HousingModel(rng=seed, residents=1000).run(120) for seed in range(1, 7)]
    mean = sum(frames) / len(frames)
    moving = {c: round(t, 2) for c, t in trends(mean).items() if abs(t) > LIMIT}
    assert not moving, f"trends per year beyond {LIMIT} on average over seeds: {moving}"


def test_without_a_burn_in_the_first_years_drift():
    """The burn-in is what makes month 0 a steady state: starting straight from the drawn community, outcomes move for years."""
    frame = HousingModel(rng=1, residents=1000, status_quo__months=0, **NO_SHOCKS).run(36)
    assert max(abs(t) for t in trends(frame).values()) > 2 * LIMIT
