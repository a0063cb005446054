"""Sweep designs: every grid combination, Latin hypercube strata, Sobol points; seeded and within range."""

from __future__ import annotations

import numpy as np
import pytest

from sim.batch import experiment, sampling

HEADER = 'scenarios = ["co_production"]\n'


def load(tmp_path, text):
    path = tmp_path / "exp.toml"
    path.write_text(HEADER + text)
    return experiment.load(path)


def test_grid_is_every_combination_last_factor_fastest(tmp_path):
    spec = load(tmp_path, "[levers]\npolicy.outreach = [0.0, 0.2]\npolicy.power_share = { low = 0.0, high = 1.0, levels = 3 }\n")
    assert sampling.points(spec) == [
        {"policy.outreach": 0.0, "policy.power_share": 0.0},
        {"policy.outreach": 0.0, "policy.power_share": 0.5},
        {"policy.outreach": 0.0, "policy.power_share": 1.0},
        {"policy.outreach": 0.2, "policy.power_share": 0.0},
        {"policy.outreach": 0.2, "policy.power_share": 0.5},
        {"policy.outreach": 0.2, "policy.power_share": 1.0},
    ]


def test_whole_number_levels_are_rounded_and_not_repeated(tmp_path):
    spec = load(tmp_path, "[uncertainties]\ncommunity.residents = { low = 100, high = 102, levels = 5 }\n")
    values = [p["community.residents"] for p in sampling.points(spec)]
    assert values == [100, 101, 102]
    assert all(isinstance(v, int) for v in values)


def test_nothing_varies_gives_one_point(tmp_path):
    assert sampling.points(load(tmp_path, "")) == [{}]


LATIN = "[levers]\npolicy.outreach = { low = 0.1, high = 0.5 }\n[uncertainties]\nlandlord.belief_accuracy = { low = 0.0, high = 1.0 }\ncommunity.residents = { low = 100, high = 199 }\n[sampling]\nmethod = \"latin\"\nsamples = 20\nseed = 7\n"


def test_latin_hypercube_has_one_point_per_stratum_of_each_parameter(tmp_path):
    spec = load(tmp_path, LATIN)
    points = sampling.points(spec)
    assert len(points) == 20
    outreach = np.array([p["policy.outreach"] for p in points])
    accuracy = np.array([p["landlord.belief_accuracy"] for p in points])
    assert outreach.min() >= 0.1 and outreach.max() <= 0.5
    assert sorted(np.floor((outreach - 0.1) / 0.4 * 20).astype(int)) == list(range(20))
    assert sorted(np.floor(accuracy * 20).astype(int)) == list(range(20))
    residents = [p["community.residents"] for p in points]
    assert all(isinstance(r, int) and 100 <= r <= 199 for r in residents)
    assert sorted((np.array(residents) - 100) // 5) == list(range(20))  # 100 whole numbers in 20 strata of 5


def test_sampled_designs_depend_only_on_the_sampling_seed(tmp_path):
    first = sampling.points(load(tmp_path, LATIN))
    again = sampling.points(load(tmp_path, LATIN))
    other = sampling.points(load(tmp_path, LATIN.replace("seed = 7", "seed = 8")))
    assert first == again
    assert first != other


def test_sobol_points_are_balanced_and_within_range(tmp_path):
    spec = load(tmp_path, "[levers]\npolicy.outreach = { low = 0.0, high = 0.4 }\npolicy.power_share = { low = 0.2, high = 1.0 }\n[sampling]\nmethod = \"sobol\"\nsamples = 16\n")
    points = sampling.points(spec)
    assert len(points) == 16
    outreach = np.array([p["policy.outreach"] for p in points])
    power = np.array([p["policy.power_share"] for p in points])
    assert outreach.min() >= 0.0 and outreach.max() <= 0.4
    assert power.min() >= 0.2 and power.max() <= 1.0
    # A scrambled Sobol' sequence of 2^m points has one point in each of the 16 equal intervals of each dimension.
    assert sorted(np.floor(outreach / 0.4 * 16).astype(int)) == list(range(16))


def test_a_list_is_sampled_uniformly_over_its_values(tmp_path):
    spec = load(tmp_path, "[levers]\npolicy = [\"consultation\", \"co_design\", \"co_production\", \"paternalistic\"]\n[sampling]\nmethod = \"latin\"\nsamples = 40\n")
    names = [p["policy.name"] for p in sampling.points(spec)]
    assert {name: names.count(name) for name in set(names)} == {"consultation": 10, "co_design": 10, "co_production": 10, "paternalistic": 10}


@pytest.mark.parametrize("u", [0.0, 0.3, 0.999999])
def test_from_unit_stays_in_range(tmp_path, u):
    spec = load(tmp_path, "[uncertainties]\ncommunity.residents = { low = 100, high = 102 }\n[sampling]\nmethod = \"latin\"\nsamples = 4\n")
    value = spec.factors[0].from_unit(u)
    assert 100 <= value <= 102
