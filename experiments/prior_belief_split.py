"""Does the landlord's prior belief about needs decide the TP04/TP11 conflict? docs/VALIDATION.md, section 8c.

    python experiments/prior_belief_split.py [--draws 10] [--seeds 4]
    python experiments/prior_belief_split.py --prior 1000     # the prior-predictive study below

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

``--prior N``: the question a calibration with the split free would answer
first, as docs/notes/repairs_ring_fence.md asked it of the ring-fence. N
parameter sets drawn by Latin hypercube from the calibration's fifteen
uniform priors (experiments/calibration.toml) and the prior's community
share from ``FREE`` (repairs 0.80 minus it), each run twice on the same
simulator seed, once at today's 0.25 and once at its drawn share, with the
calibration's own simulator and distance. Prints, per arm, the distances,
how often TP04, TP11, TP06 and TP01 satisfied are met together within 4
points, and the best ``CHECK`` sets again on fresh seeds 1-8.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.calibration import posterior as posteriors  # noqa: E402
from sim.errors import UserError  # noqa: E402

POSTERIOR = ROOT / "experiments" / "data" / "england_baseline_posterior"
POSTERIOR_HELP = ("the posterior whose heaviest sets are swept (a path without .csv/.json; default: the committed one). "
                  "VALIDATION 8c's sweeps used the one committed before 2026-12-02: "
                  "git show 451d171:experiments/data/england_baseline_posterior.csv > /tmp/old_posterior.csv, the same for .json, "
                  "then --posterior /tmp/old_posterior")
SCENARIO = ROOT / "scenarios" / "england_baseline.toml"
COMMUNITY_SHARES = (0.35, 0.25, 0.20, 0.15, 0.05)
"""The prior's community share; repairs takes 0.80 minus it. 0.25 is today's default."""
FREE = (0.05, 0.35)
"""What ``--prior`` draws the community share from (uniform): the sweep's range."""
TODAY = 0.25
SEED = 20261202
CHECK = 10
CALIBRATION = ROOT / "experiments" / "calibration.toml"
STUDIED = {"trust.home_weight": 0.0, "landlord.prior_repairs_lean": 0.0}
"""Parameters these studies set themselves, at these values unless an arm draws them: both were added
for them (VALIDATION 8c) and are fitted since 2026-12-02, so the posterior's and the priors' values
of them are left out. At 0 the model is the one the studies were run on."""
TOGETHER = ("tsm_maintained", "tsm_neighbourhood", "tsm_listens", "tsm_satisfied")
"""TP04, TP11, TP06, TP01 satisfied: the figures one budget and one reading could not meet together (VALIDATION 8c)."""

_problem = None


def _setup() -> None:
    global _problem
    from sim.calibration import spec
    from sim.calibration.pipeline import problem

    fitted = problem(spec.load(CALIBRATION))
    _problem = dataclasses.replace(fitted, priors={name: bounds for name, bounds in fitted.priors.items() if name not in STUDIED})


def study_set(values: dict[str, float]) -> dict[str, float]:
    """A posterior's or the priors' parameter set with the studied parameters at the studies' own values (``STUDIED``)."""
    return {**{name: value for name, value in values.items() if name not in STUDIED}, **STUDIED}


def _prior(community: float) -> tuple[float, float, float, float]:
    return (0.80 - community, 0.10, 0.10, community)


def _simulate(job: tuple[int, dict[str, float], dict[str, object]]) -> dict[str, float]:
    """One calibration simulation; its seed is drawn from a global state seeded by the set's index, so every arm shares it."""
    index, parameters, extra = job
    np.random.seed(SEED + index)
    return _problem.simulator({**study_set(parameters), **extra})


def _check(job: tuple[dict[str, float], dict[str, object], int]) -> np.ndarray:
    from sim.calibration.simulator import final_figures

    parameters, extra, seed = job
    sim = _problem.simulator
    return final_figures(sim.scenario, seed, sim.steps, {**sim.constants, **study_set(parameters), **extra}, sim.columns)


def compare_arms(sets: list[dict[str, float]], arms: dict[str, list[dict[str, object]]], workers: int, describe) -> None:
    """Run every set in every arm (the arm adds its own values per set) on the same simulator seed; print how each arm meets the figures.

    ``describe(extra)`` names an arm's own values for its best set. Per arm:
    the distances, the correlation of TP04's and TP11's misses, how often
    TP04, TP11, TP06 and TP01 satisfied are met together within 4 points,
    and the best ``CHECK`` sets again on fresh seeds 1-8.
    """
    if _problem is None:
        _setup()
    targets = {column: value for column, (value, _) in _problem.targets.items()}
    distance = _problem.distance()
    with ProcessPoolExecutor(workers, initializer=_setup) as pool:
        found = {arm: list(pool.map(_simulate, [(i, sets[i], e) for i, e in enumerate(extras)], chunksize=8)) for arm, extras in arms.items()}
        best = {arm: np.argsort([distance(f, targets) for f in figures], kind="stable")[:CHECK] for arm, figures in found.items()}
        checks = {arm: np.array(list(pool.map(_check, [(sets[i], arms[arm][i], seed) for i in best[arm] for seed in range(1, 9)], chunksize=8)))
                  for arm in arms}
    columns = list(_problem.simulator.columns)
    for arm, figures in found.items():
        d = np.array([distance(f, targets) for f in figures])
        miss = {k: 100 * (np.array([f[k] for f in figures]) - targets[k]) for k in TOGETHER}
        near = np.abs(miss["tsm_maintained"]) <= 4
        near &= np.abs(miss["tsm_neighbourhood"]) <= 4
        with_tp06 = near & (np.abs(miss["tsm_listens"]) <= 4)
        with_tp01 = with_tp06 & (np.abs(miss["tsm_satisfied"]) <= 4)
        pair = np.abs(miss["tsm_listens"]) <= 4
        pair &= np.abs(miss["tsm_satisfied"]) <= 4
        print(f"\n{arm}: distance min {d.min():.2f}, 1st percentile {np.quantile(d, 0.01):.2f}, median {np.median(d):.2f}; "
              f"correlation of TP04's and TP11's misses {np.corrcoef(miss['tsm_maintained'], miss['tsm_neighbourhood'])[0, 1]:.2f}")
        print(f"  sets with TP04 and TP11 within 4 points: {near.sum()}; and TP06: {with_tp06.sum()}; and TP01 satisfied: {with_tp01.sum()} "
              f"(TP06 and TP01 satisfied within 4 points: {pair.sum()})")
        means = checks[arm].reshape(CHECK, 8, len(columns)).mean(axis=1)
        check = [distance(dict(zip(columns, row, strict=True)), targets) for row in means]
        top = int(np.argmin(check))
        misses = ", ".join(f"{k.replace('tsm_', '')} {100 * (means[top][columns.index(k)] - v):+.1f}" for k, v in targets.items())
        print(f"  best {CHECK} again on seeds 1-8: distance min {min(check):.2f}, median {np.median(check):.2f}; "
              f"the best ({describe(arms[arm][best[arm][top]])}): {misses}")


