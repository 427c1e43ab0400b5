"""Record text is never markup: a folder whose every text field carries Textual/Rich markup and
action syntax is shown literally in every pane and screen, at every width, and nothing it says runs."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from ldn_tui.report import summary
from ldn_tui.report.tables import summary_renderables
from ldn_tui.tui.app import LdnApp
from ldn_tui.tui.screens.main import MainScreen
from ldn_tui.tui.widgets.search import SearchInput

FIXTURE = Path(__file__).parent / "data" / "evidence"

# Every free-text key of the format (enums, ids, dates and links are checked by the loader).
TEXT_KEYS = (
    "title", "label", "question", "summary", "description", "why", "conclusion", "rationale", "note",
    "measure", "source", "timepoint", "marker", "assessed_by", "adverse_events", "reason", "country",
)
LIST_KEYS = ("authors", "keywords", "caveats")


# A screenshot action would write into the working folder: the tests run in ``target``.
PAYLOAD = "[/] [@click=app.quit]Q[/] [@click=app.screenshot('x.svg','.')]Pain[/] [blink]B [/] [b]"


def hostile_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the fixture with ``payload`` in front of every text field; and the folder
    the screenshot action would write into (it must stay empty)."""
    folder, target = tmp_path / "evidence", tmp_path / "target"
    shutil.copytree(FIXTURE, folder)
    target.mkdir()
    (folder / "trials.toml").write_text("".join(  # every registration the fixture names
        f'[[trial]]\nregistration = "{registration}"\ntitle = "A trial"\nstatus = "recruiting"\n'
        'status_checked = 2026-01-15\nresults = "none"\ncountry = "Nowhere"\nsource = "The registry"\n\n'
        for registration in ("NCT00000002", "NCT00000003", "NCT00000009")), encoding="utf-8")
    bad = PAYLOAD
    list_item = re.compile(rf'^((?:{"|".join(LIST_KEYS)}) = \[.*?")', re.M)
    for path in folder.rglob("*.toml"):
        keys = [k for k in TEXT_KEYS if not (path.name == "topic.toml" and k == "measure")]  # an enum there
        text_line = re.compile(rf'^(\s*(?:{"|".join(keys)}) = ")', re.M)
        text = path.read_text(encoding="utf-8")
        text = list_item.sub(lambda m: m.group(1) + bad, text_line.sub(lambda m: m.group(1) + bad, text))
        path.write_text(text, encoding="utf-8")
    return folder, target


def screen_text(app: LdnApp, target: Path) -> str:
    """What is on screen; and no cell of it is an action or blinks; nothing ran."""
    assert app.is_running
    assert list(target.iterdir()) == []
    strips = app.screen._compositor.render_strips()
    for strip in strips:
        for segment in strip:
            style = segment.style
            if style is not None:
                assert "@click" not in style.meta, (strip.text, style.meta)
                assert not style.blink, strip.text
    return "\n".join(strip.text for strip in strips)


async def settle(pilot: Any) -> None:
    from textual.worker import WorkerCancelled

    try:
        await pilot.app.workers.wait_for_complete()
    except WorkerCancelled:  # a search superseded
        pass
    await pilot.pause()


@pytest.mark.parametrize("width", [80, 120, 160, 200])
async def test_every_view_shows_record_markup_literally(
    tmp_path: Path, ready: Any, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, target = hostile_folder(tmp_path)
    monkeypatch.chdir(target)
    app = LdnApp(folder)
    async with app.run_test(size=(width, 30), notifications=True, tooltips=True) as pilot:
        await ready(pilot)
        assert isinstance(app.screen, MainScreen), app.problems
        assert "[b]" in screen_text(app, target)  # the header's title, at least
        for key in "12345":
            await pilot.press(key)
            await settle(pilot)
            text = screen_text(app, target)
            assert "[blink]" in text or "[@click" in text, key
        await pilot.press("2", "enter")  # a study, from the outcomes table
        await settle(pilot)
        assert app.screen.__class__.__name__ == "StudyScreen"
        assert "[@click=app.quit]Q[/]" in screen_text(app, target)
        await pilot.press("c")  # the notification names the study
        await settle(pilot)
        assert "Copied" in screen_text(app, target)
        await pilot.press("escape", "s")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "SummaryScreen"
        assert "[blink]" in screen_text(app, target)
        await pilot.press("a")  # leave one out: names each omitted study
        await settle(pilot)
        screen_text(app, target)
        await pilot.press("escape", "slash")
        app.screen.query_one(SearchInput).value = "pain"  # typed at once: one search, not four
        await settle(pilot)
        text = screen_text(app, target)
        assert "[blink]" in text or "[@click" in text
        if width == 80:  # the views below are laid out alike at any width: once is enough
            await pilot.press("escape", "question_mark")
            await settle(pilot)
            screen_text(app, target)
            await pilot.press("escape", "ctrl+p", "o")
            await settle(pilot)
            assert "[b]" in screen_text(app, target)
            await pilot.press("escape", "e")
            await settle(pilot)
            screen_text(app, target)
        await pilot.press("escape")
        await settle(pilot)
        screen_text(app, target)
        assert app.is_running


def test_cli_summary_shows_record_markup_literally(tmp_path: Path) -> None:
    """The text report, printed through a console that *does* parse markup, still shows it all."""
    folder, _ = hostile_folder(tmp_path)
    from ldn_tui.records.loader import check_evidence

    evidence, problems = check_evidence(folder)
    assert evidence is not None, problems
    text = summary.render(evidence, "text", width=200)
    assert "[@click=app.quit]Q[/]" in text and "[blink]" in text
    for width in (80, 200):
        console = Console(width=width, record=True, markup=True, file=io.StringIO())
        for renderable in summary_renderables(evidence):
            console.print(renderable)  # a markup error would raise here
        printed = console.export_text()
        assert "[blink]" in printed and "[@click=app.quit]" in printed.replace("\n", "")
        assert "Q Pain B" not in printed  # what the markup would have shown
