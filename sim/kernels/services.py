"""The delivery phase's per-household work (sim/mechanisms/services.py), in two passes over the households.

numpy computed demand, fit, the shares met, need-fit and the views of
repairs and the neighbourhood as some forty passes over ``(households, 4)``
arrays with their temporaries. Here the first pass computes what comes
forward (demand) and each domain's total and lowest fit among those asking;
the second, once the few domain-level numbers are set, everything per
household. Fit is recomputed where it is needed rather than stored (a
subtraction, an absolute value and two products). Each formula is the numpy
function's of the same name in ``sim/mechanisms/services.py``, operation for
operation, and every sum adds in numpy's order (``tests/test_kernels.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _fit(position, designed_for, design_fit, tailoring):
    """``resident_fit`` for one resident and domain: ``(|position - designed_for| * -tailoring + 1) * design_fit``."""
    return (abs(position - designed_for) * -tailoring + 1.0) * design_fit


@njit(cache=True)
def demand(need, trust_services, stigma, accessibility, trust_barrier, stigma_barrier, out):
    """``out[i, d]`` = need that comes forward: ``need * access(...) * accessibility[d]`` (``access`` as in services.py)."""
    for i in range(need.shape[0]):
        share = (1.0 - trust_barrier + trust_barrier * trust_services[i]) * (1.0 - stigma_barrier * stigma[i])
        for d in range(need.shape[1]):
            out[i, d] = need[i, d] * share * accessibility[d]


@njit(cache=True)
def totals(demand, position, designed_for, design_fit, tailoring):
    """Each domain's total demand (added in row order, as ``column_totals``) and lowest fit among residents with demand (inf if none)."""
    domains = demand.shape[1]
    total = np.zeros(domains)
    lowest = np.full(domains, np.inf)
    for i in range(demand.shape[0]):
        for d in range(domains):
            want = demand[i, d]
            total[d] += want
            if want > 0.0:
                fit = _fit(position[i], designed_for[d], design_fit[d], tailoring)
                if fit < lowest[d]:
                    lowest[d] = fit
    return total, lowest


@njit(cache=True)
def deliver(
    demand, need, position, estate, designed_for, design_fit, tailoring, per_unit, won, raised, direct, repairs_delivered, rate, domains,
    repairs_felt, months_since_repair, neighbourhood_felt, need_fit, unmet_repairs, never, met, held, employment_support,
):
    """Need met and everything that follows from it, per household; ``need`` becomes what is left.

    ``per_unit[d]`` is capacity per unit of demand (``allot``); ``won`` (in
    ascending order) the households whose delivered request met ``direct``
    of their need in domain ``raised``, served first. Domains are ordered as
    ``domains``: the columns of repairs, employment and community. Writes
    ``met``, ``held`` (need held before delivery), ``need_fit``,
    ``employment_support``, ``unmet_repairs`` and the views of repairs and
    of the neighbourhood (``perceive``).
    """
    repairs_, employment_, community_ = domains
    n, columns = need.shape
    estates = estate.max() + 1 if n else 0
    community_held = np.zeros(estates)
    community_met = np.zeros(estates)
    w = 0
    for i in range(n):
        served = -1
        if w < len(won) and won[w] == i:
            served = w
            w += 1
        held_i = 0.0
        met_i = 0.0
        for d in range(columns):
            m = min(_fit(position[i], designed_for[d], design_fit[d], tailoring) * per_unit[d], 1.0) * demand[i, d]
            if served >= 0 and raised[i] == d:
                m += direct[served]
            if d == repairs_:  # a failed repairs contractor leaves part of the repairs undone
                m *= repairs_delivered[estate[i]]
            met[i, d] = m
            # row_totals: the first column, then each further one added (needs and met are sums of four)
            held_i = need[i, d] if d == 0 else held_i + need[i, d]
            met_i = m if d == 0 else met_i + m
        held[i] = held_i
        need_fit[i] = met_i / max(held_i, 1e-12) if held_i > 0 else 1.0
        employment = need[i, employment_]
        employment_support[i] = met[i, employment_] / max(employment, 1e-12) if employment > 0 else 0.0
        # perceive: a month with repairs need is a month with a repair; the view moves towards the share met
        repairs = need[i, repairs_]
        if repairs > 0:
            repairs_felt[i] += (met[i, repairs_] / repairs - repairs_felt[i]) * rate
            months_since_repair[i] = 0
        else:
            months_since_repair[i] = min(months_since_repair[i] + 1, never)
        community_held[estate[i]] += need[i, community_]
        community_met[estate[i]] += met[i, community_]
        for d in range(columns):
            need[i, d] -= met[i, d]
        unmet_repairs[i] = need[i, repairs_]
    # The neighbourhood: every household moves towards its estate's share of community need met (none held: no change).
    for i in range(n):
        e = estate[i]
        if community_held[e] > 0:
            neighbourhood_felt[i] += (community_met[e] / community_held[e] - neighbourhood_felt[i]) * rate
