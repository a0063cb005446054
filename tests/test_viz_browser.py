"""The browser app in a real Chromium, with every request to anything but this machine blocked.

One server (``python run.py viz`` on a free localhost port) serves the whole
module; each test opens its own page, which Solara gives its own session.
Small communities (200-300 households) keep the module to well under a
minute. These tests never skip: without Chromium they fail and say how to
install it (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from sim.viz.browser import block_internet
from sim.viz.export import SLIDE_PIXELS
from sim.viz.figures import CommunityFigure
from sim.viz.presets import load_presets
from sim.viz.session import Session, Settings

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - a broken install, not a reason to skip
    pytest.fail("the browser tests need Playwright from PyPI: pip install -e '.[dev]' (never 'playwright install')", pytrace=False)

TIMEOUT = 30_000  # ms




@pytest.fixture
def page(browser, app) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1500, "height": 950}, accept_downloads=True)
    blocked = block_internet(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.app_url = app.url  # type: ignore[attr-defined]
    yield page
    context.close()
    assert blocked == [], f"the page asked for something outside this machine: {blocked}"
    assert errors == [], f"errors in the page: {errors}"


def open_app(page: Page, query: str = "residents=300") -> None:
    """Open the app and wait until it shows month 0."""
    page.goto(f"{page.app_url}?{query}")  # type: ignore[attr-defined]
    expect(page.locator(".shs-month")).to_have_text("Month 0", timeout=60_000)
    expect(page.locator("img.shs-community-a")).to_have_attribute("src", re.compile("^data:image/png;base64,"))


def month(page: Page) -> int:
    return int(page.locator(".shs-month").inner_text().split()[-1])


def src(page: Page, selector: str) -> str:
    return page.locator(selector).get_attribute("src") or ""


def choose(page: Page, select: str, option: str) -> None:
    """Pick ``option`` in the drop-down list with CSS class ``select``."""
    page.locator(f".{select}").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_the_page_loads_with_the_internet_blocked(page: Page):
    open_app(page)
    expect(page).to_have_title(re.compile("Social housing"))
    for selector in ("img.shs-community-a", "img.shs-survey", "img.shs-outcomes"):
        expect(page.locator(selector)).to_be_visible()
        box = page.locator(selector).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, selector
    expect(page.locator(".shs-policy-explanation")).to_contain_text("Paternalistic")
    expect(page.locator(".shs-colour-explanation")).to_contain_text("Blue: trusts the landlord")


def test_step_advances_the_time_and_redraws_the_network_and_plots(page: Page):
    open_app(page)
    before = {s: src(page, s) for s in ("img.shs-community-a", "img.shs-survey", "img.shs-outcomes")}
    page.locator(".shs-step").click()
    expect(page.locator(".shs-month")).to_have_text("Month 1")
    for selector, old in before.items():
        expect(page.locator(selector)).not_to_have_attribute("src", old)
    page.locator(".shs-step-year").click()
    expect(page.locator(".shs-month")).to_have_text("Month 13")
    expect(page.locator("img.shs-community-a")).to_have_attribute("alt", re.compile("at month 13"))
    expect(page.locator(".shs-tsm-tsm_satisfied")).to_have_text(re.compile(r"^\d+%$"))


def test_play_runs_months_until_paused(page: Page):
    open_app(page)
    page.locator(".shs-play").click()
    expect(page.locator(".shs-month")).to_have_text(re.compile(r"Month ([3-9]|\d\d+)$"))
    page.locator(".shs-play").click()  # now "Pause"
    expect(page.locator(".shs-play")).to_contain_text("Play")
    stopped = month(page)
    page.wait_for_timeout(1000)
    assert month(page) == stopped


def test_the_speed_control_slows_play_and_applies_while_playing(page: Page):
    """At "slow", months come at least a second apart (a lower bound: a busy machine only makes it slower); "fast" then speeds it up."""
    open_app(page)
    choose(page, "shs-speed", "Slow: 1 month a second")
    page.locator(".shs-play").click()
    expect(page.locator(".shs-month")).not_to_have_text("Month 0")
    first, started = month(page), time.monotonic()
    reached = "el => parseInt(el.textContent.trim().split(' ').pop()) >= %d"
    page.wait_for_function(f"() => ({reached % (first + 3)})(document.querySelector('.shs-month'))", timeout=TIMEOUT)
    # three months at least a second apart each; the first was seen up to one drawing late
    assert time.monotonic() - started >= 2.0
    choose(page, "shs-speed", "Fast: as fast as it draws")
    expect(page.locator(".shs-month")).to_have_text(re.compile(r"Month (1\d|[2-9]\d|\d{3})$"))  # on to month 10 and beyond
    page.locator(".shs-play").click()
    expect(page.locator(".shs-play")).to_contain_text("Play")


def test_side_by_side_shows_two_models_in_step(page: Page):
    open_app(page, "residents=250&preset=consultation")
    page.locator(".shs-step").click()
    expect(page.locator(".shs-month")).to_have_text("Month 1")
    page.locator(".shs-compare label").click()  # a second policy joins, caught up to month 1
    a, b = page.locator("img.shs-community-a"), page.locator("img.shs-community-b")
    expect(b).to_have_attribute("alt", re.compile(r"Community B \(Co-production\) at month 1:"))
    expect(a).to_have_attribute("alt", re.compile(r"Community A \(Consultation\) at month 1:"))
    expect(page.locator("img.shs-difference")).to_be_visible()
    before = (src(page, "img.shs-community-a"), src(page, "img.shs-community-b"), src(page, "img.shs-difference"))
    page.locator(".shs-step").click()
    page.locator(".shs-step").click()
    expect(page.locator(".shs-month")).to_have_text("Month 3")
    expect(a).to_have_attribute("alt", re.compile("at month 3:"))
    expect(b).to_have_attribute("alt", re.compile("at month 3:"))
    after = (src(page, "img.shs-community-a"), src(page, "img.shs-community-b"), src(page, "img.shs-difference"))
    assert all(x != y for x, y in zip(before, after, strict=True))
    expect(page.locator(".shs-tsm-tsm_listens")).to_have_text(re.compile(r"^A \d+% · B \d+%$"))
    expect(page.locator(".shs-run")).to_contain_text("A: Consultation · B: Co-production")
    assert_live_numbers_read_right(page)


def assert_live_numbers_read_right(page: Page) -> None:
    """The A and B numbers the guide reads out are on the screen, and "better/worse for B" follows each outcome's direction."""
    from sim import outcome_table
    from sim.viz.app import LIVE_NUMBERS

    expect(page.locator(".shs-live-numbers")).to_be_visible()
    for column in LIVE_NUMBERS:
        row = page.locator(f".shs-live-{column}")
        expect(row).to_contain_text(outcome_table.label(column))
        a, b = (float(re.sub(r"[£%]", "", row.locator(cell).inner_text())) for cell in (".shs-live-a", ".shs-live-b"))
        verdict = row.locator("td").nth(3).inner_text()
        if a == b:
            continue  # equal as shown: the unrounded values may still differ either way
        if verdict == "about the same":
            assert abs(b - a) <= 0.011 * (100 if "%" in row.locator(".shs-live-a").inner_text() or column == "cost" else 1), (column, a, b)
            continue
        better = outcome_table.better(column) * (b - a) > 0
        assert verdict.endswith("better for B" if better else "worse for B"), (column, a, b, verdict)
        assert ("▲" in verdict) == (b > a), (column, a, b, verdict)


