"""Social capital: the capital index, workshop and hub groups, chance meetings, and linking ties from contact of any kind."""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx
import numpy as np
import pytest

from sim import HousingModel
from sim.mechanisms import social_capital
from sim.state import COMMUNITY


def test_capital_known_values():
    # 1 - exp(-s/scale): 0 -> 0; s = scale -> 1 - 1/e; s = 2*scale -> 1 - 1/e^2.
    np.testing.assert_allclose(
        social_capital.capital(np.array([0.0, 3.0, 6.0]), 3.0),
        [0.0, 1 - math.exp(-1), 1 - math.exp(-2)],
    )


def test_capital_rises_with_diminishing_returns_and_stays_below_one():
    values = social_capital.capital(np.arange(0.0, 30.0, 1.0), 1.5)
    steps = np.diff(values)
    assert np.all(steps > 0)
    assert np.all(np.diff(steps) < 0)  # the first ties matter most
    assert np.all(values < 1.0)


# -- group_pairs --------------------------------------------------------------

ESTATE = np.array([0] * 6 + [1] * 4 + [2] * 1 + [0] * 2)  # 13 residents; resident 10 alone in estate 2


def _groups(u: np.ndarray, v: np.ndarray) -> list[set[int]]:
    graph = nx.Graph()
    graph.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    return [set(c) for c in nx.connected_components(graph)], graph


def test_group_pairs_known_structure():
    members = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    u, v = social_capital.group_pairs(members, ESTATE, 4, np.random.default_rng(0))
    # Estate 0 has members 0-5 (6): groups of 4 and 2 -> 6 + 1 = 7 pairs.
    # Estate 1 has members 6-9 (4): one group -> 6 pairs.  Estate 2 has 10 alone: no pairs.
    assert len(u) == 13
    groups, graph = _groups(u, v)
    assert sorted(len(g) for g in groups) == [2, 4, 4]
    assert {6, 7, 8, 9} in groups
    assert 10 not in graph
    # Every group is complete: each pair in it appears.
    for group in groups:
        k = len(group)
        assert graph.subgraph(group).number_of_edges() == k * (k - 1) // 2


def test_group_pairs_properties_on_a_larger_set():
    rng = np.random.default_rng(1)
    estate = rng.integers(0, 5, 300)
    members = np.flatnonzero(rng.random(300) < 0.4)
    group_size = 8
    u, v = social_capital.group_pairs(members, estate, group_size, np.random.default_rng(2))
    assert np.all(u != v)
    # Pairs only within one estate, only between members.
    assert np.all(estate[u] == estate[v])
    assert set(u.tolist()) | set(v.tolist()) <= set(members.tolist())
    # Every pair once (in either order).
    pairs = Counter(frozenset(p) for p in zip(u.tolist(), v.tolist(), strict=True))
    assert max(pairs.values()) == 1
    groups, graph = _groups(u, v)
    for group in groups:
        assert len(group) <= group_size
        assert graph.subgraph(group).number_of_edges() == len(group) * (len(group) - 1) // 2
    # Each estate with m members forms ceil(m / 8) groups; only a leftover single member goes unpaired.
    for e in range(5):
        m = int((estate[members] == e).sum())
        in_groups = [g for g in groups if estate[next(iter(g))] == e]
        expected = math.ceil(m / group_size) - (1 if m % group_size == 1 else 0)
        assert len(in_groups) == expected
        assert sum(len(g) for g in in_groups) == m - (1 if m % group_size == 1 else 0)


def test_group_pairs_is_reproducible_with_the_same_rng():
    estate = np.repeat([0, 1], 20)
    members = np.arange(0, 40, 2)
    a = social_capital.group_pairs(members, estate, 4, np.random.default_rng(9))
    b = social_capital.group_pairs(members, estate, 4, np.random.default_rng(9))
    c = social_capital.group_pairs(members, estate, 4, np.random.default_rng(10))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert {frozenset(p) for p in zip(*a, strict=True)} != {frozenset(p) for p in zip(*c, strict=True)}


def test_group_pairs_draws_one_number_per_member():
    rng = np.random.default_rng(3)
    social_capital.group_pairs(np.arange(7), np.zeros(7, dtype=np.int64), 3, rng)
    reference = np.random.default_rng(3)
    reference.random(7)
    assert rng.random() == reference.random()


@pytest.mark.parametrize("members", [np.array([], dtype=np.int64), np.array([4])])
def test_group_pairs_fewer_than_two_members_gives_no_pairs(members):
    u, v = social_capital.group_pairs(members, np.zeros(10, dtype=np.int64), 8, np.random.default_rng(0))
    assert len(u) == 0 and len(v) == 0


def test_group_size_two_gives_disjoint_pairs():
    u, v = social_capital.group_pairs(np.arange(10), np.zeros(10, dtype=np.int64), 2, np.random.default_rng(0))
    assert len(u) == 5
    assert sorted(np.concatenate((u, v)).tolist()) == list(range(10))


# -- random_member ------------------------------------------------------------


