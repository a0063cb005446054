"""The command line (``python run.py ...``) run as a subprocess: help, run, check, and how a mistake is reported.

A user's mistake prints exactly one ``error: ...`` line on stderr, exits with
status 2 and shows no traceback.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from sim.mechanisms.outcomes import OUTCOMES
from sim.provenance import git_commit

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "scenarios").glob("*.toml"))
SCENARIO = "scenarios/co_production.toml"
HUGE = "1" + "0" * 400


def run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def assert_user_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit status 2, one ``error:`` line on stderr (containing each fragment), no traceback; returns the line."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """``run scenarios/co_production.toml --steps 3 --out TMP --seed 5`` once, shared by several tests."""
    out = tmp_path_factory.mktemp("cli") / "out"
    result = run("run", SCENARIO, "--steps", "3", "--seed", "5", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


# -- help ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["run"], ["check"], ["params"], ["policies"]], ids=lambda c: " ".join(c) or "main")
def test_help_exits_zero(command):
    result = run(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
    assert result.stderr == ""
    if not command:
        for name in ("run", "check", "params", "policies"):
            assert name in result.stdout


def test_version_names_the_package_version_and_the_commit():
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    line = result.stdout.strip()
    assert line.startswith(f"social-housing-sim {metadata.version('social-housing-sim')}"), line
    commit = git_commit()
    assert commit is not None, "the tests run in a git checkout"
    assert f"git commit {commit.removesuffix('+dirty')}" in line, line
    assert "--version" in run("--help").stdout


def test_every_command_and_argument_is_described():
    """Each command's --help says what it does (a description, not just the usage line) and what each argument is."""
    import argparse

    from sim.cli import _parser

    parser = _parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in commands.choices.items():
        assert command.description, f"run.py {name} --help has no description"
        for action in command._actions:
            assert action.help, f"run.py {name}: {'/'.join(action.option_strings) or action.dest} has no help"
    for action in parser._actions:
        assert action.help or action is commands, f"run.py: {action.dest} has no help"


@pytest.mark.parametrize("command", ["check", "params", "policies"])
def test_help_of_the_listing_commands_says_what_they_print(command):
    result = run(command, "--help")
    assert result.returncode == 0, result.stderr
    description = result.stdout.split("\n\n")[1]  # after the usage paragraph
    assert description.startswith(("Read and check", "Print a Markdown table")), result.stdout


# -- run ----------------------------------------------------------------------------


def test_run_writes_the_time_series(first_run):
    columns, rows = read_csv(first_run / "timeseries.csv")
    assert columns[0] == "step"
    assert [row["step"] for row in rows] == ["1", "2", "3"]
    assert len(OUTCOMES) == 20
    assert set(OUTCOMES) <= set(columns)
    assert columns[1:1 + len(OUTCOMES)] == list(OUTCOMES)  # the stable columns, in their stable order
    for row in rows:
        for column in OUTCOMES:
            float(row[column])  # every outcome is a number


def test_run_writes_the_manifest(first_run):
    manifest = json.loads((first_run / "manifest.json").read_text())
    assert manifest["seed"] == 5
    assert manifest["status"] == "complete"
    assert manifest["steps_completed"] == 3
    scenario = manifest["scenario"]
    assert scenario["steps"] == 3
    assert scenario["name"] == "Co-production"
    assert scenario["source"] == SCENARIO
    assert scenario["policy"]["name"] == "co_production"
    assert scenario["policy"]["outreach"] == 0.2
    assert scenario["community"]["residents"] == 1000
    assert "gain_rate" in scenario["trust"]
    versions = manifest["versions"]
    assert versions["python"] == ".".join(map(str, sys.version_info[:3]))
    for package in ("mesa", "numpy", "pandas", "networkx", "scipy", "social-housing-sim"):
        assert versions[package] == metadata.version(package)


