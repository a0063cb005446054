"""Which regression adjustment suits the calibration: each method's cross-validated error on the last generation. docs/VALIDATION.md, section 4.

    python experiments/adjustment_choice.py results/calibration-FOLDER              # the folder python run.py calibrate --out wrote
    python experiments/adjustment_choice.py results/calibration-FOLDER --held-out 20 --calibration experiments/calibration.toml

The posterior is the last ABC-SMC generation, regression-adjusted
(``calibration.adjust``, sim/calibration/adjustment.py). The method is chosen
the way the R package abc's ``cv4abc`` chooses it (Csillery et al. 2012),
without running a simulation and without looking at the posterior predictive
check: each of the ``--held-out`` heaviest accepted sets plays the national
figures in turn, its own simulation standing for them; each method estimates
its parameters from the other accepted sets, and the squared errors are
summed per parameter, relative to the accepted sets' variance (below 1: the
method estimates better than the accepted sets' mean). Prints the table and
each method's mean over the parameters. Reads the folder's ``smc/smc.db``;
changes nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from sim.calibration import adjustment, pipeline, smc  # noqa: E402
from sim.calibration import spec as calibration_spec  # noqa: E402
from sim.errors import UserError  # noqa: E402


def at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} (accepted: a whole number of at least 1)")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a calibration's results folder (what python run.py calibrate --out wrote)")
    parser.add_argument("--calibration", default=str(ROOT / "experiments" / "calibration.toml"), help="the calibration file it ran")
    parser.add_argument("--held-out", type=at_least_one, default=40, help="accepted sets that play the figures in turn (the heaviest)")
    args = parser.parse_args()
    try:
        cal = calibration_spec.load(Path(args.calibration))
        problem = pipeline.problem(cal)
        db, last = smc.finished(problem, Path(args.folder) / "smc", population_size=cal.population, seed=cal.seed, kernel_scale=cal.kernel_scale)
    except UserError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    draws, weights, misses = smc.accepted_sets(problem, db, last)
    bounds = tuple(problem.priors[name] for name in problem.priors)
    started = time.perf_counter()
    errors = adjustment.cross_validation(draws, weights, misses, bounds, held_out=args.held_out)
    print(f"generation {last}: {len(draws)} accepted sets, the {min(args.held_out, len(draws))} heaviest left out in turn "
          f"({time.perf_counter() - started:.0f} s)\n")
    print(f"{'parameter':<30}" + "".join(f"{method:>9}" for method in errors))
    for i, name in enumerate(problem.priors):
        print(f"{name:<30}" + "".join(f"{errors[method][i]:>9.3f}" for method in errors))
    print(f"{'mean over the parameters':<30}" + "".join(f"{np.mean(errors[method]):>9.3f}" for method in errors))


if __name__ == "__main__":
    main()
