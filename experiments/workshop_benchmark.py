"""How long participants wait for a month's result in the live workshop (issue 15: under 2 s with 30 participants).

Starts ``python run.py workshop`` (offline, this machine), joins N participants in
Debian's Chromium (each a browser context at a phone's size), and runs M months.
In each month every participant but the last chooses; then each page is set to note
the moment it first shows "What happened in month m" (a MutationObserver, on the
browser's clock, which all pages share), and the last participant sends their choice.
The wait is from that click to the last page showing the result: the month run in
both worlds, the record written, and every page redrawn.

    python experiments/workshop_benchmark.py                 # 30 participants, 5 months
    python experiments/workshop_benchmark.py --participants 10 --months 3

Prints one line per month and the median and worst wait. The first month pays for
the pages' first redraw; the median is the figure to quote.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from sim.viz.browser import launch_chromium  # noqa: E402
from sim.workshop.crowd import Crowd, WorkshopServer  # noqa: E402

WATCH = """text => {
  window.__shown = null;
  const look = () => { if (window.__shown === null && document.body.innerText.includes(text)) window.__shown = Date.now(); };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
  look();
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--months", type=int, default=5)
    parser.add_argument("--residents", type=int, default=300)
    args = parser.parse_args()
    expect.set_options(timeout=120_000)
    with tempfile.TemporaryDirectory() as folder:
        options = ("--record", f"{folder}/record", "--countdown", "900", "--residents", str(args.residents))
        with WorkshopServer(Path(folder) / "server.log", options) as server, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            facilitator = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            facilitator.goto(server.facilitator_url)
            crowd = Crowd(browser, f"{server.join_url}?room={server.code}")
            crowd.join(args.participants, expect)
            waits = []
            for month in range(1, args.months + 1):
                facilitator.locator(".shs-open").click()
                for i in range(args.participants - 1):
                    crowd.choose(i, month, expect)
                last = crowd.seats[-1].page
                crowd.choose(args.participants - 1, month, expect, send=False)
                text = f"What happened in month {month}"
                for seat in crowd.seats:
                    seat.page.evaluate(WATCH, text)
                clicked = last.evaluate("() => Date.now()")
                last.locator(".shs-send").click()
                for seat in crowd.seats:
                    expect(seat.page.get_by_text(text, exact=True)).to_be_visible()
                shown = max(seat.page.evaluate("() => window.__shown") for seat in crowd.seats)
                waits.append((shown - clicked) / 1000)
                print(f"month {month}: last choice to every page showing the result: {waits[-1]:.2f} s ({args.participants} participants)", flush=True)
            crowd.close()
            browser.close()
    print(f"median {statistics.median(waits):.2f} s, worst {max(waits):.2f} s over {len(waits)} months")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
