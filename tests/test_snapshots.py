"""SVG snapshots of the main screens on the fixed test folder (``--snapshot-update`` to regenerate).

Sync tests: ``snap_compare`` runs the app itself. Focus ends away from the search
input, so no cursor blinks into a snapshot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ldn_tui.tui.app import LdnApp
from ldn_tui.tui.widgets.search import SearchInput

SnapCompare = Callable[..., bool]
Ready = Callable[[Any], Awaitable[None]]  # the ``ready`` fixture (conftest.py)


def steps(ready: Ready, *keys: str, query: str | None = None) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        await ready(pilot)
        if query is not None:
            await pilot.press("slash")
            pilot.app.screen.query_one(SearchInput).value = query
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        if keys:
            await pilot.press(*keys)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


def test_overview(snap_compare: SnapCompare, fixture_folder: Path, ready: Ready) -> None:
    assert snap_compare(LdnApp(fixture_folder), terminal_size=(120, 40), run_before=steps(ready))


def test_overview_narrow(snap_compare: SnapCompare, fixture_folder: Path, ready: Ready) -> None:
    assert snap_compare(LdnApp(fixture_folder), terminal_size=(60, 24), run_before=steps(ready))


def test_mechanisms_pane(snap_compare: SnapCompare, fixture_folder: Path, ready: Ready) -> None:
    assert snap_compare(LdnApp(fixture_folder), terminal_size=(120, 40), run_before=steps(ready, "1"))


def test_outcomes_pane_narrow(snap_compare: SnapCompare, fixture_folder: Path, ready: Ready) -> None:
    assert snap_compare(LdnApp(fixture_folder), terminal_size=(80, 24), run_before=steps(ready, "2", "down"))


def test_study_detail(snap_compare: SnapCompare, fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    assert snap_compare(app, terminal_size=(120, 40), run_before=steps(ready, "2", "down", "enter"))


def test_review_detail(snap_compare: SnapCompare, fixture_folder: Path, ready: Ready) -> None:
    assert snap_compare(LdnApp(fixture_folder), terminal_size=(120, 40), run_before=steps(ready, "5", "enter"))


def test_sensitivity_banner_leave_one_out(snap_compare: SnapCompare, fixture_folder: Path, ready: Ready) -> None:
    assert snap_compare(LdnApp(fixture_folder), terminal_size=(120, 40), run_before=steps(ready, "s", "a"))


def test_summary_screen(snap_compare: SnapCompare, fixture_folder: Path, ready: Ready) -> None:
    assert snap_compare(LdnApp(fixture_folder), terminal_size=(120, 40), run_before=steps(ready, "s"))


def test_search_hits(snap_compare: SnapCompare, fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    assert snap_compare(app, terminal_size=(120, 40), run_before=steps(ready, "enter", "n", query="trial"))
