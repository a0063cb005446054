"""The finding, in plain words, generated from a batch's numbers: what the report and the console open with.

For each policy against the baseline: which outcomes improve or worsen by
more than a stated threshold, for whom (the most and least stigmatised
fifths, those in and out of work, where those columns were recorded), at
what extra cost per household per month, and how sure: which sources of
uncertainty the interval covers. Then what the batch does not show. Nothing
here is hand-written about a result: every word that names a direction or a
size comes from the tables of :mod:`sim.batch.analysis`.

A change is **clear** when it is larger than the threshold for its unit
(:data:`THRESHOLD`) and its interval lies on one side of zero: the posterior
interval when the points are posterior draws (it holds chance and the
calibration's open parameters), else the seed interval (chance alone). A
change larger than the threshold whose interval crosses zero is **unsettled**;
anything within the threshold is **little change**. The thresholds are
stated in the text and are a reading aid, not a claim about what matters to
a resident: the tables below the finding carry every number.

A sweep (many parameter points) has no one finding per policy: its finding
says so and points to the surface figure and to ``python run.py discover``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np

from sim import outcome_table
from sim.batch.analysis import Analysis

THRESHOLD: dict[str, float] = {"share": 0.02, "index": 0.02, "gbp": 1.0, "years": 0.25}
"""Smallest change a finding names, per unit: 2 percentage points of a share, 0.02 on a 0-1 index, GBP 1 per household per month, a quarter of a year."""

GROUPS: tuple[tuple[str, str], ...] = (("most_stigmatised", "least_stigmatised"), ("out_of_work", "in_work"))
"""For whom: (group, the group it is compared with), as suffixes of the subgroup columns (``wellbeing_most_stigmatised``)."""

GROUP_NAMES = {"most_stigmatised": "the most stigmatised fifth", "least_stigmatised": "the least stigmatised fifth",
               "in_work": "those in work", "out_of_work": "those out of work"}

SHOWN = 6
"""How many outcomes a sentence names with their size, largest first (the rest are counted; the tables have them all)."""


@dataclass(frozen=True)
class Change:
    """One outcome's change for one policy, read against its threshold and interval."""

    outcome: str
    mean: float
    low: float
    high: float
    verdict: str
    """"better", "worse", "unsettled" or "little"."""

    @property
    def size(self) -> float:
        """The change in units of its threshold (for ranking)."""
        return abs(self.mean) / THRESHOLD[outcome_table.name(self.outcome).unit]


def threshold(outcome: str) -> float:
    return THRESHOLD[outcome_table.name(outcome).unit]


def verdict(outcome: str, mean: float, low: float, high: float) -> str:
    """Read one change: "better", "worse", "unsettled" (large, but its interval crosses zero) or "little"."""
    if not np.isfinite(mean) or abs(mean) <= threshold(outcome):
        return "little"
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high:
        return "unsettled"
    if not outcome_table.has_direction(outcome):
        return "unsettled"
    return "better" if outcome_table.better(outcome) * mean > 0 else "worse"


def _interval_columns(analysis: Analysis) -> tuple[str, str]:
    return ("posterior_low", "posterior_high") if analysis.posterior is not None else ("ci_low", "ci_high")


def changes(analysis: Analysis, scenario: str) -> list[Change]:
    """Every outcome's change for ``scenario`` against the baseline, read (in the experiment's order of outcomes)."""
    low, high = _interval_columns(analysis)
    rows = analysis.differences[analysis.differences["scenario"] == scenario]
    return [Change(r.outcome, float(r.mean), float(getattr(r, low)), float(getattr(r, high)), verdict(r.outcome, float(r.mean), float(getattr(r, low)), float(getattr(r, high))))
            for r in rows.itertuples()]


def _signed(outcome: str, change: float) -> str:
    word = "up" if change > 0 else "down"
    return f"{word} {outcome_table.change_text(outcome, change)}"


def _named(items: list[Change], limit: int | None = None) -> str:
    ranked = sorted(items, key=lambda c: -c.size)
    shown = ranked if limit is None else ranked[:limit]
    text = ", ".join(f"{outcome_table.short(c.outcome)} ({_signed(c.outcome, c.mean)})" for c in shown)
    rest = len(ranked) - len(shown)
    return text + (f", and {rest} more" if rest else "")


