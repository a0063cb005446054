"""Speed and memory benchmark: anyone can rerun it, before and after a change.

    python experiments/benchmark.py                          # 1,000, 10,000 and 100,000 households (about half a minute)
    python experiments/benchmark.py --sizes 1000000          # a million: about 4 to 5 minutes and 1.8 GB
    python experiments/benchmark.py --sizes 1000 10000 100000 1000000 --json results/bench.json
    python experiments/benchmark.py --sizes 10000 --repeat 7 --reference-size 0
    python experiments/benchmark.py --sizes 1000000 --steps 10 --burn-in 12   # a quick look, not the run's cost
    python experiments/benchmark.py --sizes 10000 100000 --repeat 3 --peer starsim --peer-python /work/venvs/starsim/bin/python

Every size runs the same months by default: 120 of burn-in and 120 of the
run, as a scenario does (ties still grow over the first years, so a shorter
run understates the month and the peak memory at every size). That is about
20 seconds at 100,000 households, so the default sizes stop there; a million
households (about 0.9 s a month, 8 s to build) are measured only when
``--sizes`` asks for them. ``--steps`` and ``--burn-in`` shorten every size
for a quick look; the table in README.md's Speed section quotes full runs.

For each size, a fresh process builds the model, runs the status quo's
burn-in before month 0 (``--burn-in`` months of the default paternalistic
status quo; docs/ODD.md section 5), then runs ``--steps`` months with data
collection (the model's own ``step``), and reports: time to build, the
burn-in, the whole run after month 0, the median month, peak memory (the
process's maximum resident set size, so each size is measured alone), and
the cost per household-month of the run. Scenarios that share a status quo
share their burn-in (sim/burn_in.py keeps it per process), so a batch of
several policies over the same seeds pays it once per seed and process.
With ``--repeat R`` each size runs in R fresh processes and the row is the
run of median length (the spread is printed too): on a shared machine one
run can be a fifth slower than the next; the load average before and after
is printed and kept in the JSON with the date, the machine and its cores.
Then, at ``--reference-size`` households, it times one month of the core
rules (treatment, trust, learning, stigma, wellbeing) in the vectorised form
and in the plain per-agent Mesa form of ``sim/reference.py``, on the same
state, and reports the ratio. One core: the model is single-threaded.

``--peer starsim`` measures a peer beside each size: Starsim's SIS disease
(``ss.SIS``, its default parameters) on ``ss.RandomNet(n_contacts=10)``, no
demographics, with as many agents as households and as many steps as
``--steps`` (start 0, stop steps - 1, dt 1: the unit does not matter, the
number of steps does), each in a fresh process, after a small warm-up sim so
that numba's compiling or cache loading counts no more than our imports do.
It reports the build (``ss.Sim(...)`` and ``sim.init()``), the run (the steps
one by one with ``sim.run_one_step()``, each timed; the median is printed),
peak memory and microseconds per agent-step, then the per-step ratio: ours
per household-month over Starsim's per agent-step (our burn-in is not in
it). With ``--repeat R`` ours and the peer's processes alternate (ours, the
peer, ours, the peer...), so a busy spell on a shared machine slows both, and
the ratio is the median of the R pairs' ratios (each pair's is kept in the
JSON with Starsim's version). Starsim is not a dependency of the project and
is best kept out of its environment (it brings numba, sciris and its own
pandas): install it in a virtual environment of its own and name that
interpreter with ``--peer-python``::

    python -m venv /work/venvs/starsim && /work/venvs/starsim/bin/pip install starsim==3.7.2

The peer's process imports starsim and the standard library only, never the
project's ``sim`` package. If the interpreter has no starsim, the benchmark
says so in one line and exits with status 2 before measuring anything (a
comparison was asked for: measuring ours alone for minutes would not give it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_BURN_IN = 120
"""sim.scenario.DEFAULT_BURN_IN, not imported here so the parent process stays light."""
DEFAULT_STEPS = 120
"""sim.scenario.Scenario.steps' default: ten years."""


