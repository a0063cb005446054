"""``run.py ablate A B``: which mechanism carries the contrast between two scenarios.

The two scenarios run over the same seeds (common random numbers) at several
parameter points: point 0 with every mechanism on (no overrides), and point
``k`` with switch ``k`` of :data:`sim.switches.SWITCHES` off (its ``neutral``
overrides, in both scenarios alike). The registry is read when the command
runs, so new mechanisms take part as soon as they have a switch. The runs go
through the ordinary batch machinery (plan, runner, storage, executors): they
are stored as they finish, a rerun with the same ``--out`` resumes, and a
folder refuses a different ablation.

At the final month, for switch ``k``, outcome ``y`` and seed ``i``::

    full_i         = y_i(A, all on)   - y_i(B, all on)      # the contrast
    off_i          = y_i(A, k off)    - y_i(B, k off)       # the contrast without mechanism k
    contribution_i = full_i - off_i                          # what mechanism k carries

each averaged over the seeds with a t-based 95% interval
(:func:`sim.batch.statistics.describe`). A contribution whose interval
excludes 0 is marked. Contributions are in the outcome's own units (shares
or indices in [0, 1]; ``cost`` in GBP per household per month) and need not
add up to the full contrast: mechanisms interact.

The manifest records each point's switch (name, phase, doc, overrides), so
:func:`rebuild` (``run.py report DIR``) redoes the analysis from the folder
alone. Importing this module is cheap (``run.py`` imports it to register the
command): the plan, results and statistics (scipy), the runner and the
report's helpers (matplotlib) are imported when they are used.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import switches
from sim.batch.commands import checked_sizes, execution_options, executor_for, files_line, new_folder, size_options
from sim.errors import UserError
from sim.output import write_csv
from sim.parameters import shown, suggest

if TYPE_CHECKING:  # pandas, the plan and the results import scipy (half a second): only when a command runs
    import pandas as pd

    from sim.batch.plan import Plan
    from sim.batch.results import Results

KIND = "ablation"
"""The manifest's ``kind`` for an ablation folder (``run.py report`` dispatches on it)."""
DEFAULT_SEEDS = 20
HEADLINE_OUTCOMES = ("trust_landlord", "tsm_satisfied", "tsm_listens", "tsm_respect", "stigma", "need_fit", "employment_rate", "wellbeing", "equity_gap", "cost")
"""Outcomes analysed by default (those the model still reports: see :func:`default_outcomes`)."""
COLUMNS = ("switch", "phase", "outcome", "full_mean", "off_mean", "contribution_mean", "contribution_low", "contribution_high", "seeds")
"""The columns of ``ablation.csv``: one row per switch and outcome."""
CONSOLE_SWITCHES = 5
"""Switch columns per block of the console table, so it stays within about 120 characters."""


# -- the command ---------------------------------------------------------------------------------


def add_command(commands: Any) -> None:
    """Add ``ablate`` to ``run.py``'s sub-command parsers."""
    names = ", ".join(s.name for s in switches.SWITCHES) or "none registered"
    ablate = commands.add_parser(
        "ablate", help="which mechanism carries a contrast between two scenarios: switch each off in turn, paired seeds",
        description="Run two scenarios over the same seeds with every mechanism on, then with each mechanism switched off in both "
        "(its neutral parameters in sim/switches.py), and report each mechanism's contribution to the contrast A - B at the final month: "
        "the full contrast minus the contrast with that mechanism off, seed by seed, with its 95% interval. "
        "Writes ablation.csv and ablation.md to a results folder. Rerun the same command with the same --out to resume.")
    ablate.add_argument("scenario_a", metavar="SCENARIO_A", help="the first scenario (name in scenarios/ or path to a .toml file): contrasts are A - B")
    ablate.add_argument("scenario_b", metavar="SCENARIO_B", help="the second scenario")
    size_options(ablate, seeds_default=DEFAULT_SEEDS, seeds_help=f"seeds 1 to N for every scenario and switch (default: {DEFAULT_SEEDS})",
                 steps_help="months to run (default: the scenarios' own)",
                 set_help="a parameter for every run, e.g. --set community.residents=500 (repeatable; a switch's own overrides win)")
    ablate.add_argument("--only", nargs="+", action="extend", metavar="NAME", help=f"switch only these mechanisms off (default: every switch: {names})")
    ablate.add_argument("--outcomes", nargs="+", action="extend", metavar="NAME", help=f"outcomes to analyse (default: {' '.join(HEADLINE_OUTCOMES)})")
    execution_options(ablate)
    ablate.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """``python run.py ablate A B ...``: plan, run (resumably), analyse, write and print."""
    from sim.batch.runner import run_batch

    the_plan, entry = plan_for(args)
    executor = executor_for(args)  # bad options fail before anything runs
    out = args.out or new_folder(f"ablate-{Path(args.scenario_a).stem}-{Path(args.scenario_b).stem}")
    outcome = run_batch(the_plan, out, executor, kind=KIND, quiet=args.quiet, extra={KIND: entry})
    if outcome.status == "interrupted":
        return 130
    found = write(out)
    print(console(found))
    print("\n" + files_line(out, "ablation"))
    return 0 if outcome.complete and not outcome.failed else 1


