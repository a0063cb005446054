"""Does simulating a landlord at a tenth of its size change its figures? The evidence for the landlord population's scale.

It does (docs/VALIDATION.md section 7), so the shipped population runs every landlord at its real size.

    python experiments/scale_check.py [--scale 10] [--every 18] [--seeds 4] [--workers 2]

A landlord population (experiments/landlords.toml, written by `python
run.py calibrate`) can run each of the 355 English landlords at its real number
of homes divided by ``scale``, with its survey sample that of its real size
(``survey.homes_per_household``). This script takes every ``every``-th real
landlord by size (smallest to largest), runs the calibrated scenario at its
full size and at the reduced size over the same seeds, and prints per
Tenant Satisfaction Measure, in percentage points:

- the mean over landlords and seeds of the whole tenancy's share (``tsm_*``)
  at each scale, and the mean paired difference with its standard error:
  scaling must not move the shares;
- the standard deviation, over landlords and seeds, of what landlords report
  (``tsm_reported_*``, their sample surveys) at each scale: scaling must not
  change the spread the landlord population is fitted to.

The defaults (20 landlords from 865 to 40,833 homes, 4 seeds, both scales)
took 42 s on 2 cores on 2026-12-01. Results go to results/scale_check.csv.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "england_baseline.toml"
SIZES = ROOT / "experiments" / "data" / "landlord_sizes_2023_24.csv"
ITEMS = ("satisfied", "listens", "informed", "respect", "complaints", "repairs", "maintained", "neighbourhood")
STEPS = 12  # the calibration's horizon: a survey year from month 0


def one_run(task: tuple[int, float, int]) -> dict[str, float]:
    """Final-month figures of one landlord of ``homes`` homes simulated at ``scale`` homes per household."""
    from sim import HousingModel

    homes, scale, seed = task
    model = HousingModel(SCENARIO, rng=seed, steps=STEPS, residents=max(20, round(homes / scale)), survey__homes_per_household=scale)
    last = model.run().iloc[-1]
    return {"homes": homes, "scale": scale, "seed": seed,
            **{f"tsm_{i}": float(last[f"tsm_{i}"]) for i in ITEMS}, **{f"tsm_reported_{i}": float(last[f"tsm_reported_{i}"]) for i in ITEMS}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--every", type=int, default=18, help="take every N-th landlord by size (default 18: 20 landlords)")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sizes = sorted(int(r["homes_low_cost_rental"]) for r in csv.DictReader(SIZES.open()))
    chosen = sizes[::args.every]
    tasks = [(homes, scale, seed) for homes in chosen for seed in range(1, args.seeds + 1) for scale in (1.0, args.scale)]
    tasks.sort(key=lambda t: -t[0] / t[1])  # largest runs first, so the pool ends together
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        rows = pd.DataFrame(list(pool.map(one_run, tasks)))
    out = ROOT / "results" / "scale_check.csv"
    out.parent.mkdir(exist_ok=True)
    rows.to_csv(out, index=False)
    full = rows[rows["scale"] == 1.0].set_index(["homes", "seed"]).sort_index()
    scaled = rows[rows["scale"] == args.scale].set_index(["homes", "seed"]).sort_index()
    print(f"{len(chosen)} landlords ({chosen[0]:,} to {chosen[-1]:,} homes) x {args.seeds} seeds, full size against 1/{args.scale:g}; "
          f"{time.perf_counter() - started:.0f} s")
    print("| item | share, full size | share, scaled | scaled minus full (s.e.) | reported s.d., full | reported s.d., scaled |")
    print("|---|---:|---:|---:|---:|---:|")
    for item in ITEMS:
        share, reported = f"tsm_{item}", f"tsm_reported_{item}"
        difference = 100 * (scaled[share] - full[share])
        print(f"| {item} | {100 * full[share].mean():.1f} | {100 * scaled[share].mean():.1f} | {difference.mean():+.2f} ({difference.std() / np.sqrt(len(difference)):.2f}) "
              f"| {100 * full[reported].std():.1f} | {100 * scaled[reported].std():.1f} |")
    print(f"rows: {out}")


if __name__ == "__main__":
    main()
