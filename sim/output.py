"""Output folders and files: folders created and checked writable before any work, so a bad path costs nothing; files replaced whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import UserError
from sim.parameters import PATH_LIMIT, shown

if TYPE_CHECKING:
    import pandas as pd


def out_folder(text: str) -> Path:
    """An ``--out`` value as a folder (the argparse type): an empty one, as an unset shell variable gives, would write into the current folder."""
    if not text.strip():
        raise UserError("--out: an empty folder name is not accepted (accepted: a folder's path, e.g. results/mine, or . for the current folder)")
    return Path(text)


def ensure_writable_folder(folder: Path, option: str = "--out") -> None:
    """Create ``folder`` (and its parents) and check a file can be written in it, or raise UserError."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise UserError(f"{option}: cannot write to {shown(str(folder), PATH_LIMIT)}: {error.strerror or error} (accepted: a folder you can write to)") from None


@contextmanager
def replacing(*paths: Path) -> Iterator[list[Path]]:
    """Temporary files next to ``paths`` to write; they replace ``paths`` only once all are written whole, and are removed otherwise.

    A full disk, an error or a kill part-way through then leaves the earlier
    files (or none), never a truncated one, nor a new file beside an old one
    it belongs with. The temporary files are in the same folder because
    ``os.replace`` is atomic only within one file system.
    """
    temporaries = [path.with_name(path.name + ".tmp") for path in paths]
    try:
        yield temporaries
        for tmp in temporaries:  # some file systems (NFS, on clusters) report a full disk only here
            descriptor = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        for tmp, path in zip(temporaries, paths, strict=True):
            os.replace(tmp, path)
    except BaseException:
        for tmp in temporaries:
            tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Replace the text file at ``path`` whole (see :func:`replacing`)."""
    with replacing(path) as (tmp,):
        tmp.write_text(text, encoding="utf-8")


def write_csv(path: Path, table: pd.DataFrame) -> None:
    """Replace the CSV file at ``path`` with ``table`` (without its index), whole (see :func:`replacing`)."""
    with replacing(path) as (tmp,):
        table.to_csv(tmp, index=False)
