"""Speed and memory benchmark: anyone can rerun it, before and after a change.

    python experiments/benchmark.py                          # 1,000, 10,000 and 100,000 households (about half a minute)
    python experiments/benchmark.py --sizes 1000000          # a million: about 4 to 5 minutes and 1.8 GB
    python experiments/benchmark.py --sizes 1000 10000 100000 1000000 --json results/bench.json
    python experiments/benchmark.py --sizes 10000 --repeat 7 --reference-size 0
    python experiments/benchmark.py --sizes 1000000 --steps 10 --burn-in 12   # a quick look, not the run's cost

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
from datetime import UTC, datetime
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


class ChildFailed(Exception):
    """A measurement's process stopped with an error (its message, or its traceback if a bug)."""


def _in_child(kind: str, *args: str) -> dict:
    """Run one measurement in a fresh Python process, so peak memory is its own."""
    output = subprocess.run([sys.executable, __file__, "--child", kind, *args], capture_output=True, text=True, cwd=ROOT)
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
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        from sim.errors import UserError

        kind, *values = args.child
        numbers = [int(v) for v in values[:-1]]
        try:
            result = measure_size(*numbers, values[-1], args.seed) if kind == "size" else measure_reference(*numbers, values[-1], args.seed)
        except UserError as error:
            sys.exit(str(error))  # one sentence, no traceback
        print(json.dumps(result))
        return

    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    rows: list[dict] = []
    reference = None
    machine = _machine()
    print(f"{machine['date']}, {machine['cpu']}, {machine['cores']} cores, load average {_load()} before", flush=True)
    try:
        print(f"{'residents':>10} {'steps':>6} {'build s':>9} {'burn-in s':>14} {'run s':>9} {'median step s':>14} {'peak MB':>9} {'us/resident-step':>17}", flush=True)
        for size in args.sizes:
            runs = sorted((_in_child("size", str(size), str(args.steps), str(args.burn_in), args.policy) for _ in range(args.repeat)), key=lambda r: r["run_s"])
            row = dict(runs[(len(runs) - 1) // 2], runs_s=[r["run_s"] for r in runs])
            rows.append(row)
            spread = f"   (runs {runs[0]['run_s']:.3f} to {runs[-1]['run_s']:.3f} s over {len(runs)})" if len(runs) > 1 else ""
            burn = f"{row['burn_in_s']:.3f} ({row['burn_in_months']})"
            print(f"{row['residents']:>10} {row['steps']:>6} {row['build_s']:>9.3f} {burn:>14} {row['run_s']:>9.3f} {row['median_step_s']:>14.4f} {row['peak_memory_mb']:>9.0f} {row['us_per_resident_step']:>17.3f}{spread}", flush=True)
        if args.reference_size:
            reference = _in_child("reference", str(args.reference_size), "12", args.policy)
            print(
                f"\ncore rules at {reference['residents']} households, one month after 12: vectorised {reference['vectorised_s'] * 1000:.1f} ms, "
                f"per-agent reference {reference['per_agent_s']:.2f} s: {reference['speed_ratio']:.0f}x faster"
            )
    except ChildFailed as failure:
        _write_json(args.json, machine, rows, reference)  # what was measured before the failure is kept
        sys.exit(f"benchmark stopped: {failure}")
    print(f"load average {_load()} after", flush=True)
    _write_json(args.json, machine, rows, reference)


def _load() -> str:
    """The 1-, 5- and 15-minute load averages (other work on a shared machine slows every measurement)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _machine() -> dict:
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


def _write_json(path: Path | None, machine: dict, rows: list[dict], reference: dict | None) -> None:
    if path is None or not (rows or reference):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"python": platform.python_version(), "machine": platform.machine(), "processor": platform.processor(), **machine,
               "load_average_after": _load(), "sizes": rows, "reference": reference}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
