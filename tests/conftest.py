"""Shared test configuration.

Property-based tests explore new random examples on every run on a
developer's machine, but in CI (``CI`` set) they are derandomised, so a
submission's result does not depend on luck; anything found locally is kept
as an explicit ``@example``.
"""

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium under Playwright, for a module of browser tests (they fail, never skip, without it)."""
    from playwright.sync_api import expect, sync_playwright

    from sim.viz.browser import launch_chromium

    # An expectation waits for a state; its time is an upper bound for a busy machine, not a pace to keep.
    expect.set_options(timeout=60_000)

    with sync_playwright() as playwright:
        try:
            chromium = launch_chromium(playwright)
        except RuntimeError as error:
            pytest.fail(str(error), pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator:
    """``python run.py viz`` on a free localhost port for a module of browser tests; afterwards its log must show no
    traceback and no page asset fetched from outside (everything is bundled locally)."""
    from sim.viz.browser import ASSET_FETCH_FAILED, AppServer

    with AppServer(tmp_path_factory.mktemp("viz") / "server.log") as server:
        yield server
        log = server.log()
    assert ASSET_FETCH_FAILED not in log, f"the server tried to fetch a page asset from outside (it must be bundled locally):\n{log}"
    assert "Traceback" not in log, log
