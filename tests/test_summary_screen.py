"""The summary screen: bottom line above the summary of findings, and the REML/DL, z/HKSJ and subgroup keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.geometry import Region
from textual.widget import Widget

from ldn_tui.tui.app import LdnApp
from ldn_tui.tui.screens.help import HelpScreen
from ldn_tui.tui.screens.summary import SUBGROUPS, DomainBlock, SummaryScreen

Ready = Any


def shown(widget: Widget) -> str:
    """The text a widget shows on screen right now."""
    strips = widget.render_lines(Region(0, 0, widget.region.width, widget.region.height))
    return "\n".join(strip.text.rstrip() for strip in strips)


async def _summary(pilot: Any, ready: Ready) -> SummaryScreen:
    await ready(pilot)
    await pilot.press("s")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SummaryScreen)
    return screen


async def _press(pilot: Any, key: str) -> None:
    await pilot.press(key)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _blocks(screen: SummaryScreen) -> str:
    return "\n".join(shown(w) for w in screen.query(DomainBlock))


async def test_bottom_line_above_the_summary_of_findings(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(120, 60)) as pilot:
        screen = await _summary(pilot, ready)
        bottom = screen.query_one("#bottom-line-box")
        findings = screen.query_one("#findings")
        assert bottom.region.y < findings.region.y
        table = shown(findings)
        assert "Summary of findings (GRADE)" in table
        assert "Risk with placebo" in table and "per 1,000" in table and "Difference:" in table
        assert "Pooling the studies" not in shown(screen.query_one("#bottom-line"))


async def test_method_test_and_subgroup_keys(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(120, 200)) as pilot:
        screen = await _summary(pilot, ready)
        options = shown(screen.query_one("#analysis"))
        assert "Method: REML" in options and "Test: Wald z" in options and "Subgroups: off" in options
        assert "Pooled, REML" in _blocks(screen) and "Subtotal" not in _blocks(screen)

        await _press(pilot, "t")
        assert "Test: Hartung-Knapp (HKSJ)" in shown(screen.query_one("#analysis"))
        text = _blocks(screen)
        assert "Pain intensity — MD, REML, Hartung-Knapp" in text and "Hartung-Knapp t =" in text
        assert "Pooled, REML, HKSJ" in text

        await _press(pilot, "m")
        assert "Method: DL" in shown(screen.query_one("#analysis"))
        assert "Pooled, DL, HKSJ" in _blocks(screen)

        await _press(pilot, "g")
        assert "Subgroups: design" in shown(screen.query_one("#analysis"))
        text = _blocks(screen)
        assert "design: parallel-rct" in text and "Subtotal" in text and "Test for subgroup differences" in text
        assert "Overall, DL, HKSJ" in text

        for _ in SUBGROUPS[1:]:
            await _press(pilot, "g")
        assert "Subgroups: off" in shown(screen.query_one("#analysis"))
        assert "Subtotal" not in _blocks(screen)

        await _press(pilot, "t")
        await _press(pilot, "m")
        assert "Pooled, REML" in _blocks(screen) and "HKSJ" not in _blocks(screen)


async def test_help_lists_the_summary_keys(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(120, 80)) as pilot:
        await _summary(pilot, ready)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = shown(app.screen.query_one("#help-text"))
        lines = [line.split() for line in text.splitlines()]
        for key, words in (("m", "REML/DL"), ("t", "z/HKSJ"), ("g", "Subgroups"), ("a", "Sensitivity")):
            assert [key, words] in [line[:2] for line in lines]


async def test_summary_of_findings_stacks_on_a_narrow_terminal(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(80, 60)) as pilot:
        screen = await _summary(pilot, ready)
        text = shown(screen.query_one("#findings"))
        assert "  Participants (studies) 226 (3 RCTs)" in text and "  Absolute effects" in text
        await pilot.resize_terminal(140, 60)
        await pilot.pause()
        text = shown(screen.query_one("#findings"))
        assert "Absolute effects" not in text and "Anticipated absolute" in text
