"""Browser benchmark: how long a Step takes to show, with the network and plots redrawn.

    python experiments/viz_benchmark.py                       # 500 and 2,000 households, co-production and paternalistic
    python experiments/viz_benchmark.py --compare paternalistic   # side by side: each preset's policy against paternalistic
    python experiments/viz_benchmark.py --residents 1000 --steps 40 --json results/viz_bench.json

Starts the app (``python run.py viz`` on a free localhost port) and Debian's
Chromium (internet blocked, as in the tests), opens the page, and clicks
Step again and again. Each timing runs in the page, from the click to the
moment the month label shows the new month and the new community picture
and outcome plot are decoded and ready to paint (``img.decode()``), so it
includes the model's step, the server's drawing, the transfer and the
browser's work. Reports the median and 90th percentile per scenario after
a few warm-up steps. Co-production is the heavy case: its workshops build
thousands of ties to draw. Then, per scenario, it presses Play at the
fastest speed and times Pause: from the click to the button reading Play
again (``--pause-trials``; issue 14 asks for half a second).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.viz.browser import AppServer, block_internet, launch_chromium

STEP_AND_WAIT = """
async ([month, selectors]) => {
  const q = (s) => document.querySelector(s);
  const before = selectors.map((s) => q(s).src);
  const start = performance.now();
  q(".shs-step").click();
  for (;;) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const images = selectors.map(q), label = q(".shs-month");
    if (label && label.textContent.trim() === `Month ${month}` && images.every((img, i) => img && img.src !== before[i])) {
      await Promise.all(images.map((img) => img.decode()));
      return performance.now() - start;
    }
    if (performance.now() - start > 30000) throw new Error(`month ${month} not shown within 30 s`);
  }
}
"""

SINGLE = ("img.shs-community-a", "img.shs-outcomes")
SIDE_BY_SIDE = ("img.shs-community-a", "img.shs-community-b", "img.shs-difference")
"""The pictures a step must redraw: one policy, and side by side."""


def measure(page, base_url: str, preset: str, residents: int, steps: int, warmup: int, compare: str | None = None) -> dict:
    """Milliseconds from clicking Step to the redrawn month, for ``steps`` steps after ``warmup``."""
    address = f"{base_url}?preset={preset}&residents={residents}&seed=1" + (f"&compare={compare}" if compare else "")
    selectors = list(SIDE_BY_SIDE if compare else SINGLE)
    page.goto(address)
    page.locator(".shs-month").filter(has_text="Month 0").wait_for(timeout=60_000)
    for selector in selectors:
        page.locator(selector).wait_for(timeout=60_000)
    times = [page.evaluate(STEP_AND_WAIT, [month, selectors]) for month in range(1, warmup + steps + 1)][warmup:]
    ordered = sorted(times)
    return {
        "preset": preset,
        "compare": compare,
        "residents": residents,
        "steps": steps,
        "months": f"{warmup + 1}-{warmup + steps}",
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 1),
        "max_ms": round(ordered[-1], 1),
    }


PAUSE_AND_WAIT = """
async () => {
  const q = (s) => document.querySelector(s);
  const start = performance.now();
  q(".shs-play").click();
  for (;;) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    if (q(".shs-play").textContent.includes("Play")) return performance.now() - start;
    if (performance.now() - start > 60000) throw new Error("Pause not answered within 60 s");
  }
}
"""


def measure_pause(page, base_url: str, preset: str, residents: int, trials: int, compare: str | None) -> dict:
    """Milliseconds from clicking Pause while playing (at "fast", the heaviest case) to the button reading Play again."""
    page.goto(f"{base_url}?preset={preset}&residents={residents}&seed=1" + (f"&compare={compare}" if compare else ""))
    page.locator(".shs-month").filter(has_text="Month 0").wait_for(timeout=60_000)
    page.locator(".shs-speed").click()
    page.get_by_role("option", name="Fast: as fast as it draws", exact=True).click()
    times = []
    for _ in range(trials):
        page.locator(".shs-play").click()
        page.locator(".shs-busy").filter(has_text="months a second").wait_for(timeout=60_000)  # playing, and a picture shown
        times.append(page.evaluate(PAUSE_AND_WAIT))
    ordered = sorted(times)
    return {"preset": preset, "compare": compare, "residents": residents, "trials": trials,
            "pause_median_ms": round(statistics.median(times), 1), "pause_max_ms": round(ordered[-1], 1)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, nargs="+", default=[500, 2000], help="community sizes to time")
    parser.add_argument("--steps", type=int, default=30, help="timed steps per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--presets", nargs="+", help="scenario presets (default: co-production and paternalistic; side by side, co-production and consultation)")
    parser.add_argument("--compare", help="a second policy: time side by side (each preset's policy as A, this as B)")
    parser.add_argument("--pause-trials", type=int, default=10, help="times to press Pause while playing, per scenario (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    # Side by side, a preset whose policy is the second policy would show no difference at all (a
    # difference chart that stays on zero is never redrawn), so the defaults differ from it.
    presets = args.presets or (["co_production", "consultation"] if args.compare else ["co_production", "paternalistic"])

    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as folder, AppServer(Path(folder) / "server.log") as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 950})
            blocked = block_internet(context)
            page = context.new_page()
            for residents in args.residents:
                for preset in presets:
                    result = measure(page, server.url, preset, residents, args.steps, args.warmup, args.compare)
                    results.append(result)
                    shown = f"{preset} vs {args.compare}" if args.compare else preset
                    print(f"{shown:>32}, {residents} households, months {result['months']}: "
                          f"step + redraw median {result['median_ms']:.0f} ms, 90th percentile {result['p90_ms']:.0f} ms, max {result['max_ms']:.0f} ms")  # fmt: skip
                    if args.pause_trials:
                        paused = measure_pause(page, server.url, preset, residents, args.pause_trials, args.compare)
                        result.update(paused)
                        print(f"{'':>32}  Pause while playing fast: answered in median {paused['pause_median_ms']:.0f} ms, max {paused['pause_max_ms']:.0f} ms")
            if blocked:
                print(f"warning: the page asked for outside addresses: {blocked}", file=sys.stderr)
        finally:
            browser.close()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(), "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
