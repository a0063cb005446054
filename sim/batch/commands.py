"""The batch commands of ``run.py``: the main job, ``compare``, ``batch``, ``report`` and ``sensitivity``.

``sim.cli`` adds these to its parser with :func:`add_commands` and uses
:func:`main_job` when no command is given; each handler only turns options
into calls to the modules of :mod:`sim.batch`. Importing this module is
cheap: the heavy modules are imported when a command runs.
"""

from __future__ import annotations

import argparse
import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.output import out_folder

ROOT = Path(__file__).resolve().parents[2]
HEADLINE = ("paternalistic", "consultation", "co_design", "co_production")
"""The headline scenarios: identical but for the policy."""
DEFAULT_SEEDS = 40
"""Seeds of the main job and ``compare``: enough for intervals a few thousandths wide on most outcomes."""


def add_commands(commands: Any) -> None:
    """Add ``compare``, ``batch``, ``report``, ``sensitivity`` and ``discover`` to ``run.py``'s sub-command parsers."""
    compare = commands.add_parser(
        "compare", help="compare scenarios over many seeds: intervals, paired differences, report",
        description="Run scenarios over the same seeds (common random numbers) and write tables, figures and report.md to a results folder. "
        "With no scenario: the four headline scenarios. Rerun the same command with the same --out to resume.")
    compare.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=f"scenario names in scenarios/ or paths to .toml files (default: {' '.join(HEADLINE)})")
    size_options(compare, seeds_default=DEFAULT_SEEDS, seeds_help=f"seeds 1 to N for every scenario (default: {DEFAULT_SEEDS})",
                 steps_help="months to run (default: the scenarios' own)", set_help="a parameter for every run, e.g. --set community.residents=500 (repeatable)")
    compare.add_argument("--baseline", metavar="SCENARIO", help="the scenario differences are taken from (default: the first)")
    execution_options(compare)
    compare.set_defaults(handler=compare_command)

    batch = commands.add_parser(
        "batch", help="run an experiment file (experiments/*.toml): seeds, sweeps, resumable",
        description="Run every scenario x parameter point x seed of an experiment file and write tables, figures and report.md. "
        "--seeds, --steps and --set shrink or change the file's experiment for this command (the manifest records them). "
        "Rerun the same command with the same --out to resume; a folder refuses other --seeds, --steps or --set values.")
    batch.add_argument("experiment", help="experiment file (TOML), e.g. experiments/headline.toml")
    size_options(batch, seeds_default=None, seeds_help="seeds 1 to N instead of the file's seeds, e.g. --seeds 2 for a quick try",
                 steps_help="months to run instead of the file's steps",
                 set_help="a parameter for every run instead of the file's [constants] value, e.g. --set community.residents=200 "
                 "(repeatable; not one the file varies in [levers] or [uncertainties])")
    execution_options(batch)
    batch.set_defaults(handler=batch_command)

    report = commands.add_parser("report", help="rebuild the tables, figures and report.md of a results folder", description="Rebuild summary.csv, differences.csv, returns.csv (and posterior_draws.csv for a batch over posterior draws), figures/ and report.md from a results folder's stored runs.")
    report.add_argument("folder", type=Path, metavar="RESULTS_DIR", help="a folder written by compare, batch or sensitivity")
    report.set_defaults(handler=report_command)

    sensitivity = commands.add_parser(
        "sensitivity", help="global sensitivity analysis (Morris or Sobol, with SALib) of an experiment's ranges",
        description="Vary an experiment's levers and uncertainties (ranges) over a SALib design, run every point with every seed, and report which parameters drive each outcome.")
    sensitivity.add_argument("experiment", help="experiment file (TOML) whose levers and uncertainties are ranges, e.g. experiments/sensitivity.toml")
    sensitivity.add_argument("--method", default="morris", help="morris (screening, fewer runs) or sobol (variance-based) (default: morris)")
    execution_options(sensitivity)
    sensitivity.set_defaults(handler=sensitivity_command)

    discover = commands.add_parser(
        "discover", help="scenario discovery: the conditions under which a policy stops being the better one (PRIM and a classification tree)",
        description="Over the parameter points of a results folder (levers, uncertainties or posterior draws), find where a contrast reverses or falls "
        "below a threshold, or where a scenario is not the best: PRIM boxes (EMA Workbench) with coverage, density and restricted parameters, "
        "and a classification tree (scikit-learn) as a second view. Writes RESULTS_DIR/discovery/QUESTION/ and adds the result to report.md.")
    discover.add_argument("folder", type=Path, metavar="RESULTS_DIR", help="a folder written by batch or sensitivity whose points vary parameters")
    discover.add_argument("--outcome", default="trust_landlord", help="the outcome compared (default: trust_landlord)")
    discover.add_argument("--contrast", metavar="A:B", help="a case is a point where A does worse than B (A's advantage below --threshold); "
                          "default: with two scenarios, the other one against the baseline")
    discover.add_argument("--not-best", metavar="A", help="instead of a contrast: a case is a point where A is not the best scenario on the outcome")
    discover.add_argument("--threshold", type=float, default=0.0, help="with --contrast: the smallest advantage that counts, in the outcome's units (default: 0, a reversal)")
    discover.add_argument("--min-density", type=float, default=0.8, help="the density a PRIM box should reach (default: 0.8)")
    discover.set_defaults(handler=discover_command)

    from sim.batch import ablation  # ablate (sim/batch/ablation.py; cheap to import, like this module)

    ablation.add_command(commands)