def rebuild(folder: Path) -> int:
    """``python run.py report DIR`` on an ablation folder: rewrite ablation.csv and ablation.md from the stored runs, and print the table."""
    found = write(folder)
    print(console(found))
    print("\n" + files_line(folder, "ablation"))
    return 0


# -- the plan ------------------------------------------------------------------------------------


def plan_for(args: argparse.Namespace) -> tuple[Plan, dict[str, Any]]:
    """The batch's plan (point 0: everything on; point k: switch k off) and the manifest's record of the switches."""
    from sim.batch import experiment
    from sim.batch.plan import make_plan

    seeds, steps, constants = checked_sizes(args)  # as compare reads them
    chosen = selected_switches(args.only)
    names = selected_outcomes(args.outcomes)
    _different(args.scenario_a, args.scenario_b)
    name = f"Ablation of {Path(args.scenario_a).stem} against {Path(args.scenario_b).stem}"
    # B is the experiment's baseline, so the generic tables (differences from the baseline) also read A - B.
    spec = experiment.comparison([args.scenario_a, args.scenario_b], seeds, steps, constants, baseline=Path(args.scenario_b).stem,
                                 name=name, where="ablate", outcomes=names)
    points = [{}, *(dict(s.neutral) for s in chosen)]
    the_plan = make_plan(spec, points)
    a, b = (ref.key for ref in spec.scenarios)
    entry = {"a": a, "b": b, "switches": [{"point": k, "name": s.name, "phase": s.phase, "doc": s.doc, "neutral": dict(s.neutral)} for k, s in enumerate(chosen, start=1)]}
    return the_plan, entry


def selected_switches(only: list[str] | None) -> list[switches.Switch]:
    """The registry's switches named in ``--only`` (every one when None), in the registry's (phase) order."""
    registry = switches.SWITCHES  # read now: the registry changes as mechanisms are added
    known = [s.name for s in registry]
    if not registry:
        raise UserError("ablate: no mechanism switches are registered (accepted: at least one Switch in SWITCHES of sim/switches.py)")
    for name in only or []:
        if name not in known:
            raise UserError(f"--only: {shown(name)} is not a switch{suggest(name, known)} (accepted: {', '.join(known)})")
    # Registry order whatever the order given, so --only a b and --only b a plan (and resume) the same batch.
    return [s for s in registry if only is None or s.name in only]


def default_outcomes() -> list[str]:
    """The headline outcomes the model reports now (one that has been renamed or removed is left out)."""
    from sim.mechanisms import outcomes as outcome_columns  # numpy: not for run.py --help

    return [name for name in HEADLINE_OUTCOMES if name in outcome_columns.OUTCOMES]


def selected_outcomes(names: list[str] | None) -> list[str]:
    """The outcomes of ``--outcomes`` (each once, in the order given), or the default ones."""
    if names is None:
        return default_outcomes()
    from sim.mechanisms import outcomes as outcome_columns

    known = [*outcome_columns.OUTCOMES, *outcome_columns.EXTRA]
    for name in names:
        if name not in known:
            raise UserError(f"--outcomes: {shown(name)} is not an outcome{suggest(name, known)} (accepted: {', '.join(known)})")
    return list(dict.fromkeys(names))


def _different(a: str, b: str) -> None:
    """Refuse the same scenario twice: its contrast with itself is zero, and so is every contribution."""
    from sim.batch import experiment

    if experiment.scenario_path(a, Path.cwd()).resolve() == experiment.scenario_path(b, Path.cwd()).resolve():
        raise UserError(f"SCENARIO_B: {b!r} is the same scenario as SCENARIO_A (accepted: two different scenarios, e.g. paternalistic co_production)")


# -- the analysis --------------------------------------------------------------------------------


@dataclass
class Ablation:
    """An ablation folder's analysis.

    ``table`` has the columns of :data:`COLUMNS`, one row per switch and
    outcome; ``full`` one row per outcome: the contrast A - B with everything
    on over every seed that has it (n, mean, sd, ci_low, ci_high). Values are
    in each outcome's units: shares or indices in [0, 1]; ``cost`` in GBP per
    household per month.
    """

    results: Results
    a: str
    b: str
    switches: list[dict[str, Any]]
    table: pd.DataFrame
    full: pd.DataFrame

    @property
    def outcomes(self) -> list[str]:
        return self.results.outcomes

    @property
    def month(self) -> int:
        return self.results.steps_planned


