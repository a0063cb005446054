"""The mechanisms' neutral settings (sim/switches.py) are valid and each one switches its mechanism off.

A switch that named a parameter that does not exist, or set one to a value
that does nothing, would make `run.py ablate` report a contribution of 0 for a
mechanism that was never switched off. Each switch is checked here on a small
co-production run (every mechanism active) against the same run with all
mechanisms on: its overrides must load as a scenario, and must change what the
model does.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sim import HousingModel, scenario
from sim.switches import SWITCHES, SWITCHES_BY_NAME

SETTINGS = {
    "residents": 300, "policy": "co_production", "status_quo__months": 24,
    # Shocks often enough that two years surely see some (their own switch turns them off).
    "shocks__contractor_failure": 2.0, "shocks__major_works": 2.0, "shocks__incident": 2.0, "shocks__reorganisation": 2.0,
}


@pytest.fixture(scope="module")
def everything_on() -> pd.DataFrame:
    return HousingModel(rng=3, **SETTINGS).run(24)


def test_names_are_unique_and_every_switch_sets_something():
    assert len(SWITCHES_BY_NAME) == len(SWITCHES)
    assert all(switch.neutral and switch.doc for switch in SWITCHES)


@pytest.mark.parametrize("switch", SWITCHES, ids=[s.name for s in SWITCHES])
def test_each_switch_is_a_valid_scenario_change_that_changes_the_run(switch, everything_on):
    scenario.default().with_overrides(switch.neutral, where=f"switch {switch.name}")  # raises on a bad key or value
    off = HousingModel(rng=3, **SETTINGS, **switch.neutral).run(24)
    assert not off.equals(everything_on), f"switching off {switch.name} changed nothing"
