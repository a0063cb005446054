"""Param.check and Section.resolve: what a parameter accepts and how a mistake is reported."""

from __future__ import annotations

import math

import pytest

from sim.errors import UserError
from sim.parameters import Param, Section, as_namespace, suggest

INT = Param("count", 8, "residents", "assumption", "A whole number.", 2, 50)
FLOAT = Param("rate", 0.1, "share", "assumption", "A share.", 0.0, 1.0)
UNBOUNDED = Param("anything", 1.5, "units", "assumption", "Any finite number.")
FLAG = Param("open", False, "true or false", "assumption", "A switch.")
VECTOR = Param("shares", (0.25, 0.25, 0.5), "shares", "assumption", "Three shares.", 0.0, 1.0)
CHOICE = Param("mode", "fast", "mode", "assumption", "A mode.", choices=("fast", "slow"))
TEXT = Param("path", "", "path", "user data", "Free text.")

SECTION = Section("demo", "A demo section.", (INT, FLOAT, UNBOUNDED, FLAG, VECTOR, CHOICE, TEXT))


# -- bool ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False])
def test_bool_param_accepts_bools(value):
    assert FLAG.check(value, "here") is value


@pytest.mark.parametrize("value", [0, 1, 0.0, "true", None])
def test_bool_param_rejects_non_bools(value):
    with pytest.raises(UserError):
        FLAG.check(value, "here")


# -- whole numbers ------------------------------------------------------------


def test_int_param_accepts_int_and_whole_float_and_returns_int():
    assert INT.check(10, "here") == 10
    converted = INT.check(10.0, "here")
    assert converted == 10
    assert type(converted) is int


@pytest.mark.parametrize("value", [True, False])
def test_int_param_rejects_bools(value):
    # bool is a subclass of int in Python, but True is not a count of residents.
    with pytest.raises(UserError):
        INT.check(value, "here")


@pytest.mark.parametrize("value", [10.5, "10", None, [10]])
def test_int_param_rejects_fractions_and_non_numbers(value):
    with pytest.raises(UserError):
        INT.check(value, "here")


def test_int_param_bounds_are_inclusive():
    assert INT.check(2, "here") == 2
    assert INT.check(50, "here") == 50
    for value in (1, 51):
        with pytest.raises(UserError):
            INT.check(value, "here")


# -- real numbers -------------------------------------------------------------


def test_float_param_accepts_int_and_returns_float():
    converted = FLOAT.check(1, "here")
    assert converted == 1.0
    assert type(converted) is float


@pytest.mark.parametrize("value", [True, "0.5", None])
def test_float_param_rejects_bools_and_strings(value):
    with pytest.raises(UserError):
        FLOAT.check(value, "here")


def test_float_param_bounds_are_inclusive():
    assert FLOAT.check(0.0, "here") == 0.0
    assert FLOAT.check(1.0, "here") == 1.0
    for value in (-1e-9, 1.0 + 1e-9):
        with pytest.raises(UserError):
            FLOAT.check(value, "here")


@pytest.mark.parametrize("param", [FLOAT, UNBOUNDED, INT])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_rejected_even_without_bounds(param, value):
    with pytest.raises(UserError):
        param.check(value, "here")


@pytest.mark.parametrize("param", [INT, FLOAT, UNBOUNDED])
def test_integer_too_large_for_a_float_is_a_user_error(param):
    # Python's tomllib parses integers of any size; converting 10**400 to float would overflow.
    with pytest.raises(UserError):
        param.check(10**400, "here")


def test_vector_item_too_large_for_a_float_is_a_user_error():
    with pytest.raises(UserError):
        VECTOR.check([0.1, 10**400, 0.2], "here")


def test_unbounded_float_accepts_large_negative_values():
    assert UNBOUNDED.check(-1e6, "here") == -1e6


# -- vectors ------------------------------------------------------------------


def test_tuple_param_accepts_list_or_tuple_of_right_length_as_float_tuple():
    assert VECTOR.check([0, 0.5, 1], "here") == (0.0, 0.5, 1.0)
    converted = VECTOR.check((0.1, 0.2, 0.3), "here")
    assert isinstance(converted, tuple)
    assert all(type(x) is float for x in converted)


