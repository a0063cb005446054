"""``python run.py workshop``: check the options, build the room, print where to go, and serve the pages."""

from __future__ import annotations

import argparse
import datetime
import socket
import sys
from pathlib import Path

from sim.errors import UserError
from sim.output import ensure_writable_folder

COUNTDOWN_RANGE = (5.0, 900.0)
RESIDENTS_RANGE = (20, 2000)
DEFAULT_SCENARIO = "consultation"


def add_command(commands: argparse._SubParsersAction) -> None:
    """The ``workshop`` command's options."""
    workshop = commands.add_parser(
        "workshop", help="start a live workshop: participants play households from their phones (works offline)",
        description="Start the live workshop's pages and print the join address (with a room code and QR code on the facilitator's screen), "
        "the facilitator's link and where the research record goes. Participants join on their phones; the facilitator opens each month, "
        "changes the policy and fires events between months, and shows the debrief.")
    workshop.add_argument("--scenario", default=DEFAULT_SCENARIO, help=f"a shipped scenario's name or a scenario file (default: {DEFAULT_SCENARIO})")
    workshop.add_argument("--residents", default="300", help=f"households in the community (default: 300; accepted: {RESIDENTS_RANGE[0]} to {RESIDENTS_RANGE[1]})")
    workshop.add_argument("--seed", default="1", help="the seed of the session (default: 1)")
    workshop.add_argument("--countdown", default="60", help="seconds participants have to choose each month (default: 60)")
    workshop.add_argument("--record", type=Path, help="folder for the research record (default: results/workshop-DATE-TIME)")
    workshop.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1, this machine only; 0.0.0.0 lets phones on the network join)")
    workshop.add_argument("--port", type=int, default=8766, help="port (default: 8766; 0 for any free port)")
    workshop.add_argument("--open", action="store_true", help="also open the facilitator's screen in a web browser")
    workshop.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Check, build and serve (until Ctrl-C)."""
    from sim import scenario as scenarios
    from sim.viz.server import serve

    path = scenarios.locate(args.scenario)
    config = scenarios.load(path)
    residents = _whole("--residents", args.residents, *RESIDENTS_RANGE)
    seed = _whole("--seed", args.seed, 0, 2**63 - 1)
    countdown = _number("--countdown", args.countdown, *COUNTDOWN_RANGE)
    folder = args.record or Path("results") / f"workshop-{datetime.datetime.now():%Y%m%d-%H%M%S}"
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(f"--record: {folder} already holds files or is a file (accepted: a new or empty folder, so no record is overwritten)")
    ensure_writable_folder(folder, "--record")

    def prepare(host: str, port: int) -> None:
        from sim.viz.presets import Preset
        from sim.viz.session import policy_levers
        from sim.workshop import room as rooms

        preset = Preset(path.stem, path, config.name, config.description, config)
        room = rooms.Room(config, path.read_text(encoding="utf-8"), residents=residents, seed=seed, countdown=countdown, folder=folder,
                          policy_levers=lambda name: policy_levers(preset, name, 1.0))
        room.join_url = f"http://{reachable_address(host)}:{port}/"
        rooms.install(room)
        local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        print(f"Live workshop: {config.name}, {residents} households, seed {seed} (Ctrl-C to stop)", flush=True)
        print(f"Participants join at: {room.join_url}?room={room.code} (room code {room.code})", flush=True)
        print(f"Facilitator's screen: http://{local}:{port}/facilitator?token={room.facilitator_token} (keep this link to yourself)", flush=True)
        print(f"Landlord team's screen (optional): http://{local}:{port}/landlord?token={room.landlord_token}", flush=True)
        print(f"Research record: {folder}", flush=True)
        if host in ("127.0.0.1", "localhost", "::1"):
            print("note: served on this machine only; phones can join with --host 0.0.0.0", flush=True)
        else:
            print(f"warning: serving on {host}: anyone on this network with the room code can join as a participant; "
                  "the facilitator's screen needs its link", file=sys.stderr, flush=True)

    return serve(args.host, args.port, args.open, module="sim.workshop.app", prepare=prepare)


def reachable_address(host: str) -> str:
    """The address phones use to reach a server bound to ``host``: this machine's address on its network for 0.0.0.0."""
    if host not in ("0.0.0.0", "::"):
        return f"[{host}]" if ":" in host else host
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            return str(probe.getsockname()[0])
    except OSError:
        return socket.gethostname()


def _whole(option: str, text: str, low: int, high: int) -> int:
    try:
        value = int(str(text).replace("_", ""))
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise UserError(f"{option}: {text!r} is not accepted (accepted: a whole number from {low} to {high})")
    return value


def _number(option: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise UserError(f"{option}: {text!r} is not accepted (accepted: a number of seconds from {low:g} to {high:g})")
    return value
