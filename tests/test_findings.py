"""The finding sentences: generated from the numbers, naming the right direction for each outcome.

A synthetic analysis with a known answer (tables written by hand, so every
direction is known) checks the words; a real batch checks the report opens
with them and ends with its provenance.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from sim.batch import findings
from sim.batch.analysis import Analysis
from sim.cli import main

OUTCOMES = ["trust_landlord", "stigma", "employment_rate", "wellbeing", "equity_gap", "cost",
            "wellbeing_most_stigmatised", "wellbeing_least_stigmatised"]


def synthetic(changes: dict[str, dict[str, tuple[float, float, float]]], posterior: bool = False) -> Analysis:
    """An analysis whose paired changes are given: scenario -> outcome -> (mean, low, high)."""
    scenarios = ["base", *changes]
    low, high = ("posterior_low", "posterior_high") if posterior else ("ci_low", "ci_high")
    diff = pd.DataFrame([{"scenario": s, "baseline": "base", "outcome": o, "mean": m, "ci_low": lo, "ci_high": hi, low: lo, high: hi, "draws": 10, "agreeing": 10}
                         for s, table in changes.items() for o, (m, lo, hi) in table.items()])
    levels = pd.DataFrame([{"scenario": "base", "outcome": o, "mean": 0.5} for o in OUTCOMES]
                          + [{"scenario": s, "outcome": o, "mean": 0.5 + m} for s, t in changes.items() for o, (m, _, _) in t.items()])
    cost = {s: t["cost"] for s, t in changes.items()}
    returns = pd.DataFrame([{"scenario": s, "outcome": "trust_landlord", "extra_cost": m, "extra_cost_low": lo, "extra_cost_high": hi,
                             "extra_cost_posterior_low": lo, "extra_cost_posterior_high": hi} for s, (m, lo, hi) in cost.items()])
    results = SimpleNamespace(outcomes=OUTCOMES, scenarios=scenarios, baseline="base", points=[{}])
    return Analysis(results, levels, diff, returns, pd.DataFrame(), SimpleNamespace() if posterior else None)


QUIET = {o: (0.001, -0.002, 0.004) for o in OUTCOMES}


def test_each_outcome_is_read_in_its_own_direction():
    analysis = synthetic({"reform": {**QUIET,
                                     "trust_landlord": (0.10, 0.08, 0.12),     # up, higher is better: better
                                     "stigma": (0.05, 0.04, 0.06),             # up, lower is better: worse
                                     "equity_gap": (-0.04, -0.05, -0.03),      # down, lower is better: better
                                     "employment_rate": (0.06, -0.01, 0.13),   # large but crosses zero: unsettled
                                     "cost": (6.0, 5.0, 7.0)}})
    verdicts = {c.outcome: c.verdict for c in findings.changes(analysis, "reform")}
    assert verdicts["trust_landlord"] == "better" and verdicts["equity_gap"] == "better"
    assert verdicts["stigma"] == "worse" and verdicts["employment_rate"] == "unsettled"
    assert verdicts["wellbeing"] == "little" and verdicts["cost"] == "worse"
    text = findings.policy_sentence(analysis, "reform")
    assert "clearly better on trust in the landlord (up 0.10 on a 0-1 scale), the wellbeing gap (down 0.04 on a 0-1 scale)." in text
    assert "Clearly worse on stigma felt (up 0.05 on a 0-1 scale)." in text
    assert "Unsettled (large, but the interval crosses zero): the share in work (up 6.0 percentage points)." in text
    assert "It costs GBP 6.00 more per household per month" in text
    assert "For whom" not in text  # neither group's wellbeing moved beyond the threshold


def test_for_whom_compares_the_groups():
    analysis = synthetic({"reform": {**QUIET, "wellbeing_most_stigmatised": (0.08, 0.07, 0.09), "wellbeing_least_stigmatised": (0.01, 0.0, 0.02),
                                     "cost": (0.2, -0.5, 0.9)}})
    text = findings.policy_sentence(analysis, "reform")
    assert ("For whom: wellbeing goes up 0.08 on a 0-1 scale for the most stigmatised fifth against up 0.01 on a 0-1 scale "
            "for the least stigmatised fifth.") in text
    assert "It costs about the same as the baseline" in text


def test_groups_that_move_alike_are_said_to_in_one_phrase():
    alike = {"wellbeing_most_stigmatised": (0.10, 0.09, 0.11), "wellbeing_least_stigmatised": (0.11, 0.10, 0.12)}
    text = findings.policy_sentence(synthetic({"reform": {**QUIET, **alike, "cost": (0.2, -0.5, 0.9)}}), "reform")
    assert "For whom: about the same for the most and the least stigmatised fifths" in text


def test_a_reversed_policy_is_called_worse_and_the_ranking_follows():
    analysis = synthetic({"good": {**QUIET, "trust_landlord": (0.1, 0.09, 0.11), "cost": (1.0, 0.5, 1.5)},
                          "bad": {**QUIET, "trust_landlord": (-0.1, -0.11, -0.09), "cost": (1.0, 0.5, 1.5)}})
    assert "Clearly worse on trust in the landlord (down 0.10 on a 0-1 scale)." in findings.policy_sentence(analysis, "bad")
    assert "clearly better on nothing." in findings.policy_sentence(analysis, "bad")
    assert [s for s, _ in findings.ranked(analysis, "trust_landlord")] == ["good", "base", "bad"]
    assert [s for s, _ in findings.ranked(analysis, "stigma")][-1] in {"good", "bad"}  # equal levels: any order, but all present
    opening = "\n".join(findings.finding(analysis))
    assert "trust in the landlord: **good**, then base" in opening
    assert "The intervals cover chance alone" in opening  # not a posterior batch: no claim about the parameters


def test_a_posterior_batch_names_both_sources_of_uncertainty():
    analysis = synthetic({"reform": {**QUIET, "trust_landlord": (0.1, 0.05, 0.15), "cost": (2.0, 1.0, 3.0)}}, posterior=True)
    opening = "\n".join(findings.finding(analysis))
    assert "The intervals cover chance (which households, ties and events) and what the national figures leave open (the calibration's 10 posterior draws)" in opening
    assert "What this does not show:" in opening and "Uncertainty in the model's structure" in opening


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("findings") / "compare"
    assert main(["compare", "paternalistic", "co_production", "--seeds", "3", "--steps", "12",
                 "--set", "community.residents=80", "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


def test_the_report_opens_with_the_finding_and_ends_with_provenance(compared):
    text = (compared / "report.md").read_text()
    found, run, methods, provenance = (text.index(h) for h in ("## What was found", "## What was run", "## Methods", "## Provenance"))
    assert found < run < methods < provenance
    assert "**co_production** against paternalistic:" in text[found:run]
    assert "sha256" not in text[:methods]  # hashes live in the provenance, not the opening
