"""Speed benchmark: build time and time per month at several community sizes.

    python experiments/benchmark.py                      # 1,000 and 10,000 households, 120 months
    python experiments/benchmark.py --sizes 1000 10000 100000 --steps 24 --json results/bench.json

Reports, per size: time to build the model, the whole run (with data
collection), the median month, and the cost per household-month. Runs on
one core (the model is single-threaded). Timings, not tests: rerun it before
and after a change that could affect speed.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import HousingModel


def measure(residents: int, steps: int, policy: str, seed: int) -> dict:
    """Time one run of ``steps`` months at ``residents`` households."""
    clock = time.perf_counter()
    model = HousingModel(rng=seed, residents=residents, policy=policy)
    build = time.perf_counter() - clock
    months = []
    for _ in range(steps):
        start = time.perf_counter()
        model.step()
        months.append(time.perf_counter() - start)
    total = sum(months)
    median = statistics.median(months)
    return {
        "residents": residents,
        "steps": steps,
        "policy": policy,
        "build_s": round(build, 4),
        "run_s": round(total, 4),
        "median_step_ms": round(median * 1000, 3),
        "us_per_resident_step": round(total / steps / residents * 1e6, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--policy", default="co_production")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    rows = [measure(n, args.steps, args.policy, args.seed) for n in args.sizes]
    print(f"{'residents':>10} {'build s':>9} {'run s':>8} {'median step ms':>15} {'us/resident-step':>17}")
    for row in rows:
        print(f"{row['residents']:>10} {row['build_s']:>9.3f} {row['run_s']:>8.3f} {row['median_step_ms']:>15.3f} {row['us_per_resident_step']:>17.3f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"python": platform.python_version(), "machine": platform.machine(), "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
