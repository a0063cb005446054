"""How close a simulation must come to the targets in ABC-SMC: the distance in tolerances and the epsilon schedule.

**Distance.** The root mean square of the targets' misses, each divided by
its tolerance: the same distance as the rejection rounds
(``sim.calibration.targets.distance``), so an epsilon of 1 means "off by
about one tolerance on each target" and figures stay comparable with the
earlier calibrations' reports. It is fixed, not pyabc's
``AdaptivePNormDistance``, for three reasons:

- the tolerances already put the targets on one scale, and they say how big
  a miss matters to the question (a point of TP06 against four points of
  employment), which the adaptive distance would replace by how much the
  simulations happen to vary (the median absolute deviation of the last
  generation);
- an adaptive distance changes what is being approximated from generation
  to generation, so an epsilon cannot be read across generations or runs;
- it refits its scales on every simulation of the last generation, rejected
  ones included, which pyabc does not store: a run resumed from its database
  would refit them on the accepted ones only and continue differently from
  an uninterrupted run.

A simulation whose figures are not finite (a failed run reported as NaN)
is at an infinite distance, so it is never accepted.

**Epsilon.** pyabc's ``MedianEpsilon``: each generation's threshold is the
weighted median of the last generation's distances (pyabc's default). The
first generation is the prior itself (every finite-distance draw accepted),
which costs one population of simulations but, unlike pyabc's default
("from_sample"), keeps them as the first generation instead of discarding them.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import pyabc

PRIOR_EPSILON = sys.float_info.max
"""The first generation's threshold: every draw whose figures are finite is accepted.

Not ``inf``: a failed simulation (distance ``inf``) would pass ``inf <= inf``,
and pyabc's stopping check computes ``inf - inf`` against the stored
pre-population (epsilon ``inf``) and warns.
"""


class ToleranceDistance(pyabc.Distance):
    """Root mean square of ``(simulated - target) / tolerance`` over the targets; ``inf`` when not finite."""

    def __init__(self, tolerances: dict[str, float]):
        super().__init__()
        self.tolerances = dict(tolerances)

    def __call__(self, x: dict, x_0: dict, t: int | None = None, par: dict | None = None) -> float:
        total = 0.0
        for name, tolerance in self.tolerances.items():
            if name not in x:
                raise KeyError(f"the simulator returned no {name!r} (it returned {sorted(x)}; the targets need {sorted(self.tolerances)})")
            total += ((float(x[name]) - float(x_0[name])) / tolerance) ** 2
        value = math.sqrt(total / len(self.tolerances))
        return value if math.isfinite(value) else math.inf

    def get_config(self) -> dict[str, Any]:
        """Stored in pyabc's database with the run."""
        return {"name": "root mean square miss in tolerances", "tolerances": self.tolerances}


def epsilon_for(first_generation: int) -> pyabc.MedianEpsilon:
    """The epsilon schedule for an ABCSMC object that starts at ``first_generation``.

    pyabc only computes a fresh threshold when a run is *loaded* if the
    schedule asks for a calibration sample ("from_sample"); with a numeric
    initial epsilon it silently starts the loaded run at that initial value
    again. So a run started afresh gets the prior threshold, and a continued
    one computes the median of the last stored generation.
    """
    return pyabc.MedianEpsilon(initial_epsilon=PRIOR_EPSILON if first_generation == 0 else "from_sample")
