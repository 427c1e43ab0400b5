"""``ldn_tui.report.plain`` lays the summary out exactly as Rich does, character for character.

Every comparison is against ``summary.rich_text``: the renderables printed through the
plain Rich console, which is what ``ldn-tui summary`` printed in a pipe before.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding, PaddingDimensions
from rich.table import Table
from rich.text import Text

from ldn_tui.analysis.synthesis import synthesise
from ldn_tui.model import Evidence
from ldn_tui.records.loader import load_evidence
from ldn_tui.records.paths import bundled_evidence
from ldn_tui.report import plain, summary
from ldn_tui.report.synthesis_view import synthesis_renderables
from ldn_tui.report.tables import summary_renderables

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "evidence"
WIDTHS = (40, 60, 80, 100, 132)


@pytest.fixture(autouse=True)
def _a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich's consoles write to a pipe, even when the environment forces colour."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)


def no_fallback(part: RenderableType) -> str:
    raise AssertionError(f"fell back to Rich for {type(part).__name__}")


def both(parts: Sequence[RenderableType], width: int) -> tuple[str, str]:
    """(plain's text, falling back to Rich where it must; Rich's text)."""
    return plain.render_text(parts, width, lambda part: summary.rich_text([part], width)), summary.rich_text(parts, width)


def assert_same(parts: Sequence[RenderableType], width: int) -> str:
    mine, rich = both(parts, width)
    assert mine == rich
    return mine


def renderables(evidence: Evidence, width: int | None = None) -> list[RenderableType]:
    """The summary's parts; with ``width``, the summary of findings laid out for it (stacked when narrow)."""
    syntheses = synthesise(evidence)
    return summary_renderables(evidence, extra=synthesis_renderables(evidence, syntheses, width), pad=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Evidence:
    """A generated folder of 100 studies (``benchmarks/generate.py``: the same bytes every time)."""
    out = tmp_path_factory.mktemp("generated") / "ev-100"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "100", str(out)], check=True,
                   capture_output=True)
    return load_evidence(out)


@pytest.fixture(scope="module")
def bundled() -> Evidence:
    return load_evidence(bundled_evidence())


@pytest.fixture(scope="module")
def fixture_evidence() -> Evidence:
    return load_evidence(FIXTURE)


# ---------------------------------------------------------------------------
# The summaries themselves


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["bundled", "fixture_evidence", "generated"])
def test_summary_identical_to_rich(name: str, width: int, request: pytest.FixtureRequest) -> None:
    evidence: Evidence = request.getfixturevalue(name)
    parts = renderables(evidence)
    mine = plain.render_text(parts, width, no_fallback)  # every part laid out here, none by Rich
    assert mine == summary.rich_text(parts, width)
    assert max(len(line) for line in mine.splitlines()) <= width


@pytest.mark.parametrize("width", [1, 2, 7, 13, 25, 31, 250])
def test_bundled_at_odd_widths(bundled: Evidence, width: int) -> None:
    parts = renderables(bundled)
    assert plain.render_text(parts, width, no_fallback) == summary.rich_text(parts, width)


