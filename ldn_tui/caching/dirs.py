"""Where ldn-tui keeps its caches, and the rules every cache file follows.

Two caches live here: the parse cache (``ldn_tui.caching.tables``: parsed tables of big
folders) and the output cache (``ldn_tui.caching.outputs``: whole ``summary`` outputs).
Both use ``$LDN_TUI_CACHE_DIR``, else ``$XDG_CACHE_HOME/ldn-tui``, else
``~/.cache/ldn-tui``; never a directory inside the evidence folder they
describe. ``LDN_TUI_NO_CACHE=1`` turns both off, and their files are safe to
delete at any time.

This module imports nothing beyond the standard library's basics: the output
cache runs it before anything else at the start of ``ldn-tui summary``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

RACY_NS = 3_000_000_000  # a file changed this recently is not cached (see is_racy)

Key = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def enabled() -> bool:
    """False when ``LDN_TUI_NO_CACHE`` is set to anything but 0/false/no/off."""
    return os.environ.get("LDN_TUI_NO_CACHE", "").strip().lower() in ("", "0", "false", "no", "off")


def cache_dir() -> Path | None:
    """The cache directory to use, or None when caching is off or there is no home."""
    if not enabled():
        return None
    override = os.environ.get("LDN_TUI_CACHE_DIR")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "ldn-tui"
    home = os.path.expanduser("~")
    if home == "~" or not os.path.isabs(home):
        return None
    return Path(home) / ".cache" / "ldn-tui"


def usable_dir(folder_id: str) -> Path | None:
    """The cache directory, created if need be, for caching facts about the resolved folder
    ``folder_id``; None when caching is off or the directory would be inside that folder."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        resolved = directory.resolve()
        here = Path(folder_id)
        if resolved == here or here in resolved.parents:
            return None  # a cache must never land in the evidence folder
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (OSError, RuntimeError, ValueError):
        return None
    return directory


def file_key(path: str) -> Key | None:
    """What identifies one version of a file: any change, even one that keeps the size
    or restores the mtime, changes the ctime (and a replaced file has a new inode)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def is_racy(key: Key, now_ns: int, racy_ns: int | None = None) -> bool:
    """Changed so recently (``RACY_NS`` unless told) that a second change inside the same clock
    tick could leave the key unchanged (git's "racily clean"): such a file is not cached."""
    return max(key[1], key[2]) >= now_ns - (RACY_NS if racy_ns is None else racy_ns)


def trusted(st: os.stat_result) -> bool:
    """A cache file this user wrote and nobody else may write: the only kind that is read."""
    return not hasattr(os, "getuid") or (st.st_uid == os.getuid() and not st.st_mode & 0o022)


def prune(directory: Path, suffix: str, keep: int, newest: Path, max_bytes: int | None = None) -> None:
    """Keep the ``keep`` most recently written ``*suffix`` files, ``newest`` among them, and
    (with ``max_bytes``) only as many of the others as fit in that many bytes together with it;
    drop temporary files (``.tmp-*``) that a crash left more than an hour ago."""
    try:
        found: list[tuple[int, int, Path]] = []
        now = time.time()
        total = 0
        with os.scandir(directory) as it:
            for item in it:
                if not item.name.endswith(suffix) or not item.is_file(follow_symlinks=False):
                    continue
                st = item.stat(follow_symlinks=False)
                if item.name.startswith(".tmp-"):
                    if now - st.st_mtime > 3600:
                        os.unlink(item.path)
                elif item.path != str(newest):
                    found.append((st.st_mtime_ns, st.st_size, Path(item.path)))
                else:
                    total += st.st_size
        found.sort(reverse=True)
        for count, (_, size, old) in enumerate(found, start=2):
            total += size
            if count > keep or (max_bytes is not None and total > max_bytes):
                old.unlink()
    except OSError:
        pass


def temporary_name(target: Path) -> Path:
    """A fresh name beside ``target`` to write to and then rename over it."""
    return target.with_name(f".tmp-{os.getpid()}-{os.urandom(6).hex()}{target.suffix}")
