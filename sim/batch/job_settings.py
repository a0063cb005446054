"""What each worker job of ``--executor slurm`` (or ``pbs``) asks for: the command line over a ``[cluster]`` table over the defaults.

Every value is checked here, before anything is submitted: a bad one is one
:class:`~sim.errors.UserError` naming the option (or the file and key) and
what is accepted. The executor that uses these settings is
:mod:`sim.batch.cluster`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.parameters import PATH_LIMIT, cut, shown, suggest

QUEUE_SYSTEMS = {"slurm": ("SLURMCluster", "Slurm"), "pbs": ("PBSCluster", "PBS")}
"""``--executor`` names served here: (dask-jobqueue's cluster class, the system's name)."""
ROOT = Path(__file__).resolve().parents[2]
DEATH_TIMEOUT = 60
"""Seconds a worker waits for a vanished scheduler (the batch killed) before it exits and its job ends."""
RETIRE_BEFORE_END = 5 * 60
"""Workers retire this many seconds before their job's wall time, handing their runs back before they are killed."""
NAME = re.compile(r"[A-Za-z0-9_.,:@+=-]{1,200}")
"""Accounts, partitions and job names: what goes into a #SBATCH line without changing its meaning (no spaces, no newlines)."""
WALLTIME = re.compile(r"(?:(?P<days>\d{1,3})-)?(?P<hours>\d{1,3}):(?P<minutes>[0-5]\d):(?P<seconds>[0-5]\d)")


@dataclass(frozen=True)
class JobSettings:
    """What each worker job asks for, and where its scheduler, logs and Python are."""

    system: str = "slurm"
    jobs: int = 4
    cores_per_job: int = 1
    memory: str | None = None  # None: 2 GB per core
    walltime: str = "01:00:00"
    account: str | None = None
    queue: str | None = None
    job_extra_directives: tuple[str, ...] = ()
    job_script_prologue: tuple[str, ...] = ()
    interface: str | None = None
    job_name: str = "shs-worker"
    log_directory: str = str(ROOT / "results" / "slurm-logs")
    python: str = field(default_factory=lambda: sys.executable)

    @property
    def job_memory(self) -> str:
        return self.memory or f"{2 * self.cores_per_job}GB"

    @property
    def max_workers(self) -> int:
        return self.jobs * self.cores_per_job


# -- options: the command line over the config file over the defaults ------------------------------------

COMMAND_LINE = ("jobs", "cores_per_job", "memory", "walltime", "account", "queue")
"""The options a command line gives (``--cores-per-job`` is ``cores_per_job``); a config file may give them too."""
FILE_ONLY = {
    "job-extra-directives": "a list of extra #SBATCH (or #PBS) options, e.g. [\"--qos=short\", \"--constraint=cpu\"]",
    "job-script-prologue": "a list of shell lines each job runs before its worker, e.g. [\"module load python/3.12\", \"source .venv/bin/activate\"]",
    "interface": "the network interface workers reach the batch's scheduler on, e.g. \"ib0\"",
    "job-name": "the jobs' name in squeue (default: shs-worker)",
    "log-directory": "where the jobs' own output goes (default: results/slurm-logs)",
    "python": "the Python each job runs (default: this one)",
}
FILE_KEYS = tuple(name.replace("_", "-") for name in COMMAND_LINE) + tuple(FILE_ONLY)


def job_settings(system: str, given: dict[str, Any], config: str | None) -> JobSettings:
    """The settings for ``--executor SYSTEM`` from the command line's ``given`` options (None: not given) and the ``config`` file."""
    values: dict[str, Any] = {}
    if config is not None:
        values.update(read_config(config, system))
    values.update({name: value for name, value in given.items() if value is not None})
    for name in ("jobs", "cores_per_job"):
        if name in values:
            values[name] = _whole(values[name], _option(name, config, given), 10_000 if name == "jobs" else 1_024)
    if "memory" in values:
        values["memory"] = _memory(values["memory"], _option("memory", config, given))
    if "walltime" in values:
        values["walltime"] = _walltime(values["walltime"], _option("walltime", config, given), system)
    for name in ("account", "queue", "job_name"):
        if name in values:
            values[name] = _name(values[name], _option(name, config, given))
    return JobSettings(system=system, **values)


def _option(name: str, config: str | None, given: dict[str, Any]) -> str:
    """Where a value came from, for a message: ``--cores-per-job``, or ``FILE: cluster.cores-per-job``."""
    if given.get(name) is not None:
        return "--" + name.replace("_", "-")
    return f"{cut(config, PATH_LIMIT)}: cluster.{name.replace('_', '-')}"


