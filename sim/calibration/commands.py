"""``python run.py calibrate``: fit a scenario to the national figures, then the spread across landlords."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sim.batch.commands import ROOT, execution_options, executor_for, new_folder

DEFAULT_FILE = ROOT / "experiments" / "calibration.toml"


def add_command(commands: Any) -> None:
    calibrate = commands.add_parser(
        "calibrate", help="fit the status-quo scenario to the English national figures (TSM and others); write scenarios/england_baseline.toml",
        description="Approximate Bayesian computation (ABC-SMC with pyabc) over the calibration file's ranges, a posterior predictive "
        "check of posterior draws on fresh seeds, then the landlord population's spread. Writes the posterior, the calibrated scenario, "
        "the landlords experiment, and a report in a results folder. Rerun the same command with the same --out to resume.")
    calibrate.add_argument("calibration", nargs="?", default=str(DEFAULT_FILE), help="calibration file (default: experiments/calibration.toml)")
    calibrate.add_argument("--skip-landlords", action="store_true", help="fit the national figures only, not the spread across landlords")
    execution_options(calibrate)
    calibrate.set_defaults(handler=calibrate_command)


def calibrate_command(args: argparse.Namespace) -> int:
    from sim.batch import report_html
    from sim.calibration import landlords, pipeline, spec, write

    cal = spec.load(args.calibration)
    population = landlords.settings(cal.landlords, cal.source.parent, str(cal.source)) if cal.landlords and not args.skip_landlords else None
    executor_for(args)  # bad options fail before anything runs
    out = args.out or new_folder(Path(args.calibration).stem)
    out.mkdir(parents=True, exist_ok=True)
    say = (lambda text: None) if args.quiet else print
    try:
        outcome = pipeline.calibrate(cal, out, lambda: executor_for(args), quiet=args.quiet, workers=_workers(args))
    except pipeline.Interrupted as stopped:
        print(f"interrupted in {stopped}: run the same command with --out {out} to resume")
        return 130
    scenario_path = write.write_scenario(cal, outcome)
    posterior_copy = write.write_posterior_copy(cal, outcome)
    write.write_tables(out, outcome)
    report = write.markdown(cal, outcome)
    print(write.console(cal, outcome))
    say(f"\nposterior: {out / 'smc' / 'posterior.csv'}" + (f" (copied to {posterior_copy}.csv)" if posterior_copy else ""))
    say(f"calibrated scenario: {scenario_path}")
    if population is not None:
        try:
            chosen, fits = landlords.fit(population, scenario_path, cal.experiment.steps, out / "landlords", lambda: executor_for(args), quiet=args.quiet)
        except pipeline.Interrupted as stopped:
            report_html.write(out / "calibration.md", report)
            print(f"interrupted in {stopped}: run the same command with --out {out} to resume")
            return 130
        path = landlords.write(population, chosen, cal.source)
        report += landlords_markdown(population, chosen, fits)
        print("\nspread across landlords (10th, 90th percentiles of what they report):")
        for fit in fits:
            text = "; ".join(f"{c.removeprefix('tsm_reported_')} {p[0]:.3f}, {p[1]:.3f}" for c, p in fit.percentiles.items())
            print(f"  {fit.label:<7} {text}  miss {fit.miss:.1f} pp" + (f" (medians {fit.median_miss:.1f} pp)" if fit.median_miss is not None else "")
                  + ("  <- chosen" if fit is chosen else ""))
        print("  widths (share of the largest): " + ", ".join(f"{k} {a:g}" for k, a in chosen.factors.items())
              + (f"; the emulator expected a miss of {chosen.emulated:.1f} pp" if chosen.emulated is not None else ""))
        if chosen.shifts:
            print("  centres moved (largest half-widths): " + ", ".join(f"{k} {c:+g}" for k, c in chosen.shifts.items()))
        print("  national      " + "; ".join(f"{c} {p[0]:.3f}, {p[1]:.3f}" for c, p in population.percentiles.items()))
        say(f"landlords experiment: {path}")
    report_html.write(out / "calibration.md", report)
    say(f"report: {out / 'calibration.md'} and calibration.html (tables parameters.csv, targets.csv, check_draws.csv; figures posterior_pairs.png, predictive_check.png)")
    return 0


def _workers(args: argparse.Namespace) -> int:
    """Processes for ABC-SMC's simulations: --workers, or every available CPU (they run here, not on a Dask cluster)."""
    from sim.batch.executors import available_cpus

    return args.workers if args.workers is not None else available_cpus()


