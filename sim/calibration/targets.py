"""National figures as calibration targets, and how far a run is from them.

A target pairs a model column (``tsm_satisfied``) with a row of the national
figures file (``experiments/data/uk_targets.csv``, copied with its sources
from the project's shared data) and a tolerance: the distance a researcher
would call "a miss of one unit". A run's distance from all targets is the
root mean square of its misses in those units, so a distance of 1 means
"off by about one tolerance on each target".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import UserError
from sim.parameters import PATH_LIMIT, cut


@dataclass(frozen=True)
class Figure:
    """One row of the national figures file."""

    measure: str
    value: str
    unit: str
    population: str
    year: str
    source: str


@dataclass(frozen=True)
class Target:
    """A model column, the national figure it should reproduce (as a share), and the tolerance of a miss."""

    column: str
    measure: str
    value: float
    tolerance: float | None
    figure: Figure

    @property
    def calibrated(self) -> bool:
        """Used in the fit (validation-only targets have no tolerance)."""
        return self.tolerance is not None


def read_figures(path: Path) -> dict[str, Figure]:
    """The national figures file, by measure."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise UserError(f"{cut(str(path), PATH_LIMIT)}: cannot read the national figures ({error.strerror or error})") from None
    needed = {"measure", "value", "unit", "population", "year", "source"}
    if rows and not needed <= set(rows[0]):
        raise UserError(f"{path}: columns {sorted(needed - set(rows[0]))} are missing (accepted: a CSV with columns {', '.join(sorted(needed))})")
    return {row["measure"]: Figure(**{k: row[k] for k in needed}) for row in rows}


def as_share(figure: Figure) -> float | None:
    """The figure as a share in [0, 1] when it is a percentage or share; None if it is not a number."""
    try:
        number = float(figure.value)
    except ValueError:
        return None
    return number / 100.0 if figure.unit.startswith("percent") else number


def distance(simulated: np.ndarray, targets: list[Target]) -> np.ndarray:
    """Root mean square miss, in tolerances, of each row of ``simulated`` (columns in the order of ``targets``)."""
    values = np.array([t.value for t in targets])
    tolerance = np.array([t.tolerance for t in targets], dtype=float)
    misses = (np.atleast_2d(simulated) - values) / tolerance
    return np.sqrt(np.mean(misses**2, axis=1))


ITEMS_FILE = "tsm_2023_24_items.csv"
"""The TSM items' spread across landlords (10th and 90th percentiles), next to the national figures file."""


def read_spreads(figures_path: Path, targets: list[Target]) -> dict[str, tuple[float, float]]:
    """National (p10, p90) as shares, by target column, for targets that are a TSM item's positive answers (``tsm_tpNN_...``)."""
    path = figures_path.parent / ITEMS_FILE
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            items = {row["item"].lower(): (float(row["p10"]) / 100.0, float(row["p90"]) / 100.0) for row in csv.DictReader(handle)}
    except (OSError, KeyError, ValueError):
        return {}  # the spreads only add a reference band to the check's figure
    spreads = {}
    for target in targets:
        parts = target.measure.split("_")
        if len(parts) > 2 and parts[0] == "tsm" and parts[1] in items and "dissatisfied" not in target.measure:
            spreads[target.column] = items[parts[1]]
    return spreads
