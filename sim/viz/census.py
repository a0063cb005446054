"""How many browser sessions are alive in this process: evidence that a closed page gives its memory back.

:class:`~sim.viz.session.Session` registers itself here when built, and is
counted until Python actually frees it (a weak-reference finaliser), not
merely until its page closes: a session still referenced from somewhere (a
thread, a cache, a closure) keeps its models and pictures in memory and is
still counted. The server prints each change (see :mod:`sim.viz.server`),
so a test or benchmark can wait for "live sessions: 0" in its log.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

_lock = threading.Lock()
_live = 0
_listeners: list[Callable[[str, int], None]] = []


def track(session: object) -> None:
    """Count ``session`` as live until it is freed."""
    global _live
    with _lock:
        _live += 1
        count = _live
    weakref.finalize(session, _freed)
    _tell("opened", count)


def _freed() -> None:
    global _live
    with _lock:
        _live -= 1
        count = _live
    _tell("released", count)


def live() -> int:
    """Sessions built and not yet freed."""
    with _lock:
        return _live


def listen(listener: Callable[[str, int], None]) -> None:
    """Call ``listener(event, live)`` when a session is opened or released (``event`` is "opened" or "released")."""
    _listeners.append(listener)


def _tell(event: str, count: int) -> None:
    for listener in list(_listeners):
        listener(event, count)
