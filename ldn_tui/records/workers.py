"""Parse many TOML files in worker processes, in chunks, results in order.

Used by the loader only above ``MIN_FILES`` files: below that, starting the
workers costs more than it saves (see ``benchmarks/``). Each worker returns a
file's table already pickled, so the parent can keep those bytes in the parse
cache without pickling them again. Anything going wrong with the pool (no
``fork``/semaphores on the platform, a worker killed) falls back to parsing
the remaining files in this process: the result is the same, only slower.
"""

from __future__ import annotations

import gc
import os
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ldn_tui.model import Problem

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

MIN_FILES = 500  # fewer files than this are parsed here: workers would cost more than they save
CHUNK = 100  # files per task: small enough to stream, large enough to amortise the round trip

Parsed = tuple[bytes | None, list[Problem], bool]  # the table pickled, problems, ``text.plain``
Table = dict[str, Any]


def workers() -> int:
    """How many worker processes to use: the CPUs this process may run on, at most 4."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    return max(1, min(count, 4))


def parse_table(path: str, shown: str) -> tuple[Table | None, list[Problem], bool]:
    """Parse one file in this process: its table (None on failure), its problems, and
    whether none of its text can need cleaning (``ldn_tui.text.plain``)."""
    from ldn_tui.records.toml_file import read_record

    problems: list[Problem] = []
    data, plain = read_record(path, shown, problems)
    return data, problems, plain


def parse_one(path: str, shown: str) -> Parsed:
    """Parse one file: its table pickled (None on failure), its problems, its plainness."""
    from ldn_tui.caching.tables import dumps

    data, problems, plain = parse_table(path, shown)
    return (None if data is None else dumps(data)), problems, plain


def parse_tables(
    items: Sequence[tuple[str, str]], keep_blobs: bool = False
) -> Iterator[tuple[Table | None, bytes | None, list[Problem], bool]]:
    """(table, the table pickled, problems, plainness) for each (path, shown), in order: in
    worker processes from ``MIN_FILES`` files on, else here (pickling only if ``keep_blobs``)."""
    if len(items) >= MIN_FILES:
        for blob, problems, plain in parse_files(items):
            yield (None if blob is None else _loads(blob)), blob, problems, plain
        return
    from ldn_tui.caching.tables import dumps

    for path, shown in items:
        data, problems, plain = parse_table(path, shown)
        blob = dumps(data) if keep_blobs and data is not None else None
        yield data, blob, problems, plain


def _loads(blob: bytes) -> Table | None:
    from ldn_tui.caching.tables import loads

    return loads(blob)


def _parse_chunk(items: Sequence[tuple[str, str]]) -> list[Parsed]:
    gc.disable()  # a worker allocates only acyclic tables; collecting them is wasted time
    return [parse_one(path, shown) for path, shown in items]


def parse_files(items: Sequence[tuple[str, str]], processes: int | None = None) -> Iterator[Parsed]:
    """Yield ``parse_one(path, shown)`` for every item, in order, using worker processes.

    Results stream back chunk by chunk, so the caller can validate the first files
    while later ones are parsed.
    """
    count = processes or workers()
    ctx = _context() if count >= 2 and len(items) >= 2 * CHUNK else None
    done = 0
    if ctx is not None:
        try:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=count, mp_context=ctx) as pool:
                chunks = deque(items[i : i + CHUNK] for i in range(0, len(items), CHUNK))
                pending: deque[Future[list[Parsed]]] = deque()
                try:
                    while chunks or pending:
                        # A bounded window: results wait as bytes, not all at once.
                        while chunks and len(pending) < 2 * count:
                            pending.append(pool.submit(_parse_chunk, chunks.popleft()))
                        for result in pending.popleft().result():
                            yield result
                            done += 1
                finally:
                    for future in pending:
                        future.cancel()
        except Exception:
            # No pool here (BrokenProcessPool, no semaphores, a worker killed...): the
            # same results, parsed in this process.
            pass
    yield from (parse_one(p, s) for p, s in items[done:])


def _context() -> BaseContext | None:
    """The way to start workers, or None to parse here.

    Only while this is the process's one thread: forking a process that runs other
    threads can deadlock the child, and the alternatives (forkserver, spawn) re-import
    the main module and start a resource tracker that needs a real stderr, which the
    browser (loading from a thread, its stderr captured) does not have. The browser's
    later loads come from the cache anyway. fork on Linux (cheap, inherits the loaded
    modules), spawn elsewhere (fork is unsafe on macOS; Windows has no fork).
    """
    import multiprocessing
    import threading

    if threading.active_count() > 1:
        return None
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
