"""What a calibration leaves behind: the calibrated scenario, its tables and a readable report."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import scenario as scenarios
from sim.batch.experiment import canonical
from sim.calibration import abc
from sim.calibration.pipeline import Outcome
from sim.calibration.spec import Calibration
from sim.calibration.toml_out import dumps
from sim.errors import UserError

DECIMALS = 4
"""Calibrated values are written to this many decimal places (the tests check the written file itself)."""


def calibrated_scenario(cal: Calibration, outcome: Outcome) -> dict[str, Any]:
    """The fitted scenario's own TOML with the calibration's constants and chosen values set."""
    ref = cal.experiment.scenarios[0]
    data = tomllib.loads(ref.path.read_text(encoding="utf-8"))
    data["name"] = cal.scenario_name
    data["steps"] = cal.experiment.steps
    data["description"] = (
        f"{ref.scenario.name}, with its uncertain parameters fitted to the national figures by "
        f"`python run.py calibrate {_relative(cal.source)}` (approximate Bayesian computation by rejection; "
        "docs/VALIDATION.md). Values beyond those of the status-quo scenario are the calibrated ones.\n"
    )
    values = {**cal.experiment.constants, **{k: round(v, DECIMALS) for k, v in outcome.chosen.items()}}
    for key, value in values.items():
        section, _, name = canonical(key).partition(".")
        data.setdefault(section, {})[name] = value
    return data


def write_scenario(cal: Calibration, outcome: Outcome, path: Path | None = None) -> Path:
    """Write the calibrated scenario (checked by loading it back); returns its path."""
    path = path or cal.scenario_out
    fits = "; ".join(f"{row.column} {row.simulated:.3f} (national {row.national:.3f})" for row in outcome.check.itertuples() if row.used == "fitted")
    header = (
        f"Written by `python run.py calibrate {_relative(cal.source)}`: do not edit by hand, rerun the calibration.\n"
        f"Calibration file sha256 {cal.experiment.sha256}.\n"
        f"Mean over {int(outcome.check['seeds'].max())} fresh seeds: {fits}.\n"
    )
    text = dumps(calibrated_scenario(cal, outcome), _wrap(header))
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot write the calibrated scenario ({error.strerror or error}) (accepted: a writable path in calibration.scenario_out)") from None
    scenarios.load(path)  # what was written must be a valid scenario
    return path


def posterior_table(outcome: Outcome) -> pd.DataFrame:
    """Per parameter: prior range, round-1 posterior, the local 95% range, whether pinned down, and the chosen value."""
    rows = []
    for j, name in enumerate(outcome.names):
        m = outcome.posterior[j]
        local = outcome.local.iloc[j]
        rows.append({
            "parameter": name, "prior_low": outcome.prior.low[j], "prior_high": outcome.prior.high[j],
            "posterior_median": m.median, "posterior_5": m.low, "posterior_95": m.high, "posterior_share_of_prior": m.width_ratio,
            "local_95_share_of_prior": local["local_95_share_of_prior"], "pinned_down": bool(local["pinned_down"]),
            "moves_most": local["moves_most"], "trades_off_with": local["trades_off_with"], "calibrated": outcome.chosen[name],
        })
    return pd.DataFrame(rows)


def write_tables(folder: Path, outcome: Outcome) -> None:
    posterior_table(outcome).to_csv(folder / "parameters.csv", index=False)
    outcome.candidates.to_csv(folder / "candidates.csv", index=False)
    outcome.check.to_csv(folder / "targets.csv", index=False)


def console(cal: Calibration, outcome: Outcome) -> str:
    """The report for the terminal: targets and validation figures, then parameters."""
    lines = [f"{'figure':<36} {'used':<16} {'national':>8} {'simulated':>9}  {'95% interval':<15} {'miss':>6}"]
    for row in outcome.check.itertuples():
        lines.append(f"{row.column:<36} {row.used:<16} {row.national:>8.3f} {row.simulated:>9.3f}  "
                     f"[{row.ci_low:.3f}, {row.ci_high:.3f}] {row.miss:>+6.3f}")
    lines += ["", f"{'parameter':<27} {'prior':<15} {'ABC round 1 [5%, 95%]':<24} {'local 95%':>9}  {'calibrated':>10}  moves most"]
    for row in posterior_table(outcome).itertuples():
        lines.append(f"{row.parameter:<27} " + f"[{row.prior_low:.3g}, {row.prior_high:.3g}]".ljust(15)
                     + f" {row.posterior_median:.3g} [{row.posterior_5:.3g}, {row.posterior_95:.3g}]".ljust(25)
                     + f" {_share(row.local_95_share_of_prior):>9}  {row.calibrated:>10.4g}  {row.moves_most}"
                     + ("" if row.pinned_down else "  (not pinned down" + (f"; trades off with {row.trades_off_with})" if row.trades_off_with else ")")))
    unpinned = [row.parameter for row in posterior_table(outcome).itertuples() if not row.pinned_down]
    lines += ["", "not pinned down by the data: " + (", ".join(unpinned) if unpinned else "none")]
    return "\n".join(lines)


def markdown(cal: Calibration, outcome: Outcome) -> str:
    """calibration.md: method, figures against simulation, parameters, the rounds."""
    spec = cal.experiment
    runs = sum(len(r.values) for r in outcome.rounds) * len(spec.seeds)
    unpinned = [row.parameter for row in posterior_table(outcome).itertuples() if not row.pinned_down]
    lines = [
        f"# Calibration: {spec.name}", "",
        f"Calibration file `{_relative(cal.source)}` (sha256 `{spec.sha256}`), scenario `{spec.scenarios[0].key}`, "
        f"{len(outcome.names)} parameters, {len(cal.targets)} fitted figures, {len(cal.validation)} validation figures.", "",
        "## Method", "",
        f"Approximate Bayesian computation by rejection in {cal.rounds} round(s): each round a "
        f"{spec.sampling.method} sample of {spec.sampling.samples} points, each run with {len(spec.seeds)} seed(s) "
        f"({spec.steps} months; {runs} runs in all), keeping the {cal.accept:.0%} of points closest to the figures "
        "(root mean square miss in tolerances). Round 1 samples the uniform prior box; later rounds sample the box "
        "the accepted points span. The posterior below is round 1's accepted sample. "
        + (f"A Nelder-Mead search from the closest point, on {len(cal.search_seeds)} seeds, took {len(outcome.search.history)} evaluations "
           f"(distance {outcome.search.history['distance'].iloc[0]:.3f} to {outcome.search.best_distance:.3f}). " if outcome.search is not None else "")
        + f"The {cal.candidates} closest points were run again on {cal.check_seeds} fresh seeds and the closest there chosen.", "",
        "## Figures against the calibrated model", "",
        "| figure | used | national | simulated (mean) | 95% interval | miss | tolerance |", "|---|---|---|---|---|---|---|",
    ]
    for row in outcome.check.itertuples():
        tol = "" if pd.isna(row.tolerance) else f"{row.tolerance:.3f}"
        lines.append(f"| `{row.column}` ({row.measure}) | {row.used} | {row.national:.3f} | {row.simulated:.3f} | "
                     f"[{row.ci_low:.3f}, {row.ci_high:.3f}] | {row.miss:+.3f} | {tol} |")
    lines += ["", "## Parameters", "",
              "| parameter | prior | ABC round 1: median [5%, 95%] (share of prior) | local 95% range (share of prior) | pinned down | moves most | trades off with | calibrated |",
              "|---|---|---|---|---|---|---|---|"]
    for row in posterior_table(outcome).itertuples():
        lines.append(f"| `{row.parameter}` | [{row.prior_low:.4g}, {row.prior_high:.4g}] | {row.posterior_median:.4g} "
                     f"[{row.posterior_5:.4g}, {row.posterior_95:.4g}] ({row.posterior_share_of_prior:.0%}) | {_share(row.local_95_share_of_prior)} | "
                     f"{'yes' if row.pinned_down else 'no'} | `{row.moves_most}` | {row.trades_off_with} | {row.calibrated:.4g} |")
    lines += ["", f"Pinned down: the local 95% range at the calibrated point (sim/calibration/identifiability.py) is under {abc.PINNED_BELOW:.0%} "
              "of the prior range and the figures see the parameter's direction. The ABC round-1 range is the global view "
              "(an unconstrained parameter keeps about 90% of its prior). Not pinned down by the data: "
              + (", ".join(f"`{n}`" for n in unpinned) if unpinned else "none") + ".", "",
              "## Rounds", "", "| round | points | best distance | accepted | accepted distance below |", "|---|---|---|---|---|"]
    for r in outcome.rounds:
        lines.append(f"| {r.number} | {len(r.values)} | {r.distances.min():.3f} | {len(r.kept)} | {r.distances[r.kept].max():.3f} |")
    lines += ["", "## Candidates checked on fresh seeds", "", *_table(outcome.candidates), ""]
    return "\n".join(lines)


def _share(x: float) -> str:
    """A share of the prior range; unbounded where the figures cannot see the parameter."""
    return "unbounded" if not np.isfinite(x) else f"{x:.0%}"


def _table(frame: pd.DataFrame) -> list[str]:
    """A data frame as Markdown table lines (numbers to 4 significant figures)."""
    head = "| " + " | ".join(f"`{c}`" for c in frame.columns) + " |"
    rows = ["| " + " | ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return [head, "|" + "---|" * len(frame.columns), *rows]


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _wrap(text: str, width: int = 100) -> str:
    return "\n".join(textwrap.fill(line, width) for line in text.splitlines())
