"""End to end: the installed ``ldn-tui`` in a real terminal (tmux), driven by keys, read back from the screen."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "data" / "evidence"
SCRIPT = Path(sys.executable).parent / "ldn-tui"
DEADLINE = 10.0  # seconds for any one screen to appear (a loaded 2-core machine is slow)

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not SCRIPT.exists(), reason="ldn-tui is not installed next to this Python"),
]


class Tmux:
    """One detached session on a private server socket, so no other tmux is touched."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10, check=False)
        return out.stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "app", *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "app")

    def wait_for(self, *texts: str) -> str:
        """Poll the screen until every text shows, or fail at the deadline with what it showed."""
        end = time.monotonic() + DEADLINE
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if all(t in screen for t in texts):
                return screen
            time.sleep(0.05)  # a polling interval, not a wait for something to happen
        raise AssertionError(f"{texts!r} did not appear; the screen showed:\n{screen}")


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    session = Tmux(f"ldn-tui-test-{os.getpid()}")
    command = f"{shlex.quote(str(SCRIPT))} --evidence {shlex.quote(str(FIXTURE))}; echo LDN-EXIT=$?; sleep 60"
    # COLUMNS and LINES (pytest-xdist sets them in its workers) would override the pane size the app reads.
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "LDN_EVIDENCE", "TMUX", "COLUMNS", "LINES")}
    subprocess.run(
        ["tmux", "-L", session.socket, "-f", os.devnull, "new-session", "-d", "-s", "app", "-x", "120", "-y", "40",
         command],
        check=True, env=env, timeout=10,
    )
    try:
        yield session
    finally:
        session.run("kill-server")


def test_browse_search_and_quit_in_a_terminal(tmux: Tmux) -> None:
    tmux.wait_for("Fixture drug for fixture pain", "0 Overview", "Bottom line", "The 2 reviews disagree")
    tmux.keys("1")
    tmux.wait_for("1 Mechanisms", "Receptor rebound", "▼ against")
    tmux.keys("2")
    tmux.wait_for("Alpha & Beta 2010", "some concerns", "benefit, MD −1")
    tmux.keys("/cytokine")  # in one go, as a fast typist (or a paste) sends it
    screen = tmux.wait_for("1 match", "beta-2015", "A crossover trial of the fixture drug")
    assert "gamma-2020" not in screen
    tmux.keys("Enter")
    tmux.wait_for("1 of 1")
    tmux.keys("Enter")
    tmux.wait_for("“cytokine”: 2 matches marked", "Risk of bias")
    tmux.keys("Escape")
    tmux.wait_for("1 of 1")
    tmux.keys("Escape")
    tmux.wait_for("2 Outcomes", "Year ▲")
    tmux.keys("q")
    tmux.wait_for("LDN-EXIT=0")
