"""The report of a results folder: tables as CSV, figures as PNG, and ``report.md`` that puts them together.

``report.md`` is written for a reader who never opens Python: what was run
(scenarios with their file hashes, seeds, months, parameters, code version),
the final outcomes with their intervals, the paired differences with effect
sizes, the return on spending, the figures, any failed runs, and the methods.
:func:`console` gives the compact version printed by ``run.py``.

Both say near the top whether the scenarios start from the calibrated status
quo (an experiment's ``start_from``) or use the model's default assumptions.
A batch whose points are posterior draws (``[posterior]``) is not reported as
a sweep: its draws and seeds are pooled, and every change against the baseline
comes with a seed interval and a posterior interval
(:mod:`sim.batch.posterior_analysis`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from sim import outcome_table
from sim.batch import discovery, figures, findings, posterior_analysis, report_html, statistics
from sim.batch.analysis import Analysis, analyse
from sim.batch.results import Results, load
from sim.output import write_csv

UNCALIBRATED = ("These scenarios use the model's default assumptions, not the calibrated status quo: "
                "their numbers are not estimates for English landlords.")
"""Said near the top of report.md for a batch with neither ``start_from`` nor ``[posterior]``."""
UNCALIBRATED_CONSOLE = "Model defaults, not the calibrated status quo: these are not estimates for English landlords."
"""The same, short enough for the console."""
CALIBRATION_HEADER = "# Written by `python run.py calibrate"
"""How a scenario file the calibration wrote begins (sim/calibration/write.py): the calibrated status quo."""

CONSOLE_OUTCOMES = ("trust_landlord", "stigma", "bridging", "need_fit", "employment_rate", "wellbeing")
"""Outcomes in the console's return-on-spending block and in a sweep's console table (when recorded)."""


def build(folder: str | Path) -> Analysis:
    """(Re)write the folder's CSV tables, figures, report.md and report.html from its stored runs."""
    results = load(folder)
    analysis = analyse(results)
    folder = results.folder
    for name, table in tables(analysis).items():
        path = folder / name
        if table.empty:
            path.unlink(missing_ok=True)
        else:
            write_csv(path, table)
    figure_dir = folder / "figures"
    for leftover in figure_dir.glob("*.tmp.png"):  # a figure half-written when a report was killed: never a figure to keep
        leftover.unlink(missing_ok=True)
    stale = {p.name for p in figure_dir.glob("*.png")} if figure_dir.exists() else set()
    written = figures.write_all(analysis, figure_dir)
    keep = {p.name for p in written} | {p.name for p in figure_dir.glob("sensitivity_*.png")} | {p.name for p in figure_dir.glob("contrast_*.png")}
    for name in stale - keep:
        (figure_dir / name).unlink(missing_ok=True)  # gone already is what we want (another report running at once)
    report_html.write(folder / "report.md", markdown(analysis, written))  # and report.html: the same as one page, figures inside, to forward
    return analysis


def tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """The CSV tables of a report by file name; :func:`build` writes the non-empty ones and removes the others."""
    per_draw = analysis.posterior.per_draw if analysis.posterior is not None else pd.DataFrame()
    return {"summary.csv": analysis.summary, "differences.csv": analysis.differences, "returns.csv": analysis.returns, "posterior_draws.csv": per_draw}


# -- numbers as text -----------------------------------------------------------------------------


def decimals(outcome: str) -> int:
    """Decimals to show: money (GBP) to the penny's tenth, shares and indices to the thousandth."""
    return 1 if outcome.startswith("cost") or outcome == "extra_cost" else 3