def measure_size(residents: int, steps: int, burn_in: int, policy: str, seed: int) -> dict:
    """Build, burn in and run one model in this process; timings in seconds."""
    from sim import HousingModel
    from sim.policies import make_policy

    clock = time.perf_counter()
    model = HousingModel(rng=seed, residents=residents, policy=policy, status_quo__months=0)
    build = time.perf_counter() - clock
    # The burn-in as the model runs it (the same phases under the status quo), timed on its own.
    clock = time.perf_counter()
    model.clock = -burn_in
    model._burn_in(make_policy(model.config.status_quo, model.config.status_quo_levers), burn_in)
    burn = time.perf_counter() - clock
    months = []
    for _ in range(steps):
        start = time.perf_counter()
        model.step()
        months.append(time.perf_counter() - start)
    total = sum(months)
    return {
        "residents": residents,
        "steps": steps,
        "policy": policy,
        "build_s": round(build, 4),
        "burn_in_months": burn_in,
        "burn_in_s": round(burn, 4),
        "run_s": round(total, 4),
        "median_step_s": round(statistics.median(months), 5),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "us_per_resident_step": round(total / steps / residents * 1e6, 4),
        "ties": model.network.tie_count(),
    }


def measure_reference(residents: int, warmup: int, policy: str, seed: int) -> dict:
    """Time one month of the core rules, vectorised and per agent, from the same state."""
    from sim import HousingModel
    from sim.model import PHASES
    from sim.reference import ReferenceRules

    model = HousingModel(rng=seed, residents=residents, policy=policy)
    model.run(warmup)
    model.month = SimpleNamespace()
    phases = dict(PHASES)
    for name, phase in PHASES:
        if name == "treatment":
            break
        phase(model)
    core = ("treatment", "trust", "learning", "stigma", "wellbeing")
    start = time.perf_counter()
    for name in core:
        phases[name](model)
    fast = time.perf_counter() - start
    reference = ReferenceRules(model)
    start = time.perf_counter()
    reference.month_core()
    slow = time.perf_counter() - start
    return {"residents": residents, "core_rules": list(core), "vectorised_s": round(fast, 5), "per_agent_s": round(slow, 4), "speed_ratio": round(slow / fast, 1)}


PEER_VERSION = "3.7.2"
"""The Starsim release the speed issue compares with (any installed version is measured; another is named in the output)."""
PEER_CONTACTS = 10
"""Contacts per agent in the peer's network (ss.RandomNet's n_contacts; Starsim's default too)."""


def measure_starsim(agents: int, steps: int, seed: int) -> dict:
    """Build and run Starsim's SIS on a random 10-contact network in this process; timings in seconds.

    Imports starsim only, never the project's ``sim`` package, so it runs in an interpreter (a virtual
    environment of its own) that has starsim and not the project. No demographics: the population is fixed.
    """
    import numpy as np
    import starsim as ss

    def make(n: int, stop: int):
        # stop is inclusive: start=0, stop=steps-1 and dt=1 make exactly `steps` steps (npts).
        return ss.Sim(n_agents=n, networks=ss.RandomNet(n_contacts=PEER_CONTACTS), diseases=ss.SIS(), start=0, stop=stop, dt=1, rand_seed=seed, verbose=0)

    # Numba compiles Starsim's kernels on first use (or loads them from its cache): a small sim first, so
    # that, like our imports, it is not counted in the build or the run.
    clock = time.perf_counter()
    warm = make(100, 1)
    warm.run()
    warmup = time.perf_counter() - clock
    del warm
    clock = time.perf_counter()
    sim = make(agents, steps - 1)
    sim.init()
    build = time.perf_counter() - clock
    if sim.t.npts != steps:
        raise RuntimeError(f"starsim {ss.__version__} made {sim.t.npts} steps of start=0, stop={steps - 1}, dt=1, not {steps}")
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        sim.run_one_step()  # one whole time step (every module's functions for it), as sim.run() runs them
        times.append(time.perf_counter() - start)
    total = sum(times)
    return {
        "agents": agents,
        "steps": steps,
        "model": f"ss.SIS on ss.RandomNet(n_contacts={PEER_CONTACTS}), no demographics, dt=1",
        "starsim": ss.__version__,
        "python": platform.python_version(),
        "warmup_s": round(warmup, 4),
        "build_s": round(build, 4),
        "run_s": round(total, 4),
        "first_step_s": round(times[0], 5),
        "median_step_s": round(statistics.median(times), 5),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "us_per_agent_step": round(total / steps / agents * 1e6, 4),
        "edges": len(sim.networks[0].edges.p1),
        "prevalence_end": round(float(np.asarray(sim.diseases[0].results.prevalence)[-1]), 4),
    }


