"""A cache of parsed TOML tables, one file per evidence folder, in the user's cache directory.

Parsing is most of the cost of loading a large folder; validation is cheap and
always runs, so every problem is still reported from a warm cache. Each entry
is keyed by the file's path, size, mtime and ctime (nanoseconds) and inode: any
change, even one that keeps the size or restores the mtime, is a miss. A file
changed within ``RACY_NS`` of being read is not stored, since a second change
inside the same clock tick would leave its key unchanged (git's "racily clean").

Where: ``$LDN_TUI_CACHE_DIR``, else ``$XDG_CACHE_HOME/ldn-tui``, else
``~/.cache/ldn-tui``; never inside the evidence folder. ``LDN_TUI_NO_CACHE=1``
turns it off. The files are safe to delete at any time.

Layout of a cache file: ``MAGIC``, the pickled tables one after another, then
an index (plain dicts, tuples, ints and strings, unpickled with no globals
allowed), then a footer giving the index's offset, length and CRC. Each table
has its own CRC and is unpickled with only the ``datetime`` types TOML can
produce allowed. Anything unexpected (truncated, garbage, another version,
another folder, someone else's file) means no cache: never an error, never
stale data. Files are written to a temporary name and renamed into place.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import sys
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import tomli

from ldn_tui.caching import dirs as cachedir
from ldn_tui.caching.dirs import Key, file_key
from ldn_tui.model import Problem

FORMAT = 2  # 2: entries say whether the file is plain (``ldn_tui.text.plain``)
MAGIC = b"LDNTUIC1"
FOOTER = struct.Struct("<QQI8s")  # index offset, index length, index CRC, MAGIC
SUFFIX = ".ldncache"
MIN_FILES = 50  # smaller folders (the bundled one has 16 files) parse in a few milliseconds
RACY_NS = cachedir.RACY_NS  # a file changed this recently is not stored
KEEP = 8  # cache files kept (one per folder), the least recently written removed first
PROTOCOL = pickle.HIGHEST_PROTOCOL

Parsed = tuple[dict[str, Any] | None, list[Problem], bool]  # table, problems, plainness
# key, offset, length (0: the file did not parse), CRC, 1 if the file is plain (``text.plain``)
Entry = tuple[Key, int, int, int, int]
_DATETIME = frozenset({"date", "datetime", "time", "timezone", "timedelta"})


def fingerprint() -> str:
    """What the cached tables depend on besides the files: this format, Python, tomli."""
    return f"{FORMAT}|{sys.version_info[0]}.{sys.version_info[1]}|tomli {getattr(tomli, '__version__', '?')}"


class _NoGlobals(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"global {module}.{name} not allowed")


class _TomlTypes(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _DATETIME:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"global {module}.{name} not allowed")


def dumps(table: dict[str, Any]) -> bytes:
    """A table pickled without the memo, which only costs time (half of it) here: a parsed
    TOML table is a tree, with nothing shared and nothing circular."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=PROTOCOL)
    pickler.fast = True
    pickler.dump(table)
    return buffer.getvalue()


def loads(blob: bytes) -> dict[str, Any] | None:
    """A pickled table, or None if the bytes are not one."""
    try:
        value = _TomlTypes(io.BytesIO(blob)).load()
    except Exception:  # any failure to unpickle means "not cached"
        return None
    return value if isinstance(value, dict) else None


