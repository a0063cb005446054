"""What a calibration leaves behind: the calibrated scenario, its tables and a readable report."""

from __future__ import annotations

import os
import tempfile
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from sim import scenario as scenarios
from sim.batch.experiment import canonical
from sim.calibration import adjustment, identifiability, predictive
from sim.calibration import posterior as posterior_file
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
        f"`python run.py calibrate {_relative(cal.source)}` (approximate Bayesian computation, ABC-SMC; docs/VALIDATION.md). "
        "The values beyond those of the status-quo scenario are one draw of the posterior: the one, of those run again on "
        "fresh seeds, that came closest to the figures. Experiments that carry the calibration's uncertainty draw from the "
        + (f"whole posterior ({_relative(cal.posterior_out)}.csv)" if cal.posterior_out else "whole posterior") + ".\n"
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
        f"Posterior predictive mean over {int(outcome.counts.sum())} posterior draws x {len(cal.check_seeds)} fresh seeds: {fits}.\n"
    )
    text = dumps(calibrated_scenario(cal, outcome), _wrap(header))
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot write the calibrated scenario ({error.strerror or error}) (accepted: a writable path in calibration.scenario_out)") from None
    scenarios.load(path)  # what was written must be a valid scenario
    return path


def write_posterior_copy(cal: Calibration, outcome: Outcome) -> Path | None:
    """The posterior's two files copied to ``calibration.posterior_out`` (``NAME.csv``, ``NAME.json``) for experiments to draw from."""
    if cal.posterior_out is None:
        return None
    folder = cal.posterior_out.parent
    stem = cal.posterior_out.name
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        posterior_file.write(outcome.posterior, Path(scratch))
        for name, suffix in ((posterior_file.DRAWS, ".csv"), (posterior_file.ABOUT, ".json")):
            os.replace(Path(scratch) / name, folder / f"{stem}{suffix}")
    return cal.posterior_out


def write_tables(folder: Path, outcome: Outcome) -> None:
    outcome.parameters.to_csv(folder / "parameters.csv", index=False)
    outcome.draws.to_csv(folder / "check_draws.csv", index=False)
    outcome.check.to_csv(folder / "targets.csv", index=False)
    identifiability.figure(outcome.posterior, folder / "posterior_pairs.png", outcome.chosen)
    predictive.figure(outcome.check, outcome.runs, outcome.counts, folder / "predictive_check.png")


def console(cal: Calibration, outcome: Outcome) -> str:
    """The report for the terminal: targets and validation figures, then parameters."""
    lines = [f"{'figure':<36} {'used':<16} {'national':>8} {'simulated':>9}  {'posterior 95%':<15} {'miss':>6}"]
    for row in outcome.check.itertuples():
        lines.append(f"{row.column:<36} {row.used:<16} {row.national:>8.3f} {row.simulated:>9.3f}  "
                     f"[{row.posterior_low:.3f}, {row.posterior_high:.3f}] {row.miss:>+6.3f}")
    lines += ["", f"{'parameter':<27} {'prior':<15} {'posterior median [5%, 95%]':<28} {'of prior':>8}  {'calibrated':>10}  trades off with"]
    for row in outcome.parameters.itertuples():
        lines.append(f"{row.parameter:<27} " + f"[{row.prior_low:.3g}, {row.prior_high:.3g}]".ljust(15)
                     + f" {row.posterior_median:.3g} [{row.posterior_5:.3g}, {row.posterior_95:.3g}]".ljust(29)
                     + f" {row.share_of_prior:>8.0%}  {outcome.chosen[row.parameter]:>10.4g}  {row.trades_off_with}")
    loose = [row.parameter for row in outcome.parameters.itertuples() if row.constrained == "no"]
    if outcome.posterior.adjustment != adjustment.NONE:
        lines += ["", f"the last generation (threshold {outcome.posterior.epsilons[-1]:.3g} tolerances) regression-adjusted: "
                  + adjustment.DESCRIPTION[outcome.posterior.adjustment]]
    lines += ["", "not constrained by the figures: " + (", ".join(loose) if loose else "none"),
              f"the posterior's {len(outcome.posterior.weights)} weighted parameter sets are worth {outcome.posterior.effective_size:.0f} "
              "equally weighted ones (effective sample size)"]
    return "\n".join(lines)


