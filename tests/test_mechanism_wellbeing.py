"""Wellbeing's target in isolation."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms import wellbeing
from sim.parameters import as_namespace

P = as_namespace(wellbeing.PARAMETERS.defaults())
BASE = {"need_fit": 1.0, "bonding": 0.5, "in_work": 1.0, "stigma": 0.5, "trust_neighbours": 0.5, "burden": 0.0}


def target(**changes) -> float:
    values = {**BASE, **changes}
    return float(wellbeing.target(p=P, **{k: np.asarray(v, dtype=float) for k, v in values.items()}))


# -- wellbeing.target ---------------------------------------------------------


def test_wellbeing_target_known_value():
    # Weights 0.3 + 0.2 + 0.2 + 0.2 + 0.1 = 1.
    # 0.3*1 + 0.2*0.5 + 0.2*1 + 0.2*(1-0.5) + 0.1*0.5 = 0.3 + 0.1 + 0.2 + 0.1 + 0.05 = 0.75.
    assert target() == pytest.approx(0.75)
    # Burden 1 at weight 0.1: 0.65.
    assert target(burden=1.0) == pytest.approx(0.65)


def test_burden_lowers_wellbeing_target():
    values = [target(burden=b) for b in (0.0, 0.25, 0.5, 1.0)]
    assert np.all(np.diff(values) < 0)


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
