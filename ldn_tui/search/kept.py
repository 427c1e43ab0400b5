"""A kept search index: ``ldn-tui search`` on an unchanged big folder does not fold every record again.

Building the index (the folded text of every record: ``SearchIndex.blobs``) is
most of a one-shot search after loading: about 300 ms at 10,000 studies, against
~30 ms to read it back. The content is kept in the cache store under the same
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
    body = outputs.lookup(key)
    if body is not None:
        unpacked = unpack(body)
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


def unpack(body: bytes | memoryview) -> tuple[list[str], list[bytes]] | None:
    """``pack``'s ids and blobs, or None if ``body`` is not exactly what it writes."""
    try:
        count, size = _HEAD.unpack_from(body, 0)
        at = _HEAD.size
        ids = str(body[at : at + size], "utf-8", "surrogatepass").split("\n") if count else []
        at += size
        lengths = list(struct.unpack_from(f"<{count}Q", body, at))
        at += 8 * count
    except (struct.error, UnicodeDecodeError):
        return None
    if len(ids) != count or len(lengths) != count or at + sum(lengths) != len(body):
        return None
    blobs = []
    for length in lengths:
        blobs.append(bytes(body[at : at + length]))
        at += length
    return ids, blobs
