"""What each outcome column is called in plain words, its unit, and which way is better.

One table, read by everything people see: the browser app's charts and
cards, the batch figures, the report's tables and its generated finding
sentences. A column missing from the table still works everywhere (it is
shown under its own name, as a 0-1 index where higher is better, unless its
name says ``dissatisfied``), so the
model can add explanatory columns without breaking a report.

Units:

- ``share``: a share of residents (or of need) in [0, 1]; a change reads in
  percentage points (0.05 is "5 points");
- ``index``: an index in [0, 1] (trust, stigma, tie strength, wellbeing); a
  change reads on that 0-1 scale;
- ``gbp``: GBP per household per month;
- ``years``.

Direction: higher is better except where ``better = -1``: stigma (less is
better), cost (the same results for less money are better; whether spending
buys enough is the return on spending's question), the wellbeing gap (a
smaller gap is a fairer community), the shares of residents reporting a bad
experience (dissatisfied, looked down on, prejudice, felt ignored), external
stigma and the parts of cost. A few explanatory columns have no clear good
direction (``complainants``: more complaints can mean more problems or more
voice; ``tenure_under_3_years``, ``years_at_address``: turnover); they are
marked ``better = 0`` and no sentence calls their change good or bad.
Definitions of every column: docs/ODD.md, "Outcomes".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["share", "index", "gbp", "years"]


@dataclass(frozen=True)
class OutcomeName:
    """How one outcome column is shown: ``label`` for axes and tables, ``short`` for small panels and sentences."""

    column: str
    label: str
    short: str
    unit: Unit
    better: Literal[1, -1, 0] = 1


def _row(column: str, label: str, short: str, unit: Unit, better: Literal[1, -1, 0] = 1) -> OutcomeName:
    return OutcomeName(column, label, short, unit, better)


TABLE: dict[str, OutcomeName] = {o.column: o for o in (
    _row("trust_landlord", "Trust in the landlord", "trust in the landlord", "index"),
    _row("trust_neighbours", "Trust in neighbours", "trust in neighbours", "index"),
    _row("trust_services", "Trust in services", "trust in services", "index"),
    _row("stigma", "Stigma felt", "stigma felt", "index", -1),
    _row("bonding", "Bonding (ties within blocks)", "bonding ties", "index"),
    _row("bridging", "Bridging (ties across blocks)", "bridging ties", "index"),
    _row("linking", "Linking (ties to landlord and services)", "linking ties", "index"),
    _row("participation", "Took part this month (everyone)", "taking part", "share"),
    _row("participation_most_stigmatised", "Took part (most stigmatised fifth)", "taking part among the most stigmatised", "share"),
    _row("participation_least_stigmatised", "Took part (least stigmatised fifth)", "taking part among the least stigmatised", "share"),
    _row("need_fit", "Need met", "need met", "share"),
    _row("need_fit_most_stigmatised", "Need met (most stigmatised fifth)", "need met among the most stigmatised", "share"),
    _row("need_fit_least_stigmatised", "Need met (least stigmatised fifth)", "need met among the least stigmatised", "share"),
    _row("employment_rate", "In work (working age)", "the share in work", "share"),
    _row("upward_mobility", "Into work or a higher income band in the last year", "moving up", "share"),
    _row("wellbeing", "Wellbeing", "wellbeing", "index"),
    _row("wellbeing_most_stigmatised", "Wellbeing (most stigmatised fifth)", "wellbeing of the most stigmatised", "index"),
    _row("wellbeing_least_stigmatised", "Wellbeing (least stigmatised fifth)", "wellbeing of the least stigmatised", "index"),
    _row("wellbeing_in_work", "Wellbeing (working age, in work)", "wellbeing of those in work", "index"),
    _row("wellbeing_out_of_work", "Wellbeing (working age, out of work)", "wellbeing of those out of work", "index"),
    _row("trust_landlord_most_stigmatised", "Trust in the landlord (most stigmatised fifth)", "trust in the landlord among the most stigmatised", "index"),
    _row("trust_landlord_least_stigmatised", "Trust in the landlord (least stigmatised fifth)", "trust in the landlord among the least stigmatised", "index"),
    _row("trust_landlord_in_work", "Trust in the landlord (working age, in work)", "trust in the landlord among those in work", "index"),
    _row("trust_landlord_out_of_work", "Trust in the landlord (working age, out of work)", "trust in the landlord among those out of work", "index"),
    _row("cost", "Cost (GBP per household per month)", "cost", "gbp", -1),
    _row("equity_gap", "Wellbeing gap (most minus least advantaged fifth)", "the wellbeing gap", "index", -1),
    _row("tsm_satisfied", "Satisfied overall (TP01)", "TP01 overall satisfaction", "share"),
    _row("tsm_dissatisfied", "Dissatisfied overall (TP01)", "TP01 overall dissatisfaction", "share", -1),
    _row("tsm_listens", "Listens to views and acts on them (TP06)", "TP06 'listens and acts'", "share"),
    _row("tsm_respect", "Treats fairly and with respect (TP08)", "TP08 'treats with respect'", "share"),
    _row("tsm_informed", "Keeps you informed (TP07)", "TP07 'keeps you informed'", "share"),
    _row("tsm_complaints", "Complaints handling, of those who complained (TP09)", "TP09 complaints handling", "share"),
    _row("tsm_repairs", "Satisfied with repairs, of those who had one (TP02)", "TP02 repairs", "share"),
    _row("tsm_maintained", "Home well maintained (TP04)", "TP04 'home well maintained'", "share"),
    _row("tsm_neighbourhood", "Positive contribution to the neighbourhood (TP11)", "TP11 'contributes to the neighbourhood'", "share"),
    _row("tsm_antisocial", "Handling of anti-social behaviour (TP12, a proxy)", "TP12 anti-social behaviour handling", "share"),
    _row("external_stigma", "How outsiders look on the estate (external stigma)", "external stigma", "index", -1),
    _row("survey_looked_down_on", "Feel looked down on for where they live", "feeling looked down on", "share", -1),
    _row("survey_discrimination", "Met prejudice or discrimination", "meeting prejudice", "share", -1),
    _row("survey_felt_ignored", "Felt ignored when they complained", "feeling ignored", "share", -1),
    _row("survey_trust_neighbours_unemployed", "Trust neighbours (out of work)", "trust in neighbours among those out of work", "share"),
    _row("complainants", "Complained in the last year", "complaining", "share", 0),
    _row("tenure_under_3_years", "Moved in under 3 years ago", "recent movers", "share", 0),
    _row("years_at_address", "Years at the address", "years at the address", "years", 0),
    _row("belief_accuracy", "Landlord's picture of needs (accuracy)", "the landlord's accuracy", "share"),
    _row("landlord_respect", "Staff respect", "staff respect", "index"),
    _row("landlord_pressure", "Pressure on the landlord (cuts, scandals)", "pressure on the landlord", "index", -1),
    _row("requests_delivered", "Participants' requests delivered", "requests delivered", "share"),
    _row("requests_funded", "Requests the budget could fund", "requests funded", "share"),
    _row("contact_quality", "Quality of contact between staff and participants", "contact quality", "index"),
    _row("fatigue", "Participation fatigue", "fatigue", "index", -1),
    _row("linked_to_landlord", "Households with a tie to landlord staff", "ties to staff", "share"),
    _row("recent_repairs", "Had a repair in the last year", "repairs", "share", 0),
)}
"""Every outcome column people see, by column name."""


def name(column: str) -> OutcomeName:
    """The table's row for ``column``; an unknown column (a cost part, a reported survey figure, a new one) gets a sensible default."""
    if column in TABLE:
        return TABLE[column]
    if column.startswith("cost_"):
        part = column.removeprefix("cost_").replace("_", " ")
        return OutcomeName(column, f"Cost: {part} (GBP per household per month)", f"cost of {part}", "gbp", -1)
    if column.startswith("tsm_reported_"):
        item = name("tsm_" + column.removeprefix("tsm_reported_"))
        return OutcomeName(column, f"{item.label}, as reported from the sample survey", f"reported {item.short}", "share", item.better)
    words = column.replace("_", " ")
    return OutcomeName(column, words, words, "index", -1 if "dissatisfied" in column else 1)


