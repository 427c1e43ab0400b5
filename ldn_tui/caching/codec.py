"""Parsed TOML tables as bytes for the cache store, read back without running any code.

Pickle is the stdlib's fastest codec for these trees; loading allows no global but
TOML's ``datetime`` types, so nothing read back can name a class. Apart from the
store, so that an output-cache hit does not import pickle.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

_DATETIME = frozenset({"date", "datetime", "time", "timezone", "timedelta"})


class _TomlTypes(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _DATETIME:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"global {module}.{name} not allowed")


def encode(table: dict[str, Any]) -> bytes:
    """A table pickled without the memo, which only costs time: a TOML table is a tree."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(table)
    return buffer.getvalue()


def decode(blob: bytes) -> dict[str, Any] | None:
    """An encoded table, or None if the bytes are not one."""
    try:
        value = _TomlTypes(io.BytesIO(blob)).load()
    except Exception:  # anything that does not unpickle is "not cached"
        return None
    return value if isinstance(value, dict) else None
