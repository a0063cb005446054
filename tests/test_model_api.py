"""The Python API: ``from sim import HousingModel``, keyword overrides, and Mesa's batch_run."""

from __future__ import annotations

import inspect
from pathlib import Path

import mesa
import pandas as pd
import pytest

from sim import HousingModel
from sim.errors import UserError
from sim.mechanisms.outcomes import OUTCOMES
from sim.policies import POLICIES
from sim.scenario import default, load

ROOT = Path(__file__).resolve().parents[1]
CO_PRODUCTION = ROOT / "scenarios" / "co_production.toml"


def test_import_from_the_package():
    import sim

    assert sim.HousingModel is HousingModel
    assert issubclass(HousingModel, mesa.Model)


def test_defaults_build_and_step():
    model = HousingModel()
    assert model.state.n == 1000
    assert model.landlord.policy.name == "paternalistic"
    assert model.config.steps == 120
    assert isinstance(model.seed, int)
    model.step()
    model.step()
    assert model.steps == 2
    frame = model.timeseries()
    assert list(frame["step"]) == [1, 2]
    assert set(OUTCOMES) <= set(frame.columns)


def test_scenario_path_and_seed():
    model = HousingModel(scenario=str(CO_PRODUCTION), rng=1)
    assert model.seed == 1
    assert model.landlord.policy.name == "co_production"
    assert model.config.source == str(CO_PRODUCTION)


def test_scenario_path_relative_to_the_repository(monkeypatch):
    monkeypatch.chdir(ROOT)
    model = HousingModel(scenario="scenarios/co_production.toml", rng=1)
    assert model.landlord.policy.name == "co_production"
    assert model.state.n == 1000


@pytest.mark.parametrize("spec", ["co_production", "co_production.toml", "scenarios/co_production.toml"])
def test_a_shipped_scenario_from_any_folder(spec, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = HousingModel(spec, rng=1, residents=40)
    assert model.landlord.policy.name == "co_production"
    assert Path(model.config.source) == CO_PRODUCTION


def test_a_relative_path_is_looked_for_in_the_current_folder_first(tmp_path, monkeypatch):
    (tmp_path / "co_production.toml").write_text('[policy]\nname = "consultation"\n')
    monkeypatch.chdir(tmp_path)
    assert HousingModel("co_production.toml", rng=1, residents=40).landlord.policy.name == "consultation"  # the file here
    assert HousingModel("co_production", rng=1, residents=40).landlord.policy.name == "co_production"  # a name is a shipped scenario


def test_an_unknown_scenario_name_is_one_user_error_listing_the_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError) as caught:
        HousingModel("co_productoin")
    message = str(caught.value)
    assert message.startswith("co_productoin: no such scenario (did you mean 'co_production'?) (accepted: a shipped scenario's name: ")
    assert "\n" not in message
    for path in (ROOT / "scenarios").glob("*.toml"):
        assert path.stem in message


def test_scenario_object():
    model = HousingModel(load(CO_PRODUCTION).with_overrides({"residents": 60}), rng=3)
    assert model.state.n == 60
    assert model.landlord.policy.name == "co_production"


def test_same_seed_same_results():
    first = HousingModel(residents=100, rng=4).run(5)
    second = HousingModel(residents=100, rng=4).run(5)
    pd.testing.assert_frame_equal(first, second)
    other = HousingModel(residents=100, rng=5).run(5)
    assert not first[list(OUTCOMES)].equals(other[list(OUTCOMES)])


def test_scenario_seed_is_used_without_rng():
    model = HousingModel(default().with_overrides({"seed": 11, "residents": 50}))
    assert model.seed == 11


def test_run_uses_the_scenario_steps():
    frame = HousingModel(residents=50, steps=4, rng=1).run()
    assert len(frame) == 4
    assert list(frame["step"]) == [1, 2, 3, 4]


def test_residents_override():
    model = HousingModel(residents=120, rng=1)
    assert model.state.n == 120
    assert model.params.community.residents == 120


def test_policy_override():
    model = HousingModel(policy="co_design", residents=50, rng=1)
    assert model.landlord.policy.name == "co_design"
    assert model.landlord.policy.levers() == POLICIES["co_design"].section().defaults()


def test_policy_override_keeps_the_scenario_levers():
    model = HousingModel(ROOT / "scenarios" / "co_production_no_outreach.toml", policy="co_design", residents=50, rng=1)
    assert model.landlord.policy.name == "co_design"
    assert model.landlord.policy.outreach == 0.0
    assert model.landlord.policy.power_share == POLICIES["co_design"].defaults["power_share"]


def test_double_underscore_override():
    model = HousingModel(trust__gain_rate=0.2, residents=50, rng=1)
    assert model.params.trust.gain_rate == 0.2


def test_dotted_override():
    model = HousingModel(**{"trust.gain_rate": 0.3, "policy.outreach": 0.4}, policy="co_production", residents=50, rng=1)
    assert model.params.trust.gain_rate == 0.3
    assert model.landlord.policy.outreach == 0.4


def test_overrides_combine_with_a_scenario_file():
    model = HousingModel(CO_PRODUCTION, residents=80, trust__loss_ratio=2.0, rng=2)
    assert model.state.n == 80
    assert model.params.trust.loss_ratio == 2.0
    assert model.landlord.policy.name == "co_production"


