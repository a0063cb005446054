"""Experiment files and batch options: what is accepted, and one clear message naming the file and key for what is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.batch import experiment, sampling
from sim.cli import main
from sim.errors import UserError
from sim.mechanisms.outcomes import OUTCOMES
from tests.batch_runs import ROOT, cli, write_experiment
from tests.test_cli import assert_user_error

CALIBRATIONS = [ROOT / "experiments" / "calibration.toml"]  # for `run.py calibrate`, not `batch`
EXPERIMENTS = sorted(set((ROOT / "experiments").glob("*.toml")) - set(CALIBRATIONS))


def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# -- accepted -----------------------------------------------------------------------------


SENSITIVITY_ONLY = {ROOT / "experiments" / "contrast.toml"}  # ranges without levels: for `run.py sensitivity`, not `batch`


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.name)
def test_every_shipped_experiment_loads_and_plans(path):
    from sim.batch import sensitivity
    from sim.batch.plan import make_plan

    spec = experiment.load(path)
    if path in SENSITIVITY_ONLY and spec.factors:
        points = sensitivity.points(spec, sensitivity.design(spec, "morris"))
    else:
        points = sampling.points(spec)
    assert make_plan(spec, points).runs


def test_a_calibration_file_given_to_batch_points_to_calibrate():
    with pytest.raises(UserError, match=r"calibration: this is a calibration file \(accepted: python run.py calibrate .*calibration.toml\)"):
        experiment.load(CALIBRATIONS[0])


def test_the_headline_experiment():
    spec = experiment.load(ROOT / "experiments" / "headline.toml")
    assert [ref.key for ref in spec.scenarios] == ["england_baseline", "paternalistic", "consultation", "co_design", "co_production"]
    assert spec.baseline == "england_baseline" and spec.start_from.endswith("england_baseline.toml")
    assert [ref.switches_at_month_0 for ref in spec.scenarios] == [False, True, True, True, True]
    assert spec.seeds == tuple(range(1, 7))
    assert spec.steps == 120
    groups = tuple(f"{o}_{g}" for o in ("wellbeing", "trust_landlord") for g in ("most_stigmatised", "least_stigmatised", "in_work", "out_of_work"))
    assert spec.outcomes == OUTCOMES + groups  # the stable outcomes, then by group for the finding's "for whom"
    assert spec.factors == () and spec.posterior is not None and spec.posterior.draws == 10
    assert len(spec.scenarios[1].sha256) == 64


def test_the_conditions_experiment_varies_each_parameter_over_its_declared_plausible_range():
    """experiments/conditions.toml (the main job's second part): its ranges are the declarations' own, so they cannot drift apart."""
    from sim import catalogue

    declared = {f"{section.name}.{param.name}": param for section in catalogue.SECTIONS for param in section.params}
    spec = experiment.load(ROOT / "experiments" / "conditions.toml")
    assert [ref.key for ref in spec.scenarios] == ["england_baseline", "paternalistic", "consultation", "co_design", "co_production"]
    assert len(spec.factors) == 15 and {f.group for f in spec.factors} == {"uncertainties"}
    for factor in spec.factors:
        assert (factor.low, factor.high) == declared[factor.name].plausible, factor.name


def test_levers_uncertainties_and_constants_are_kept_apart(tmp_path):
    path = write(tmp_path, """
scenarios = ["co_production"]
seeds = [3, 7]
[levers]
policy.outreach = [0.0, 0.2]
"policy.power_share" = { low = 0.0, high = 1.0, levels = 3 }
[uncertainties.landlord]
belief_accuracy = [0.25, 0.75]
[constants]
residents = 300
trust__gain_rate = 0.1
""")
    spec = experiment.load(path)
    assert [(f.name, f.group) for f in spec.factors] == [("policy.outreach", "levers"), ("policy.power_share", "levers"), ("landlord.belief_accuracy", "uncertainties")]
    assert spec.constants == {"community.residents": 300, "trust.gain_rate": 0.1}
    assert spec.seeds == (3, 7)
    assert spec.factors[1].grid_values() == (0.0, 0.5, 1.0)
    assert len(sampling.points(spec)) == 2 * 3 * 2


def test_the_policy_itself_can_be_a_lever(tmp_path):
    spec = experiment.load(write(tmp_path, 'scenarios = ["paternalistic"]\n[levers]\npolicy = ["consultation", "co_design"]\n'))
    assert spec.factors[0].name == "policy.name"
    assert sampling.points(spec) == [{"policy.name": "consultation"}, {"policy.name": "co_design"}]


def test_steps_default_to_the_scenarios_own(tmp_path):
    assert experiment.load(write(tmp_path, 'scenarios = ["paternalistic"]\n')).steps == 120


# -- refused ------------------------------------------------------------------------------

BAD = [
    ('scenarios = ["paternalistic"]\nseed = 3\n', ["seed: unknown key", "did you mean 'seeds'?", "accepted:"]),
    ("seeds = 3\n", ["scenarios: missing", "accepted:"]),
    ('scenarios = ["paternalistik"]\n', ["scenarios[0]: no such scenario file", "did you mean 'paternalistic'?"]),
    ('scenarios = ["paternalistic", "paternalistic"]\n', ["scenarios[1]", "listed twice"]),
    ('scenarios = ["paternalistic"]\nseeds = 0\n', ["seeds: 0 is not accepted", "accepted:"]),
    ('scenarios = ["paternalistic"]\nseeds = [1, 2, 1]\n', ["seeds: 1 is listed twice"]),
    ('scenarios = ["paternalistic"]\nseeds = [-1]\n', ["seeds: -1 is not accepted"]),
    ('scenarios = ["paternalistic"]\nseeds = "ten"\n', ["seeds: 'ten' is not accepted"]),
    ('scenarios = ["paternalistic"]\nsteps = 0\n', ["steps: 0 is not accepted", "from 1 to"]),
    ('scenarios = ["paternalistic"]\noutcomes = ["trust"]\n', ["outcomes[0]: 'trust' is not an outcome", "accepted:"]),
    ('scenarios = ["paternalistic"]\nbaseline = "co_design"\n', ["baseline: 'co_design' is not one of the experiment's scenarios"]),
    ('scenarios = ["paternalistic"]\n[levers]\npolicy.outreech = [0.1]\n', ["levers: policy.outreech: unknown key", "did you mean 'outreach'?"]),
    ('scenarios = ["paternalistic"]\n[levers]\npolicy.outreach = [0.1, 2.0]\n', ["levers.policy.outreach: 2.0 is not accepted", "[0, 1]"]),
    ('scenarios = ["paternalistic"]\n[levers]\npolicy.outreach = { low = 0.5, high = 0.1, levels = 3 }\n', ["levers.policy.outreach: low 0.5 is not below high 0.1"]),
    ('scenarios = ["paternalistic"]\n[levers]\npolicy.outreach = { low = 0.0, hihg = 0.1 }\n', ["levers.policy.outreach.hihg: unknown key", "did you mean 'high'?"]),
    ('scenarios = ["paternalistic"]\n[levers]\npolicy.outreach = 0.2\n', ["levers.policy.outreach: 0.2 is not accepted", "[constants]"]),
    ('scenarios = ["paternalistic"]\n[levers]\npolicy.outreach = [0.1]\n[constants]\npolicy.outreach = 0.2\n', ["constants.policy.outreach: already given in [levers]"]),
    ('scenarios = ["paternalistic"]\n[uncertainties]\ntrsut.gain_rate = [0.1]\n', ["uncertainties: trsut.gain_rate: unknown parameter", "did you mean 'trust'?"]),
    ('scenarios = ["paternalistic"]\n[levers]\npolicy = ["co_prod"]\n', ["levers.policy.name: 'co_prod' is not accepted", "co_production"]),
    ('scenarios = ["paternalistic"]\n[constants]\ncommunity.residents = 1\n', ["constants.community.residents: 1 is not accepted", "[2, 5e+07]"]),
    ('scenarios = ["paternalistic"]\n[levers]\ncommunity.network_file = { low = 0, high = 1 }\n', ["levers.community.network_file: a range needs a numeric parameter"]),
    ('scenarios = ["paternalistic"]\n[sampling]\nmethod = "random"\n', ["sampling.method: 'random' is not accepted", "grid, latin, sobol"]),
    ('scenarios = ["paternalistic"]\n[levers]\npolicy.outreach = { low = 0, high = 1 }\n[sampling]\nmethod = "sobol"\nsamples = 10\n', ["sampling.samples: 10 is not accepted", "power of 2"]),
    ('scenarios = ["paternalistic"]\n[levers]\npolicy.outreach = { low = 0, high = 1 }\n[sampling]\nmethod = "latin"\n', ["sampling.samples: missing"]),
    ('scenarios = ["paternalistic"]\n[sampling]\nmethods = "grid"\n', ["sampling.methods: unknown key", "did you mean 'method'?"]),
    ('scenarios = ["paternalistic"]\n[sensitivity]\nlevels = 3\n', ["sensitivity.levels: 3 is not accepted", "even"]),
    ('scenarios = ["paternalistic"\n', ["not valid TOML"]),
]


@pytest.mark.parametrize(("text", "fragments"), BAD, ids=[fragments[0] for _, fragments in BAD])
def test_a_bad_experiment_file_is_one_clear_sentence(tmp_path, text, fragments):
    path = write(tmp_path, text)
    with pytest.raises(UserError) as caught:
        spec = experiment.load(path)
        sampling.points(spec)
    message = str(caught.value)
    assert message.startswith(str(path) + ": "), message
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_a_grid_needs_levels_for_a_range(tmp_path):
    spec = experiment.load(write(tmp_path, 'scenarios = ["paternalistic"]\n[levers]\npolicy.outreach = { low = 0.0, high = 0.4 }\n'))
    with pytest.raises(UserError, match=r"exp\.toml: levers\.policy\.outreach: a range needs levels for grid sampling"):
        sampling.points(spec)


DUPLICATES = [
    ("[levers]\nresidents = [50, 60]\ncommunity.residents = [70, 80]\n", "levers: community.residents: given twice (as residents and as community.residents)"),
    ("[levers]\ncommunity.residents = [70, 80]\nresidents = [50, 60]\n", "levers: community.residents: given twice (as community.residents and as residents)"),
    ('[levers]\n"policy.outreach" = [0.1]\npolicy.outreach = [0.2]\n', 'levers: policy.outreach: given twice (as "policy.outreach" and as policy.outreach)'),
    ('[levers]\n"policy.outreach" = [0.1]\n\n[levers.policy]\noutreach = [0.2]\n', 'levers: policy.outreach: given twice (as "policy.outreach" and as policy.outreach)'),
    ("[constants]\ncommunity.residents = 50\ncommunity__residents = 60\n", "constants: community.residents: given twice (as community.residents and as community__residents)"),
    ('[uncertainties]\ntrust.gain_rate = [0.1]\ntrust = { gain_rate = [0.2] }\n', None),  # TOML itself refuses this one
]


@pytest.mark.parametrize(("table", "fragment"), DUPLICATES, ids=[t.replace("\n", " ") for t, _ in DUPLICATES])
def test_a_parameter_given_twice_is_refused_not_overwritten(tmp_path, table, fragment):
    """TOML refuses a key written twice the same way, not `residents` and `community.residents`: the second must not silently win."""
    path = write(tmp_path, 'scenarios = ["paternalistic"]\n' + table)
    with pytest.raises(UserError) as caught:
        experiment.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    if fragment is None:
        assert "not valid TOML" in message, message
    else:
        assert fragment in message and message.endswith("(accepted: each parameter once, under one name)"), message


def test_a_parameter_given_twice_on_the_command_line(tmp_path):
    path = write(tmp_path, 'scenarios = ["paternalistic"]\nseeds = 1\n[levers]\nresidents = [50, 60]\ncommunity.residents = [70, 80]\n')
    assert_user_error(cli("batch", path, "--out", tmp_path / "out"), str(path), "community.residents: given twice")
    assert not (tmp_path / "out").exists()


def test_missing_experiment_file_on_the_command_line(tmp_path):
    result = cli("batch", tmp_path / "missing.toml")
    assert_user_error(result, "missing.toml", "no such experiment file", "accepted")


def test_bad_key_on_the_command_line(tmp_path):
    path = write(tmp_path, 'scenarios = ["paternalistic"]\n[levers]\npolicy.outreech = [0.1]\n')
    assert_user_error(cli("batch", path), str(path), "policy.outreech", "did you mean 'outreach'?")


OPTIONS = [
    (["batch", "experiments/headline.toml", "--executor", "spark"], ["--executor: 'spark' is not accepted", "process, dask"]),
    (["batch", "experiments/headline.toml", "--workers", "0"], ["--workers: 0 is not accepted"]),
    (["batch", "experiments/headline.toml", "--scheduler", "tcp://127.0.0.1:1"], ["--scheduler: only used with --executor dask"]),
    (["batch", "experiments/headline.toml", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], ["--workers: cannot be combined with --scheduler"]),
    (["compare", "--seeds", "0"], ["--seeds: 0 is not accepted"]),
    (["compare", "--steps", "0"], ["--steps: 0 is not accepted"]),
    (["compare", "co_desing"], ["scenarios[0]: no such scenario file", "did you mean 'co_design'?"]),
    (["compare", "--set", "trust.gain_rat=0.1"], ["--set: trust.gain_rat: unknown key", "did you mean 'gain_rate'?"]),
    (["compare", "--set", "trust.gain_rate=7"], ["--set: trust.gain_rate: 7 is not accepted", "[0, 1]"]),
    (["compare", "paternalistic", "co_design", "--baseline", "co_production"], ["baseline: 'co_production' is not one of"]),
    (["sensitivity", "experiments/headline.toml"], ["experiments/headline.toml: levers, uncertainties: nothing varies"]),
    (["sensitivity", "experiments/outreach_power.toml"], ["levers.policy.outreach: sensitivity analysis needs a range, not a list"]),
    (["sensitivity", "experiments/sensitivity.toml", "--method", "fast"], ["--method: 'fast' is not accepted", "morris, sobol"]),
]


@pytest.mark.parametrize(("argv", "fragments"), OPTIONS, ids=[" ".join(a[:1] + a[2:]) for a, _ in OPTIONS])
def test_a_bad_option_is_one_clear_sentence(capsys, argv, fragments):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in err[0], err[0]


def test_out_must_be_a_folder(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("mine")
    path = write_experiment(tmp_path / "tiny.toml")
    assert main(["batch", str(path), "--out", str(target), "--quiet"]) == 2
    assert "--out" in capsys.readouterr().err
    assert target.read_text() == "mine"


def test_out_must_not_be_someone_elses_folder(tmp_path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    path = write_experiment(tmp_path / "tiny.toml")
    assert main(["batch", str(path), "--out", str(other), "--quiet"]) == 2
    assert "is not empty and holds no manifest.json" in capsys.readouterr().err


def test_report_of_a_folder_that_is_not_a_results_folder(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "not a results folder" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["compare", "batch", "report", "sensitivity"])
def test_help(capsys, command):
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: run.py {command}")
    if command != "report":
        for option in ("--workers", "--executor", "--scheduler", "--out", "--quiet"):
            assert option in out
