"""Which files of an evidence folder the loader reads: the one listing behind both the loader and the cache keys.

The loader reads the root files that are there and every ``*.toml`` below
``studies/`` and ``reviews/``, hidden names excepted. Nothing else in the
folder (a ``.git`` folder, notes, a symlink to ``/usr``) is looked at, so it
can neither change a cache key nor slow one down. This module imports no
model, tomli or Rich: an output-cache hit needs only this listing.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import NamedTuple

from ldn_tui.caching.snapshot import FileStat, Snapshot

ROOT_FILES = ("topic.toml", "mechanisms.toml", "questions.toml", "trials.toml")
RECORD_FOLDERS = ("studies", "reviews")


class Scan(NamedTuple):
    snapshot: Snapshot
    root: frozenset[str]  # the root files present (regular files, through symlinks)
    extras: tuple[str, ...]  # other root ``*.toml`` names: not part of the format
    records: tuple[str, ...]  # record files relative to the folder, with "/", in path order
    errors: tuple[tuple[str, str], ...]  # (path relative to the folder, "" for itself; what is wrong)


def scan(folder: Path) -> Scan:
    """The files the loader will read in ``folder``, each looked at once."""
    top = str(folder)
    try:
        folder_id = str(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        folder_id = os.path.abspath(top)
    taken_ns = time.time_ns()
    errors: list[tuple[str, str]] = []
    try:
        names = sorted(os.listdir(top))
    except OSError as exc:
        errors.append(("", f"cannot read the folder: {exc.strerror}"))
        names = []
    extras = tuple(n for n in names if n.endswith(".toml") and n not in ROOT_FILES and not n.startswith("."))
    stats = [found for found in (_stat(top, name) for name in ROOT_FILES if name in names) if found is not None]
    root = frozenset(found.rel for found in stats)
    records: list[str] = []
    for sub in () if errors else RECORD_FOLDERS:
        path = os.path.join(top, sub)
        if os.path.isdir(path):
            records.extend(_toml_files(top, sub, errors))
        elif os.path.exists(path):
            errors.append((sub, "must be a folder"))
    for name in ROOT_FILES:  # a FIFO, folder or device by a root file's name: a problem, never skipped
        if name in names and name not in root:
            errors.append((name, _not_regular(os.path.join(top, name))))
    stats.extend(_stat(top, rel, regular=False) or FileStat(rel, -1, -1, -1, -1) for rel in records)
    others = extras + tuple(f"{rel}: {what}" for rel, what in errors)
    return Scan(Snapshot(folder_id, tuple(stats), others, taken_ns), root, extras, tuple(records), tuple(errors))


def _stat(top: str, rel: str, regular: bool = True) -> FileStat | None:
    try:
        st = os.stat(os.path.join(top, rel))
    except (OSError, ValueError):
        return None
    if regular and not stat.S_ISREG(st.st_mode):
        return None
    return FileStat(rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _not_regular(path: str) -> str:
    """Why a root file that is there is not read: what it is instead of a regular file."""
    from ldn_tui.records.toml_file import file_kind

    try:
        return f"not a regular file: {file_kind(os.stat(path).st_mode)}"
    except OSError as exc:  # a dangling symlink
        return f"cannot read the file: {exc.strerror or exc}"


def _toml_files(top: str, sub: str, errors: list[tuple[str, str]]) -> list[str]:
    """Every ``*.toml`` below ``top/sub`` (symlinked folders inside it are not entered), relative
    to ``top`` with "/", in ``Path`` order; folders that cannot be listed go to ``errors``."""
    found: list[str] = []
    skip = len(top) + 1

    def onerror(exc: OSError) -> None:
        where = exc.filename if isinstance(exc.filename, str) else os.path.join(top, sub)
        errors.append((where[skip:].replace(os.sep, "/"), f"cannot read the folder: {exc.strerror}"))

    for dirpath, dirnames, filenames in os.walk(os.path.join(top, sub), onerror=onerror):
        # A folder named like a record is read as one (and refused: not a regular file), not walked.
        filenames += [d for d in dirnames if d.endswith(".toml")]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not d.endswith(".toml"))
        inner = dirpath[skip:].replace(os.sep, "/")
        found.extend(f"{inner}/{name}" for name in filenames if name.endswith(".toml") and not name.startswith("."))
    # Path order (by components), so "a/x" sorts before "a-b/x" as it always has.
    found.sort(key=lambda rel: os.path.normcase(rel.replace("/", os.sep)).split(os.sep))
    return found
