"""The live workshop in a real browser: 30 participants on phone-sized pages and a facilitator (issue 15).

All join with the room code; all choose for three months by clicking; one
loses their page mid-session and gets the same household back from their
address; the record holds every choice as clicked; and the months' results
equal a run of the model fed the same choices without the app
(sim/workshop/replay.py), so the app adds nothing but the people. Then the
safety of the pages: a wrong room code, a forged participant address, and
the facilitator's page without its token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import pytest

from sim.workshop.crowd import PHONE, Crowd, WorkshopServer, scripted_choice
from sim.workshop.replay import replay
from tests.waiting import wait_until

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - a broken install, not a reason to skip
    pytest.fail("the browser tests need Playwright from PyPI: pip install -e '.[dev]' (never 'playwright install')", pytrace=False)

PARTICIPANTS, MONTHS, RECONNECTS = 30, 3, 7


@pytest.fixture(scope="module")
def workshop(tmp_path_factory) -> Iterator[tuple[WorkshopServer, object]]:
    folder = tmp_path_factory.mktemp("workshop")
    record = folder / "record"
    options = ("--record", str(record), "--countdown", "900", "--residents", "300", "--seed", "11")
    with WorkshopServer(folder / "server.log", options) as server:
        yield server, record
        log = server.log()
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def facilitator(browser, workshop):
    server, _ = workshop
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(server.facilitator_url)
    expect(page.get_by_text("0 joined")).to_be_visible()
    yield page
    context.close()


def test_thirty_participants_play_three_months_and_the_record_replays(browser, workshop, facilitator):
    server, record = workshop
    crowd = Crowd(browser, f"{server.join_url}?room={server.code}")
    crowd.join(PARTICIPANTS, expect)
    expect(facilitator.get_by_text(f"{PARTICIPANTS} joined")).to_be_visible()
    ids = [seat.page.locator(".shs-who").inner_text() for seat in crowd.seats]
    assert len(set(ids)) == PARTICIPANTS

    clicked = {}
    for month in range(1, MONTHS + 1):
        facilitator.locator(".shs-open").click()
        expect(facilitator.locator(".shs-facilitator-countdown")).to_contain_text("left to choose")
        for i in range(PARTICIPANTS):
            if month == 2 and i == RECONNECTS:
                household = crowd.seats[i].page.locator(".shs-household").inner_text()
                crowd.reconnect(i, expect)
                assert crowd.seats[i].page.locator(".shs-who").inner_text() == ids[i]
                assert crowd.seats[i].page.locator(".shs-household").inner_text() == household
            clicked[(month, i)] = crowd.choose(i, month, expect)
        for seat in crowd.seats:
            expect(seat.page.get_by_text(f"What happened in month {month}", exact=True)).to_be_visible()
        expect(facilitator.locator("h1")).to_contain_text(f"month {month}")

    # The record is written just after the pages are told: wait for the last month's rows.
    wait_until(lambda: (record / "choices.parquet").exists() and len(pd.read_parquet(record / "choices.parquet")) == PARTICIPANTS * MONTHS,
               "the record of every choice", 60)
    choices = pd.read_parquet(record / "choices.parquet")
    assert choices["answered"].all()
    by_id = {f"p{i + 1:02d}": i for i in range(PARTICIPANTS)}
    for row in choices.to_dict("records"):
        expected = scripted_choice(by_id[row["participant"]], row["month"])
        assert bool(row["take_part"]) == expected.take_part
        assert (None if pd.isna(row["raise_domain"]) else int(row["raise_domain"])) == expected.raise_domain
        assert bool(row["complain"]) == expected.complain and bool(row["call_on_neighbour"]) == expected.call_on_neighbour
    assert choices.groupby("participant")["household"].nunique().eq(1).all()  # the reconnected participant kept theirs

    outcomes = pd.read_parquet(record / "outcomes.parquet")
    session = outcomes[outcomes["world"] == "with people"].drop(columns="world").reset_index(drop=True)
    pd.testing.assert_frame_equal(replay(record)[session.columns], session, check_exact=True)

    facilitator.locator(".shs-debrief-button").click()
    expect(facilitator.locator(".shs-debrief")).to_contain_text("Share of months taking part")
    crowd.close()


def test_a_wrong_room_code_is_refused(browser, workshop, facilitator):
    server, _ = workshop
    before = facilitator.locator(".shs-joined .shs-chip").count()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{server.join_url}?room=WRONG")
    page.locator(".shs-join").click()
    expect(page.get_by_text("That is not this room's code")).to_be_visible()
    assert "/play" not in page.url
    assert facilitator.locator(".shs-joined .shs-chip").count() == before
    context.close()


def test_a_forged_participant_address_gets_no_household(browser, workshop):
    server, _ = workshop
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server.join_url + "play?p=guessed-token")
    expect(page.get_by_text("This page is not a participant of this room")).to_be_visible()
    expect(page.locator(".shs-send")).to_have_count(0)
    expect(page.locator(".shs-household")).to_have_count(0)
    context.close()


@pytest.mark.parametrize("address", ["facilitator", "facilitator?token=", "facilitator?token=guess"])
def test_the_facilitators_controls_need_its_link(browser, workshop, address):
    server, _ = workshop
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(server.join_url + address)
    expect(page.get_by_text("This page needs the facilitator's link")).to_be_visible()
    for control in (".shs-open", ".shs-run-now", ".shs-policy-co_production", ".shs-event-funding_cut", ".shs-debrief-button"):
        expect(page.locator(control)).to_have_count(0)
    context.close()


def test_a_team_plays_the_landlord_and_the_record_replays(browser, workshop, facilitator):
    """Runs after the thirty have played: the landlord team's page joins, acts on all but requests about work, and the month replays."""
    server, record = workshop
    assert server.landlord_url
    context = browser.new_context(viewport=PHONE)
    refused = context.new_page()
    refused.goto(server.landlord_url.split("?")[0] + "?token=guess")
    expect(refused.get_by_text("This page needs the landlord team's link")).to_be_visible()
    expect(refused.locator(".shs-send-landlord")).to_have_count(0)
    board = context.new_page()
    board.goto(server.landlord_url)
    expect(board.get_by_text("What the board knows")).to_be_visible()
    expect(facilitator.locator(".shs-landlord-chip")).to_be_visible()  # the facilitator sees the team has joined

    month = int(re.search(r"month (\d+)", facilitator.locator("h1").inner_text()).group(1)) + 1
    facilitator.locator(".shs-open").click()
    expect(board.get_by_text(f"Month {month}: which requests will you act on?")).to_be_visible()
    board.locator(".shs-act-on-employment label").click()  # as a person taps it
    expect(board.locator(".shs-act-on-employment input")).not_to_be_checked()
    board.locator(".shs-send-landlord").click()
    expect(board.get_by_text(f"Your decision for month {month} is in")).to_be_visible()
    facilitator.locator(".shs-run-now").click()
    expect(board.get_by_text(f"What happened in month {month}", exact=True)).to_be_visible()
    expect(board.locator(".shs-landlord-happened")).to_contain_text("You acted on requests about repairs and safety in your home, health")

    def written() -> bool:
        path = record / "landlord.parquet"
        return path.exists() and month in set(pd.read_parquet(path)["month"])

    wait_until(written, "the landlord team's month in the record", 60)
    row = pd.read_parquet(record / "landlord.parquet").set_index("month").loc[month]
    assert row["answered"] and not row["act_on_employment"] and row["act_on_repairs"] and row["act_on_community"]
    outcomes = pd.read_parquet(record / "outcomes.parquet")
    session = outcomes[outcomes["world"] == "with people"].drop(columns="world").reset_index(drop=True)
    pd.testing.assert_frame_equal(replay(record)[session.columns], session, check_exact=True)
    context.close()
