"""Shared fixtures: the fixed evidence folder, editable copies of it, and waiting for the app."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).parent / "data" / "evidence"

Ready = Callable[[Any], Awaitable[None]]


@pytest.fixture
def fixture_folder() -> Path:
    """The fixed test evidence folder (read it, never write it)."""
    return FIXTURE


@pytest.fixture
def evidence_copy(tmp_path: Path) -> Path:
    """A copy of the fixed folder that a test may change."""
    target = tmp_path / "evidence"
    shutil.copytree(FIXTURE, target)
    return target


async def wait_until_ready(pilot: Any) -> None:
    """Wait (bounded, no sleeps) until the app has loaded and shows its main screen."""
    from textual.worker import WorkerCancelled

    from ldn_tui.tui.screens.main import MainScreen

    app = pilot.app
    app.animation_level = "none"  # tabs and scrolls jump: same end state, fewer frames to render
    for _ in range(200):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # the app is exiting (a broken folder)
            return
        if not app.is_running:
            return
        await pilot.pause()
        if isinstance(app.screen, MainScreen):
            break
    await app.workers.wait_for_complete()


@pytest.fixture
def ready() -> Ready:
    """``await ready(pilot)``: the evidence is loaded and the main screen is up."""
    return wait_until_ready


@pytest.fixture(autouse=True)
def _private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's settings (the remembered theme)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's cache store."""
    monkeypatch.setenv("LDN_TUI_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
