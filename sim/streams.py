"""Named random streams derived from the run's seed (common random numbers).

Every random decision in the model draws from its own stream, named for the
decision ("participation", "job_finding", ...), and each per-step decision
draws one number per resident slot whether or not the number is used. Two
runs with the same seed therefore face the same residents, network and luck
under any policy, and a change in one mechanism's draws cannot shift another
mechanism's. This is the design of Starsim's ``distributions.py``, reduced to
what this model needs.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable integer for a stream name (Python's ``hash`` is salted per process)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """A lazily created ``numpy.random.Generator`` per stream name."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        generator = self._generators.get(name)
        if generator is None:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(stream_key(name),))
            generator = np.random.default_rng(sequence)
            self._generators[name] = generator
        return generator
