"""Serving the browser app (``python run.py viz``), offline.

The app runs under Solara's server (``solara run``, in this process, so
Ctrl-C or a terminate signal stops everything at once), bound to localhost
unless told otherwise. Nothing it serves comes from the internet: Solara's
page assets (the Vue/Vuetify application, fonts, require.js) are installed
locally by the ``solara-assets`` package and served by Solara's asset proxy
from disk. The settings below make that explicit and safe:

- ``SOLARA_ASSETS_PROXY=True``: the page loads its assets from this server
  (``/_solara/cdn/...``), never from a public CDN;
- ``SOLARA_ASSETS_CDN`` points at a closed local port, so if an asset were
  ever missing from the local bundle the server fails to fetch it at once
  (and logs "Could not load URL") rather than reaching out to jsdelivr.net;
  the browser tests fail on that log line, which is the point;
- ``SOLARA_TELEMETRY_MIXPANEL_ENABLE=False``: no usage telemetry;
- ``--production``: no development-mode check that loads a page from
  solara.dev; ``--no-check-version``: no version check against PyPI.

Memory: a page that closes tells the server (a "beacon"), and Solara
closes its kernel at once; every session's models and pictures are then
freed (:mod:`sim.viz.census` counts them, and the server prints the count),
and the C library's free memory is handed back to the system
(:mod:`sim.viz.memory`), after matplotlib's fonts cached for the threads
that drew them are dropped (:func:`sim.viz.figures.forget_fonts`). A beacon can be lost (a browser that crashes or
quits, a device that goes to sleep off the network; headless Chromium loses
about one in three): Solara then keeps the kernel for the page to reconnect,
by default for 24 hours. Here a page's kernel is kept for
:data:`KERNEL_CULL_TIMEOUT` after its connection is lost (long enough for a
break in a workshop; set ``SOLARA_KERNEL_CULL_TIMEOUT`` to change it), so
abandoned sessions cannot pile up over a day.

Warm-up: before it answers its first request, the server imports what a
page needs (the model, pandas, matplotlib, the app's figures) and builds one
small session side by side (50 households, one month) and draws each of its
pictures once, then frees it (:func:`warm_up`). This loads the modules,
matplotlib's font cache and the text and PNG machinery once, at start,
rather than while the first visitor waits; the server's memory at start
therefore includes them (about 30 MB; ``experiments/viz_memory.py`` measures
memory from a started, warmed server, and the first page's load time).
``SHS_WARM_UP=0`` turns it off (to measure the difference).

The app itself avoids Solara components that load extra libraries from the
asset proxy that the bundle lacks (``solara.Markdown`` loads KaTeX for
mathematics: the app renders its text with :func:`sim.viz.app.Prose`).
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import warnings
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path

from sim.errors import UserError

APP_MODULE = "sim.viz.app"

CLOSED_PORT_URL = "http://127.0.0.1:9/"
"""Where Solara would fetch a missing asset from: a closed local port (nothing is fetched)."""

OFFLINE_ENVIRONMENT: dict[str, str] = {
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_ASSETS_CDN": CLOSED_PORT_URL,
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "Social housing: participation, trust and stigma",
}
"""Solara settings of the server (see the module docstring); Solara reads them when first imported."""

KERNEL_CULL_TIMEOUT = "15m"
"""How long a page's session is kept after its connection is lost without the page saying it closed (Solara's default is 24h)."""

QUIET = "Cookies with samesite=none require https"
"""Start of a warning Solara gives for every page served over http on 127.0.0.1: it cannot
set cross-site cookies, which only matter when the app is embedded in another site's iframe."""

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ``base`` (default: this process's) with :data:`OFFLINE_ENVIRONMENT`."""
    env = dict(os.environ if base is None else base)
    env.update(OFFLINE_ENVIRONMENT)
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", KERNEL_CULL_TIMEOUT)
    return env


def arguments(host: str, port: int, open_browser: bool = False, module: str = APP_MODULE) -> list[str]:
    """The ``solara run`` arguments for the app (``module``: the app's module)."""
    return [
        module, "--host", host, "--port", str(port),
        "--production", "--no-check-version", "--open" if open_browser else "--no-open",
    ]  # fmt: skip


def url(host: str, port: int) -> str:
    """The address a browser opens."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def check_assets() -> None:
    """Raise a UserError unless Solara's page assets are installed locally (package ``solara-assets``)."""
    advice = "(accepted: install the app's packages with pip install -e \".[viz]\")"
    try:
        files = metadata.files("solara-assets") or []
    except metadata.PackageNotFoundError:
        raise UserError(f"viz: the page assets are not installed, and the app never fetches them from the internet {advice}") from None
    bundle = [f for f in files if "solara-vuetify-app@" in str(f)]
    if not bundle or not Path(str(bundle[0].locate())).exists():
        raise UserError(f"viz: the page assets of solara-assets are missing on disk {advice}")


def free_port(host: str = "127.0.0.1") -> int:
    """A port on ``host`` that is free now (a UserError naming ``--host`` if ``host`` is not this machine's)."""
    return _probe(host, 0, reuse=False)


def check_port(host: str, port: int) -> None:
    """Raise a UserError unless ``host``:``port`` can be served on."""
    if not 0 <= port <= 65535:
        raise UserError(f"--port: {port} is not a port (accepted: 1 to 65535, or 0 for any free port)")
    _probe(host, port, reuse=True)  # reuse: as the server will


def _probe(host: str, port: int, reuse: bool) -> int:
    """Bind a throw-away socket to ``host``:``port`` and return the port bound; a UserError that blames the right option if that fails."""
    bad_host = f"--host: {host!r} is not an address of this machine (accepted: 127.0.0.1, or 0.0.0.0 to serve the network)"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            if reuse:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            return int(probe.getsockname()[1])
    except socket.gaierror:  # not an address at all (999.1.1.1, a misspelt name)
        raise UserError(bad_host) from None
    except OSError as error:
        if error.errno == errno.EADDRNOTAVAIL:  # a real address but another machine's (8.8.8.8): no port would help
            raise UserError(bad_host) from None
        raise UserError(f"--port: cannot serve on {host}:{port}: {error.strerror or error} (accepted: a free port, e.g. --port {port + 1}, or --port 0)") from None


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, *, module: str = APP_MODULE,
          prepare: Callable[[str, int], None] | None = None) -> int:
    """Start the app in this process and serve until stopped (Ctrl-C or a terminate signal); returns 0.

    ``module`` is the app's module; ``prepare(host, port)``, if given, runs once the port is known and
    before Solara starts, and says what to open (the live workshop builds its room there).
    """
    check_assets()
    if port == 0:
        port = free_port(host)
    check_port(host, port)
    if "solara" in sys.modules:
        raise RuntimeError("serve() must run before Solara is imported: Solara reads its settings on import")
    os.environ.update(environment())
    warnings.filterwarnings("ignore", message=QUIET, category=UserWarning)
    if prepare is None:
        print(f"Social housing app: open {url(host, port)} in a browser (Ctrl-C to stop)", flush=True)
        if host not in LOOPBACK:
            print(f"warning: serving on {host}: anyone who can reach this machine can use the app (it has no login)", file=sys.stderr, flush=True)
    else:
        prepare(host, port)
    if os.environ.get(WARM_UP_VARIABLE, "1") != "0":
        warm_up()
    _watch_memory()
    from click.exceptions import Abort
    from solara.__main__ import run

    try:
        run.main(args=arguments(host, port, open_browser, module), prog_name="solara run", standalone_mode=False)
    except (Abort, KeyboardInterrupt):  # Ctrl-C reaching the server while it starts or serves: a normal stop
        print("Stopped.", flush=True)
    return 0


