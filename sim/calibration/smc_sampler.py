"""A pyabc sampler whose generations depend only on the seed: not on the number of workers, nor on timing.

pyabc's own parallel samplers accept whichever candidates finish first and
reseed each worker from the operating system, so two runs never give the
same posterior. Here every candidate has an index ``i`` within its
generation ``t`` and draws all its randomness from a seed derived from
``(seed, t, i)`` (numpy ``SeedSequence``); candidates are evaluated in
order of index, ``ahead`` of them at a time, and accepted in index order until ``n`` are
accepted. Whatever the number of workers, how many go ahead or the speed of each
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

Candidates after the ``n``-th acceptance are discarded unseen: the cost of
determinism is at most ``ahead`` simulations per generation (those not yet
started are cancelled).
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
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import count
from typing import Any

import numpy as np
from pyabc.sampler import Sampler

from sim.batch.executors import init_worker, start_method

AHEAD_PER_WORKER = 4
"""Candidates given to the workers ahead of the next one to be accepted, per worker.

Each candidate is its own task, and a new one is given as the oldest
finishes, so a worker never waits for another's slower simulation, as it did
when candidates went in batches of four that all had to finish (on 2 workers
at the calibration's generation 10, 5 to 10% of the workers' time was spent
waiting; now 1%). Four per worker keep both busy while one simulation takes
a few times another's, and waste at most eight simulations a generation.
"""

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

    def stream(self, stop: int | None) -> Iterator[Any]:
        for index in range(stop) if stop is not None else count():
            yield from _evaluate(index, index + 1)

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

    def stream(self, stop: int | None, ahead: int) -> Iterator[Any]:
        """Candidates 0, 1, ... (up to ``stop``) in index order, ``ahead`` of them submitted at a time."""
        submitted: deque[Future] = deque()
        indices = iter(range(stop) if stop is not None else count())
        while True:
            for index in indices:
                submitted.append(self._pool.submit(_evaluate, index, index + 1))
                if len(submitted) >= ahead:
                    break
            if not submitted:
                return
            yield from submitted.popleft().result()

    def close(self, abort: bool) -> None:
        if abort:  # Ctrl-C or an error: stop simulations in progress now
            for process in list(getattr(self._pool, "_processes", {}).values()):  # no public way before Python 3.14
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)


class SeededSampler(Sampler):
    """Evaluates candidates in index order on ``workers`` processes, ``ahead`` at a time, accepting in index order.

    The result depends on ``seed`` only; ``workers`` and ``ahead`` change
    only how fast it comes (more ahead waste more simulations after the last
    acceptance, fewer may leave a worker waiting).
    """

    def __init__(self, seed: int, workers: int = 1, ahead: int | None = None):
        super().__init__()
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        if ahead is not None and ahead < 1:
            raise ValueError(f"ahead must be at least 1, not {ahead}")
        self.seed = seed
        self.workers = workers
        self.ahead = ahead or AHEAD_PER_WORKER * workers

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        sample = self._create_empty_sample()
        accepted = evaluated = 0
        candidates: _InProcess | _Pool | None = None
        aborted = True
        stop = None if max_eval == np.inf else int(max_eval)
        try:
            if self.workers == 1:
                candidates = _InProcess(simulate_one, self.seed, t)
                particles = candidates.stream(stop)
            else:
                candidates = _Pool(self.workers, simulate_one, self.seed, t)
                particles = candidates.stream(stop, self.ahead)
            for particle in particles:
                sample.append(particle)
                evaluated += 1
                accepted += bool(particle.accepted)
                if accepted == n:
                    break
            aborted = False
        finally:
            if candidates is not None:
                candidates.close(abort=aborted)  # candidates submitted but not started are cancelled
        self.nr_evaluations_ = evaluated
        if accepted < n:
            sample.ok = False
        return sample
