"""docs/workshop.md's second plan (the live workshop) against the screen: its rehearsal played in a real Chromium.

The second plan defines a rehearsal: the command that starts it (scenario,
seed, community size), the choices four participants make every month, and
what happens between and in the months (after month 3 the debrief is shown
and the landlord switched to co-production; in month 5 p03's page is closed
and its link opened again; in month 6 p04 does not answer and the
facilitator presses Run the month now). Each act ends with **On screen**
tables of what the rehearsal shows after a month: lines on the facilitator's
screen or a participant's phone, and rows of the debrief ("What the people
changed"), the room's households and everyone, with people and without.

This test starts ``python run.py workshop`` with the rehearsal's options,
joins the four participants on phone-sized pages, and plays the script with
the buttons a facilitator and participants press, reading every table's
rows from the screen after its month and comparing them with the guide at
the guide's precision. It checks the research record the plan's close
describes (one row of choices per participant and month, the unanswered
month marked, the replay equal to the session), and that every figure the
second plan's text quotes is in one of its tables.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.viz.browser import ASSET_FETCH_FAILED, AppServer, block_internet
from sim.workshop.replay import replay
from sim.workshop.room import DEBRIEF_MEASURES
from sim.workshop.words import RAISE_OPTIONS
from tests.waiting import wait_until

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - a broken install, not a reason to skip
    pytest.fail("the browser tests need Playwright from PyPI: pip install -e '.[dev]' (never 'playwright install')", pytrace=False)

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "workshop.md"
HEADING = "## Second plan:"
NOT_CHECKED = "–"

SWITCH_AFTER, SWITCH_TO = 3, "co_production"
"""The rehearsal's policy change: after this month, the facilitator presses this policy's button."""
RECONNECTS = (5, "p03")
"""In this month this participant's page is closed before it chooses and its link opened again."""
SILENT = (6, "p04")
"""In this month this participant does not answer; the facilitator presses Run the month now."""

START = re.compile(r"python run\.py workshop --scenario (?P<scenario>\S+) --seed (?P<seed>\d+) --residents (?P<residents>\d+) --countdown 600")
CHOICES = re.compile(r"^\*\*The rehearsal's choices\*\*:\n\n(?P<table>(?:\|.*\n)+)", re.MULTILINE)
ON_SCREEN = re.compile(
    r"^\*\*On screen\*\* \(the rehearsal(?: after month (?P<month>\d+)|, all four joined)(?P<debrief>, \*\*Show the debrief\*\*)?\):\n\n"
    r"(?P<table>(?:\|.*\n)+)",
    re.MULTILINE,
)
FIGURE = re.compile(r"(?<![\w.£-])(?:\d+(?:\.\d+)?%|0\.\d{2,3})(?![\w%])")
"""A figure in the text: a share in percent or an index such as 0.425 (as the first plan's test)."""

DEBRIEF_COLUMNS = ("room with people", "room without people", "everyone with people", "everyone without people")
"""The debrief's cells the guide's columns are, in the guide's order."""
DEBRIEF_CELLS = (1, 2, 4, 5)
"""Where they are among a debrief row's cells on the screen (measure, room: with, without, change, everyone: with, without, change)."""


@dataclass(frozen=True)
class Choice:
    take_part: bool
    raise_key: str | None
    complain: bool
    neighbour: bool


@dataclass(frozen=True)
class Block:
    month: int
    debrief: bool
    rows: tuple[tuple[str, ...], ...]


def second_plan(text: str) -> str:
    """The second plan's section of the guide (to the next top-level heading or the end)."""
    start = text.index(HEADING)
    end = text.find("\n## ", start + len(HEADING))
    return text[start:] if end < 0 else text[start : end + 1]


def table_rows(table: str) -> list[tuple[str, ...]]:
    lines = table.strip().splitlines()[2:]
    return [tuple(cell.strip() for cell in line.strip().strip("|").split("|")) for line in lines]


PLAN = second_plan(GUIDE.read_text(encoding="utf-8"))
REHEARSAL = START.search(PLAN)
BLOCKS = [
    Block(int(m["month"] or 0), bool(m["debrief"]), tuple(table_rows(m["table"])))
    for m in ON_SCREEN.finditer(PLAN)
]


def script() -> dict[str, Choice]:
    """The rehearsal's choices by participant id, from the guide's table."""
    match = CHOICES.search(PLAN)
    assert match, "the second plan has no **The rehearsal's choices** table"
    raise_keys = {label: key for key, label in RAISE_OPTIONS.items()}
    choices = {}
    for who, take_part, what, complain, neighbour in table_rows(match["table"]):
        assert what == NOT_CHECKED or what in raise_keys, f"{what!r} is not a need the phone offers ({sorted(raise_keys)})"
        choices[who] = Choice(take_part == "yes", raise_keys.get(what), complain == "yes", neighbour == "yes")
    return choices


def number(text: str) -> tuple[float, int]:
    """A figure as a number and how many decimals it was written with."""
    digits = text.strip().replace("+", "")
    return float(digits), len(digits.split(".")[1]) if "." in digits else 0


