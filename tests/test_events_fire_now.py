"""sim.events.fire_now: firing an event between months is the same as scheduling it for the next month."""

from __future__ import annotations

import pytest

from sim import HousingModel, scenario
from sim.errors import UserError
from sim.events import fire_now


def test_firing_now_equals_scheduling_for_next_month():
    base = scenario.load("scenarios/co_design.toml").with_overrides({"residents": 300})
    scheduled = scenario.build({**base.raw, "events": [{"step": 3, "type": "safety_scandal", "severity": 0.4}]}, "test", None)
    a = HousingModel(scheduled, rng=5)
    b = HousingModel(base, rng=5)
    a.run(2)
    b.run(2)
    event = fire_now(b, "safety_scandal", severity=0.4)
    assert (event.step, event.type, event.values) == (3, "safety_scandal", {"severity": 0.4})
    a.run(5)
    b.run(5)
    assert a.timeseries().equals(b.timeseries())


def test_defaults_are_filled_in_and_the_effect_is_immediate():
    model = HousingModel(rng=1, residents=100)
    budget = model.landlord.budget
    event = fire_now(model, "funding_cut")
    assert event.values == {"share": 0.3}
    assert model.landlord.budget == pytest.approx(0.7 * budget)
    assert model.config.events == ()  # not added to the scenario


def test_a_bad_event_is_a_user_error_and_changes_nothing():
    model = HousingModel(rng=1, residents=100)
    budget = model.landlord.budget
    with pytest.raises(UserError, match="not an event type"):
        fire_now(model, "funding_cutt")
    with pytest.raises(UserError, match="share"):
        fire_now(model, "funding_cut", share=2.0)
    assert model.landlord.budget == budget