def analyse(results: Results) -> Ablation:
    """Each switch's contribution to the contrast A - B, per outcome, from the stored runs and the manifest alone."""
    import pandas as pd

    from sim.batch import statistics  # pandas and scipy: imported only when analysing

    entry = results.manifest.get(KIND)
    if results.manifest.get("kind") != KIND or not entry:
        raise UserError(f"{results.folder}: holds no ablation (accepted: a folder written by run.py ablate)")
    outcomes = results.outcomes
    contrast = contrasts(results.finals, entry["a"], entry["b"], outcomes)
    full = _at_point(contrast, 0, outcomes)
    rows = []
    for switch in entry["switches"]:
        off = _at_point(contrast, switch["point"], outcomes)
        for outcome in outcomes:
            # Only seeds with all four runs: the difference of differences is paired seed by seed.
            pairs = pd.concat({"full": full[outcome], "off": off[outcome]}, axis=1, join="inner").dropna()
            found = statistics.describe((pairs["full"] - pairs["off"]).to_numpy())
            rows.append({"switch": switch["name"], "phase": switch["phase"], "outcome": outcome,
                         "full_mean": _mean(pairs["full"]), "off_mean": _mean(pairs["off"]),
                         "contribution_mean": found["mean"], "contribution_low": found["ci_low"], "contribution_high": found["ci_high"], "seeds": found["n"]})
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    overall = pd.DataFrame([{"outcome": o, **statistics.describe(full[o].dropna().to_numpy())} for o in outcomes])
    return Ablation(results, entry["a"], entry["b"], entry["switches"], table, overall)


def contrasts(finals: pd.DataFrame, a: str, b: str, outcomes: list[str]) -> pd.DataFrame:
    """``A - B`` at the final month, per point and seed (index ``point, seed``; one column per outcome; pairs with both runs only)."""
    index = ["point", "seed"]
    first = finals[finals["scenario"] == a].set_index(index)[outcomes]
    second = finals[finals["scenario"] == b].set_index(index)[outcomes]
    return (first - second).dropna(how="all")


def _at_point(contrast: pd.DataFrame, point: int, outcomes: list[str]) -> pd.DataFrame:
    """The rows of one point, indexed by seed (empty when none of its pairs is stored yet)."""
    import pandas as pd

    if point not in contrast.index.get_level_values("point"):
        return pd.DataFrame(columns=outcomes, index=pd.Index([], name="seed"), dtype=float)
    return contrast.xs(point, level="point")


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else math.nan


def marked(low: float, high: float) -> bool:
    """True when the interval ``[low, high]`` excludes 0 (False when there is no interval)."""
    return low > 0 or high < 0


# -- the files -------------------------------------------------------------------------------------


def write(folder: Path) -> Ablation:
    """Analyse a folder's stored runs and (re)write its ``ablation.csv``, ``ablation.md`` and ``ablation.html``."""
    from sim.batch import report_html
    from sim.batch import results as stored

    found = analyse(stored.load(folder))
    write_csv(folder / "ablation.csv", found.table)
    report_html.write(folder / "ablation.md", markdown(found))  # and ablation.html: the same as one page, to open anywhere and forward
    return found


def markdown(found: Ablation) -> str:
    """The text of ablation.md: the contributions table, what it means, the switches, and how it was run."""
    from sim.batch.report import decimals, interval

    outcomes = found.outcomes
    lines = [f"# Which mechanisms carry the contrast {found.a} - {found.b}", "", _meaning(found), ""]
    lines += ["| | " + " | ".join(outcomes) + " |", "|---|" + "---|" * len(outcomes)]
    full = found.full.set_index("outcome")
    cells = [interval(*full.loc[o, ["mean", "ci_low", "ci_high"]], signed=True, d=decimals(o)) for o in outcomes]
    lines.append("| full contrast (every mechanism on) | " + " | ".join(cells) + " |")
    table = found.table.set_index(["switch", "outcome"])
    for switch in found.switches:
        cells = []
        for o in outcomes:
            row = table.loc[(switch["name"], o)]
            text = interval(row["contribution_mean"], row["contribution_low"], row["contribution_high"], signed=True, d=decimals(o))
            cells.append(f"**{text}**" if marked(row["contribution_low"], row["contribution_high"]) else text)
        lines.append(f"| `{switch['name']}` ({switch['phase']}) | " + " | ".join(cells) + " |")
    lines += ["", "## The switches", "", "Each mechanism is switched off in both scenarios by these parameter values (sim/switches.py when the batch started):", ""]
    for switch in found.switches:
        overrides = ", ".join(f"`{key}` = {value}" for key, value in switch["neutral"].items()) or "no overrides"
        lines.append(f"- `{switch['name']}` (phase {switch['phase']}): {switch['doc']} Off: {overrides}.")
    lines += ["", "## How it was run", "", *_provenance(found.results), "", "## Files", "",
              "- `ablation.html`: this file as one page for a browser; it opens without the internet, to forward as it is.",
              "- `ablation.csv`: one row per switch and outcome: the full contrast, the contrast with the switch off, the contribution with its 95% interval, and the seeds.",
              "- `runs/*.parquet`, `steps/*.parquet`: every run (point 0: every mechanism on; point k: switch k off) and its months.",
              "- `manifest.json`: the command, the scenarios with their SHA-256, each point's switch and overrides, package versions, git commit.",
              f"- Rebuild `ablation.csv` and this file with `python run.py report {found.results.folder}`.", ""]
    return "\n".join(lines) + "\n"


