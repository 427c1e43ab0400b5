"""One TOML file -> its table, or a problem naming the file and the line."""

from __future__ import annotations

import os
from typing import Any

import tomli

from ldn_tui.model import Problem
from ldn_tui.text import one_line, plain


def read_toml(path: str | os.PathLike[str], shown: str, problems: list[Problem]) -> dict[str, Any] | None:
    """Parse one file; on failure append a problem naming the line and return None."""
    return read_record(path, shown, problems)[0]


def read_record(
    path: str | os.PathLike[str], shown: str, problems: list[Problem]
) -> tuple[dict[str, Any] | None, bool]:
    """``read_toml``, and whether no text in the file can need cleaning (``text.plain``)."""
    try:
        # Unbuffered: one read of the whole file, without a buffer object in between.
        with open(path, "rb", buffering=0) as file:
            raw = file.readall()
    except OSError as exc:
        problems.append(Problem(shown, "", f"cannot read the file: {exc.strerror or exc}"))
        return None, False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        problems.append(
            Problem(shown, "", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, column)
        )
        return None, False
    try:
        return tomli.loads(text), plain(raw)
    except tomli.TOMLDecodeError as exc:
        msg = getattr(exc, "msg", str(exc))
        where: tuple[int | None, int | None] = (getattr(exc, "lineno", None), getattr(exc, "colno", None))
        problems.append(Problem(shown, "", one_line(f"TOML syntax error: {msg}"), *where))
    except (RecursionError, ValueError) as exc:  # pathological nesting, huge numbers
        problems.append(Problem(shown, "", f"TOML syntax error: {type(exc).__name__}"))
    return None, False