def read_config(path: str, system: str = "slurm") -> dict[str, Any]:
    """The ``[cluster]`` table of a config file, as :class:`JobSettings` fields; one UserError for anything wrong in it."""
    from sim.batch.experiment import read_toml

    where = cut(path, PATH_LIMIT)
    data, _ = read_toml(Path(path), "cluster config file", "the README's [cluster] example")
    extra = sorted(set(data) - {"cluster"})
    if extra or not isinstance(data.get("cluster"), dict):
        key = cut(extra[0]) if extra else ""
        what = (f"{key}: outside the [cluster] table" if key in FILE_KEYS else f"{key}: not a cluster setting") if extra else "no [cluster] table"
        raise UserError(f"{where}: {what} (accepted: a line [cluster], then any of {', '.join(FILE_KEYS)}, e.g. jobs = 16)")
    values: dict[str, Any] = {}
    for key, value in data["cluster"].items():
        if key not in FILE_KEYS:
            raise UserError(f"{where}: cluster.{cut(key)}: unknown key{suggest(key, list(FILE_KEYS))} (accepted: {', '.join(FILE_KEYS)})")
        name = key.replace("-", "_")
        if key in ("job-extra-directives", "job-script-prologue"):
            values[name] = _lines(value, f"{where}: cluster.{key}", system if key == "job-extra-directives" else None)
        elif name in COMMAND_LINE or key == "job-name":
            values[name] = value  # checked as the command line's are, in job_settings
        elif not isinstance(value, str) or not value.strip() or "\n" in value:
            raise UserError(f"{where}: cluster.{key}: {shown(value)} is not accepted (accepted: {FILE_ONLY[key]}, a text on one line)")
        elif key in ("log-directory", "python"):
            values[name] = str(Path(value.strip()).expanduser().absolute())  # the same place for this process and for Slurm, whatever its job's folder
        else:
            values[name] = value.strip()
    return values


def _lines(value: Any, where: str, system: str | None) -> tuple[str, ...]:
    """A list of one-line strings; for directives, a leading ``#SBATCH``/``#PBS`` is dropped (dask-jobqueue adds it)."""
    if not isinstance(value, list) or not all(isinstance(line, str) and line.strip() and "\n" not in line for line in value):
        key = where.rsplit(".", 1)[-1]
        raise UserError(f"{where}: {shown(value)} is not accepted (accepted: {FILE_ONLY[key]}, each a text on one line)")
    if system is None:
        return tuple(value)
    prefix = "#SBATCH" if system == "slurm" else "#PBS"
    return tuple(line.strip().removeprefix(prefix).strip() for line in value)


def _whole(value: Any, option: str, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise UserError(f"{option}: {shown(value)} is not accepted (accepted: a whole number from 1 to {most:,})")
    return value


def _memory(value: Any, option: str) -> str:
    from dask.utils import parse_bytes

    try:
        size = parse_bytes(value) if isinstance(value, str) else None
    except (ValueError, TypeError):
        size = None
    if size is None or size < 100 * 2**20:
        raise UserError(f"{option}: {shown(value)} is not accepted (accepted: the memory of one job, at least 100MB, e.g. 4GB or 500MB)")
    return value.replace(" ", "")


def _walltime(value: Any, option: str, system: str) -> str:
    match = WALLTIME.fullmatch(value) if isinstance(value, str) else None
    days = "" if system == "pbs" else " or D-HH:MM:SS"
    if match is None or (system == "pbs" and match["days"]) or seconds(value) < 60:
        raise UserError(f"{option}: {shown(value)} is not accepted (accepted: a job's time limit of at least a minute as HH:MM:SS{days}, e.g. 04:00:00)")
    return value


def seconds(walltime: str) -> int:
    """``[D-]HH:MM:SS`` in seconds."""
    match = WALLTIME.fullmatch(walltime)
    assert match is not None
    days = int(match["days"] or 0)
    return ((days * 24 + int(match["hours"])) * 60 + int(match["minutes"])) * 60 + int(match["seconds"])


def _name(value: Any, option: str) -> str:
    if not isinstance(value, str) or NAME.fullmatch(value) is None:
        raise UserError(f"{option}: {shown(value)} is not accepted (accepted: a name of letters, digits and . _ - , : @ + =, with no spaces)")
    return value
