"""A workshop's record fed back to the model, without the app.

:func:`replay` rebuilds the session's model from its record (the scenario
file as it was read, the community size and the seed), fires the
facilitator's policy changes and events in the months they took effect,
and gives each month the choices the participants made (only those who
answered: the others kept the model's rule), and the landlord team's, if a
team played the landlord. Its outcomes equal the
session's ``with people`` world month by month, so the app adds nothing but
the people (``tests/test_workshop_room.py``); with ``with_choices=False``
it is the ``without people`` world.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim import scenario as scenarios
from sim.events import fire_now
from sim.mechanisms.human_choices import HouseholdChoice, LandlordChoice
from sim.model import HousingModel


def replay(folder: Path, *, with_choices: bool = True) -> pd.DataFrame:
    """The model's outcome columns per month (``month`` first), replayed from the record in ``folder``."""
    folder = Path(folder)
    about = json.loads((folder / "session.json").read_text(encoding="utf-8"))
    model = HousingModel(scenarios.load(folder / about["scenario_file"]), rng=int(about["seed"]), residents=int(about["residents"]))
    choices = pd.read_parquet(folder / "choices.parquet") if (folder / "choices.parquet").exists() else pd.DataFrame()
    landlord = pd.read_parquet(folder / "landlord.parquet") if (folder / "landlord.parquet").exists() else pd.DataFrame()
    landlord_by_month = {int(r["month"]): LandlordChoice.from_record(r) for r in landlord.to_dict("records") if r["answered"]}
    months = int(choices["month"].max()) if len(choices) else 0
    rows = []
    for month in range(1, months + 1):
        for change in about["changes"]:
            if change["month"] == month:
                fire_now(model, change["type"], **change["values"])
        if with_choices:
            made = choices[(choices["month"] == month) & choices["answered"] & (choices["household"] >= 0)]
            model.landlord_choice = landlord_by_month.get(month)
            model.human_choices = {int(r["household"]): HouseholdChoice.from_record(_plain(r)) for r in made.to_dict("records")}
        model.step()
        rows.append({"month": month, **{k: float(v) for k, v in model.outcomes.items()}})
    return pd.DataFrame(rows)


def _plain(row: dict) -> dict:
    """A Parquet row with pandas' missing values (pd.NA) as None."""
    return {k: (None if v is pd.NA or v is None else v) for k, v in row.items()}
