"""People's choices replace the model's rule for their household only (sim/mechanisms/human_choices.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import UserError
from sim.mechanisms.human_choices import HouseholdChoice
from sim.model import HousingModel


def pair(scenario: str = "consultation", seed: int = 4, residents: int = 200) -> tuple[HousingModel, HousingModel]:
    return HousingModel(scenario, rng=seed, residents=residents), HousingModel(scenario, rng=seed, residents=residents)


def test_no_choices_leave_the_run_as_it_was():
    a, b = pair()
    a.human_choices = {3: HouseholdChoice()}  # every field None: the model's own rule
    for _ in range(3):
        a.step()
        b.step()
    assert a.timeseries().equals(b.timeseries())
    assert a.human_choices == {}  # a month's choices apply to that month only


def test_declining_keeps_a_household_out_and_saying_yes_takes_it_in_when_invited():
    everyone_invited = {"policy.reach": 1.0, "policy.capacity": 1.0}
    model = HousingModel("consultation", rng=2, residents=200, **everyone_invited)
    model.human_choices = {h: HouseholdChoice(take_part=h % 2 == 0) for h in range(40)}
    model.step()
    took = model.state.participated[:40]
    assert took[0::2].all() and not took[1::2].any()


def test_a_participant_raises_what_their_person_chose():
    model = HousingModel("co_production", rng=2, residents=200, **{"policy.reach": 1.0, "policy.capacity": 1.0})
    model.human_choices = {h: HouseholdChoice(take_part=True, raise_domain=3) for h in range(30)}
    model.step()
    assert (model.state.raised[:30] == 3).all()


def test_only_the_chosen_households_differ_in_what_they_chose():
    a, b = pair("co_production", residents=300)
    a.human_choices = {7: HouseholdChoice(call_on_neighbour=True, complain=False)}
    a.step()
    b.step()
    differs = np.flatnonzero(a.state.complaint_open != b.state.complaint_open)
    assert set(differs) <= {7}
    assert not a.state.complaint_open[7]


def test_complaining_is_a_choice_only_when_a_repair_is_outstanding():
    a, _ = pair("paternalistic", residents=300)
    a.human_choices = {h: HouseholdChoice(complain=True) for h in range(300)}
    a.step()
    outstanding = a.state.unmet_repairs >= a.params.complaints.trigger
    assert (a.state.complaint_open == outstanding).all()


def test_calling_on_a_neighbour_strengthens_ties_in_the_block():
    a, b = pair(residents=300)
    a.human_choices = {h: HouseholdChoice(call_on_neighbour=True) for h in range(60)}
    a.step()
    b.step()
    assert a.network.bonding_strength()[:60].sum() > b.network.bonding_strength()[:60].sum()


@pytest.mark.parametrize("bad", [{"take_part": "yes"}, {"raise_domain": 4}, {"raise_domain": True}, {"complain": 1}])
def test_a_malformed_choice_is_refused_with_what_is_accepted(bad):
    with pytest.raises(UserError, match="accepted"):
        HouseholdChoice(**bad)


def test_a_choice_round_trips_through_its_record():
    choice = HouseholdChoice(take_part=True, raise_domain=2, complain=None, call_on_neighbour=False)
    assert HouseholdChoice.from_record(choice.as_record()) == choice
    assert HouseholdChoice.from_record({"take_part": float("nan")}) == HouseholdChoice()