def size_options(parser: argparse.ArgumentParser, seeds_default: int | None, seeds_help: str, steps_help: str, set_help: str) -> None:
    """``--seeds N``, ``--steps N`` and ``--set KEY=VALUE`` (read with :func:`checked_sizes`)."""
    parser.add_argument("--seeds", type=int, default=seeds_default, metavar="N", help=seeds_help)
    parser.add_argument("--steps", type=int, metavar="N", help=steps_help)
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE", help=set_help)


def execution_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per available CPU; 1 runs in this process)")
    parser.add_argument("--executor", default="process", metavar="{process,dask,slurm,pbs}",
                        help="process: the standard library's process pool (default); dask: Dask distributed; "
                        "slurm, pbs: Dask workers as Slurm (PBS: untested) jobs that the batch starts, scales and cancels itself")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="with --executor dask: an existing cluster's scheduler, e.g. tcp://HOST:8786 (default: start a LocalCluster)")
    jobs = parser.add_argument_group("worker jobs (with --executor slurm or pbs; the default in brackets)")
    jobs.add_argument("--jobs", type=int, metavar="N", help="at most N worker jobs at once, fewer when fewer runs are left [4]")
    jobs.add_argument("--cores-per-job", type=int, metavar="N", help="cores of each job, one single-threaded worker per core [1]")
    jobs.add_argument("--memory", metavar="SIZE", help="memory of each job, e.g. 4GB [2GB per core]")
    jobs.add_argument("--walltime", metavar="TIME", help="each job's time limit, HH:MM:SS or D-HH:MM:SS; jobs that end are replaced [01:00:00]")
    jobs.add_argument("--account", metavar="NAME", help="the account jobs are charged to (#SBATCH -A) [the cluster's default]")
    jobs.add_argument("--queue", metavar="NAME", help="the partition or queue (#SBATCH -p) [the cluster's default]")
    jobs.add_argument("--cluster-config", metavar="FILE", help="a TOML file whose [cluster] table sets any of these and extra #SBATCH lines (README: Parallel, and on a cluster)")
    parser.add_argument("--out", type=out_folder, metavar="DIR", help="results folder (default: a new folder under results/); an existing one of the same batch is resumed")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or progress messages")


# -- handlers ------------------------------------------------------------------------------------


MAIN_JOB = ROOT / "experiments" / "headline.toml"
"""``python run.py``: the four policies from the calibrated status quo, over posterior draws and seeds."""
MAIN_CONDITIONS = ROOT / "experiments" / "conditions.toml"
"""``python run.py``, second part: every policy over the unmeasured uncertainties, where the headline's best policy on trust is not the best."""
MAIN_OUTCOME = "trust_landlord"


