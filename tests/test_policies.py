"""Participation policies: the registry, what each promises and acts on, invitations, and their levers."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from sim import policies
from sim.errors import UserError
from sim.policies import LEVERS, Policy, make_policy, policy_class, policy_table, register

BUILT_IN = ("co_design", "co_production", "consultation", "paternalistic")


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the registry, so a test's new policy does not leak into other tests."""
    copy = dict(policies.POLICIES)
    monkeypatch.setattr(policies, "POLICIES", copy)
    return copy


# -- registry -----------------------------------------------------------------


def test_built_in_policies_are_registered():
    assert set(BUILT_IN) <= set(policies.POLICIES)
    for name in BUILT_IN:
        cls = policy_class(name, "here")
        assert cls.name == name
        assert issubclass(cls, Policy)


def test_unknown_policy_lists_valid_names_and_suggests_a_close_one():
    with pytest.raises(UserError) as info:
        make_policy("co_desing", where="scenario.toml: policy.name")
    message = str(info.value)
    assert message.startswith("scenario.toml: policy.name: unknown policy 'co_desing'")
    assert "did you mean 'co_design'?" in message
    accepted = message.split("accepted:", 1)[1]
    for name in BUILT_IN:
        assert name in accepted


def test_unknown_policy_far_from_any_name_has_no_suggestion():
    with pytest.raises(UserError) as info:
        policy_class("zzzz", "here")
    assert "did you mean" not in str(info.value)
    assert "paternalistic" in str(info.value)


@pytest.mark.parametrize("name", [None, 3, ["co_design"]])
def test_non_string_policy_name_is_a_user_error(name):
    with pytest.raises(UserError):
        policy_class(name, "here")


def test_registering_a_new_policy_makes_it_usable_by_name(registry):
    @register
    class Delegation(Policy):
        name = "test_delegation"
        rung = "citizen power (delegated power)"
        summary = "A test policy."
        defaults: ClassVar[dict[str, float]] = {"reach": 0.5, "capacity": 0.2, "power_share": 0.9}

        def invitation(self, contacted: np.ndarray) -> np.ndarray:
            return np.full(contacted.shape, 0.25)

    assert registry["test_delegation"] is Delegation
    policy = make_policy("test_delegation", {"capacity": 0.3})
    assert isinstance(policy, Delegation)
    assert policy.reach == 0.5  # its own default
    assert policy.capacity == 0.3  # the override
    assert policy.acts_on_input == 0.0  # the shared default
    # promise = 0.9 + 0.1 * 0 = 0.9; acted on, for a request the room fully backs: 0.9 * 1 + 0.1 * 0 * 0.8 = 0.9.
    assert policy.promise() == pytest.approx(0.9)
    assert policy.chance_acted_on(np.array([1.0]), 0.8) == pytest.approx([0.9])
    # Its own invitation rule is used.
    np.testing.assert_array_equal(policy.invitation(np.array([True, False])), [0.25, 0.25])
    assert "test_delegation" in [row["name"] for row in policy_table()]
    # And an unknown name now lists it among the accepted ones.
    with pytest.raises(UserError, match="test_delegation"):
        policy_class("nope", "here")


def test_register_rejects_nameless_policy_and_unknown_levers(registry):
    class Nameless(Policy):
        pass

    with pytest.raises(ValueError):
        register(Nameless)

    class Typo(Policy):
        name = "test_typo"
        defaults: ClassVar[dict[str, float]] = {"reech": 0.3}

    with pytest.raises(ValueError, match="reech"):
        register(Typo)
    assert "test_typo" not in registry


# -- promise ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # power_share + (1 - power_share) * acts_on_input:
        ("paternalistic", 0.0),  # 0 + 1 * 0
        ("consultation", 0.1),  # 0 + 1 * 0.1
        ("co_design", 0.79),  # 0.3 + 0.7 * 0.7 = 0.3 + 0.49
        ("co_production", 0.92),  # 0.6 + 0.4 * 0.8 = 0.6 + 0.32
    ],
)
def test_promise_of_each_policy(name, expected):
    assert make_policy(name).promise() == pytest.approx(expected)


def test_promise_climbs_the_ladder():
    values = [make_policy(name).promise() for name in ("paternalistic", "consultation", "co_design", "co_production")]
    assert np.all(np.diff(values) > 0)


def test_full_power_share_promises_full_influence():
    assert make_policy("consultation", {"power_share": 1.0}).promise() == pytest.approx(1.0)


# -- chance_acted_on ----------------------------------------------------------


def test_chance_acted_on_known_values():
    # co_design: 0.3 * support + 0.7 * acts_on_input 0.7 * humility 0.8 = 0.3 * support + 0.392.
    support = np.array([1.0, 0.5, 0.0])
    np.testing.assert_allclose(make_policy("co_design").chance_acted_on(support, 0.8), [0.692, 0.542, 0.392])
    # Custom levers: 0.5 * 0.4 + 0.5 * 0.6 * 0.5 = 0.2 + 0.15 = 0.35.
    policy = make_policy("consultation", {"power_share": 0.5, "acts_on_input": 0.6})
    assert policy.chance_acted_on(np.array([0.4]), 0.5) == pytest.approx([0.35])


