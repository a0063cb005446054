"""Does the landlord's prior belief about needs decide the TP04/TP11 conflict? docs/VALIDATION.md, section 8c.

    python experiments/prior_belief_split.py [--draws 10] [--seeds 4]

The calibration misses TP04 (home well maintained) and TP11 (positive
contribution to the neighbourhood) in opposite directions, and across the
posterior their misses correlate 0.93: no fitted parameter moves them
apart. Each item reads a share of need met (repairs for TP04, the estate's
community need for TP11, sim/mechanisms/survey.py), and how the service
budget is split between those domains follows the landlord's belief about
needs: ``belief_accuracy`` of the way from ``landlord.prior_belief`` (what
professionals assume before any evidence, an assumption: 0.55 repairs,
0.10 employment, 0.10 health, 0.25 community) to residents' real needs
(about 0.44, 0.21, 0.21, 0.14 at the default arrivals). The prior is not
fitted.

This moves the prior's mass between repairs and community only (employment
and health keep 0.10 each), at the ``--draws`` heaviest parameter sets of
the committed posterior (experiments/data/england_baseline_posterior), each
on seeds 1 to ``--seeds`` of the calibration's own simulation (1,000
households, a year after the status quo's month 0), and prints the mean miss
of every fitted figure, in points, and the calibration's distance (root mean
square of miss / tolerance). It changes nothing in the model or the
committed calibration: a parameter that moves the fit this much belongs in
the calibration, with a prior of its own, before any conclusion is drawn.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.calibration import posterior as posteriors  # noqa: E402

POSTERIOR = ROOT / "experiments" / "data" / "england_baseline_posterior"
SCENARIO = ROOT / "scenarios" / "england_baseline.toml"
COMMUNITY_SHARES = (0.35, 0.25, 0.20, 0.15, 0.05)
"""The prior's community share; repairs takes 0.80 minus it. 0.25 is today's default."""


def figures(args: tuple[dict[str, float], float, int, tuple[str, ...], int]) -> np.ndarray:
    from sim.model import HousingModel

    values, community, seed, columns, months = args
    prior = (0.80 - community, 0.10, 0.10, community)
    model = HousingModel(str(SCENARIO), rng=seed, steps=months, collect=columns, **values, **{"landlord.prior_belief": prior})
    return model.run().iloc[-1][list(columns)].to_numpy(dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=10, help="the posterior's heaviest parameter sets (default 10)")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    found = posteriors.read(POSTERIOR)
    months = int(found.key["steps"])
    heaviest = np.argsort(-found.weights, kind="stable")[: args.draws]
    sets = [dict(zip(found.names, found.draws[i].tolist(), strict=True)) for i in heaviest]
    columns = tuple(name for name, _, _ in found.targets)
    jobs = [(values, community, seed, columns, months) for community in COMMUNITY_SHARES for values in sets for seed in range(1, args.seeds + 1)]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = np.array(list(pool.map(figures, jobs, chunksize=args.seeds)))
    rows = rows.reshape(len(COMMUNITY_SHARES), len(sets) * args.seeds, len(columns))
    national = np.array([value for _, value, _ in found.targets])
    tolerance = np.array([tol for _, _, tol in found.targets])

    print(f"The posterior's {args.draws} heaviest sets x seeds 1-{args.seeds}, {months} months after month 0: mean miss in points (simulated - national)")
    print("prior repairs / community | " + " | ".join(columns) + " | distance")
    for community, block in zip(COMMUNITY_SHARES, rows, strict=True):
        miss = block.mean(axis=0) - national
        per_set = block.reshape(len(sets), args.seeds, len(columns)).mean(axis=1)
        distance = np.sqrt((((per_set - national) / tolerance) ** 2).mean(axis=1))
        label = f"{0.80 - community:.2f} / {community:.2f}" + (" (today)" if community == 0.25 else "")
        print(f"{label} | " + " | ".join(f"{100 * m:+.1f}" for m in miss) + f" | {distance.mean():.2f} (best set {distance.min():.2f})")


if __name__ == "__main__":
    main()
