"""``?``: every key binding, where it works, shown as the footer shows it (the same bindings, the
same key names and labels), and the glossary of ``report.glossary``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KeyRow = tuple[str, str, str]  # (key as the footer shows it, its footer label, what it does)
KeyGroups = Sequence[tuple[str, Sequence[KeyRow]]]


def keys_table(groups: KeyGroups) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("Key", no_wrap=True, style="bold")
    table.add_column("Footer", no_wrap=True)
    table.add_column("What it does", ratio=1)
    for where, rows in groups:
        table.add_row(Text(where, style="bold underline"), Text(""), Text(""))
        for key, label, explained in rows:
            table.add_row(Text(key), Text(label), Text(explained))
    return table


def keys_markdown(groups: KeyGroups) -> str:
    """The same table in Markdown (the README's key table is made from it)."""
    lines = ["| Key | Footer | What it does |", "|---|---|---|"]
    for where, rows in groups:
        lines.append(f"| **{where}** | | |")
        lines += [f"| `{key}` | {label} | {explained} |" for key, label, explained in rows]
    return "\n".join(lines) + "\n"


def glossary_table() -> Table:
    from ldn_tui.report.glossary import GLOSSARY

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("Term", no_wrap=True, style="bold")
    table.add_column("Meaning", ratio=1)
    for term in GLOSSARY:
        table.add_row(Text(term.term), Text(f"{term.name}: {term.meaning}" if term.name else term.meaning))
    return table


def help_renderable(groups: KeyGroups) -> RenderableType:
    return Group(
        Text("Keys", style="bold"),
        keys_table(groups),
        Text(""),
        Text("Glossary", style="bold"),
        glossary_table(),
    )


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "#help"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark", "dismiss", "Close help")]

    def __init__(self, groups: KeyGroups) -> None:
        super().__init__(classes="dialog-screen")
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(help_renderable(self.groups), id="help-text")
