"""Tie strengths between residents: every kind of tie in one sparse store, with the monthly updates done cheaply.

Residents' ties come in kinds (bonding within a block, bridging across
blocks), each a symmetric ``n`` x ``n`` matrix of strengths in (0, 1]. A
:class:`TieMatrix` stacks the kinds in one CSR matrix of ``kinds * n`` rows:
row ``k * n + i`` holds resident ``i``'s ties of kind ``k``, the columns are
residents, sorted within each row. Every row is what it would be in its own
kind's matrix, so every product, sum and update gives bitwise the numbers of
separate matrices, while each of a month's operations is one pass instead of
one per kind: one product gives every kind's tie-weighted sums, one merge adds
the month's new strength, and decay scales one slice of the data per kind.

Choices, each measured at 10,000 households under co-production (about 40
ties per household after a few years):

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
  ``tests/test_tie_matrix.py`` checks each call against the public operator.
- Products run one quantity at a time while the ties fit in cache (scipy's
  several-vector product has a higher cost per tie), and all quantities in
  one pass once they do not (then reading the ties from memory dominates).
  Both add each row's terms in the same order, so the choice changes no number.
- Dropped ties are set to zero in place and left as explicit zeros. The sum
  leaves out entries that sum to zero, so the next month's merge removes them
  at no cost; a zero adds exactly nothing to a product or a row sum, so no
  number changes. :meth:`TieMatrix.kind` gives a kind without them.
- The other end of a leaving household's ties is found by a binary search
  from the household's own row (each kind is symmetric), not by a pass over
  every tie.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse import _sparsetools

SPARE_ROOM = 1.5
"""Capacity of newly allocated arrays, relative to the ties they must hold: room for growth, so
that a growing network (a new community's first years) reallocates every few months, not every month."""

SEVERAL, LARGE = 3, 1_500_000
"""Quantities and stored ties from which one pass of scipy's several-vector product beats one
pass per quantity: below that the ties fit in cache and the one-vector product is faster
(measured: 4 quantities at 10,000 households 1.09 vs 1.10 ms; at 100,000 16.1 vs 11.6 ms;
at 1,000,000 120 vs 72 ms; 2 quantities favour one pass each up to 1,000,000)."""


class TieMatrix:
    """Ties of ``kinds`` kinds among ``n`` residents, stacked in one CSR matrix of ``kinds * n`` rows.

    Build with :meth:`stack`. The live arrays are :attr:`indptr`,
    :attr:`indices` and :attr:`data`; :attr:`data` may hold explicit zeros
    (dropped ties) until the next :meth:`strengthen`.
    """

    def __init__(self, n: int, kinds: int, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray):
        self.n = n
        self.kinds = kinds
        self._arrays = (indptr, indices, data)  # indices and data may be longer than the ties they hold
        self._spare: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def stack(cls, matrices: list[sp.csr_array]) -> TieMatrix:
        """One store from one canonical ``n`` x ``n`` CSR matrix per kind (see :func:`build`)."""
        n = matrices[0].shape[0]
        dtype = index_type(max(n * len(matrices), sum(m.nnz for m in matrices)))
        offsets = np.cumsum([0] + [m.nnz for m in matrices])
        indptr = np.concatenate([[0]] + [m.indptr[1:] + offset for m, offset in zip(matrices, offsets, strict=False)]).astype(dtype)
        indices = np.concatenate([m.indices for m in matrices]).astype(dtype)
        data = np.concatenate([m.data for m in matrices]).astype(float)
        return cls(n, len(matrices), indptr, indices, data)

    # -- the live arrays ------------------------------------------------------

    @property
    def rows(self) -> int:
        """Rows of the stacked matrix: ``kinds * n``."""
        return self.kinds * self.n

    @property
    def nnz(self) -> int:
        """Stored entries, explicit zeros included."""
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
        """The ``n`` x ``n`` matrix of one kind of tie, a copy without explicit zeros."""
        span = self.kind_span(kind)
        indptr = self.indptr[kind * self.n : (kind + 1) * self.n + 1] - span.start
        matrix = sp.csr_array((self.data[span].copy(), self.indices[span].copy(), indptr), shape=(self.n, self.n))
        matrix.eliminate_zeros()
        return matrix

    def products(self, quantities: np.ndarray) -> np.ndarray:
        """The stacked matrix times each quantity: ``(k, n)`` in, one row per quantity; ``(k, kinds * n)`` out.

        Columns ``j * n`` to ``(j + 1) * n`` of a row are the tie-weighted
        sums of that quantity over each resident's ties of kind ``j``: bitwise
        ``matrix_j @ quantity``, whichever of scipy's two products is used.
        """
        indptr, indices, data = self._arrays
        quantities = np.ascontiguousarray(quantities, dtype=float)
        k = len(quantities)
        if k >= SEVERAL and self.nnz >= LARGE:
            result = np.zeros((self.rows, k))
            _sparsetools.csr_matvecs(self.rows, self.n, k, indptr, indices, data, np.ascontiguousarray(quantities.T).ravel(), result.ravel())
            return result.T
        result = np.zeros((k, self.rows))
        for x, out in zip(quantities, result, strict=True):
            _sparsetools.csr_matvec(self.rows, self.n, indptr, indices, data, x, out)
        return result

    # -- the monthly updates ----------------------------------------------------

    def strengthen(self, kind: np.ndarray, u: np.ndarray, v: np.ndarray, gain: np.ndarray | float) -> None:
        """Add ``gain`` to the ties of kind ``kind[k]`` between ``u[k]`` and ``v[k]`` (both directions), capped at 1.

        Ties missing are created; a pair listed more than once gains the sum
        of its gains. Explicit zeros are removed. ``u[k] != v[k]`` is assumed.
        """
        size = self.nnz + 2 * len(u)  # at most, when every pair is new
        if index_type(int(size * SPARE_ROOM)) is np.int64 and self.indptr.dtype != np.int64:
            self._widen()
        indptr, indices, data = self._arrays
        addition = self._addition(kind, u, v, gain, indptr.dtype)
        spare = self._spare_arrays(size)
        _sparsetools.csr_plus_csr(self.rows, self.n, indptr, indices, data, *addition, *spare)
        self._spare, self._arrays = self._arrays, spare
        data = self.data
        np.copyto(data, 1.0, where=data > 1.0)  # the cap (measured faster than np.minimum: few ties reach it)

    def _addition(self, kind: np.ndarray, u: np.ndarray, v: np.ndarray, gain: np.ndarray | float, dtype: type) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The canonical CSR arrays of the pairs' gains in both directions, duplicates summed (as scipy's COO conversion does)."""
        offset = np.asarray(kind, dtype=np.int64) * self.n
        rows = np.concatenate((u + offset, v + offset)).astype(dtype)
        cols = np.concatenate((v, u)).astype(dtype)
        gains = np.broadcast_to(np.asarray(gain, dtype=float), np.shape(u))
        gains = np.concatenate((gains, gains))
        indptr, indices, data = np.empty(self.rows + 1, dtype), np.empty(len(rows), dtype), np.empty(len(rows))
        _sparsetools.coo_tocsr(self.rows, self.n, len(rows), rows, cols, gains, indptr, indices, data)
        _sparsetools.csr_sort_indices(self.rows, indptr, indices, data)
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
        for kind, rate in enumerate(rates):
            self.data[self.kind_span(kind)] *= 1.0 - rate
        data = self.data
        np.copyto(data, 0.0, where=data < threshold)

    def drop_residents(self, slots: np.ndarray) -> None:
        """Zero every tie of the residents in ``slots``, of every kind, in place (their rows and, by symmetry, their columns).

        Their rows are found through ``indptr``; the other end of each tie, by
        a binary search in the partner's row, so the cost follows the
        movers' ties, not all ties.
        """
        slots = np.asarray(slots, dtype=np.int64)
        rows = np.concatenate([slots + kind * self.n for kind in range(self.kinds)])
        indptr = self.indptr
        starts, ends = indptr[rows], indptr[rows + 1]
        lengths = ends - starts
        in_rows = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(lengths.sum())
        kind_offset = np.repeat(rows - rows % self.n, lengths)
        partners, owners = self.indices[in_rows] + kind_offset, np.repeat(rows % self.n, lengths)
        mirror, found = find(indptr, self.indices, partners, owners)  # (always found: each kind is symmetric)
        self.data[in_rows] = 0.0
        self.data[mirror[found]] = 0.0

    def tie_count(self) -> int:
        """Number of undirected ties (stored entries that are not explicit zeros, halved)."""
        return int(np.count_nonzero(self.data)) // 2


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


def find(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where entry ``(rows[k], cols[k])`` of a CSR matrix is stored, or would be inserted, in ``indices``; and whether it is there.

    A binary search within each row, all rows at once: rows hold tens of
    ties, so a handful of rounds.
    """
    at, end = indptr[rows], indptr[rows + 1]
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
