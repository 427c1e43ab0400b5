"""A kept search index: ``ldn-tui search`` on an unchanged big folder does not fold every record again.

Building the index (the folded text of every record: ``SearchIndex.blobs``) is
most of a one-shot search after loading, and reading it back a fraction of that
(figures: ``benchmarks/README.md``). The content is kept in the cache store under the same
kind of key as a summary (``ldn_tui.caching.outputs``: the folder's snapshot,
ldn-tui's modules, Python, today's date) but not where stdout goes, and is only
used when it names exactly the loaded records in order (``SearchIndex.use_blobs``).
Folders of fewer than ``MIN_RECORDS`` records fold in a few milliseconds and are
not kept.

Layout: ``<II`` (record count, length of the ids), the ids joined by newlines
(ids are slugs), the blobs' lengths as little-endian 64-bit integers, the blobs.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from ldn_tui.caching import outputs
from ldn_tui.caching.outputs import OutputKey
from ldn_tui.caching.snapshot import Snapshot
from ldn_tui.search.index import SearchIndex

OPTIONS = ("search index", 1)
MIN_RECORDS = 500
_HEAD = struct.Struct("<II")


def attach(index: SearchIndex, snapshot: Snapshot) -> OutputKey | None:
    """Give ``index`` its kept content if there is some; otherwise the key to keep it under once
    built (None: nothing to keep)."""
    ev = index.evidence
    if len(ev.studies) + len(ev.reviews) + len(ev.mechanisms) + len(ev.questions) < MIN_RECORDS:
        return None
    key = outputs.key_for(snapshot, OPTIONS, destination=False)
    if key is None:
        return None
    unpacked = outputs.lookup_read(key, unpack)
    if unpacked is not None and index.use_blobs(*unpacked):
        return None
    return key


def keep(index: SearchIndex, key: OutputKey) -> bool:
    """Store the index's content under ``key`` (built by now, or built here)."""
    return outputs.keep(key, pack(*index.blobs()))


def pack(ids: list[str], blobs: list[bytes]) -> bytes:
    names = "\n".join(ids).encode("utf-8", "surrogatepass")
    lengths = struct.pack(f"<{len(blobs)}Q", *map(len, blobs))
    return b"".join([_HEAD.pack(len(ids), len(names)), names, lengths, *blobs])


def unpack(take: Callable[[int], bytes], size: int) -> tuple[list[str], list[bytes]] | None:
    """``pack``'s ids and blobs from a body of ``size`` bytes read by ``take(n)`` (its next ``n``
    bytes), or None if it is not exactly what ``pack`` writes. Each blob is read on its own: the
    body is never held whole beside them (44 MB at 10,000 studies)."""
    head = take(_HEAD.size)
    if len(head) != _HEAD.size:
        return None
    count, names_size = _HEAD.unpack(head)
    if _HEAD.size + names_size + 8 * count > size:
        return None
    names, sizes = take(names_size), take(8 * count)
    try:
        ids = str(names, "utf-8", "surrogatepass").split("\n") if count else []
    except UnicodeDecodeError:
        return None
    lengths = struct.unpack(f"<{count}Q", sizes) if len(sizes) == 8 * count else ()
    if len(ids) != count or len(lengths) != count or _HEAD.size + names_size + 8 * count + sum(lengths) != size:
        return None
    blobs = list(map(take, lengths))
    return ids, blobs