def main_job(args: argparse.Namespace) -> int:
    """``python run.py``: the headline experiment, then where its best policy on trust is not the best (both resumable in one folder).

    The conditions batch goes into ``FOLDER/conditions`` and its discovery
    into ``FOLDER/conditions/discovery``. Each report is built once, after
    the discovery it links to (the headline's has it in its "Where the
    finding fails" section): building them before and again after cost about
    10 s of the job. The headline's finding is printed as soon as its runs
    are done; if the conditions batch is interrupted or fails, the headline's
    report is still built.
    """
    from sim import outcome_table
    from sim.batch import discovery, findings, report, results

    out = args.out if getattr(args, "out", None) else new_folder("headline")
    common = {"seeds": None, "steps": None, "assignments": [], "workers": None, "executor": "process", "scheduler": None, "quiet": False}
    status = batch_command(argparse.Namespace(experiment=str(MAIN_JOB), out=out, **common), folder_name="headline", build_report=False)
    if status == 130:
        return status
    analysis = report.analyse(results.load(out))
    print(report.console(analysis))
    best = findings.best_on(analysis, MAIN_OUTCOME) if status == 0 else None
    if best is None:
        report.build(out)
        print("\n" + files_line(out))
        return status
    print(f"\nWhere the finding fails: under which conditions is {best} not the best on {outcome_table.short(MAIN_OUTCOME)}? ({MAIN_CONDITIONS.name})")
    conditions = out / "conditions"
    status = batch_command(argparse.Namespace(experiment=str(MAIN_CONDITIONS), out=conditions, **common), summary=False, build_report=False)
    if status == 0:
        found, where = discovery.write(results.load(conditions), discovery.Question(MAIN_OUTCOME, best))
    if status != 130:
        report.build(conditions)
        print("\n" + files_line(conditions))
    report.build(out)
    if status != 0:
        print("\n" + files_line(out))
        return status
    print("\n".join(found.sentences()))
    print("\n" + files_line(out) + f"\nwhere the finding fails: {where / 'discovery.md'}")
    return 0


def compare_command(args: argparse.Namespace) -> int:
    from sim.batch import experiment, plan, sampling

    executor = executor_for(args)  # bad options fail before any planning
    seeds, steps, constants = checked_sizes(args)
    names = args.scenarios or list(HEADLINE)
    spec = experiment.comparison(names, seeds, steps, constants, args.baseline, name=None if args.scenarios else "Headline comparison")
    the_plan = plan.make_plan(spec, sampling.points(spec))
    out = args.out or new_folder("compare" if args.scenarios else "headline")
    return _run_and_report(the_plan, out, args, executor=executor)


def batch_command(args: argparse.Namespace, folder_name: str | None = None, summary: bool = True, build_report: bool = True) -> int:
    from sim.batch import experiment, plan, sampling

    seeds, steps, constants = checked_sizes(args)
    spec = sized(experiment.load(args.experiment), seeds, steps, constants)
    executor = executor_for(args)  # bad options fail before any planning
    points = sampling.points(spec)
    if seeds is not None and spec.sampling.pairing != "crossed" and seeds != len(points):
        raise UserError(f"--seeds: {seeds} seeds for {len(points)} points (accepted: with sampling.pairing = \"one seed per point\" in {args.experiment}, "
                        f"as many seeds as points: --seeds {len(points)})")
    the_plan = plan.make_plan(spec, points)
    out = args.out or new_folder(folder_name or Path(args.experiment).stem)
    given = {"seeds": seeds, "steps": steps, "set": constants}
    overrides = {key: value for key, value in given.items() if value}
    return _run_and_report(the_plan, out, args, executor=executor, extra={"overrides": overrides} if overrides else None, summary=summary, build_report=build_report)