class FolderCache:
    """The cache of one folder: entries read at open, rewritten only when they change.

    Made by ``open_cache``: ``entry`` says whether a file's table is stored and
    current, ``read`` returns it, ``writer`` starts a new cache file when
    ``needs_write`` says this load has something to add or drop.
    """

    def __init__(self, path: Path, folder_id: str, entries: dict[str, Entry], fd: int | None) -> None:
        self.path = path
        self.folder_id = folder_id
        self.entries = entries
        self._fd = fd
        self.now_ns = time.time_ns()

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None

    def racy(self, key: Key) -> bool:
        """Changed so recently that a second change could keep the same key."""
        return cachedir.is_racy(key, self.now_ns, RACY_NS)

    def entry(self, rel: str, key: Key | None) -> Entry | None:
        """The stored entry for a file if it is still current."""
        if key is None:
            return None
        found = self.entries.get(rel)
        return found if found is not None and found[0] == key else None

    def read(self, entry: Entry) -> tuple[dict[str, Any] | None, bytes]:
        """The table of a current entry (None if it is unreadable) and its bytes."""
        _, offset, length, crc, _ = entry
        if self._fd is None or length == 0:
            return None, b""
        try:
            blob = _pread(self._fd, length, offset)
        except OSError:
            return None, b""
        if len(blob) != length or zlib.crc32(blob) != crc:
            return None, b""
        return loads(blob), blob

    def needs_write(self, current: Iterable[tuple[str, Key | None]]) -> bool:
        """Whether this load can store something new, or the index names files that are gone."""
        seen: set[str] = set()
        for rel, key in current:
            seen.add(rel)
            if key is not None and self.entry(rel, key) is None and not self.racy(key):
                return True
        return any(rel not in seen for rel in self.entries)

    def writer(self) -> CacheWriter | None:
        try:
            return CacheWriter(self)
        except OSError:
            return None


class CacheWriter:
    """Streams tables into a temporary file; ``commit`` renames it over the cache file."""

    def __init__(self, cache: FolderCache) -> None:
        self.cache = cache
        self.tmp = cachedir.temporary_name(cache.path)
        fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        self.file: IO[bytes] = os.fdopen(fd, "wb", buffering=1 << 20)
        self.file.write(MAGIC)
        self.offset = len(MAGIC)
        self.entries: dict[str, Entry] = {}
        self.failed = False

    def add(self, rel: str, key: Key, blob: bytes | None, plain: bool = False) -> None:
        """Store a file's pickled table, or (``blob`` None) that it did not parse."""
        if self.failed or self.cache.racy(key):
            return
        if blob is None:
            self.entries[rel] = (key, 0, 0, 0, 0)
            return
        try:
            self.file.write(blob)
        except OSError:
            self.failed = True
            return
        self.entries[rel] = (key, self.offset, len(blob), zlib.crc32(blob), int(plain))
        self.offset += len(blob)

    def abort(self) -> None:
        try:
            self.file.close()
        except OSError:
            pass
        try:
            self.tmp.unlink()
        except OSError:
            pass

    def commit(self) -> None:
        if self.failed:
            self.abort()
            return
        index = pickle.dumps(
            {"format": FORMAT, "fingerprint": fingerprint(), "folder": self.cache.folder_id, "entries": self.entries},
            protocol=PROTOCOL,
        )
        try:
            self.file.write(index)
            self.file.write(FOOTER.pack(self.offset, len(index), zlib.crc32(index), MAGIC))
            self.file.close()
            os.replace(self.tmp, self.cache.path)
        except OSError:
            self.abort()
            return
        cachedir.prune(self.cache.path.parent, SUFFIX, KEEP, newest=self.cache.path)


def parse_through(folder: Path, files: Sequence[tuple[str, str, str]]) -> Iterator[Parsed]:
    """(table, problems) for each (path, shown, rel) of ``folder``, in order: from the
    cache where the entry is current, else parsed (``ldn_tui.records.workers``); the cache is
    then brought up to date. Without a usable cache, this is just the parse."""
    from ldn_tui.records import workers as parallel

    store = open_cache(folder, len(files))
    if store is None:
        for data, _, problems, plain in parallel.parse_tables([(path, shown) for path, shown, _ in files]):
            yield data, problems, plain
        return
    try:
        yield from _through(store, files)
    finally:
        store.close()


def _through(store: FolderCache, files: Sequence[tuple[str, str, str]]) -> Iterator[Parsed]:
    from ldn_tui.records import workers as parallel

    keys = [file_key(path) for path, _, _ in files]
    current = [store.entry(rel, key) for (_, _, rel), key in zip(files, keys, strict=True)]
    writer = store.writer() if store.needs_write(
        (rel, key) for (_, _, rel), key in zip(files, keys, strict=True)) else None
    misses = [(path, shown) for (path, shown, _), entry in zip(files, current, strict=True)
              if entry is None or entry[2] == 0]
    fresh = parallel.parse_tables(misses, keep_blobs=writer is not None)
    damaged: dict[str, tuple[bytes | None, bool]] = {}  # rel -> blob, plain: entries that failed their check
    ok = False
    try:
        for (path, shown, rel), key, entry in zip(files, keys, current, strict=True):
            problems: list[Problem] = []
            blob: bytes | None
            if entry is not None and entry[2] != 0:
                data, blob = store.read(entry)
                plain = entry[4] == 1
                if data is None:  # damaged after all: parse the file itself
                    data, problems, plain = parallel.parse_table(path, shown)
                    blob = None if data is None else dumps(data)
                    damaged[rel] = blob, plain
            else:
                data, blob, problems, plain = next(fresh)
            if writer is not None and key is not None:
                writer.add(rel, key, blob if data is not None else None, plain)
            yield data, problems, plain
        ok = True
    finally:
        if writer is not None:
            if ok:
                writer.commit()
            else:
                writer.abort()
        elif ok and damaged:
            _repair(store, files, keys, current, damaged)