def label(column: str) -> str:
    """Plain-language name for axes, tables and cards."""
    return name(column).label


def short(column: str) -> str:
    """Lower-case phrase for sentences and small panels ("trust in the landlord")."""
    return name(column).short


def better(column: str) -> Literal[1, -1]:
    """+1 when a higher value is better (or no direction is good), -1 when a lower one is."""
    return -1 if name(column).better < 0 else 1


def has_direction(column: str) -> bool:
    """False for columns where neither a rise nor a fall is good news in itself."""
    return name(column).better != 0


def direction_cue(column: str) -> str:
    """"higher is better", "lower is better" or "no better direction"."""
    b = name(column).better
    return "no better direction" if b == 0 else ("higher is better" if b > 0 else "lower is better")


def unit_text(column: str) -> str:
    """The unit as a reader sees it on an axis."""
    return {"share": "share (0 to 1)", "index": "index (0 to 1)", "gbp": "GBP per household per month", "years": "years"}[name(column).unit]


def change_text(column: str, change: float) -> str:
    """A change in plain words with its unit: "5.2 points", "0.19 on a 0-1 scale", "GBP 6.80 a household a month"."""
    unit = name(column).unit
    size = abs(change)
    if unit == "share":
        return f"{100 * size:.1f} percentage points"
    if unit == "gbp":
        return f"GBP {size:.2f} per household per month"
    if unit == "years":
        return f"{size:.1f} years"
    return f"{size:.2f} on a 0-1 scale"