def sensitivity_command(args: argparse.Namespace) -> int:
    from sim.batch import contrast, experiment, plan, report, results, sensitivity
    from sim.batch.runner import run_batch

    if args.method not in sensitivity.METHODS:
        raise UserError(f"--method: {args.method!r} is not accepted (accepted: {', '.join(sensitivity.METHODS)})")
    spec = experiment.load(args.experiment)
    executor = executor_for(args)
    matrix = sensitivity.design(spec, args.method)
    the_plan = plan.make_plan(spec, sensitivity.points(spec, matrix))
    out = args.out or new_folder(f"{Path(args.experiment).stem}-{args.method}")
    _check_memory(the_plan, executor)
    outcome = run_batch(the_plan, out, executor, kind="sensitivity", quiet=args.quiet, extra=sensitivity.manifest_entry(spec, args.method, matrix))
    if outcome.status == "interrupted":
        return 130
    if not outcome.complete:
        return 1
    contrast.remember(out, spec.sensitivity.contrast)
    found = results.load(out)
    table = sensitivity.write(found)
    screened = contrast.write(found)
    report.build(out)
    print(sensitivity.console(table, args.method))
    if screened is not None:
        print("\n" + contrast.console(screened) + f"\n(where {screened.a} loses: {out / 'contrast_regions.md'})")
    print("\n" + files_line(out))
    return 1 if outcome.failed else 0


def report_command(args: argparse.Namespace) -> int:
    from sim.batch import report, results, sensitivity

    found = results.load(args.folder)
    if found.manifest.get("kind") == "ablation":
        from sim.batch import ablation

        return ablation.rebuild(args.folder)
    table = screened = None
    if found.manifest.get("kind") == "sensitivity" and found.manifest.get("sensitivity"):
        from sim.batch import contrast

        table = sensitivity.write(found)
        screened = contrast.write(found)
    analysis = report.build(args.folder)
    if table is not None:
        print(sensitivity.console(table, found.manifest["sensitivity"]["method"]))
        if screened is not None:
            print("\n" + contrast.console(screened))
    else:
        print(report.console(analysis))
    print("\n" + files_line(args.folder))
    return 0


def discover_command(args: argparse.Namespace) -> int:
    from sim.batch import discovery, report, results

    found = results.load(args.folder)
    question = _question(args, found)
    if not 0 < args.min_density <= 1:
        raise UserError(f"--min-density: {args.min_density} is not accepted (accepted: a share above 0, at most 1)")
    result, out = discovery.write(found, question, args.min_density)
    report.build(args.folder)
    print("\n".join(result.sentences()))
    print(f"\ndiscovery: {out / 'discovery.md'} (boxes.csv, peeling_trajectory.csv, tree.txt, cases.csv); report: {args.folder / 'report.md'}")
    return 0


def _question(args: argparse.Namespace, found: Any) -> Any:
    from sim.batch.discovery import Question

    if args.contrast and args.not_best:
        raise UserError("--contrast and --not-best: both given (accepted: one of them)")
    if args.not_best:
        return Question(args.outcome, args.not_best, None, 0.0)
    if args.contrast:
        a, sep, b = args.contrast.partition(":")
        if not sep or not a or not b or a == b:
            raise UserError(f"--contrast: {args.contrast!r} is not accepted (accepted: two different scenarios as A:B, e.g. co_production:paternalistic)")
        return Question(args.outcome, a, b, args.threshold)
    scenarios = found.scenarios
    if len(scenarios) != 2:
        raise UserError(f"--contrast: not given and {args.folder} has {len(scenarios)} scenarios (accepted: --contrast A:B or --not-best A with A, B among {', '.join(scenarios)})")
    other = next(s for s in scenarios if s != found.baseline)
    return Question(args.outcome, other, found.baseline, args.threshold)


# -- shared ----------------------------------------------------------------------------------------


def checked_sizes(args: argparse.Namespace) -> tuple[int | None, int | None, dict[str, Any]]:
    """``--seeds``, ``--steps`` and ``--set`` checked: (seeds or None, steps or None, ``{section.key: value}``)."""
    from sim import scenario as scenarios
    from sim.batch import experiment

    if args.seeds is not None and not 1 <= args.seeds <= experiment.MAX_SEEDS:
        raise UserError(f"--seeds: {args.seeds} is not accepted (accepted: a whole number from 1 to {experiment.MAX_SEEDS})")
    if args.steps is not None and not 1 <= args.steps <= scenarios.MAX_STEPS:
        raise UserError(f"--steps: {args.steps} is not accepted (accepted: a whole number of months from 1 to {scenarios.MAX_STEPS})")
    constants = {}
    for text in args.assignments:
        key, value = scenarios.parse_assignment(text)
        name = experiment.canonical(key)
        constants[name] = experiment.declaration(name, "--set").check(value, f"--set: {name}")
    return args.seeds, args.steps, constants