class ChildFailed(Exception):
    """A measurement's process stopped with an error (its message, or its traceback if a bug)."""


def _in_child(kind: str, *args: str, python: str = sys.executable) -> dict:
    """Run one measurement in a fresh Python process (``python``: the peer's may be another), so peak memory is its own."""
    output = subprocess.run([python, __file__, "--child", kind, *args], capture_output=True, text=True, cwd=ROOT)
    if output.returncode != 0:
        raise ChildFailed(output.stderr.strip())
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="numbers of households")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS, help=f"months run after month 0, at every size (default: {DEFAULT_STEPS}, a scenario's)")
    parser.add_argument("--burn-in", type=int, default=DEFAULT_BURN_IN, help=f"months of the status quo before month 0, at every size (default: the scenarios' default, {DEFAULT_BURN_IN})")
    parser.add_argument("--policy", default="co_production")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per size; the run of median length is reported (default 1)")
    parser.add_argument("--reference-size", type=int, default=10000, help="households for the per-agent reference comparison (0 to skip)")
    parser.add_argument("--peer", choices=["starsim"], help=f"also measure Starsim's SIS ({PEER_CONTACTS} contacts per agent) with as many agents and steps, alternating with ours")
    parser.add_argument("--peer-python", default=sys.executable, metavar="PATH", help="the interpreter that has starsim and runs the peer (default: this one); e.g. a virtual environment's bin/python")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *values = args.child
        if kind == "starsim":  # before anything of the project: the peer's interpreter need not have it
            print(json.dumps(measure_starsim(int(values[0]), int(values[1]), args.seed)))
            return
        from sim.errors import UserError

        numbers = [int(v) for v in values[:-1]]
        try:
            result = measure_size(*numbers, values[-1], args.seed) if kind == "size" else measure_reference(*numbers, values[-1], args.seed)
        except UserError as error:
            sys.exit(str(error))  # one sentence, no traceback
        print(json.dumps(result))
        return

    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    peer = _peer(args.peer_python) if args.peer else None  # exits before measuring anything if starsim is not there
    rows: list[dict] = []
    reference = None
    machine = _machine()
    print(f"{machine['date']}, {machine['cpu']}, {machine['cores']} cores, load average {_load()} before", flush=True)
    if peer:
        other = "" if peer["version"] == PEER_VERSION else f" (not {PEER_VERSION}, the version the speed issue quotes)"
        print(f"peer: starsim {peer['version']}{other}, Python {peer['python_version']} at {peer['python']}: SIS on a random network of "
              f"{PEER_CONTACTS} contacts per agent, as many agents and steps, in fresh processes alternating with ours", flush=True)
    try:
        print(f"{'residents':>10} {'steps':>6} {'build s':>9} {'burn-in s':>14} {'run s':>9} {'median step s':>14} {'peak MB':>9} {'us/resident-step':>17}", flush=True)
        for size in args.sizes:
            ours, theirs = [], []
            for _ in range(args.repeat):  # paired: ours then the peer's, so a busy period slows both
                ours.append(_in_child("size", str(size), str(args.steps), str(args.burn_in), args.policy))
                if peer:
                    theirs.append(_in_child("starsim", str(size), str(args.steps), python=peer["python"]))
            row = _median_run(ours)
            rows.append(row)
            burn = f"{row['burn_in_s']:.3f} ({row['burn_in_months']})"
            print(f"{row['residents']:>10} {row['steps']:>6} {row['build_s']:>9.3f} {burn:>14} {row['run_s']:>9.3f} {row['median_step_s']:>14.4f} {row['peak_memory_mb']:>9.0f} {row['us_per_resident_step']:>17.3f}{_spread(ours)}", flush=True)
            if peer:
                pairs = [mine["us_per_resident_step"] / other["us_per_agent_step"] for mine, other in zip(ours, theirs, strict=True)]
                row["peer"] = dict(_median_run(theirs), pair_ratios=[round(r, 2) for r in pairs], ratio=round(statistics.median(pairs), 2))
                them = row["peer"]
                print(f"{'starsim':>10} {them['steps']:>6} {them['build_s']:>9.3f} {'-':>14} {them['run_s']:>9.3f} {them['median_step_s']:>14.4f} {them['peak_memory_mb']:>9.0f} {them['us_per_agent_step']:>17.3f}{_spread(theirs)}", flush=True)
                paired = f" (median of {len(pairs)} pairs: {', '.join(f'{r:.2f}' for r in pairs)})" if len(pairs) > 1 else ""
                print(f"{'':>10} ours per household-month / starsim's per agent-step: {row['peer']['ratio']:.2f}x{paired}", flush=True)
        if args.reference_size:
            reference = _in_child("reference", str(args.reference_size), "12", args.policy)
            print(
                f"\ncore rules at {reference['residents']} households, one month after 12: vectorised {reference['vectorised_s'] * 1000:.1f} ms, "
                f"per-agent reference {reference['per_agent_s']:.2f} s: {reference['speed_ratio']:.0f}x faster"
            )
    except ChildFailed as failure:
        _write_json(args.json, machine, rows, reference, peer)  # what was measured before the failure is kept
        sys.exit(f"benchmark stopped: {failure}")
    print(f"load average {_load()} after", flush=True)
    _write_json(args.json, machine, rows, reference, peer)


