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
from collections.abc import Callable

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

    def __init__(self, quiet: float = QUIET_SECONDS, before: Callable[[], object] | None = None):
        self.quiet = quiet
        self.before = before  # run before each trim: e.g. to drop caches of what the released sessions used
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
            if self.before is not None:
                self.before()
            trim()
            self.trims += 1



TRACE_VARIABLE = "SHS_MEMORY_TRACE"
"""Debugging aid: with ``SHS_MEMORY_TRACE=1`` the server traces Python's allocations (:mod:`tracemalloc`) and,
on each ``SIGUSR1``, takes a snapshot and prints to its log how it differs from the previous one: the biggest
differences by traceback, and the kinds of object that grew in number. ``experiments/viz_memory.py --trace``
sends the signals. Slow and memory-hungry (every allocation is recorded): for finding leaks, never for use."""


class Tracer:
    """Snapshots of Python's allocations on request (see :data:`TRACE_VARIABLE`)."""

    def __init__(self, frames: int = 12, top: int = 20):
        import tracemalloc

        self.top = top
        self.snapshots: list = []
        self.counts: list[dict[str, int]] = []
        self._wanted = threading.Event()
        tracemalloc.start(frames)
        threading.Thread(target=self._run, name="memory-tracer", daemon=True).start()

    @classmethod
    def from_environment(cls, environ) -> Tracer | None:
        """A tracer listening for ``SIGUSR1`` if :data:`TRACE_VARIABLE` is set, else None."""
        if not environ.get(TRACE_VARIABLE):
            return None
        import signal

        tracer = cls()
        signal.signal(signal.SIGUSR1, lambda *_: tracer._wanted.set())
        return tracer

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            self.snapshot()

    def snapshot(self) -> None:
        """Take a snapshot now and print how it differs from the previous one."""
        import gc
        import tracemalloc

        gc.collect()
        snapshot = tracemalloc.take_snapshot().filter_traces((tracemalloc.Filter(False, tracemalloc.__file__),))
        counts: dict[str, int] = {}
        for thing in gc.get_objects():
            name = f"{type(thing).__module__}.{type(thing).__qualname__}"
            counts[name] = counts.get(name, 0) + 1
        self.snapshots.append(snapshot)
        self.counts.append(counts)
        traced = sum(s.size for s in snapshot.statistics("filename")) / 1e6
        print(f"memory trace: snapshot {len(self.snapshots)} ({traced:.1f} MB traced)", flush=True)
        if len(self.snapshots) < 2:
            return
        before, after = self.counts[-2:]
        grown = sorted(((after.get(n, 0) - before.get(n, 0), n) for n in set(before) | set(after)), reverse=True)
        print("memory trace: objects that grew in number: " + ", ".join(f"{n} {d:+d}" for d, n in grown[:40] if d > 0), flush=True)
        for stat in self.snapshots[-1].compare_to(self.snapshots[-2], "traceback")[: self.top]:
            print(f"memory trace: {stat.size_diff / 1e3:+.1f} kB, {stat.count_diff:+d} blocks", flush=True)
            for line in stat.traceback.format(most_recent_first=True):
                print(f"memory trace:   {line}", flush=True)
        print(f"memory trace: end of snapshot {len(self.snapshots)}", flush=True)