def _cost_text(analysis: Analysis, scenario: str) -> str | None:
    """The extra cost per household per month, averaged over the months, with its interval."""
    table = analysis.returns
    if table.empty or "extra_cost" not in table.columns:
        return None
    rows = table[table["scenario"] == scenario]
    if rows.empty:
        return None
    row = rows.iloc[0]
    posterior = analysis.posterior is not None and "extra_cost_posterior_low" in table.columns
    low, high = (row["extra_cost_posterior_low"], row["extra_cost_posterior_high"]) if posterior else (row["extra_cost_low"], row["extra_cost_high"])
    cost = float(row["extra_cost"])
    word = "more" if cost > 0 else "less"
    span = f"{float(low):+.2f} to {float(high):+.2f}"
    if abs(cost) <= THRESHOLD["gbp"] and low <= 0 <= high:
        return f"it costs about the same as the baseline (GBP {cost:+.2f} per household per month, interval {span})"
    return f"it costs GBP {abs(cost):.2f} {word} per household per month, averaged over the months (interval {span})"


def _for_whom(analysis: Analysis, scenario: str) -> str | None:
    """Where the change differs between groups by more than the threshold, from the subgroup columns that were recorded."""
    recorded = set(analysis.results.outcomes)
    found = {c.outcome: c for c in changes(analysis, scenario)}
    differs, alike = [], 0
    for outcome in ("wellbeing", "trust_landlord"):
        for group, other in GROUPS:
            a, b = f"{outcome}_{group}", f"{outcome}_{other}"
            if not (a in recorded and b in recorded and a in found and b in found):
                continue
            ca, cb = found[a].mean, found[b].mean
            if max(abs(ca), abs(cb)) <= threshold(outcome):
                continue  # it hardly moves for either group
            if abs(ca - cb) <= threshold(outcome):
                alike += 1
                continue
            differs.append(f"{outcome_table.short(outcome)} goes {_signed(outcome, ca)} for {GROUP_NAMES[group]} against {_signed(outcome, cb)} for {GROUP_NAMES[other]}")
    if differs:
        return "; ".join(differs) + ("; about the same between the other groups compared" if alike else "")
    if alike:
        return ("about the same for the most and the least stigmatised fifths, and for working-age residents in and out of work "
                "(wellbeing and trust in the landlord differ by less than the threshold)")
    if {"participation_most_stigmatised", "participation"} <= recorded and "participation" in found:
        c, most = found["participation"], found.get("participation_most_stigmatised")
        if most is not None and max(abs(c.mean), abs(most.mean)) > threshold("participation"):
            return f"taking part goes {_signed('participation', c.mean)} overall and {_signed('participation', most.mean)} among the most stigmatised fifth"
    return None


def _sureness(analysis: Analysis, clear: list[tuple[str, Change]]) -> str:
    if analysis.posterior is not None:
        rows = analysis.differences
        count = int(rows["draws"].max())
        weakest = ""
        if clear:
            keys = {(scenario, c.outcome) for scenario, c in clear}
            subset = rows[[(s, o) in keys for s, o in zip(rows["scenario"], rows["outcome"], strict=True)]]
            if len(subset):
                weakest = f"; every one of those directions holds in at least {int(subset['agreeing'].min())} of the {count} parameter draws"
        return (f"The intervals cover chance (which households, ties and events) and what the national figures leave open "
                f"(the calibration's {count} posterior draws){weakest}.")
    return ("The intervals cover chance alone (which households, ties and events), at one set of parameter values: "
            "they say nothing about parameters the data leave open.")


def policy_sentence(analysis: Analysis, scenario: str) -> str:
    """One paragraph: what ``scenario`` changes against the baseline, for whom, at what cost, how sure."""
    baseline = analysis.results.baseline
    read = [c for c in changes(analysis, scenario) if c.outcome != "cost" and c.outcome in _main(analysis)]
    better = [c for c in read if c.verdict == "better"]
    worse = [c for c in read if c.verdict == "worse"]
    unsettled = [c for c in read if c.verdict == "unsettled"]
    parts = [f"**{scenario}** against {baseline}:"]
    parts.append(f"clearly better on {_named(better, SHOWN)}." if better else "clearly better on nothing.")
    parts.append(f"Clearly worse on {_named(worse, SHOWN)}." if worse else "Clearly worse on nothing.")
    if unsettled:
        parts.append(f"Unsettled (large, but the interval crosses zero): {_named(unsettled, SHOWN)}.")
    little = len(read) - len(better) - len(worse) - len(unsettled)
    if little:
        parts.append(f"{little} outcome{'s' if little != 1 else ''} change{'' if little != 1 else 's'} by less than the threshold.")
    cost = _cost_text(analysis, scenario)
    if cost:
        parts.append(cost[0].upper() + cost[1:] + ".")
    whom = _for_whom(analysis, scenario)
    if whom:
        parts.append(f"For whom: {whom}.")
    return " ".join(parts)