def _meaning(found: Ablation) -> str:
    """The sentence under the title: what a cell is, its units, the seeds, and what the bold cells are."""
    seeds = found.table["seeds"] if not found.table.empty else found.full["n"]
    n = f"{seeds.min()}" if seeds.min() == seeds.max() else f"{seeds.min()} to {seeds.max()}"
    return (f"Each cell is a mechanism's contribution to the contrast {found.a} - {found.b} at month {found.month}: the contrast with every mechanism on "
            f"minus the contrast with that mechanism switched off in both scenarios, taken seed by seed over {n} paired seeds (common random numbers), "
            "with its t-based 95% interval. It is in the outcome's units (shares or indices in [0, 1]; cost in GBP per household per month). "
            "A contribution close to the full contrast (first row) means the mechanism carries it; near 0, that the contrast does not depend on it; "
            "of the opposite sign, that the mechanism works against it. Mechanisms interact, so contributions need not add up to the full contrast. "
            "**Bold**: the interval excludes 0.")


def _provenance(results: Results) -> list[str]:
    m = results.manifest
    e = results.experiment
    scenarios = ", ".join(f"`{key}` ({Path(v['path']).name}, sha256 {v['sha256'][:12]})" for key, v in m["scenarios"].items())
    lines = [f"- **Status**: {results.status()}: {len(results.runs)} of {m['planned_runs']} runs stored ({len(results.failed)} failed)"
             + ("." if results.status() == "complete" else "; run the same command again to finish."),
             f"- **Runs**: {m['plan']['describe']}; seeds {e['seeds'][0]} to {e['seeds'][-1]}, the same for both scenarios at every point.",
             f"- **Scenarios**: {scenarios}."]
    if e["constants"]:
        lines.append("- **Constants**: " + ", ".join(f"`{k}` = {v}" for k, v in e["constants"].items()) + ".")
    lines.append(f"- **Command**: `{m['command']}`; git commit {m.get('git_commit') or 'unknown'}.")
    return lines


def console(found: Ablation) -> str:
    """The compact table printed after an ablation: outcomes down; the full contrast, then each switch's contribution, across."""
    from sim.batch.report import decimals, plus_minus

    if found.full.empty or found.full["n"].max() == 0:
        return "no completed runs to analyse yet"
    seeds = found.full["n"]
    n = f"{seeds.min()}" if seeds.min() == seeds.max() else f"{seeds.min()}-{seeds.max()}"
    lines = [f"Month {found.month}: contribution of each mechanism to {found.a} - {found.b} (full contrast minus contrast with it off),",
             f"mean ±half-width of the 95% interval over {n} paired seeds; * the interval excludes 0"]
    full = found.full.set_index("outcome")
    table = found.table.set_index(["switch", "outcome"])
    names = [s["name"] for s in found.switches]
    for start in range(0, max(len(names), 1), CONSOLE_SWITCHES):
        block = names[start : start + CONSOLE_SWITCHES]
        rows = []
        for o in found.outcomes:
            cells = [plus_minus(*full.loc[o, ["mean", "ci_low", "ci_high"]], signed=True, d=decimals(o)) + " "]
            for name in block:
                row = table.loc[(name, o)]
                star = "*" if marked(row["contribution_low"], row["contribution_high"]) else " "
                cells.append(plus_minus(row["contribution_mean"], row["contribution_low"], row["contribution_high"], signed=True, d=decimals(o)) + star)
            rows.append([o, *cells])
        lines += ["", *_text_table(["outcome", *(f"{h} " for h in ["full A - B", *block])], rows)]  # a space where the cells have their mark
    return "\n".join(lines)


def _text_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A fixed-width table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) + (1 if i == 0 else 2) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return f"{cells[0]:<{widths[0]}}" + "".join(f"{c:>{w}}" for c, w in zip(cells[1:], widths[1:], strict=True))

    return [line(header), *(line(r) for r in rows)]
