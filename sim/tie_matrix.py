"""Symmetric sparse matrices of tie strengths: building them, and the monthly updates done cheaply.

The social network (``sim.network``) keeps ties between residents in two
symmetric ``scipy.sparse`` CSR matrices with sorted column indices. Each
month a few percent of ties are new and a few percent drop out (decayed
below the threshold, or a household moved out). Measured at 10,000
households:

- New strength is added by one general sparse sum per matrix. Most of a
  month's strengthened ties are new ones (seven in ten within blocks, nine
  in ten across them), so an in-place update that inserts them was
  measured slower (inserting moves every entry anyway).
- Dropped ties are set to zero in place and left as explicit zeros. The
  sparse sum leaves out entries that sum to zero, so the next month's sum
  removes them at no cost, where removing them at once took a pass over
  every tie twice a month. A zero entry adds exactly nothing to a product
  or a row sum, so no number changes. :func:`prune` removes them for readers
  that look at the matrix itself.
- The other end of a leaving household's ties is found by a binary search
  from the household's own row (the matrix is symmetric), not by a pass over
  every tie.

Every function gives bitwise the numbers of the plain scipy operations it
replaces: the same additions, in the same order.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def build(n: int, u: np.ndarray, v: np.ndarray, strength: np.ndarray, cap: bool = True) -> sp.csr_array:
    """A symmetric ``n`` x ``n`` matrix with ``strength`` on the pairs (both directions), duplicates summed.

    Capped at 1 and without zero entries, unless ``cap`` is false (an addition to another matrix).
    """
    rows = np.concatenate((u, v)).astype(index_type(n))
    cols = np.concatenate((v, u)).astype(rows.dtype)
    matrix = sp.csr_array((np.concatenate((strength, strength)), (rows, cols)), shape=(n, n))
    if cap:
        np.minimum(matrix.data, 1.0, out=matrix.data)
        matrix.eliminate_zeros()  # a pair of zero strength is no tie
    return matrix


def index_type(n: int) -> type:
    """32-bit indices where they fit: scipy keeps the index type it is given, and its
    sparse sum ran 2.5x slower on 64-bit indices (measured, 10,000 households)."""
    return np.int32 if 2 * n < np.iinfo(np.int32).max else np.int64


def strengthen(matrix: sp.csr_array, u: np.ndarray, v: np.ndarray, gain: np.ndarray) -> sp.csr_array:
    """``matrix`` plus ``gain`` on the pairs ``u[k]``-``v[k]`` (both directions), capped at 1.

    A pair listed more than once gains the sum of its gains. The sum leaves
    out explicit zeros in ``matrix`` (see the module notes).
    """
    if len(u) == 0:
        prune(matrix)
        return matrix
    addition = build(matrix.shape[0], u, v, gain, cap=False)
    result = matrix + addition
    np.minimum(result.data, 1.0, out=result.data)
    return result


def decay(matrix: sp.csr_array, rate: float, threshold: float) -> bool:
    """Weaken every tie by ``rate`` in place; ties below ``threshold`` become explicit zeros.

    Returns whether any tie was zeroed (the matrix then needs :func:`prune` before it is read as a graph).
    """
    matrix.data *= 1.0 - rate
    weak = matrix.data < threshold
    np.putmask(matrix.data, weak, 0.0)
    return bool(weak.any())


def drop_residents(matrix: sp.csr_array, slots: np.ndarray) -> None:
    """Zero every tie of the residents in ``slots``, in place (their rows and, by symmetry, their columns).

    Their rows are found through ``indptr``; the other end of each tie,
    ``(partner, resident)``, by a binary search in the partner's row, so the
    cost follows the movers' ties, not all ties.
    """
    starts, ends = matrix.indptr[slots], matrix.indptr[slots + 1]
    lengths = ends - starts
    in_rows = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(lengths.sum())
    partners, owners = matrix.indices[in_rows], np.repeat(slots, lengths)
    mirror, found = find(matrix, partners, owners)  # (always found: the matrix is symmetric)
    matrix.data[in_rows] = 0.0
    matrix.data[mirror[found]] = 0.0


def prune(matrix: sp.csr_array) -> None:
    """Remove explicit zeros (dropped ties) in place."""
    matrix.eliminate_zeros()


def find(matrix: sp.csr_array, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where entry ``(rows[k], cols[k])`` is stored, or would be inserted, in ``matrix.indices``; and whether it is there.

    A binary search within each row, all rows at once: rows hold tens of
    ties, so a handful of rounds.
    """
    indices = matrix.indices
    at, end = matrix.indptr[rows], matrix.indptr[rows + 1]
    if len(indices) == 0:
        return at, np.zeros(len(at), dtype=bool)
    last = len(indices) - 1
    # Branch-free lower bound: each round halves every row's span (spans of one stay put);
    # ``at`` ends on the last column below ``cols``, or on the row's first entry.
    length = end - at
    for _ in range(int(length.max(initial=0)).bit_length()):
        half = length >> 1
        middle = at + half
        at = np.where(indices[np.minimum(middle, last)] < cols, middle, at)
        length -= half
    at = at + ((length > 0) & (indices[np.minimum(at, last)] < cols))
    found = (at < end) & (indices[np.minimum(at, last)] == cols)
    return at, found


def row_sums(matrix: sp.csr_array) -> np.ndarray:
    """Row sums of a CSR matrix: a product with ones, measured 2x faster than ``matrix.sum(axis=1)``."""
    return matrix @ np.ones(matrix.shape[1])