def test_the_second_plan_defines_a_rehearsal_and_on_screen_tables_for_every_act():
    assert REHEARSAL, "the second plan has no rehearsal command (python run.py workshop --scenario S --seed N --residents N --countdown 600)"
    people = script()
    assert list(people) == [f"p{k:02d}" for k in range(1, len(people) + 1)], "participants are numbered as they join: p01, p02, ..."
    assert {RECONNECTS[1], SILENT[1]} <= set(people)
    for act in range(1, 5):
        section = PLAN[PLAN.index(f"### Act {act}.") : PLAN.index(f"### Act {act + 1}.") if act < 4 else PLAN.index("### Close")]
        assert ON_SCREEN.search(section), f"the second plan's act {act} has no **On screen** table"
    labels = [label for label, _, _ in DEBRIEF_MEASURES]
    for block in BLOCKS:
        for row in block.rows:
            if block.debrief:
                assert row[0] in labels, f"{row[0]!r} is not a row of the debrief (sim/workshop/room.py: {labels})"
                assert len(row) == 1 + len(DEBRIEF_COLUMNS) and any(cell != NOT_CHECKED for cell in row[1:]), row
            else:
                assert row[0] == "the facilitator's" or row[0].removesuffix("'s phone") in people, f"{row[0]!r}: which page?"
    assert any(b.debrief for b in BLOCKS) and max(b.month for b in BLOCKS) == SILENT[0]


def test_every_figure_the_second_plan_quotes_is_checked_on_the_screen():
    checked = {cell for block in BLOCKS if block.debrief for row in block.rows for cell in row[1:] if cell != NOT_CHECKED}
    prose = ON_SCREEN.sub("", PLAN)
    prose = re.sub(r"^```.*?^```", "", prose, flags=re.MULTILINE | re.DOTALL)  # commands and what the terminal prints
    prose = re.sub(r"`[^`]*`", "", prose)
    quoted = set(FIGURE.findall(prose))
    assert quoted, "found no figures in the second plan's text: is the pattern still right?"
    unchecked = sorted(quoted - checked)
    assert unchecked == [], f"docs/workshop.md's second plan quotes figures no **On screen** table checks: {unchecked}"


def addresses(log: str) -> tuple[str, str]:
    """The join address (with the room code) and the facilitator's link, as the terminal prints them."""
    join = re.search(r"^Participants join at: (\S+) \(room code (\w+)\)$", log, re.MULTILINE)
    facilitator = re.search(r"^Facilitator's screen: (\S+) ", log, re.MULTILINE)
    assert join and facilitator, f"the workshop did not print its addresses:\n{log}"
    assert join[1].endswith(f"?room={join[2]}")
    return join[1], facilitator[1]


def pick(page: Page, radio: str) -> None:
    """Tap a radio button and wait until the page shows it chosen."""
    page.locator(radio).click()
    expect(page.locator(f"{radio} input")).to_be_checked()


def choose(page: Page, month: int, choice: Choice) -> None:
    """Answer this month's questions on a participant's page and send."""
    expect(page.get_by_text(f"Month {month}: your choices")).to_be_visible()
    pick(page, f".shs-take-part-{'yes' if choice.take_part else 'no'}")
    # What to raise is always on the page (nothing moves under a finger); it is used only by those who take part.
    if choice.take_part:
        pick(page, f".shs-raise-{choice.raise_key}")
    pick(page, f".shs-complain-{'yes' if choice.complain else 'no'}")
    pick(page, f".shs-neighbour-{'yes' if choice.neighbour else 'no'}")
    page.locator(".shs-send").click()
    expect(page.locator(".shs-chosen").or_(page.get_by_text(f"What happened in month {month}"))).to_be_visible()


def debrief_wrong(page: Page, month: int, block: Block) -> list[str]:
    """The debrief rows where the screen differs from the guide."""
    expect(page.get_by_text(f"What the people changed, after {month} months")).to_be_visible()
    wrong = []
    for measure, *quoted in block.rows:
        row = page.locator("table.shs-debrief tr").filter(has_text=f"{measure} (")
        expect(row).to_have_count(1)
        cells = row.locator("td").all_inner_texts()
        for column, index, value in zip(DEBRIEF_COLUMNS, DEBRIEF_CELLS, quoted, strict=True):
            if value == NOT_CHECKED:
                continue
            figure, places = number(value)
            if abs(number(cells[index])[0] - figure) > 0.5 * 10**-places + 1e-9:
                wrong.append(f"after month {month}, {measure}, {column}: the guide says {value}, the screen shows {cells[index]}")
    return wrong


