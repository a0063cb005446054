"""Stigma: the pull on internalised stigma and its buffers, alone and as the month's phase.

How respect is given and received (staff respect, contact, respect received)
is sim/mechanisms/treatment.py: tests/test_mechanism_treatment.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms import stigma
from sim.parameters import as_namespace

P = as_namespace(stigma.PARAMETERS.defaults())
BASE = {
    "external": 0.5,
    "respect": 0.75,
    "seeking_work": 1.0,
    "employer_stigma": 0.2,
    "bonding": 0.5,
    "collective_efficacy": 0.5,
    "power": 0.2,
}


def target(**changes) -> float:
    values = {**BASE, **changes}
    return float(stigma.target(p=P, **{k: np.asarray(v, dtype=float) for k, v in values.items()}))


# -- target -------------------------------------------------------------------


def test_target_known_value():
    # Weights 0.4 + 0.4 + 0.2 = 1.
    # pull = 0.4*0.5 + 0.4*(1-0.75) + 0.2*1*0.2*0.5 = 0.2 + 0.1 + 0.02 = 0.32.
    # buffer = 0.3*0.5 + 0.2*0.5 + 0.5*0.2 = 0.15 + 0.1 + 0.1 = 0.35.
    # target = 0.32 * (1 - 0.35) = 0.208.
    assert target() == pytest.approx(0.208)


def test_target_without_buffers_is_the_pull():
    assert target(bonding=0.0, collective_efficacy=0.0, power=0.0) == pytest.approx(0.32)


@pytest.mark.parametrize("buffer", ["bonding", "collective_efficacy", "power"])
def test_each_buffer_lowers_the_target(buffer):
    values = [target(**{buffer: x}) for x in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert np.all(np.diff(values) < 0)


def test_buffers_together_cannot_push_the_target_below_zero():
    # 0.3 + 0.2 + 0.5 = 1.0 at full buffers: the pull is absorbed entirely, not reversed.
    assert target(bonding=1.0, collective_efficacy=1.0, power=1.0) == pytest.approx(0.0)
    params = as_namespace({**stigma.PARAMETERS.defaults(), "bonding_buffer": 1.0, "power_buffer": 1.0})
    value = stigma.target(0.5, 0.5, 1.0, 0.2, 1.0, 1.0, 1.0, params)
    assert value == pytest.approx(0.0)


def test_disrespect_raises_the_target():
    values = [target(respect=r) for r in (1.0, 0.75, 0.5, 0.25, 0.0)]
    assert np.all(np.diff(values) > 0)


def test_external_stigma_raises_the_target():
    values = [target(external=e) for e in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert np.all(np.diff(values) > 0)


def test_employer_discrimination_only_pulls_those_seeking_work():
    # Seeking work adds 0.2 * 0.2 * 0.5 = 0.02 to the pull, times (1 - 0.35).
    assert target(seeking_work=1.0) - target(seeking_work=0.0) == pytest.approx(0.02 * 0.65)
    # Without employer bias, looking for work makes no difference.
    assert target(seeking_work=1.0, employer_stigma=0.0) == pytest.approx(target(seeking_work=0.0, employer_stigma=0.0))


def test_target_in_unit_interval():
    rng = np.random.default_rng(0)
    values = stigma.target(
        rng.random(100), rng.random(100), rng.random(100) < 0.5, 1.0, rng.random(100), rng.random(100), rng.random(100), P
    )
    assert np.all((values >= 0) & (values <= 1))


# -- block_mean ---------------------------------------------------------------


def test_block_mean():
    values = np.array([0.2, 0.4, 0.9, 0.1, 0.3])
    block = np.array([0, 0, 1, 2, 2])
    # Block 0: 0.3; block 1: 0.9; block 2: 0.2.
    np.testing.assert_allclose(stigma.block_mean(values, block), [0.3, 0.3, 0.9, 0.2, 0.2])


# -- update (the phase) -------------------------------------------------------


def _model(policy: str = "paternalistic"):
    from sim import HousingModel

    model = HousingModel(rng=2, residents=100, policy=policy, status_quo__months=0)
    model.month.respect = np.full(100, 0.75)
    model.state.stigma[:] = 0.5
    return model


def test_the_power_buffer_reads_the_influence_seen_not_the_policys_promise():
    # Two identical models, under a policy that promises influence; in one, half the households saw
    # full influence this month. Only they are pulled lower; the rest move exactly as in the other.
    seen, unseen = _model(policy="co_production"), _model(policy="co_production")
    seen.state.influence_seen[:50] = 1.0
    unseen.state.influence_seen[:] = 0.0
    stigma.update(seen)
    stigma.update(unseen)
    assert np.all(seen.state.stigma[:50] < unseen.state.stigma[:50])
    np.testing.assert_array_equal(seen.state.stigma[50:], unseen.state.stigma[50:])


def test_update_moves_stigma_part_of_the_way_towards_a_target_inside_zero_one():
    # The target is in [0, 1) with external stigma 0.5 and respect 0.75 (at most the pull, 0.32 by hand above
    # for a job seeker): from 1 everyone falls, from 0 nobody falls, and one month moves at most adjust_rate
    # of the way (5%).
    high, low = _model(), _model()
    high.state.stigma[:] = 1.0
    low.state.stigma[:] = 0.0
    stigma.update(high)
    stigma.update(low)
    assert np.all(high.state.stigma < 1.0) and np.all(high.state.stigma >= 1.0 - P.adjust_rate)
    assert np.all(low.state.stigma >= 0.0) and np.all(low.state.stigma <= P.adjust_rate * 0.32 + 1e-12)
    assert low.state.stigma.max() > 0.0
