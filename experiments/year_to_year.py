"""Years are not alike: how much a landlord's figures move from one survey year to the next. docs/VALIDATION.md, section 8a.

    python experiments/year_to_year.py [--seeds 20] [--years 4]

Runs the calibrated scenario (English landlords today, 1,000 households, no
change of policy) on seeds 1 to ``--seeds`` for ``--years`` survey years and
prints, for TP01 satisfied and TP06, the mean change from one year's end to
the next, in percentage points, of what the landlord *reports* (its sample
survey, with the sampling error of the regulator's sample size) and of the
share over all its tenants, and how often the reported share moved by more
than 3 points. Real landlords' figures move from year to year without any
change of policy; the model's should too, and more in what is reported than
in the whole tenancy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import HousingModel

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "england_baseline.toml"
ITEMS = {"TP01 satisfied": "satisfied", "TP06 listens and acts": "listens"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--years", type=int, default=4)
    args = parser.parse_args()
    if args.seeds < 1 or args.years < 2:
        parser.error("--seeds must be at least 1 and --years at least 2")
    moves: dict[str, list[float]] = {f"{kind}_{item}": [] for item in ITEMS.values() for kind in ("reported", "whole")}
    for seed in range(1, args.seeds + 1):
        frame = HousingModel(SCENARIO, rng=seed).run(12 * args.years)
        ends = frame.iloc[[12 * year - 1 for year in range(1, args.years + 1)]]  # each survey year's last month, when it is reported
        for item in ITEMS.values():
            moves[f"reported_{item}"] += list(np.abs(np.diff(ends[f"tsm_reported_{item}"].to_numpy())) * 100)
            moves[f"whole_{item}"] += list(np.abs(np.diff(ends[f"tsm_{item}"].to_numpy())) * 100)
    print(f"{SCENARIO.name}, {args.seeds} seeds x {args.years} survey years: mean change from one year to the next (percentage points)")
    for name, item in ITEMS.items():
        reported, whole = np.array(moves[f"reported_{item}"]), np.array(moves[f"whole_{item}"])
        print(f"  {name}: reported {reported.mean():.1f} (more than 3 points in {np.mean(reported > 3):.0%} of years), "
              f"over all tenants {whole.mean():.1f}")


if __name__ == "__main__":
    main()
