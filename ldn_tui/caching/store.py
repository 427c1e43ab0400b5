"""The one cache store: parsed tables, rendered outputs and kept search indexes, in one SQLite file.

``cache.sqlite3`` in ``$LDN_TUI_CACHE_DIR``, else ``$XDG_CACHE_HOME/ldn-tui``, else ``~/.cache/ldn-tui``;
never inside the evidence folder; ``LDN_TUI_NO_CACHE=1`` turns it off; safe to delete at any time.
SQLite commits are atomic under concurrent processes and ``kill -9``. Entries are bytes; outputs are
found by their whole key, compared in full. Any failure means no cache for that operation, never an
error; a file SQLite finds damaged is replaced. The directory must be this user's own and private
(else one warning line, no cache), the database and its journal regular files of this user nobody
else may write, checked with ``lstat`` before SQLite opens them (a FIFO there would hang the open).
"""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from ldn_tui.caching.snapshot import Snapshot

LAYOUT = 1  # the database's user_version; another one is dropped by the next write
NAME = "cache.sqlite3"
KEEP_FOLDERS = 8  # folders whose tables are kept, the least recently written dropped first
KEEP_OUTPUTS = 32  # outputs kept, likewise...
MAX_OUTPUT_BYTES = 128 << 20  # ...and only as many as fit in this (a bigger one is not kept)
TIMEOUT_S = 1.0  # how long to wait for another process's write before doing without the cache
SCHEMA = (
    "CREATE TABLE folders (folder TEXT PRIMARY KEY, written INTEGER NOT NULL)",
    "CREATE TABLE tables (folder TEXT NOT NULL, rel TEXT NOT NULL, size INTEGER, mtime_ns INTEGER,"
    " ctime_ns INTEGER, inode INTEGER, plain INTEGER, body BLOB NOT NULL, UNIQUE (folder, rel))",
    "CREATE TABLE outputs (digest TEXT PRIMARY KEY, key BLOB NOT NULL, body BLOB NOT NULL, written INTEGER NOT NULL)",
)
DAMAGED = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
_warned: set[str] = set()
T = TypeVar("T")


