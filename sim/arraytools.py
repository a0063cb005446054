"""Array helpers that give numpy's own numbers faster for the shapes this model uses.

Resident state often comes as ``(households, domains)`` arrays with a few
columns. Numpy works through such an array a short row at a time, paying a
per-row overhead: for sums along the rows, down the columns, and for a factor
per column. The helpers here work a column at a time and give bitwise the
same numbers (each adds in the same order as numpy's own) at a quarter of
the time or less (measured at 10,000 households).
"""

from __future__ import annotations

import numpy as np


def row_totals(x: np.ndarray) -> np.ndarray:
    """``x.sum(axis=1)`` for a 2-D array with a few columns (a new array).

    Numpy adds a row of fewer than eight numbers in order, as this does; from
    eight on it sums pairwise, so its own sum is used.
    """
    if x.shape[1] >= 8 or x.shape[1] == 0:
        return x.sum(axis=1)
    total = x[:, 0].copy()
    for j in range(1, x.shape[1]):
        total += x[:, j]
    return total


def column_totals(x: np.ndarray) -> np.ndarray:
    """``x.sum(axis=0)`` for a 2-D array with a few columns.

    For a C-ordered array with two or more columns, both add each column's
    numbers in row order (``tests/test_arraytools.py`` checks against numpy's
    own sum); otherwise numpy may sum differently, so its own sum is used.
    """
    if x.ndim == 2 and x.shape[1] > 1 and x.flags.c_contiguous:
        return np.einsum("ij->j", x)
    return x.sum(axis=0)


def scale_columns(x: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """``x * factor`` for a 2-D array and one factor per column (a new array)."""
    out = np.empty_like(x)
    for j in range(x.shape[1]):
        np.multiply(x[:, j], factor[j], out=out[:, j])
    return out


def expit(x: np.ndarray | float) -> np.ndarray:
    """``scipy.special.expit(x)``, the same function (so the same numbers), with scipy imported at the first call.

    The modules that call it also declare parameters, which the commands that
    do not run the model (``python run.py params``, ``check``) read: importing
    scipy for them would cost a fifth of a second. A call costs about a
    microsecond more than scipy's own; a month makes a handful.
    """
    from scipy.special import expit as scipy_expit

    return scipy_expit(x)
