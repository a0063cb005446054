"""``python run.py viz``: how the server is started (offline settings, localhost, clear errors)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sim.errors import UserError
from sim.viz import server

ROOT = Path(__file__).resolve().parents[1]


def test_the_server_never_reaches_the_internet_for_assets():
    env = server.environment({})
    assert env["SOLARA_ASSETS_PROXY"] == "True"
    assert env["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    args = server.arguments("127.0.0.1", 8765)
    assert args[0] == server.APP_MODULE
    for flag in ("--production", "--no-check-version", "--no-open"):
        assert flag in args
    assert args[args.index("--host") + 1] == "127.0.0.1" and args[args.index("--port") + 1] == "8765"


def test_the_page_assets_are_installed_locally():
    server.check_assets()  # raises if solara-assets is missing


def test_the_command_line_binds_to_localhost_by_default():
    from sim.cli import _parser

    args = _parser().parse_args(["viz"])
    assert (args.host, args.port, args.open) == ("127.0.0.1", 8765, False)


def test_a_busy_port_is_a_clear_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UserError, match=rf"cannot serve on 127.0.0.1:{port}.*accepted: a free port"):
            server.check_port("127.0.0.1", port)
        result = subprocess.run([sys.executable, "run.py", "viz", "--port", str(port)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: --port: cannot serve on") and "Traceback" not in result.stderr


def test_a_bad_port_or_host_is_a_clear_error():
    with pytest.raises(UserError, match="not a port"):
        server.check_port("127.0.0.1", 70000)
    with pytest.raises(UserError, match="not an address of this machine"):
        server.check_port("no-such-host.invalid", 8765)


def test_the_address_printed_is_what_a_browser_opens():
    assert server.url("127.0.0.1", 8765) == "http://127.0.0.1:8765/"
    assert server.url("::1", 9000) == "http://[::1]:9000/"
    assert 0 < server.free_port() < 65536


@pytest.mark.parametrize("argv", [["--host", "999.1.1.1", "--port", "0"], ["--host", "8.8.8.8"]])
def test_a_host_that_is_not_this_machines_is_blamed_not_the_port(argv):
    # 999.1.1.1 is no address (socket.gaierror, once a traceback with --port 0); 8.8.8.8 is another machine's (once "--port: cannot serve")
    result = subprocess.run([sys.executable, "run.py", "viz", *argv], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: --host: '{argv[1]}' is not an address of this machine"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    with pytest.raises(UserError, match="--host"):
        server.free_port(argv[1])


def test_ctrl_c_stops_the_server_without_a_traceback(tmp_path):
    """Ctrl-C is how the README and the workshop guide say to stop the app: it must end quietly, with status 0."""
    import os
    import signal

    from sim.viz.browser import AppServer

    with AppServer(tmp_path / "server.log", environment={"SHS_WARM_UP": "0"}) as server:
        process = server.process
        os.killpg(process.pid, signal.SIGINT)  # what a terminal sends its foreground process group
        status = process.wait(timeout=60)
        log = server.log()
    assert status == 0, log
    assert "Traceback" not in log and "Stopped." in log, log
