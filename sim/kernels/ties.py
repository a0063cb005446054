"""The tie store's monthly passes, each one streaming pass over the stored ties that also yields the row sums.

The store (:class:`sim.tie_matrix.TieMatrix`) keeps each tie once, in the
row of its lower-numbered resident. The row sum of resident ``i`` in the
full symmetric matrix adds, in ascending column order, its ties to residents
numbered below (stored in their rows) and then its own row. Walking the
store row by row and adding each tie's strength to both ends' sums gives
every sum exactly that sequence of additions (all lower rows come first),
so the sums are bitwise those of the product with a vector of ones that the
model used to compute each month (``tests/test_kernels.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def merge_decay(n, a_ptr, a_idx, a_val, b_ptr, b_idx, b_val, factors, threshold, out_ptr, out_idx, out_val, sums):
    """Merge two canonical CSR stores (the ties and the month's gains), then cap at 1, decay and drop, in one pass.

    Each merged strength is ``min(a + b, 1) * factors[kind]`` (``a + b`` is
    scipy's sum, missing entries count as absent, not as zero); strengths
    below ``threshold``, and zeros, are not stored. Writes the result into
    ``out_*`` (room enough for every entry of both), fills ``sums`` (one per
    row, zeroed here) with the full symmetric matrix's row sums, and returns
    the number of stored ties.
    """
    rows = len(a_ptr) - 1
    sums[:] = 0.0
    out_ptr[0] = 0
    k = 0
    for r in range(rows):
        kind = r // n
        base = kind * n
        factor = factors[kind]
        p, p_end = a_ptr[r], a_ptr[r + 1]
        q, q_end = b_ptr[r], b_ptr[r + 1]
        own = sums[r]  # the ties to residents numbered below are in already (their rows came first)
        while p < p_end or q < q_end:
            # The next column of either store; an entry in both is their sum (scipy's csr_plus_csr).
            if q >= q_end or (p < p_end and a_idx[p] < b_idx[q]):
                col, value = a_idx[p], a_val[p]
                p += 1
            elif p >= p_end or b_idx[q] < a_idx[p]:
                col, value = b_idx[q], b_val[q]
                q += 1
            else:
                col, value = a_idx[p], a_val[p] + b_val[q]
                p += 1
                q += 1
            if value == 0.0:  # scipy's sum leaves out zeros (ties dropped last month)
                continue
            if value > 1.0:  # the cap
                value = 1.0
            value *= factor  # the decay
            if value < threshold or value == 0.0:  # the drop
                continue
            out_idx[k] = col
            out_val[k] = value
            k += 1
            own += value
            sums[base + col] += value
        sums[r] = own
        out_ptr[r + 1] = k
    return k


@njit(cache=True)
def decay(n, ptr, idx, val, factors, threshold, sums):
    """Weaken every tie by its kind's factor in place; those below ``threshold`` become explicit zeros. Fills ``sums``."""
    rows = len(ptr) - 1
    sums[:] = 0.0
    for r in range(rows):
        kind = r // n
        base = kind * n
        factor = factors[kind]
        own = sums[r]
        for k in range(ptr[r], ptr[r + 1]):
            value = val[k] * factor
            if value < threshold:
                value = 0.0
            val[k] = value
            own += value
            sums[base + idx[k]] += value
        sums[r] = own


@njit(cache=True)
def drop(n, ptr, idx, val, leaving, sums):
    """Zero in place every tie with a leaving resident at either end (``leaving``: one bool per resident). Fills ``sums``."""
    rows = len(ptr) - 1
    sums[:] = 0.0
    for r in range(rows):
        base = (r // n) * n
        gone = leaving[r - base]
        own = sums[r]
        for k in range(ptr[r], ptr[r + 1]):
            col = idx[k]
            if gone or leaving[col]:
                val[k] = 0.0
            value = val[k]
            own += value
            sums[base + col] += value
        sums[r] = own


@njit(cache=True)
def row_sums(n, ptr, idx, val, sums):
    """The full symmetric matrix's row sums, without changing the store."""
    rows = len(ptr) - 1
    sums[:] = 0.0
    for r in range(rows):
        base = (r // n) * n
        own = sums[r]
        for k in range(ptr[r], ptr[r + 1]):
            own += val[k]
            sums[base + idx[k]] += val[k]
        sums[r] = own


def factors(rates) -> np.ndarray:
    """``1 - rate`` per kind, computed as numpy computed it before (a Python float subtraction)."""
    return np.array([1.0 - float(rate) for rate in rates])

