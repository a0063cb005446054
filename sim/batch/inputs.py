"""Files a run reads besides its scenario file (a network file): checked before a batch starts, and part of each run's identity.

A run's numbers depend on the contents of every file it reads, so each run id
holds the SHA-256 of those contents (:func:`sim.batch.plan.run_id`), and the
manifest records them, so that a folder is never resumed with a file that
changed in between: its runs would mix two networks. Contents, not paths or
modification times: a project copied to another folder still resumes, a
file edited in place does not. Each file is read and checked once, before
the first run, so a bad file is one clear sentence rather than every run
stored as failed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sim import network_io
from sim.errors import UserError
from sim.parameters import PATH_LIMIT, shown
from sim.scenario import Scenario

NETWORK_FILE = "community.network_file"


@dataclass(frozen=True)
class InputFile:
    """A file some runs read: the parameter naming it, its path and the SHA-256 of its contents."""

    parameter: str
    path: str
    sha256: str


@dataclass
class InputFiles:
    """The files of a plan's runs, each read, checked and hashed once however many runs use it."""

    files: dict[str, InputFile] = field(default_factory=dict)

    def of(self, config: Scenario, where: str) -> dict[str, str]:
        """``{parameter: sha256}`` of every file a run of ``config`` reads (empty when it reads none); ``where``: who named the file."""
        path = config.params["community"]["network_file"]
        if not path:
            return {}
        if path not in self.files:
            self.files[path] = InputFile(NETWORK_FILE, path, _check_network(config, Path(path), where))
        return {NETWORK_FILE: self.files[path].sha256}


def _check_network(config: Scenario, path: Path, where: str) -> str:
    """The SHA-256 of a network file, after reading it as a run would (the same checks, the same sentences)."""
    community = config.params["community"]
    graph = network_io.read_graph(path, where)
    # Which household lands in which block cannot fail, so one check per file holds for every block size a sweep tries.
    network_io.households_from_graph(graph, int(community["block_size"]), int(community["blocks_per_estate"]), f"{where}: {path}")
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise UserError(f"{where}: network file {shown(str(path), PATH_LIMIT)} cannot be read: {error.strerror or error} (accepted: a readable GraphML or edge-list file)") from None
