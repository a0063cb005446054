"""Scenario presets: every scenario file in ``scenarios/``, by its name and description.

The app lists whatever files are there, so a facilitator who adds a
scenario file sees it in the picker without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim import scenario as scenarios

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
"""The repository's ``scenarios/`` folder."""


@dataclass(frozen=True)
class Preset:
    """A scenario file offered in the picker."""

    key: str  # file stem, e.g. "co_production"
    path: Path
    name: str
    description: str  # one paragraph, whitespace collapsed
    scenario: scenarios.Scenario

    @property
    def policy(self) -> str:
        """The scenario's policy name."""
        return self.scenario.policy

    @property
    def residents(self) -> int:
        """The scenario's community size."""
        return int(self.scenario.params["community"]["residents"])

    @property
    def events(self) -> str:
        """The scenario's scheduled events in words ("" if none)."""
        return "; ".join(f"month {e.step}: {e.type.replace('_', ' ')}" for e in self.scenario.events)


def load_presets(folder: Path = SCENARIO_DIR) -> dict[str, Preset]:
    """Every ``*.toml`` scenario in ``folder``, by file stem, sorted by displayed name.

    A file that does not load raises the scenario loader's UserError (the
    app should not silently drop a broken preset: ``python run.py check``
    names the problem).
    """
    presets = []
    for path in sorted(folder.glob("*.toml")):
        config = scenarios.load(path)
        presets.append(Preset(path.stem, path, config.name, " ".join(config.description.split()), config))
    return {p.key: p for p in sorted(presets, key=lambda p: p.name.lower())}