def test_random_member_known_answers():
    group = np.array([0, 0, 1, 1, 1, 2])
    who = np.array([0, 2, 5, 3])
    u = np.array([0.0, 0.999, 0.5, 0.4])
    # Group 0 = [0, 1]: u 0 -> first (0).  Group 1 = [2, 3, 4]: u 0.999 -> last (4); u 0.4 -> floor(1.2) = 1 -> 3.
    # Group 2 = [5]: itself.
    np.testing.assert_array_equal(social_capital.random_member(group, who, u), [0, 4, 5, 3])


def test_random_member_stays_in_group_and_covers_it():
    rng = np.random.default_rng(0)
    group = rng.integers(0, 6, 200)
    who = rng.integers(0, 200, 5000)
    picked = social_capital.random_member(group, who, rng.random(5000))
    assert np.all(group[picked] == group[who])
    # With many draws, every member of resident 0's group is picked at least once.
    mine = who[group[who] == group[0]]
    chosen = social_capital.random_member(group, mine, rng.random(len(mine)))
    assert set(chosen.tolist()) == set(np.flatnonzero(group == group[0]).tolist())


def test_random_member_handles_u_at_the_top():
    # u = 1.0 would index past the group: it is clamped to the last member.
    assert social_capital.random_member(np.array([0, 0, 0]), np.array([1]), np.array([1.0]))[0] == 2


# -- update_ties: linking ties ------------------------------------------------


def _model(policy: str = "consultation", **overrides) -> HousingModel:
    """Ten households with no ties to staff and no contact of any kind, yet."""
    model = HousingModel(rng=4, residents=10, policy=policy, status_quo__months=0, **overrides)
    s = model.state
    s.participated[:] = False
    s.contacted[:] = False
    s.complaint_open[:] = False
    s.raised[:] = -1
    model.network.linking[:] = 0.0
    model.month.co_delivers = np.zeros(10, dtype=bool)
    model.month.hub_attendees = np.zeros(10, dtype=bool)
    return model


def test_contact_of_any_kind_forms_ties_to_landlord_staff():
    model = _model()  # consultation: staff_contact 0.1
    s = model.state
    s.participated[0] = True
    s.contacted[1] = True
    s.complaint_open[2] = True
    s.participated[3] = s.contacted[3] = s.complaint_open[3] = True
    social_capital.update_ties(model)
    # linking_gain 0.25 times the contact, then a month's decay at linking_decay 0.04 + staff_turnover 0.015 = 0.055:
    #   a consultation meeting 0.25 * 0.1 = 0.025 -> 0.023625; an outreach visit 0.25 * 0.5 = 0.125 -> 0.118125;
    #   a month with a complaint open 0.25 * 0.2 = 0.05 -> 0.04725; all three 0.2 -> 0.189; no contact, no tie.
    np.testing.assert_allclose(model.network.linking[:5, 0], [0.023625, 0.118125, 0.04725, 0.189, 0.0])
    assert not model.network.linking[:, 1:].any()


def test_closer_work_with_staff_forms_stronger_ties():
    strengths = []
    for policy in ("consultation", "co_design", "co_production"):  # staff_contact 0.1, 0.5, 1
        model = _model(policy)
        model.state.participated[0] = True
        social_capital.update_ties(model)
        strengths.append(model.network.linking[0, 0])
    # 0.25 * (0.1, 0.5, 1) * 0.945.
    np.testing.assert_allclose(strengths, [0.023625, 0.118125, 0.23625])


def test_taking_part_without_any_contact_with_staff_forms_no_tie():
    model = _model(policy__staff_contact=0.0)
    model.state.participated[:] = True
    social_capital.update_ties(model)
    assert not model.network.linking[:, 0].any()


def test_co_delivery_and_the_hub_form_ties_to_service_staff():
    model = _model("co_production")
    model.state.participated[0] = True
    model.state.raised[0] = 2
    model.month.co_delivers[0] = True
    model.month.hub_attendees[1] = True
    social_capital.update_ties(model)
    # activity_tie_gain 0.25 to the service raised (column 1 + domain), decaying at linking_decay 0.04 only: 0.24.
    assert model.network.linking[0, 1 + 2] == pytest.approx(0.24)
    assert model.network.linking[1, 1 + COMMUNITY] == pytest.approx(0.24)
    # Co-production's close work also ties the co-deliverer to landlord staff: 0.25 * 1 * 0.945.
    assert model.network.linking[0, 0] == pytest.approx(0.23625)
    assert model.network.linking[1, 0] == 0.0


def test_ties_to_staff_fade_without_contact_and_are_dropped_below_the_threshold():
    model = _model()
    model.network.linking[0, 0] = 0.3
    model.network.linking[1, 0] = 0.005
    social_capital.update_ties(model)
    # 0.3 * 0.945 = 0.2835; 0.005 * 0.945 = 0.004725 < linking_threshold 0.005: dropped.
    assert model.network.linking[0, 0] == pytest.approx(0.2835)
    assert model.network.linking[1, 0] == 0.0


def test_linking_ties_are_capped_at_one():
    model = _model("co_production", network__linking_gain=1.0)
    model.network.linking[0, 0] = 0.9
    s = model.state
    s.participated[0] = s.contacted[0] = s.complaint_open[0] = True
    social_capital.update_ties(model)
    # 0.9 + 1 * (1 + 0.5 + 0.2) is capped at 1 before the month's decay: 0.945.
    assert model.network.linking[0, 0] == pytest.approx(0.945)
