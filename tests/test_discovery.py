"""Scenario discovery finds a known box, reads a real batch, and refuses bad questions in one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.batch import discovery
from sim.cli import main

QUESTION = discovery.Question("trust_landlord", "co_production", "paternalistic")


def known_box(seed: int, noise: float = 0.0) -> tuple[pd.DataFrame, np.ndarray]:
    """600 points over five parameters; the contrast reverses exactly where p1 < 0.3 and p3 > 0.6 (flipped at random for a ``noise`` share)."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(0, 1, size=(600, 5)), columns=[f"p{i}" for i in range(5)])
    y = ((x["p1"] < 0.3) & (x["p3"] > 0.6)).to_numpy()
    flip = rng.uniform(size=len(y)) < noise
    return x, y ^ flip


@pytest.mark.parametrize(("seed", "noise"), [(1, 0.0), (2, 0.0), (3, 0.03)])
def test_prim_and_the_tree_find_the_known_box(seed, noise):
    x, y = known_box(seed, noise)
    found, trajectories = discovery.discover(x, y, QUESTION)
    for box in (found.boxes[0], found.leaves[0]):
        assert box.coverage > 0.8 and box.density > 0.8, box
        limits = {r.parameter: r for r in box.restrictions}
        assert set(limits) == {"p1", "p3"}, box.restrictions
        assert limits["p1"].low is None and abs(limits["p1"].high - 0.3) < 0.1
        assert limits["p3"].high is None and abs(limits["p3"].low - 0.6) < 0.1
    assert trajectories[0]["chosen"].sum() == 1
    first = found.sentences()[0]
    assert first.startswith("PRIM box 1: co_production does no better than paternalistic on trust in the landlord where p1 is below 0.")
    assert " and p3 is above 0." in first and "coverage" in first and "density" in first


def test_no_structure_gives_no_dense_box():
    """Cases scattered at random: no box reaches the density target, and the text says so."""
    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.uniform(0, 1, size=(400, 4)), columns=list("abcd"))
    y = rng.uniform(size=400) < 0.3
    found, _ = discovery.discover(x, y, QUESTION)
    assert not found.boxes[0].met_density and found.boxes[0].density < 0.8
    assert "below the density target" in found.sentences()[0]


def test_all_or_no_cases_are_said_plainly():
    x, y = known_box(1)
    none, _ = discovery.discover(x, np.zeros_like(y), QUESTION)
    every, _ = discovery.discover(x, np.ones_like(y), QUESTION)
    assert none.sentences() == ["Nowhere in this batch: none of its 600 points is one where co_production does no better than paternalistic on trust in the landlord."]
    assert every.sentences() == ["Everywhere in this batch: at all of its 600 points, co_production does no better than paternalistic on trust in the landlord."]


