"""The workshop room (sim/workshop/room.py): joining, choosing, the clock, safety, the record and its replay."""

from __future__ import annotations

import inspect
import json
import time

import numpy as np
import pandas as pd
import pytest

from sim.mechanisms.human_choices import HouseholdChoice
from sim.viz.presets import load_presets
from sim.viz.session import policy_levers
from sim.workshop.replay import replay
from sim.workshop.room import OPEN, PAUSED, WAITING, WORLDS, Room, RoomError

PRESET = load_presets()["consultation"]
CODE, TOKEN = "ACDEF", "the-facilitator"


def make_room(folder, *, countdown: float = 600.0, seed: int = 3, residents: int = 200) -> Room:
    return Room(PRESET.scenario, PRESET.path.read_text(), residents=residents, seed=seed, countdown=countdown, folder=folder,
                policy_levers=lambda name: policy_levers(PRESET, name, 1.0), code=CODE, facilitator_token=TOKEN)


def wait_until(condition, room: Room, limit: float = 60.0) -> None:
    """Wait for a state of the room (an upper bound, not a pace)."""
    deadline = time.monotonic() + limit
    seen = -1
    while not condition():
        assert time.monotonic() < deadline, "the room never reached the state"
        seen = room.wait_change(seen, 0.5)


def test_joining_needs_the_room_code(tmp_path):
    room = make_room(tmp_path)
    with pytest.raises(RoomError, match="not this room's code"):
        room.join("ZZZZZ")
    with pytest.raises(RoomError):
        room.join("")
    assert room.join(" acd-ef ").household >= 0  # typed loosely: case, spaces and dashes do not matter
    assert len(room.participants) == 1


def test_each_participant_gets_a_household_of_their_own_the_same_for_the_same_seed(tmp_path):
    first = [make_room(tmp_path / "a").join(CODE) for _ in range(1)]
    room, again = make_room(tmp_path / "b"), make_room(tmp_path / "c")
    households = [room.join(CODE).household for _ in range(30)]
    assert len(set(households)) == 30
    assert [again.join(CODE).household for _ in range(30)] == households
    assert first[0].household == households[0]


def test_a_participant_acts_only_for_their_own_household(tmp_path):
    room = make_room(tmp_path)
    a, b = room.join(CODE), room.join(CODE)
    assert "household" not in inspect.signature(Room.submit).parameters  # the token decides the household
    room.open_month(TOKEN)
    room.submit(a.token, HouseholdChoice(take_part=False, call_on_neighbour=True))
    with pytest.raises(RoomError, match="not a participant"):
        room.submit("a-guessed-token", HouseholdChoice(take_part=True))
    room.run_now(TOKEN)
    choices = pd.read_parquet(tmp_path / "choices.parquet")
    mine = choices[choices["participant"] == a.id].iloc[0]
    theirs = choices[choices["participant"] == b.id].iloc[0]
    assert mine["household"] == a.household and bool(mine["call_on_neighbour"]) and not bool(mine["take_part"])
    assert theirs["household"] == b.household and not theirs["answered"] and pd.isna(theirs["take_part"])


def test_a_reconnecting_participant_gets_the_same_household_back(tmp_path):
    room = make_room(tmp_path)
    joined = room.join(CODE)
    assert room.participant(joined.token) is joined
    assert room.participant("") is None and room.participant(joined.token + "x") is None


@pytest.mark.parametrize("action", ["open_month", "run_now", "pause", "resume"])
def test_the_facilitators_controls_need_the_facilitators_token(tmp_path, action):
    room = make_room(tmp_path)
    participant = room.join(CODE)
    for token in ("", participant.token, CODE, TOKEN + " "):
        with pytest.raises(RoomError, match="Only the facilitator"):
            getattr(room, action)(token)
    with pytest.raises(RoomError, match="Only the facilitator"):
        room.set_policy(participant.token, "co_production")
    with pytest.raises(RoomError, match="Only the facilitator"):
        room.fire(participant.token, "funding_cut")
    assert room.month == 0 and room.policy == "consultation"