@pytest.mark.parametrize(("overrides", "fragments"), [
    ({"trust__gain_rat": 0.1}, ("trust.gain_rat", "did you mean 'gain_rate'?")),
    ({"trust__gain_rate": 7}, ("trust.gain_rate", "[0, 1]")),
    ({"trust__gain_rate": "high"}, ("trust.gain_rate", "a number")),
    ({"policy": "co_prodution"}, ("policy.name", "did you mean 'co_production'?")),
    ({"residents": 1}, ("community.residents", "[2, ")),
    ({"residents": 10.5}, ("community.residents", "whole number")),
    ({"bogus": 1}, ("bogus", "section.key")),
    ({"trst__gain_rate": 0.1}, ("trst", "did you mean 'trust'?")),
    ({"steps": 0}, ("steps", "from 1 to")),
])
def test_bad_keyword_override(overrides, fragments):
    with pytest.raises(UserError) as caught:
        HousingModel(**overrides)
    message = str(caught.value)
    assert message.startswith("HousingModel arguments: "), message
    assert "(accepted: " in message
    for fragment in fragments:
        assert fragment in message, message


def test_missing_scenario_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError) as caught:
        HousingModel(tmp_path / "missing.toml")
    assert str(caught.value).startswith(str(tmp_path / "missing.toml"))


def test_network_file_relative_to_the_scenario(tmp_path, monkeypatch):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "net.edges").write_text("".join(f"{i} {i + 1}\n" for i in range(29)))
    (folder / "scenario.toml").write_text('[community]\nnetwork_file = "net.edges"\nblock_size = 10\n')
    monkeypatch.chdir(tmp_path)
    model = HousingModel(folder / "scenario.toml", rng=1)
    assert model.state.n == 30
    model.step()


def test_missing_network_file_is_a_user_error(tmp_path):
    (tmp_path / "scenario.toml").write_text('[community]\nnetwork_file = "missing.edges"\n')
    with pytest.raises(UserError) as caught:
        HousingModel(tmp_path / "scenario.toml", rng=1)
    message = str(caught.value)
    assert "community.network_file" in message
    assert "(accepted: " in message


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_employment_rate_on_its_bounds_builds(rate):
    model = HousingModel(population__employment_rate=rate, residents=60, rng=1)
    frame = model.run(2)
    assert frame["employment_rate"].between(0, 1).all()


# -- Mesa's batch_run ---------------------------------------------------------------------


def test_batch_run_signature_takes_rng():
    assert "rng" in inspect.signature(mesa.batch_run).parameters


@pytest.fixture(scope="module")
def batch() -> pd.DataFrame:
    rows = mesa.batch_run(
        HousingModel,
        parameters={"policy": ["paternalistic", "co_production"], "residents": 100},
        rng=[1, 2],
        max_steps=12,
        number_processes=1,
        display_progress=False,
    )
    return pd.DataFrame(rows)


def test_batch_run_covers_both_policies_and_both_seeds(batch):
    assert {(row.policy, row.rng) for row in batch.itertuples()} == {
        ("paternalistic", 1), ("paternalistic", 2), ("co_production", 1), ("co_production", 2)}
    assert len(batch) == 4  # the final step of each run
    assert set(batch["Step"]) == {12}
    assert set(batch["residents"]) == {100}


def test_batch_run_has_the_outcome_columns(batch):
    assert set(OUTCOMES) <= set(batch.columns)
    assert batch[list(OUTCOMES)].notna().all().all()


def test_batch_run_results_differ_by_policy_and_seed(batch):
    outcomes = batch.set_index(["policy", "rng"])[list(OUTCOMES)]
    assert not outcomes.loc[("paternalistic", 1)].equals(outcomes.loc[("co_production", 1)])
    assert not outcomes.loc[("paternalistic", 1)].equals(outcomes.loc[("paternalistic", 2)])


def test_batch_run_matches_a_direct_run(batch):
    direct = HousingModel(policy="co_production", residents=100, rng=2).run(12).iloc[-1]
    row = batch[(batch["policy"] == "co_production") & (batch["rng"] == 2)].iloc[0]
    for column in OUTCOMES:
        assert row[column] == pytest.approx(direct[column], rel=1e-12, abs=1e-12), column


def test_collect_computes_only_the_columns_asked_for_with_the_same_values():
    """A batch asks for the outcomes it analyses: those columns, in the usual order, with bitwise the values of a full run."""
    full = HousingModel("co_production", rng=4, residents=300, steps=6).run()
    asked = ["tsm_listens", "cost", "wellbeing_out_of_work", "bonding"]
    some = HousingModel("co_production", rng=4, residents=300, steps=6, collect=asked).run()
    assert list(some.columns) == ["step", "bonding", "cost", "tsm_listens", "wellbeing_out_of_work"]
    pd.testing.assert_frame_equal(some, full[list(some.columns)], check_exact=True)


def test_collect_names_a_column_that_is_not_an_outcome():
    with pytest.raises(ValueError, match=r"collect: 'trust' is not an outcome column \(accepted: trust_landlord, "):
        HousingModel(residents=100, collect=["trust", "cost"])


def test_a_burn_in_kept_by_a_model_collecting_few_columns_starts_a_full_model_with_every_column():
    """The kept burn-in holds month 0's outcomes; a model that collects every column (the app's) must find them all there."""
    from sim import burn_in
    from sim.mechanisms.outcomes import ALL_COLUMNS

    burn_in.KEPT.clear()
    try:
        few = HousingModel("co_design", rng=8, residents=200, collect=["cost"])
        again = HousingModel("co_production", rng=8, residents=200)
    finally:
        burn_in.KEPT.clear()
    assert list(again.outcomes) == list(ALL_COLUMNS)
    assert again.outcomes == few.outcomes
