"""The command line (``python run.py ...``): run a scenario, run batches (``sim.batch``), check scenario files, list parameters.

A user's mistake ends with one line on stderr (``error: FILE: key: problem
(accepted: ...)``) and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import size_guard
from sim.batch import commands as batch_commands
from sim.calibration import commands as calibration_commands
from sim.errors import UserError
from sim.output import ensure_writable_folder, out_folder, replacing
from sim.parameters import PATH_LIMIT, shown
from sim.workshop import serve as workshop_commands

if TYPE_CHECKING:
    from sim import scenario as scenarios

ROOT = Path(__file__).resolve().parent.parent
# Imports here are light: `python run.py --help` loads this module and the parsers only. The scenario
# checker (numpy and every mechanism's parameters) is imported by the commands that read scenarios, and
# the model (Mesa, pandas, scipy) only by those that run it (README: Speed).


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)  # inside: an option's type may raise a UserError (out_folder)
        return args.handler(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Simulate social capital, trust and stigma in social-housing communities under participation policies.",
        epilog="With no command: the main job, experiments/headline.toml: from the calibrated status quo of English landlords, switch to each "
        "of the four policies (paternalistic, consultation, co_design, co_production) at month 0, over parameter sets drawn from the "
        "calibration's posterior and several seeds each, as 'batch' does; tables, figures and report.md go to a new folder under results/.",
    )
    parser.set_defaults(handler=batch_commands.main_job)
    parser.add_argument("--version", action=_Version, help="print the package version and git commit, then exit")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="run one scenario and write its time series and manifest", description="Run one scenario; write DIR/timeseries.csv and DIR/manifest.json.")
    run.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/co_production.toml")
    run.add_argument("--seed", type=int, help="the run's seed (default: the scenario's seed, else 1)")
    run.add_argument("--steps", type=int, help="months to run (default: the scenario's steps)")
    run.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE", help="override a parameter, e.g. --set policy.outreach=0.4 (repeatable)")
    run.add_argument("--out", type=out_folder, help="output folder (default: results/SCENARIO-seedN)")
    run.set_defaults(handler=_run)

    check = commands.add_parser(
        "check", help="check scenario, experiment, calibration and cluster config files; exit non-zero on the first bad one",
        description="Read and check each file without running it, the files it reads included (network files; an experiment's every "
        "point against every scenario), and print one 'ok:' line per file. "
        "The first mistake ends the check with one 'error:' line naming the file, the key and what would be accepted, and exit status 2.")
    check.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                       help="scenario, experiment, calibration or cluster config (--cluster-config) files (TOML), e.g. scenarios/*.toml experiments/headline.toml, "
                       "or shipped scenarios' names, e.g. co_production")
    check.set_defaults(handler=_check)

    params = commands.add_parser(
        "params", help="list every parameter with its default, unit and source (Markdown)",
        description="Print a Markdown table per section of every parameter a scenario file can set (as [section] key = value, "
        "or --set section.key=value): its default, unit, accepted range, plausible range, source and meaning. Takes no arguments.")
    params.set_defaults(handler=_params)

    policies = commands.add_parser(
        "policies", help="list the participation policies and their levers",
        description="Print a Markdown table of the participation policies (the names a scenario's [policy] name takes) "
        "and each one's levers with their defaults, set in a scenario's [policy] table or with --set policy.LEVER=VALUE. Takes no arguments.")
    policies.set_defaults(handler=_policies)

    viz = commands.add_parser("viz", help="start the browser app (community, plots, side by side, export; works offline)", description="Start the browser app and print its address.")
    viz.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1, this machine only; 0.0.0.0 serves the network)")
    viz.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0 for any free port)")
    viz.add_argument("--open", action="store_true", help="also open the app in a web browser")
    viz.set_defaults(handler=_viz)

    batch_commands.add_commands(commands)  # compare, batch, report, sensitivity (sim/batch/commands.py)
    calibration_commands.add_command(commands)  # calibrate (sim/calibration/commands.py)
    workshop_commands.add_command(commands)  # workshop (sim/workshop/serve.py)
    return parser


class _Version(argparse.Action):
    """``--version``: computed only when asked (finding the git commit runs git), then exit."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option_string: str | None = None) -> None:
        from sim.provenance import version_text

        print(version_text())
        parser.exit()


# -- run ------------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    from sim import scenario as scenarios

    overrides = dict(scenarios.parse_assignment(text) for text in args.assignments)
    config = scenarios.load(args.scenario)
    if overrides:
        config = config.with_overrides(overrides, where="--set")
    if args.steps is not None:
        config = config.with_overrides({"steps": args.steps}, where="--steps")
    if args.seed is not None and not 0 <= args.seed <= scenarios.MAX_SEED:
        raise UserError(f"--seed: {shown(args.seed)} is not accepted (accepted: a whole number from 0 to {scenarios.MAX_SEED}, as in scenario files)")
    seed = args.seed if args.seed is not None else (config.seed if config.seed is not None else 1)
    out = args.out or ROOT / "results" / f"{Path(args.scenario).stem}-seed{seed}"
    size_guard.check_scenario(config, "--set" if size_guard.sets_households(overrides) else None)  # before the output folder is made
    ensure_writable_folder(out)
    frame, manifest = simulate(config, seed)
    _write(out, frame, manifest)
    _print_summary(config.name, frame, seed)
    print(f"\nwrote {out / 'timeseries.csv'} and {out / 'manifest.json'}")
    return 0 if manifest["status"] == "complete" else 130