def test_the_month_runs_when_everyone_has_chosen(tmp_path):
    room = make_room(tmp_path)
    people = [room.join(CODE) for _ in range(3)]
    room.open_month(TOKEN)
    for person in people[:2]:
        room.submit(person.token, HouseholdChoice(take_part=True))
        assert room.phase == OPEN and room.month == 0
    room.submit(people[2].token, HouseholdChoice(take_part=False))
    assert room.phase == WAITING and room.month == 1
    assert all(p.reports and p.reports[-1][0] == 1 for p in people)
    with pytest.raises(RoomError, match="No month is open"):
        room.submit(people[0].token, HouseholdChoice())


def test_the_countdown_runs_the_month_and_a_pause_holds_it(tmp_path):
    room = make_room(tmp_path, countdown=0.5)
    room.join(CODE)
    room.open_month(TOKEN)
    wait_until(lambda: room.month == 1, room)
    room.open_month(TOKEN, seconds=3600)
    room.pause(TOKEN)
    held = room.seconds_left()
    assert room.phase == PAUSED and room.month == 1 and 3590 < held <= 3600
    assert room.seconds_left() == held  # a paused countdown does not move
    room.resume(TOKEN)
    assert room.phase == OPEN and room.seconds_left() <= held


def test_changes_wait_for_the_month_to_end(tmp_path):
    room = make_room(tmp_path)
    room.join(CODE)
    room.open_month(TOKEN)
    with pytest.raises(RoomError, match="between months"):
        room.set_policy(TOKEN, "co_production")
    with pytest.raises(RoomError, match="is not a policy"):
        room.set_policy(TOKEN, "anarchy")


def test_the_record_replays_to_the_same_months_in_both_worlds(tmp_path):
    room = make_room(tmp_path, residents=300)
    people = [room.join(CODE) for _ in range(12)]
    rng = np.random.default_rng(0)
    for month in range(1, 5):
        if month == 3:
            room.set_policy(TOKEN, "co_production")
            room.fire(TOKEN, "funding_cut")
        room.open_month(TOKEN)
        for person in people[: 10 if month % 2 else 12]:  # some months, two do not answer in time
            room.submit(person.token, HouseholdChoice(take_part=bool(rng.random() < 0.7), raise_domain=int(rng.integers(4)),
                                                      complain=bool(rng.random() < 0.5), call_on_neighbour=bool(rng.random() < 0.5)))
        if room.phase != WAITING:
            room.run_now(TOKEN)
    recorded = pd.read_parquet(tmp_path / "outcomes.parquet")
    for world, with_choices in zip(WORLDS, (True, False), strict=True):
        session = recorded[recorded["world"] == world].drop(columns="world").reset_index(drop=True)
        replayed = replay(tmp_path, with_choices=with_choices)
        pd.testing.assert_frame_equal(replayed[session.columns], session, check_exact=True)
    assert not recorded[recorded["world"] == WORLDS[0]].drop(columns="world").reset_index(drop=True).equals(
        recorded[recorded["world"] == WORLDS[1]].drop(columns="world").reset_index(drop=True))  # the people changed something
    choices = pd.read_parquet(tmp_path / "choices.parquet")
    assert len(choices) == 4 * 12 and choices["answered"].sum() == 2 * 10 + 2 * 12


def test_the_record_holds_no_names_codes_or_tokens(tmp_path):
    room = make_room(tmp_path)
    person = room.join(CODE)
    room.open_month(TOKEN)
    room.submit(person.token, HouseholdChoice(take_part=True))
    text = "".join(p.read_bytes().decode("latin-1") for p in tmp_path.iterdir())
    for secret in (CODE, TOKEN, person.token):
        assert secret not in text
    about = json.loads((tmp_path / "session.json").read_text())
    assert about["participants"] == [{"id": "p01", "household": person.household, "joined_month": 0}]


def test_without_answers_the_two_worlds_are_the_same(tmp_path):
    room = make_room(tmp_path)
    room.join(CODE)
    for _ in range(2):
        room.open_month(TOKEN)
        room.run_now(TOKEN)
    for row in room.debrief():
        assert row["everyone difference"] == 0.0 and row["room difference"] == 0.0