def test_picking_a_preset_changes_the_parameters(page: Page):
    open_app(page)
    expect(page.locator(".shs-policy")).to_contain_text("Paternalistic")
    page.locator(".shs-step").click()
    expect(page.locator(".shs-month")).to_have_text("Month 1")
    choose(page, "shs-preset", "Co-production without outreach")
    expect(page.locator(".shs-run")).to_contain_text("Scenario: Co-production without outreach · Policy: Co-production")
    expect(page.locator(".shs-month")).to_have_text("Month 0")  # a preset loads afresh
    expect(page.locator(".shs-policy")).to_contain_text("Co-production")
    expect(page.locator(".shs-preset-description")).to_contain_text("nobody on the ground")
    expect(page.locator(".shs-policy-explanation")).to_contain_text("No outreach")


def test_a_seed_typed_in_the_box_is_used_after_reset(page: Page):
    open_app(page)
    expect(page.locator(".shs-run")).to_contain_text("seed 1")
    first = src(page, "img.shs-community-a")
    seed = page.locator(".shs-seed input")
    seed.fill("seven")
    seed.press("Enter")
    page.locator(".shs-reset").click()
    expect(page.locator(".shs-seed")).to_contain_text("not a whole number")
    expect(page.locator(".shs-run")).to_contain_text("seed 1")
    seed.fill("7")
    seed.press("Enter")
    expect(page.locator(".shs-pending")).to_contain_text("seed")
    page.locator(".shs-reset").click()
    expect(page.locator(".shs-run")).to_contain_text("seed 7")
    expect(page.locator(".shs-pending")).to_have_count(0)
    assert src(page, "img.shs-community-a") != first  # another community


