"""Size guards (issue 16, item 6): a model too big for memory, a plan too big to list, a file too big to read are refused up front.

The machine's memory and the limits are patched small, so no test allocates
much or waits: without a guard each test gets a result instead of the
refusal it expects, and fails.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sim import cli, size_guard
from sim.batch import experiment, sampling
from sim.errors import UserError
from tests.batch_runs import ROOT, write_experiment


@pytest.fixture
def small_machine(monkeypatch):
    """A machine with 200 MB available: one model of 1,000 households (152 MB) fits, two do not."""
    monkeypatch.delenv(size_guard.FORCE_VARIABLE, raising=False)
    monkeypatch.setattr(size_guard, "available_mb", lambda: 200.0)


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    return err


# -- the memory model ----------------------------------------------------------------------


def test_estimate_follows_the_measured_peaks():
    # Measured with experiments/benchmark.py (sim/size_guard.py): within 15% of every measured peak, never far below.
    for households, measured in ((1_000, 149), (10_000, 162), (100_000, 294), (300_000, 563), (1_000_000, 1540)):
        assert measured * 0.97 <= size_guard.estimate_mb(households) <= measured * 1.15


def test_available_memory_is_read_from_this_machine():
    available = size_guard.available_mb()
    assert available is None or 10 < available < 2**40


# -- memory: the model, run, compare, batch --------------------------------------------------


def test_model_too_big_for_memory_is_refused_before_it_is_built(small_machine):
    from sim.model import HousingModel

    with pytest.raises(UserError, match=r"HousingModel arguments: community\.residents: 1,000,000 households need about 1,700 MB .* 200 MB available .*SHS_NO_SIZE_GUARD=1"):
        HousingModel(residents=1_000_000)
    HousingModel(residents=1_000)  # fits: built


def test_model_from_a_scenario_file_names_the_file(small_machine, tmp_path):
    from sim.model import HousingModel

    path = tmp_path / "big.toml"
    path.write_text("[community]\nresidents = 50000\n")
    with pytest.raises(UserError, match=rf"^{path}: community\.residents: 50,000 households"):
        HousingModel(path)


def test_the_variable_lets_a_bigger_model_through(small_machine, monkeypatch):
    monkeypatch.setenv(size_guard.FORCE_VARIABLE, "1")
    size_guard.check_memory(50_000_000, "x")  # no error: the user asked to proceed


def test_run_refuses_in_one_line_and_writes_nothing(small_machine, tmp_path, capsys):
    out = tmp_path / "out"
    status = cli.main(["run", "scenarios/co_production.toml", "--set", "community.residents=50000000", "--out", str(out)])
    err = one_error_line(capsys)
    assert status == 2 and not out.exists()
    assert "--set: community.residents: 50,000,000 households" in err and "this machine has 200 MB available" in err


def test_compare_refuses_before_any_run(small_machine, tmp_path, capsys):
    out = tmp_path / "out"
    status = cli.main(["compare", "paternalistic", "--set", "community.residents=50000", "--seeds", "1", "--workers", "1", "--out", str(out), "--quiet"])
    assert status == 2 and "community.residents: 50,000 households" in one_error_line(capsys)
    assert not (out / "runs").exists()


def test_batch_counts_each_worker(small_machine, tmp_path, capsys):
    path = write_experiment(tmp_path / "exp.toml", residents=1000, seeds=2)
    status = cli.main(["batch", str(path), "--workers", "2", "--out", str(tmp_path / "out"), "--quiet"])
    err = one_error_line(capsys)
    assert status == 2 and f"{path}: constants.community.residents: 1,000 households need about 303 MB of memory for each of 2 workers" in err
    assert "fewer workers (--workers)" in err


# -- plan size -----------------------------------------------------------------------------------


def load(tmp_path: Path, text: str) -> experiment.Experiment:
    path = tmp_path / "exp.toml"
    path.write_text('scenarios = ["co_production"]\n' + text)
    return experiment.load(path)


def test_grid_is_counted_before_it_is_listed(tmp_path, monkeypatch):
    monkeypatch.setattr(size_guard, "MAX_RUNS", 100)
    spec = load(tmp_path, "seeds = 2\n[levers]\npolicy.outreach = { low = 0.0, high = 1.0, levels = 10 }\npolicy.power_share = { low = 0.0, high = 1.0, levels = 6 }\n")
    with pytest.raises(UserError, match=r"exp\.toml: grid sampling over 10 x 6 levels, 1 scenario and 2 seeds make 120 runs, more than the 100 one plan may hold"):
        sampling.points(spec)
    assert len(sampling.points(load(tmp_path, "seeds = 1\n[levers]\npolicy.outreach = { low = 0.0, high = 1.0, levels = 10 }\n"))) == 10


def test_samples_are_counted_before_they_are_drawn(tmp_path, monkeypatch):
    monkeypatch.setattr(size_guard, "MAX_RUNS", 100)
    spec = load(tmp_path, "seeds = 1\n[levers]\npolicy.outreach = { low = 0.0, high = 1.0 }\n[sampling]\nmethod = \"latin\"\nsamples = 101\n")
    with pytest.raises(UserError, match=r"sampling\.samples = 101, 1 scenario and 1 seed make 101 runs"):
        sampling.points(spec)


def test_the_issues_grid_is_refused_at_the_real_limit(tmp_path):
    levers = "".join(f"policy.{name} = {{ low = 0.0, high = 1.0, levels = 10000 }}\n" for name in ("outreach", "power_share", "co_delivery"))
    spec = load(tmp_path, "seeds = 1\n[levers]\n" + levers)
    with pytest.raises(UserError, match=r"1,000,000,000,000 runs, more than the 1,000,000"):
        sampling.points(spec)


# -- file size -----------------------------------------------------------------------------------


def test_files_over_the_cap_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(size_guard, "MAX_FILE_BYTES", 1000)
    from sim import scenario

    path = tmp_path / "padded.toml"
    path.write_text("#" * 998 + "\n\n")  # exactly the cap: read
    scenario.load(path)
    path.write_text("#" * 999 + "\n\n")
    with pytest.raises(UserError, match=r"padded\.toml: larger than 1,000 bytes \(accepted: scenario files of at most 1,000 bytes"):
        scenario.load(path)
    with pytest.raises(UserError, match=r"padded\.toml: larger than 1,000 bytes \(accepted: experiment files of"):
        experiment.load(path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_check_dev_zero_is_refused_at_once():
    def limit_memory():  # an unguarded reader hits this limit (a MemoryError, exit 1) instead of filling the machine
        resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))

    done = subprocess.run([sys.executable, "run.py", "check", "/dev/zero"], cwd=ROOT, capture_output=True, text=True, timeout=300, preexec_fn=limit_memory)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "error: /dev/zero: larger than 10 MB (accepted: scenario files of at most 10 MB, " \
        "as the shipped ones of a few kB; or set SHS_NO_SIZE_GUARD=1 to proceed anyway)\n"
