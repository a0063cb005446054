"""Files a run reads besides its scenario (network files): in each run's identity, and checked before a batch's first run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from tests.batch_runs import comparable, make_plan

SCENARIO = 'name = "On a network"\n\n[community]\nnetwork_file = "net.txt"\nblock_size = 10\n\n[status_quo]\nmonths = 6\n'
EXPERIMENT = 'scenarios = ["networked.toml"]\nseeds = 3\nsteps = 3\noutcomes = ["trust_landlord", "bridging"]\n'


def ring(n: int = 40, extra: str = "") -> str:
    """An edge list: a ring of ``n`` households with chords, and ``extra`` lines."""
    return "".join(f"{i} {(i + 1) % n}\n{i} {(i + 7) % n} 0.4\n" for i in range(n)) + extra


def study(folder: Path, network: str = ring(), experiment: str = EXPERIMENT) -> Path:
    """A scenario reading ``net.txt`` and an experiment running it, in ``folder``; returns the experiment file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "net.txt").write_text(network)
    (folder / "networked.toml").write_text(SCENARIO)
    (folder / "e.toml").write_text(experiment)
    return folder / "e.toml"


def one_error_line(capsys) -> str:
    """The single ``error:`` line a refused command printed (no traceback)."""
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


def batch(path: Path, out: Path) -> int:
    return main(["batch", str(path), "--out", str(out), "--workers", "1", "--quiet"])


# -- run ids --------------------------------------------------------------------------------------


def test_runs_that_read_no_other_file_keep_their_ids(tmp_path):
    """Hashing network files must not change the ids of runs that read none: folders started earlier still resume."""
    (tmp_path / "s.toml").write_text('name = "pinned"\n\n[policy]\nname = "co_design"\n')
    (tmp_path / "e.toml").write_text('scenarios = ["s.toml"]\nseeds = [1, 2]\nsteps = 6\n\n[constants]\ncommunity.residents = 100\n\n'
                                     "[levers]\npolicy.outreach = [0.1, 0.3]\n")
    plan = make_plan(tmp_path / "e.toml")
    assert [r.run_id for r in plan.runs] == ["7faa57fa8939b938", "f1f120221a9a672a", "672552c9ec5b5e11", "b2c3aa8857130e90"]
    assert plan.fingerprint == "02dc5ef4d5b5c815d082d6fd1a091e0b8b99d761a9c8e4e33879e1ec9364715a"
    assert plan.inputs == ()


def test_run_ids_hold_the_network_files_contents_not_its_path(tmp_path):
    here = make_plan(study(tmp_path / "here"))
    moved = make_plan(study(tmp_path / "elsewhere" / "moved"))
    ids = [r.run_id for r in here.runs]
    assert [r.run_id for r in moved.runs] == ids  # the same files somewhere else: the same runs
    assert [(f.parameter, f.path) for f in here.inputs] == [("community.network_file", str(tmp_path / "here" / "net.txt"))]
    (tmp_path / "here" / "net.txt").write_text(ring(extra="0 20\n"))
    assert set(ids).isdisjoint(r.run_id for r in make_plan(tmp_path / "here" / "e.toml").runs)


def test_a_network_file_named_by_a_lever_is_hashed_for_each_value(tmp_path):
    path = study(tmp_path, experiment=EXPERIMENT + '\n[levers]\ncommunity.network_file = ["net.txt", "other.txt"]\n')
    (tmp_path / "other.txt").write_text(ring(30))
    plan = make_plan(path)
    assert sorted(Path(f.path).name for f in plan.inputs) == ["net.txt", "other.txt"]
    assert len({r.run_id for r in plan.runs}) == len(plan.runs) == 2 * 3


# -- resuming --------------------------------------------------------------------------------------


