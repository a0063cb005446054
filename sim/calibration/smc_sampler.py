"""A pyabc sampler whose generations depend only on the seed: not on the number of workers, nor on timing.

pyabc's own parallel samplers accept whichever candidates finish first and
reseed each worker from the operating system, so two runs never give the
same posterior. Here every candidate has an index ``i`` within its
generation ``t`` and draws all its randomness from a seed derived from
``(seed, t, i)`` (numpy ``SeedSequence``); candidates are evaluated in
batches of consecutive indices and accepted in index order until ``n`` are
accepted. Whatever the number of workers, the batch size or the speed of each
simulation, generation ``t`` is the same set of particles, and generation
``t`` of a run resumed after ``kill -9`` is the same as in a run never
interrupted.

pyabc draws every proposal from numpy's *global* random state
(``np.random.choice`` and ``np.random.multivariate_normal`` in its
transitions, scipy's ``rvs`` without a ``random_state`` for the prior), and
its ``simulate_one`` offers no other way in. So before each candidate, the
global state (and Python's ``random``) is seeded from the candidate's seed;
the simulator must draw its own randomness from there too (``np.random.*``,
or an integer seed taken from it for its own generator). In worker processes
that state is the worker's own; in this process (one worker) it is saved
and put back afterwards.

Candidates after the ``n``-th acceptance of a batch are discarded unseen:
the cost of determinism is at most one batch of simulations per generation.
``nr_evaluations_`` (pyabc's acceptance-rate denominator, stored in its
database) counts the candidates up to and including the ``n``-th accepted,
so it too is the same on any number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from math import ceil
from typing import Any

import numpy as np
from pyabc.sampler import Sampler

from sim.batch.executors import init_worker, start_method

CHUNKS_PER_WORKER = 2
"""A batch is split into this many contiguous chunks per worker: few messages, and a slow chunk delays the batch little."""

# What a worker process evaluates: set once per generation, in the worker (by the
# pool's initializer) or in this process (one worker).
_simulate_one: Callable[[], Any] | None = None
_seed: int = 0
_generation: int = 0


def candidate_seed(seed: int, generation: int, index: int) -> np.ndarray:
    """The 128-bit seed of candidate ``index`` of ``generation`` (four 32-bit words).

    pyabc asks for a calibration sample from the prior at generation -1, and
    a SeedSequence's spawn key must not be negative: hence ``generation + 1``.
    """
    return np.random.SeedSequence(seed, spawn_key=(generation + 1, index)).generate_state(4)


def _seed_globals(words: np.ndarray) -> None:
    np.random.seed(words)
    random.seed(int.from_bytes(words.tobytes(), "little"))


def _evaluate(start: int, stop: int) -> list[Any]:
    """Candidates ``start`` to ``stop - 1`` of the current generation, in order (pyabc Particles)."""
    assert _simulate_one is not None
    particles = []
    for index in range(start, stop):
        _seed_globals(candidate_seed(_seed, _generation, index))
        particles.append(_simulate_one())
    return particles


def _install(simulate_one: Callable[[], Any], seed: int, generation: int) -> None:
    global _simulate_one, _seed, _generation
    _simulate_one, _seed, _generation = simulate_one, seed, generation


def _start_worker(simulate_one: Callable[[], Any], seed: int, generation: int) -> None:
    """Pool initializer: the generation to evaluate; Ctrl-C left to the main process, and exit if it dies (as a batch's workers)."""
    _install(simulate_one, seed, generation)
    init_worker()


class _InProcess:
    """One worker: candidates evaluated here, with numpy's and Python's global random states put back afterwards."""

    def __init__(self, simulate_one: Callable[[], Any], seed: int, generation: int):
        self._saved = (np.random.get_state(), random.getstate())
        _install(simulate_one, seed, generation)

    def evaluate(self, start: int, stop: int) -> list[Any]:
        return _evaluate(start, stop)

    def close(self, abort: bool) -> None:
        _install(None, 0, 0)  # type: ignore[arg-type]
        np.random.set_state(self._saved[0])
        random.setstate(self._saved[1])


class _Pool:
    """Worker processes for one generation, started with that generation's ``simulate_one``.

    A new pool per generation: with fork (Linux) the workers inherit the
    generation's transition and threshold without pickling them; with spawn or
    forkserver they are pickled once per worker, not once per candidate.
    """

    def __init__(self, workers: int, simulate_one: Callable[[], Any], seed: int, generation: int):
        self.workers = workers
        method = start_method()
        sys.stdout.flush()  # a forked child must not write out a copy of what is still buffered here
        sys.stderr.flush()
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_start_worker,
                                         initargs=(simulate_one, seed, generation))
        try:
            with warnings.catch_warnings():
                # Python 3.12 warns about forking while C libraries (OpenBLAS) run threads; start_method
                # only forks when no other *Python* thread runs (see sim.batch.executors.start_method).
                warnings.filterwarnings("ignore", message=r"This process \(pid=\d+\) is multi-threaded, use of fork\(\) may lead to deadlocks",
                                        category=DeprecationWarning)
                for future in [self._pool.submit(os.getpid) for _ in range(workers)]:
                    future.result()
        except BaseException:  # Ctrl-C while the workers start
            self.close(abort=True)
            raise

    def evaluate(self, start: int, stop: int) -> list[Any]:
        size = ceil((stop - start) / (CHUNKS_PER_WORKER * self.workers))
        futures = [self._pool.submit(_evaluate, lo, min(lo + size, stop)) for lo in range(start, stop, size)]
        return [particle for future in futures for particle in future.result()]

    def close(self, abort: bool) -> None:
        if abort:  # Ctrl-C or an error: stop simulations in progress now
            for process in list(getattr(self._pool, "_processes", {}).values()):  # no public way before Python 3.14
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)


class SeededSampler(Sampler):
    """Evaluates candidates in batches of ``batch_size`` consecutive indices, on ``workers`` processes, accepting in index order.

    The result depends on ``seed`` only; ``workers`` and ``batch_size`` change
    only how fast it comes (a larger batch wastes more simulations after the
    last acceptance but exchanges fewer messages with the workers).
    """

    def __init__(self, seed: int, workers: int = 1, batch_size: int | None = None):
        super().__init__()
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        if batch_size is not None and batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.seed = seed
        self.workers = workers
        self.batch_size = batch_size or CHUNKS_PER_WORKER * workers

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        sample = self._create_empty_sample()
        accepted = evaluated = 0
        candidates: _InProcess | _Pool | None = None
        aborted = True
        try:
            candidates = _InProcess(simulate_one, self.seed, t) if self.workers == 1 else _Pool(self.workers, simulate_one, self.seed, t)
            while accepted < n and evaluated < max_eval:
                stop = evaluated + self.batch_size if max_eval == np.inf else min(evaluated + self.batch_size, int(max_eval))
                for particle in candidates.evaluate(evaluated, stop):
                    sample.append(particle)
                    evaluated += 1
                    accepted += bool(particle.accepted)
                    if accepted == n:
                        break
            aborted = False
        finally:
            if candidates is not None:
                candidates.close(abort=aborted)
        self.nr_evaluations_ = evaluated
        if accepted < n:
            sample.ok = False
        return sample
