"""Which way is better for each outcome: ``better(outcome)`` is +1 (higher is better) or -1 (lower is better).

Used by the policy-contrast screening (:mod:`sim.batch.contrast`) to say where
one scenario does *worse* than another: a contrast ``A - B`` counts as A
doing worse when ``better(outcome) * (A - B) < 0``.

Higher is better for every outcome but these (definitions in docs/ODD.md,
"Outcomes"):

- ``stigma``: residents' internalised stigma (feeling looked down on,
  holding back from asking for help); less is better.
- ``cost``: GBP per household per month the landlord and services spend; the
  same results for less money are better (whether spending buys enough is
  the return on spending's question, not this one).
- ``equity_gap``: wellbeing of the most advantaged fifth minus that of the
  least advantaged; a smaller gap is a fairer community.
- ``tsm_dissatisfied``, and any outcome whose name contains
  ``dissatisfied``: the share of residents who would say they are
  dissatisfied in the Tenant Satisfaction Measures survey.

and these explanatory columns, lower-is-better for the same reasons:

- ``cost_*`` (``cost_services``, ``cost_outreach``, ...): the parts of ``cost``.
- ``external_stigma``: how the outside world (press, employers) looks on the
  estate.
- ``survey_looked_down_on``, ``survey_discrimination``,
  ``survey_felt_ignored``: shares of residents reporting a bad experience
  (feeling looked down on, prejudice, being ignored when they complained).

A few explanatory columns have no clear good direction (``complainants``:
more complaints can mean more problems or more voice; ``tenure_under_3_years``
and ``years_at_address``: turnover); they take the default, higher, and a
contrast on them should be read with that in mind.
"""

from __future__ import annotations

from typing import Literal

LOWER_IS_BETTER: tuple[str, ...] = (
    "stigma", "cost", "equity_gap", "tsm_dissatisfied",
    "external_stigma", "survey_looked_down_on", "survey_discrimination", "survey_felt_ignored",
)
"""Outcomes where less is better (see the module docstring for why), besides any name containing ``dissatisfied`` or starting with ``cost_``."""


def better(outcome: str) -> Literal[1, -1]:
    """+1 when a higher value of ``outcome`` is better, -1 when a lower one is."""
    if outcome in LOWER_IS_BETTER or "dissatisfied" in outcome or outcome.startswith("cost_"):
        return -1
    return 1


def word(outcome: str) -> str:
    """``"higher"`` or ``"lower"``: which values of ``outcome`` are better."""
    return "higher" if better(outcome) > 0 else "lower"
