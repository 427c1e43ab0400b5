"""The README's key table is the help screen's, which is made from the same bindings as the footer."""

from __future__ import annotations

from pathlib import Path

from ldn_tui.tui.app import LdnApp
from ldn_tui.tui.screens.help import keys_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_lists_every_key_as_the_help_does() -> None:
    table = keys_markdown(LdnApp(Path(".")).key_groups())
    assert table.count("\n") > 20
    assert table in README.read_text(encoding="utf-8")
