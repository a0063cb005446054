"""Stigma in isolation: the pull on internalised stigma, respect received, and staff respect."""

from __future__ import annotations

import math

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


# -- respect_received ---------------------------------------------------------


def test_respect_received_known_value():
    # advantage 0 -> disadvantage 1/(1+e^0) = 0.5; 0.75 * (1 - 0.3*0.5) * (1 - 0.5*0.2) = 0.75 * 0.85 * 0.9 = 0.57375.
    value = stigma.respect_received(0.75, np.array([0.0]), np.array([0.2]), 0.3, 0.5)
    assert value[0] == pytest.approx(0.57375)


def test_less_advantaged_receive_less_respect():
    advantage = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    values = stigma.respect_received(0.75, advantage, np.full(5, 0.3), 0.3, 0.5)
    assert np.all(np.diff(values) > 0)
    # Most advantaged approaches the landlord's respect times the stigma lens factor.
    disadvantage = 1 / (1 + math.exp(2.0))
    assert values[-1] == pytest.approx(0.75 * (1 - 0.3 * disadvantage) * (1 - 0.5 * 0.3))


def test_more_stigmatised_feel_less_respected():
    values = stigma.respect_received(0.75, np.zeros(5), np.linspace(0, 1, 5), 0.3, 0.5)
    assert np.all(np.diff(values) < 0)


def test_no_bias_and_no_lens_gives_everyone_the_landlords_respect():
    values = stigma.respect_received(0.6, np.array([-3.0, 0.0, 3.0]), np.array([1.0, 0.5, 0.0]), 0.0, 0.0)
    np.testing.assert_allclose(values, 0.6)


# -- staff_respect ------------------------------------------------------------


def test_staff_respect_known_values():
    # No contact: 0.5 + 0.02*(0.75-0.5) = 0.505.  Full contact: 0.5 + 0.1*1*0.5 + 0.005 = 0.555.
    assert stigma.staff_respect(0.5, 0.75, 0.0, 0.1, 0.02) == pytest.approx(0.505)
    assert stigma.staff_respect(0.5, 0.75, 1.0, 0.1, 0.02) == pytest.approx(0.555)


def test_contact_raises_staff_respect():
    values = [stigma.staff_respect(0.75, 0.75, c, 0.1, 0.02) for c in (0.0, 0.1, 0.5, 1.0)]
    assert values[0] == pytest.approx(0.75)
    assert np.all(np.diff(values) > 0)


@pytest.mark.parametrize("start", [0.2, 0.95])
def test_staff_respect_reverts_to_baseline_without_contact(start):
    respect = start
    for _ in range(600):
        respect = stigma.staff_respect(respect, 0.75, 0.0, 0.1, 0.02)
    # Gap shrinks by 0.98 a month: after 600 months it is 0.98^600 ~ 5e-6 of the start gap.
    assert respect == pytest.approx(0.75, abs=1e-4)


def test_staff_respect_stays_in_unit_interval():
    assert stigma.staff_respect(1.0, 1.0, 1.0, 1.0, 0.0) == 1.0
    assert 0.0 <= stigma.staff_respect(0.0, 0.0, 0.0, 0.0, 1.0) <= 1.0


# -- block_mean ---------------------------------------------------------------


def test_block_mean():
    values = np.array([0.2, 0.4, 0.9, 0.1, 0.3])
    block = np.array([0, 0, 1, 2, 2])
    # Block 0: 0.3; block 1: 0.9; block 2: 0.2.
    np.testing.assert_allclose(stigma.block_mean(values, block), [0.3, 0.3, 0.9, 0.2, 0.2])