def test_a_resumed_folder_refuses_a_changed_network_file(tmp_path, capsys):
    path = study(tmp_path)
    out = tmp_path / "out"
    assert batch(path, out) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"] == {str(tmp_path / "net.txt"): {"parameter": "community.network_file", "sha256": make_plan(path).inputs[0].sha256}}
    before = comparable(out)
    manifest_bytes = (out / "manifest.json").read_bytes()
    original = (tmp_path / "net.txt").read_text()
    capsys.readouterr()

    (tmp_path / "net.txt").write_text(ring(extra="0 20 0.9\n"))  # the same path, another network
    assert batch(path, out) == 2
    line = one_error_line(capsys)
    net = str(tmp_path / "net.txt")
    assert f"network file {net} (community.network_file) has changed since it was started" in line, line
    assert f"restore {net} as it was" in line and "a new --out folder" in line, line
    after = comparable(out)  # nothing stored was lost or added
    assert all(a.equals(b) for a, b in zip(before, after, strict=True))
    assert (out / "manifest.json").read_bytes() == manifest_bytes

    (tmp_path / "net.txt").write_text(original)  # restored: the folder resumes, with nothing to compute
    assert batch(path, out) == 0
    assert json.loads((out / "manifest.json").read_text())["sessions"][-1]["stored"] == 0


def test_a_folder_started_before_network_files_were_hashed_is_not_mixed(tmp_path, capsys):
    path = study(tmp_path)
    out = tmp_path / "out"
    assert batch(path, out) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["inputs"]  # as an older version wrote it, with run ids that held no network file
    manifest["plan"]["fingerprint"] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert batch(path, out) == 2
    line = one_error_line(capsys)
    assert "did not record network files' contents" in line and "(accepted: a new --out folder)" in line, line


# -- checked up front -----------------------------------------------------------------------------------


BAD_NETWORKS = [
    ("net.txt", ring(extra="0 5 2.0\n"), "an edge weight lies outside (0, 1]"),
    ("net.txt", ring(extra="0 5 heavy\n"), "weight 'heavy' is not a number"),
    ("net.txt", ring(extra="0 1 2 3\n"), "expected 'u v' or 'u v weight'"),
    ("net.txt", "# nobody\n", "has fewer than 2 nodes"),
    ("net.txt", None, "does not exist"),
    ("net.graphml", "<graphml", "cannot read network file"),
    ("net.net", ring(), "unknown network format"),
]


@pytest.mark.parametrize(("name", "content", "fragment"), BAD_NETWORKS, ids=[f for _, _, f in BAD_NETWORKS])
def test_a_bad_network_file_is_refused_before_the_first_run(tmp_path, capsys, name, content, fragment):
    path = study(tmp_path)
    (tmp_path / "net.txt").unlink()
    (tmp_path / "networked.toml").write_text(SCENARIO.replace("net.txt", name))
    if content is not None:
        (tmp_path / name).write_text(content)
    assert batch(path, tmp_path / "out") == 2
    line = one_error_line(capsys)
    assert f"{tmp_path / 'networked.toml'}: community.network_file: " in line and name in line and fragment in line, line
    assert not (tmp_path / "out").exists()  # refused before any folder was made, let alone a run stored as failed


def test_a_bad_network_file_among_a_levers_values_is_refused_before_the_first_run(tmp_path, capsys):
    path = study(tmp_path, experiment=EXPERIMENT + '\n[levers]\ncommunity.network_file = ["net.txt", "broken.txt"]\n')
    (tmp_path / "broken.txt").write_text(ring(extra="0 5 -1\n"))
    assert batch(path, tmp_path / "out") == 2
    line = one_error_line(capsys)
    assert f"{path}: levers.community.network_file: " in line and "broken.txt" in line and "outside (0, 1]" in line, line
    assert not (tmp_path / "out").exists()


def test_compare_checks_a_network_file_before_the_first_run(tmp_path, capsys):
    study(tmp_path, network=ring(extra="0 5 0\n"))
    status = main(["compare", str(tmp_path / "networked.toml"), "--seeds", "2", "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"])
    assert status == 2
    assert "outside (0, 1]" in one_error_line(capsys)
    assert not (tmp_path / "out").exists()

