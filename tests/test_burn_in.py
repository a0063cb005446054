"""The status quo's burn-in: what runs before month 0, and the kept burn-ins a process reuses.

A model built from a kept burn-in must give bitwise the same numbers as one
that ran its own; different seeds or parameters are different worlds; a
network read from a file is never kept; the status quo's policy runs during
the burn-in and the scenario's after it; no months, no burn-in; and the kept
states are bounded in number and size (sim/burn_in.py).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim import HousingModel, burn_in
from sim.streams import Streams

SMALL = {"residents": 150, "status_quo__months": 18}


@pytest.fixture(autouse=True)
def nothing_kept():
    """Every test starts, and leaves, with no kept burn-ins."""
    burn_in.KEPT.clear()
    yield
    burn_in.KEPT.clear()


@pytest.fixture
def burn_ins(monkeypatch):
    """Counts the burn-ins models actually run."""
    ran = []
    original = HousingModel._burn_in

    def counting(self, status_quo, months):
        ran.append(months)
        return original(self, status_quo, months)

    monkeypatch.setattr(HousingModel, "_burn_in", counting)
    return ran


# -- reuse --------------------------------------------------------------------


def test_a_model_from_a_kept_burn_in_gives_bitwise_the_same_numbers(burn_ins):
    own = HousingModel(rng=3, policy="co_production", **SMALL)
    kept = HousingModel(rng=3, policy="co_production", **SMALL)
    assert burn_ins == [18]  # the second model took the first's burn-in
    own_series, kept_series = own.run(12), kept.run(12)
    pd.testing.assert_frame_equal(own_series, kept_series, check_exact=True)
    np.testing.assert_array_equal(own.state.trust_landlord, kept.state.trust_landlord)
    # And both are the burn-in a model runs on its own with nothing kept.
    burn_in.KEPT.clear()
    fresh = HousingModel(rng=3, policy="co_production", **SMALL)
    assert burn_ins == [18, 18]
    pd.testing.assert_frame_equal(fresh.run(12), own_series, check_exact=True)


def test_policies_switched_to_at_month_0_share_the_status_quos_burn_in(burn_ins):
    paternalistic = HousingModel(rng=3, policy="paternalistic", **SMALL)
    co_production = HousingModel(rng=3, policy="co_production", **SMALL)
    assert burn_ins == [18]
    # Month 0 is the same world: the same households in the same state, on the same network.
    np.testing.assert_array_equal(paternalistic.state.trust_landlord, co_production.state.trust_landlord)
    np.testing.assert_array_equal(paternalistic.state.need, co_production.state.need)
    assert (paternalistic.network.bonding != co_production.network.bonding).nnz == 0
    assert paternalistic.landlord.policy.name == "paternalistic"
    assert co_production.landlord.policy.name == "co_production"


def test_a_kept_burn_in_is_a_copy_that_one_model_cannot_change_for_another():
    first = HousingModel(rng=3, **SMALL)
    trust = first.state.trust_landlord.copy()
    linking = first.network.linking.copy()
    first.run(6)
    first.state.trust_landlord[:] = 0.0
    first.landlord.belief[:] = 0.25
    second = HousingModel(rng=3, **SMALL)
    np.testing.assert_array_equal(second.state.trust_landlord, trust)
    assert not np.all(second.landlord.belief == 0.25)
    np.testing.assert_array_equal(second.network.linking, linking)
    assert second.clock == 0
    assert second.state is not first.state and second.network is not first.network


def test_different_seeds_or_parameters_are_different_worlds(burn_ins):
    base = HousingModel(rng=3, **SMALL)
    other_seed = HousingModel(rng=4, **SMALL)
    other_parameter = HousingModel(rng=3, trust__gain_rate=0.1, **SMALL)
    other_status_quo = HousingModel(rng=3, status_quo__policy="consultation", **{**SMALL, "status_quo__months": 18})
    other_length = HousingModel(rng=3, residents=150, status_quo__months=6)
    assert burn_ins == [18, 18, 18, 18, 6]  # none reused another's
    for model in (other_seed, other_parameter, other_status_quo, other_length):
        assert burn_in.world_key(model.config, model.seed) != burn_in.world_key(base.config, base.seed)
    assert not np.array_equal(base.state.trust_landlord, other_seed.state.trust_landlord)
    assert not np.array_equal(base.state.trust_landlord, other_parameter.state.trust_landlord)


def test_the_scenarios_own_policy_and_length_of_run_do_not_change_the_world():
    a = HousingModel(rng=3, policy="paternalistic", steps=24, **SMALL)
    b = HousingModel(rng=3, policy="co_design", policy__reach=0.5, steps=60, **SMALL)
    assert burn_in.world_key(a.config, 3) == burn_in.world_key(b.config, 3)


def test_a_network_file_is_never_kept(tmp_path, burn_ins):
    graph = nx.Graph()
    for node in range(6):
        graph.add_node(node, block=node // 3)
    graph.add_edges_from([(0, 1, {"weight": 0.5}), (2, 3, {"weight": 0.4}), (4, 5, {"weight": 0.3})])
    path = tmp_path / "estate.graphml"
    nx.write_graphml(graph, path)
    first = HousingModel(rng=3, community__network_file=str(path), status_quo__months=6)
    assert burn_in.world_key(first.config, first.seed) is None
    # The same file and seed again: the burn-in runs again (a file may have changed between the two).
    second = HousingModel(rng=3, community__network_file=str(path), status_quo__months=6)
    assert burn_ins == [6, 6]
    np.testing.assert_array_equal(first.state.trust_landlord, second.state.trust_landlord)


# -- what runs ----------------------------------------------------------------


def test_the_status_quos_policy_runs_during_the_burn_in_and_the_scenarios_after_it():
    # Paternalism before month 0, co-production from month 1.
    model = HousingModel(rng=3, policy="co_production", **SMALL)
    s = model.state
    assert model.landlord.policy.name == "co_production"
    assert not s.participated.any() and not s.contacted.any()  # nobody was invited under paternalism...
    assert np.all(s.fatigue == 0.0)  # ...in any month of the burn-in
    model.step()
    assert s.participated.any() and s.contacted.any()
    # The other way round: residents took part before month 0, and nobody is invited after it.
    model = HousingModel(rng=3, policy="paternalistic", status_quo__policy="co_production", **SMALL)
    assert model.landlord.policy.name == "paternalistic"
    assert model.state.fatigue.max() > 0.0
    model.step()
    assert not model.state.participated.any()


def test_the_status_quos_levers_run_during_the_burn_in():
    model = HousingModel(rng=3, status_quo__policy="consultation", status_quo__reach=0.0, status_quo__capacity=0.0, **SMALL)
    # A consultation with no channel invites nobody: nobody ever took part.
    assert np.all(model.state.fatigue == 0.0)
    # With its own levers, residents took part in it.
    model = HousingModel(rng=3, status_quo__policy="consultation", **SMALL)
    assert model.state.fatigue.max() > 0.0


def test_status_quo_months_0_means_no_burn_in(burn_ins):
    model = HousingModel(rng=3, residents=150, status_quo__months=0)
    assert burn_ins == [0]
    assert model.clock == 0
    # No month ran: the streams are where a fresh run's are (the month's first draw of new need is the first draw).
    np.testing.assert_array_equal(model.streams["needs"].random((150, 4)), Streams(3)["needs"].random((150, 4)))
    assert np.all(model.state.fatigue == 0.0) and np.all(model.state.need_fit == 1.0)
    assert model.timeseries().empty


def test_a_burn_in_runs_its_months_before_month_0_and_collects_nothing():
    model = HousingModel(rng=3, **SMALL)
    assert model.clock == 0
    assert model.timeseries().empty
    # Month 0 after 18 months of the status quo is month 18 of a run of the status quo without a burn-in.
    no_burn_in = HousingModel(rng=3, residents=150, status_quo__months=0)
    no_burn_in.run(18)
    for name in ("trust_landlord", "stigma", "need", "employed", "wellbeing", "voice_felt"):
        np.testing.assert_array_equal(getattr(model.state, name), getattr(no_burn_in.state, name))
    np.testing.assert_array_equal(model.network.linking, no_burn_in.network.linking)
    np.testing.assert_array_equal(model.streams["needs"].random((150, 4)), no_burn_in.streams["needs"].random((150, 4)))
    frame = model.run(3)
    assert frame["step"].tolist() == [1, 2, 3]
    assert model.clock == 3


# -- bounds on what is kept ---------------------------------------------------


def _state(seed: int) -> dict:
    return burn_in.take(HousingModel(rng=seed, residents=50, status_quo__months=0))


def test_kept_states_are_bounded_in_number_least_recently_used_first_out():
    kept = burn_in.Kept(max_entries=2)
    a, b, c = _state(1), _state(2), _state(3)
    kept.put("a", a)
    kept.put("b", b)
    assert kept.get("a") is a  # a is now the most recently used
    kept.put("c", c)
    assert kept.get("b") is None
    assert kept.get("a") is a and kept.get("c") is c


def test_kept_states_are_bounded_in_size():
    a = _state(1)
    size = burn_in._size(a)
    assert size > 0
    kept = burn_in.Kept(max_bytes=2 * size + 1)  # room for two states of this size
    for key, seed in (("a", 1), ("b", 2), ("c", 3)):
        kept.put(key, _state(seed))
    assert kept.get("a") is None
    assert kept.get("b") is not None and kept.get("c") is not None
    # A state larger than the whole allowance is never kept.
    tiny = burn_in.Kept(max_bytes=size - 1)
    tiny.put("a", a)
    assert tiny.get("a") is None


def test_nothing_is_kept_or_found_without_a_key():
    kept = burn_in.Kept()
    kept.put(None, _state(1))
    assert kept.get(None) is None
    assert kept.get("never put") is None


def test_the_process_keeps_at_most_the_declared_number_of_burn_ins(burn_ins):
    for seed in range(burn_in.MAX_ENTRIES + 1):
        HousingModel(rng=seed, residents=20, status_quo__months=1)
    # The first world was the least recently used: it is gone, the last is there.
    HousingModel(rng=burn_in.MAX_ENTRIES, residents=20, status_quo__months=1)
    HousingModel(rng=0, residents=20, status_quo__months=1)
    assert burn_ins == [1] * (burn_in.MAX_ENTRIES + 1) + [1]
