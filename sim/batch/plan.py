"""The run plan: a deterministic list of runs, each with a stable id.

A run is one scenario at one parameter point with one seed. Its id is a hash
of everything that determines its numbers (the scenario's key and file
content, the point, the overrides, the seed, the number of months and the
contents of any other file the run reads, see :mod:`sim.batch.inputs`), so the
same experiment always plans the same ids, and a resumed batch can tell which
runs it already has. Runs are ordered seed by seed (every scenario and point
for seed 1, then seed 2, ...): a batch stopped part-way holds complete sets
of paired runs.

Runs that share a burn-in (the same world and seed: scenarios that differ
only in the policy they switch to at month 0, points that differ only in
its levers) are handed to executors as one group (:meth:`Plan.groups`),
which one worker runs one after another: the first burns the world in, the
others copy it (sim/burn_in.py). Spread over several workers, each would
burn the same world in again, for the same numbers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sim import burn_in, size_guard
from sim.batch import from_today
from sim.batch.experiment import Experiment, ScenarioRef
from sim.batch.inputs import InputFile, InputFiles
from sim.batch.sampling import Point
from sim.batch.worker import Task
from sim.errors import UserError
from sim.parameters import Value


@dataclass(frozen=True)
class RunSpec:
    """One planned run."""

    run_id: str
    scenario: str
    point: int
    seed: int
    overrides: dict[str, Value]
    world: str | None = None
    """A hash of what its burn-in depends on besides the seed (:func:`sim.burn_in.world`); None: never shared."""


@dataclass(frozen=True)
class Plan:
    """Every run of an experiment, in order, with the points they use."""

    experiment: Experiment
    points: tuple[Point, ...]
    runs: tuple[RunSpec, ...]
    fingerprint: str
    inputs: tuple[InputFile, ...] = ()
    """The files runs read besides their scenario files (network files), each once."""

    def task(self, run: RunSpec) -> Task:
        """What a worker needs to compute ``run``."""
        ref = self.experiment.scenario(run.scenario)
        return Task(run.run_id, ref.scenario, run.overrides, run.seed, self.experiment.steps, self.experiment.outcomes)

    def groups(self, runs: Iterable[RunSpec]) -> Iterator[list[Task]]:
        """The tasks of ``runs``, grouped by the burn-in they share (:func:`by_world`); each group's tasks made as it is asked for."""
        return ([self.task(run) for run in group] for group in by_world(runs))

    def describe(self) -> str:
        """``4 scenarios x 1 point x 30 seeds = 120 runs``."""
        e = self.experiment
        seeds = _count(len(e.seeds), "seed") if e.sampling.pairing == "crossed" else "one seed each"
        parts = [_count(len(e.scenarios), "scenario"), _count(len(self.points), "point"), seeds]
        return " x ".join(parts) + f" = {_count(len(self.runs), 'run')} of {e.steps} months"


def make_plan(experiment: Experiment, points: list[Point]) -> Plan:
    """Plan every (seed, point, scenario) run; each point, and every file it reads, is checked against every scenario first."""
    files = InputFiles()
    read: dict[tuple[str, int], dict[str, str]] = {}  # (scenario, point): {parameter: sha256} of the files its runs read
    worlds: dict[tuple[str, int], str | None] = {}  # (scenario, point): what its runs' burn-in depends on besides the seed, hashed
    for ref in experiment.scenarios:
        for index, point in enumerate(points):
            where = f"{experiment.source}: point {index}" + (f" ({describe_point(point)})" if point else "")
            config = ref.scenario.with_overrides({**experiment.constants, **from_today.overrides_for(point, ref.switches_at_month_0 and experiment.posterior is not None), "steps": experiment.steps},
                                                 where=where)
            read[ref.key, index] = files.of(config, _named_by(experiment, ref, "community.network_file"))
            # The config the runs' models build (sim/batch/worker.py); were the key to differ, burn-ins would be repeated, never numbers changed.
            world = burn_in.world(config)
            worlds[ref.key, index] = None if world is None else _hash(world)
    runs = []
    for seed, index in _pairs(experiment, len(points)):
        point = points[index]
        for ref in experiment.scenarios:
            overrides = {**experiment.constants, **from_today.overrides_for(point, ref.switches_at_month_0 and experiment.posterior is not None)}
            ident = run_id(ref.key, ref.sha256, index, overrides, seed, experiment.steps, read[ref.key, index])
            runs.append(RunSpec(ident, ref.key, index, seed, overrides, worlds[ref.key, index]))
    ids = [r.run_id for r in runs]
    if len(set(ids)) != len(ids):  # cannot happen unless the hash collides
        raise RuntimeError("two planned runs share an id")
    fingerprint = _hash({"runs": ids, "outcomes": list(experiment.outcomes)})
    return Plan(experiment, tuple(points), tuple(runs), fingerprint, tuple(files.files.values()))


