"""Time to an app's first frame, headless, run by ``benchmarks/run.py`` in a fresh process.

    python benchmarks/bench_frame.py minimal         a one-Static Textual app (the baseline)
    python benchmarks/bench_frame.py ldn FOLDER      the evidence browser on FOLDER

Prints one JSON object: ``monotonic_ns`` marks (the parent subtracts its own clock
reading taken just before starting this process, so times count from process
start): ``started`` (this module running), ``first_frame`` (after the first
refresh of the initial screen), and for the browser ``loaded`` (the main screen
painted, the evidence loaded) and ``settled`` (background workers done, e.g.
the search index), with the peak RSS at the end.
"""

from __future__ import annotations

import time

STARTED = time.monotonic_ns()

import asyncio  # noqa: E402 - the clock reading above must come first
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

TIMEOUT_S = 120.0


async def _after_refresh(app: App[Any]) -> int:
    painted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def mark() -> None:
        if not painted.done():
            painted.set_result(time.monotonic_ns())

    app.call_after_refresh(mark)
    return await painted


def _minimal() -> App[Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Hello")

    return Minimal()


def _browser(folder: Path) -> App[Any]:
    from ldn_tui import cli  # the command's own imports, as `ldn-tui browse` pays them

    del cli
    from ldn_tui.tui.app import LdnApp

    return LdnApp(folder)


def main(argv: list[str]) -> int:
    kind = argv[0]
    app = _minimal() if kind == "minimal" else _browser(Path(argv[1]))
    marks: dict[str, Any] = {"started": STARTED}

    async def pilot(pilot: Pilot[Any]) -> None:
        marks["first_frame"] = await _after_refresh(app)
        if kind != "minimal":
            deadline = time.monotonic() + TIMEOUT_S
            while getattr(app, "evidence", None) is None and time.monotonic() < deadline:
                if getattr(app, "problems", None):
                    marks["error"] = "the folder has problems"
                    return
                await pilot.pause(0.002)
            marks["loaded"] = await _after_refresh(app)
            await app.workers.wait_for_complete()
            marks["settled"] = time.monotonic_ns()
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=pilot)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    marks["maxrss_mb"] = rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024
    print(json.dumps(marks))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
