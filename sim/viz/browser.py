"""A real browser for the app's tests and benchmark: the server in a child process, Debian's Chromium, no internet.

:class:`AppServer` starts ``python run.py viz`` on a free localhost port,
waits until the page answers, and always stops it. :func:`launch_chromium`
starts the system's Chromium through Playwright (never a downloaded
browser: ``playwright install`` is not used). :func:`block_internet`
makes a browser context refuse, and record, every request to anything but
this machine, so a test proves the page needs nothing from the internet.

Playwright is a development dependency: it is imported only here, inside
the functions that need it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sim.viz.server import free_port, url

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SHS_CHROMIUM", "/usr/bin/chromium")
"""The browser the tests drive: Debian's ``chromium`` package (``.ci/run`` installs it); ``SHS_CHROMIUM`` overrides."""

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Belt and braces with block_internet(): no host name but this machine resolves at all.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
ASSET_FETCH_FAILED = "Could not load URL"
"""What Solara's server logs when a page asset is missing locally (it would have been fetched from a CDN)."""


class AppServer:
    """``python run.py viz`` (or another app command) on a free localhost port, for the length of a ``with`` block.

    Args:
        log: file for the server's output (read it with :meth:`log`).
        port: the port (default: a free one).
        timeout: seconds to wait for the page to answer.
        environment: variables to set for the server (over this process's), e.g. ``SOLARA_KERNEL_CULL_TIMEOUT``.
        command: the ``run.py`` command and its options (default: ``viz``; the live workshop: ``workshop`` and its options).
    """

    def __init__(self, log: Path, port: int | None = None, timeout: float = 90.0, environment: dict[str, str] | None = None,
                 command: tuple[str, ...] = ("viz",)):
        self.command = tuple(command)
        self.log_path = Path(log)
        self.environment = dict(environment or {})
        self.port = port or free_port()
        self.url = url("127.0.0.1", self.port)
        self.timeout = timeout
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> AppServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "run.py", *self.command, "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **self.environment},
            )  # fmt: skip
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _wait(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the app server exited with status {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"the app server did not answer at {self.url} within {self.timeout:.0f} s:\n{self.log()}")

    def stop(self) -> None:
        """Stop the server (and anything it started); safe to call twice."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def log(self) -> str:
        """The server's output so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, through Playwright; a RuntimeError saying what to install if it is missing."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM}: the browser tests drive Debian's chromium "
            "(install it with: apt-get install -y chromium; .ci/run does this) or set SHS_CHROMIUM to a Chromium binary. "
            "Never 'playwright install': it downloads a browser."
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))


def is_local(address: str) -> bool:
    """True for data/blob URLs and addresses on this machine."""
    parts = urlsplit(address)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in {h.strip("[]") for h in LOCAL_HOSTS}


def block_internet(context: Any) -> list[str]:
    """Make a Playwright browser context abort every request not to this machine; returns the list it records them in."""
    blocked: list[str] = []

    def handle(route: Any) -> None:
        address = route.request.url
        if is_local(address):
            route.continue_()
        else:
            blocked.append(address)
            route.abort("blockedbyclient")

    context.route("**/*", handle)
    return blocked