@pytest.mark.parametrize(
    "value",
    [
        [0.1, 0.2],  # too short
        [0.1, 0.2, 0.3, 0.4],  # too long
        0.5,  # not a list
        "0.1 0.2 0.3",  # a string is not a list of numbers
        [0.1, 0.2, 1.5],  # an item above the bound
        [0.1, -0.2, 0.3],  # an item below the bound
        [0.1, True, 0.3],  # a bool item
        [0.1, math.nan, 0.3],  # NaN item
        [0.1, "x", 0.3],  # text item
    ],
)
def test_tuple_param_rejects_wrong_length_or_bad_items(value):
    with pytest.raises(UserError):
        VECTOR.check(value, "here")


# -- strings and choices ------------------------------------------------------


def test_choice_param_accepts_only_listed_choices():
    assert CHOICE.check("slow", "here") == "slow"
    for value in ("medium", "FAST", 1):
        with pytest.raises(UserError):
            CHOICE.check(value, "here")


def test_string_param_rejects_non_strings():
    assert TEXT.check("net.graphml", "here") == "net.graphml"
    with pytest.raises(UserError):
        TEXT.check(3, "here")


# -- messages -----------------------------------------------------------------


def test_rejection_message_names_origin_value_and_accepted_range():
    with pytest.raises(UserError) as info:
        FLOAT.check(2.5, "scenario.toml: demo.rate")
    message = str(info.value)
    assert "scenario.toml: demo.rate" in message
    assert "2.5" in message
    assert "a number in [0, 1]" in message


def test_accepted_descriptions():
    assert INT.accepted == "a whole number in [2, 50]"
    assert UNBOUNDED.accepted == "a number"
    assert FLAG.accepted == "true or false"
    assert VECTOR.accepted == "a list of 3 numbers in [0, 1]"
    assert CHOICE.accepted == "one of 'fast', 'slow'"
    half_open = Param("x", 1.0, "u", "s", "d", low=0.0)
    assert half_open.accepted == "a number in [0, inf]"


# -- sections -----------------------------------------------------------------


def test_section_resolve_overlays_checked_values_on_defaults():
    resolved = SECTION.resolve({"rate": 1, "count": 12.0}, "here")
    assert resolved["rate"] == 1.0 and type(resolved["rate"]) is float
    assert resolved["count"] == 12 and type(resolved["count"]) is int
    # Untouched keys keep their defaults.
    assert resolved["mode"] == "fast"
    assert resolved["shares"] == (0.25, 0.25, 0.5)
    assert set(resolved) == {p.name for p in SECTION.params}


def test_section_resolve_does_not_change_declared_defaults():
    SECTION.resolve({"rate": 0.9}, "here")
    assert SECTION.defaults()["rate"] == 0.1


def test_section_resolve_reports_bad_value_with_section_and_key():
    with pytest.raises(UserError) as info:
        SECTION.resolve({"rate": 3.0}, "my.toml")
    assert "my.toml: demo.rate" in str(info.value)


def test_unknown_key_suggests_closest_and_lists_accepted():
    with pytest.raises(UserError) as info:
        SECTION.resolve({"rat": 0.2}, "my.toml")
    message = str(info.value)
    assert "my.toml: demo.rat: unknown key" in message
    assert "did you mean 'rate'?" in message
    for name in ("count", "rate", "anything", "open", "shares", "mode", "path"):
        assert name in message.split("accepted:", 1)[1]


def test_unknown_key_far_from_any_name_has_no_suggestion():
    with pytest.raises(UserError) as info:
        SECTION.resolve({"zzzzzzzz": 1}, "my.toml")
    assert "did you mean" not in str(info.value)
    assert "accepted:" in str(info.value)


def test_suggest_picks_the_closest_name():
    assert suggest("bonding_degre", ["bonding_degree", "bridging_degree"]) == " (did you mean 'bonding_degree'?)"
    assert suggest("qqq", ["bonding_degree"]) == ""


def test_section_rejects_duplicate_parameter_names():
    with pytest.raises(ValueError):
        Section("dup", "", (FLOAT, FLOAT))


def test_section_get_unknown_is_key_error():
    assert SECTION.get("rate") is FLOAT
    with pytest.raises(KeyError):
        SECTION.get("nope")


def test_as_namespace_gives_attribute_access():
    ns = as_namespace(SECTION.defaults())
    assert ns.rate == 0.1
    assert ns.count == 8
