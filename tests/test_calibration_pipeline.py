"""The calibration pipeline end to end on a tiny sample: it runs, writes a valid scenario and landlords experiment, and a report."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from sim import scenario as scenarios
from sim.batch import experiment as experiments
from sim.calibration import posterior
from sim.model import HousingModel
from tests.batch_runs import cli

ROOT = Path(__file__).resolve().parents[1]


def tiny_calibration(folder: Path) -> Path:
    """The shipped calibration file, shrunk: 2 generations of 20 (the fewest a regression adjustment on 9 figures allows, rounded up), 1 seed, 60 households, 12 months, 4 draws checked on 2 seeds; 12 landlords of 20-75 households."""
    (folder / "sizes.csv").write_text("homes_low_cost_rental\n" + "\n".join(str(h) for h in range(400, 1600, 100)) + "\n")
    text = (ROOT / "experiments" / "calibration.toml").read_text()
    settings = {  # key at the start of a line -> its new value (the rest of the line is dropped)
        "scenarios": f'["{ROOT / "scenarios" / "england_status_quo.toml"}"]', "figures": f'"{ROOT / "experiments" / "data" / "uk_targets.csv"}"',
        "scenario_out": '"calibrated.toml"', "posterior_out": '"posterior_copy"', "seeds": "1", "steps": "12", "community.residents": "60",
        "population": "20", "generations": "2", "max_simulations": "1000", "check_draws": "4", "check_seeds": "2",
        "sizes": '"sizes.csv"', "scale": "20",
    }
    for key, value in settings.items():
        text, found = re.subn(rf"^{re.escape(key)} = .*$", f"{key} = {value}", text, flags=re.M)
        assert found, key
    path = folder / "tiny.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibration")
    path = tiny_calibration(folder)
    result = cli("calibrate", path, "--workers", "1", "--out", folder / "out", "--quiet")
    assert result.returncode == 0, result.stderr
    return folder, result


def test_it_writes_a_valid_calibrated_scenario_that_runs(calibrated):
    folder, _ = calibrated
    written = scenarios.load(folder / "calibrated.toml")
    assert written.name == "England today (calibrated)"
    data = tomllib.loads((folder / "calibrated.toml").read_text())
    # Every calibrated parameter is set, within its prior range.
    for section, key, low, high in [("survey", "threshold", 0.3, 0.7), ("landlord", "respect", 0.5, 1.0), ("information", "communication", 0.1, 0.95)]:
        assert low <= data[section][key] <= high
    assert low <= written.params["information"]["communication"] <= high
    assert data["policy"]["name"] == "consultation" and 0.0 <= data["policy"]["acts_on_input"] <= 0.5
    model = HousingModel(folder / "calibrated.toml", rng=1, steps=2)
    model.run()


def test_it_reports_every_figure_and_parameter(calibrated):
    folder, result = calibrated
    report = (folder / "out" / "calibration.md").read_text()
    for column in ("tsm_satisfied", "tsm_complaints", "employment_rate", "survey_discrimination", "tenure_under_3_years"):
        assert f"`{column}`" in report
    assert "validation only" in report
    assert "Not constrained by the figures:" in report and "not constrained by the figures:" in result.stdout  # says which, even if none
    assert "## The spread across landlords" in report
    spread = report[report.index("## The spread across landlords"):]
    # Items in plain words, the medians beside the percentiles, every wave and which was chosen.
    assert "| Satisfied overall (TP01) |" in spread and "Medians across landlords" in spread
    assert "| probe | wave 1 | wave 2" in spread and "Chosen: wave" in spread
    assert "ABC-SMC" in report and "| 2 |" in report  # the method, and a row for the second generation
    assert "The last generation is then regression-adjusted" in report  # the shipped file adjusts, and the report says so
    assert "regression-adjusted: local linear regression" in result.stdout
    for table in ("parameters.csv", "targets.csv", "check_draws.csv", "posterior_pairs.png", "predictive_check.png", "smc/posterior.csv"):
        assert (folder / "out" / table).exists()
    page = (folder / "out" / "calibration.html").read_text()  # the same report as one page, its figures inside
    assert "<h1" in page and page.count('src="data:image/png;base64,') >= 2 and 'src="http' not in page


def test_it_writes_the_posterior_and_a_copy_for_experiments(calibrated):
    folder, _ = calibrated
    stored = posterior.read(folder / "out" / "smc")
    assert len(stored.draws) == 20 and stored.generations == 2 and stored.adjustment == "linear"
    assert abs(stored.weights.sum() - 1.0) < 1e-9
    assert (folder / "posterior_copy.csv").read_bytes() == (folder / "out" / "smc" / "posterior.csv").read_bytes()
    assert posterior.read(folder / "posterior_copy.csv").names == stored.names


def test_the_calibrated_scenario_is_a_checked_posterior_draw(calibrated):
    folder, _ = calibrated
    data = tomllib.loads((folder / "calibrated.toml").read_text())
    draws = pd.read_csv(folder / "out" / "check_draws.csv")
    best = draws.loc[draws["check_distance"].idxmin()]
    assert data["survey"]["threshold"] == pytest.approx(best["survey.threshold"], abs=1e-4)
    assert data["landlord"]["respect"] == pytest.approx(best["landlord.respect"], abs=1e-4)


def test_it_writes_a_valid_landlords_experiment_with_one_seed_per_landlord(calibrated):
    folder, _ = calibrated
    spec = experiments.load(folder / "landlords.toml")
    assert spec.sampling.pairing == "one seed per point" and spec.sampling.samples == 12 and len(spec.seeds) == 12
    # Landlords differ in the file's [landlords.differences] (each fitted width; a width fitted to 0 is left out) and in size.
    differences = {"policy.reach", "policy.acts_on_input", "landlord.budget", "landlord.respect", "landlord.belief_accuracy",
                   "services.design_fit", "information.communication", "complaints.handling"}
    varied = {f.name for f in spec.factors}
    assert "community.residents" in varied and len(varied & differences) >= 4 and varied <= differences | {"community.residents"}


def test_each_real_landlord_size_is_one_simulated_landlord_at_the_stated_scale(calibrated):
    from sim.batch.plan import make_plan
    from sim.batch.sampling import points

    folder, _ = calibrated
    spec = experiments.load(folder / "landlords.toml")
    sizes = sorted(p["community.residents"] for p in points(spec))
    assert sizes == list(range(20, 80, 5))  # 400 to 1,500 homes at 20 homes per household, each once
    assert spec.constants["survey.homes_per_household"] == 20
    assert len(make_plan(spec, points(spec)).runs) == 12


def test_rerunning_with_the_same_folder_resumes_and_gives_the_same_scenario(calibrated, tmp_path):
    folder, _ = calibrated
    first = (folder / "calibrated.toml").read_text()
    again = cli("calibrate", folder / "tiny.toml", "--workers", "1", "--out", folder / "out", "--quiet", "--skip-landlords")
    assert again.returncode == 0, again.stderr
    assert (folder / "calibrated.toml").read_text() == first


def test_allowing_more_generations_resumes_and_checks_the_new_posterior(calibrated, tmp_path):
    import shutil

    folder, _ = calibrated
    shutil.copytree(folder / "out", tmp_path / "out")
    text = re.sub(r"^generations = .*$", "generations = 3", (folder / "tiny.toml").read_text(), flags=re.M)
    (tmp_path / "tiny.toml").write_text(text)
    more = cli("calibrate", tmp_path / "tiny.toml", "--workers", "1", "--out", tmp_path / "out", "--quiet", "--skip-landlords")
    assert more.returncode == 0, more.stderr
    assert len(list((tmp_path / "out").glob("check-*"))) == 2  # the first posterior's check kept, the new one's run
    assert posterior.read(tmp_path / "out" / "smc").generations == 3


def test_a_missing_calibration_file_is_one_line():
    result = cli("calibrate", "experiments/no_such.toml")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["error: experiments/no_such.toml: no such calibration file (accepted: a path to a .toml file, e.g. experiments/calibration.toml)"]


def test_the_adjustment_choice_compares_the_methods_on_a_finished_calibration(calibrated):
    import subprocess
    import sys

    folder, _ = calibrated
    script = ROOT / "experiments" / "adjustment_choice.py"
    done = subprocess.run([sys.executable, script, folder / "out", "--calibration", folder / "tiny.toml", "--held-out", "3"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1].split()
    assert last[:4] == ["mean", "over", "the", "parameters"] and len(last) == 7  # none, linear, neural
    assert all(float(v) > 0 for v in last[4:])
    missing = subprocess.run([sys.executable, script, folder / "nowhere"], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no calibration database" in missing.stderr