def _median_run(runs: list[dict]) -> dict:
    """The run of median length (the lower middle one of an even number), with every run's length."""
    ordered = sorted(runs, key=lambda r: r["run_s"])
    return dict(ordered[(len(ordered) - 1) // 2], runs_s=[r["run_s"] for r in ordered])


def _spread(runs: list[dict]) -> str:
    lengths = sorted(r["run_s"] for r in runs)
    return f"   (runs {lengths[0]:.3f} to {lengths[-1]:.3f} s over {len(runs)})" if len(runs) > 1 else ""


def _peer(python: str) -> dict:
    """Starsim's version in the interpreter ``python``, or one line and exit status 2 if it has none."""
    if os.sep in python:
        python = str(Path(python).expanduser().absolute())  # not resolve(): a virtual environment's python is a symlink
    probe = "import platform, starsim; print(starsim.__version__, platform.python_version())"
    try:
        output = subprocess.run([python, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    except OSError as error:  # no such file, or not a program
        print(f"--peer-python {python}: cannot run it ({error.strerror})", file=sys.stderr)
        sys.exit(2)
    words = output.stdout.split()
    version, python_version = words[-2:] if output.returncode == 0 and len(words) >= 2 else ("", "")
    if not version:
        print(f"--peer starsim: starsim is not installed for {python} (pip install starsim=={PEER_VERSION}, e.g. in its own virtual environment, "
              "then --peer-python that environment's bin/python)", file=sys.stderr)
        sys.exit(2)
    return {"name": "starsim", "version": version, "python": python, "python_version": python_version,
            "model": f"ss.SIS on ss.RandomNet(n_contacts={PEER_CONTACTS}), no demographics"}


def _load() -> str:
    """The 1-, 5- and 15-minute load averages (other work on a shared machine slows every measurement)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _machine() -> dict:
    from datetime import UTC, datetime

    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpu": _cpu(), "cores": os.cpu_count(), "load_average_before": _load()}


def _cpu() -> str:
    """The processor's model name (Linux's /proc/cpuinfo; platform.processor() is often empty there)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _write_json(path: Path | None, machine: dict, rows: list[dict], reference: dict | None, peer: dict | None = None) -> None:
    if path is None or not (rows or reference):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"python": platform.python_version(), "machine": platform.machine(), "processor": platform.processor(), **machine,
               "load_average_after": _load(), "sizes": rows, "reference": reference, "peer": peer}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
