"""Runs that share a burn-in run as one group on one worker: each world is burnt in once per batch, whatever the executor.

Counted by the burn-ins models really run (``HousingModel._burn_in``, patched
before the pool's workers fork, so they count too), written to a file every
process can append to. Only the time depends on the grouping: the numbers
are those of the same runs one by one (tests/test_batch_executors.py checks
them against 1, 2 and 3 workers and Dask; tests/test_burn_in.py checks a
copied burn-in against one run anew).
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter

import pandas as pd
import pytest

from sim import HousingModel, burn_in
from sim.batch.executors import ProcessExecutor, SerialExecutor
from sim.batch.plan import MAX_GROUP, RunSpec, by_world
from sim.batch.runner import run_batch
from tests.batch_runs import comparable, make_plan, write_experiment

WORLDS = 3
"""The tiny experiment's worlds: one per seed, shared by both scenarios and both values of the lever (a policy's, from month 0)."""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """12 runs in 3 worlds: 2 scenarios x 2 values of a lever x 3 seeds."""
    folder = tmp_path_factory.mktemp("groups")
    return write_experiment(folder / "tiny.toml", seeds=3, steps=12, tables={"levers": {"policy.outreach": [0.0, 0.3]}})


@pytest.fixture
def burn_ins(tmp_path, monkeypatch):
    """Where every burn-in run in this process or a worker forked from it is written: ``world pid`` a line."""
    log = tmp_path / "burn_ins.txt"
    log.touch()
    original = HousingModel._burn_in

    def counting(self, status_quo, months):
        world = hashlib.sha256(str(burn_in.world_key(self.config, self.seed)).encode()).hexdigest()[:12]
        with open(log, "a") as file:
            file.write(f"{world} {os.getpid()}\n")
        return original(self, status_quo, months)

    monkeypatch.setattr(HousingModel, "_burn_in", counting)
    burn_in.KEPT.clear()  # a worker forked from this process would otherwise inherit burn-ins kept here
    yield log
    burn_in.KEPT.clear()


def worlds_burnt_in(log) -> Counter[str]:
    return Counter(line.split()[0] for line in log.read_text().splitlines())


@pytest.mark.parametrize("workers", [1, 2])
def test_each_world_is_burnt_in_once_per_batch(tiny, tmp_path, burn_ins, workers):
    out = tmp_path / "out"
    executor = SerialExecutor() if workers == 1 else ProcessExecutor(workers, "fork")  # forked: the workers count their burn-ins too
    assert run_batch(make_plan(tiny), out, executor, quiet=True).complete
    burnt = worlds_burnt_in(burn_ins)
    assert len(burnt) == WORLDS and set(burnt.values()) == {1}, burnt
    assert pd.read_parquet(out / "runs")["worker"].nunique() == workers  # with two, the groups really were spread


def test_runs_are_grouped_by_the_world_their_model_burns_in(tiny, burn_ins):
    """The plan's groups are the worlds the models look up (burn_in.world_key), each in plan order (here, one seed each)."""
    plan = make_plan(tiny)
    groups = by_world(plan.runs)
    assert [len(g) for g in groups] == [4] * WORLDS
    assert [r for g in groups for r in g] == list(plan.runs)
    keys = []
    for group in groups:
        models = [HousingModel(task.scenario, rng=task.seed, steps=task.steps, **task.overrides) for task in (plan.task(r) for r in group)]
        keys.append({burn_in.world_key(m.config, m.seed) for m in models})
    assert all(len(k) == 1 for k in keys) and len(set.union(*keys)) == WORLDS
    assert sum(worlds_burnt_in(burn_ins).values()) == WORLDS


def test_a_run_with_no_world_to_share_is_a_group_of_its_own():
    runs = [RunSpec(f"r{i}", "s", 0, 1, {}, world) for i, world in enumerate(["a", None, "a", None, "b", "a"])]
    assert [[r.run_id for r in g] for g in by_world(runs)] == [["r0", "r2", "r5"], ["r1"], ["r3"], ["r4"]]
    other_seed = RunSpec("r6", "s", 0, 2, {}, "a")
    assert [[r.run_id for r in g] for g in by_world([*runs, other_seed])][-1] == ["r6"]


def test_a_world_with_many_runs_is_split_into_groups_of_at_most_the_cap_in_a_row():
    """A lever sweep puts many runs on one world; a group runs on one worker, so big worlds are split to keep workers busy."""
    runs = [RunSpec(f"r{i}", "s", i, 1, {}, "a" if i % 4 else "b") for i in range(12)]
    groups = [[r.run_id for r in g] for g in by_world(runs, most=3)]
    assert groups == [["r0", "r4", "r8"], ["r1", "r2", "r3"], ["r5", "r6", "r7"], ["r9", "r10", "r11"]]
    assert max(len(g) for g in by_world([RunSpec(f"r{i}", "s", i, 1, {}, "a") for i in range(25)])) == MAX_GROUP


class StopAfter(SerialExecutor):
    """Ctrl-C after ``count`` runs."""

    def __init__(self, count: int):
        self.count = count

    def run(self, groups):
        for done, outcome in enumerate(super().run(groups), start=1):
            yield outcome
            if done == self.count:
                raise KeyboardInterrupt


class Recording(SerialExecutor):
    """Keeps the groups it is given."""

    def __init__(self):
        self.groups = []

    def run(self, groups):
        for group in groups:
            self.groups.append([task.run_id for task in group])
            yield from super().run([group])


def test_a_resumed_batch_runs_only_what_a_group_lacks(tiny, tmp_path, burn_ins):
    plan = make_plan(tiny)
    out = tmp_path / "out"
    assert run_batch(plan, out, StopAfter(2), quiet=True).status == "interrupted"  # half the first group stored
    burn_ins.write_text("")
    burn_in.KEPT.clear()  # as in a new process
    again = Recording()
    outcome = run_batch(plan, out, again, quiet=True)
    assert outcome.complete and (outcome.already_stored, outcome.stored) == (2, 10)
    first = [r.run_id for r in by_world(plan.runs)[0]]
    assert again.groups[0] == first[2:]  # the first group's two runs left, and nothing it had
    assert sorted(run for group in again.groups for run in group) == sorted(r.run_id for r in plan.runs if r.run_id not in first[:2])
    burnt = worlds_burnt_in(burn_ins)
    assert len(burnt) == WORLDS and set(burnt.values()) == {1}, burnt  # the first world too, once, for its runs left
    reference = tmp_path / "reference"
    assert run_batch(plan, reference, SerialExecutor(), quiet=True).complete
    for resumed, whole in zip(comparable(out), comparable(reference), strict=True):
        pd.testing.assert_frame_equal(resumed, whole, check_exact=True)
