"""The research record of a workshop session, written as it happens.

A session's folder (``results/workshop-YYYYMMDD-HHMMSS`` unless told
otherwise) holds:

- ``session.json``: what the session ran (the scenario's file text, its
  name, the community size, the seed, the countdown), the landlord's
  changes of policy and the events fired (by the month they took effect
  in), and the participants: an anonymous id (``p01``, ``p02``, ...), the
  household each plays and the month they joined. No names, no addresses,
  no room code;
- ``scenario.toml``: the scenario file as it was read;
- ``choices.parquet``: one row per participant and month: what they chose
  (empty where they did not choose in time, which leaves the model's own
  rule), whether they answered, and how many seconds after the month
  opened;
- ``outcomes.parquet``: one row per month and world (``with people``: the
  session; ``without people``: the same seed without their choices): every
  outcome column of the model;
- ``households.parquet``: one row per month, world and household (every
  household, with ``played`` marking those people played): its state
  after the month, so that what spread from the played households to
  their neighbours can be studied;
- ``landlord.parquet`` (when a team plays the landlord): one row per month
  since the team joined: whether it chose in time, how fast, and which kinds
  of request it acted on (``act_on_repairs``, ...). Its rows are also in
  ``choices.parquet`` as participant ``landlord team`` (household -1).

Every file is rewritten whole after each month, through a temporary file
renamed into place, so a session stopped at any moment leaves a complete
record of the months run so far. :mod:`sim.workshop.replay` reads it back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

CHOICE_COLUMNS = ("month", "participant", "household", "answered", "seconds", "take_part", "raise_domain", "complain", "call_on_neighbour")

HOUSEHOLD_COLUMNS = (
    "trust_landlord", "trust_neighbours", "stigma", "wellbeing", "employed", "participated", "raised", "delivered",
    "complaint_open", "unmet_repairs", "bonding",
)
"""What ``households.parquet`` keeps of each household after each month."""


class SessionRecord:
    """The files of one session (see the module docstring)."""

    def __init__(self, folder: Path, scenario_text: str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_text(self.folder / "scenario.toml", scenario_text)
        self.choices: list[dict[str, Any]] = []
        self.outcomes: list[dict[str, Any]] = []
        self.households: list[pd.DataFrame] = []

    def session(self, about: dict[str, Any]) -> None:
        """Write ``session.json``."""
        _write_text(self.folder / "session.json", json.dumps(about, indent=2, sort_keys=True) + "\n")

    def landlord(self, rows: list[dict[str, Any]]) -> None:
        """Rewrite ``landlord.parquet``: the landlord team's choices, one row per month since it joined."""
        _write_table(self.folder / "landlord.parquet", pd.DataFrame(rows))

    def month(self, choices: list[dict[str, Any]], outcomes: list[dict[str, Any]], households: pd.DataFrame) -> None:
        """Add a month's rows and rewrite the tables."""
        self.choices.extend(choices)
        self.outcomes.extend(outcomes)
        self.households.append(households)
        _write_table(self.folder / "outcomes.parquet", pd.DataFrame(self.outcomes))
        _write_table(self.folder / "households.parquet", pd.concat(self.households, ignore_index=True))
        # Last, so that a reader who sees a month's choices finds its outcomes too.
        _write_table(self.folder / "choices.parquet", pd.DataFrame(self.choices, columns=list(CHOICE_COLUMNS)).astype(
            {"take_part": "boolean", "raise_domain": "Int64", "complain": "boolean", "call_on_neighbour": "boolean"}))


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_table(path: Path, frame: pd.DataFrame) -> None:
    tmp = path.with_name(path.name + ".tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)