def test_run_into_an_existing_folder_with_the_default_seed(tmp_path):
    out = tmp_path / "exists"
    out.mkdir()
    result = run("run", SCENARIO, "--steps", "2", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "trust_landlord" in result.stdout  # the summary
    assert "timeseries.csv" in result.stdout
    assert len(read_csv(out / "timeseries.csv")[1]) == 2
    assert json.loads((out / "manifest.json").read_text())["seed"] == 1  # no --seed, no seed in the scenario


def test_same_seed_gives_identical_time_series(first_run, tmp_path):
    again = tmp_path / "again"
    result = run("run", SCENARIO, "--steps", "3", "--seed", "5", "--out", again)
    assert result.returncode == 0, result.stderr
    assert (again / "timeseries.csv").read_bytes() == (first_run / "timeseries.csv").read_bytes()


def test_seed_changes_results(first_run, tmp_path):
    other = tmp_path / "other"
    result = run("run", SCENARIO, "--steps", "3", "--seed", "6", "--out", other)
    assert result.returncode == 0, result.stderr
    assert (other / "timeseries.csv").read_bytes() != (first_run / "timeseries.csv").read_bytes()
    assert json.loads((other / "manifest.json").read_text())["seed"] == 6


def test_set_is_recorded_in_the_manifest(first_run, tmp_path):
    out = tmp_path / "set"
    result = run("run", SCENARIO, "--steps", "3", "--seed", "5", "--set", "policy.outreach=0.5", "--set", "trust.gain_rate=0.1", "--out", out)
    assert result.returncode == 0, result.stderr
    scenario = json.loads((out / "manifest.json").read_text())["scenario"]
    assert scenario["policy"]["outreach"] == 0.5
    assert scenario["policy"]["name"] == "co_production"
    assert scenario["trust"]["gain_rate"] == 0.1
    assert (out / "timeseries.csv").read_bytes() != (first_run / "timeseries.csv").read_bytes()


# -- check ----------------------------------------------------------------------------


def test_check_all_scenarios():
    result = run("check", *SCENARIOS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok: ") == len(SCENARIOS)
    assert result.stderr == ""


def test_check_stops_at_the_first_bad_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[trust]\ngain_rat = 0.1\n")
    result = run("check", SCENARIO, bad, "scenarios/paternalistic.toml")
    assert_user_error(result, str(bad), "trust.gain_rat", "gain_rate", "accepted")
    assert f"ok: {SCENARIO}" in result.stdout
    assert "paternalistic.toml" not in result.stdout


def test_shipped_scenarios_by_name_from_another_folder(tmp_path):
    """Names (and the README's scenarios/NAME.toml) work wherever run.py is started from."""
    result = subprocess.run([sys.executable, ROOT / "run.py", "check", "co_design", "scenarios/paternalistic.toml", "consultation.toml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("; ")[1] for line in lines] == ["policy co_design", "policy paternalistic", "policy consultation"], lines
    ran = subprocess.run([sys.executable, ROOT / "run.py", "run", "co_design", "--steps", "2", "--set", "residents=40", "--out", tmp_path / "o"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["scenario"]["policy"]["name"] == "co_design"


def test_an_unknown_scenario_name_lists_the_shipped_ones():
    line = assert_user_error(run("check", "co_desing"), "co_desing: no such scenario", "did you mean 'co_design'?")
    for path in SCENARIOS:
        assert Path(path).stem in line


def test_check_a_missing_file():
    assert_user_error(run("check", "scenarios/no_such_file.toml"), "scenarios/no_such_file.toml", "accepted")


# -- mistakes ----------------------------------------------------------------------------


def test_missing_scenario_file(tmp_path):
    line = assert_user_error(run("run", "scenarios/no_such_file.toml", "--steps", "2", "--out", tmp_path / "o"), "scenarios/no_such_file.toml", "accepted")
    assert "no such" in line


def test_bad_toml(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[trust\ngain_rate = 0.1\n")
    assert_user_error(run("run", bad, "--steps", "2", "--out", tmp_path / "o"), str(bad), "TOML")


def test_unknown_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[trust]\ngain_rat = 0.1\n")
    assert_user_error(run("run", bad, "--steps", "2", "--out", tmp_path / "o"), str(bad), "trust.gain_rat", "did you mean 'gain_rate'?", "accepted")


def test_set_without_equals(tmp_path):
    assert_user_error(run("run", SCENARIO, "--steps", "2", "--set", "nonsense", "--out", tmp_path / "o"), "--set", "nonsense", "accepted")


def test_set_out_of_range(tmp_path):
    assert_user_error(run("run", SCENARIO, "--steps", "2", "--set", "trust.gain_rate=7", "--out", tmp_path / "o"), "--set", "trust.gain_rate", "[0, 1]", "accepted")


def test_set_unknown_key(tmp_path):
    assert_user_error(run("run", SCENARIO, "--steps", "2", "--set", "trust.gain_rat=0.1", "--out", tmp_path / "o"), "--set", "did you mean 'gain_rate'?")


def test_out_is_an_existing_file(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("not a folder")
    assert_user_error(run("run", SCENARIO, "--steps", "2", "--out", target), "--out", str(target), "accepted")
    assert target.read_text() == "not a folder"


def test_out_inside_a_file(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("")
    assert_user_error(run("run", SCENARIO, "--steps", "2", "--out", target / "sub"), "--out", "accepted")


def test_negative_seed(tmp_path):
    assert_user_error(run("run", SCENARIO, "--steps", "2", "--seed", "-1", "--out", tmp_path / "o"), "--seed", "-1", "accepted")
    assert not (tmp_path / "o").exists()


def test_a_seed_beyond_what_files_accept(tmp_path):
    # issue 16 item 8: files cap seeds at 2^63-1, and --seed now does too
    assert_user_error(run("run", SCENARIO, "--steps", "2", "--seed", str(2**70), "--out", tmp_path / "o"), "--seed", str(2**63 - 1))
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", [["run", SCENARIO, "--steps", "2"], ["batch", "experiments/headline.toml", "--seeds", "1"]])
def test_an_empty_out_is_refused(command):
    # an unset shell variable ($OUT) would otherwise write into the current folder
    before = set(ROOT.iterdir())
    assert_user_error(run(*command, "--out", ""), "--out", "empty", "accepted")
    assert set(ROOT.iterdir()) == before


def test_long_keys_and_file_names_are_cut_in_messages(tmp_path):
    # issue 16 item 8: a 1 MB key was echoed whole; a 5,000-character network file name was an OSError traceback
    long_key = tmp_path / "long_key.toml"
    long_key.write_text(f"[community]\n{'k' * 1_000_000} = 1\n")
    assert len(assert_user_error(run("check", long_key), "community.kkk", "...", "accepted")) < 1000
    network = tmp_path / "network.toml"
    network.write_text(f'[community]\nnetwork_file = "{"n" * 5000}.txt"\n')
    assert len(assert_user_error(run("run", network, "--steps", "2", "--out", tmp_path / "o"), "network file", "...", "accepted")) < 1000
    assert len(assert_user_error(run("check", "s" * 5000 + ".toml"), "...", "accepted")) < 1000


def test_set_events_says_what_is_accepted(tmp_path):
    line = assert_user_error(run("run", SCENARIO, "--set", "events=[]", "--out", tmp_path / "o"), "--set: events", "[[events]]", "accepted")
    assert "did you mean 'events'" not in line


def test_zero_steps(tmp_path):
    assert_user_error(run("run", SCENARIO, "--steps", "0", "--out", tmp_path / "o"), "steps", "from 1 to")


def test_scenario_is_a_folder(tmp_path):
    assert_user_error(run("run", "scenarios", "--steps", "2", "--out", tmp_path / "o"), "scenarios", "accepted")


def test_set_huge_integer(tmp_path):
    assert_user_error(run("run", SCENARIO, "--steps", "2", "--set", f"trust.gain_rate={HUGE}", "--out", tmp_path / "o"), "--set", "trust.gain_rate")


def test_check_event_type_list(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[events]]\nstep = 1\ntype = ["funding_cut"]\n')
    assert_user_error(run("check", bad), str(bad), "events[0].type")


def test_check_reads_a_scenarios_network_file_as_a_run_would(tmp_path):
    """Before, check printed 'ok:' for a scenario whose network file run rejects."""
    bad_network = tmp_path / "net.txt"
    bad_network.write_text("0 1 5.0\n1 2\n")  # a weight outside (0, 1]
    scenario = tmp_path / "with_network.toml"
    scenario.write_text(f'name = "Own network"\n[community]\nnetwork_file = "{bad_network}"\n')
    assert_user_error(run("check", scenario), str(scenario), "network_file")
    assert "error:" in run("run", scenario, "--steps", "1", "--out", tmp_path / "out").stderr  # the same file, refused by run too
    bad_network.write_text("0 1 0.5\n1 2\n2 3\n")
    result = run("check", scenario)
    assert result.returncode == 0 and result.stdout.startswith(f"ok: {scenario}"), result.stderr


def test_check_takes_experiment_and_calibration_files():
    result = run("check", "experiments/headline.toml", "experiments/calibration.toml", "experiments/contrast.toml")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok: experiments/headline.toml (experiment: ") and lines[0].endswith(" runs)")
    assert lines[1].startswith("ok: experiments/calibration.toml (calibration file: ")
    assert lines[2].startswith("ok: experiments/contrast.toml (sensitivity experiment: ")


def test_check_refuses_an_experiment_whose_point_a_scenario_rejects(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(f'name = "x"\nscenarios = ["{ROOT / SCENARIO}"]\nseeds = 1\n[levers]\n"trust.gain_rate" = [0.1, 7.0]\n')
    assert_user_error(run("check", experiment), str(experiment), "trust.gain_rate")