def number(value: float, signed: bool = False, decimals: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"


def plus_minus(mean: float, low: float, high: float, signed: bool = False, d: int = 3) -> str:
    """``0.513 ±0.004``: the mean and the half-width of its (symmetric) interval."""
    half = (high - low) / 2
    return number(mean, signed, d) + (f" ±{half:.{d}f}" if math.isfinite(half) else "")


def interval(mean: float, low: float, high: float, signed: bool = False, d: int = 3) -> str:
    """``0.513 [0.509, 0.517]``."""
    if not math.isfinite(low) or not math.isfinite(high):
        return number(mean, signed, d)
    return f"{number(mean, signed, d)} [{number(low, signed, d)}, {number(high, signed, d)}]"


# -- console ------------------------------------------------------------------------------------


def console(analysis: Analysis) -> str:
    """The compact summary printed after a batch."""
    if not analysis.has_runs:
        return "no completed runs to summarise yet"
    return "\n".join(["What was found", *findings.console_lines(analysis), "", console_tables(analysis)])


def console_tables(analysis: Analysis) -> str:
    """The console's tables, after the finding."""
    results = analysis.results
    if analysis.posterior is not None:
        return "\n".join(_console_posterior(analysis))
    seeds = analysis.summary["n"]
    seeds_text = f"{seeds.min()} seeds" if seeds.min() == seeds.max() else f"{seeds.min()}-{seeds.max()} seeds"
    lines = _console_comparison(analysis, seeds_text) if len(results.points) == 1 else _console_sweep(analysis, seeds_text)
    if calibrated(results) or _calibrated_keys(results):
        return "\n".join([*_start_text(results, console=True), "", *lines])
    return "\n".join([lines[0], UNCALIBRATED_CONSOLE, *lines[1:]])  # the caveat right under the first heading


def _calibrated_keys(results: Results) -> list[str]:
    """Listed scenarios that are a calibration's own output (the calibrated status quo, run as its file says)."""
    keys = []
    for key, path in results.experiment.get("scenarios", {}).items():
        try:
            with open(path, encoding="utf-8") as file:
                first = file.readline()
        except OSError:
            continue
        if first.startswith(CALIBRATION_HEADER):
            keys.append(key)
    return keys


def _table(header: list[str], rows: list[list[str]], first: int = 31, width: int = 16) -> list[str]:
    """Fixed-width text table: the first column left-aligned, the others right-aligned."""
    widths = [max(width, len(h) + 2, *(len(r[i]) + 2 for r in rows)) for i, h in enumerate(header) if i]
    first = max(first, *(len(r[0]) + 1 for r in rows), len(header[0]) + 1)
    out = [f"{header[0]:<{first}}" + "".join(f"{h:>{w}}" for h, w in zip(header[1:], widths, strict=True))]
    out += [f"{r[0]:<{first}}" + "".join(f"{c:>{w}}" for c, w in zip(r[1:], widths, strict=True)) for r in rows]
    return out


def _console_comparison(analysis: Analysis, seeds_text: str) -> list[str]:
    results = analysis.results
    scenarios = [s for s in results.scenarios if s in set(analysis.summary["scenario"])]
    s = analysis.summary.set_index(["scenario", "outcome"])
    lines = [f"Month {results.steps_planned}: mean ±half-width of the 95% interval over {seeds_text}"]
    rows = [[o, *(plus_minus(*s.loc[(sc, o), ["mean", "ci_low", "ci_high"]], d=decimals(o)) for sc in scenarios)] for o in results.outcomes]
    lines += _table(["outcome", *scenarios], rows)
    if not analysis.differences.empty:
        d = analysis.differences.set_index(["scenario", "outcome"])
        others = [sc for sc in scenarios if sc != results.baseline and sc in d.index.get_level_values(0)]
        lines += ["", f"Paired difference from {results.baseline} (same seeds): mean ±half-width of the 95% interval"]
        rows = [[o, *(plus_minus(*d.loc[(sc, o), ["mean", "ci_low", "ci_high"]], signed=True, d=decimals(o)) for sc in others)] for o in results.outcomes]
        lines += _table(["outcome", *others], rows)
    lines += _console_returns(analysis, scenarios, f"Return on spending against {results.baseline}: change per extra GBP 10 per household per month")
    return lines


def _console_returns(analysis: Analysis, scenarios: list[str], title: str) -> list[str]:
    """Each scenario's extra cost (mean ±half-width of its seed interval) and return for the console's outcomes."""
    results = analysis.results
    lines: list[str] = []
    r = analysis.returns
    if not r.empty:
        r = r.set_index(["scenario", "outcome"])
        others = [sc for sc in scenarios if sc != results.baseline and sc in r.index.get_level_values(0)]
        shown = [o for o in CONSOLE_OUTCOMES if o in results.outcomes]
        lines += ["", title]
        extra = [plus_minus(*r.loc[(sc, shown[0]), ["extra_cost", "extra_cost_low", "extra_cost_high"]], signed=True, d=1) if shown else "" for sc in others]
        rows = [["extra cost (GBP/household/month)", *extra]]
        for o in shown:
            cells = []
            for sc in others:
                row = r.loc[(sc, o)]
                cells.append(number(row["per_10_gbp"], signed=True) if math.isfinite(row["per_10_gbp"]) else (row["note"] or "n/a")[:15])
            rows.append([o, *cells])
        lines += _table(["", *others], rows)
    return lines


CONSOLE_ROWS = 40
"""Rows of a sweep's table printed to the console; summary.csv has them all."""


def _console_sweep(analysis: Analysis, seeds_text: str) -> list[str]:
    results = analysis.results
    shown = figures.sweep_outcomes(results.outcomes, limit=5)
    s = analysis.summary.set_index(["scenario", "point", "outcome"])
    lines = [f"Month {results.steps_planned}: mean ±half-width of the 95% interval over {seeds_text}; all outcomes in summary.csv"]
    listed = [(scenario, point) for scenario in results.scenarios for point in range(len(results.points)) if (scenario, point, shown[0]) in s.index]
    rows = []
    for scenario, point in listed[:CONSOLE_ROWS]:  # only the rows shown are formatted: a sweep of 150 points has 750
        label = f"{scenario}: {results.point_label(point)}" if len(results.scenarios) > 1 else results.point_label(point)
        rows.append([label, *(plus_minus(*s.loc[(scenario, point, o), ["mean", "ci_low", "ci_high"]], d=decimals(o)) for o in shown)])
    if len(listed) > CONSOLE_ROWS:
        rows.append([f"... {len(listed) - CONSOLE_ROWS} more rows in summary.csv", *([""] * len(shown))])
    lines += _table(["", *shown], rows)
    return lines


# -- calibration: where the scenarios start, and what the draws are --------------------------------------------------


def calibrated(results: Results) -> bool:
    """Whether the batch starts from the calibrated status quo or draws the calibration's posterior."""
    e = results.experiment
    return bool(e.get("start_from") or e.get("posterior"))


def _distinct(results: Results) -> str:
    """" (N distinct)" when posterior draws repeat a parameter set (resampling by weight does when a few sets carry most of it)."""
    distinct = len({tuple(sorted((k, repr(v)) for k, v in point.items())) for point in results.points})
    return f" ({distinct} distinct)" if distinct < len(results.points) else ""


def _start_key(results: Results) -> str | None:
    """The listed scenario that is the ``start_from`` scenario itself (the status quo carried on), if any."""
    start = results.experiment.get("start_from")
    if not start:
        return None
    for key, path in results.experiment["scenarios"].items():
        if str(path) == str(start):
            return key
    return None


def _burn_in(results: Results) -> int | None:
    """Months the start scenario's status quo runs before month 0 (every derived scenario carries the same)."""
    scenarios = results.manifest.get("scenarios", {})
    key = _start_key(results)
    entries = [scenarios[key]] if key in scenarios else list(scenarios.values())
    for entry in entries:
        months = (entry.get("resolved") or {}).get("status_quo", {}).get("months") if isinstance(entry, dict) else None
        if isinstance(months, int):
            return months
    return None


def _start_text(results: Results, console: bool = False) -> list[str]:
    """The opening lines: where every scenario starts (``start_from``), or, with neither it nor a posterior, the default-assumptions caveat."""
    e = results.experiment
    start = e.get("start_from")
    posterior = e.get("posterior")
    if not start:
        if not posterior:
            fitted = _calibrated_keys(results)
            if not fitted:
                return [UNCALIBRATED_CONSOLE if console else UNCALIBRATED]
            named = ", ".join(fitted if console else (f"`{k}`" for k in fitted))
            others = len(fitted) < len(results.experiment.get("scenarios", {}))
            text = (f"{named} {'is' if len(fitted) == 1 else 'are'} the calibrated status quo, one draw of the calibration's posterior; "
                    "the intervals cover seeds only (an experiment with a [posterior] table carries the calibration's uncertainty)."
                    + (" The other scenarios use the model's default assumptions: their numbers are not estimates for English landlords."
                       if others else ""))
            return _wrap(text) if console else [text]
        name = f"`{Path(posterior['file']).name}`" if not console else Path(posterior["file"]).name
        text = (f"The parameters are {posterior['draws']} draws from a calibration's posterior ({name}), but the scenarios do not start "
                "from the calibrated status quo (no start_from): each starts as its own file says.")
        return _wrap(text) if console else [text]
    file = Path(start).name
    months = _burn_in(results)
    burned = f", {months} months burned in" if months else ", burned in"
    key = _start_key(results)
    if console:
        lines = [f"Every scenario starts from the calibrated status quo ({file}{burned})", "and switches its policy at month 0"
                 + (f"; {key} carries the status quo on." if key else ".")]
        if posterior:
            lines.append(f"Its points are {posterior['draws']} draws{_distinct(results)} from the calibration's posterior, not a sweep.")
        return lines
    text = (f"Every scenario starts from the calibrated status quo of `{file}` (burned in: run under the status quo"
            + (f" for {months} months" if months else "") + " before month 0) and switches its policy at month 0"
            + (f"; `{key}` is that status quo carried on." if key else "."))
    if posterior:
        text += (f" The parameters are not fixed: the points are {posterior['draws']} parameter sets{_distinct(results)} drawn from the calibration's posterior, "
                 "what the national figures leave open, and the tables pool them with the seeds.")
    return [text]


def _against_title(results: Results) -> str:
    key = _start_key(results)
    what = f"the status quo ({results.baseline})" if key and key == results.baseline else f"the baseline ({results.baseline})"
    return f"Against {what}, carrying the calibration's uncertainty"


def _few_draws(draws: int) -> str:
    if draws < 2:
        return "with one draw there is no posterior interval"
    if draws < posterior_analysis.FEW_DRAWS:
        return f"it rests on {draws} draws, so it is close to their range (lowest to highest)"
    return f"it rests on {draws} draws"


def _agreeing(row: Any) -> str:
    """``raises in 10 of 10``: the draws whose own mean change has the overall change's sign."""
    if not row["draws"]:
        return ""
    still = f" ({row['unchanged']} unchanged)" if row["unchanged"] and row["direction"] != "leaves unchanged" else ""
    return f"{row['direction']} in {row['agreeing']} of {row['draws']}{still}"


def _span(low: float, high: float, signed: bool, d: int) -> str:
    if not math.isfinite(low) or not math.isfinite(high):
        return "n/a"
    return f"[{number(low, signed, d)}, {number(high, signed, d)}]"


def _draws_and_seeds(analysis: Analysis) -> str:
    table = analysis.summary
    draws, seeds = table["draws"], table["seeds"]
    draws_text = f"{draws.max()} draw{'s' if draws.max() != 1 else ''}" if draws.min() == draws.max() else f"{draws.min()}-{draws.max()} draws"
    seeds_text = f"{seeds.max()} seeds" if seeds.min() == seeds.max() else f"{seeds.min()}-{seeds.max()} seeds"
    return f"{draws_text} x {seeds_text}"


def _explained(analysis: Analysis) -> list[str]:
    """What the change and the two intervals are (plain sentences, one list item each)."""
    results = analysis.results
    draws = int(analysis.differences["draws"].max()) if not analysis.differences.empty else int(analysis.summary["draws"].max())
    return [
        f"Change: each scenario minus {results.baseline} at month {results.steps_planned}, paired on draw and seed, "
        f"averaged over {_draws_and_seeds(analysis)}.",
        "The seed interval (95%) covers chance alone: which households, which ties, which events, with the parameters held at the draws. "
        f"The posterior interval (2.5th to 97.5th percentile of the draws' own mean changes) covers the parameters the national figures leave open; "
        f"{_few_draws(draws)}. Neither covers the model's structure: what it leaves out or gets wrong.",
    ]


def _wrap(text: str, width: int = 100) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width, break_on_hyphens=False)


