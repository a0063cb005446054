"""Reading TOML text as users write it: a byte-order mark is accepted, and no document can crash the reader.

Editors on Windows save UTF-8 with a byte-order mark, which ``tomllib``
rejects as "Invalid statement at line 1"; it is dropped here. ``tomllib``
parses arrays and inline tables recursively, so a document nested a few
thousand levels deep (``x = [[[...]]]``) raises ``RecursionError``: that
is bad input like any other, and gets one sentence.
"""

from __future__ import annotations

import tomllib
from typing import Any

from sim.errors import UserError

BYTE_ORDER_MARK = "\ufeff"


def decode(data: bytes) -> str:
    """UTF-8 text without a leading byte-order mark (``UnicodeDecodeError`` for anything else)."""
    return data.decode("utf-8-sig")


def parse(text: str, where: str, example: str) -> dict[str, Any]:
    """The TOML document ``text``; every way it can fail is one :class:`UserError` naming ``where``."""
    try:
        return tomllib.loads(text.removeprefix(BYTE_ORDER_MARK))
    except (tomllib.TOMLDecodeError, ValueError) as error:  # ValueError: an integer of more than 4300 digits
        raise UserError(f"{where}: not valid TOML: {error} (accepted: a TOML document; see {example} for an example)") from None
    except RecursionError:
        raise UserError(f"{where}: arrays or tables nested too deeply to read (accepted: a TOML document nested a few levels, as in {example})") from None