def test_a_request_the_room_backs_less_is_less_likely_taken_up_where_residents_hold_power():
    support = np.linspace(0.0, 1.0, 5)
    chances = make_policy("co_production").chance_acted_on(support, 0.8)
    assert np.all(np.diff(chances) > 0)
    # Where the landlord keeps every decision, the room's backing does not matter.
    flat = make_policy("consultation").chance_acted_on(support, 0.8)
    np.testing.assert_allclose(flat, 0.1 * 0.8)


def test_chance_acted_on_with_no_humility_is_only_the_rooms_share():
    support = np.array([1.0, 0.25])
    np.testing.assert_allclose(make_policy("co_design").chance_acted_on(support, 0.0), 0.3 * support)
    np.testing.assert_array_equal(make_policy("consultation").chance_acted_on(support, 0.0), [0.0, 0.0])


def test_nothing_is_acted_on_beyond_what_was_promised():
    rng = np.random.default_rng(4)
    for _ in range(50):
        power, acts = rng.random(2)
        policy = make_policy("consultation", {"power_share": power, "acts_on_input": acts})
        chances = policy.chance_acted_on(rng.random(20), rng.random())
        assert np.all((chances >= 0.0) & (chances <= policy.promise() + 1e-12))


# -- invitation ---------------------------------------------------------------


def test_no_channel_invites_nobody_even_if_contacted():
    contacted = np.array([True, False, True])
    np.testing.assert_array_equal(make_policy("paternalistic").invitation(contacted), [0.0, 0.0, 0.0])


def test_outreach_contacts_are_invited_with_certainty_others_at_reach():
    contacted = np.array([True, False, False, True])
    np.testing.assert_allclose(make_policy("co_production").invitation(contacted), [1.0, 0.2, 0.2, 1.0])


def test_capacity_without_reach_invites_only_those_contacted():
    policy = make_policy("consultation", {"reach": 0.0, "capacity": 0.1})
    np.testing.assert_array_equal(policy.invitation(np.array([True, False])), [1.0, 0.0])


# -- levers -------------------------------------------------------------------


def test_each_policy_has_its_defaults():
    policy = make_policy("co_production")
    assert policy.levers() == {
        "reach": 0.2,
        "capacity": 0.15,
        "acts_on_input": 0.8,
        "power_share": 0.6,
        "co_delivery": 0.5,
        "outreach": 0.2,
        "staff_contact": 1.0,
        "facilitation_cost": 80.0,
        "outreach_cost": 10.0,
    }
    assert all(value == p.default for p, value in zip(LEVERS, make_policy("paternalistic").levers().values(), strict=True))


def test_levers_override_defaults_and_are_checked():
    policy = make_policy("consultation", {"reach": 1, "outreach": 0.5})
    assert policy.reach == 1.0 and type(policy.reach) is float
    assert policy.outreach == 0.5
    assert policy.capacity == 0.15  # default kept


@pytest.mark.parametrize(
    ("levers", "fragment"),
    [
        ({"reach": 1.5}, "policy.reach: 1.5 is not accepted"),
        ({"capacity": -0.1}, "policy.capacity"),
        ({"power_share": "all"}, "policy.power_share"),
        ({"co_delivery": True}, "policy.co_delivery"),
        ({"outreach": float("nan")}, "policy.outreach"),
    ],
)
def test_bad_lever_values_are_user_errors(levers, fragment):
    with pytest.raises(UserError) as info:
        make_policy("co_design", levers, where="s.toml")
    assert fragment in str(info.value)
    assert str(info.value).startswith("s.toml")


def test_unknown_lever_suggests_the_closest():
    with pytest.raises(UserError) as info:
        make_policy("consultation", {"reech": 0.1}, where="s.toml")
    assert "did you mean 'reach'?" in str(info.value)
    assert "outreach_cost" in str(info.value)


def test_lever_sections_are_per_policy_and_do_not_share_state():
    a = make_policy("co_design", {"reach": 0.9})
    b = make_policy("co_design")
    assert a.reach == 0.9 and b.reach == 0.2
    assert policies.CoDesign.section().get("reach").default == 0.2
    assert policies.Consultation.section().get("acts_on_input").default == 0.1


def test_policy_table_lists_every_policy_with_lever_defaults():
    rows = {row["name"]: row for row in policy_table()}
    assert set(BUILT_IN) <= set(rows)
    assert rows["co_design"]["power_share"] == 0.3
    assert rows["paternalistic"]["reach"] == 0.0
    assert rows["consultation"]["rung"] == "tokenism"
