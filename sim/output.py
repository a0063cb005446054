"""Output folders: created and checked writable before any work, so a bad path costs nothing."""

from __future__ import annotations

from pathlib import Path

from sim.errors import UserError


def ensure_writable_folder(folder: Path, option: str = "--out") -> None:
    """Create ``folder`` (and its parents) and check a file can be written in it, or raise UserError."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise UserError(f"{option}: cannot write to {str(folder)!r}: {error.strerror or error} (accepted: a folder you can write to)") from None