def test_render_uses_plain_and_matches_rich(bundled: Evidence, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = plain.render_text

    def spy(parts: Any, width: int, fallback: Any) -> str:
        calls.append(width)
        return real(parts, width, fallback)

    monkeypatch.setattr(summary, "terminal_console", lambda file, width: None)  # a pipe, even under pytest -s
    monkeypatch.setattr(plain, "render_text", spy)
    text = summary.render(bundled, "text", width=72)
    assert calls == [72]
    assert text == summary.rich_text(renderables(bundled, 72), 72)
    assert summary.render(bundled, "text") == summary.rich_text(renderables(bundled, 80), None)  # 80 by default


# ---------------------------------------------------------------------------
# Targeted constructs


def summary_table(**kwargs: Any) -> Table:
    """A table set up as ``tables._table`` sets its own up (``kwargs`` change that)."""
    options: dict[str, Any] = dict(title=Text("Title", "bold"), title_justify="left", box=box.SIMPLE_HEAD,
                                   expand=True, show_edge=False, pad_edge=False)
    options.update(kwargs)
    return Table(**options)


def three_columns(*rows: Sequence[RenderableType | None], **kwargs: Any) -> Table:
    table = summary_table(**kwargs)
    table.add_column("Study", max_width=18)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("Finding", ratio=1)
    for row in rows:
        table.add_row(*row)
    return table


@pytest.mark.parametrize("width", [20, 40, 80])
def test_wide_characters(width: int) -> None:
    table = three_columns(
        (Text("山田 太郎 2020"), Text("12"), Text("痛みは減った。プラセボと比べて差はなかった 漢字漢字漢字漢字漢字漢字")),
        (Text("Émilie 🎉"), Text("３０"), Text("👍 better 👍👍👍👍👍👍👍👍👍👍 sleep, 睡眠が改善")),
        (Text("字" * 30), Text("n"), Text("a字b字c字" * 8)),
    )
    parts: list[RenderableType] = [table, Text("全角テキスト " * 12), Group(Text("😀" * 50), Padding(Text("ｱｲｳ" * 20), (1, 2)))]
    for part in parts:
        plain.plain_lines(part, width)  # laid out here, not by Rich
    assert_same(parts, width)


@pytest.mark.parametrize("width", [12, 30, 60])
def test_a_word_longer_than_its_column(width: int) -> None:
    long = "https://clinicaltrials.gov/ct2/show/results/NCT04270877?term=naltrexone"
    table = three_columns((Text(long), Text("1234567890123"), Text(f"see {long} for the results")))
    text = assert_same([table, Text(long), Text(f"a {long} b")], width)
    assert "…" in text  # cropped with an ellipsis in the narrow Study column


def test_hostile_text_is_never_markup() -> None:
    hostile = ["[bold red]red[/]", "[/b]", "[link=https://x]x[/link]", ":smile: :warning:", "\\[escaped]",
               "$(rm -rf /)", "<script>", "%s %d {0}", "[", "]"]
    table = three_columns(*[(Text(h), h, Text(h * 3)) for h in hostile])
    text = assert_same([table, Group(*(Text(h) for h in hostile)), *hostile], 60)
    for h in hostile:
        assert h in text


def test_control_characters_fall_back_to_rich() -> None:
    # The loader strips these from records; anything that still reaches here is Rich's business.
    for odd in ["a\x1b[31mred", "tab\there", "bell\x07", "e\u0301", "👨\u200d👩\u200d👧", "❤\ufe0f", "zero\u200bwidth"]:
        table = three_columns((Text(odd), Text("1"), Text(odd + " " + odd)))
        assert_same([table, Text(odd), Group(Text(odd))], 30)
    with pytest.raises(plain.Unsupported):
        plain.plain_lines(Text("e\u0301"), 30)
    with pytest.raises(plain.Unsupported):
        plain.plain_lines(three_columns((Text("👨\u200d👩"), "1", "x")), 30)


@pytest.mark.parametrize("width", [30, 80])
def test_empty_cells_and_not_reported(width: int) -> None:
    table = three_columns(
        (Text(""), Text(""), Text("")),
        (None, None, None),
        (Text("not reported", "dim"), Text("not reported"), Text("not reported")),
        ("", "?", Text("\n")),
        (Text("a\n\nb"), Text(" "), Text("   leading and trailing   ")),
    )
    assert_same([table, Text(""), Group(), three_columns(), Table()], width)


def test_tabs_and_newlines() -> None:
    texts = [Text("a\tb\tc"), Text("\tx"), Text("col\t\t\tend\t"), Text("one\ntwo\n"), Text("\n\n"),
             Text("x\ty", tab_size=4), Text("x\ty", tab_size=0)]
    table = three_columns(*[(t, t, t) for t in texts])
    assert_same([table, *texts, Group(*texts)], 24)


@pytest.mark.parametrize("width", [9, 40, 100])
def test_table_options(width: int) -> None:
    """The table settings the project does not use yet, each compared with Rich."""
    rows = [(Text("alpha beta"), Text("1"), Text("a longer finding in several words")),
            (Text("gamma"), Text("22"), Text("short")),
            (Text("delta epsilon zeta"), Text("333"), Text("x"))]
    variants: list[dict[str, Any]] = [
        dict(box=box.ROUNDED, show_edge=True), dict(box=box.HEAVY_HEAD, show_lines=True, pad_edge=True),
        dict(box=box.ASCII, leading=1), dict(box=None, padding=(1, 2), collapse_padding=True),
        dict(expand=False), dict(expand=False, min_width=50), dict(width=30), dict(show_header=False),
        dict(show_footer=True, caption=Text("a caption that wraps over more than one line"), caption_justify="right"),
        dict(title="A title that is a str and long enough to wrap, centred", title_justify="center"),
        dict(title_justify="full", title=Text("full justified title across several words " * 2)),
        dict(padding=(0, 0), pad_edge=True), dict(padding=1, box=box.MINIMAL),
    ]
    for variant in variants:
        table = three_columns(*rows, **variant)
        table.rows[1].end_section = True
        assert_same([table], width)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(Text("−1", "bold red"), Text("risk of bias: both trials had some concerns about blinding"))
    grid.add_row(Text(" 0", "dim"), Text("inconsistency: one study only"))
    assert_same([Padding(grid, (0, 0, 0, 1)), Group(Text("Not assessable"), grid)], width)


@pytest.mark.parametrize("width", [10, 35, 70])
def test_column_options(width: int) -> None:
    table = summary_table()
    table.add_column("Left", justify="left", overflow="fold", min_width=5)
    table.add_column("Centre", justify="center", overflow="crop", vertical="middle")
    table.add_column("Right", justify="right", overflow="ellipsis", vertical="bottom", width=8)
    table.add_column("Full", justify="full", ratio=2)
    table.add_column("Ignore", overflow="ignore", no_wrap=True, max_width=6)
    table.add_column("Ratio", ratio=1, min_width=3)
    words = Text("several words of differing lengths, unbreakablewordhere and more words")
    for _ in range(2):
        table.add_row(words, words, words, words, Text("abcdefghijklmnop"), words)
    table.add_row("short", Text("x\ny\nz"), "", Text("one two three four five six seven eight nine"), "", "")
    assert_same([table], width)


@pytest.mark.parametrize("width", [8, 33, 80])
def test_nesting_and_text_options(width: int) -> None:
    inner = three_columns((Text("inner study"), Text("5"), Text("nested finding text")))
    outer = summary_table()
    outer.add_column("Group")
    outer.add_column("Table", ratio=1)
    outer.add_row(Group(Text("first"), Text("second line")), inner)
    outer.add_row(Padding(Text("padded text cell"), (1, 1, 0, 2)), Padding(Text("not expanded"), 1, expand=False))
    texts = [Text("centred words in a line " * 3, justify="center"), Text("right " * 9, justify="right"),
             Text("full justified words " * 5, justify="full"), Text("crop" * 30, overflow="crop", no_wrap=True),
             Text("ellipsis " * 20, overflow="ellipsis"), Text("ignored " * 20, overflow="ignore")]
    parts: list[RenderableType] = [outer, *texts, Group(*texts), Padding(Group(*texts), (1, 3)),
                                   Padding(Text("short"), (0, 2), expand=False)]
    for part in parts:
        plain.plain_lines(part, width)  # all laid out here
    assert_same(parts, width)


def test_unknown_renderables_fall_back() -> None:
    from rich.panel import Panel
    from rich.rule import Rule

    class Custom(Text):
        pass

    parts: list[RenderableType] = [Panel("in a panel"), Rule("rule"), Custom("a subclass"),
                                   Group(Text("fine"), Panel("not fine")), Text("end", end="")]
    for part in parts[:-1]:
        with pytest.raises(plain.Unsupported):
            plain.plain_lines(part, 40)
    assert_same(parts, 40)


def test_divide_line_matches_rich() -> None:
    from rich._wrap import divide_line

    cases = ["", " ", "a", "   leading spaces", "trailing   ", "a b c d e f g", "word" * 20, "two  spaces  here",
             "a  " + "b" * 30 + "   c", "字字字 字字字字字 字", "x" * 9 + " " * 9 + "y"]
    for text in cases:
        for width in range(1, 14):
            for fold in (True, False):
                assert plain.divide_line(text, width, fold) == divide_line(text, width, fold), (text, width, fold)


# ---------------------------------------------------------------------------
# Random text and tables against Rich

ALPHABET = st.sampled_from([*"abcdefghij     ,.-[]/", "−", "é", "β", "字", "🎉", "\n", "\t", "…", "ｱ"])
cell_text = st.text(ALPHABET, max_size=60)
cell = st.one_of(cell_text.map(Text), cell_text, st.none())


PADDINGS: list[PaddingDimensions] = [(0, 1), (0, 0), (0, 2), (1, 1), (1, 0, 0, 2), 1]


@st.composite
def random_tables(draw: st.DrawFn) -> Table:
    n_columns = draw(st.integers(1, 5))
    maybe_width = st.one_of(st.none(), st.integers(0, 40))
    table = Table(
        title=draw(st.one_of(st.none(), cell_text.map(Text))),
        title_justify=draw(st.sampled_from(["left", "center", "right", "full"])),
        caption=draw(st.one_of(st.none(), cell_text)),
        box=draw(st.sampled_from([box.SIMPLE_HEAD, None, box.ROUNDED, box.HEAVY_HEAD, box.MINIMAL])),
        expand=draw(st.booleans()),
        width=draw(st.one_of(st.none(), st.integers(1, 60))),
        min_width=draw(maybe_width),
        show_edge=draw(st.booleans()),
        pad_edge=draw(st.booleans()),
        show_header=draw(st.booleans()),
        show_footer=draw(st.booleans()),
        padding=draw(st.sampled_from(PADDINGS)),
        collapse_padding=draw(st.booleans()),
        show_lines=draw(st.booleans()),
        leading=draw(st.integers(0, 1)),
    )
    for _ in range(n_columns):
        table.add_column(
            draw(cell_text),
            footer=draw(cell_text),
            justify=draw(st.sampled_from(["left", "right", "center", "full", "default"])),
            vertical=draw(st.sampled_from(["top", "middle", "bottom"])),
            no_wrap=draw(st.booleans()),
            overflow=draw(st.sampled_from(["ellipsis", "fold", "crop", "ignore"])),
            width=draw(st.one_of(st.none(), st.none(), st.integers(0, 12))),
            max_width=draw(st.one_of(st.none(), st.integers(1, 30))),
            min_width=draw(st.one_of(st.none(), st.integers(0, 10))),
            ratio=draw(st.one_of(st.none(), st.integers(1, 3))),
        )
    for _ in range(draw(st.integers(0, 4))):
        table.add_row(*draw(st.lists(cell, min_size=n_columns, max_size=n_columns)), end_section=draw(st.booleans()))
    return table


text_options = st.fixed_dictionaries({
    "justify": st.sampled_from([None, "left", "right", "center", "full"]),
    "overflow": st.sampled_from([None, "ellipsis", "fold", "crop", "ignore"]),
    "no_wrap": st.sampled_from([None, True, False]),
})
texts = st.lists(st.builds(lambda text, options: Text(text, **options), cell_text, text_options), max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=random_tables(), width=st.integers(1, 100), texts=texts,
       pad=st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(0, 1), st.integers(0, 3)),
       expand=st.booleans())
