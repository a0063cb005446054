"""The speed tools run and report what they say (their numbers are measured, not asserted: no timed tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_benchmark_reports_each_size_the_median_of_its_repeats_and_the_reference(tmp_path):
    out = tmp_path / "bench.json"
    result = run("experiments/benchmark.py", "--sizes", "200", "400", "--steps", "3", "--repeat", "3", "--reference-size", "200", "--json", str(out))
    assert result.returncode == 0, result.stderr
    payload = json.loads(out.read_text())
    assert [row["residents"] for row in payload["sizes"]] == [200, 400]
    for row in payload["sizes"]:
        assert row["steps"] == 3 and len(row["runs_s"]) == 3
        assert row["run_s"] == sorted(row["runs_s"])[1]  # the run of median length
        assert row["peak_memory_mb"] > 0 and row["build_s"] >= 0
    assert payload["reference"]["residents"] == 200 and payload["reference"]["speed_ratio"] > 0
    assert "over 3" in result.stdout and "faster" in result.stdout


def test_benchmark_refuses_fewer_than_one_repeat():
    result = run("experiments/benchmark.py", "--sizes", "200", "--repeat", "0")
    assert result.returncode == 2 and "--repeat must be at least 1" in result.stderr


def test_phase_profile_lists_every_phase_for_both_trees():
    result = run("experiments/phase_profile.py", "--sizes", "200", "--steps", "2", "--rounds", "1", "--against", str(ROOT))
    assert result.returncode == 0, result.stderr
    from sim.model import PHASES

    lines = result.stdout.splitlines()
    listed = {line.split()[0] for line in lines if line and not line.startswith(("phase", "200 households"))}
    assert {name for name, _ in PHASES} <= listed | {"whole"}
    assert all(len(line.split()) == 3 for line in lines if line.split() and line.split()[0] in dict(PHASES))


def test_phase_profile_refuses_a_folder_that_is_not_a_checkout(tmp_path):
    result = run("experiments/phase_profile.py", "--against", str(tmp_path))
    assert result.returncode == 2 and "not a checkout of this project" in result.stderr


def test_a_bad_size_stops_the_benchmark_with_one_sentence_and_keeps_what_was_measured(tmp_path):
    out = tmp_path / "bench.json"
    result = run("experiments/benchmark.py", "--sizes", "200", "1", "--steps", "2", "--reference-size", "0", "--json", str(out))
    assert result.returncode == 1
    assert "community.residents: 1 is not accepted" in result.stderr and "Traceback" not in result.stderr
    assert [row["residents"] for row in json.loads(out.read_text())["sizes"]] == [200]


def test_an_unknown_policy_stops_the_phase_profile_with_one_sentence():
    result = run("experiments/phase_profile.py", "--sizes", "100", "--rounds", "1", "--policy", "nonsense")
    assert result.returncode == 1
    assert "unknown policy 'nonsense'" in result.stderr and "Traceback" not in result.stderr


def test_the_peer_needs_an_interpreter_with_starsim_and_says_so_in_one_line_before_measuring(tmp_path):
    # A bare virtual environment's interpreter has no starsim, whatever this one has.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    bare = tmp_path / "venv" / "bin" / "python"
    out = tmp_path / "bench.json"
    result = run("experiments/benchmark.py", "--sizes", "200", "--steps", "2", "--peer", "starsim", "--peer-python", str(bare), "--json", str(out))
    assert result.returncode == 2 and result.stdout == "" and not out.exists()
    assert result.stderr.strip() == (
        f"--peer starsim: starsim is not installed for {bare} (pip install starsim==3.7.2, e.g. in its own virtual environment, "
        "then --peer-python that environment's bin/python)"
    )
    missing = run("experiments/benchmark.py", "--peer", "starsim", "--peer-python", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and missing.stderr.strip() == f"--peer-python {tmp_path / 'nothing'}: cannot run it (No such file or directory)"


FAKE_STARSIM = '''
"""A stand-in with the few names experiments/benchmark.py uses of Starsim (the real one is measured, not tested)."""
import sys

assert "sim" not in sys.modules, "the peer's process imported the project"
__version__ = "0.0-fake"


class RandomNet:
    def __init__(self, n_contacts):
        self.n_contacts = n_contacts


class SIS:
    pass


class _Time:
    ti = 0


class Sim:
    def __init__(self, n_agents, networks, diseases, start, stop, dt, rand_seed, verbose):
        self.n, self.t = n_agents, _Time()
        self.t.npts = int((stop - start) / dt) + 1
        self.networks = [type("Net", (), {"edges": type("Edges", (), {"p1": [0] * (n_agents * networks.n_contacts // 2)})})()]
        self.diseases = [type("Disease", (), {"results": type("Results", (), {"prevalence": [0.01, 0.25]})})()]

    def init(self):
        return self

    def run_one_step(self):
        self.t.ti += 1
        return self

    def run(self):
        return self.init()
'''


def test_the_peer_alternates_with_ours_in_a_process_without_the_project_and_reports_the_ratio(tmp_path):
    (tmp_path / "starsim.py").write_text(FAKE_STARSIM)
    out = tmp_path / "bench.json"
    args = ["experiments/benchmark.py", "--sizes", "200", "--steps", "3", "--burn-in", "2", "--repeat", "3", "--reference-size", "0", "--peer", "starsim", "--json", str(out)]
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(out.read_text())
    assert payload["peer"]["version"] == "0.0-fake" and payload["peer"]["python"] == sys.executable
    row = payload["sizes"][0]
    peer = row["peer"]
    assert peer["agents"] == 200 and peer["steps"] == 3 and peer["edges"] == 1000 and len(peer["runs_s"]) == 3
    assert len(peer["pair_ratios"]) == 3 and peer["ratio"] > 0
    assert peer["run_s"] == sorted(peer["runs_s"])[1]
    assert "starsim 0.0-fake (not 3.7.2" in result.stdout and "over 3" in result.stdout
    assert "ours per household-month / starsim's per agent-step" in result.stdout
