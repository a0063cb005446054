"""Mobility in isolation: the chance of finding work, and how settled a home is."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.mechanisms import mobility
from sim.parameters import as_namespace

P = as_namespace(mobility.PARAMETERS.defaults())
BASE = {"weak": 0.0, "strong": 0.0, "support": 0.0, "aspiration": 0.5, "stigma": 0.0, "stability": 1.0, "postcode_penalty": 0.0}


def chance(params=P, **changes) -> float:
    values = {**BASE, **changes}
    return float(mobility.job_finding_chance(p=params, **{k: np.asarray(v, dtype=float) for k, v in values.items()}))


# -- job_finding_chance -------------------------------------------------------


def test_base_chance_is_the_base_rate():
    # 0.012 * 1 * 1 * (0.5 + 0.5) * 1 * 1 * (0.5 + 0.5*1) = 0.012.
    assert chance() == pytest.approx(0.012)


def test_known_value_with_every_factor():
    # 0.012 * (1 + 0.5*1 + 0.1*2) * (1 + 1.0*0.5) * (0.5 + 0.8) * (1 - 0.6*0.5) * (1 - 0.1) * (0.5 + 0.5*0.6)
    # = 0.012 * 1.7 * 1.5 * 1.3 * 0.7 * 0.9 * 0.8 = 0.0200491...
    value = chance(weak=1.0, strong=2.0, support=0.5, aspiration=0.8, stigma=0.5, postcode_penalty=0.1, stability=0.6)
    assert value == pytest.approx(0.012 * 1.7 * 1.5 * 1.3 * 0.7 * 0.9 * 0.8)


def test_a_unit_of_weak_ties_helps_more_than_a_unit_of_strong_ties():
    # Weak: 0.012 * 1.5 = 0.018; strong: 0.012 * 1.1 = 0.0132.
    weak, strong = chance(weak=1.0), chance(strong=1.0)
    assert weak == pytest.approx(0.018)
    assert strong == pytest.approx(0.0132)
    assert weak > strong > chance()


@pytest.mark.parametrize("factor", ["weak", "strong", "support", "aspiration", "stability"])
def test_chance_rises_with_each_helping_factor(factor):
    values = [chance(**{factor: x}) for x in (0.0, 0.3, 0.6, 1.0)]
    assert np.all(np.diff(values) > 0)


@pytest.mark.parametrize("factor", ["stigma", "postcode_penalty"])
def test_stigma_and_postcode_penalty_lower_the_chance(factor):
    values = [chance(**{factor: x}) for x in (0.0, 0.3, 0.6, 1.0)]
    assert np.all(np.diff(values) < 0)


def test_full_postcode_penalty_means_no_chance():
    assert chance(weak=3.0, postcode_penalty=1.0) == 0.0


def test_chance_is_clipped_to_unit_interval():
    generous = as_namespace({**mobility.PARAMETERS.defaults(), "job_finding": 1.0, "weak_tie_weight": 10.0})
    assert chance(generous, weak=50.0, support=1.0, aspiration=1.0) == 1.0
    rng = np.random.default_rng(0)
    values = mobility.job_finding_chance(
        rng.random(200) * 20,
        rng.random(200) * 20,
        rng.random(200),
        rng.random(200),
        rng.random(200),
        rng.random(200),
        rng.random(200) * 0.2,
        P,
    )
    assert np.all((values >= 0) & (values <= 1))


# -- stability ----------------------------------------------------------------


def test_stability_known_values():
    tenure = np.array([0.0, 12.0, 12.0, 12.0])
    unmet = np.array([0.0, 0.0, 1.0, 5.0])
    # Settled after 12 months with settle_years 1: 1 - e^-1 = 0.6321.
    # Unmet repairs 1 unit: x (1 - 0.3) = 0.7; 5 units: 1 - 1.5 < 0 -> 0.
    settled = 1 - math.exp(-1)
    np.testing.assert_allclose(mobility.stability(tenure, unmet, P), [0.0, settled, settled * 0.7, 0.0])


def test_stability_rises_with_tenure_and_falls_with_unmet_repairs():
    assert np.all(np.diff(mobility.stability(np.array([0.0, 6, 12, 60, 600]), np.zeros(5), P)) > 0)
    assert np.all(np.diff(mobility.stability(np.full(4, 24.0), np.array([0.0, 0.5, 1.0, 2.0]), P)) < 0)
    assert mobility.stability(np.array([1e6]), np.array([0.0]), P)[0] == pytest.approx(1.0)