def _repair(
    store: FolderCache, files: Sequence[tuple[str, str, str]], keys: list[Key | None],
    current: list[Entry | None], damaged: dict[str, tuple[bytes | None, bool]],
) -> None:
    """Rewrite a cache some of whose tables failed their check (everything else was current)."""
    writer = store.writer()
    if writer is None:
        return
    for (_, _, rel), key, entry in zip(files, keys, current, strict=True):
        if key is None or entry is None:
            continue
        if rel in damaged:
            writer.add(rel, key, *damaged[rel])
        elif entry[2] == 0:
            writer.add(rel, key, None)
        else:
            _, blob = store.read(entry)
            if blob:
                writer.add(rel, key, blob, entry[4] == 1)
    writer.commit()


def open_cache(folder: Path, file_count: int) -> FolderCache | None:
    """The cache for ``folder``, empty if there is none yet or it is unusable.

    None when caching is off, the folder is small, or no cache directory can be made
    outside the folder.
    """
    if file_count < MIN_FILES:
        return None
    try:
        folder_id = str(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return None
    directory = cachedir.usable_dir(folder_id)
    if directory is None:
        return None
    # The name only spreads folders over files (the index names its folder): 64 bits of CRCs,
    # as hashlib would cost a fresh process more (OpenSSL) than the whole cache saves on 50 files.
    raw = folder_id.encode("utf-8", "surrogatepass")
    path = directory / f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}{SUFFIX}"
    fd, entries = _read_index(path, folder_id)
    return FolderCache(path, folder_id, entries, fd)


def _read_index(path: Path, folder_id: str) -> tuple[int | None, dict[str, Entry]]:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None, {}
    try:
        entries = _index(fd, folder_id)
    except Exception:  # a cache that cannot be read is no cache
        entries = None
    if entries is None:
        os.close(fd)
        return None, {}
    return fd, entries


def _index(fd: int, folder_id: str) -> dict[str, Entry] | None:
    st = os.fstat(fd)
    if not cachedir.trusted(st):
        return None  # someone else's file, or one others may write: do not unpickle it
    size = st.st_size
    if size < len(MAGIC) + FOOTER.size or _pread(fd, len(MAGIC), 0) != MAGIC:
        return None
    offset, length, crc, magic = FOOTER.unpack(_pread(fd, FOOTER.size, size - FOOTER.size))
    if magic != MAGIC or offset < len(MAGIC) or offset + length != size - FOOTER.size:
        return None
    raw = _pread(fd, length, offset)
    if len(raw) != length or zlib.crc32(raw) != crc:
        return None
    index = _NoGlobals(io.BytesIO(raw)).load()
    if (
        not isinstance(index, dict)
        or index.get("format") != FORMAT
        or index.get("fingerprint") != fingerprint()
        or index.get("folder") != folder_id
        or not isinstance(index.get("entries"), dict)
    ):
        return None
    entries: dict[str, Entry] = index["entries"]
    for rel, entry in entries.items():
        if not (
            isinstance(rel, str)
            and isinstance(entry, tuple)
            and len(entry) == 5
            and isinstance(entry[0], tuple)
            and len(entry[0]) == 4
            and all(type(x) is int for x in entry[0])
            and all(type(x) is int and x >= 0 for x in entry[1:])
            and entry[4] in (0, 1)
            and entry[1] + entry[2] <= offset
        ):
            return None
    return entries


def _pread(fd: int, length: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, length, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # Windows: no pread; the descriptor is ours alone
    return os.read(fd, length)