EXPERIMENT = """name = "tiny discovery"
scenarios = ["paternalistic", "co_production"]
seeds = 1
steps = 6
outcomes = ["trust_landlord", "stigma", "cost"]
[uncertainties]
landlord.budget = { low = 60.0, high = 140.0 }
policy.acts_on_input = { low = 0.0, high = 1.0 }
[constants]
community.residents = 60
[sampling]
method = "latin"
samples = 30
"""


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("discover")
    (folder / "e.toml").write_text(EXPERIMENT)
    out = folder / "out"
    assert main(["batch", str(folder / "e.toml"), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


def test_discover_writes_its_files_and_the_report_section(sampled, capsys):
    assert main(["discover", str(sampled), "--contrast", "co_production:paternalistic"]) == 0
    out = sampled / "discovery" / "trust_landlord-co_production-vs-paternalistic"
    for name in ("discovery.md", "discovery.json", "cases.csv", "boxes.csv", "tree.txt"):
        assert (out / name).stat().st_size > 0, name
    cases = pd.read_csv(out / "cases.csv")
    assert len(cases) == 30 and set(cases.columns) >= {"landlord.budget", "policy.acts_on_input", "margin", "case"}
    assert (cases["case"] == (cases["margin"] < 0)).all()
    report = (sampled / "report.md").read_text()
    assert "## Where the finding fails" in report and report.index("## Where the finding fails") < report.index("## What was run")
    before = (out / "boxes.csv").read_text()
    assert main(["discover", str(sampled)]) == 0  # two scenarios: the default contrast is the same question
    assert (out / "boxes.csv").read_text() == before  # deterministic
    assert main(["report", str(sampled)]) == 0
    assert "## Where the finding fails" in (sampled / "report.md").read_text()  # a rebuilt report keeps the section


def test_not_best_is_its_own_question(sampled):
    assert main(["discover", str(sampled), "--not-best", "co_production", "--outcome", "stigma"]) == 0
    cases = pd.read_csv(sampled / "discovery" / "stigma-co_production-not-best" / "cases.csv")
    assert (cases["case"] == (cases["margin"] < 0)).all()


@pytest.mark.parametrize(("options", "says"), [
    (["--contrast", "co_production:nobody"], "'nobody' is not a scenario"),
    (["--contrast", "co_production"], "--contrast: 'co_production' is not accepted"),
    (["--outcome", "happiness"], "--outcome: 'happiness' was not recorded"),
    (["--contrast", "a:b", "--not-best", "a"], "both given"),
    (["--min-density", "0"], "--min-density: 0.0 is not accepted"),
])
def test_bad_questions_get_one_line_and_status_2(sampled, capsys, options, says):
    assert main(["discover", str(sampled), *options]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err, err


def test_not_best_names_who_wins_instead(sampled):
    from sim.batch import results

    found, _ = discovery.write(results.load(sampled), discovery.Question("trust_landlord", "co_production"))
    if found.cases:
        assert sum(found.winners.values()) == found.cases and set(found.winners) <= {"paternalistic"}
        assert found.sentences()[-1].startswith("Where co_production is not the best, the best is paternalistic at")


def test_the_main_job_adds_where_its_finding_fails(tmp_path, monkeypatch, capsys):
    """`python run.py` in miniature: a headline, then the conditions batch in its folder, and the discovery in the headline's report."""
    from sim.batch import commands

    (tmp_path / "headline.toml").write_text('name = "mini headline"\nscenarios = ["paternalistic", "co_production"]\nseeds = 2\nsteps = 4\n'
                                            'outcomes = ["trust_landlord", "stigma", "cost"]\n[constants]\ncommunity.residents = 60\n')
    (tmp_path / "conditions.toml").write_text(EXPERIMENT)
    monkeypatch.setattr(commands, "MAIN_JOB", tmp_path / "headline.toml")
    monkeypatch.setattr(commands, "MAIN_CONDITIONS", tmp_path / "conditions.toml")
    monkeypatch.setattr(commands, "new_folder", lambda stem: tmp_path / "out")
    assert main([]) == 0
    out = tmp_path / "out"
    from sim.batch import findings, report, results

    best = findings.best_on(report.analyse(results.load(out)), commands.MAIN_OUTCOME)
    slug = f"trust_landlord-{best}-not-best"
    assert (out / "conditions" / "discovery" / slug / "discovery.json").exists()
    report = (out / "report.md").read_text()
    fails = report.index("## Where the finding fails")
    assert report.index("## What was found") < fails < report.index("## What was run")
    assert f"### Where {best} is not the best scenario on trust in the landlord" in report
    assert "of the batch in `conditions/`" in report and "- `conditions/`:" in report
    printed = capsys.readouterr().out
    assert printed.index("What was found") < printed.index("Where the finding fails") and f"where the finding fails: {out / 'conditions' / 'discovery' / slug}" in printed


def test_the_main_job_still_writes_the_headline_report_when_the_conditions_batch_is_interrupted(tmp_path, monkeypatch, capsys):
    """The headline's report is built once, at the end: a Ctrl-C in the conditions batch (status 130) must not leave the headline without one."""
    from sim.batch import commands

    (tmp_path / "headline.toml").write_text('name = "mini headline"\nscenarios = ["paternalistic", "co_production"]\nseeds = 2\nsteps = 4\n'
                                            'outcomes = ["trust_landlord", "stigma", "cost"]\n[constants]\ncommunity.residents = 60\n')
    monkeypatch.setattr(commands, "MAIN_JOB", tmp_path / "headline.toml")
    monkeypatch.setattr(commands, "new_folder", lambda stem: tmp_path / "out")
    real = commands.batch_command
    monkeypatch.setattr(commands, "batch_command", lambda args, **kw: real(args, **kw) if args.experiment == str(commands.MAIN_JOB) else 130)
    assert main([]) == 130
    out = tmp_path / "out"
    assert (out / "report.md").exists() and (out / "report.html").exists()
    assert "## What was found" in (out / "report.md").read_text()
    assert not (out / "conditions" / "report.md").exists()
    assert "What was found" in capsys.readouterr().out


def test_a_folder_without_finished_runs_of_a_scenario_is_one_sentence(sampled, monkeypatch):
    from sim.batch import results
    from sim.errors import UserError

    found = results.load(sampled)
    only_one = found.finals[found.finals["scenario"] == "paternalistic"]
    monkeypatch.setattr(type(found), "finals", property(lambda self: only_one))
    with pytest.raises(UserError, match=r"no finished run of co_production yet \(accepted: .*rerun its batch command"):
        discovery.cases(found, QUESTION)
