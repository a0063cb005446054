"""The calibration's simulator: the fitted scenario at given parameter values, as ABC-SMC calls it.

One simulation is the mean, over ``seeds`` runs of the scenario (each its
own community, each a landlord like the one being fitted), of the final
month's figures: the national figures are medians across landlords, so a
simulation is an estimate of the typical landlord's figures at those
parameter values, and its noise (the spread between landlords with the same
parameters over ``seeds``) is part of what ABC accounts for.

The runs' seeds are drawn from numpy's global random state, which the
sampler seeds for every candidate (``sim.calibration.smc_sampler``), from
``[FIRST_SEED, 2**31)``: never one of the small seeds (1, 2, ...) the
posterior predictive check and the tests use as fresh seeds.

A :class:`FigureSimulator` is a plain picklable object, so worker processes
started by fork, spawn or forkserver can all call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.model import HousingModel

FIRST_SEED = 1_000_000
"""Seeds of the fitting runs are at least this (fresh seeds for checks are below it)."""


@dataclass(frozen=True)
class FigureSimulator:
    """Mean final-month figures over ``seeds`` runs of ``scenario`` with ``constants`` and the parameter values set."""

    scenario: Any  # sim.scenario.Scenario
    steps: int
    constants: dict[str, Any]
    whole: tuple[str, ...]  # parameters that take whole numbers
    columns: tuple[str, ...]  # figures returned (targets, then validation figures)
    seeds: int

    def __call__(self, parameters: dict[str, float]) -> dict[str, float]:
        values = {name: (round(v) if name in self.whole else v) for name, v in parameters.items()}
        seeds = np.random.randint(FIRST_SEED, 2**31, size=self.seeds)
        rows = [final_figures(self.scenario, int(seed), self.steps, {**self.constants, **values}, self.columns) for seed in seeds]
        return dict(zip(self.columns, np.mean(rows, axis=0).tolist(), strict=True))


def final_figures(scenario: Any, seed: int, steps: int, overrides: dict[str, Any], columns: tuple[str, ...]) -> np.ndarray:
    """One run's final-month values of ``columns`` (NaN where a figure is missing, as a reported one is before a survey year ends)."""
    model = HousingModel(scenario, rng=seed, steps=steps, collect=columns, **overrides)
    return model.run().iloc[-1][list(columns)].to_numpy(dtype=float)
