"""One TOML file -> its table, or a problem naming the file and the line.

Only regular files are read, and at most ``MAX_FILE_BYTES`` of each: the file is opened
without blocking (a FIFO with no writer, a device, a socket or a directory named ``*.toml``
is a problem, never a hang), checked with ``fstat`` on the open descriptor, and read to one
byte past the limit at most (a symlink to ``/dev/zero`` is refused, not read forever).
"""

from __future__ import annotations

import os
import re
import stat
from typing import Any

import tomli

from ldn_tui.model import Problem
from ldn_tui.text import one_line, plain

MAX_FILE_BYTES = 4 * 1024 * 1024
"""The largest evidence file read (4 MiB: the biggest real record is a few kilobytes)."""

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
_BOM = b"\xef\xbb\xbf"
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def read_toml(path: str | os.PathLike[str], shown: str, problems: list[Problem]) -> dict[str, Any] | None:
    """Parse one file; on failure append a problem naming the line and return None."""
    return read_record(path, shown, problems)[0]


def read_record(
    path: str | os.PathLike[str], shown: str, problems: list[Problem]
) -> tuple[dict[str, Any] | None, bool]:
    """``read_toml``, and whether no text in the file can need cleaning (``text.plain``)."""
    raw = read_bytes(path, shown, problems)
    if raw is None:
        return None, False
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]  # a byte-order mark some editors write: not part of the text
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
        at: int | None = getattr(exc, "lineno", None)
        problems.append(Problem(shown, "", one_line(f"TOML syntax error: {_kinder(msg, text, at)}"), at,
                                getattr(exc, "colno", None)))
    except RecursionError:  # tomli refuses arrays, tables or keys nested past its limit
        problems.append(Problem(shown, "", "TOML syntax error: nested too deeply (at most 400 levels of "
                                "arrays and inline tables, 1000 parts of a key)", _deepest_line(text)))
    except ValueError:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        where = _LONG_NUMBER.search(text)
        problems.append(Problem(shown, "", "TOML syntax error: integer too large (too many digits)",
                                text.count("\n", 0, where.start()) + 1 if where else None))
    return None, False


def read_bytes(path: str | os.PathLike[str], shown: str, problems: list[Problem]) -> bytes | None:
    """The bytes of the regular file ``path`` (at most ``MAX_FILE_BYTES``), or None with a problem."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        problems.append(Problem(shown, "", _cannot_read(path, exc)))
        return None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            problems.append(Problem(shown, "", f"not a regular file: {file_kind(mode)}"))
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        problems.append(Problem(shown, "", f"cannot read the file: {exc.strerror or exc}"))
        return None
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        problems.append(Problem(shown, "", f"larger than {_size(MAX_FILE_BYTES)}, the limit for one file"))
        return None
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _size(limit: int) -> str:
    mib = 1024 * 1024
    return f"{limit // mib} MiB" if limit % mib == 0 else f"{limit} bytes"


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words: "a folder", "a FIFO (named pipe)"…"""
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _cannot_read(path: str | os.PathLike[str], exc: OSError) -> str:
    """Why ``open`` failed; a socket (which cannot be opened at all) is named as one."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = 0
    if mode and not stat.S_ISREG(mode):
        return f"not a regular file: {file_kind(mode)}"
    return f"cannot read the file: {exc.strerror or exc}"


# --------------------------------------------------------------------------- kinder messages

_LONG_NUMBER = re.compile(r"[0-9][0-9a-fA-FoxOX_]{4000,}")


def _kinder(msg: str, text: str, line: int | None) -> str:
    """tomli's message, in the words of the mistake most likely to have caused it."""
    if line is None:
        return msg
    lines = text.split("\n")
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if msg == "Unterminated string" or (msg == "Illegal character '\\n'" and here.count('"') % 2):
        quote = '"'
    elif msg == "Expected \"'\"":
        quote = "'"
    else:
        return msg
    return f"string not closed on line {_opening_line(lines, line, quote)}"


def _opening_line(lines: list[str], line: int, quote: str) -> int:
    """The line a string left open at ``line`` starts on: the nearest one at or above it with
    an odd count of ``quote`` (tomli can report the line after, or the end of the file)."""
    for number in range(min(line, len(lines)), 0, -1):
        if lines[number - 1].count(quote) % 2:
            return number
    return line


def _deepest_line(text: str) -> int:
    """The line most deeply nested: brackets open (outside strings and comments) or dots in a key."""
    depth = dots = 0
    best, where, line = 0, 1, 1
    quote = ""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line, dots = line + 1, 0
        elif quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == ".":
            dots += 1
        if max(depth, dots) > best:
            best, where = max(depth, dots), line
        i += 1
    return where
