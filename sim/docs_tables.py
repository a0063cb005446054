"""Tables for docs/ODD.md generated from the declarations, so the docs cannot drift from the code.

``python -m sim.docs_tables docs/ODD.md`` rewrites every block between
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->``;
a test fails when a block differs from what the code declares.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from sim.catalogue import SECTIONS
from sim.events import EVENT_TYPES
from sim.parameters import LEVER_SECTION_NOTE, Param
from sim.policies import LEVERS, POLICIES


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _default(param: Param) -> str:
    value = param.default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(f"{v:g}" for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    if value == "":
        return '""'
    return str(value)


def _range(param: Param) -> str:
    if param.low is None and param.high is None:
        return "-"
    low = "-inf" if param.low is None else f"{param.low:g}"
    high = "inf" if param.high is None else f"{param.high:g}"
    return f"[{low}, {high}]"


def _plausible(param: Param) -> str:
    if param.plausible is None:
        return "-"
    low, high = param.plausible
    return f"{low:g} to {high:g}"


def parameter_table() -> str:
    """Every model parameter: key, default, unit, range, plausible range, source, meaning (Markdown)."""
    lines = []
    for section in SECTIONS:
        lines.append(f"**[{section.name}]** {section.doc}")
        lines.append("")
        lines.append("| key | default | unit | range | plausible | source | meaning |")
        lines.append("|---|---|---|---|---|---|---|")
        for p in section.params:
            lines.append(f"| `{section.name}.{p.name}` | {_default(p)} | {_cell(p.unit)} | {_range(p)} | {_plausible(p)} | {_cell(p.source)} | {_cell(p.doc)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def policy_table() -> str:
    """Each policy's lever defaults side by side, with each lever's unit, range and source (Markdown)."""
    names = sorted(POLICIES, key=lambda n: list(POLICIES).index(n))
    lines = [f"{LEVER_SECTION_NOTE}", ""]
    lines.append("| lever (`policy.*`) | " + " | ".join(f"`{n}`" for n in names) + " | unit | range | source | meaning |")
    lines.append("|---|" + "---|" * len(names) + "---|---|---|---|")
    for lever in LEVERS:
        values = [_default(POLICIES[n].section().get(lever.name)) for n in names]
        lines.append(f"| `{lever.name}` | " + " | ".join(values) + f" | {_cell(lever.unit)} | {_range(lever)} | {_cell(lever.source)} | {_cell(lever.doc)} |")
    lines.append("")
    for n in names:
        cls = POLICIES[n]
        lines.append(f"- `{n}` ({cls.rung}): {cls.summary}")
    return "\n".join(lines) + "\n"


def event_table() -> str:
    """Every event type with its keys (Markdown)."""
    lines = ["| event `type` | what happens | keys (default; range; unit) |", "|---|---|---|"]
    for name, event in EVENT_TYPES.items():
        keys = "; ".join(f"`{p.name}` ({_default(p)}; {_range(p)}; {_cell(p.unit)})" for p in event.section.params)
        if name == "switch_policy":
            keys = "`policy` (a policy name), then any of that policy's levers"
        lines.append(f"| `{name}` | {_cell(event.doc)} | {keys or '-'} |")
    return "\n".join(lines) + "\n"


TABLES = {"parameters": parameter_table, "policies": policy_table, "events": event_table}
BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (\w+) -->\n)(.*?)(<!-- END GENERATED: \2 -->)", re.DOTALL)


def refresh(text: str) -> str:
    """``text`` with every generated block replaced by the current table."""
    return BLOCK.sub(lambda m: m.group(1) + TABLES[m.group(2)]() + m.group(4), text)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(refresh(path.read_text()))
        print(f"refreshed generated tables in {path}")
