"""The output cache: whole ``ldn-tui summary`` outputs, printed again while nothing they depend on has changed.

Reading a folder, pooling and laying out the tables cost about a hundred
milliseconds even for the bundled evidence; asking again for the same summary
of an unchanged folder needs none of it. The cache is looked up before the
loader, Rich or the model is imported, so a hit costs about as much as starting
Python.

The key is everything the output depends on, written out in full (and compared
in full, so two keys never share an entry):

- the command and its options (format, width, method);
- every entry below the evidence folder but hidden ones, recursively (through
  symlinks): its path, type, size, mtime, ctime and inode (``cachedir.file_key``),
  so any edit, added or removed file is a miss;
- today's date (validation refuses dates in the future);
- ldn-tui's version and the size and mtime of each of its modules (but the app's), the
  Python version and platform, and the installed Rich and tomli;
- where the output goes: whether stdout is a terminal, the terminal's size,
  stdout's encoding, and the environment variables Rich reads (``TERM``,
  ``NO_COLOR``, ``FORCE_COLOR``, ``COLUMNS``...).

Only complete, successful outputs are stored: never one for a folder with
problems, and never one whose folder changed while it was being made or was
changed within ``cachedir.RACY_NS`` of being read. The files live with the
parse cache (``ldn_tui.caching.dirs``), hold the key, the text and a CRC, are read
only if this user wrote them and nobody else can write them, and are safe to
delete; ``LDN_TUI_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from ldn_tui import __version__
from ldn_tui.caching import dirs as cachedir

FORMAT = 1
MAGIC = b"LDNTUIO1"
SUFFIX = ".ldnout"
KEEP = 32  # output files kept, the least recently written removed first...
MAX_BYTES = 128 << 20  # ...and no more of them than fit in this much space (one bigger output is not kept)
HEADER = 16  # MAGIC, then the key's length and the text's CRC, 4 bytes each (little-endian)

# What Rich reads from the environment to decide colours, width and terminal-ness.
RICH_ENV = (
    "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
    "COLUMNS", "LINES", "JUPYTER_COLUMNS", "JUPYTER_LINES", "DATABRICKS_RUNTIME_VERSION",
)
PACKAGE = Path(__file__).resolve().parent.parent  # the ldn_tui package
NOT_SOURCES = frozenset({"tui", "evidence", "__pycache__"})  # folders of the package a summary does not use


class Key:
    """One output's key, what it was made from, and whether its folder may still be changing
    (then nothing is stored under it)."""

    __slots__ = ("destination", "folder", "folder_id", "options", "racy", "text")

    def __init__(self, text: str, folder: Path, folder_id: str, options: tuple[object, ...], destination: bool,
                 racy: bool) -> None:
        self.text = text
        self.folder = folder
        self.folder_id = folder_id
        self.options = options
        self.destination = destination
        self.racy = racy


def key_for(folder: Path, options: Sequence[object], *, destination: bool = True) -> Key | None:
    """The key of an output made from ``folder`` with ``options`` (and, unless ``destination``
    is False, for where stdout goes); None when the cache is off or the folder cannot be read
    completely (the command then runs as usual)."""
    if not cachedir.enabled():
        return None
    try:
        folder_id = str(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return None
    now = time.time_ns()
    racy = False
    try:
        parts = [f"ldn-tui output cache {FORMAT}", repr(tuple(options)), folder_id, date.today().isoformat(),
                 _software(), _destination() if destination else "any destination"]
        for rel, key in _entries(folder_id):
            parts.append(f"{rel}\0{key}")
            racy = racy or (key is not None and cachedir.is_racy(key, now))
    except OSError:
        return None
    return Key("\n".join(parts), folder, folder_id, tuple(options), destination, racy)


def lookup(key: Key) -> str | None:
    """The stored output for ``key``, or None (no entry, another key, damaged, not ours)."""
    body = lookup_bytes(key)
    if body is None:
        return None
    try:
        return str(body, "utf-8")
    except UnicodeDecodeError:
        return None


def lookup_bytes(key: Key) -> memoryview | None:
    """``lookup`` for an output that is not text (a view of the file's bytes, not a copy)."""
    path = _path(key)
    if path is None:
        return None
    try:
        with open(path, "rb") as file:
            if not cachedir.trusted(os.fstat(file.fileno())):
                return None
            blob = file.read()
    except OSError:
        return None
    want = key.text.encode("utf-8", "surrogatepass")
    if len(blob) < HEADER or blob[:8] != MAGIC:
        return None
    length, crc = int.from_bytes(blob[8:12], "little"), int.from_bytes(blob[12:16], "little")
    if length != len(want) or blob[HEADER : HEADER + length] != want:
        return None
    body = memoryview(blob)[HEADER + length :]
    return body if zlib.crc32(body) == crc else None


def store(key: Key, text: str) -> bool:
    """Keep ``text`` as the output for ``key`` if the folder is as it was when the key was made
    (and settled: see ``cachedir.is_racy``). Failing to write is never an error."""
    return store_bytes(key, text.encode("utf-8", "surrogatepass"))


def store_bytes(key: Key, body: bytes | memoryview) -> bool:
    """``store`` for an output that is not text."""
    if key.racy:
        return False
    again = key_for(key.folder, key.options, destination=key.destination)
    if again is None or again.text != key.text or again.racy:
        return False  # the folder changed while the output was made
    path = _path(key)
    if path is None:
        return False
    want = key.text.encode("utf-8", "surrogatepass")
    if len(body) + len(want) > MAX_BYTES:
        return False
    header = MAGIC + len(want).to_bytes(4, "little") + zlib.crc32(body).to_bytes(4, "little")
    tmp = cachedir.temporary_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(header)
            file.write(want)
            file.write(body)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return False
    cachedir.prune(path.parent, SUFFIX, KEEP, newest=path, max_bytes=MAX_BYTES)
    return True


def _path(key: Key) -> Path | None:
    directory = cachedir.usable_dir(key.folder_id)
    if directory is None:
        return None
    raw = key.text.encode("utf-8", "surrogatepass")
    return directory / f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}{SUFFIX}"