WARM_UP_VARIABLE = "SHS_WARM_UP"
"""Set to 0 to start the server without :func:`warm_up`."""


def warm_up() -> float:
    """Import, build and draw once what the first page needs, then free it (see the module docstring); seconds taken.

    The session is built before the server counts sessions (:func:`_watch_memory`), so it is never reported.
    """
    import gc
    import time

    began = time.perf_counter()
    from sim.policies import POLICIES
    from sim.viz.colours import DEFAULT_SCHEME, SCHEMES
    from sim.viz.figures import CommunityFigure, DifferenceFigure, OutcomesFigure, SurveyFigure
    from sim.viz.presets import load_presets
    from sim.viz.reform import in_reform_order
    from sim.viz.session import Session, Settings

    presets = load_presets()
    preset = next(iter(presets.values()))
    other = next(p for p in sorted(POLICIES) if p != preset.policy)
    session = Session(presets, Settings(preset.key, preset.policy, residents=50, compare=other))
    session.step(1)
    frames, markers = session.frames(), session.markers()
    community = CommunityFigure(session.layout)
    for model in session.models:
        community.render(model, SCHEMES[DEFAULT_SCHEME])
    SurveyFigure(session.planned_months).render(frames[0], markers)
    OutcomesFigure(session.planned_months).render(frames[0], markers)
    DifferenceFigure(session.planned_months).render(*in_reform_order(frames, session.settings.policy, other), markers)
    del session, community, frames, markers
    gc.collect()
    return time.perf_counter() - began


def _watch_memory() -> None:
    """Print each session opened and released, and give memory back to the system after releases (see the module docstring)."""
    from sim.viz import census, memory
    from sim.viz.figures import forget_fonts

    memory.limit_arenas()  # before Solara starts its threads
    trimmer = memory.Trimmer(before=forget_fonts)  # matplotlib's fonts are cached per drawing thread: see forget_fonts

    def report(event: str, live: int) -> None:
        print(f"app: a session was {event} (live sessions: {live})", flush=True)
        if event == "released":
            trimmer.soon()

    census.listen(report)
    memory.Tracer.from_environment(os.environ)