def _console_posterior(analysis: Analysis) -> list[str]:
    """A posterior batch: the levels pooled over draws and seeds, then each scenario's change against the baseline with both intervals."""
    results = analysis.results
    lines = [*_start_text(results, console=True), ""]
    scenarios = [s for s in results.scenarios if s in set(analysis.summary["scenario"])]
    s = analysis.summary.set_index(["scenario", "outcome"])
    lines.append(f"Month {results.steps_planned}: mean over {_draws_and_seeds(analysis)} [posterior interval]; seed intervals in summary.csv")
    rows = [[o, *(f"{number(s.loc[(sc, o), 'mean'], decimals=decimals(o))} "
                  f"{_span(s.loc[(sc, o), 'posterior_low'], s.loc[(sc, o), 'posterior_high'], False, decimals(o))}" for sc in scenarios)]
            for o in results.outcomes]
    lines += _table(["outcome", *scenarios], rows)
    if analysis.differences.empty:
        return lines
    lines += ["", _against_title(results)]
    for sentence in _explained(analysis):
        lines += _wrap(sentence)
    d = analysis.differences.set_index(["scenario", "outcome"])
    for scenario in [sc for sc in scenarios if sc != results.baseline and sc in d.index.get_level_values(0)]:
        rows = []
        for o in results.outcomes:
            row = d.loc[(scenario, o)]
            rows.append([o, number(row["mean"], True, decimals(o)), _span(row["ci_low"], row["ci_high"], True, decimals(o)),
                         _span(row["posterior_low"], row["posterior_high"], True, decimals(o)), _agreeing(row)])
        lines += ["", *_table([scenario, "change", "seed interval", "posterior interval", "draws agreeing"], rows, width=10)]
    lines += _console_returns(analysis, scenarios, f"Return on spending against {results.baseline}, pooled over draws: change per extra GBP 10 per household per month")
    return lines


