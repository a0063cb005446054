"""Parallel-efficiency benchmark: the same batch on 1 worker and on more, timed end to end.

    python experiments/parallel_benchmark.py                        # 32 runs (headline scenarios x 8 seeds), 1 and 2 workers
    python experiments/parallel_benchmark.py --runs 16 64 --workers 1 2 --repeats 5
    python experiments/parallel_benchmark.py --executor dask --workers 1 2

Each measurement is a whole batch as ``run.py batch`` does it (planning, the
worker pool's start, every run, storing each run, merging the tables), into
a fresh temporary folder; the report is left out. With one worker the runs
execute in this process (the baseline); with more, in a pool of that many
processes, whose start (about a second: each worker imports the model) is
counted. Parallel efficiency is ``T(1) / (workers x T(workers))``: 100% when
two workers halve the time. Timings, not tests: other work on the machine
slows them, so the settings are measured in turn (1 worker, 2 workers, 1, 2,
...) and the best of the repeats is kept, as ``timeit`` does; the load
average before and after is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.batch import experiment, plan, sampling
from sim.batch.commands import HEADLINE
from sim.batch.executors import available_cpus, make_executor
from sim.batch.runner import run_batch


def measure(runs: int, workers: int, executor: str, residents: int, steps: int) -> float:
    """Wall-clock seconds for one batch of ``runs`` runs (headline scenarios x runs/4 seeds)."""
    spec = experiment.comparison(list(HEADLINE), runs // len(HEADLINE), steps, {"community.residents": residents})
    the_plan = plan.make_plan(spec, sampling.points(spec))
    with tempfile.TemporaryDirectory() as folder:
        clock = time.perf_counter()
        outcome = run_batch(the_plan, Path(folder) / "out", make_executor(executor, workers, None), quiet=True)
        seconds = time.perf_counter() - clock
    if not outcome.complete or outcome.stored != runs:
        raise RuntimeError(f"the batch did not complete: {outcome}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, nargs="+", default=[32], help="batch sizes (multiples of 4; default 32)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts; the first is the baseline (default: 1 2)")
    parser.add_argument("--executor", default="process", choices=["process", "dask"])
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=3, help="time each setting this many times, in turn, and keep the best (default 3)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    if any(r % len(HEADLINE) for r in args.runs):
        parser.error("--runs: each must be a multiple of 4 (the four headline scenarios x seeds)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{platform.node()}: {available_cpus()} CPUs, load average {load:.2f}; Python {platform.python_version()}; "
          f"{args.executor} executor; runs of {args.residents} households x {args.steps} months; best of {args.repeats}")
    rows = []
    print(f"{'runs':>5} {'workers':>8} {'best s':>8} {'median s':>9} {'runs/s':>8} {'speed-up':>9} {'efficiency':>11}")
    for runs in args.runs:
        times: dict[int, list[float]] = {w: [] for w in args.workers}
        for _ in range(args.repeats):
            for workers in args.workers:
                times[workers].append(measure(runs, workers, args.executor, args.residents, args.steps))
        first = args.workers[0]
        base = min(times[first]) * first
        for workers in args.workers:
            best = min(times[workers])
            speedup = base / best
            efficiency = speedup / workers
            rows.append({"runs": runs, "workers": workers, "seconds": [round(t, 3) for t in times[workers]], "best": round(best, 3), "speedup": round(speedup, 3), "efficiency": round(efficiency, 3)})
            print(f"{runs:>5} {workers:>8} {best:>8.2f} {statistics.median(times[workers]):>9.2f} {runs / best:>8.2f} {speedup:>9.2f} {efficiency:>10.0%}", flush=True)
    after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average after: {after:.2f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"python": platform.python_version(), "cpus": available_cpus(), "load_before": load, "load_after": after, "executor": args.executor, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
