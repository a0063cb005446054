"""Which side of a comparison is the reform: the difference charts always show what the reform changes.

Side by side, A and B can be any two policies, and a workshop sets the reform
on either side (act 2 puts the listening exercise in A, act 3 co-production
in B). Read as "B minus A", a reform's gain would show as a loss whenever it
sits in A. So the charts show *reform minus reference*, where the reform is
the policy higher on Arnstein's ladder (:func:`sim.policies.ladder_order`);
with both on the same rung (the same policy as this scenario has it and as
designed, say) they show B minus A.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.policies import ladder_order


def reform_sides(policy_a: str, policy_b: str) -> tuple[str, str]:
    """``("b", "a")`` when B is the reform (higher on the ladder, or level with A), ``("a", "b")`` when A is.

    The first letter is the reform's side, the second the reference's.
    """
    return ("a", "b") if ladder_order(policy_a) > ladder_order(policy_b) else ("b", "a")


def in_reform_order[T](items: Sequence[T], policy_a: str, policy_b: str) -> tuple[T, T]:
    """``(reform's, reference's)`` of a pair given as ``(A's, B's)`` (frames, names, models)."""
    first, second = ("ab".index(side) for side in reform_sides(policy_a, policy_b))
    return items[first], items[second]


def difference_caption(name_a: str, name_b: str, policy_a: str, policy_b: str) -> str:
    """The heading over the difference charts, e.g. "What co-production (B) changes, against paternalistic (A)"."""
    reform, reference = reform_sides(policy_a, policy_b)
    names = {"a": name_a, "b": name_b}
    return f"What {names[reform]} ({reform.upper()}) changes, against {names[reference]} ({reference.upper()})"
