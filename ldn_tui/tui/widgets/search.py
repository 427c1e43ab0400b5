"""The search box and the list of hits (rendered by the same function as ``ldn-tui search``)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ldn_tui.report.search_out import hit_renderable
from ldn_tui.search import Hit, SearchResult

PLACEHOLDER = 'search: words, "a phrase", year:2013..2024, marker:IL-6, type:review'


class SearchInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "screen.focus_hits", "Hits", show=False),
    ]


class SearchBar(Horizontal):
    """``/``: the query, and what became of it ("searching…", "3 of 7", an error)."""

    def compose(self) -> ComposeResult:
        yield Static("/", id="search-prompt")
        yield SearchInput(placeholder=PLACEHOLDER, id="search-input", select_on_focus=False)
        yield Static(id="search-status", markup=False)

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        status.update(Text(text))
        status.set_class(error, "-error")


class HitList(OptionList):
    """The hits, best first; each shows the matched field with the words marked."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.hits: list[Hit] = []
        self.total = 0

    def show(self, result: SearchResult | None) -> None:
        self.hits = list(result.hits) if result else []
        self.total = result.total if result else 0
        options: list[Option | None] = []
        for i, hit in enumerate(self.hits, 1):
            options += [Option(hit_renderable(i, hit), id=f"hit:{i}"), None]
        self.set_options(options[:-1])
        if self.hits:
            self.highlighted = 0

    @property
    def current(self) -> Hit | None:
        if self.highlighted is None or not self.hits:
            return None
        return self.hits[self.highlighted]

    def count_text(self) -> str:
        """'3 of 7' (and how many matched in all when only the first ones are listed)."""
        if not self.hits:
            return "no matches"
        position = (self.highlighted or 0) + 1
        shown = len(self.hits)
        if self.total > shown:
            return f"{position} of {shown} shown ({self.total} matches)"
        return f"{position} of {self.total}"

    def step(self, delta: int) -> None:
        if self.hits:
            self.highlighted = ((self.highlighted or 0) + delta) % len(self.hits)
