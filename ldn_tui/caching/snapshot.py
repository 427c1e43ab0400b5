"""One look at the files of an evidence folder, taken once per command and handed to every cache user.

A file is its size, mtime, ctime (ns) and inode: any change moves the ctime, even one
that keeps the size or puts the mtime back. A file changed within ``RACY_NS`` of the
look may change again in the same clock tick unseen (git's "racily clean"): not cached.
"""

from __future__ import annotations

from typing import NamedTuple

RACY_NS = 3_000_000_000


class FileStat(NamedTuple):
    rel: str  # relative to the folder, with "/"
    size: int  # -1 (and so the rest) when the file could not be looked at
    mtime_ns: int
    ctime_ns: int
    inode: int


class Snapshot(NamedTuple):
    folder_id: str  # the folder, resolved
    files: tuple[FileStat, ...]  # exactly the files the loader reads
    others: tuple[str, ...]  # what else the loader reports on: stray root files, folders it cannot list
    taken_ns: int

    def settled(self, stat: FileStat) -> bool:
        """Whether ``stat`` can key a cache entry: looked at, and not changed just now."""
        return stat.size >= 0 and max(stat.mtime_ns, stat.ctime_ns) < self.taken_ns - RACY_NS
