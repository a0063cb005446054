"""Policies switched on at month 0 from a calibrated status quo: an experiment's ``start_from``.

With ``start_from = "england_baseline"`` every scenario of an experiment
starts where English landlords are today and changes only its policy at
month 0. The start scenario gives everything: the community, every
parameter (the calibrated values), the months run, and the status quo it
has run for years (its burn-in). A listed scenario gives only its
``[policy]`` table: the policy and levers switched on at month 0. The
start scenario itself may be listed: it is the status quo carried on, the
natural baseline ("what would change against today").

A listed scenario that sets anything besides its name, description, months,
``[policy]`` and ``community.residents`` (which the start scenario's own
replace) is refused rather than silently overridden: a scenario's
parameters or events would not be the ones run.

**Identity.** A derived scenario's hash covers both files (start, then
policy), so editing either plans new runs.

**Posterior draws.** The calibrated status quo's own levers (``policy.*`` in
the posterior, as the calibration fitted them under ``status_quo = "own"``)
are the status quo's in a derived scenario: ``status_quo.*`` overrides
(:func:`overrides_for`), so the draw sets where the landlord starts, never
the policy it switches to.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

from sim import scenario as scenarios
from sim.errors import UserError

ALLOWED_TOP = ("name", "description", "steps", "seed", "policy", "community")


def derive(start: scenarios.Scenario, start_path: Path, start_bytes: bytes, listed: scenarios.Scenario, listed_path: Path, listed_bytes: bytes,
           where: str) -> tuple[scenarios.Scenario, str]:
    """The scenario that runs ``start``'s world and status quo, then ``listed``'s policy from month 0; and its hash."""
    for key, value in listed.raw.items():
        if key not in ALLOWED_TOP or (key == "community" and set(value) - {"residents"}):
            detail = key if key != "community" else "community." + sorted(set(value) - {"residents"})[0]
            raise UserError(f"{where}: {listed_path.name} sets {detail}, which start_from = {start_path.stem!r} would replace "
                            "(accepted: with start_from, scenarios that set only their [policy], name, description and months)")
    data: dict[str, Any] = copy.deepcopy(start.raw)
    data["name"] = f"{listed.name}, from {start.name}"
    data["description"] = (f"{start.name} ({start_path.name}) until month 0, then the policy of {listed.name} ({listed_path.name}).\n")
    data["policy"] = copy.deepcopy(listed.raw.get("policy", {}))
    data["status_quo"] = {"policy": start.status_quo, **start.status_quo_levers, "months": start.burn_in}
    derived = scenarios.build(data, str(listed_path), start_path.parent)
    digest = hashlib.sha256(hashlib.sha256(start_bytes).digest() + hashlib.sha256(listed_bytes).digest()).hexdigest()
    return derived, digest


def overrides_for(point: dict[str, Any], switches_at_month_0: bool) -> dict[str, Any]:
    """A posterior point's overrides for one scenario: the status quo's levers go to ``status_quo.*`` where the policy switches."""
    if not switches_at_month_0:
        return dict(point)
    return {("status_quo." + key.partition(".")[2] if key.startswith("policy.") else key): value for key, value in point.items()}
