"""experiments/contrast.toml's uncertainties, generated from the parameters' declared plausible ranges.

The policy-contrast screening varies every model parameter that declares a
plausible range (``Param.plausible``; policy levers are choices, not
uncertainties, and are left out). ``python -m sim.batch.contrast_file
experiments/contrast.toml`` rewrites the lines between ``# BEGIN GENERATED:
uncertainties`` and ``# END GENERATED: uncertainties`` with one line per such
parameter, ``section.key = { low = ..., high = ... }   # source``, and a
first comment line counting the runs; a test fails when the file's block
differs from the declarations. Parameters the file fixes in ``[constants]``
or varies as ``[levers]`` are left out of the block (a comment says so).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from sim import catalogue
from sim.batch.experiment import flatten
from sim.parameters import Param

BEGIN = "# BEGIN GENERATED: uncertainties"
END = "# END GENERATED: uncertainties"
BLOCK = re.compile(rf"(^{re.escape(BEGIN)}[^\n]*\n)(.*?)(^{re.escape(END)})", re.DOTALL | re.MULTILINE)
COMMAND = "python -m sim.batch.contrast_file experiments/contrast.toml"
SECONDS_PER_RUN = 0.38
"""Wall seconds per run of 1,000 households for 120 months on 2 cores, half co-production and half paternalism
(measured: 160 runs of experiments/contrast.toml cut to 3 uncertainties took 61 s with 2 workers, reports included,
on a quiet 2-core machine, with the model as reworked for the contrast screening; a busy machine takes up to twice as long)."""


def declared() -> list[tuple[str, Param]]:
    """``(section.key, param)`` for every model parameter with a plausible range, in the catalogue's order."""
    return [(f"{section.name}.{param.name}", param) for section in catalogue.SECTIONS for param in section.params if param.plausible is not None]


def _number(value: float, param: Param) -> str:
    if isinstance(param.default, int) and not isinstance(param.default, bool):
        if float(value).is_integer():
            return str(int(value))
        raise ValueError(f"{param.name}: plausible range {param.plausible} of a whole-number parameter must have whole-number ends")
    return repr(float(value))


def block(data: dict[str, Any] | None = None) -> str:
    """The generated lines for an experiment's data (parsed TOML: used for its fixed parameters and run count)."""
    data = data or {}
    fixed = {name for group in ("constants", "levers") for name in flatten(data.get(group, {}) if isinstance(data.get(group), dict) else {}, group)}
    lines, skipped = [], []
    for name, param in declared():
        if name in fixed:
            skipped.append(name)
            continue
        numeric = isinstance(param.default, int | float) and not isinstance(param.default, bool)
        if not numeric:
            raise ValueError(f"{name}: declares a plausible range but is not a single number (a range can only vary a number)")
        low, high = param.plausible  # type: ignore[misc]
        source = " ".join(str(param.source).split())
        lines.append((name, f"= {{ low = {_number(low, param)}, high = {_number(high, param)} }}", source))
    names = max((len(name) for name, _, _ in lines), default=0)
    width = max((names + 1 + len(text) for _, text, _ in lines), default=0)
    body = [f"{f'{name:<{names}} {text}':<{width}}   # {source}" for name, text, source in lines]
    head = [_count(len(lines), data)]
    if skipped:
        head.append(f"# declared plausible, but fixed elsewhere in this file: {', '.join(skipped)}")
    return "\n".join(head + body) + "\n"


def _count(k: int, data: dict[str, Any]) -> str:
    """``# 12 parameters: 10 trajectories x 13 points x 2 scenarios x 2 seeds = 1,040 runs, about 3 minutes on 2 cores``."""
    if k == 0:
        return "# no model parameter declares a plausible range yet (Param.plausible), so nothing varies: run.py sensitivity refuses this file"
    settings = data.get("sensitivity", {}) if isinstance(data.get("sensitivity"), dict) else {}
    trajectories = settings.get("trajectories", 10)
    scenarios = data.get("scenarios", [])
    seeds = data.get("seeds", 10)
    seeds = seeds if isinstance(seeds, int) else len(seeds)
    runs = trajectories * (k + 1) * len(scenarios) * seeds
    minutes = runs * SECONDS_PER_RUN / 60
    return (f"# {k} parameter{'s' if k != 1 else ''}: {trajectories} trajectories x {k + 1} points x {len(scenarios)} scenarios x {seeds} seeds = {runs:,} runs "
            f"(Morris), about {max(1, round(minutes))} minute{'s' if round(minutes) > 1 else ''} on 2 cores")


def refresh(text: str) -> str:
    """``text`` with its generated block replaced by the current declarations (ValueError if it has no block)."""
    if len(BLOCK.findall(text)) != 1:
        raise ValueError(f"needs exactly one block from a line '{BEGIN}' to a line '{END}'")
    data = tomllib.loads(text)
    return BLOCK.sub(lambda m: m.group(1) + block(data) + m.group(3), text)


def current(text: str) -> str:
    """The file's generated block as it stands."""
    match = BLOCK.search(text)
    return match.group(2) if match else ""


def main(argv: list[str]) -> int:
    if not argv:
        print(f"usage: {COMMAND}", file=sys.stderr)
        return 2
    for name in argv:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
            new = refresh(text)
        except (OSError, ValueError) as error:
            print(f"error: {path}: {error}", file=sys.stderr)
            return 2
        path.write_text(new, encoding="utf-8")
        print(f"{path}: {len(declared())} parameters declare a plausible range; uncertainties block {'rewritten' if new != text else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
