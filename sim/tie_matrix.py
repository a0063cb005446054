"""Tie strengths between residents: every tie stored once, every kind in one sparse store, the monthly updates done cheaply.

Residents' ties come in kinds (bonding within a block, bridging across
blocks), each a symmetric ``n`` x ``n`` matrix of strengths in (0, 1]. A
:class:`TieMatrix` keeps each tie once, in the row of its lower-numbered
resident (each kind's upper triangle), and stacks the kinds in one CSR matrix
of ``kinds * n`` rows: row ``k * n + i`` holds resident ``i``'s ties of kind
``k`` to residents numbered above ``i``, columns sorted within each row.

The numbers are bitwise those of the full symmetric matrices. A product runs
in two passes into the same sums: first scipy's column-wise product over the
store, which adds to resident ``i``'s sum the terms of its ties to residents
numbered below ``i``, in ascending order; then the row-wise product, which
continues each sum with the ties to residents numbered above. That is every
term of the full row, in the full row's order (ascending column), so each sum
is the same floating-point sequence (``tests/test_tie_matrix.py`` checks it).

Choices, each measured at 10,000 households under co-production (about 40
ties per household after a few years):

- Storing each tie once halves the month's merge, cap and decay, which cost
  more than the products (whose work is the same either way).
- Stacking the kinds makes each of a month's operations one pass instead of
  one per kind.
- Most of a month's strengthened ties are new (seven in ten within blocks,
  nine in ten across them), so new strength is merged in by scipy's sorted
  sparse sum rather than inserted in place (measured slower: inserting moves
  every entry anyway).
- The sum writes into a second set of arrays kept from month to month, the
  two sets swapping roles: arrays of this size freshly allocated each month
  cost the operating system's page faults on every new page.
- scipy's compiled sparse routines (``scipy.sparse._sparsetools``, the same
  ones ``A + B`` and ``A @ x`` call) are called directly, because the public
  operators allocate their results and re-check their inputs every call.
  ``tests/test_tie_matrix.py`` checks each call against the public operators.
- Products of three or more quantities run in one pass (scipy's
  several-vector product), of one or two quantities one at a time (the
  several-vector product has a higher cost per tie, repaid from three
  quantities on). Both add each sum's terms in the same order, so the choice
  changes no number.
- Dropped ties are set to zero in place and left as explicit zeros. The sum
  leaves out entries that sum to zero, so the next month's merge removes them
  at no cost; a zero adds exactly nothing to a product or a row sum, so no
  number changes. :meth:`TieMatrix.kind` gives a kind without them.
- Every change to the ties is one compiled pass over the store
  (``sim/kernels/ties.py``) that also yields each resident's row sums (tie
  strength per kind), kept in :attr:`TieMatrix.sums`: the model reads them
  every month, and computing them as a product was an extra quantity in two
  products a month. The month's merge, cap, decay and drop are one pass
  (:meth:`TieMatrix.strengthen` with ``rates``), where scipy's sum and
  numpy's cap, decay and drop were four. The pass adds each row sum's terms
  in the product's order, so the sums are bitwise the product's.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse import _sparsetools

from sim.kernels import ties as kernels

SPARE_ROOM = 1.5
"""Capacity of newly allocated arrays, relative to the ties they must hold: room for growth, so
that a growing network (a new community's first years) reallocates every few months, not every month."""

SEVERAL = 3
"""Quantities from which one pass of scipy's several-vector product beats one pass per quantity
(measured at 10,000 households, each tie stored once: 4 quantities 0.98 ms in one pass against
1.58 ms one at a time; 2 quantities 0.88 against 0.79 ms; the one pass gains further once the
ties outgrow the cache: 4 quantities at 1,000,000 households 72 against 120 ms, measured with
both directions stored)."""


class TieMatrix:
    """Ties of ``kinds`` kinds among ``n`` residents: each kind's upper triangle, stacked in one CSR matrix of ``kinds * n`` rows.

    Build with :meth:`stack`. The live arrays are :attr:`indptr`,
    :attr:`indices` and :attr:`data`; :attr:`data` may hold explicit zeros
    (dropped ties) until the next :meth:`strengthen`.
    """

    def __init__(self, n: int, kinds: int, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray):
        self.n = n
        self.kinds = kinds
        self._arrays = (indptr, indices, data)  # indices and data may be longer than the ties they hold
        self._spare: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.sums = np.empty(kinds * n)
        """Each resident's total tie strength of each kind (row ``k * n + i``), kept up to date by every change: read only."""
        kernels.row_sums(n, indptr, indices, data, self.sums)

    @classmethod
    def stack(cls, matrices: list[sp.csr_array]) -> TieMatrix:
        """One store from one symmetric ``n`` x ``n`` CSR matrix per kind (see :func:`build`)."""
        n = matrices[0].shape[0]
        uppers = [sp.triu(m, k=1, format="csr") for m in matrices]
        for upper in uppers:
            upper.sum_duplicates()  # canonical: sorted, no duplicates
        dtype = index_type(max(n * len(uppers), sum(m.nnz for m in uppers)))
        offsets = np.cumsum([0] + [m.nnz for m in uppers])
        indptr = np.concatenate([[0]] + [m.indptr[1:] + offset for m, offset in zip(uppers, offsets, strict=False)]).astype(dtype)
        indices = np.concatenate([m.indices for m in uppers]).astype(dtype)
        data = np.concatenate([m.data for m in uppers]).astype(float)
        return cls(n, len(uppers), indptr, indices, data)

    # -- the live arrays ------------------------------------------------------

    @property
    def rows(self) -> int:
        """Rows of the stacked matrix: ``kinds * n``."""
        return self.kinds * self.n

    @property
    def nnz(self) -> int:
        """Stored entries (one per tie), explicit zeros included."""
        return int(self._arrays[0][-1])

    @property
    def indptr(self) -> np.ndarray:
        return self._arrays[0]

    @property
    def indices(self) -> np.ndarray:
        return self._arrays[1][: self.nnz]

    @property
    def data(self) -> np.ndarray:
        return self._arrays[2][: self.nnz]

    def kind_span(self, kind: int) -> slice:
        """Where the ties of ``kind`` are stored in :attr:`indices` and :attr:`data`."""
        return slice(int(self.indptr[kind * self.n]), int(self.indptr[(kind + 1) * self.n]))

    # -- reading --------------------------------------------------------------

    def kind(self, kind: int) -> sp.csr_array:
        """The symmetric ``n`` x ``n`` matrix of one kind of tie, a copy without explicit zeros."""
        span = self.kind_span(kind)
        indptr = self.indptr[kind * self.n : (kind + 1) * self.n + 1] - span.start
        upper = sp.csr_array((self.data[span].copy(), self.indices[span].copy(), indptr), shape=(self.n, self.n))
        upper.eliminate_zeros()
        matrix = (upper + upper.T).tocsr()
        matrix.sort_indices()
        return matrix

    def products(self, quantities: np.ndarray) -> np.ndarray:
        """The full symmetric matrices times each quantity: ``(k, n)`` in, one row per quantity; ``(k, kinds * n)`` out.

        Columns ``j * n`` to ``(j + 1) * n`` of a row are the tie-weighted
        sums of that quantity over each resident's ties of kind ``j``: bitwise
        ``matrix_j @ quantity`` for the full symmetric ``matrix_j`` (see the
        module notes), whichever of scipy's products is used.
        """
        indptr, indices, data = self._arrays
        quantities = np.ascontiguousarray(quantities, dtype=float)
        k, n = len(quantities), self.n
        if k >= SEVERAL:
            result = np.zeros((self.rows, k))
            x = np.ascontiguousarray(quantities.T).ravel()
            for kind in range(self.kinds):  # ties to residents numbered below, first
                _sparsetools.csc_matvecs(n, n, k, indptr[kind * n : (kind + 1) * n + 1], indices, data, x, result[kind * n : (kind + 1) * n].ravel())
            _sparsetools.csr_matvecs(self.rows, n, k, indptr, indices, data, x, result.ravel())
            return result.T
        result = np.zeros((k, self.rows))
        for x, out in zip(quantities, result, strict=True):
            for kind in range(self.kinds):  # ties to residents numbered below, first
                _sparsetools.csc_matvec(n, n, indptr[kind * n : (kind + 1) * n + 1], indices, data, x, out[kind * n : (kind + 1) * n])
            _sparsetools.csr_matvec(self.rows, n, indptr, indices, data, x, out)
        return result

    # -- the monthly updates ----------------------------------------------------

    def strengthen(self, kind: np.ndarray, u: np.ndarray, v: np.ndarray, gain: np.ndarray | float, rates: tuple[float, ...] | None = None, threshold: float = 0.0) -> None:
        """Add ``gain`` to the ties of kind ``kind[k]`` between ``u[k]`` and ``v[k]``, capped at 1; then, with ``rates``, :meth:`decay`.

        Ties missing are created; a pair listed more than once (either way
        round) gains the sum of its gains. Explicit zeros are removed, and so
        are ties the decay takes below ``threshold`` (rather than left as
        explicit zeros). ``u[k] != v[k]`` is assumed. One pass over the store.
        """
        size = self.nnz + len(u)  # at most, when every pair is new
        if index_type(int(size * SPARE_ROOM)) is np.int64 and self.indptr.dtype != np.int64:
            self._widen()
        indptr, indices, data = self._arrays
        addition = self._addition(kind, u, v, gain, indptr.dtype)
        spare = self._spare_arrays(size)
        factors = kernels.factors(rates if rates is not None else (0.0,) * self.kinds)
        sums = np.empty(self.rows)  # new each time: a reader may still hold last month's
        kernels.merge_decay(self.n, indptr, indices, data, *addition, factors, threshold, *spare, sums)
        self._spare, self._arrays, self.sums = self._arrays, spare, sums

    def _addition(self, kind: np.ndarray, u: np.ndarray, v: np.ndarray, gain: np.ndarray | float, dtype: type) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The canonical CSR arrays of the pairs' gains, each in its lower-numbered resident's row, duplicates summed (as scipy's COO conversion does)."""
        rows = (np.minimum(u, v) + np.asarray(kind, dtype=np.int64) * self.n).astype(dtype)
        cols = np.maximum(u, v).astype(dtype)
        gains = np.array(np.broadcast_to(np.asarray(gain, dtype=float), np.shape(u)))
        # Two counting sorts, by column then (stably) by row, leave each row's
        # columns in order: no comparison sort (measured 30% faster than sorting each row).
        m = len(rows)
        by_column = np.empty(self.n + 1, dtype), np.empty(m, dtype), np.empty(m)
        _sparsetools.coo_tocsr(self.n, self.rows, m, cols, rows, gains, *by_column)
        indptr, indices, data = np.empty(self.rows + 1, dtype), np.empty(m, dtype), np.empty(m)
        _sparsetools.csr_tocsc(self.n, self.rows, *by_column, indptr, indices, data)
        _sparsetools.csr_sum_duplicates(self.rows, self.n, indptr, indices, data)
        return indptr, indices, data

    def _spare_arrays(self, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The arrays the next sum writes into: last month's, if they have room for ``size`` ties."""
        if self._spare is not None and len(self._spare[1]) >= size:
            return self._spare
        capacity = int(size * SPARE_ROOM)
        dtype = self.indptr.dtype
        return np.empty(self.rows + 1, dtype), np.empty(capacity, dtype), np.empty(capacity)

    def _widen(self) -> None:
        """Move to 64-bit indices (past about two billion stored ties)."""
        indptr, indices, data = self._arrays
        self._arrays = (indptr.astype(np.int64), indices[: self.nnz].astype(np.int64), data[: self.nnz].copy())
        self._spare = None

    def decay(self, rates: tuple[float, ...], threshold: float) -> None:
        """Weaken the ties of kind ``k`` by ``rates[k]`` in place; ties below ``threshold`` become explicit zeros."""
        sums = np.empty(self.rows)
        kernels.decay(self.n, self.indptr, self.indices, self.data, kernels.factors(rates), threshold, sums)
        self.sums = sums

    def drop_residents(self, slots: np.ndarray) -> None:
        """Zero every tie of the residents in ``slots``, of every kind, in place (one pass: a table of the leaving residents)."""
        leaving = np.zeros(self.n, dtype=bool)
        leaving[np.asarray(slots, dtype=np.int64)] = True
        sums = np.empty(self.rows)
        kernels.drop(self.n, self.indptr, self.indices, self.data, leaving, sums)
        self.sums = sums

    def tie_count(self) -> int:
        """Number of ties (stored entries that are not explicit zeros)."""
        return int(np.count_nonzero(self.data))


def build(n: int, u: np.ndarray, v: np.ndarray, strength: np.ndarray) -> sp.csr_array:
    """A symmetric ``n`` x ``n`` matrix with ``strength`` on the pairs (both directions), duplicates summed, capped at 1, no zeros."""
    rows = np.concatenate((u, v)).astype(index_type(2 * len(u) + n))
    cols = np.concatenate((v, u)).astype(rows.dtype)
    matrix = sp.csr_array((np.concatenate((strength, strength)), (rows, cols)), shape=(n, n))
    np.minimum(matrix.data, 1.0, out=matrix.data)
    matrix.eliminate_zeros()  # a pair of zero strength is no tie
    return matrix


def index_type(largest: int) -> type:
    """32-bit indices where ``largest`` (rows or ties) fits: scipy keeps the index type it is given,
    and its sparse sum ran 2.5x slower on 64-bit indices (measured, 10,000 households)."""
    return np.int32 if largest < np.iinfo(np.int32).max else np.int64
