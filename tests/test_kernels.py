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
