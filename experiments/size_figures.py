"""Does a landlord's size change what its tenants say? The figures in docs/VALIDATION.md, section "Size".

    python experiments/size_figures.py [--sizes 1000 5000 20000] [--seeds 6] [--set trust.home_weight=0]

For the calibrated scenario (English landlords today: its own practice as
the status quo) and for the same landlord switching to co-production at
month 0, runs each size over the same seeds and prints, per Tenant
Satisfaction Measures share after a year (the calibration's horizon) and
after five years, the mean over seeds and the spread between seeds (their
standard deviation), in percentage points. Every lever is a share of
households, so at equal settings the sizes should differ by less than the
spread between seeds (docs/ODD.md, pattern 9). ``--set KEY=VALUE`` (repeatable)
changes a parameter of the calibrated scenario in both arms, as ``run.py run
--set`` does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import HousingModel
from sim.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "england_baseline.toml"
COLUMNS = ("tsm_satisfied", "tsm_dissatisfied", "tsm_listens", "tsm_informed", "tsm_respect", "tsm_complaints", "tsm_maintained", "employment_rate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--months", type=int, nargs="+", default=[12, 60])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a parameter of the calibrated scenario, e.g. trust.home_weight=0")
    args = parser.parse_args()
    changed = {}
    for item in args.set:
        key, _, value = item.partition("=")
        try:
            changed[key.strip()] = float(value)
        except ValueError:
            parser.error(f"--set {item}: not KEY=number")
    try:
        today = HousingModel(SCENARIO, rng=1, residents=100, status_quo__months=0, **changed).config
    except UserError as error:
        parser.exit(2, f"error: {error}\n")  # one line, no traceback
    # Today's practice stays the status quo (spelt out: "own" would follow the switched policy).
    from_today = {"status_quo__policy": today.status_quo, **{f"status_quo__{k}": v for k, v in today.status_quo_levers.items()}}
    arms = {"today": changed, "co-production from today": {"policy": "co_production", **from_today, **changed}}
    for arm, overrides in arms.items():
        for size in args.sizes:
            started = time.perf_counter()
            frames = [HousingModel(SCENARIO, rng=seed, residents=size, **overrides).run(max(args.months)) for seed in range(1, args.seeds + 1)]
            for month in args.months:
                rows = pd.DataFrame([f.iloc[month - 1][list(COLUMNS)] for f in frames]) * 100
                cells = "  ".join(f"{c.removeprefix('tsm_')} {rows[c].mean():5.1f} ({rows[c].std():.1f})" for c in COLUMNS)
                print(f"{arm:26} {size:>6} households, month {month:>3}: {cells}")
            print(f"{'':26} ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