def play(browser, server: AppServer, people: dict[str, Choice], contexts: list, record: Path) -> None:
    """Play the rehearsal: the facilitator's screen and a phone per participant (their contexts go in ``contexts``)."""
    join, facilitator_link = addresses(server.log())
    contexts.append(browser.new_context(viewport={"width": 1280, "height": 720}))
    block_internet(contexts[-1])
    screen = contexts[-1].new_page()
    screen.goto(facilitator_link)
    expect(screen.locator(".shs-open")).to_have_text("Open month 1", timeout=90_000)

    phones: dict[str, Page] = {}
    links: dict[str, str] = {}
    for who in people:  # one after another, so they join as p01, p02, ... and play the households the guide's figures are for
        contexts.append(browser.new_context(viewport={"width": 390, "height": 844}))
        block_internet(contexts[-1])
        phone = contexts[-1].new_page()
        phone.goto(join)
        phone.locator(".shs-join").click()
        expect(phone.locator(".shs-who")).to_contain_text(f"You are {who} in room")
        phones[who], links[who] = phone, phone.url
    expect(screen.get_by_text(f"{len(people)} joined")).to_be_visible()

    def page_of(name: str) -> Page:
        return screen if name == "the facilitator's" else phones[name.removesuffix("'s phone")]

    wrong: list[str] = []

    def check(month: int) -> None:
        for block in (b for b in BLOCKS if b.month == month):
            if block.debrief:
                if not screen.locator("table.shs-debrief").is_visible():
                    screen.locator(".shs-debrief-button").click()
                wrong.extend(debrief_wrong(screen, month, block))
                continue
            for name, shows in block.rows:
                expect(page_of(name).locator(".shs-workshop").first).to_contain_text(shows)

    check(0)
    months = SILENT[0]
    for month in range(1, months + 1):
        screen.locator(".shs-open").click()
        expect(screen.locator(".shs-run-now")).to_be_visible()
        for who, choice in people.items():
            if (month, who) == SILENT:
                continue
            if (month, who) == RECONNECTS:  # the phone's page is lost; its link brings back the same household
                context = phones[who].context
                phones[who].close()
                phones[who] = context.new_page()
                phones[who].goto(links[who])
                expect(phones[who].locator(".shs-who")).to_contain_text(f"You are {who} in room", timeout=90_000)
            choose(phones[who], month, choice)
        if month == SILENT[0]:
            expect(screen.get_by_text(f"{len(people)} joined, {len(people) - 1} chosen")).to_be_visible()
            screen.locator(".shs-run-now").click()
        expect(screen.locator(".shs-open")).to_have_text(f"Open month {month + 1}")
        for phone in phones.values():
            expect(phone.get_by_text(f"What happened in month {month}")).to_be_visible()
        check(month)
        if month == SWITCH_AFTER:
            screen.locator(f".shs-policy-{SWITCH_TO}").click()
            expect(screen.locator(".shs-policy")).to_have_text(f"Landlord's policy: {SWITCH_TO.replace('_', '-').capitalize()}")
    assert wrong == [], "docs/workshop.md's second plan and the app disagree:\n" + "\n".join(wrong)

    # The research record, as the plan's close describes it, is written after each month: wait for the last.
    choices_file = record / "choices.parquet"

    def complete() -> bool:
        return choices_file.exists() and len(pd.read_parquet(choices_file)) == len(people) * months

    wait_until(complete, f"the record's {len(people) * months} choices", 60)
    wait_until(lambda: json.loads((record / "session.json").read_text())["months_run"] == months, "session.json after the last month", 60)


def test_the_rehearsal_shows_what_the_guide_says(browser, tmp_path):
    people = script()
    record = tmp_path / "record"
    command = ("workshop", "--record", str(record), "--countdown", "600", "--scenario", REHEARSAL["scenario"],
               "--seed", REHEARSAL["seed"], "--residents", REHEARSAL["residents"])
    with AppServer(tmp_path / "server.log", command=command) as server:
        contexts: list = []
        try:
            play(browser, server, people, contexts, record)
        finally:
            for context in contexts:
                context.close()
        log = server.log()
    months = SILENT[0]
    code = re.search(r"room code (\w+)", log)[1]
    session = (record / "session.json").read_text()
    assert code not in session, "the record must not hold the room code"
    assert [p["id"] for p in json.loads(session)["participants"]] == list(people)
    choices = pd.read_parquet(record / "choices.parquet")
    assert len(choices) == len(people) * months
    unanswered = choices[~choices["answered"]]
    assert [(int(r.month), r.participant) for r in unanswered.itertuples()] == [SILENT]
    for row in choices[choices["answered"]].itertuples():  # what the pages sent is the script, so the figures are the script's
        made = people[row.participant]
        sent = Choice(bool(row.take_part), None if pd.isna(row.raise_domain) else str(int(row.raise_domain)), bool(row.complain),
                      bool(row.call_on_neighbour))
        assert sent == made, f"month {row.month}, {row.participant}: the page sent {sent}, the script says {made}"
    outcomes = pd.read_parquet(record / "outcomes.parquet")
    session_months = outcomes[outcomes["world"] == "with people"].drop(columns="world").reset_index(drop=True)
    replayed = replay(record)
    assert list(replayed["month"]) == list(range(1, months + 1))
    np.testing.assert_allclose(replayed[session_months.columns].to_numpy(float), session_months.to_numpy(float), rtol=0, atol=1e-12)
    assert ASSET_FETCH_FAILED not in log, log
    assert "Traceback" not in log, log