MAX_GROUP = 10
"""Most runs in one group. A lever sweep can put dozens of runs on one world (experiments/outreach_power.toml: 30),
and a group runs on one worker: ten keeps a batch of a few worlds spread over a cluster's workers, at one burn-in
(about one run's time) per ten runs."""


def by_world(runs: Iterable[RunSpec], most: int = MAX_GROUP) -> list[list[RunSpec]]:
    """``runs`` in groups that share a burn-in (the same world and seed), each in the order given, the groups in the order of their first runs.

    A world with more than ``most`` runs is split into groups of at most
    ``most`` in a row, each burning the world in once.

    Grouping what is left to run (a resumed batch's runs not yet stored)
    runs only those: a group cut short by an interruption is burnt in again
    once, by the first of its runs still to run. A run with no world to
    share (a network read from a file) is a group of its own. Only the time
    depends on the grouping: a copied burn-in gives bitwise the numbers of
    one run anew (tests/test_burn_in.py).
    """
    worlds: dict[Any, list[RunSpec]] = {}
    for run in runs:
        key = run.run_id if run.world is None else (run.world, run.seed)
        worlds.setdefault(key, []).append(run)
    return [world[start:start + most] for world in worlds.values() for start in range(0, len(world), most)]


def largest_community(plan: Plan) -> tuple[int, str]:
    """The most households any planned run builds, and where that number is set (for :func:`check_memory`'s message).

    Runs that read a network file are left out: their size is known only
    once the file is read (see :func:`sim.size_guard.check_scenario`).
    """
    experiment = plan.experiment
    largest, where = 0, ""
    for ref in experiment.scenarios:
        from_file = ref.scenario.params["community"]
        for point in plan.points:
            values = {**experiment.constants, **point}
            if values.get("community.network_file", from_file.get("network_file")):
                continue
            households = int(values.get("community.residents", from_file["residents"]))
            if households > largest:
                largest, where = households, _named_by(experiment, ref, "community.residents")
    return largest, where


def check_memory(plan: Plan, workers: int | None) -> None:
    """Refuse, before any run starts, a batch whose ``workers`` simultaneous models would not fit in memory (None: remote workers, not checked)."""
    if workers is None:
        return
    households, where = largest_community(plan)
    if households:
        size_guard.check_memory(households, where, copies=max(1, min(workers, len(plan.runs))))


def _named_by(experiment: Experiment, ref: ScenarioRef, parameter: str) -> str:
    """Where a file parameter's value comes from, for messages: the experiment's constants or levers, else the scenario file."""
    if parameter in experiment.constants:
        return f"{experiment.source}: constants.{parameter}"
    group = next((f.group for f in experiment.factors if f.name == parameter), None)
    return f"{experiment.source}: {group}.{parameter}" if group else f"{ref.path}: {parameter}"


def _pairs(experiment: Experiment, count: int) -> list[tuple[int, int]]:
    """(seed, point index) of every run: crossed, seed by seed; or the i-th seed for point i."""
    seeds = experiment.seeds
    if experiment.sampling.pairing == "crossed":
        return [(seed, index) for seed in seeds for index in range(count)]
    if len(seeds) != count:
        raise UserError(f"{experiment.source}: seeds: {len(seeds)} seeds for {count} points (accepted: with sampling.pairing = \"one seed per point\", as many seeds as points, e.g. seeds = {count})")
    return list(zip(seeds, range(count), strict=True))


def run_id(scenario: str, scenario_sha256: str, point: int, overrides: dict[str, Value], seed: int, steps: int, files: dict[str, str] | None = None) -> str:
    """A stable 16-hex-digit id for one run (``files``: ``{parameter: sha256}`` of the other files it reads)."""
    identity: dict[str, Any] = {"scenario": scenario, "scenario_sha256": scenario_sha256, "point": point, "overrides": overrides, "seed": seed, "steps": steps}
    if files:  # only then: runs that read no other file keep the ids they had before files were hashed
        identity["files"] = files
    return _hash(identity)[:16]


def describe_point(point: Point) -> str:
    """``policy.outreach=0.2, policy.power_share=0.4``."""
    return ", ".join(f"{name}={_show(value)}" for name, value in point.items())


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _hash(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=list)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