def _entries(top: str) -> Iterator[tuple[str, cachedir.Key | None]]:
    """Every entry below ``top`` but hidden ones (the loader reads none: a ``.git`` folder
    changes nothing), depth first in name order, with its ``file_key`` (None for a folder,
    which is described by its entries). Symlinks count by their targets, folders included, so
    an edit inside a linked ``studies`` folder is seen; a folder met twice is walked once."""
    seen: set[tuple[int, int]] = set()
    stack = [""]
    while stack:
        rel = stack.pop()
        with os.scandir(os.path.join(top, rel) if rel else top) as it:
            items = sorted(it, key=lambda entry: entry.name, reverse=True)
        for entry in items:
            if entry.name.startswith("."):
                continue
            name = f"{rel}/{entry.name}" if rel else entry.name
            try:
                st = entry.stat()
            except OSError:
                raise OSError(f"cannot stat {name}") from None  # the loader will say what is wrong
            if entry.is_dir():
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    stack.append(name)
                yield name + "/", None
                continue
            yield name, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _software() -> str:
    """ldn-tui (its version and every module but the app's), Python, Rich and tomli, as installed."""
    parts = [__version__, sys.version, sys.platform]
    folders = [str(PACKAGE)]
    while folders:
        with os.scandir(folders.pop()) as it:
            for entry in sorted(it, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in NOT_SOURCES:
                        folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    parts.append(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}")
    for package in ("rich", "tomli"):
        parts.append(f"{package}:{_installed(package)}")
    return "|".join(parts)


def _installed(package: str) -> str:
    """Where a package's ``__init__`` is and its size and mtime (a reinstall changes them),
    found on ``sys.path`` as the import system would, without importing it."""
    for entry in sys.path:
        init = os.path.join(entry or ".", package, "__init__.py")
        try:
            st = os.stat(init)
        except OSError:
            continue
        return f"{os.path.abspath(init)}:{st.st_size}:{st.st_mtime_ns}"
    raise OSError(f"{package} not found")  # then no caching (key_for gives None)


def _destination() -> str:
    """Where the output goes, as far as Rich would look."""
    env = "|".join(f"{name}={os.environ.get(name)}" for name in RICH_ENV)
    sizes = []
    for fd in (0, 1, 2):
        try:
            size = os.get_terminal_size(fd)
            sizes.append(f"{size.columns}x{size.lines}")
        except (OSError, ValueError):
            sizes.append("-")
    try:
        tty = sys.stdout.isatty()
    except (AttributeError, ValueError):
        tty = False
    encoding = getattr(sys.stdout, "encoding", None)
    return f"tty={tty}|{','.join(sizes)}|{encoding}|{env}"
