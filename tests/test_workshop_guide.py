"""docs/workshop.md against the screen: every figure the guide quotes is found where it says, in a real Chromium.

The guide ends each act with an **On screen** table: a link, and rows of
month, the name a figure has on the screen (a survey card or a row of the
table under the cards), and what A and B show. This test opens each link at a
projector's size, steps to each month with the buttons a facilitator
presses (Step a year, Step), presses the event the table names, reads the
screen, and compares it with the guide at the guide's own precision (the
guide's "27%" matches 27.3% or 26.5% on the screen, its "5.5%" only 5.5%). It also
checks that every figure the guide's text quotes (a share in percent or an
index such as 0.42) is one of the checked figures, so the text cannot quote
a number no test looks at. It reads the guide's first plan only: the second
(the live workshop) is tests/test_workshop_live_guide.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim import outcome_table
from sim.viz.browser import block_internet
from sim.viz.session import EVENT_BUTTONS

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - a broken install, not a reason to skip
    pytest.fail("the browser tests need Playwright from PyPI: pip install -e '.[dev]' (never 'playwright install')", pytrace=False)

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "workshop.md"
SECOND_PLAN = "\n## Second plan:"
"""Where the first plan ends: the second (the live workshop) has its own test, tests/test_workshop_live_guide.py."""
NOT_CHECKED = "–"
"""A cell the guide leaves empty (one policy, or a side the text does not quote)."""

BLOCK = re.compile(
    r"^\*\*On screen\*\* \(`\?(?P<query>[^`]+)`(?:, pressing \*\*(?P<event>[^*]+)\*\* at month (?P<at>\d+))?\):\n\n"
    r"(?P<table>(?:\|.*\n)+)",
    re.MULTILINE,
)
FIGURE = re.compile(r"(?<![\w.£-])(?:\d+(?:\.\d+)?%|0\.\d{2,3})(?![\w%])")
"""A figure in the text: a share in percent (27%, 5.5%) or an index (0.42)."""

CHECKED_TEXT = re.compile(r"^### Act [1-5]\..*?(?=^### Act 6\.)|^## Which presets make which point.*?(?=^## )", re.MULTILINE | re.DOTALL)
"""The parts of the guide whose text quotes figures: acts 1 to 5 and the table of presets (act 6 quotes settings, not figures)."""


@dataclass(frozen=True)
class Row:
    month: int
    what: str
    a: str
    b: str


@dataclass(frozen=True)
class Block:
    query: str
    event: str | None
    at: int | None
    rows: tuple[Row, ...]


def blocks(text: str) -> list[Block]:
    found = []
    for match in BLOCK.finditer(text):
        lines = [line.strip().strip("|").split("|") for line in match["table"].strip().splitlines()]
        rows = tuple(Row(int(cells[0]), cells[1].strip(), cells[2].strip(), cells[3].strip()) for cells in (line for line in lines[2:]))
        found.append(Block(match["query"], match["event"], int(match["at"]) if match["at"] else None, rows))
    return found


def first_plan() -> str:
    """The guide's first plan (this test's part of docs/workshop.md)."""
    text = GUIDE.read_text(encoding="utf-8")
    return text.split(SECOND_PLAN, 1)[0]


BLOCKS = blocks(first_plan())


def test_the_guide_has_an_on_screen_table_for_every_act_that_quotes_figures():
    text = first_plan()
    for act in range(1, 6):
        section = text[text.index(f"### Act {act}.") : text.index(f"### Act {act + 1}.")]
        assert blocks(section), f"act {act} has no **On screen** table"
    assert len(BLOCKS) >= 8
    for block in BLOCKS:
        for row in block.rows:
            assert row.a != NOT_CHECKED or row.b != NOT_CHECKED, row
            column(row.what)  # every name is one the screen shows


def test_every_figure_the_text_quotes_is_checked_on_the_screen():
    text = first_plan()
    checked = {value for block in BLOCKS for row in block.rows for value in (row.a, row.b) if value != NOT_CHECKED}
    prose = "".join(CHECKED_TEXT.findall(BLOCK.sub("", text)))
    prose = re.sub(r"`[^`]*`", "", prose)  # links and commands
    quoted = set(FIGURE.findall(prose))
    assert quoted, "found no figures in the guide's text: is the pattern still right?"
    unchecked = sorted(quoted - checked)
    assert unchecked == [], f"docs/workshop.md quotes figures no **On screen** table checks: {unchecked}"


def column(what: str) -> str:
    """The outcome column whose on-screen name is ``what``."""
    matches = [c for c, row in outcome_table.TABLE.items() if row.label == what]
    assert matches, f"docs/workshop.md names {what!r}, which is not a name the screen uses (sim/outcome_table.py)"
    return matches[0]


def number(text: str) -> tuple[float, int]:
    """A figure as a number and how many decimals it was written with."""
    digits = re.sub(r"[£%\s]", "", text)
    return float(digits), len(digits.split(".")[1]) if "." in digits else 0


def shown(page: Page, what: str, side: str) -> str:
    """What the screen shows for ``what`` on ``side`` ('a' or 'b')."""
    name = column(what)
    if name.startswith("tsm_"):
        card = page.locator(f".shs-tsm-{name}").inner_text()
        values = re.findall(r"\d+(?:\.\d+)?%", card)
        return values["ab".index(side)] if len(values) == 2 else values[0]
    return page.locator(f".shs-live-{name} .shs-live-{side}").inner_text()




def go_to(page: Page, now: int, month: int) -> int:
    """Step from month ``now`` to ``month`` as a facilitator would: a year at a time, then month by month."""
    while now < month:
        button, months = (".shs-step-year", 12) if month - now >= 12 else (".shs-step", 1)
        page.locator(button).click()
        now += months
        expect(page.locator(".shs-month")).to_have_text(f"Month {now}")
    # The page's parts arrive separately: wait until the survey cards and the table are this month's too.
    expect(page.locator(".shs-survey-cards")).to_contain_text(f"The survey at month {now}")
    expect(page.locator(".shs-live-numbers th").first).to_have_text(f"Month {now}")
    return now


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{b.query}{'+' + b.event if b.event else ''}" for b in BLOCKS])
def test_the_screen_shows_what_the_guide_says(browser, app, block: Block):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    block_internet(context)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app.url}?{block.query}")
    expect(page.locator(".shs-month")).to_have_text("Month 0", timeout=90_000)
    now = 0
    wrong = []
    months = sorted({row.month for row in block.rows} | ({block.at} if block.at is not None else set()))
    for month in months:
        now = go_to(page, now, month)
        for row in (r for r in block.rows if r.month == month):
            for side, quoted in (("a", row.a), ("b", row.b)):
                if quoted == NOT_CHECKED:
                    continue
                value, places = number(quoted)
                on_screen = shown(page, row.what, side)
                if abs(number(on_screen)[0] - value) > 0.5 * 10**-places + 1e-9:  # the guide's figure is the screen's, rounded
                    wrong.append(f"month {month}, {row.what}, {side.upper()}: the guide says {quoted}, the screen shows {on_screen}")
        if month == block.at:
            kind = next(k for k, label in EVENT_BUTTONS.items() if label == block.event)
            page.locator(f".shs-event-{kind}").click()
            expect(page.locator(".shs-event-log")).to_contain_text(f"month {month + 1}")
    context.close()
    assert wrong == [], f"docs/workshop.md and the app disagree for ?{block.query}:\n" + "\n".join(wrong)
