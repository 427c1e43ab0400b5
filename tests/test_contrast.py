"""Readable everywhere: every character at least 4.5:1 against its background (WCAG AA), in
every theme with colours of its own, with and without ``NO_COLOR``.

The ``ansi-*`` themes draw in the terminal's own palette, which the app cannot see: they are
left out here (the terminal's palette decides their contrast).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from ldn_tui.report.synthesis_view import CERTAINTY_STYLES
from ldn_tui.report.tables import RESULT_STYLES, ROB_STYLES, STATUS_STYLES
from ldn_tui.tui.app import LdnApp
from ldn_tui.tui.contrast import MINIMUM, as_drawn, contrast, readable

Ready = Callable[[Any], Awaitable[None]]

THEMES = sorted(name for name in LdnApp(".").available_themes if not name.startswith("ansi-"))
RICH_STYLES = sorted({
    *RESULT_STYLES.values(), *ROB_STYLES.values(), *STATUS_STYLES.values(), *CERTAINTY_STYLES.values(),
    "dim", "dim italic", "bold", "italic", "cyan", "blue", "magenta",
})


def test_readable_reaches_the_minimum_and_keeps_what_already_does() -> None:
    levels = range(0, 256, 17)
    for bg in ((v, v, v) for v in levels):
        for fg in ((r, g, 255 - r) for r in levels for g in (0, 128, 255)):
            fixed = readable(fg, bg)
            assert contrast(fixed, bg) >= MINIMUM, (fg, bg, fixed)
            if contrast(fg, bg) >= MINIMUM:
                assert fixed == fg
    assert readable((244, 0, 95), (30, 30, 30)) != (244, 0, 95)  # MONOKAI red on a dark surface
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0


def test_readable_on_a_256_colour_terminal_counts_the_palette_rounding() -> None:
    levels = range(0, 256, 17)
    for bg in ((v, v, 255 - v) for v in levels):
        for fg in ((r, g, 128) for r in levels for g in (0, 128, 255)):
            fixed = readable(fg, bg, MINIMUM, True)
            assert contrast(as_drawn(fixed, True), as_drawn(bg, True)) >= MINIMUM, (fg, bg, fixed)
    brown, light = (116, 75, 19), (199, 199, 199)  # textual-light's header text: 4.5:1, then rounded
    assert contrast(brown, light) >= MINIMUM > contrast(as_drawn(brown, True), as_drawn(light, True))
    assert readable(brown, light, MINIMUM, True) != brown


def _drawn(
    app: LdnApp, style: Style, foreground: Color, background: Color
) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The colours a styled character is drawn in on ``background`` in a widget whose own colour
    is ``foreground``, through the app's filters."""
    strip = Strip([Segment("x", Style(color=foreground.rich_color, bgcolor=background.rich_color) + style)])
    for line_filter in app.get_line_filters():
        strip = strip.apply_filter(line_filter, background)
    drawn = next(iter(strip)).style
    assert drawn is not None and drawn.color is not None and drawn.bgcolor is not None
    assert drawn.color.triplet is not None and drawn.bgcolor.triplet is not None
    return tuple(drawn.color.triplet), tuple(drawn.bgcolor.triplet)  # type: ignore[return-value]


@pytest.mark.parametrize("no_color", [False, True])
def test_every_rich_style_of_the_renderers_on_every_theme_background(
    monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = LdnApp(".")
    failures = []
    for theme in THEMES:
        app.theme = theme
        variables = app.get_css_variables()
        foreground = Color.parse(variables["foreground"])
        for surface in ("surface", "panel", "background"):
            background = Color.parse(variables[surface])
            for name in RICH_STYLES:
                fg, bg = _drawn(app, Style.parse(name), foreground, background)
                if contrast(fg, bg) < MINIMUM:
                    failures.append(f"{theme}: {name!r} on ${surface}: {contrast(fg, bg):.2f}")
    assert not failures, failures


def _lowest(app: LdnApp) -> list[tuple[float, str, str]]:
    """Every character on screen with its contrast, lowest first (text cells only)."""
    found = []
    for widget in app.screen.walk_children(Widget, with_self=True):
        if not widget.display or not widget.region.width:
            continue
        for strip in widget.render_lines(Region(0, 0, widget.region.width, widget.region.height)):
            for seg in strip:
                style = seg.style
                if not seg.text.strip() or style is None:
                    continue
                assert style.color is not None and style.color.triplet is not None, (widget, seg)
                assert style.bgcolor is not None and style.bgcolor.triplet is not None, (widget, seg)
                fg, bg = style.color.triplet, style.bgcolor.triplet
                if style.reverse:
                    fg, bg = bg, fg
                found.append((contrast(fg, bg), type(widget).__name__, seg.text.strip()))
    return sorted(found)


@pytest.mark.parametrize(("theme", "no_color"), [("textual-dark", True), ("textual-light", False)])
async def test_every_character_on_the_main_screens(
    fixture_folder: Path, ready: Ready, monkeypatch: pytest.MonkeyPatch, theme: str, no_color: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.theme = theme
        # the overview, the outcomes, the reviews, a review, the summary, its sensitivity banner
        for keys in ((), ("2",), ("5",), ("enter",), ("escape", "s"), ("a",)):
            if keys:
                await pilot.press(*keys)
            await app.workers.wait_for_complete()
            await pilot.pause()
            lowest = _lowest(app)
            assert lowest, keys
            assert lowest[0][0] >= MINIMUM, (keys, lowest[:5])
