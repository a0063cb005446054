"""The status quo's burn-in, kept once computed: the same world and seed start every policy from the same month 0.

Before month 0 a model runs its scenario's status quo for the burn-in
months (sim/model.py). Two scenarios that differ only in the policy they
switch to at month 0 (the headline four, an ablation's arms, the app's side
by side) share that burn-in exactly, so a process keeps the state it reached
and gives later models with the same world and seed a copy instead of
running it again. A copy restores every number the burn-in changed
(residents' state, the network, the landlord, services, shocks, the survey,
the random streams), so a model built from it gives bitwise the same
numbers as one that ran its own burn-in (a test checks this). A batch runs
the runs that share a world and seed on one worker, one after another
(:meth:`sim.batch.plan.Plan.groups`), so each is burnt in once per batch.

The world is everything the burn-in reads: every parameter value, the status
quo's policy and levers, the burn-in length and the seed. A scenario that
reads a network file is never kept, so a changed file can never be reused.
Kept states are bounded in number and size (``MAX_ENTRIES``, ``MAX_BYTES``);
the least recently used go first.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.model import HousingModel
    from sim.scenario import Scenario

MAX_ENTRIES = 16
MAX_BYTES = 400_000_000
"""At most this many bytes of kept states in a process (a state of 10,000 households is about 4 MB)."""

LANDLORD_FIELDS = ("budget", "belief", "baseline_belief", "agenda", "provision", "humility", "respect", "respect_baseline", "pressure", "committed")
SERVICE_FIELDS = ("accessibility", "design_fit", "default_fit", "designed_for", "fixed_capacity", "running_cost", "capacity", "co_delivered")


def world_key(config: Scenario, seed: int) -> str | None:
    """What the burn-in depends on, as a string; None when it must not be kept (a network read from a file)."""
    place = world(config)
    return None if place is None else f"{place} seed {seed}"


def world(config: Scenario) -> str | None:
    """What the burn-in depends on besides the seed, as a string; None when it must not be kept.

    A batch's plan records it for every run (sim/batch/plan.py), so that runs
    sharing a burn-in run on the same worker and it is burnt in once.
    """
    if config.params["community"]["network_file"]:
        return None
    place = {
        "params": config.params,
        "status_quo": config.status_quo,
        "status_quo_levers": config.status_quo_levers,
        "burn_in": config.burn_in,
    }
    return json.dumps(place, sort_keys=True, default=list)


def take(model: HousingModel) -> dict[str, Any]:
    """A deep copy of everything the burn-in changed."""
    return copy.deepcopy({
        "state": model.state,
        "network": model.network,
        "landlord": {name: getattr(model.landlord, name) for name in LANDLORD_FIELDS},
        "services": [{name: getattr(service, name) for name in SERVICE_FIELDS} for service in model.services],
        "shocks": model.shocks,
        "survey": model.survey,
        "streams": model.streams,
        "external_stigma": model.external_stigma,
        "clock": model.clock,
        "month": model.month,
        "outcomes": model.outcomes,
    })


def put_back(model: HousingModel, kept: dict[str, Any]) -> None:
    """Give ``model`` a copy of a kept burn-in's state."""
    kept = copy.deepcopy(kept)
    model.state = kept["state"]
    model.network = kept["network"]
    for name, value in kept["landlord"].items():
        setattr(model.landlord, name, value)
    for service, values in zip(model.services, kept["services"], strict=True):
        for name, value in values.items():
            setattr(service, name, value)
    model.shocks = kept["shocks"]
    model.survey = kept["survey"]
    model.streams = kept["streams"]
    model.external_stigma = kept["external_stigma"]
    model.clock = kept["clock"]
    model.month = kept["month"]
    model.outcomes = kept["outcomes"]


def _size(kept: dict[str, Any]) -> int:
    """Rough bytes held by a kept state (its arrays)."""
    total = 0
    for value in vars(kept["state"]).values():
        total += value.nbytes
    ties = kept["network"].ties
    total += sum(a.nbytes for a in vars(ties).values() if isinstance(a, np.ndarray))
    total += kept["network"].linking.nbytes
    return total


class Kept:
    """Burn-in states kept in this process, least recently used first out."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[dict[str, Any], int]] = OrderedDict()

    def get(self, key: str | None) -> dict[str, Any] | None:
        if key is None or key not in self._entries:
            return None
        self._entries.move_to_end(key)
        return self._entries[key][0]

    def put(self, key: str | None, kept: dict[str, Any]) -> None:
        if key is None:
            return
        size = _size(kept)
        if size > self.max_bytes:
            return
        self._entries[key] = (kept, size)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries or sum(s for _, s in self._entries.values()) > self.max_bytes:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


KEPT = Kept()
"""This process's kept burn-ins."""
