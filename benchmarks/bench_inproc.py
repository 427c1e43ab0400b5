"""In-process timings, run by ``benchmarks/run.py`` in a fresh child process each.

    python benchmarks/bench_inproc.py parse FOLDER REPEAT     raw tomli parse of every *.toml
    python benchmarks/bench_inproc.py load FOLDER REPEAT      check_evidence (the caller sets the cache env)
    python benchmarks/bench_inproc.py cold FOLDER REPEAT DIR  check_evidence writing a new cache store in DIR
                                                              each round (after one load without it, so
                                                              that, like the other figures, it is not a
                                                              process's first call)
    python benchmarks/bench_inproc.py search FOLDER           index build, then latency per keystroke:
                                                              ranking alone, then as the browser

Prints one JSON object on stdout. Times are the best of REPEAT (least disturbed by
other work on the machine); the process's peak RSS is included.
"""

from __future__ import annotations

import functools
import gc
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Typed one character at a time, as in the browser's search box: words, a phrase,
# accents, a biomarker and filters (partial filters such as "year:" are errors,
# which cost a keystroke too).
QUERIES = (
    "pain",
    "cytokines",
    "rodriguez",
    "il-6 sleep",
    "vivid dreams headache",
    '"quality of life"',
    "naltrexone 4.5 fatigue",
    "year:2010..2020 sleep",
    "design:crossover fatigue",
    "marker:tnf",
)


def maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def raw_parse(folder: Path, repeat: int) -> dict[str, Any]:
    import tomli

    files = sorted(folder.rglob("*.toml"))
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for path in files:
            tomli.loads(path.read_bytes().decode("utf-8"))
        best = min(best, time.perf_counter() - start)
    return {"seconds": best, "files": len(files), "maxrss_mb": maxrss_mb()}


def load(folder: Path, repeat: int) -> dict[str, Any]:
    from ldn_tui.records.loader import check_evidence

    times: list[float] = []
    studies = 0
    for _ in range(repeat):
        start = time.perf_counter()
        evidence, problems = check_evidence(folder)
        times.append(time.perf_counter() - start)
        if evidence is None:
            raise SystemExit(f"{folder} does not load: {problems[:3]}")
        studies = len(evidence.studies)
        del evidence
    return {"seconds": min(times), "first": times[0], "studies": studies, "maxrss_mb": maxrss_mb()}


def cold(folder: Path, repeat: int, where: Path) -> dict[str, Any]:
    import os
    import shutil

    from ldn_tui.records.loader import check_evidence

    os.environ["LDN_TUI_NO_CACHE"] = "1"
    check_evidence(folder)
    del os.environ["LDN_TUI_NO_CACHE"]
    times: list[float] = []
    for i in range(repeat):
        fresh = where / f"cold-{i}"
        shutil.rmtree(fresh, ignore_errors=True)
        os.environ["LDN_TUI_CACHE_DIR"] = str(fresh)
        start = time.perf_counter()
        evidence, problems = check_evidence(folder)
        times.append(time.perf_counter() - start)
        if evidence is None:
            raise SystemExit(f"{folder} does not load: {problems[:3]}")
        if not any(fresh.iterdir()):
            raise SystemExit("no cache was written")
        del evidence
        shutil.rmtree(fresh, ignore_errors=True)
    return {"seconds": min(times), "first": times[0], "maxrss_mb": maxrss_mb()}


def typing(search: Callable[[str], Any], query_error: type[Exception]) -> tuple[list[float], int, dict[str, int]]:
    """Latency of ``search`` on every keystroke of every query."""
    latencies: list[float] = []
    errors = 0
    hits: dict[str, int] = {}
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            start = time.perf_counter()
            try:
                hits[query] = search(query[:end]).total
            except query_error:
                errors += 1
            latencies.append(time.perf_counter() - start)
    latencies.sort()
    return latencies, errors, hits


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))]


def search(folder: Path) -> dict[str, Any]:
    """"ranking": ``SearchIndex.search(text, limit=HIT_LIMIT)``. "snippets": what the browser
    computes per keystroke, in its search worker: ``SearchService.search(text)``, the ranking
    and the fields and snippet of the first ``EAGER_HITS`` hits (the hit list computes the
    others only when they come into view, on the UI thread)."""
    from ldn_tui.records.loader import load_evidence
    from ldn_tui.search import QueryError, SearchService
    from ldn_tui.search.service import EAGER_HITS, HIT_LIMIT

    evidence = load_evidence(folder)
    gc.freeze()  # as the browser does once the evidence is loaded
    out: dict[str, Any] = {"limit": HIT_LIMIT, "eager_hits": EAGER_HITS}
    for name in ("ranking", "snippets"):
        service = SearchService(evidence)  # a fresh index: no results remembered from the other pass
        start = time.perf_counter()
        service.warm()
        out["build"] = time.perf_counter() - start
        run: Callable[[str], Any] = (
            functools.partial(service.index.search, limit=HIT_LIMIT) if name == "ranking" else service.search)
        latencies, errors, hits = typing(run, QueryError)
        out[name] = {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
                     "max": latencies[-1], "keystrokes": len(latencies), "errors": errors, "hits": hits}
    out["maxrss_mb"] = maxrss_mb()
    return out


def main(argv: list[str]) -> int:
    kind, folder = argv[0], Path(argv[1])
    if kind == "parse":
        out = raw_parse(folder, int(argv[2]))
    elif kind == "load":
        out = load(folder, int(argv[2]))
    elif kind == "cold":
        out = cold(folder, int(argv[2]), Path(argv[3]))
    elif kind == "search":
        out = search(folder)
    else:
        raise SystemExit(f"unknown benchmark {kind!r}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
