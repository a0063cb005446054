"""The app as a facilitator uses it in front of a room: on a projector, on first load, with B set on its own.

Chromium opens the page at a projector's sizes (1280 x 720 and 1024 x 768)
and reads what a person would see: the size every piece of text is drawn at
(font size times any scaling on the way up, as Vuetify shrinks a field's
label when it floats), how wide the pictures are, whether Step and Play are
still there with the side panel hidden, the first-load panel, the key to
the colours, each side's calibration label, and B's own intensity.
"""

from __future__ import annotations

import re

import pytest

from sim.viz.browser import AppServer, block_internet

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - a broken install, not a reason to skip
    pytest.fail("the browser tests need Playwright from PyPI: pip install -e '.[dev]' (never 'playwright install')", pytrace=False)

TIMEOUT = 30_000  # ms
SIDE_BY_SIDE = "preset=co_production&compare=paternalistic&residents=300&seed=1"

SMALLEST_TEXT_PX = 14.0
"""Issue 14: every on-screen text at least 14 px at 1280 x 720 and 1024 x 768."""

SMALLEST_COMMUNITY_PX = 340
"""How wide each community picture is shown at least, side by side with the side panel open (its figure text is sized for it)."""

SMALLEST_CHART_PX = 660
"""How wide the charts are shown at least (their figure text is sized for it)."""

TEXT_SIZES = """
() => {
  const small = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || seen.has(el) || el.closest('style, script, noscript')) continue;
    seen.add(el);
    const range = document.createRange();
    range.selectNodeContents(node);
    if (![...range.getClientRects()].some(r => r.width > 0 && r.height > 0)) continue;  // not drawn
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || parseFloat(style.opacity) === 0) continue;
    let scale = 1;  // a scaling transform on the element or above it draws the text smaller than its font size
    for (let e = el; e; e = e.parentElement) {
      const m = getComputedStyle(e).transform.match(/matrix\\(([^,]+),\\s*([^,]+)/);
      if (m) scale *= Math.hypot(parseFloat(m[1]), parseFloat(m[2]));
    }
    small.push({text: node.textContent.trim().slice(0, 60), px: parseFloat(style.fontSize) * scale});
  }
  return small;
}
"""




def open_page(browser, app: AppServer, query: str, width: int = 1280, height: int = 720) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height})
    block_internet(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{app.url}?{query}")
    expect(page.locator(".shs-month")).to_have_text("Month 0", timeout=60_000)
    expect(page.locator("img.shs-community-a")).to_have_attribute("src", re.compile("^data:image/png;base64,"))
    return page


def step_to(page: Page, month: int) -> None:
    page.locator(".shs-step").click()
    expect(page.locator(".shs-month")).to_have_text(f"Month {month}", timeout=TIMEOUT)


def width(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["width"]


@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)], ids=["1280x720", "1024x768"])
@pytest.mark.parametrize("query", [SIDE_BY_SIDE, "preset=paternalistic&residents=300"], ids=["side-by-side", "one-policy"])
def test_every_text_is_at_least_14_px_on_a_projector(browser, app, size, query):
    page = open_page(browser, app, query, *size)
    step_to(page, 1)
    page.locator("text=What the words mean").click()  # the glossary's text too
    expect(page.locator(".shs-glossary")).to_be_visible()
    texts = page.evaluate(TEXT_SIZES)
    assert len(texts) > 50, f"the scan found only {len(texts)} texts: it is not reading the page"
    small = [t for t in texts if t["px"] < SMALLEST_TEXT_PX - 0.05]
    assert small == [], f"text smaller than {SMALLEST_TEXT_PX:g} px at {size[0]}x{size[1]}: {small[:10]}"
    page.context.close()


def test_the_pictures_are_wide_enough_for_their_text_at_1024_with_the_side_panel_open(browser, app):
    page = open_page(browser, app, SIDE_BY_SIDE, 1024, 768)
    step_to(page, 1)
    for side in "ab":
        assert width(page, f"img.shs-community-{side}") >= SMALLEST_COMMUNITY_PX, side
    assert width(page, "img.shs-difference") >= SMALLEST_CHART_PX
    page.context.close()