def markdown(cal: Calibration, outcome: Outcome) -> str:
    """calibration.md: method, figures against simulation, parameters, the generations."""
    spec = cal.experiment
    post = outcome.posterior
    simulations = sum(post.simulations)
    loose = [row.parameter for row in outcome.parameters.itertuples() if row.constrained == "no"]
    lines = [
        f"# Calibration: {spec.name}", "",
        f"Calibration file `{_relative(cal.source)}` (sha256 `{spec.sha256}`), scenario `{spec.scenarios[0].key}`, "
        f"{len(outcome.names)} parameters, {len(cal.targets)} fitted figures, {len(cal.validation)} validation figures.", "",
        "## Method", "",
        f"ABC-SMC (pyabc {post.pyabc_version}; Toni et al. 2009, Klinger et al. 2018) with uniform priors over the ranges below: "
        f"{post.generations} generations of {post.population_size} parameter sets, {simulations:,} simulations in all, each "
        + ("one run" if len(spec.seeds) == 1 else f"the mean of {len(spec.seeds)} runs")
        + f" of {spec.steps} months after the status quo's burn-in (each run its own community and seed). "
        "The distance is the root mean square miss in tolerances; each generation's threshold is the median distance of the last; "
        "each generation perturbs the last with a normal kernel of "
        + ("its weighted covariance. " if cal.kernel_scale == 1.0 else f"{cal.kernel_scale:g} times its weighted covariance. ")
        + _adjusted(post)
        + f"The posterior's weights are worth {post.effective_size:.0f} of its {post.population_size} parameter sets "
        "(Kish's effective sample size). "
        f"Seed {cal.seed}: the same file gives the same posterior on any number of workers. "
        f"{int(outcome.counts.sum())} posterior draws ({len(outcome.counts)} distinct) were run again on {len(cal.check_seeds)} fresh seeds "
        "each: the figures below are from those runs (the posterior predictive check).", "",
        "| generation | threshold (tolerances) | simulations | acceptance |", "|---|---|---|---|",
        *[f"| {t + 1} | {'(the prior)' if e is None else f'{e:.3f}'} | {n:,} | {post.population_size / n:.1%} |"
          for t, (e, n) in enumerate(zip(post.epsilons, post.simulations, strict=True))],
        "", "## Figures against the calibrated model", "",
        "Simulated: the typical landlord (mean over every draw and seed). Posterior interval: 95% of the draws' means. "
        "Seed interval: the mean's 95% interval from the seeds alone. Single landlords: 10th and 90th percentiles of all runs.", "",
        "| figure | used | national | simulated | posterior interval | seed interval | single landlords p10-p90 | miss | tolerance |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in outcome.check.itertuples():
        tol = "" if pd.isna(row.tolerance) else f"{row.tolerance:.3f}"
        lines.append(f"| `{row.column}` ({row.measure}) | {row.used} | {row.national:.3f} | {row.simulated:.3f} | "
                     f"[{row.posterior_low:.3f}, {row.posterior_high:.3f}] | [{row.seed_low:.3f}, {row.seed_high:.3f}] | "
                     f"{row.landlords_p10:.3f} - {row.landlords_p90:.3f} | {row.miss:+.3f} | {tol} |")
    lines += ["", "![posterior predictive check](predictive_check.png)", "", "## Parameters", "",
              "| parameter | prior | posterior median [5%, 95%] | 90% interval as share of prior | constrained | trades off with | calibrated scenario |",
              "|---|---|---|---|---|---|---|"]
    for row in outcome.parameters.itertuples():
        lines.append(f"| `{row.parameter}` | [{row.prior_low:.4g}, {row.prior_high:.4g}] | {row.posterior_median:.4g} "
                     f"[{row.posterior_5:.4g}, {row.posterior_95:.4g}] | {row.share_of_prior:.0%} | {row.constrained} | {row.trades_off_with} | "
                     f"{outcome.chosen[row.parameter]:.4g} |")
    lines += ["", f"Constrained: the 90% posterior interval is at most {identifiability.CONSTRAINED:.0%} of the prior range "
              f"(\"partly\": up to {identifiability.PARTLY:.0%}; a parameter the figures say nothing about keeps about 90%). "
              f"Trades off with: weighted posterior correlation of at least {identifiability.TRADE_OFF} in size. "
              "Not constrained by the figures: " + (", ".join(f"`{n}`" for n in loose) if loose else "none") + ".", "",
              "![posterior pairs](posterior_pairs.png)", "",
              "## Draws checked on fresh seeds", "", *_table(outcome.draws), ""]
    return "\n".join(lines)


def _adjusted(post: posterior_file.Posterior) -> str:
    """The method's sentence on the regression adjustment (none if the last generation is the posterior as accepted)."""
    if post.adjustment == adjustment.NONE:
        return ""
    return (f"The last generation is then regression-adjusted ({adjustment.DESCRIPTION[post.adjustment]}): each accepted set is moved "
            "by a weighted regression of the parameters on its own simulation's misses to where that simulation would have met the figures "
            f"(the threshold it was accepted at, {post.epsilons[-1]:.3g} tolerances, is wide; sim/calibration/adjustment.py). ")


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