def prior_study(n: int, workers: int) -> None:
    _setup()
    sets, unit = _problem.latin_sets(n, SEED, extra=1)
    shares = FREE[0] + unit[:, 0] * (FREE[1] - FREE[0])
    arms = {"today (0.25)": [{"landlord.prior_belief": _prior(TODAY)}] * n,
            "drawn share": [{"landlord.prior_belief": _prior(c)} for c in shares.tolist()]}
    print(f"{n} sets from the calibration's priors, each at today's prior belief and at a community share drawn from {FREE}")
    compare_arms(sets, arms, workers, lambda extra: f"community share {extra['landlord.prior_belief'][3]:.2f}")


def figures(args: tuple[dict[str, float], dict[str, object], int, tuple[str, ...], int]) -> np.ndarray:
    """One run of the calibrated scenario at a posterior set with a sweep cell's own values, its final month's figures."""
    from sim.model import HousingModel

    values, extra, seed, columns, months = args
    model = HousingModel(str(SCENARIO), rng=seed, steps=months, collect=columns, **{**study_set(values), **extra})
    return model.run().iloc[-1][list(columns)].to_numpy(dtype=float)


def posterior_sweep(posterior: Path, draws: int, seeds: int, workers: int, heading: str, cells: list[tuple[str, dict[str, object]]]) -> None:
    """Each cell's values at the posterior's ``draws`` heaviest sets on seeds 1 to ``seeds``: one table row per cell (its label,
    the mean miss of every fitted figure in points, the calibration's distance)."""
    found = posteriors.read(posterior)
    months = int(found.key["steps"])
    heaviest = np.argsort(-found.weights, kind="stable")[:draws]
    sets = [dict(zip(found.names, found.draws[i].tolist(), strict=True)) for i in heaviest]
    columns = tuple(name for name, _, _ in found.targets)
    jobs = [(values, extra, seed, columns, months) for _, extra in cells for values in sets for seed in range(1, seeds + 1)]
    with ProcessPoolExecutor(workers) as pool:
        rows = np.array(list(pool.map(figures, jobs, chunksize=seeds)))
    rows = rows.reshape(len(cells), len(sets) * seeds, len(columns))
    national = np.array([value for _, value, _ in found.targets])
    tolerance = np.array([tol for _, _, tol in found.targets])

    print(f"The posterior's {draws} heaviest sets x seeds 1-{seeds}, {months} months after month 0: mean miss in points (simulated - national)")
    print(f"{heading} | " + " | ".join(columns) + " | distance")
    for (label, _), block in zip(cells, rows, strict=True):
        miss = block.mean(axis=0) - national
        per_set = block.reshape(len(sets), seeds, len(columns)).mean(axis=1)
        distance = np.sqrt((((per_set - national) / tolerance) ** 2).mean(axis=1))
        print(f"{label} | " + " | ".join(f"{100 * m:+.1f}" for m in miss) + f" | {distance.mean():.2f} (best set {distance.min():.2f})")


def study_arguments(description: str) -> argparse.Namespace:
    """The options both studies take (this one and experiments/home_weight.py); a posterior that cannot be read is one line, exit status 2."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--draws", type=int, default=10, help="the posterior's heaviest parameter sets (default 10)")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--prior", type=int, metavar="N", help="the prior-predictive study with N sets instead of the sweep")
    parser.add_argument("--posterior", type=Path, default=POSTERIOR, help=POSTERIOR_HELP)
    args = parser.parse_args()
    if not args.prior:
        try:
            posteriors.read(args.posterior)
        except UserError as error:
            parser.exit(2, f"error: {error}\n")
    return args


def main() -> None:
    args = study_arguments(__doc__.split("\n\n")[0])
    if args.prior:
        prior_study(args.prior, args.workers)
        return
    cells = [(f"{0.80 - c:.2f} / {c:.2f}" + (" (today)" if c == TODAY else ""), {"landlord.prior_belief": _prior(c)}) for c in COMMUNITY_SHARES]
    posterior_sweep(args.posterior, args.draws, args.seeds, args.workers, "prior repairs / community", cells)


if __name__ == "__main__":
    main()