def _main(analysis: Analysis) -> set[str]:
    """The outcomes a policy sentence reads: every recorded outcome but the subgroup columns (those say for whom)."""
    groups = {f"{o}_{g}" for o in ("wellbeing", "trust_landlord") for g in GROUP_NAMES}
    return {o for o in analysis.results.outcomes if o not in groups}


def threshold_text() -> str:
    return (f"A change counts when it exceeds {100 * THRESHOLD['share']:g} percentage points of a share, "
            f"{THRESHOLD['index']:g} on a 0-1 index or GBP {THRESHOLD['gbp']:g} per household per month, "
            "and is clear when its interval also lies on one side of zero.")


def not_shown(analysis: Analysis) -> list[str]:
    """What this batch does not show, in a few bullet points."""
    lines = []
    if analysis.posterior is None:
        lines.append("How the result changes with the parameters: the runs hold them at one set of values.")
    lines.append("Uncertainty in the model's structure: what it leaves out or gets wrong (docs/ODD.md, Appendix A); no interval covers it.")
    lines.append("A forecast for a particular landlord: the scenarios start from a simulated landlord like the national median, not from any one landlord's data.")
    folder = getattr(analysis.results, "folder", None)
    if folder is None or not (any(folder.glob("discovery/*/discovery.json")) or any(folder.glob("*/discovery/*/discovery.json"))):
        lines.append("Conditions under which the ranking reverses: run `python run.py discover` on a batch that varies the uncertain parameters.")
    return lines


def finding(analysis: Analysis) -> list[str]:
    """The report's opening lines (Markdown): one paragraph per policy, how sure, and what the batch does not show."""
    results = analysis.results
    if not analysis.has_runs:
        return ["No run has finished yet, so there is no finding."]
    if analysis.differences.empty or not results.baseline:
        return ["This batch has no baseline to compare against, so it states no finding: the tables below give each scenario's outcomes."]
    if "point" in analysis.differences.columns and analysis.differences["point"].nunique() > 1:
        return [f"This is a sweep over {len(results.points)} parameter points: a policy's effect depends on where it is read, so there is "
                "no single finding. The surface figure shows how the outcomes move; `python run.py discover` finds the conditions "
                "under which a contrast reverses."]
    scenarios = [s for s in results.scenarios if s != results.baseline]
    lines = [*_best_lines(analysis), threshold_text(), ""]
    for scenario in scenarios:
        lines += [policy_sentence(analysis, scenario), ""]
    clear = [(s, c) for s in scenarios for c in changes(analysis, s) if c.verdict in ("better", "worse")]
    lines += [_sureness(analysis, clear), "", "What this does not show:", ""]
    lines += [f"- {line}" for line in not_shown(analysis)]
    return lines


def console_lines(analysis: Analysis, width: int = 100) -> list[str]:
    """The finding for a terminal: plain text, wrapped."""
    out = []
    for line in finding(analysis):
        text = line.replace("**", "").replace("`", "")
        if not text:
            out.append("")
            continue
        indent = "  " if text.startswith("- ") else ""
        out += textwrap.wrap(text, width=width, subsequent_indent=indent) or [""]
    return out


KEY = ("trust_landlord", "stigma", "wellbeing", "need_fit", "employment_rate", "cost")
"""Outcomes the opening sentence ranks the scenarios on, when recorded."""


def _best_lines(analysis: Analysis) -> list[str]:
    """Which scenario does best on each key outcome, with the runner-up (levels at the final month)."""
    parts = []
    for outcome in KEY:
        ranking = ranked(analysis, outcome)
        if len(ranking) < 2:
            continue
        (best, value), (second, runner) = ranking[0], ranking[1]
        close = abs(value - runner) <= threshold(outcome)
        parts.append(f"{outcome_table.short(outcome)}: **{best}**" + (f" (within the threshold of {second})" if close else f", then {second}"))
    if not parts:
        return []
    return [f"At the final month, the best of the {len(analysis.results.scenarios)} scenarios on " + "; ".join(parts) + ".", ""]


def ranked(analysis: Analysis, outcome: str) -> list[tuple[str, float]]:
    """Scenarios from best to worst on ``outcome`` (pooled level at the final month) with their levels; empty for sweeps."""
    table = analysis.summary
    if table.empty or ("point" in table.columns and table["point"].nunique() > 1):
        return []
    rows = table[table["outcome"] == outcome]
    pairs = [(str(s), float(m)) for s, m in zip(rows["scenario"], rows["mean"], strict=True)]
    return sorted(pairs, key=lambda p: -outcome_table.better(outcome) * p[1])


def best_on(analysis: Analysis, outcome: str) -> str | None:
    """The scenario with the best pooled level of ``outcome`` (single point or posterior batches), or None."""
    ranking = ranked(analysis, outcome)
    return ranking[0][0] if ranking else None
