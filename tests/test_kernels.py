"""The compiled kernels (sim/kernels) give bitwise the numbers of the numpy and scipy formulas they replace, on random inputs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kernels import services as service_kernels
from sim.mechanisms import services
from sim.state import COMMUNITY, EMPLOYMENT, NEVER, REPAIRS
from tests.test_tie_matrix import random_pairs, random_store


def full_row_sums(store) -> np.ndarray:
    """Row sums as the model computed them before: the store's product with a vector of ones (scipy's two passes)."""
    return store.products(np.ones((1, store.n)))[0]


def test_row_sums_kept_through_merge_decay_and_drop_are_bitwise_the_products_with_ones():
    rng = np.random.default_rng(11)
    store, _ = random_store(rng, 300, 2000)
    np.testing.assert_array_equal(store.sums, full_row_sums(store))
    for _ in range(6):
        u, v = random_pairs(rng, 300, 400)
        kind = rng.random(len(u)) < 0.5
        store.strengthen(kind, u, v, rng.uniform(0.05, 0.5, len(u)), (0.1, 0.3), 0.2)
        np.testing.assert_array_equal(store.sums, full_row_sums(store))
        store.drop_residents(np.unique(rng.integers(0, 300, 5)))
        np.testing.assert_array_equal(store.sums, full_row_sums(store))
        store.decay((0.05, 0.02), 0.1)
        np.testing.assert_array_equal(store.sums, full_row_sums(store))
    assert store.sums.min() >= 0 and store.sums.max() > 1


def test_one_pass_merge_decay_is_bitwise_strengthen_then_decay_and_stores_no_dropped_tie():
    rng = np.random.default_rng(12)
    fused, _ = random_store(rng, 200, 1200)
    apart, _ = random_store(np.random.default_rng(12), 200, 1200)
    u, v = random_pairs(rng, 200, 600)
    kind = rng.random(len(u)) < 0.4
    fused.strengthen(kind, u, v, 0.3, (0.01, 0.4), 0.25)
    apart.strengthen(kind, u, v, 0.3)
    apart.decay((0.01, 0.4), 0.25)
    for k in (0, 1):
        a, b = fused.kind(k), apart.kind(k)
        np.testing.assert_array_equal(a.indptr, b.indptr)
        np.testing.assert_array_equal(a.indices, b.indices)
        np.testing.assert_array_equal(a.data, b.data)
    assert (fused.data >= 0.25).all() and (apart.data == 0).any()
    np.testing.assert_array_equal(fused.sums, apart.sums)


def random_households(rng: np.random.Generator, n: int) -> dict:
    need = rng.random((n, 4)) * (rng.random((n, 4)) < 0.7)  # some domains with no need
    return {
        "need": need,
        "trust_services": rng.random(n),
        "stigma": rng.random(n),
        "position": rng.random(n),
        "estate": np.sort(rng.integers(0, 5, n)),
        "delivered": rng.random(n) < 0.1,
        "raised": rng.integers(0, 4, n),
        "repairs_felt": rng.random(n),
        "neighbourhood_felt": rng.random(n),
        "months_since_repair": rng.integers(0, NEVER + 1, n),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_delivery_kernels_are_bitwise_the_numpy_formulas(seed):
    rng = np.random.default_rng(seed)
    n = 500
    h = random_households(rng, n)
    accessibility, capacity = rng.uniform(0.5, 1.0, 4), rng.uniform(10, 100, 4)
    design_fit, designed_for = rng.uniform(0.3, 1.0, 4), rng.random(4)
    tailoring, trust_barrier, stigma_barrier, redeployment, units, rate = 0.3, 0.3, 0.2, 0.5, 0.8, 0.2
    shortfall = rng.uniform(0.5, 1.0, 5)

    # The numpy formulas, as the phase used them.
    share = services.access(h["trust_services"], h["stigma"], stigma_barrier, trust_barrier)
    demand = np.empty_like(h["need"])
    for d in range(4):
        np.multiply(h["need"][:, d], share, out=demand[:, d])
        demand[:, d] *= accessibility[d]
    fit = services.resident_fit(design_fit, designed_for, h["position"], tailoring)
    numpy_capacity = capacity.copy()
    won, direct = services.serve_requests(demand, fit, h["delivered"], h["raised"], units, numpy_capacity)
    met = services.allot(demand, numpy_capacity, fit, redeployment)
    met[won, h["raised"][won]] += direct
    met[:, REPAIRS] *= shortfall[h["estate"]]
    numpy_state = {name: h[name].copy() for name in ("repairs_felt", "neighbourhood_felt", "months_since_repair")}
    view = type("State", (), {})()
    view.repairs_felt, view.neighbourhood_felt, view.months_since_repair, view.estate = (
        numpy_state["repairs_felt"], numpy_state["neighbourhood_felt"], numpy_state["months_since_repair"], h["estate"])
    held = h["need"].sum(axis=1)
    need_fit = np.where(held > 0, met.sum(axis=1) / np.maximum(held, 1e-12), 1.0)
    support = np.where(h["need"][:, EMPLOYMENT] > 0, met[:, EMPLOYMENT] / np.maximum(h["need"][:, EMPLOYMENT], 1e-12), 0.0)
    services.perceive(view, h["need"], met, rate)
    left = h["need"] - met

    # The kernels.
    k_demand = np.empty_like(h["need"])
    service_kernels.demand(h["need"], h["trust_services"], h["stigma"], accessibility, trust_barrier, stigma_barrier, k_demand)
    k_capacity = capacity.copy()
    k_won = np.flatnonzero(h["delivered"])
    k_won, k_direct = services.serve_households(k_won, k_demand, services.resident_fit(design_fit, designed_for, h["position"][k_won], tailoring), h["raised"][k_won], units, k_capacity)
    np.testing.assert_array_equal(k_demand, demand)
    total, lowest = service_kernels.totals(k_demand, h["position"], designed_for, design_fit, tailoring)
    np.testing.assert_array_equal(total, demand.sum(axis=0))
    np.testing.assert_array_equal(lowest, np.where(demand > 0, fit, np.inf).min(axis=0))
    need = h["need"].copy()
    k_met, k_held, k_support, k_need_fit, k_unmet = np.empty_like(need), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    service_kernels.deliver(
        k_demand, need, h["position"], h["estate"], designed_for, design_fit, tailoring, services.per_unit(total, lowest, k_capacity, redeployment),
        k_won, h["raised"], k_direct, shortfall, rate, (REPAIRS, EMPLOYMENT, COMMUNITY),
        h["repairs_felt"], h["months_since_repair"], h["neighbourhood_felt"], k_need_fit, k_unmet, NEVER, k_met, k_held, k_support,
    )
    np.testing.assert_array_equal(k_met, met)
    np.testing.assert_array_equal(k_held, held)
    np.testing.assert_array_equal(k_need_fit, need_fit)
    np.testing.assert_array_equal(k_support, support)
    np.testing.assert_array_equal(need, left)
    np.testing.assert_array_equal(k_unmet, left[:, REPAIRS])
    for name, values in numpy_state.items():
        np.testing.assert_array_equal(h[name], values, err_msg=name)
    assert len(won) > 0 and (met > 0).any() and (need_fit < 1).any()  # the inputs exercised every branch that matters


def params(**values):
    return type("Params", (), values)()


def test_trust_kernels_are_bitwise_the_numpy_formulas():
    from sim.kernels import households as kernels
    from sim.mechanisms import trust

    rng = np.random.default_rng(21)
    n = 400
    p = params(service_weight=0.6, respect_weight=0.4, voice_weight=0.8, word_of_mouth=0.3, gain_rate=0.08, loss_ratio=3.0, perception_rate=0.2)
    need_fit, respect, influence, expectation = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    had_say = rng.random(n) < 0.3
    strengths = rng.random((2, n)) * 3 * (rng.random(n) < 0.9)  # some households without ties
    bonding, bridging = rng.random((3, n)) * strengths[0], rng.random((3, n)) * strengths[1]
    embedded = rng.random(n)
    start = {name: rng.random(n) for name in ("landlord", "services", "neighbours", "voice", "respect")}

    judged = rng.random(n)  # the need met the landlord is judged on (trust.judged_need_met), not need-fit
    own_landlord = trust.landlord_experience(judged, respect, had_say, influence, expectation, p)
    own = np.array([own_landlord, need_fit, np.where(had_say, influence, judged)])
    weight = strengths[0] + strengths[1]
    heard = np.where(weight > 0, (bonding + bridging) / np.maximum(weight, 1e-12), own)
    told = trust.with_word_of_mouth(own, heard, p.word_of_mouth)
    expected = {
        "landlord": trust.asymmetric_step(start["landlord"], told[0], p.gain_rate, p.loss_ratio),
        "services": trust.asymmetric_step(start["services"], told[1], p.gain_rate, p.loss_ratio),
        "neighbours": trust.asymmetric_step(start["neighbours"], embedded, p.gain_rate, p.loss_ratio),
        "voice": start["voice"] + p.perception_rate * (told[2] - start["voice"]),
        "respect": start["respect"] + p.perception_rate * (respect - start["respect"]),
    }

    k_own = np.empty((3, n))
    kernels.own_experiences(judged, need_fit, respect, had_say, influence, expectation, p.service_weight, p.respect_weight, max(p.service_weight + p.respect_weight, 1e-12), p.voice_weight, k_own)
    np.testing.assert_array_equal(k_own, own)
    state = {name: values.copy() for name, values in start.items()}
    kernels.trust(k_own, bonding, bridging, strengths[0], strengths[1], embedded, respect, 1.0 - p.word_of_mouth, p.word_of_mouth,
                  p.gain_rate, min(1.0, p.gain_rate * p.loss_ratio), p.perception_rate, *state.values())
    for name, values in expected.items():
        np.testing.assert_array_equal(state[name], values, err_msg=name)
        assert not np.array_equal(values, start[name])


def test_stigma_and_wellbeing_kernels_are_bitwise_the_numpy_formulas():
    from sim.kernels import households as kernels
    from sim.mechanisms import stigma, wellbeing

    rng = np.random.default_rng(22)
    n = 400
    sp = params(media_weight=0.4, treatment_weight=0.4, discrimination_weight=0.2, bonding_buffer=0.3, collective_buffer=0.2, power_buffer=0.5, adjust_rate=0.05)
    level, respect, bonding, collective, power = (rng.random(n) for _ in range(5))
    seeking = rng.random(n) < 0.3
    expected = level + sp.adjust_rate * (stigma.target(0.5, respect, seeking, 0.2, bonding, collective, power, sp) - level)
    mine = level.copy()
    kernels.stigma(mine, respect, seeking, bonding, collective, power, 0.5, sp.media_weight, sp.treatment_weight, sp.discrimination_weight, 0.2,
                   max(sp.media_weight + sp.treatment_weight + sp.discrimination_weight, 1e-12),
                   sp.bonding_buffer, sp.collective_buffer, sp.power_buffer, sp.adjust_rate)
    np.testing.assert_array_equal(mine, expected)

    wp = params(need_weight=0.3, bonding_weight=0.2, work_weight=0.2, stigma_weight=0.2, neighbour_weight=0.1, burden_weight=0.1, rate=0.1)
    well, need_fit, trust_neighbours, fatigue = (rng.random(n) for _ in range(4))
    employed, working_age = rng.random(n) < 0.5, rng.random(n) < 0.7
    in_work = (employed | ~working_age).astype(float)
    expected = well + wp.rate * (wellbeing.target(need_fit, bonding, in_work, level, trust_neighbours, fatigue, wp) - well)
    weights = max(wp.need_weight + wp.bonding_weight + wp.work_weight + wp.stigma_weight + wp.neighbour_weight, 1e-12)
    kernels.wellbeing(well, need_fit, bonding, employed, working_age, level, trust_neighbours, fatigue, wp.need_weight, wp.bonding_weight, wp.work_weight,
                      wp.stigma_weight, wp.neighbour_weight, weights, wp.burden_weight, wp.rate)
    np.testing.assert_array_equal(well, expected)


def test_work_kernel_is_bitwise_the_numpy_formulas_and_makes_the_same_moves():
    from sim.kernels import households as kernels
    from sim.mechanisms import mobility

    rng = np.random.default_rng(23)
    n = 2000
    p = params(job_finding=0.3, weak_tie_weight=0.5, strong_tie_weight=0.1, support_weight=1.0, stigma_weight=0.6, job_loss=0.2, progression=0.3,
               settle_years=1.0, repairs_insecurity=0.3, job_efficacy=0.1)
    weak, strong, support, aspiration, level, unmet = (rng.random(n) * 2 for _ in range(6))
    tenure = rng.integers(0, 100, n).astype(float)
    u_find, u_lose, u_up = rng.random(n), rng.random(n), rng.random(n)
    working_age, employed = rng.random(n) < 0.7, rng.random(n) < 0.5
    band, efficacy, since = rng.integers(0, 5, n), rng.random(n), rng.integers(0, NEVER + 1, n)

    chance = mobility.job_finding_chance(weak, strong, support, aspiration, level, mobility.stability(tenure, unmet, p), 0.1, p)
    finds = working_age & ~employed & (u_find < chance)
    loses = employed & (u_lose < p.job_loss)
    up = employed & ~loses & (u_up < p.progression * (1.0 + p.weak_tie_weight * weak) * (1.0 - p.stigma_weight * level))
    expected_band = band.copy()
    expected_band[finds] = np.maximum(band[finds], 2)
    expected_band[up] = np.minimum(band[up] + 1, 4)
    expected_band[loses] = np.minimum(band[loses], 1)
    expected_efficacy = efficacy.copy()
    expected_efficacy[finds] += p.job_efficacy * (1.0 - efficacy[finds])
    expected_since = np.minimum(since + 1, NEVER)
    expected_since[finds | up] = 0

    mine_employed, mine_tenure = employed.copy(), tenure.copy()
    settled = 1.0 - np.exp(-tenure / (12.0 * p.settle_years))
    kernels.work(weak, strong, support, aspiration, level, settled, unmet, u_find, u_lose, u_up, p.job_finding, p.weak_tie_weight, p.strong_tie_weight,
                 p.support_weight, p.stigma_weight, 1.0 - 0.1, p.repairs_insecurity, p.job_loss, p.progression, p.job_efficacy, 4, NEVER,
                 working_age, mine_employed, band, efficacy, since, mine_tenure)
    np.testing.assert_array_equal(mine_employed, (employed | finds) & ~loses)
    np.testing.assert_array_equal(band, expected_band)
    np.testing.assert_array_equal(efficacy, expected_efficacy)
    np.testing.assert_array_equal(since, expected_since)
    np.testing.assert_array_equal(mine_tenure, tenure + 1.0)
    assert finds.any() and loses.any() and up.any()