@pytest.mark.parametrize("options, key", [
    (["--residents", "5"], "--residents"), (["--countdown", "soon"], "--countdown"), (["--seed", "-1"], "--seed"),
    (["--scenario", "no_such_scenario"], "no_such_scenario"),
])
def test_bad_workshop_options_get_one_line_and_status_2(tmp_path, options, key):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "run.py", "workshop", "--record", str(tmp_path / "r"), *options], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and key in lines[0] and "accepted" in lines[0], done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "r").exists()


def test_a_record_folder_that_holds_files_is_refused(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "earlier.parquet").write_text("kept")
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "run.py", "workshop", "--record", str(tmp_path)], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--record" in done.stderr and (tmp_path / "earlier.parquet").read_text() == "kept"


def test_a_landlord_team_is_waited_for_once_it_has_joined_and_replays(tmp_path):
    from sim.mechanisms.human_choices import LandlordChoice

    room = Room(PRESET.scenario, PRESET.path.read_text(), residents=300, seed=3, countdown=600, folder=tmp_path,
                policy_levers=lambda name: policy_levers(PRESET, name, 1.0), code=CODE, facilitator_token=TOKEN, landlord_token="board")
    person = room.join(CODE)
    with pytest.raises(RoomError, match="landlord team"):
        room.claim_landlord("guess")
    with pytest.raises(RoomError, match="landlord team"):
        room.claim_landlord(person.token)
    room.claim_landlord("board")
    room.set_policy(TOKEN, "co_design")  # requests to act on: the landlord decides most of them
    for month in (1, 2):
        room.open_month(TOKEN)
        room.submit(person.token, HouseholdChoice(take_part=True, raise_domain=0))
        assert room.phase == OPEN  # the landlord team has not chosen yet
        room.submit_landlord("board", LandlordChoice((month == 1, True, True, True)))
        assert room.phase == WAITING and room.month == month
    assert room.landlord_reports[-1][0] == 2 and room.landlord_reports[0][1][0].startswith("You acted on requests about")
    landlord = pd.read_parquet(tmp_path / "landlord.parquet")
    assert list(landlord["act_on_repairs"]) == [True, False] and landlord["answered"].all()
    recorded = pd.read_parquet(tmp_path / "outcomes.parquet")
    session = recorded[recorded["world"] == WORLDS[0]].drop(columns="world").reset_index(drop=True)
    pd.testing.assert_frame_equal(replay(tmp_path)[session.columns], session, check_exact=True)


def test_acting_on_no_request_delivers_none_on_the_landlords_share():
    from sim.mechanisms.human_choices import LandlordChoice
    from sim.model import HousingModel

    base = {"policy.reach": 1.0, "policy.capacity": 1.0}
    ignored, heard = HousingModel("consultation", rng=5, residents=300, **base), HousingModel("consultation", rng=5, residents=300, **base)
    ignored.landlord_choice = LandlordChoice((False,) * 4)  # consultation shares no power: nothing is acted on
    heard.landlord_choice = LandlordChoice((True,) * 4)
    ignored.step()
    heard.step()
    assert ignored.state.participated.any() and not ignored.state.delivered.any()
    assert heard.state.delivered.sum() > 0


def test_the_record_keeps_every_households_state_with_the_played_ones_marked(tmp_path):
    room = make_room(tmp_path, residents=150)
    people = [room.join(CODE) for _ in range(3)]
    room.open_month(TOKEN)
    room.run_now(TOKEN)
    households = pd.read_parquet(tmp_path / "households.parquet")
    assert len(households) == 2 * 150 and set(households["world"]) == set(WORLDS)
    played = households[households["played"] & (households["world"] == WORLDS[0])]
    assert sorted(played["household"]) == sorted(p.household for p in people)
    row = households[(households["world"] == WORLDS[0]) & (households["household"] == people[0].household)].iloc[0]
    assert row["trust_landlord"] == room.with_people.state.trust_landlord[people[0].household]