def test_with_the_side_panel_hidden_the_pictures_fill_the_screen_and_the_run_controls_stay(browser, app):
    page = open_page(browser, app, SIDE_BY_SIDE, 1280, 720)
    page.locator(".shs-intro-close").click()
    before = width(page, "img.shs-community-a")
    page.locator(".v-app-bar .v-app-bar__nav-icon, .v-app-bar button").first.click()  # the ☰ that hides the side panel
    expect(page.locator(".shs-preset")).not_to_be_in_viewport(timeout=TIMEOUT)
    page.wait_for_function(f"document.querySelector('img.shs-community-a').getBoundingClientRect().width > {before + 50}")
    pictures = width(page, "img.shs-community-a") + width(page, "img.shs-community-b")
    assert pictures >= 0.75 * 1280, f"the two pictures take {pictures:.0f} of 1280 px"
    # The run bar is still there and works.
    step_to(page, 1)
    page.locator(".shs-play").click()
    expect(page.locator(".shs-busy")).to_contain_text("months a second", timeout=TIMEOUT)  # the busy state, with the pace measured
    page.locator(".shs-play").click()
    expect(page.locator(".shs-play")).to_contain_text("Play", timeout=TIMEOUT)  # answered after at most one picture
    expect(page.locator(".shs-busy")).to_have_count(0)
    page.context.close()


def test_first_load_says_what_this_is_what_to_press_and_whether_it_is_calibrated(browser, app):
    page = open_page(browser, app, SIDE_BY_SIDE)
    intro = page.locator(".shs-intro")
    expect(intro).to_contain_text("What this is")
    expect(intro).to_contain_text("Step")
    page.locator(".shs-intro-close").click()
    expect(intro).to_have_count(0)
    expect(page.locator(".shs-badge-a")).to_have_text("Simulated, not calibrated")
    expect(page.locator(".shs-badge-b")).to_have_text("Simulated, not calibrated")
    page.locator("text=What the words mean").click()
    glossary = page.locator(".shs-glossary")
    for term in ("TP06", "Bridging ties", "Linking ties", "Arnstein's ladder"):
        expect(glossary).to_contain_text(term)
    page.context.close()

    page = open_page(browser, app, "preset=england_baseline&compare=co_production&residents=300")
    expect(page.locator(".shs-badge-a")).to_have_text("Calibrated to England 2023/24")
    expect(page.locator(".shs-badge-b")).to_contain_text("as designed, not observed")
    page.context.close()


def test_the_key_follows_the_colours_and_names_every_kind_of_tie(browser, app):
    page = open_page(browser, app, SIDE_BY_SIDE)
    key = page.locator(".shs-key")
    expect(key).to_contain_text("Colour: trust in the landlord")
    expect(key).to_contain_text("0: no trust")
    expect(key.locator(".shs-key-bar")).to_be_visible()
    for kind in ("bonding", "bridging", "linking"):
        expect(key).to_contain_text(f"({kind})")
    page.locator(".shs-colour button", has_text="Taking part").click()
    expect(key).to_contain_text("Colour: taking part")
    expect(key).to_contain_text("Contacted by outreach only")
    expect(key.locator(".shs-key-bar")).to_have_count(0)
    page.context.close()


def test_policy_b_runs_at_its_own_intensity(browser, app):
    page = open_page(browser, app, "preset=co_production&compare=co_design&intensity=0.5&intensity_b=1&residents=300")
    expect(page.locator(".shs-caption").first).to_contain_text("A: Co-production at 50%")
    expect(page.locator(".shs-caption").nth(1)).to_contain_text("B: Co-design at 100%")
    expect(page.locator(".shs-policy-b-explanation")).to_contain_text("Invites 20% of households")
    step_to(page, 1)
    # Moving B's slider changes B at once (rerun to this month), and leaves A alone.
    slider = page.locator(".shs-intensity-b .v-slider")
    slider.click(position={"x": 2, "y": 5})  # the slider's left end: 0%
    expect(page.locator(".shs-caption").nth(1)).to_contain_text("B: Co-design at 0%")
    expect(page.locator(".shs-caption").first).to_contain_text("A: Co-production at 50%")
    expect(page.locator(".shs-month")).to_have_text("Month 1")
    expect(page.locator(".shs-policy-b-explanation")).to_contain_text("nobody is invited")
    page.context.close()