def test_event_buttons_have_a_visible_effect(page: Page):
    open_app(page)
    expect(page.locator(".shs-budget")).to_contain_text("£110")
    page.locator(".shs-event-funding_cut").click()
    expect(page.locator(".shs-budget")).to_contain_text("£77")
    expect(page.locator(".shs-event-log")).to_contain_text("month 1: funding cut")
    before = src(page, "img.shs-community-a")
    page.locator(".shs-event-hub_opening").click()
    expect(page.locator(".shs-hub")).to_contain_text("open")
    expect(page.locator(".shs-event-hub_closure")).to_be_visible()
    expect(page.locator("img.shs-community-a")).not_to_have_attribute("src", before)  # the hub's star appears
    page.locator(".shs-event-safety_scandal").click()
    expect(page.locator(".shs-external-stigma")).to_contain_text("0.75")


def test_the_export_writes_a_png(page: Page, tmp_path: Path):
    open_app(page)
    page.locator(".shs-step").click()
    expect(page.locator(".shs-month")).to_have_text("Month 1")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export PNG for slides").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "community-paternalistic-paternalistic-month1-seed1.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as picture:
        assert picture.size == SLIDE_PIXELS


def test_clicking_a_household_shows_its_state(page: Page):
    open_app(page, "residents=200&seed=3")
    session = Session(load_presets(), Settings("paternalistic", "paternalistic", residents=200, seed=3))
    fx, fy = CommunityFigure(session.layout).where(42)  # the same community: the same layout
    image = page.locator("img.shs-community-a")
    box = image.bounding_box()
    assert box is not None
    image.click(position={"x": fx * box["width"], "y": fy * box["height"]})
    expect(page.locator(".shs-resident-title")).to_contain_text("Household 42")
    expect(page.locator(".shs-resident-table")).to_contain_text("Trust in the landlord")
    page.locator(".shs-resident input").fill("7")
    page.locator(".shs-resident input").press("Enter")
    expect(page.locator(".shs-resident-title")).to_contain_text("Household 7")


def test_colours_can_follow_another_outcome(page: Page):
    open_app(page)
    before = src(page, "img.shs-community-a")
    page.locator(".shs-colour").get_by_role("button", name="In work").click()
    expect(page.locator(".shs-colour-explanation")).to_contain_text("Blue: in work")
    expect(page.locator("img.shs-community-a")).not_to_have_attribute("src", before)


def test_from_a_thousand_households_the_pictures_show_blocks(page: Page):
    open_app(page, "residents=999&compare=co_production")
    for side in "ab":
        expect(page.locator(f"img.shs-community-{side}")).to_have_class(re.compile(r"\bshs-households\b"))
    open_app(page, "residents=1000&compare=co_production")
    for side in "ab":
        expect(page.locator(f"img.shs-community-{side}")).to_have_class(re.compile(r"\bshs-blocks\b"))
        expect(page.locator(f"img.shs-community-{side}")).to_have_attribute("alt", re.compile("each circle a block"))
    expect(page.locator(".shs-colour-explanation")).to_contain_text("each circle is a block of flats")
    page.locator(".shs-step").click()
    expect(page.locator(".shs-month")).to_have_text("Month 1")


def test_the_guard_would_catch_a_request_to_the_internet(browser, app):
    """The offline checks above are not vacuous: a request to a public address is caught and refused."""
    context = browser.new_context()
    blocked = block_internet(context)
    page = context.new_page()
    page.goto(app.url)
    failed = page.evaluate("fetch('https://cdn.jsdelivr.net/npm/requirejs@2.3.6/require.js').then(() => false, () => true)")
    context.close()
    assert failed
    assert blocked == ["https://cdn.jsdelivr.net/npm/requirejs@2.3.6/require.js"]
