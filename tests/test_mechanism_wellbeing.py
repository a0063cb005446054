"""Wellbeing's target in isolation: needs met, ties, work, freedom from stigma, trust in neighbours, less fatigue."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms import wellbeing
from sim.parameters import as_namespace

P = as_namespace(wellbeing.PARAMETERS.defaults())
BASE = {"need_fit": 1.0, "bonding": 0.5, "in_work": 1.0, "stigma": 0.5, "trust_neighbours": 0.5, "fatigue": 0.0}


def target(**changes) -> float:
    values = {**BASE, **changes}
    return float(wellbeing.target(p=P, **{k: np.asarray(v, dtype=float) for k, v in values.items()}))


# -- wellbeing.target ---------------------------------------------------------


def test_wellbeing_target_known_value():
    # Weights 0.3 + 0.2 + 0.2 + 0.2 + 0.1 = 1.
    # 0.3*1 + 0.2*0.5 + 0.2*1 + 0.2*(1-0.5) + 0.1*0.5 = 0.3 + 0.1 + 0.2 + 0.1 + 0.05 = 0.75.
    assert target() == pytest.approx(0.75)
    # Full fatigue at burden_weight 0.1: 0.75 - 0.1 = 0.65.
    assert target(fatigue=1.0) == pytest.approx(0.65)


def test_fatigue_of_taking_part_lowers_wellbeing_target():
    values = [target(fatigue=f) for f in (0.0, 0.25, 0.5, 1.0)]
    assert np.all(np.diff(values) < 0)
    # 0.1 of wellbeing per unit of fatigue: 0.75 - 0.1 * 0.5 = 0.7.
    assert target(fatigue=0.5) == pytest.approx(0.7)


@pytest.mark.parametrize("factor", ["need_fit", "bonding", "in_work", "trust_neighbours"])
def test_good_things_raise_wellbeing_target(factor):
    assert target(**{factor: 1.0}) > target(**{factor: 0.0})


def test_stigma_lowers_wellbeing_target():
    assert target(stigma=1.0) < target(stigma=0.0)


def test_wellbeing_target_in_unit_interval():
    assert target(need_fit=1, bonding=1, in_work=1, stigma=0, trust_neighbours=1) == pytest.approx(1.0)
    heavy = as_namespace({**wellbeing.PARAMETERS.defaults(), "burden_weight": 1.0})
    assert float(wellbeing.target(0.0, 0.0, 0.0, 1.0, 0.0, 1.0, heavy)) == 0.0
    rng = np.random.default_rng(0)
    values = wellbeing.target(*rng.random((6, 100)), P)
    assert np.all((values >= 0) & (values <= 1))


def test_the_phase_reads_each_residents_fatigue():
    from sim import HousingModel

    rested, tired = (HousingModel(rng=1, residents=20, status_quo__months=0) for _ in range(2))
    for model in (rested, tired):
        model.state.need_fit[:] = 1.0
    tired.state.fatigue[:10] = 1.0
    wellbeing.update(rested)
    wellbeing.update(tired)
    # Full fatigue takes burden_weight 0.1 off the target, and a month moves rate 0.1 of the way: 0.01 lower.
    np.testing.assert_allclose(tired.state.wellbeing[:10], rested.state.wellbeing[:10] - 0.01)
    np.testing.assert_array_equal(tired.state.wellbeing[10:], rested.state.wellbeing[10:])