def cache_dir() -> Path | None:
    """The cache directory to use; None when caching is off (``LDN_TUI_NO_CACHE`` set to anything
    but 0/false/no/off) or there is no home."""
    if os.environ.get("LDN_TUI_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no", "off"):
        return None
    if os.environ.get("LDN_TUI_CACHE_DIR"):
        return Path(os.environ["LDN_TUI_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "ldn-tui"
    home = os.path.expanduser("~")
    return Path(home) / ".cache" / "ldn-tui" if os.path.isabs(home) else None


def tables(snapshot: Snapshot, namespace: str) -> tuple[dict[str, tuple[bytes, bool]], int] | None:
    """The stored (encoded table, plainness) of each file of ``snapshot`` whose entry is current, and how
    many entries the folder has in all; None when the store cannot be used."""
    stats = {s.rel: s for s in snapshot.files}

    def read(db: sqlite3.Connection) -> tuple[dict[str, tuple[bytes, bool]], int]:
        found, count = dict[str, tuple[bytes, bool]](), 0
        for rel, *key, plain, body in db.execute(
            "SELECT rel, size, mtime_ns, ctime_ns, inode, plain, body FROM tables WHERE folder = ?",
            (f"{namespace}|{snapshot.folder_id}",),
        ):
            count += 1
            if rel in stats and tuple(stats[rel][1:]) == tuple(key) and type(body) is bytes:
                found[rel] = body, plain == 1
        return found, count

    return _run(snapshot.folder_id, read, write=False, missing=(dict[str, tuple[bytes, bool]](), 0))


def put_tables(snapshot: Snapshot, namespace: str, fresh: Mapping[str, tuple[bytes, bool]]) -> None:
    """Store the encoded tables ``fresh`` (rel -> blob, plainness) of files settled in ``snapshot``,
    drop the folder's entries for files it no longer has, and prune old folders."""
    folder = f"{namespace}|{snapshot.folder_id}"

    def write(db: sqlite3.Connection) -> None:
        rels = {s.rel for s in snapshot.files}
        gone = [(folder, rel) for (rel,) in db.execute("SELECT rel FROM tables WHERE folder = ?", (folder,))
                if rel not in rels]
        db.executemany("DELETE FROM tables WHERE folder = ? AND rel = ?", gone)
        db.executemany("INSERT OR REPLACE INTO tables VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _rows(snapshot, folder, fresh))
        db.execute("INSERT OR REPLACE INTO folders VALUES (?, ?)", (folder, time.time_ns()))
        for (old,) in db.execute("SELECT folder FROM folders ORDER BY written DESC LIMIT -1 OFFSET ?",
                                 (KEEP_FOLDERS,)).fetchall():
            db.execute("DELETE FROM tables WHERE folder = ?", (old,))
            db.execute("DELETE FROM folders WHERE folder = ?", (old,))

    _run(snapshot.folder_id, write, write=True)


def _rows(snapshot: Snapshot, folder: str, fresh: Mapping[str, tuple[bytes, bool]]) -> Iterable[tuple[Any, ...]]:
    for stat_ in snapshot.files:
        if stat_.rel in fresh and snapshot.settled(stat_):
            body, plain = fresh[stat_.rel]
            yield folder, *stat_, int(plain), body


def output(folder_id: str, key: str) -> bytes | None:
    """The body stored under exactly ``key``, or None."""
    return output_read(folder_id, key, lambda take, size: take(size))


def output_read(folder_id: str, key: str, read: Callable[[Callable[[int], bytes], int], T | None]) -> T | None:
    """``read(take, size)`` of the body stored under exactly ``key`` (None if there is none):
    ``take(n)`` gives its next ``n`` bytes, straight from the database where SQLite can (Python
    3.11's ``blobopen``), so that a big body read in pieces is never held whole as well."""
    raw = key.encode("utf-8", "surrogatepass")

    def work(db: sqlite3.Connection) -> T | None:
        row = db.execute("SELECT rowid, key, typeof(body) FROM outputs WHERE digest = ?", (_digest(raw),)).fetchone()
        if row is None or row[1] != raw or row[2] != "blob":
            return None
        if hasattr(db, "blobopen"):
            with db.blobopen("outputs", "body", row[0], readonly=True) as blob:
                return read(blob.read, len(blob))
        (body,) = db.execute("SELECT body FROM outputs WHERE rowid = ?", (row[0],)).fetchone()
        return read(io.BytesIO(body).read, len(body))

    return _run(folder_id, work, write=False, missing=None)


def put_output(folder_id: str, key: str, body: bytes) -> bool:
    """Store ``body`` under ``key``; keep the newest outputs within ``KEEP_OUTPUTS`` and ``MAX_OUTPUT_BYTES``."""
    raw = key.encode("utf-8", "surrogatepass")
    if len(raw) + len(body) > MAX_OUTPUT_BYTES:
        return False

    def write(db: sqlite3.Connection) -> bool:
        db.execute("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?)", (_digest(raw), raw, body, time.time_ns()))
        total, drop = 0, []
        for count, (digest, size) in enumerate(db.execute(
                "SELECT digest, length(key) + length(body) FROM outputs ORDER BY written DESC").fetchall()):
            total += size
            if count >= KEEP_OUTPUTS or total > MAX_OUTPUT_BYTES:
                drop.append((digest,))
        db.executemany("DELETE FROM outputs WHERE digest = ?", drop)
        return True

    return _run(folder_id, write, write=True) is True


def _digest(raw: bytes) -> str:
    # Only spreads keys over rows (the key is compared in full): hashlib would cost a fresh process OpenSSL.
    return f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}{len(raw):x}"


def _run(folder_id: str, work: Callable[[sqlite3.Connection], T], *, write: bool, missing: T | None = None) -> T | None:
    """``work`` in one transaction on the database, or None if it cannot be used (``missing`` if
    there is no database yet and ``work`` only reads)."""
    path = _database(folder_id)
    if path is None:
        return None
    if not write and not os.path.lexists(path):
        return missing
    db: sqlite3.Connection | None = None
    try:
        if write and not os.path.lexists(path):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # SQLite would make it 0644
        db = sqlite3.connect(path, timeout=TIMEOUT_S, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA synchronous = NORMAL")  # a cache: fewer fsyncs, still safe from kill -9
        db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        if db.execute("PRAGMA user_version").fetchone()[0] != LAYOUT:
            if not write:
                return missing
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                db.execute(f'DROP TABLE "{table}"')
            for statement in SCHEMA:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {LAYOUT}")
        result = work(db)
        db.execute("COMMIT")
        return result
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) not in DAMAGED:
            return None
        for name in (path, Path(f"{path}-journal")):  # checked by _database: regular files of ours
            name.unlink(missing_ok=True)
        return missing  # replaced: empty from now on
    except (sqlite3.Error, OSError, ValueError):  # ValueError: a name that is not UTF-8
        return None
    finally:
        if db is not None:
            db.close()  # a transaction still open is rolled back


def _database(folder_id: str) -> Path | None:
    """The database's path, its directory made if need be, when the store may be used for
    ``folder_id``: the directory outside it and private, the files there regular and ours."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        resolved, here = directory.resolve(), Path(folder_id)
        if resolved == here or here in resolved.parents:
            return None  # never in the evidence folder
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(directory)
    except (OSError, RuntimeError, ValueError):
        return None
    if not stat.S_ISDIR(st.st_mode) or not _ours(st, 0o077):
        if str(directory) not in _warned:  # once per process
            sys.stderr.write(f"ldn-tui: not using the cache {directory}: not a directory private to this user\n")
        _warned.add(str(directory))
        return None
    path = directory / NAME
    for name in (path, Path(f"{path}-journal"), Path(f"{path}-wal")):
        try:
            st = os.lstat(name)
        except FileNotFoundError:
            continue
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or not _ours(st, 0):
            return None  # not ours to read, nor to delete
        if not _ours(st, 0o022):
            try:
                name.unlink()  # ours, but others could have written it: start afresh
            except OSError:
                return None
    return path


def _ours(st: os.stat_result, mask: int) -> bool:
    """Owned by this user with none of the ``mask`` permission bits."""
    return not hasattr(os, "getuid") or (st.st_uid == os.getuid() and not st.st_mode & mask)

