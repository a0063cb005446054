"""docs/ODD.md and the README stay in step with the code: generated tables, ODD structure, parameters, phases, outcomes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.catalogue import SECTIONS
from sim.docs_tables import TABLES, refresh
from sim.mechanisms.outcomes import EXTRA, OUTCOMES
from sim.model import PHASES

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
REFRESH_HINT = "run `python -m sim.docs_tables docs/ODD.md` to regenerate the tables from the code"

ODD_SECTIONS = (
    "Purpose and patterns",
    "Entities, state variables, and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
)
"""The seven elements of ODD (Grimm et al. 2020), in order."""


@pytest.fixture(scope="module")
def odd_text() -> str:
    assert ODD.is_file(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(TABLES))
def test_generated_block_present_once(odd_text: str, name: str) -> None:
    begin = f"<!-- BEGIN GENERATED: {name} -->\n"
    end = f"<!-- END GENERATED: {name} -->"
    assert odd_text.count(begin) == 1, f"docs/ODD.md needs exactly one line '{begin.strip()}'"
    assert odd_text.count(end) == 1, f"docs/ODD.md needs exactly one line '{end}'"
    assert odd_text.index(begin) < odd_text.index(end), f"'{begin.strip()}' must come before '{end}'"


def test_generated_tables_match_code(odd_text: str) -> None:
    assert refresh(odd_text) == odd_text, f"a generated table in docs/ODD.md differs from the code: {REFRESH_HINT}"


def test_odd_sections_in_order(odd_text: str) -> None:
    positions = []
    for number, title in enumerate(ODD_SECTIONS, start=1):
        heading = re.compile(rf"^## {number}\. {re.escape(title)}\s*$", re.MULTILINE)
        match = heading.search(odd_text)
        assert match, f"docs/ODD.md lacks the heading '## {number}. {title}'"
        positions.append(match.start())
    assert positions == sorted(positions), "the seven ODD section headings in docs/ODD.md are out of order"


def test_tested_expectations_closes_section_1(odd_text: str) -> None:
    section_1 = odd_text.split("## 1. Purpose and patterns", 1)[1].split("\n## 2. ", 1)[0]
    subsections = re.findall(r"^### (.+)$", section_1, re.MULTILINE)
    assert subsections, "section 1 has no subsections"
    assert subsections[-1].strip() == "Tested expectations, including where the expected winner loses", (
        "section 1 must end with the subsection '### Tested expectations, including where the expected winner loses'"
    )


def test_every_parameter_documented(odd_text: str) -> None:
    missing = [
        f"{section.name}.{param.name}" for section in SECTIONS for param in section.params if f"{section.name}.{param.name}" not in odd_text
    ]
    assert not missing, f"parameters missing from docs/ODD.md: {', '.join(missing)}; {REFRESH_HINT}"


def test_submodels_follow_phases(odd_text: str) -> None:
    section_7 = odd_text.split("## 7. Submodels", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^### 7\.\d+ .*\(phase `(\w+)`\)\s*$", section_7, re.MULTILINE)
    expected = [name for name, _ in PHASES]
    assert documented == expected, (
        f"section 7 of docs/ODD.md must have one subsection per phase, in the order of PHASES in sim/model.py: "
        f"expected {expected}, found {documented}"
    )


def test_every_outcome_column_documented(odd_text: str) -> None:
    missing = [column for column in (*OUTCOMES, *EXTRA) if f"| `{column}` |" not in odd_text]
    assert not missing, f"outcome columns without a row in the outcome tables of docs/ODD.md (7.14): {', '.join(missing)}"


# -- the README -------------------------------------------------------------------------------------------------------

README = ODD.parent.parent / "README.md"
OUTCOMES_LEAD = "Every run reports these columns each month"


def test_the_readme_lists_exactly_the_outcome_columns():
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Outcomes\n", 1)[1].split("\n## ", 1)[0]
    assert OUTCOMES_LEAD in section, f"README.md's Outcomes section must begin its list with '{OUTCOMES_LEAD} (...): `a`, `b`, ...'"
    listed = section.split(OUTCOMES_LEAD, 1)[1].split("):", 1)[1].split(". ", 1)[0]  # the list ends with the sentence
    names = re.findall(r"`(\w+)`", listed)
    assert names == list(OUTCOMES), (
        f"README.md's Outcomes list must name the columns of sim.mechanisms.outcomes.OUTCOMES, in order: "
        f"missing {[o for o in OUTCOMES if o not in names]}, not columns {[n for n in names if n not in OUTCOMES]}"
    )
    assert f"# default: all {len(OUTCOMES)}\n" in text, f"README.md's experiment file example must say the default outcomes are all {len(OUTCOMES)}"
