"""The app gives back what a browser session held once its page is closed (issue 14, item 11).

The measurement itself (resident memory over 40 sessions) is a benchmark,
``experiments/viz_memory.py``, not a test: memory figures depend on the
machine and its load. These tests check the cause instead: every session
the server built is freed (Python drops its models and pictures) once its
page is gone, whether the page said it closed or simply vanished, also while
it was playing.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterator

import pytest

from sim.viz import census, memory
from sim.viz.browser import AppServer, block_internet
from sim.viz.presets import load_presets
from sim.viz.session import Session, Settings
from tests import waiting

SESSIONS = 8
WAIT = 300.0  # seconds: an upper bound on a loaded machine, never a pause (the tests poll for the state)
LIVE = re.compile(r"a session was (opened|released) \(live sessions: (\d+)\)")


def wait_for(condition, what: str, timeout: float = WAIT) -> None:
    waiting.wait_until(condition, what, timeout)


def test_a_session_is_counted_until_it_is_freed():
    before = census.live()
    session = Session(load_presets(), Settings("paternalistic", "paternalistic", residents=50))
    session.step()
    assert census.live() == before + 1
    del session
    gc.collect()
    assert census.live() == before


def test_the_trimmer_trims_once_a_burst_of_releases_is_over():
    trimmer = memory.Trimmer(quiet=0.05)
    for _ in range(5):
        trimmer.soon()
    wait_for(lambda: trimmer.trims >= 1, "a trim", timeout=30)
    assert trimmer.trims == 1  # one trim for the burst
    assert isinstance(memory.trim(), bool)


def test_the_trimmer_runs_its_before_step_then_trims():
    dropped: list[int] = []
    trimmer = memory.Trimmer(quiet=0.05, before=lambda: dropped.append(trimmer.trims))
    trimmer.soon()
    wait_for(lambda: trimmer.trims >= 1, "a trim", timeout=30)
    assert dropped == [0]  # before the trim


def test_fonts_cached_for_finished_drawing_threads_are_dropped():
    """matplotlib caches a font per drawing thread (its _get_font): Solara draws each page in threads of its own."""
    from matplotlib import font_manager

    from sim.viz.figures import forget_fonts
    from sim.viz.server import warm_up

    forget_fonts()
    thread = threading.Thread(target=warm_up)  # draws each picture of a small session once
    thread.start()
    thread.join()
    assert font_manager._get_font.cache_info().currsize >= 1  # the finished thread's fonts are still cached
    assert forget_fonts() >= 1
    assert font_manager._get_font.cache_info().currsize == 0


def test_warm_up_leaves_no_session_live():
    from sim.viz.server import warm_up

    before = census.live()
    assert warm_up() > 0
    assert census.live() == before


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[AppServer]:
    """The app with a short wait for pages that vanish without saying so (Solara's cull timeout), so every session goes within the test."""
    with AppServer(tmp_path_factory.mktemp("viz-memory") / "server.log", environment={"SOLARA_KERNEL_CULL_TIMEOUT": "5s"}) as app:
        yield app


def counts(log: str) -> tuple[int, int, int | None]:
    """Sessions opened and released so far, and the live count last reported."""
    events = LIVE.findall(log)
    opened = sum(1 for event, _ in events if event == "opened")
    released = sum(1 for event, _ in events if event == "released")
    return opened, released, int(events[-1][1]) if events else None


def test_every_session_is_released_after_its_page_closes(browser, server):
    """Eight pages, each side by side and a few months in, one closed while playing: afterwards the server holds none."""
    for i in range(SESSIONS):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        blocked = block_internet(context)
        page = context.new_page()
        page.set_default_timeout(WAIT * 1000)
        page.goto(f"{server.url}?preset=consultation&compare=co_production&residents=200&seed={i}")
        page.locator(".shs-month").filter(has_text="Month 0").wait_for()
        page.locator("img.shs-community-b").wait_for()
        page.locator(".shs-step").click()
        page.locator(".shs-month").filter(has_text="Month 1").wait_for()
        if i == SESSIONS - 1:  # closed while playing: the Play thread must not keep its session alive
            page.locator(".shs-play").click()
            page.locator(".shs-month").filter(has_text="Month 2").wait_for()
        page.close(run_before_unload=True)
        context.close()
        assert blocked == []
    wait_for(lambda: counts(server.log())[1] >= SESSIONS, f"{SESSIONS} sessions released; the server's log:\n{server.log()}")
    opened, released, live = counts(server.log())
    assert (opened, released, live) == (SESSIONS, SESSIONS, 0), server.log()
    assert "Traceback" not in server.log(), server.log()
