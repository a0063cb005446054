"""Giving memory back to the system after browser sessions close.

A closed session's models, figures and pictures are freed by Python (see
:mod:`sim.viz.census`), but the C library keeps the freed memory for reuse,
spread over many small heaps ("arenas"): glibc gives each thread that
allocates one, up to eight per core, and Solara runs every page in threads
of its own. Measured with ``experiments/viz_memory.py`` (40 sessions
side by side, all released): the server stayed 290 MB above its start.
Two settings fix that, both only on glibc (Linux; elsewhere they do nothing):

- :func:`limit_arenas`: at most two heaps, so what one session freed is
  reused by the next instead of sitting in a heap no thread comes back to;
- :class:`Trimmer`: once sessions have been released, ``malloc_trim(0)``
  hands the free pages of every heap back to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading

M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the number of heaps (malloc.h)."""

ARENAS = 2

QUIET_SECONDS = 1.0
"""Trim once releases have stopped for this long (closing pages come in bursts; each trim walks every heap)."""


@functools.cache  # finding the library can run ldconfig: once is enough
def _libc():
    """glibc, or None on another C library (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim  # noqa: B018 - only glibc has it
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Let the C library keep at most ``arenas`` heaps from now on; True if it could (glibc)."""
    libc = _libc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, arenas) == 1)


def trim() -> bool:
    """Return the free memory of every heap to the system now; True if any was returned."""
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0))


class Trimmer:
    """A background thread that trims the heaps (:func:`trim`) after a burst of :meth:`soon` calls has ended."""

    def __init__(self, quiet: float = QUIET_SECONDS):
        self.quiet = quiet
        self.trims = 0
        self._wanted = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-trimmer", daemon=True)
        self._thread.start()

    def soon(self) -> None:
        """Ask for a trim once things are quiet (cheap: safe to call from a garbage-collection callback)."""
        self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            while self._wanted.wait(self.quiet):  # more releases within the quiet time: wait for the burst to end
                self._wanted.clear()
            trim()
            self.trims += 1
