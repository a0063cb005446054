"""Refuse, before starting, work this machine cannot hold: a model too big for its memory, a plan with too many runs, a huge input file.

Without these guards, ``community.residents = 50000000`` ends in a
MemoryError traceback after a minute, a grid of three levers of 10,000
levels tries to list 10^12 points, and ``check /dev/zero`` reads forever.
Each guard says in one sentence what it refused and how to proceed anyway.

Proceeding anyway is one environment variable, ``SHS_NO_SIZE_GUARD=1``,
rather than a ``--force-size`` option: the guards sit below the command
line (in :class:`sim.model.HousingModel`, the experiment readers and the
planner), so a variable reaches every command, the Python API and batch
worker processes alike without threading an option through each of them.

The memory model (peak resident memory of one model against its number of
households) is a straight line fitted to ``python experiments/benchmark.py``
(one fresh process per size; its maximum resident set size). Measured here
with ``--sizes 1000 10000 100000 300000 1000000 --steps 2 --burn-in 2
--reference-size 0`` (2-core Linux machine, 24 GB, Python 3.12), and with
the benchmark's default months for the README's speed table (2026-12-01)::

    households              1,000   10,000   100,000   300,000   1,000,000
    peak MB, measured here    149      162       294       563       1,540
    peak MB, README table     150      170       314         -       1,690
    peak MB, the model        152      166       305       615       1,700

    peak MB ~ 150 + 1.55 x (households / 1,000)

Least squares gives 149 + 1.39 per 1,000 on the first row and 154 + 1.54
on the second; the model takes the steeper slope, rounded up, so that it
errs towards refusing a little early rather than failing late.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from sim.errors import UserError

FORCE_VARIABLE = "SHS_NO_SIZE_GUARD"
"""Set to 1 to skip every guard here (a bigger machine, or a deliberate risk)."""

BASE_MB = 150.0
"""Peak memory of a tiny model: the interpreter with numpy, pandas, networkx and Mesa loaded."""
MB_PER_THOUSAND_HOUSEHOLDS = 1.55
"""Extra peak memory per 1,000 households (agents, state arrays, network ties, a month's collected data)."""

MAX_RUNS = 1_000_000
"""Most runs (scenarios x points x seeds) one plan may hold: each run is stored as a row and at least a second of work,
so a million is already days on a large machine; beyond it the plan alone needs gigabytes before the first run."""

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest scenario, experiment or calibration file read (10 MB); the shipped ones are a few kilobytes."""

PROCEED = f"or set {FORCE_VARIABLE}=1 to proceed anyway"


def forced() -> bool:
    """True when the user asked to skip the guards (``SHS_NO_SIZE_GUARD`` set to anything but empty or 0)."""
    return os.environ.get(FORCE_VARIABLE, "").strip() not in ("", "0")


# -- memory -------------------------------------------------------------------------


def estimate_mb(households: int) -> float:
    """Estimated peak memory (MB) of one model of ``households`` households (see the module's table)."""
    return BASE_MB + MB_PER_THOUSAND_HOUSEHOLDS * households / 1000


def available_mb() -> float | None:
    """Memory this machine can give a new process now (MB): MemAvailable, else physical memory; None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    try:  # not Linux: physical memory, an upper bound
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(households: int, where: str, copies: int = 1) -> None:
    """Refuse ``copies`` models of ``households`` at once (batch workers) if they would not fit in available memory.

    ``where`` names the file and key the number came from, e.g. ``scenarios/x.toml: community.residents``.
    """
    if forced():
        return
    available = available_mb()
    need = copies * estimate_mb(households)
    if available is None or need <= available:
        return
    fits = max(0, math.floor((available / copies - BASE_MB) / MB_PER_THOUSAND_HOUSEHOLDS * 1000))
    each = f" for each of {copies} workers" if copies > 1 else ""
    fewer = "fewer workers (--workers), " if copies > 1 else ""
    raise UserError(f"{where}: {households:,} households need about {need:,.0f} MB of memory{each} (estimated {BASE_MB:.0f} MB + "
                    f"{MB_PER_THOUSAND_HOUSEHOLDS} MB per 1,000 households), but this machine has {available:,.0f} MB available "
                    f"(accepted: at most {fits:,} households here; use fewer households, {fewer}{PROCEED} on a bigger machine)")


def check_scenario(config: Any, where: str | None = None, copies: int = 1) -> None:
    """Refuse, before anything is built, a scenario's community (a :class:`sim.scenario.Scenario`) too big for this machine.

    ``where`` names the source of the number of households (default: the
    scenario file). A community read from a network file is not estimated:
    its size is known only once the file is read, and the file's own size
    bounds it.
    """
    community = config.params.get("community", {})
    if community.get("network_file"):
        return
    check_memory(int(community.get("residents", 0)), f"{where or config.source}: community.residents", copies=copies)


def sets_households(keys: Any) -> bool:
    """Whether override ``keys`` (any accepted spelling) set the number of households: then messages name them, not the file."""
    return any(str(key).replace("__", ".") in ("residents", "community.residents") for key in keys)


# -- plan size --------------------------------------------------------------------------


def check_runs(runs: int, where: str, how: str) -> None:
    """Refuse a plan of more than :data:`MAX_RUNS` runs before it is listed; ``how`` says how the count arose."""
    if runs > MAX_RUNS and not forced():
        raise UserError(f"{where}: {how} make {runs:,} runs, more than the {MAX_RUNS:,} one plan may hold "
                        f"(accepted: fewer levels, samples, seeds or scenarios; {PROCEED})")


# -- input files ------------------------------------------------------------------------


def read_capped(path: Path, what: str) -> bytes:
    """The bytes of ``path``, read at most :data:`MAX_FILE_BYTES` + 1 at a time so that ``/dev/zero`` or a huge file is refused at once.

    Errors from opening the file (missing, a folder, unreadable) propagate for the caller to explain.
    """
    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) <= MAX_FILE_BYTES:
            return data
        if forced():
            return data + handle.read()
    limit = f"{MAX_FILE_BYTES // 2**20} MB" if MAX_FILE_BYTES >= 2**20 else f"{MAX_FILE_BYTES:,} bytes"
    raise UserError(f"{path}: larger than {limit} (accepted: {what}s of at most {limit}, as the shipped ones of a few kB; {PROCEED})")