def test_random_tables_match_rich(table: Table, width: int, texts: list[Text], pad: tuple[int, int, int, int],
                                  expand: bool) -> None:
    parts: list[RenderableType] = [table, *texts, Group(*texts), Padding(Group(table, *texts), pad, expand=expand)]
    try:
        rich = summary.rich_text(parts, width)
    except AssertionError:  # Rich's ratio_distribute, when every column is 0 wide: so does plain's
        with pytest.raises(AssertionError):
            plain.render_text(parts, width, no_fallback)
        return
    assert plain.render_text(parts, width, no_fallback) == rich


@settings(max_examples=300, deadline=None)
@given(text=st.text(ALPHABET, max_size=80), width=st.integers(1, 30),
       justify=st.sampled_from(["default", "left", "right", "center", "full"]),
       overflow=st.sampled_from(["fold", "crop", "ellipsis", "ignore"]), no_wrap=st.booleans())
def test_wrap_matches_text_wrap(text: str, width: int, justify: Any, overflow: Any, no_wrap: bool) -> None:
    console = summary.console_for(width)
    expected = [line.plain for line in Text(text).wrap(console, width, justify=justify, overflow=overflow,
                                                       no_wrap=no_wrap)]
    assert plain.wrap(text, width, justify, overflow, no_wrap=no_wrap) == expected
