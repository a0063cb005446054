"""Run plans: stable ids, the same seeds for every scenario and point, and the main job equal to the headline experiment."""

from __future__ import annotations

import shutil

import pytest

from sim.batch import experiment, plan, sampling
from sim.errors import UserError
from tests.batch_runs import ROOT, make_plan, write_experiment


def test_the_same_experiment_plans_the_same_runs(tmp_path):
    path = write_experiment(tmp_path / "e.toml", tables={"levers": {"policy.outreach": [0.0, 0.2]}})
    first, second = make_plan(path), make_plan(path)
    assert [r.run_id for r in first.runs] == [r.run_id for r in second.runs]
    assert first.fingerprint == second.fingerprint
    assert len({r.run_id for r in first.runs}) == len(first.runs) == 2 * 2 * 4


def test_every_scenario_and_point_runs_with_the_same_seeds(tmp_path):
    path = write_experiment(tmp_path / "e.toml", seeds=[5, 9, 2], tables={"levers": {"policy.outreach": [0.0, 0.2, 0.4]}})
    p = make_plan(path)
    groups: dict = {}
    for run in p.runs:
        groups.setdefault((run.scenario, run.point), []).append(run.seed)
    assert len(groups) == 2 * 3
    assert all(seeds == [5, 9, 2] for seeds in groups.values())
    assert [r.seed for r in p.runs[:6]] == [5] * 6  # seed by seed: a batch stopped part-way holds whole pairs


def test_run_ids_change_with_what_determines_the_numbers(tmp_path):
    base = make_plan(write_experiment(tmp_path / "a.toml"))
    more_steps = make_plan(write_experiment(tmp_path / "b.toml", steps=13))
    other_constant = make_plan(write_experiment(tmp_path / "c.toml", residents=101))
    ids = {r.run_id for r in base.runs}
    assert ids.isdisjoint(r.run_id for r in more_steps.runs)
    assert ids.isdisjoint(r.run_id for r in other_constant.runs)
    # the same seed in another experiment with the same scenario, values and steps is the same run
    fewer_seeds = make_plan(write_experiment(tmp_path / "d.toml", seeds=2))
    assert {r.run_id for r in fewer_seeds.runs} <= ids


def test_run_ids_change_when_a_scenario_file_changes(tmp_path):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    shutil.copy(ROOT / "scenarios" / "co_design.toml", scenarios / "co_design.toml")
    path = tmp_path / "e.toml"
    path.write_text('scenarios = ["scenarios/co_design.toml"]\nseeds = 2\nsteps = 6\n')
    before = make_plan(path)
    with (scenarios / "co_design.toml").open("a") as handle:
        handle.write("\n[trust]\ngain_rate = 0.1\n")
    after = make_plan(path)
    assert {r.run_id for r in before.runs}.isdisjoint(r.run_id for r in after.runs)


def test_the_main_job_is_the_headline_experiment():
    """`python run.py` runs experiments/headline.toml: five arms (the status quo and four policies) x 10 posterior draws x 6 seeds."""
    from sim.batch.commands import MAIN_JOB

    assert MAIN_JOB == ROOT / "experiments" / "headline.toml"
    headline = experiment.load(MAIN_JOB)
    b = plan.make_plan(headline, sampling.points(headline))
    assert len(b.runs) == 5 * 10 * 6


def test_a_task_carries_the_scenario_overrides_seed_and_steps(tmp_path):
    p = make_plan(write_experiment(tmp_path / "e.toml", tables={"levers": {"policy.outreach": [0.3]}}))
    run = p.runs[1]
    task = p.task(run)
    assert task.run_id == run.run_id
    assert task.seed == run.seed
    assert task.steps == 12
    assert task.overrides == {"community.residents": 100, "policy.outreach": 0.3}
    assert task.scenario.name == "Co-production"


def test_run_py_with_no_command_is_the_main_job(monkeypatch):
    """`python run.py` runs `batch experiments/headline.toml` with every default (the file's seeds, all cores, a new folder),
    then experiments/conditions.toml in its conditions/ folder when the headline names a best policy on trust."""
    from sim.batch import commands
    from sim.cli import main

    seen = []
    # Stopped there as by Ctrl-C (status 130): nothing ran, so nothing after the headline batch is asked for.
    monkeypatch.setattr(commands, "batch_command", lambda args, folder_name=None, summary=True, build_report=True: seen.append((args, folder_name, summary)) or 130)
    assert main([]) == 130
    ((args, name, summary),) = seen
    assert (args.experiment, args.seeds, args.steps, args.workers, args.executor, args.quiet, name, summary) == (
        str(commands.MAIN_JOB), None, None, None, "process", False, "headline", True)
    assert args.out.parent == ROOT / "results" and args.out.name.startswith("headline-") and not args.out.exists()


def test_one_seed_per_point_gives_each_point_its_own_seed(tmp_path):
    # A population (of landlords): point i runs with the i-th seed only, one run per point and scenario.
    path = write_experiment(tmp_path / "e.toml", scenarios=("paternalistic",), seeds=[7, 3, 11],
                            tables={"levers": {"policy.outreach": [0.0, 0.2, 0.4]}, "sampling": {"pairing": "one seed per point"}})
    p = make_plan(path)
    assert [(r.point, r.seed) for r in p.runs] == [(0, 7), (1, 3), (2, 11)]


def test_one_seed_per_point_needs_as_many_seeds_as_points(tmp_path):
    path = write_experiment(tmp_path / "e.toml", seeds=2, tables={"levers": {"policy.outreach": [0.0, 0.2, 0.4]}, "sampling": {"pairing": "one seed per point"}})
    with pytest.raises(UserError, match=r"seeds: 2 seeds for 3 points \(accepted: .*seeds = 3\)"):
        make_plan(path)


def test_an_unknown_pairing_is_refused(tmp_path):
    path = write_experiment(tmp_path / "e.toml", tables={"sampling": {"pairing": "zipped"}})
    with pytest.raises(UserError, match=r"sampling.pairing: 'zipped' is not accepted \(accepted: 'crossed', 'one seed per point'\)"):
        make_plan(path)
