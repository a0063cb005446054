"""Compiled loops (numba) for the month's per-household and per-tie work, one module per concept.

Why: numpy runs each arithmetic step of a rule as its own pass over every
household, with a temporary array per step; at 1,000,000 households the
month was hundreds of such passes, and memory traffic, not arithmetic, set
its cost. A kernel here reads each household's values once and writes each
result once.

Rules kept by every kernel, so the model's numbers stay bitwise those of
the numpy formulas they replace (``tests/test_kernels.py`` checks each
against the formula on random inputs, ``tests/test_baseline.py`` and
``tests/test_reference.py`` the whole model):

- the same operations in the same order on each element (numba compiles
  without ``fastmath``, so LLVM neither reorders nor fuses them into
  multiply-adds);
- every sum adds its terms in the order numpy or scipy added them; sums
  numpy adds pairwise (``np.sum`` and ``np.mean`` over a whole array) stay
  in numpy;
- no transcendental function: numpy's ``exp`` (its own SIMD code on
  AVX-512 machines) and the C library's may differ in the last bit, so
  ``exp`` and ``expit`` stay in numpy and their results are passed in;
- random numbers are drawn by the model's numpy streams, in the same order
  and the same amounts, and passed in.

Every function is compiled with ``cache=True``: the machine code is kept
on disk beside the module (``__pycache__``) and loaded by later processes
(README: Speed gives numba's start-up cost, cold and warm). The modules are
imported only when a model runs: the commands that do not run it (``--help``,
``params``, ``check``) never import numba.
"""
