"""Experiments from today: every policy starts from a calibrated status quo (start_from) over posterior draws ([posterior])."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.batch import experiment as experiments
from sim.batch import sampling
from sim.batch.plan import make_plan
from sim.batch.posterior_points import systematic
from sim.calibration.posterior import Posterior, write
from sim.errors import UserError
from sim.model import HousingModel

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("survey.threshold", "landlord.respect", "policy.acts_on_input")


def write_posterior(folder: Path, draws: np.ndarray, weights: np.ndarray | None = None) -> Path:
    weights = np.full(len(draws), 1.0 / len(draws)) if weights is None else weights
    posterior = Posterior(NAMES, ((0.3, 0.55), (0.5, 1.0), (0.0, 0.5)), draws, weights, (("tsm_satisfied", 0.713, 0.02),), (None,),
                          (len(draws),), 1, len(draws), "0.13")
    write(posterior, folder / "post")
    return folder / "post"


def experiment_file(folder: Path, extra: str = "", scenarios: str = '["england_baseline", "paternalistic", "co_production"]') -> Path:
    path = folder / "e.toml"
    path.write_text(f'name = "from today"\nscenarios = {scenarios}\nstart_from = "england_baseline"\nbaseline = "england_baseline"\n'
                    f'seeds = 2\nsteps = 3\noutcomes = ["trust_landlord", "tsm_satisfied"]\n[constants]\ncommunity.residents = 80\n{extra}')
    return path


@pytest.fixture
def draws():
    rng = np.random.default_rng(5)
    return np.column_stack([rng.uniform(0.45, 0.5, 8), rng.uniform(0.6, 0.95, 8), rng.uniform(0.1, 0.4, 8)])


def test_a_policy_scenario_runs_the_start_scenarios_world_and_status_quo_then_its_own_policy(tmp_path):
    spec = experiments.load(experiment_file(tmp_path))
    start = spec.scenario("england_baseline").scenario
    switched = spec.scenario("co_production")
    assert switched.switches_at_month_0 and not spec.scenario("england_baseline").switches_at_month_0
    assert switched.scenario.policy == "co_production"
    assert switched.scenario.params == start.params  # the calibrated world, not co_production.toml's defaults
    assert (switched.scenario.status_quo, switched.scenario.status_quo_levers) == (start.policy, start.levers)
    assert switched.scenario.burn_in == start.burn_in


def test_two_policies_from_today_share_month_0_exactly(tmp_path):
    spec = experiments.load(experiment_file(tmp_path))
    frames = {key: HousingModel(spec.scenario(key).scenario, rng=4, steps=1, residents=80) for key in ("england_baseline", "paternalistic", "co_production")}
    trusts = [model.state.trust_landlord.copy() for model in frames.values()]
    assert all(np.array_equal(trusts[0], t) for t in trusts[1:])  # month 0 is the same today for every policy


def test_editing_either_file_changes_the_derived_scenarios_identity(tmp_path):
    import shutil
    local = tmp_path / "scenarios"
    local.mkdir()
    for name in ("england_baseline", "co_production"):
        shutil.copy(ROOT / "scenarios" / f"{name}.toml", local / f"{name}.toml")
    path = tmp_path / "e.toml"
    path.write_text('scenarios = ["scenarios/england_baseline.toml", "scenarios/co_production.toml"]\nstart_from = "scenarios/england_baseline.toml"\nseeds = 1\n')
    first = experiments.load(path).scenario("co_production").sha256
    with (local / "co_production.toml").open("a") as handle:
        handle.write("\n# edited\n")
    second = experiments.load(path).scenario("co_production").sha256
    with (local / "england_baseline.toml").open("a") as handle:
        handle.write("\n# edited\n")
    third = experiments.load(path).scenario("co_production").sha256
    assert len({first, second, third}) == 3


def test_a_listed_scenario_with_its_own_parameters_is_refused_not_overridden(tmp_path):
    with pytest.raises(UserError, match=r"scenarios\[1\]: scandal_and_cuts.toml sets .*which start_from = 'england_baseline' would replace"):
        experiments.load(experiment_file(tmp_path, scenarios='["england_baseline", "scandal_and_cuts"]'))


def test_posterior_points_are_systematic_draws_and_set_the_status_quos_levers_only(tmp_path, draws):
    write_posterior(tmp_path, draws)
    spec = experiments.load(experiment_file(tmp_path, '[posterior]\nfile = "post"\ndraws = 4\nseed = 2\n'))
    points = sampling.points(spec)
    expected = draws[systematic(np.full(8, 1 / 8), 4, 2)]
    assert [[p[n] for n in NAMES] for p in points] == expected.tolist()
    plan = make_plan(spec, points)
    assert len(plan.runs) == 3 * 4 * 2
    by_scenario = {run.scenario: run.overrides for run in plan.runs if run.point == 1 and run.seed == 1}
    assert by_scenario["england_baseline"]["policy.acts_on_input"] == points[1]["policy.acts_on_input"]  # the status quo carried on: its own lever
    assert by_scenario["co_production"]["status_quo.acts_on_input"] == points[1]["policy.acts_on_input"]  # where the landlord starts from
    assert "policy.acts_on_input" not in by_scenario["co_production"]  # never the lever of the policy switched to
    assert by_scenario["co_production"]["survey.threshold"] == points[1]["survey.threshold"]
    task = plan.task(next(r for r in plan.runs if r.scenario == "co_production" and r.point == 1))
    model = HousingModel(task.scenario, rng=1, steps=1, **task.overrides)
    assert model.config.status_quo_levers["acts_on_input"] == points[1]["policy.acts_on_input"]
    assert model.config.levers["acts_on_input"] == spec.scenario("co_production").scenario.levers["acts_on_input"]


def test_the_posterior_files_are_part_of_the_experiments_identity(tmp_path, draws):
    write_posterior(tmp_path, draws)
    spec = experiments.load(experiment_file(tmp_path, '[posterior]\nfile = "post"\ndraws = 3\n'))
    before = make_plan(spec, sampling.points(spec)).fingerprint
    write_posterior(tmp_path, draws[::-1].copy())
    spec = experiments.load(experiment_file(tmp_path, '[posterior]\nfile = "post"\ndraws = 3\n'))
    assert make_plan(spec, sampling.points(spec)).fingerprint != before


@pytest.mark.parametrize(("extra", "message"), [
    ('[posterior]\nfile = "nothing_here"\n', r"cannot read the posterior's description"),
    ('[posterior]\nfile = "post"\ndraws = 0\n', r"posterior.draws: 0 is not accepted \(accepted: a whole number from 1 to 10000\)"),
    ('[posterior]\nfile = "post"\nsize = 3\n', r"posterior.size: unknown key \(accepted: file, draws, seed\)"),
    ('[posterior]\nfile = "post"\n[uncertainties]\ntrust.gain_rate = { low = 0.01, high = 0.05 }\n', r"posterior: the points are the posterior's draws"),
])
def test_mistakes_in_the_posterior_table_are_one_line(tmp_path, draws, extra, message):
    write_posterior(tmp_path, draws)
    with pytest.raises(UserError, match=message):
        experiments.load(experiment_file(tmp_path, extra))
