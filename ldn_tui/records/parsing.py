"""Each record file's table: from the cache store where its entry is current, else parsed here.

Parsing is most of the cost of loading a big folder; validation always runs on
the tables, so a warm cache reports every problem a cold one does. Folders of
fewer than ``MIN_FILES`` record files parse in a few milliseconds: they skip
the store, and importing it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any

import tomli

from ldn_tui import __version__
from ldn_tui.caching.snapshot import Snapshot
from ldn_tui.model import Problem
from ldn_tui.records.toml_file import read_record

MIN_FILES = 50
# What a stored table depends on besides its file.
NAMESPACE = (f"tables|ldn-tui {__version__}|tomli {getattr(tomli, '__version__', '?')}"
             f"|python {sys.version_info[0]}.{sys.version_info[1]}")

Parsed = tuple[dict[str, Any] | None, list[Problem], bool]  # table, problems, ``text.plain`` of its file


def parse(snapshot: Snapshot, files: Sequence[tuple[str, str, str]]) -> Iterator[Parsed]:
    """(table, problems, plainness) for each (path, shown, rel) of ``files``, in order; once all
    are given, the store keeps the tables it did not have."""
    found = None
    if len(files) >= MIN_FILES:
        from ldn_tui.caching import codec, store  # here: a small folder does without SQLite and pickle

        found = store.tables(snapshot, NAMESPACE)
    if found is None:
        yield from (_read(path, shown) for path, shown, _ in files)
        return
    stored, count = found
    current = len(stored)
    fresh: dict[str, tuple[bytes, bool]] = {}
    for path, shown, rel in files:
        hit = stored.pop(rel, None)  # each blob freed once its table is made
        data = codec.decode(hit[0]) if hit is not None else None
        if hit is not None and data is not None:
            yield data, [], hit[1]
            continue
        data, problems, plain = _read(path, shown)
        if data is not None:
            fresh[rel] = codec.encode(data), plain
        yield data, problems, plain
    if fresh or count != current:
        store.put_tables(snapshot, NAMESPACE, fresh)


def _read(path: str, shown: str) -> Parsed:
    problems: list[Problem] = []
    data, plain = read_record(path, shown, problems)
    return data, problems, plain
