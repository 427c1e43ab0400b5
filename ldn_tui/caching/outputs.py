"""Keys of whole outputs (``ldn-tui summary``, a kept search index): everything an output depends on, written out.

Looked up before the loader, Rich or the model is imported, a hit costs little more than starting
Python. The key holds the options; the folder's snapshot; today's date (validation refuses future
dates); each ldn-tui module's size and mtime (but the app's), Python, Rich and tomli as installed;
and, unless told otherwise, where the output goes (terminal or not, its size, encoding, Rich's variables).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NamedTuple, TypeVar

from ldn_tui.caching import store
from ldn_tui.caching.snapshot import Snapshot

LAYOUT = 2
T = TypeVar("T")
# What Rich reads from the environment to decide colours, width and terminal-ness.
RICH_ENV = (
    "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
    "COLUMNS", "LINES", "JUPYTER_COLUMNS", "JUPYTER_LINES", "DATABRICKS_RUNTIME_VERSION",
)
PACKAGE = Path(__file__).resolve().parent.parent  # the ldn_tui package
NOT_SOURCES = frozenset({"tui", "evidence", "__pycache__"})  # folders of the package an output does not use


class OutputKey(NamedTuple):
    folder_id: str
    text: str
    settled: bool  # no file of the folder changed just now: the output may be kept


def key_for(snapshot: Snapshot, options: Sequence[object], *, destination: bool = True) -> OutputKey | None:
    """The key of an output made from the folder of ``snapshot`` with ``options`` (and, unless
    ``destination`` is False, for where stdout goes); None when the cache is off."""
    if store.cache_dir() is None:
        return None
    try:
        parts = [f"ldn-tui output {LAYOUT}", repr(tuple(options)), snapshot.folder_id, date.today().isoformat(),
                 _software(), _destination() if destination else "any destination", *snapshot.others]
    except OSError:
        return None
    parts.extend("\0".join(map(str, stat)) for stat in snapshot.files)
    return OutputKey(snapshot.folder_id, "\n".join(parts), all(map(snapshot.settled, snapshot.files)))


def lookup(key: OutputKey) -> bytes | None:
    """The output kept under ``key``, or None."""
    return store.output(key.folder_id, key.text)


def lookup_read(key: OutputKey, read: Callable[[Callable[[int], bytes], int], T | None]) -> T | None:
    """``read(take, size)`` of the output kept under ``key`` (``store.output_read``), or None."""
    return store.output_read(key.folder_id, key.text, read)


def keep(key: OutputKey, body: bytes) -> bool:
    """Keep ``body`` as the output for ``key`` unless its folder may still be changing."""
    return key.settled and store.put_output(key.folder_id, key.text, body)


def _software() -> str:
    """ldn-tui (every module but the app's), Python, Rich and tomli, as installed."""
    parts = [sys.version, sys.platform]
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
    """A package's ``__init__`` found on ``sys.path`` without importing it, with its size and mtime."""
    for entry in sys.path:
        init = os.path.join(entry or ".", package, "__init__.py")
        try:
            st = os.stat(init)
        except OSError:
            continue
        return f"{os.path.abspath(init)}:{st.st_size}:{st.st_mtime_ns}"
    raise OSError(f"{package} not found")  # then no key


def _destination() -> str:
    """Where the output goes, as far as Rich would look."""
    parts = [f"{name}={os.environ.get(name)}" for name in RICH_ENV] + [str(getattr(sys.stdout, "encoding", None))]
    for fd in (0, 1, 2):
        try:
            parts.append("{}x{}".format(*os.get_terminal_size(fd)))
        except (OSError, ValueError):
            parts.append("-")
    try:
        parts.append(f"tty={sys.stdout.isatty()}")
    except (AttributeError, ValueError):
        parts.append("tty=False")
    return "|".join(parts)
