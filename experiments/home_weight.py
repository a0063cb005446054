"""Does weighing the home in how tenants judge the landlord let the model meet TP04, TP06, TP11 and TP01 together? docs/VALIDATION.md, section 8c.

    python experiments/home_weight.py [--draws 10] [--seeds 4]
    python experiments/home_weight.py --prior 1000     # the prior-predictive study below

The calibration misses TP06 (listens and acts) and TP01 satisfied low while
TP07 and TP08 are met, and it misses TP04 (home well maintained) low and TP11
(contribution to the neighbourhood) high. The landlord's prior belief about
needs moves TP04 and TP11 apart (experiments/prior_belief_split.py) but not
TP06 and TP01: in the model tenants judge the landlord (trust, which TP01
reads, and "listens and acts" for those without a say, which TP06 reads) on
their need met in every domain, and at the calibrated scenario need met in
employment and health (about 0.35 and 0.32) is well below repairs (0.5).
The third candidate cause in VALIDATION 8c is that tenants judge the
landlord more on the home than that: ``trust.home_weight`` (off at 0,
sim/mechanisms/trust.py) makes the need met they judge on
``(1 - home_weight) * need met + home_weight * repairs need met``.

The default: ``home_weight`` swept over ``WEIGHTS`` at the ``--draws``
heaviest parameter sets of the committed posterior, each on seeds 1 to
``--seeds`` of the calibration's own simulation (1,000 households, a year
after the status quo's month 0), at today's prior belief and at the split
that met TP04 and TP11 best in the prior belief study (0.60 repairs, 0.20
community); prints the mean miss of every fitted figure, in points, and the
calibration's distance.

``--prior N``: N parameter sets drawn by Latin hypercube from the
calibration's fifteen uniform priors, each run on the same simulator seed in
four arms: today; the prior belief's community share drawn from 0.05-0.35
(repairs 0.80 minus it); ``home_weight`` drawn from 0-1; both drawn. With
the calibration's own simulator and distance. It changes nothing in the
model or the committed calibration.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "experiments"))

import prior_belief_split as split  # noqa: E402

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
"""``trust.home_weight`` values swept; 0 is today's rule."""
SPLITS = (0.25, 0.20)
"""The prior belief's community share (repairs 0.80 minus it): today's, and the one that met TP04 and TP11 best in prior_belief_split.py."""
SEED = 20261203


def sweep(draws: int, seeds: int, workers: int, posterior: Path) -> None:
    cells = [(f"{0.80 - community:.2f} / {community:.2f} | {weight:.2f}", {"trust.home_weight": weight, "landlord.prior_belief": split._prior(community)})
             for community in SPLITS for weight in WEIGHTS]
    split.posterior_sweep(posterior, draws, seeds, workers, "prior repairs / community | home weight", cells)


def prior_study(n: int, workers: int) -> None:
    split._setup()
    sets, unit = split._problem.latin_sets(n, SEED, extra=2)
    shares = split.FREE[0] + unit[:, 0] * (split.FREE[1] - split.FREE[0])
    weights = unit[:, 1]
    today = {"landlord.prior_belief": split._prior(split.TODAY), "trust.home_weight": 0.0}
    arms = {
        "today": [today] * n,
        "split drawn": [{**today, "landlord.prior_belief": split._prior(c)} for c in shares.tolist()],
        "home weight drawn": [{**today, "trust.home_weight": w} for w in weights.tolist()],
        "both drawn": [{"landlord.prior_belief": split._prior(c), "trust.home_weight": w} for c, w in zip(shares.tolist(), weights.tolist(), strict=True)],
    }
    print(f"{n} sets from the calibration's priors, each in four arms on the same simulator seed "
          f"(community share drawn from {split.FREE}, home weight from 0-1)")
    split.compare_arms(sets, arms, workers, lambda extra: f"community share {extra['landlord.prior_belief'][3]:.2f}, home weight {extra['trust.home_weight']:.2f}")


def main() -> None:
    args = split.study_arguments(__doc__.split("\n\n")[0])
    if args.prior:
        prior_study(args.prior, args.workers)
    else:
        sweep(args.draws, args.seeds, args.workers, args.posterior)


if __name__ == "__main__":
    main()
