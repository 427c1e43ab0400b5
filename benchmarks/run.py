"""Run every benchmark and print a Markdown table of ratios, each against a baseline measured in the same run.

    python benchmarks/run.py                      # sizes 100, 1000, 10000
    python benchmarks/run.py --quick              # sizes 100, 1000, fewer repeats (about a minute)
    python benchmarks/run.py --sizes 100,1000,10000,100000

Generated folders, the cache store and bytecode go to ``benchmarks/out/`` (git-ignored):
the user's own cache and the repository's sources are never written. Every time is the
best of several runs, baselines and measurements interleaved, so that other work on the
machine disturbs both alike. Process times count from just before the process is
started to its exit (or, for the apps, to the first frame).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402 - benchmarks/ is not a package

PY = sys.executable
SLOW_S = 120.0  # a process still running after this is stopped and reported as slower
RACY_S = 3.5  # the cache does not store files changed this recently (ldn_tui.caching.snapshot.RACY_NS)


# --------------------------------------------------------------------------- processes


@dataclass
class Run:
    seconds: float  # inf when it ran out of time
    maxrss_mb: float
    out: str
    started_ns: int


def run(cmd: Sequence[str], env: dict[str, str], timeout: float | None = None, capture: bool = False) -> Run:
    """Run a process to completion: wall time from just before the start, peak RSS, and
    (``capture``) its stdout, which must then be small.

    This process stays small and never reads a command's output: a child started by
    vfork/exec reports a peak RSS of at least its parent's (Linux keeps the larger).
    """
    with open(HERE / "out" / ".stdout", "w+b") if capture else open(os.devnull, "wb") as out:
        start = time.monotonic_ns()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env, cwd=REPO)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer is not None:
            timer.start()
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = (time.monotonic_ns() - start) / 1e9
        proc.returncode = os.waitstatus_to_exitcode(status)
        if timer is not None:
            timer.cancel()
            if proc.returncode < 0:
                return Run(math.inf, 0.0, "", start)
        text = ""
        if capture:
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
    if proc.returncode not in (0, 1):  # 1: search found nothing
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode('utf-8', 'replace')[-2000:]}")
    rss = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    return Run(seconds, rss, text, start)


def best_of(repeat: int, *commands: Callable[[], float]) -> list[float]:
    """Run the measurements in turn, ``repeat`` rounds; the best of each."""
    best = [float("inf")] * len(commands)
    for _ in range(repeat):
        for i, command in enumerate(commands):
            best[i] = min(best[i], command())
    return best


def timed(cmd: Sequence[str], env: dict[str, str]) -> Callable[[], float]:
    return lambda: run(cmd, env).seconds


def inproc(kind: str, folder: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    result = run([PY, str(HERE / "bench_inproc.py"), kind, str(folder), *args], env, capture=True)
    data: dict[str, Any] = json.loads(result.out.strip().splitlines()[-1])
    return data


# --------------------------------------------------------------------------- results


@dataclass
class Row:
    measure: str
    size: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    growth: dict[str, dict[int, float]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def ratio(self, measure: str, size: str, value: float, baseline: float, limit: float | None,
              unit: str = "s") -> None:
        r = value / baseline if baseline else float("inf")
        self.rows.append(Row(measure, size, fmt(value, unit), fmt(baseline, unit), f"{r:.2f}x",
                             f"≤ {limit:g}x" if limit is not None else "", verdict(r <= limit) if limit else ""))

    def absolute(self, measure: str, size: str, value: float, limit: float | None, unit: str) -> None:
        self.rows.append(Row(measure, size, fmt(value, unit), target=f"≤ {fmt(limit, unit)}" if limit else "",
                             met=verdict(value <= limit) if limit else ""))

    def grow(self, measure: str, n: int, value: float, unit: str = "s") -> None:
        self.growth.setdefault(measure, {})[n] = value
        self.units[measure] = unit


def fmt(value: float, unit: str) -> str:
    if math.isinf(value):
        return f"> {SLOW_S:.0f} s"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value * 1000:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:g}"


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


# --------------------------------------------------------------------------- environment


def environment(out: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with bytecode cached, as an installed package runs
    env.pop("LDN_EVIDENCE", None)
    env.pop("LDN_TUI_NO_CACHE", None)
    env["PYTHONPYCACHEPREFIX"] = str(out / "pycache")  # ... but never write into the sources
    env["LDN_TUI_CACHE_DIR"] = str(out / "cache")
    env["NO_COLOR"] = "1"
    return env


def folders(sizes: Sequence[int], out: Path) -> dict[int, Path]:
    made: dict[int, Path] = {}
    for n in sizes:
        target = out / f"ev-{n}"
        marker = target / ".generated"
        if not (marker.is_file() and marker.read_text(encoding="utf-8").split() == [str(n), str(generate.SEED)]):
            log(f"generating {n} studies in {target}")
            generate.generate(n, target)
        made[n] = target
    newest = max(p.stat().st_ctime for d in made.values() for p in (d / "studies").iterdir())
    wait = newest + RACY_S - time.time()
    if wait > 0:  # let the new files age past the cache's "changed just now" window
        time.sleep(wait)
    return made


def ldn_command() -> list[str]:
    script = Path(PY).parent / "ldn-tui"
    return [str(script)] if script.is_file() else [PY, "-m", "ldn_tui"]


def loadavg() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- benchmarks


def bench_load(res: Results, n: int, folder: Path, env: dict[str, str], repeat: int, out: Path) -> None:
    label = size_label(n)
    log(f"load+validate vs raw parse, {label}")
    reps = str(repeat if n < 10_000 else 3 if n == 10_000 else 1)
    no_cache = {**env, "LDN_TUI_NO_CACHE": "1"}
    raw: list[float] = []
    plain: list[float] = []
    cold: list[float] = []
    warm: list[float] = []
    rss_plain = rss_warm = 0.0
    for _ in range(3 if n <= 10_000 else 1):
        raw.append(inproc("parse", folder, env, reps)["seconds"])
        p = inproc("load", folder, no_cache, reps)
        plain.append(p["seconds"])
        rss_plain = p["maxrss_mb"]
        fresh = out / "cache-cold"
        shutil.rmtree(fresh, ignore_errors=True)
        cold.append(inproc("cold", folder, env, reps, str(out / "cache-colds"))["seconds"])
        inproc("load", folder, {**env, "LDN_TUI_CACHE_DIR": str(fresh)}, "1")  # writes the cache
        w = inproc("load", folder, {**env, "LDN_TUI_CACHE_DIR": str(fresh)}, reps)
        warm.append(w["seconds"])
        rss_warm = w["maxrss_mb"]
    base = min(raw)
    res.ratio("load+validate, no cache / raw tomli parse", label, min(plain), base, 1.3)
    res.ratio("load+validate, first load writing the cache / raw parse", label, min(cold), base, 1.3)
    res.ratio("load+validate, warm cache / raw parse", label, min(warm), base, 1.3)
    res.grow("raw tomli parse of the same files", n, base)
    res.grow("load+validate, no cache", n, min(plain))
    res.grow("load+validate, warm cache", n, min(warm))
    res.grow("peak RSS, load in-process (no cache)", n, rss_plain, "MB")
    res.grow("peak RSS, load in-process (warm cache)", n, rss_warm, "MB")


def forget_outputs(cache: Path) -> None:
    """Drop the kept outputs of the cache store (``ldn_tui.caching.store``), keeping the parsed tables."""
    import sqlite3

    from ldn_tui.caching.store import NAME

    with sqlite3.connect(cache / NAME) as db:
        db.execute("DELETE FROM outputs")


def bench_cli(res: Results, sizes: dict[int, Path], env: dict[str, str], repeat: int) -> None:
    ldn = ldn_command()
    log("CLI start-up: summary on the bundled evidence vs a bare interpreter")
    bare = [PY, "-c", "import tomli, rich"]
    bare_console = [PY, "-c", "import tomli, rich.console"]
    summary = [*ldn, "summary"]
    no_cache = {**env, "LDN_TUI_NO_CACHE": "1"}
    for cmd in (bare, summary):
        run(cmd, env)  # warm the bytecode, the file system cache and the output cache
    t_bare, t_console, t_summary, t_cold = best_of(repeat * 2, timed(bare, env), timed(bare_console, env),
                                                   timed(summary, env), timed(summary, no_cache))
    for what, value in (("output cache hit", t_summary), ("no caches", t_cold)):
        res.ratio(f"`ldn-tui summary` process, {what} / `python -c \"import tomli, rich\"`", "bundled", value,
                  t_bare, 2.0)
        res.ratio(f"`ldn-tui summary` process, {what} / `python -c \"import tomli, rich.console\"`", "bundled",
                  value, t_console, 2.0)

    probe = (
        "import sys, io, contextlib\n"
        "from ldn_tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(sys.argv[1:])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('textual', 'ldn_tui')}))\n"
    )
    imported = []
    for args in (["summary"], ["validate"], ["search", "pain"], ["summary", "--format", "json"]):
        text = run([PY, "-c", probe, *args], env, capture=True).out
        if "textual" in text:
            imported.append(args[0])
    res.rows.append(Row("`summary`, `search`, `validate` import Textual", "bundled",
                        "yes: " + ", ".join(imported) if imported else "no", target="never",
                        met=verdict(not imported)))

    for n, folder in sizes.items():
        label = size_label(n)
        log(f"CLI processes, {label}")
        ev = ["--evidence", str(folder)]
        validate = [*ldn, "validate", *ev]
        search = [*ldn, "search", *ev, "--limit", "20", "vivid dreams"]
        summ = [*ldn, "summary", *ev]
        run(validate, env)  # the cache is warm for all three
        reps = repeat if n <= 1000 else 3 if n <= 10_000 else 1  # the first search also keeps the index
        t_validate, t_search = best_of(reps, timed(validate, env), timed(search, env))
        if n >= 1000:
            res.ratio("`ldn-tui search` process / `ldn-tui validate` (loading)", label, t_search, t_validate,
                      1.3 if n == 10_000 else None)
        res.grow("`ldn-tui validate` process (warm cache)", n, t_validate)
        res.grow("`ldn-tui search` process (warm cache)", n, t_search)
        if n <= 10_000:
            forget_outputs(Path(env["LDN_TUI_CACHE_DIR"]))
            r = run(summ, env, timeout=SLOW_S)
            res.grow("`ldn-tui summary` process (parse cache warm, output not cached)", n, r.seconds)
            hit = min(run(summ, env, timeout=SLOW_S).seconds for _ in range(3 if n < 10_000 else 1))
            res.grow("`ldn-tui summary` process, output cache hit", n, hit)
        nocache = run(validate, {**env, "LDN_TUI_NO_CACHE": "1"})
        res.grow("`ldn-tui validate` process (no cache)", n, nocache.seconds)
        res.grow("peak RSS, `ldn-tui validate` (warm cache)", n, run(validate, env).maxrss_mb, "MB")


def bench_search(res: Results, sizes: dict[int, Path], env: dict[str, str]) -> None:
    for n, folder in sizes.items():
        if n < 1000:
            continue
        label = size_label(n)
        log(f"search while typing, {label}")
        runs = [inproc("search", folder, env) for _ in range(3 if n <= 10_000 else 1)]
        data = min(runs, key=lambda r: float(r["snippets"]["p95"]))  # the least disturbed run
        target = 0.030 if n == 10_000 else None
        ranking = min((r["ranking"] for r in runs), key=lambda m: float(m["p95"]))
        snippets = data["snippets"]
        keys = ranking["keystrokes"]
        res.absolute(f"search per keystroke p50, ranking ({keys} keystrokes)", label, ranking["p50"], None, "ms")
        res.absolute(f"search per keystroke p95, ranking ({keys} keystrokes)", label, ranking["p95"], target, "ms")
        res.absolute(f"search per keystroke p95, as the browser computes it (ranking {data['limit']} "
                     f"hits, the first {data['eager_hits']} with fields and snippet)", label,
                     snippets["p95"], target, "ms")
        res.grow("search index build", n, data["build"])
        res.grow("search per keystroke p95, ranking", n, ranking["p95"], "ms")
        res.grow("search per keystroke p95, as the browser computes it", n, snippets["p95"], "ms")
        res.grow("peak RSS, evidence + search index", n, data["maxrss_mb"], "MB")


def frame(kind: str, env: dict[str, str], folder: Path | None = None) -> dict[str, float]:
    cmd = [PY, str(HERE / "bench_frame.py"), kind, *([str(folder)] if folder else [])]
    result = run(cmd, env, capture=True)
    marks: dict[str, Any] = json.loads(result.out.strip().splitlines()[-1])
    if "error" in marks:
        raise SystemExit(f"{kind} {folder}: {marks['error']}")
    times = {k: (v - result.started_ns) / 1e9 for k, v in marks.items() if k in ("first_frame", "loaded", "settled")}
    times["maxrss_mb"] = float(marks["maxrss_mb"])
    return times


def app_ready() -> bool:
    try:
        import ldn_tui.tui.app as app
    except ImportError:
        return False
    return hasattr(app, "LdnApp")


def bench_app(res: Results, sizes: dict[int, Path], env: dict[str, str], repeat: int) -> None:
    if not app_ready():
        res.rows.append(Row("first frame / minimal Textual app's first frame", "bundled", "pending",
                            target="≤ 1.5x", met="pending"))
        res.notes.append("The app (`ldn_tui/tui/app.py`, `LdnApp`) was not importable: frame rows pending.")
        return
    from ldn_tui.records.paths import bundled_evidence

    log("first frame: the browser on the bundled evidence vs a minimal Textual app")
    frame("minimal", env)
    frame("ldn", env, bundled_evidence())
    minimal, browser = best_of(repeat * 2, lambda: frame("minimal", env)["first_frame"],
                               lambda: frame("ldn", env, bundled_evidence())["first_frame"])
    res.ratio("browser first frame / minimal Textual app's first frame", "bundled", browser, minimal, 1.5)
    for n, folder in sizes.items():
        label = size_label(n)
        log(f"first frame and loading in the browser, {label}")
        runs = [frame("ldn", env, folder) for _ in range(repeat if n <= 1000 else 2 if n <= 10_000 else 1)]
        first = min(r["first_frame"] for r in runs)
        loaded = min(r["loaded"] for r in runs)
        rss = min(r["maxrss_mb"] for r in runs)
        if n == 10_000:
            res.absolute("browser first frame (loading view with progress)", label, first, 1.0, "s")
            res.absolute("browser main screen painted (evidence loaded)", label, loaded, None, "s")
            res.absolute("peak RSS, browser loaded with its search index", label, rss, 300, "MB")
        res.grow("browser first frame", n, first)
        res.grow("browser main screen (loaded)", n, loaded)
        res.grow("peak RSS, browser loaded with its search index", n, rss, "MB")


# --------------------------------------------------------------------------- output


def markdown(res: Results, sizes: Sequence[int], command: str, seconds: float, load: str) -> str:
    lines = [
        f"Command: `{command}` ({seconds:.0f} s)  ",
        f"Machine: {platform.python_implementation()} {platform.python_version()} on {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load}; each number is the best of "
        "several runs.",
        "",
        "| Measure | Size | Measured | Baseline (same run) | Ratio | Target | Met |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for r in res.rows:
        lines.append(f"| {r.measure} | {r.size} | {r.value} | {r.baseline} | {r.ratio} | {r.target} | {r.met} |")
    labels = [size_label(n) for n in sizes]
    lines += ["", "How each grows with the number of studies (×: growth over the previous size):", "",
              "| Measure | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
    for measure, values in res.growth.items():
        cells: list[str] = []
        previous: float | None = None
        for n in sizes:
            if n not in values:
                cells.append("")
                continue
            cell = fmt(values[n], res.units[measure])
            if previous and not math.isinf(values[n]) and not math.isinf(previous):
                cell += f" (×{values[n] / previous:.1f})"
            cells.append(cell)
            previous = values[n]
        lines.append(f"| {measure} | " + " | ".join(cells) + " |")
    if res.notes:
        lines += ["", *[f"- {note}" for note in res.notes]]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default=None, help="study counts, comma-separated (default 100,1000,10000)")
    parser.add_argument("--quick", action="store_true", help="sizes 100,1000 and fewer repeats")
    parser.add_argument("--repeat", type=int, default=None, help="rounds per measurement (default 5, quick 2)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="work folder (default benchmarks/out)")
    parser.add_argument("--only", default="load,cli,search,app", help="which groups to run")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in (args.sizes or ("100,1000" if args.quick else "100,1000,10000")).split(",")})
    repeat = args.repeat or (2 if args.quick else 5)
    only = set(args.only.split(","))
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = environment(out)
    started = time.monotonic()
    load_before = loadavg()
    made = folders(sizes, out)
    res = Results()
    if "load" in only:
        for n, folder in made.items():
            bench_load(res, n, folder, env, repeat, out)
    if "cli" in only:
        bench_cli(res, made, env, repeat)
    if "search" in only:
        bench_search(res, made, env)
    if "app" in only:
        bench_app(res, made, env, repeat)
    command = "python benchmarks/run.py" + (f" {' '.join(argv)}" if argv else f" {' '.join(sys.argv[1:])}")
    text = markdown(res, sizes, command.strip(), time.monotonic() - started, f"{load_before} before, {loadavg()} after")
    (out / "results.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