# -- report.md ------------------------------------------------------------------------------------


def markdown(analysis: Analysis, written: list[Path]) -> str:
    """The text of report.md."""
    results = analysis.results
    e = results.experiment
    lines = [f"# {e['name']}", "", "## What was found", ""]
    if results.status() != "complete":
        lines += [f"**Provisional**: {results.status()}, {len(results.ok)} of {results.manifest['planned_runs']} runs stored; the numbers will move as the rest arrive.", ""]
    lines += [*findings.finding(analysis), *discovery.report_lines(results.folder), "", "## What was run", ""]
    if e.get("description"):
        lines += [e["description"].strip(), ""]
    lines += [*_start_text(results), ""]
    if not analysis.has_runs:
        lines += ["", "No run has completed yet: nothing to summarise.", "", "## Provenance", "", *_provenance(results)]
        return "\n".join(lines) + "\n"
    figure_names = {p.name for p in written}
    single = len(results.points) == 1
    steps = results.steps_planned
    if analysis.posterior is not None:
        lines += _md_posterior(analysis, figure_names)  # the draws pooled, never a sweep over them
    elif single:
        lines += ["", f"## Outcomes at month {steps}", "", "Mean over seeds and its 95% interval (t-based).", ""]
        lines += _md_wide(analysis.summary, results.outcomes, [s for s in results.scenarios if s in set(analysis.summary["scenario"])], lambda r, o: interval(r["mean"], r["ci_low"], r["ci_high"], d=decimals(o)))
        lines += _figure("finals.png", "Outcomes at the final month", figure_names)
        if not analysis.differences.empty:
            others = [s for s in results.scenarios if s != results.baseline and s in set(analysis.differences["scenario"])]
            lines += ["", f"## Differences from {results.baseline}", "",
                      f"Paired by seed (common random numbers): mean difference at month {steps} and its 95% interval (chance alone; the effect size d_z is in `differences.csv`).", ""]
            lines += _md_wide(analysis.differences, results.outcomes, others, lambda r, o: interval(r['mean'], r['ci_low'], r['ci_high'], signed=True, d=decimals(o)))
            lines += _figure("differences.png", "Paired differences", figure_names)
        lines += _figure("timeseries.png", "Key outcomes over time", figure_names, heading="## Over time")
        lines += _figure("equity_gap.png", "Equity gap", figure_names, heading="## Equity gap",
                         text="The equity gap is the difference in wellbeing between the most and the least advantaged fifth of households.")
        if not analysis.returns.empty:
            lines += _md_returns(analysis)
            lines += _figure("returns.png", "Return on spending", figure_names)
    else:
        lines += _md_sweep(analysis)
        lines += _figure("surface.png", "Outcomes over the sweep", figure_names)
    lines += _md_sensitivity(results)
    lines += _md_failures(results)
    lines += ["", "## Methods", "", *_methods(results), "", "## Provenance", "", *_provenance(results), "", "## Files", "", *_files(analysis)]
    return "\n".join(lines) + "\n"