def landlords_markdown(population: Any, chosen: Any, fits: list[Any]) -> str:
    columns = list(population.percentiles)
    centred = chosen.shifts is not None
    lines = ["## The spread across landlords", "",
             f"{population.count} landlords, {_sizes(population)}, differing in " + ", ".join(f"`{k}`" for k in population.widths)
             + ". The probe runs every difference at its largest half-width; a quadratic emulator of the reported items over the probe's "
             "landlords (and, from the second wave, every population run before) gives the half-widths " + ("and centres closest to the national 10th, 50th and 90th percentiles" if centred else
                                                  "closest to the national percentiles")
             + ", and a population runs at them, wave by wave (sim/calibration/spread_fit.py).", ""]
    if centred:
        lines += ["| parameter | largest half-width | fitted share | centre moved by | calibrated scenario | population's range |", "|---|---:|---:|---:|---:|---:|"]
        ranges = _ranges(chosen)
        lines += [f"| `{k}` | {w:g} | {chosen.factors[k]:g} | {chosen.shifts[k] * w:+.4g} | {chosen.calibrated[k]:.4g} | {ranges[k]} |"
                  for k, w in population.widths.items()]
    else:
        lines += ["| parameter | largest half-width | fitted share | fitted half-width |", "|---|---:|---:|---:|"]
        lines += [f"| `{k}` | {w:g} | {chosen.factors[k]:g} | {chosen.factors[k] * w:.4g} |" for k, w in population.widths.items()]
    lines += ["", "10th and 90th percentiles across landlords of what they report (percent):", "",
              "| item | national | " + " | ".join(f"{fit.label}" + (" (chosen)" if fit is chosen else "") for fit in fits) + " |",
              "|---|---" + "|---" * len(fits) + "|"]
    for c in columns:
        cells = [f"{100 * population.percentiles[c][0]:.1f}, {100 * population.percentiles[c][1]:.1f}"]
        cells += [f"{100 * fit.percentiles[c][0]:.1f}, {100 * fit.percentiles[c][1]:.1f}" for fit in fits]
        lines.append(f"| {_item(c)} | " + " | ".join(cells) + " |")
    lines.append("| root mean square miss (points) | | " + " | ".join(f"{fit.miss:.1f}" for fit in fits) + " |")
    if population.medians:
        lines += ["", "Medians across landlords (percent):", "", "| item | national | " + " | ".join(fit.label for fit in fits) + " |",
                  "|---|---" + "|---" * len(fits) + "|"]
        lines += [f"| {_item(c)} | {100 * population.medians[c]:.1f} | " + " | ".join(f"{100 * fit.medians[c]:.1f}" for fit in fits) + " |" for c in columns]
        lines.append("| root mean square miss (points) | | " + " | ".join(f"{fit.median_miss:.1f}" for fit in fits) + " |")
    waves = [fit for fit in fits if fit.emulated is not None]
    if waves:
        lines += ["", "At each wave's widths" + (" and centres" if centred else "") + ", the 10th and 90th percentile miss the emulator expected and the "
                  "population gave: " + "; ".join(f"{fit.label} {fit.emulated:.1f} and {fit.miss:.1f} points" for fit in waves) + ". "
                  f"Chosen: {chosen.label}, the run closest to the national figures"
                  + (" (10th percentiles, medians and 90th percentiles together)." if centred else ".")]
    return "\n".join(lines) + "\n"


def _item(column: str) -> str:
    """A reported item in plain words (every row of these tables is what landlords report, as the caption says)."""
    from sim.outcome_table import label

    return label("tsm_" + column.removeprefix("tsm_reported_")) if column.startswith("tsm_reported_") else label(column)


def _ranges(chosen: Any) -> dict[str, str]:
    """Each differing parameter's range in the population (one value where no difference is left), from the experiment."""
    from sim.calibration.landlords import value_range

    out = {}
    for key in chosen.factors:
        low, high = value_range(chosen.data, key, chosen.calibrated[key])
        out[key] = f"{low:.4g} to {high:.4g}" if high > low else f"{low:.4g}"
    return out


def _sizes(population: Any) -> str:
    if isinstance(population.residents, tuple):
        span = f"{min(population.residents):,} to {max(population.residents):,} households"
        if population.scale == 1:
            return f"one per English landlord at its real size ({span})"
        return f"one per English landlord at 1/{population.scale:g} of its real size ({span}, the survey sample of its real size)"
    return f"{population.residents} households each"
