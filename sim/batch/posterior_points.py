"""An experiment's ``[posterior]``: its points are parameter sets drawn from a calibration's posterior.

::

    [posterior]
    file = "data/england_baseline_posterior"   # NAME.csv and NAME.json, as the calibration writes them
    draws = 10                                 # parameter sets, each run with every seed and scenario
    seed = 1                                   # the draws are a function of the file and this seed

The draws are systematic resampling of the posterior's weights (one uniform
number from ``seed``, then evenly spaced), so ten draws follow the
posterior more evenly than ten independent ones; every draw counts the
same in the analysis. Every seed runs with every draw (paired), so a report
can separate what the seeds move from what the posterior leaves open.

The files' contents are part of the experiment's identity: the draws' values
are in every run's overrides, and the files' hashes in the manifest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import UserError
from sim.parameters import shown

KEYS = ("file", "draws", "seed")
MAX_DRAWS = 10_000


@dataclass(frozen=True)
class PosteriorDraws:
    """The checked ``[posterior]`` table and the draws it gives."""

    path: Path  # the posterior's stem (NAME of NAME.csv / NAME.json)
    sha256: str  # of both files
    draws: int
    seed: int
    names: tuple[str, ...]
    values: np.ndarray  # draw x parameter

    def points(self) -> list[dict[str, float]]:
        return [{name: float(v) for name, v in zip(self.names, row, strict=True)} for row in self.values]

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "sha256": self.sha256, "draws": self.draws, "seed": self.seed, "parameters": list(self.names)}


def systematic(weights: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Indices of ``count`` draws by systematic resampling of ``weights`` (the same for the same seed)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xC0FFEE,)))
    positions = (rng.random() + np.arange(count)) / count
    return np.minimum(np.searchsorted(np.cumsum(weights), positions, side="left"), len(weights) - 1)


def load(table: Any, where: str, base_dir: Path, check_name) -> PosteriorDraws:
    """Check the ``[posterior]`` table and draw; ``check_name(name, where)`` checks each parameter is one a scenario takes."""
    from sim.calibration import posterior as posterior_file

    here = f"{where}: posterior"
    if not isinstance(table, dict):
        raise UserError(f"{here}: must be a table (accepted: [posterior] with file, draws, seed)")
    for key in table:
        if key not in KEYS:
            raise UserError(f"{here}.{key}: unknown key (accepted: {', '.join(KEYS)})")
    text = table.get("file")
    if not isinstance(text, str) or not text:
        raise UserError(f"{here}.file: {shown(text)} is not accepted (accepted: the posterior a calibration wrote, e.g. \"data/england_baseline_posterior\")")
    draws = table.get("draws", 10)
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise UserError(f"{here}.draws: {shown(draws)} is not accepted (accepted: a whole number from 1 to {MAX_DRAWS})")
    seed = table.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise UserError(f"{here}.seed: {shown(seed)} is not accepted (accepted: a whole number from 0 to {2**32 - 1})")
    path = Path(text)
    path = path if path.is_absolute() else base_dir / path
    draws_path, about_path = posterior_file.files(path)
    posterior = posterior_file.read(path)
    for name in posterior.names:
        check_name(name, f"{here}.file ({draws_path.name})")
    digest = hashlib.sha256(draws_path.read_bytes() + about_path.read_bytes()).hexdigest()
    values = posterior.draws[systematic(posterior.weights, draws, seed)]
    return PosteriorDraws(draws_path.with_suffix(""), digest, draws, seed, posterior.names, values)