def _files(analysis: Analysis) -> list[str]:
    """The Files section: every file the folder holds for this report, and only those (a batch without a baseline contrast has no differences.csv)."""
    results = analysis.results
    written = [name for name, table in tables(analysis).items() if not table.empty]
    lines = ["- `report.html`: this report as one page with its figures inside; it opens in any browser without the internet, to forward as it is."]
    shown = [f"`{name}`" for name in written if name != "posterior_draws.csv"]
    what = f"- {', '.join(shown)}: the table{'s' if len(shown) > 1 else ''} above, in full"
    if shown and analysis.posterior is not None:
        lines.append(f"{what}, one row per scenario and outcome, pooled over draws and seeds "
                     "(`ci_low`, `ci_high`: the seed interval; `posterior_low`, `posterior_high`: the posterior interval).")
    elif shown:
        lines.append(f"{what}, one row per scenario, point and outcome.")
    if "posterior_draws.csv" in written:
        lines.append("- `posterior_draws.csv`: every draw's parameter values and, per scenario and outcome, its mean level and mean paired change over seeds.")
    lines += ["- `runs/*.parquet`: one row per run (run id, scenario, point, parameter values, seed, status, error, wall time).",
              "- `steps/*.parquet`: one row per run and month (run id, step, outcome columns).",
              "- `manifest.json`: the command, the resolved experiment and scenarios with their SHA-256, package versions, git commit, sessions."]
    if any((results.folder / "figures").glob("*.png")):
        lines.append("- `figures/`: the figures, as PNG.")
    if any((results.folder / "discovery").glob("*/discovery.json")):
        lines.append("- `discovery/`: one folder per scenario discovery (`python run.py discover`): `discovery.md`, `boxes.csv`, "
                     "`peeling_trajectory.csv`, `tree.txt`, `cases.csv` (every point's parameters and whether it is a case), figures.")
    if (results.folder / "conditions" / "manifest.json").exists():
        lines.append("- `conditions/`: the main job's second batch (experiments/conditions.toml), a results folder of its own, with its report and its discovery.")
    return [*lines, f"- Rebuild all of this with `python run.py report {results.folder}`.", ""]


def _provenance(results: Results) -> list[str]:
    m = results.manifest
    e = results.experiment
    ok = len(results.ok)
    failed = len(results.failed)
    seeds = e["seeds"]
    consecutive = seeds == list(range(seeds[0], seeds[0] + len(seeds)))
    seeds_text = f"{seeds[0]} to {seeds[-1]}" if consecutive else ", ".join(map(str, seeds[:10])) + (", ..." if len(seeds) > 10 else "")
    scenarios = ", ".join(f"`{k}` ({v['path'].split('/')[-1]}, sha256 {v['sha256'][:12]})" for k, v in m["scenarios"].items())
    versions = m.get("versions", {})
    lines = [
        f"- **Status**: {results.status()}: {ok + failed} of {m['planned_runs']} runs stored ({failed} failed).",
        f"- **Runs**: {m['plan']['describe']}; seeds {seeds_text}, the same for every scenario and point (common random numbers).",
        f"- **Scenarios**: {scenarios}; baseline `{results.baseline}`.",
    ]
    if e["constants"]:
        lines.append("- **Constants**: " + ", ".join(f"`{k}` = {v}" for k, v in e["constants"].items()) + ".")
    for group in ("levers", "uncertainties"):
        factors = {k: v for k, v in e["factors"].items() if v["group"] == group}
        if factors:
            lines.append(f"- **{group.capitalize()}**: " + "; ".join(f"`{k}` {_factor_text(v)}" for k, v in factors.items()) + f" (sampling: {e['sampling']['method']}).")
    if e.get("start_from"):
        lines.append(f"- **Start**: every scenario from the calibrated status quo of `{e['start_from']}`, its policy switched at month 0.")
    if e.get("posterior"):
        posterior = e["posterior"]
        lines.append(f"- **Posterior**: the points are {posterior['draws']} draws{_distinct(results)} (seed {posterior.get('seed')}) from `{posterior['file']}` "
                     f"(sha256 {str(posterior.get('sha256', ''))[:12]}) of " + ", ".join(f"`{name}`" for name in posterior.get("parameters", [])) + ".")
    lines += [
        f"- **Experiment**: {e['source']}" + (f" (sha256 {e['sha256'][:12]})" if e.get("sha256") else "") + f"; command `{m['command']}`.",
        f"- **Code**: git commit {m.get('git_commit') or 'unknown'}; Python {versions.get('python')}, social-housing-sim {versions.get('social-housing-sim')}, mesa {versions.get('mesa')}, numpy {versions.get('numpy')}, pandas {versions.get('pandas')}.",
        f"- **When**: started {m['started']}, ended {m.get('ended') or 'not yet'}; {len(m['sessions'])} session(s); total run time {results.runs['wall_seconds'].sum():.0f} s of computing.",
    ]
    return lines