def simulate(config: scenarios.Scenario, seed: int) -> tuple[Any, dict[str, Any]]:
    """Run ``config`` with ``seed``; return the time series and a manifest.

    Ctrl-C stops the run early and keeps the months already computed
    (status ``interrupted``).
    """
    from sim.model import HousingModel
    from sim.provenance import git_commit, versions

    started = datetime.now(UTC)
    clock = time.perf_counter()
    model = HousingModel(config, rng=seed)
    status = "complete"
    try:
        for _ in range(config.steps):
            model.step()
    except KeyboardInterrupt:
        status = "interrupted"
        print(f"\ninterrupted after {model.steps} of {config.steps} months; writing what was computed", file=sys.stderr)
    frame = model.timeseries()
    manifest = {
        "status": status,
        "seed": seed,
        "steps_planned": config.steps,
        "steps_completed": int(model.steps),
        "started": started.isoformat(),
        "ended": datetime.now(UTC).isoformat(),
        "wall_seconds": round(time.perf_counter() - clock, 3),
        "scenario": config.to_dict(),
        "versions": versions(),
        "git_commit": git_commit(),
    }
    return frame, manifest


def _write(out: Path, frame: Any, manifest: dict[str, Any]) -> None:
    # Both files in full under temporary names first: a full disk leaves an earlier run's pair, or nothing,
    # never a truncated time series or one without its manifest.
    try:
        with replacing(out / "timeseries.csv", out / "manifest.json") as (series, described):
            frame.to_csv(series, index=False)
            described.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    except OSError as error:
        raise UserError(f"--out: cannot write the results to {shown(str(out), PATH_LIMIT)}: {error.strerror or error}; nothing was written (accepted: a folder with room for them)") from None


def _print_summary(name: str, frame: Any, seed: int) -> None:
    from sim.mechanisms.outcomes import OUTCOMES

    last = frame.iloc[-1]
    first = frame.iloc[0]
    print(f"{name} (seed {seed}): {len(frame)} months")
    print(f"{'outcome':32} {'month 1':>10} {'final':>10}")
    for column in OUTCOMES:
        print(f"{column:32} {first[column]:10.3f} {last[column]:10.3f}")


# -- check, params, policies -------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    for path in args.scenarios:
        print(_checked(path))
    return 0


def _checked(path: str) -> str:
    """Check one scenario, experiment or calibration file as the command that runs it would, files it reads included; its 'ok:' line."""
    from sim import scenario as scenarios
    from sim import toml_text
    from sim.batch import inputs

    located = scenarios.locate(path)
    data = None
    if located.suffix == ".toml" and _is_file(located):
        data = toml_text.parse(toml_text.decode(located.read_bytes()), str(located), "scenarios/co_production.toml")
    if data is not None and "calibration" in data:
        from sim.calibration import spec

        found = spec.load(located)
        return f"ok: {path} (calibration file: {found.experiment.name}; {len(found.experiment.factors)} parameters fitted)"
    if data is not None and "cluster" in data and "scenarios" not in data:
        from sim.batch import job_settings

        given = job_settings.read_config(str(located))
        job_settings.job_settings("slurm", {}, str(located))  # the values, checked as --cluster-config checks them
        return f"ok: {path} (cluster config file: {', '.join(key.replace('_', '-') for key in given) or 'nothing set'})"
    if data is not None and "scenarios" in data:
        from sim.batch import experiment, plan, sampling  # planned as a batch would, without the model (scipy only for a sampled design)

        loaded = experiment.load(located)
        if "sensitivity" in data and any(f.is_range and f.levels is None for f in loaded.factors):
            # Ranges without levels are sampled by run.py sensitivity's own design: check the scenarios at the constants.
            plan.make_plan(loaded, [{}])
            return f"ok: {path} (sensitivity experiment: {loaded.name}; {len(loaded.factors)} uncertain parameters)"
        planned = plan.make_plan(loaded, sampling.points(loaded))  # every point against every scenario, network files read
        return f"ok: {path} (experiment: {loaded.name}; {len(planned.runs)} runs)"
    config = scenarios.load(path)
    inputs.InputFiles().of(config, f"{path}: {inputs.NETWORK_FILE}")  # the network file is read and checked as a run would
    return f"ok: {path} ({config.name}; policy {config.policy}; {config.steps} months; {len(config.events)} events)"


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name too long for the file system: scenarios.load says so in one line
        return False


def _params(args: argparse.Namespace) -> int:
    from sim.docs_tables import parameter_table

    print(parameter_table())
    return 0


def _policies(args: argparse.Namespace) -> int:
    from sim.docs_tables import policy_table

    print(policy_table())
    return 0


# -- the browser app ----------------------------------------------------------------


def _viz(args: argparse.Namespace) -> int:
    """Serve the browser app (sim/viz) until Ctrl-C."""
    from sim.viz.server import serve

    return serve(args.host, args.port, open_browser=args.open)
