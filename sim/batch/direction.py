"""Which way is better for each outcome, for the batch tools: ``better(outcome)`` is +1 or -1.

A contrast ``A - B`` counts as A doing *worse* when ``better(outcome) * (A - B) < 0``
(:mod:`sim.batch.contrast`, the findings). The directions and why are in the
one outcome table, :mod:`sim.outcome_table`, which the app reads too.
"""

from __future__ import annotations

from typing import Literal

from sim import outcome_table


def better(outcome: str) -> Literal[1, -1]:
    """+1 when a higher value of ``outcome`` is better, -1 when a lower one is (no direction counts as higher)."""
    return outcome_table.better(outcome)


def word(outcome: str) -> str:
    """``"higher"`` or ``"lower"``: which values of ``outcome`` are better."""
    return "higher" if better(outcome) > 0 else "lower"