def _factor_text(spec: dict[str, Any]) -> str:
    if "values" in spec:
        return "in {" + ", ".join(map(str, spec["values"])) + "}"
    levels = f", {spec['levels']} levels" if spec.get("levels") else ""
    return f"from {spec['low']:g} to {spec['high']:g}{levels}"


def _md_wide(table: pd.DataFrame, outcomes: list[str], columns: list[str], cell: Any) -> list[str]:
    index = table.set_index(["scenario", "outcome"])
    lines = ["| outcome | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for outcome in outcomes:
        cells = [cell(index.loc[(c, outcome)], outcome) if (c, outcome) in index.index else "" for c in columns]
        lines.append(f"| {outcome_cell(outcome)} | " + " | ".join(cells) + " |")
    return lines


def outcome_cell(outcome: str) -> str:
    """An outcome as a table shows it: its plain name and which way is better."""
    return f"{outcome_table.label(outcome)} ({outcome_table.direction_cue(outcome)})"


def _returns_frame(analysis: Analysis) -> tuple[list[str], pd.DataFrame, str]:
    """The scenarios with a return against the baseline, the returns table by (scenario, outcome), and its first outcome (where the extra cost is read)."""
    results, r = analysis.results, analysis.returns
    others = [s for s in results.scenarios if s != results.baseline and s in set(r["scenario"])]
    return others, r.set_index(["scenario", "outcome"]), r["outcome"].iloc[0]


def _md_returns(analysis: Analysis) -> list[str]:
    results = analysis.results
    others, idx, first = _returns_frame(analysis)
    lines = ["", "## Return on spending", "",
             f"Against `{results.baseline}`: the extra cost is the paired mean difference in cost per household per month, averaged over the months; "
             f"each outcome's return is its paired change at month {results.steps_planned} per extra GBP {statistics.PER_GBP:g} per household per month "
             "(95% percentile bootstrap interval over seeds): what the extra spending bought, the return on social infrastructure. "
             "It is a ratio of what was spent to what changed, not a forecast of what a further GBP 10 would buy: effects need not grow in proportion to spending.", ""]
    lines += ["| | " + " | ".join(others) + " |", "|---|" + "---|" * len(others)]
    lines.append("| extra cost (GBP/household/month) | " + " | ".join(interval(*idx.loc[(s, first), ["extra_cost", "extra_cost_low", "extra_cost_high"]], signed=True, d=1) for s in others) + " |")
    for outcome in [o for o in results.outcomes if o != "cost"]:
        cells = []
        for s in others:
            row = idx.loc[(s, outcome)]
            cells.append(interval(row["per_10_gbp"], row["per_10_gbp_low"], row["per_10_gbp_high"], signed=True) if math.isfinite(row["per_10_gbp"]) else f"n/a ({row['note']})")
        lines.append(f"| {outcome_cell(outcome)} | " + " | ".join(cells) + " |")
    return lines


def _md_posterior(analysis: Analysis, figure_names: set[str]) -> list[str]:
    """A posterior batch: levels pooled over draws and seeds, each scenario's change against the baseline, the return on spending."""
    results = analysis.results
    steps = results.steps_planned
    scenarios = [s for s in results.scenarios if s in set(analysis.summary["scenario"])]
    lines = ["", f"## Outcomes at month {steps}", "",
             f"Mean over {_draws_and_seeds(analysis)} (every draw counts the same), ± the half-width of its seed interval (95%, chance alone), "
             "then in brackets its posterior interval (2.5th to 97.5th percentile of the draws' own means: what the calibration leaves open).", ""]
    lines += _md_wide(analysis.summary, results.outcomes, scenarios,
                      lambda r, o: f"{plus_minus(r['mean'], r['ci_low'], r['ci_high'], d=decimals(o))} {_span(r['posterior_low'], r['posterior_high'], False, decimals(o))}")
    lines += _figure("finals.png", "Outcomes at the final month, with the seed and posterior intervals", figure_names)
    if analysis.differences.empty:
        return lines
    change, intervals = _explained(analysis)
    lines += ["", f"## {_against_title(results)}", "", change, intervals]
    d = analysis.differences.set_index(["scenario", "outcome"])
    for scenario in [sc for sc in scenarios if sc != results.baseline and sc in d.index.get_level_values(0)]:
        lines += ["", f"### {scenario}", "", "| outcome | change | seed interval | posterior interval | draws agreeing |", "|---|---|---|---|---|"]
        for o in results.outcomes:
            if (scenario, o) not in d.index:
                continue
            row = d.loc[(scenario, o)]
            lines.append(f"| {outcome_cell(o)} | {number(row['mean'], True, decimals(o))} | {_span(row['ci_low'], row['ci_high'], True, decimals(o))} | "
                         f"{_span(row['posterior_low'], row['posterior_high'], True, decimals(o))} | {_agreeing(row)} |")
    lines += ["", "Every draw's own mean change is in `posterior_draws.csv`."]
    lines += _figure("differences.png", "Change from the baseline, with the seed and posterior intervals", figure_names)
    if not analysis.returns.empty:
        lines += _md_posterior_returns(analysis)
    return lines


def _md_posterior_returns(analysis: Analysis) -> list[str]:
    results = analysis.results
    others, idx, first = _returns_frame(analysis)
    lines = ["", "## Return on spending", "",
             f"Against `{results.baseline}`, pooled over draws and seeds: the extra cost is the paired change in cost per household per month, averaged over the months; "
             f"each outcome's return is its pooled change at month {results.steps_planned} per extra GBP {statistics.PER_GBP:g} per household per month. "
             "First the seed interval (95%; percentile bootstrap over seeds), then the posterior interval (over the draws' own ratios). "
             "It is a ratio of what was spent to what changed, not a forecast of what a further GBP 10 would buy.", ""]
    lines += ["| | " + " | ".join(others) + " |", "|---|" + "---|" * len(others)]

    def cell(row: Any, name: str, d: int) -> str:
        return (f"{number(row[name], True, d)} {_span(row[name + '_low'], row[name + '_high'], True, d)}; "
                f"draws {_span(row[name + '_posterior_low'], row[name + '_posterior_high'], True, d)}")

    lines.append("| extra cost (GBP/household/month) | " + " | ".join(cell(idx.loc[(s, first)], "extra_cost", 1) for s in others) + " |")
    for outcome in [o for o in results.outcomes if o != "cost"]:
        cells = []
        for s in others:
            row = idx.loc[(s, outcome)]
            text = cell(row, "per_10_gbp", 3) if math.isfinite(row["per_10_gbp"]) else "n/a"
            cells.append(text + (f" ({row['note']})" if row["note"] else ""))
        lines.append(f"| {outcome_cell(outcome)} | " + " | ".join(cells) + " |")
    return lines


MAX_ROWS = 60
"""Rows of a sweep's tables shown in report.md (all of them are in the CSV files)."""


def _rows_note(rows: list[str], header: list[str], where: str) -> list[str]:
    if len(rows) <= MAX_ROWS:
        return rows
    return [*rows[:MAX_ROWS], "| " + " | ".join([f"... {len(rows) - MAX_ROWS} more rows in `{where}`", *[""] * (len(header) - 1)]) + " |"]


def _md_sweep(analysis: Analysis) -> list[str]:
    results = analysis.results
    steps = results.steps_planned
    lines = ["", f"## Outcomes at month {steps} over the sweep", "", "Mean over seeds and its 95% interval, per parameter point (all outcomes: `summary.csv`).", ""]
    shown = figures.sweep_outcomes(results.outcomes, limit=6)
    header = (["scenario"] if len(results.scenarios) > 1 else []) + results.factors + [outcome_cell(o) for o in shown]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    s = _cells(analysis.summary)
    rows = []
    for scenario in results.scenarios:
        for point, values in enumerate(results.points):
            if (scenario, point, shown[0]) not in s:
                continue
            cells = ([scenario] if len(results.scenarios) > 1 else []) + [_value(values[f]) for f in results.factors]
            cells += [interval(*s[(scenario, point, o)], d=decimals(o)) for o in shown]
            rows.append("| " + " | ".join(cells) + " |")
    lines += _rows_note(rows, header, "summary.csv")
    if not analysis.differences.empty:
        d = _cells(analysis.differences)
        others = [sc for sc in results.scenarios if sc != results.baseline]
        lines += ["", f"### Differences from {results.baseline}", "", "Paired by seed at each point: mean difference and its 95% interval (d_z in `differences.csv`).", ""]
        header = ["scenario", *results.factors, *(outcome_cell(o) for o in shown)]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        rows = []
        for scenario in others:
            for point, values in enumerate(results.points):
                if (scenario, point, shown[0]) not in d:
                    continue
                cells = [scenario, *(_value(values[f]) for f in results.factors)]
                cells += [interval(*d[(scenario, point, o)], signed=True, d=decimals(o)) for o in shown]
                rows.append("| " + " | ".join(cells) + " |")
        lines += _rows_note(rows, header, "differences.csv")
    return lines


def _cells(table: pd.DataFrame) -> dict[tuple[str, int, str], tuple[float, float, float]]:
    """(mean, ci_low, ci_high) by (scenario, point, outcome): one pass over the table, where a pandas lookup per cell took seconds for a sweep of 150 points."""
    keys = zip(table["scenario"], table["point"], table["outcome"], strict=True)
    return dict(zip(keys, zip(table["mean"], table["ci_low"], table["ci_high"], strict=True), strict=True))


def _value(value: Any) -> str:
    """A parameter value for a table: floats to 4 significant digits."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _md_sensitivity(results: Results) -> list[str]:
    lines = []
    for method in ("morris", "sobol"):
        path = results.folder / f"sensitivity_{method}.csv"
        if not path.exists():
            continue
        from sim.batch.sensitivity import summary_lines

        table = pd.read_csv(path)
        lines += ["", f"## Sensitivity ({method})", "", *summary_lines(table, method), ""]
        if (results.folder / "figures" / f"sensitivity_{method}.png").exists():
            lines.append(f"![Sensitivity indices ({method})](figures/sensitivity_{method}.png)")
    from sim.batch.contrast import report_lines

    lines += report_lines(results.folder, results.manifest)  # where one scenario does worse than another (sensitivity.contrast)
    return lines


def _md_failures(results: Results) -> list[str]:
    failed = results.failed
    if failed.empty:
        return []
    lines = ["", "## Failed runs", "", f"{len(failed)} runs raised an error (full tracebacks in the runs table, column `traceback`):", "", "| run | scenario | point | seed | error |", "|---|---|---|---|---|"]
    for _, row in failed.head(50).iterrows():
        error = str(row["error"]).replace("|", "\\|").replace("\n", " ")[:500]
        lines.append(f"| {row['run_id']} | {row['scenario']} | {row['point']} | {row['seed']} | {error} |")
    if len(failed) > 50:
        lines.append(f"| ... | {len(failed) - 50} more | | | |")
    return lines


def _figure(name: str, title: str, names: set[str], heading: str | None = None, text: str | None = None) -> list[str]:
    if name not in names:
        return []
    lines = [""]
    if heading:
        lines += [heading, ""]
    if text:
        lines += [text, ""]
    return [*lines, f"![{title}](figures/{name})"]


def _methods(results: Results) -> list[str]:
    lines = [
        "Each run is `HousingModel(scenario, rng=seed, **overrides).run(steps)`, determined by its scenario, parameter values and seed alone,",
        "so the numbers do not depend on the executor or the number of workers. Every scenario and parameter point runs with the same seeds:",
        "two runs with the same seed face the same residents, network and luck (common random numbers), and their difference is the policy's effect.",
        "",
        "With `x_i` an outcome at the final month in the run with seed `i` and `n` seeds:",
        "",
        "- mean `m = sum(x_i) / n`; standard deviation `s = sqrt(sum((x_i - m)^2) / (n - 1))`;",
        "- 95% interval `m ± t(0.975, n - 1) · s / sqrt(n)` (Student's t);",
        "- paired difference: `d_i = x_i(scenario) - x_i(baseline)` with the same seed; its mean and 95% interval as above;",
        "- effect size (in the CSV of differences, not in the tables above): Cohen's `d_z = mean(d) / sd(d)` (the difference in units of its spread over seeds; very large when seeds barely differ);",
        f"- return on spending: `change / extra cost · {statistics.PER_GBP:g}`, where the extra cost is the paired difference in cost (GBP per household per month)",
        f"  averaged over the months and the change is the paired difference at the final month; 95% percentile bootstrap interval ({statistics.BOOTSTRAP_RESAMPLES} resamples of seeds).",
        "  It is left out when the extra cost's own interval includes zero.",
        "",
    ]
    e = results.experiment
    if e.get("posterior"):
        posterior = e["posterior"]
        tail = [
            f"The points are {posterior['draws']} parameter sets drawn from a calibration's posterior (`{posterior['file']}`, sha256 {str(posterior.get('sha256', ''))[:12]}, "
            f"draw seed {posterior.get('seed')}; systematic resampling of its weights), each run with every seed and scenario. They are pooled, not compared:",
            "with `x[k, s]` an outcome (or a paired change, scenario minus baseline on the same draw and seed) for draw `k` and seed `s`, `n_k` seeds in draw `k`, `K` draws,",
            "",
            "- per-draw mean `m_k = sum_s x[k, s] / n_k`; the change (or level) `m = sum_k m_k / K`, every draw counting the same;",
            "- seed interval: `m ± t(0.975, df) · sqrt(v · mean_k(1 / n_k) / K)`, where `v = sum_k sum_s (x[k, s] - m_k)^2 / df` is the pooled within-draw variance",
            "  and `df = sum_k (n_k - 1)`; with every run done, `sqrt(v / (K · S))` and `df = K (S - 1)`: what chance alone moves, with the parameters held at the draws;",
            "- posterior interval: the 2.5th and 97.5th percentiles (linear) of the `K` per-draw means `m_k`: what the parameters the national figures leave open move;",
            "  with few draws it is close to their range;",
            "- draws agreeing: how many `m_k` have the sign of `m`;",
            f"- return on spending: the pooled change over the pooled extra cost · {statistics.PER_GBP:g}; seed interval by a percentile bootstrap over seeds",
            "  (the same resampled seeds in every draw), posterior interval from the per-draw ratios (only when the extra cost is positive in every draw).",
            "",
            "Neither interval covers uncertainty in the model's structure: what it leaves out or gets wrong (docs/ODD.md).",
        ]
    elif e.get("start_from"):
        tail = [
            "Intervals describe uncertainty from the model's randomness over seeds at the calibrated parameter values, not uncertainty in those values",
            "(an experiment's `[posterior]` carries that) nor in the model's structure (docs/ODD.md).",
        ]
    else:
        tail = [
            "Intervals describe uncertainty from the model's randomness over seeds at the given parameter values, not uncertainty in the parameters",
            "themselves (see the sweeps and the sensitivity analysis for that); these scenarios are not the calibrated status quo (docs/ODD.md).",
        ]
    return [*lines, *tail]