def sized(spec: Any, seeds: int | None, steps: int | None, constants: dict[str, Any]) -> Any:
    """The experiment ``spec`` with the command line's seeds 1 to ``seeds``, ``steps`` and ``constants`` in place of the file's.

    The plan is made from the result, so the run ids, the plan's fingerprint
    and the manifest's experiment all carry the overrides: a folder started
    with other overrides is refused like a changed experiment.
    """
    varied = {factor.name: factor.group for factor in spec.factors}
    for name in constants:
        if name in varied:
            raise UserError(f"--set: {name}: is varied in [{varied[name]}] of {spec.source} (accepted: a parameter the experiment does not vary; "
                            f"to fix it, move it to [constants] in a copy of the file)")
    changes: dict[str, Any] = {}
    if seeds is not None:
        changes["seeds"] = tuple(range(1, seeds + 1))
    if steps is not None:
        changes["steps"] = steps
    if constants:
        changes["constants"] = {**spec.constants, **constants}
    return dataclasses.replace(spec, **changes)


def executor_for(args: argparse.Namespace) -> Any:
    from sim.batch.executors import make_executor

    cluster = {name: getattr(args, name, None) for name in CLUSTER_OPTIONS}
    return make_executor(args.executor, args.workers, args.scheduler, cluster, getattr(args, "cluster_config", None))


CLUSTER_OPTIONS = ("jobs", "cores_per_job", "memory", "walltime", "account", "queue")
"""The worker-job options of :func:`execution_options` (with ``--cluster-config``), as ``args`` names them."""


def _run_and_report(the_plan: Any, out: Path, args: argparse.Namespace, executor: Any = None, extra: dict[str, Any] | None = None, summary: bool = True,
                    build_report: bool = True) -> int:
    """Run the plan into ``out``, then (unless ``build_report`` is False: the caller builds it) write and name its report."""
    from sim.batch import report
    from sim.batch.runner import run_batch

    executor = executor or executor_for(args)
    _check_memory(the_plan, executor)
    outcome = run_batch(the_plan, out, executor, quiet=args.quiet, extra=extra)
    if outcome.status == "interrupted":
        return 130
    if build_report:
        analysis = report.build(out)
        if summary:
            print(report.console(analysis))
        print("\n" + files_line(out))
    return 0 if outcome.complete and not outcome.failed else 1


FIRST_TABLES = ("summary.csv", "differences.csv", "returns.csv", "posterior_draws.csv")
"""The report's own tables, named first (in this order) by :func:`files_line`; any others follow alphabetically."""


def files_line(folder: Path, report: str = "report") -> str:
    """The last line a results command prints: its report (``report``.md, .html) and its figures and tables, naming only files that exist."""
    pages = [name for name in (f"{report}.md", f"{report}.html") if (folder / name).exists()]
    where = f"{folder / pages[0]}" + "".join(f" and {name}" for name in pages[1:]) if pages else f"{folder / f'{report}.md'} (not written)"
    csvs = sorted(path.name for path in folder.glob("*.csv"))
    tables = [name for name in FIRST_TABLES if name in csvs] + [name for name in csvs if name not in FIRST_TABLES]
    details = ([f"figures in {folder / 'figures'}"] if any((folder / "figures").glob("*.png")) else []) + ([f"tables {', '.join(tables)}"] if tables else [])
    return f"{report}: {where}" + (f" ({'; '.join(details)})" if details else "")


def _check_memory(the_plan: Any, executor: Any) -> None:
    """Refuse a batch whose workers' models would not fit in this machine's memory, before any starts (sim/size_guard.py).

    With a Dask scheduler or worker jobs the workers run elsewhere: this machine's memory says nothing about them.
    """
    from sim.batch import plan
    from sim.batch.executors import JOB_QUEUES

    settings = executor.settings()
    remote = settings.get("scheduler") or settings["executor"] in JOB_QUEUES
    plan.check_memory(the_plan, None if remote else settings.get("workers", 1))


def new_folder(stem: str) -> Path:
    """``results/STEM-YYYYMMDD-HHMMSS`` (with a suffix if that exists already)."""
    base = ROOT / "results" / f"{stem}-{datetime.now():%Y%m%d-%H%M%S}"
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder
