"""Waiting for a state in tests: poll until it holds, with a time limit that is only an upper bound for a loaded machine."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

POLL = 0.2
"""Seconds between looks at the state."""


def wait_until(condition: Callable[[], bool], what: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Poll until ``condition`` holds; fail after ``timeout`` seconds, or at once if ``process`` ends first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended (status {process.returncode}) before {what}: {process.communicate()[1]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL)
