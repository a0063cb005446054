"""Writing the small TOML documents calibration produces (scenarios and experiment files).

The standard library reads TOML but does not write it. The documents
written here are plain: top-level keys, then one level of tables, values
that are text, numbers, true/false or flat lists, and ``[[events]]``. That
is all scenario and experiment files use, so a few lines replace a
dependency; the result is read back with ``tomllib`` in the tests.
"""

from __future__ import annotations

import json
import math
from typing import Any


def dumps(data: dict[str, Any], header: str = "") -> str:
    """``data`` as TOML text, with ``header`` as leading comment lines."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in data.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)}
    for key, value in data.items():
        if key not in tables and key not in arrays:
            lines.append(f"{_key(key)} = {_value(value)}")
    for name, table in tables.items():
        lines += ["", f"[{_key(name)}]"]
        lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
    for name, items in arrays.items():
        for item in items:
            lines += ["", f"[[{_key(name)}]]"]
            lines += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    """A bare key, a dotted key of bare parts (``policy.reach``, a nested key as experiment files use), or a quoted one."""
    bare = all(part and part.replace("_", "").replace("-", "").isalnum() for part in key.split("."))
    return key if bare else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} to TOML")
        return repr(value)
    if isinstance(value, str):
        if "\n" in value:  # a multi-line text ends with a newline once written
            return '"""\n' + value.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip("\n") + '\n"""'
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write a {type(value).__name__} to TOML")
