"""Literal text with the words of a search query marked, as ``ldn-tui search`` marks them."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from ldn_tui.report.search_out import MATCH_STYLE
from ldn_tui.search import Query, highlight_spans


class Marker:
    """Builds ``rich.text.Text`` from record text (never markup), marking the query's matches.

    ``count`` is how many matches it has marked so far.
    """

    def __init__(self, query: Query | None = None) -> None:
        self.query = query if query is not None and query.needles else None
        self.count = 0

    def __call__(self, text: str, style: str | Style = "") -> Text:
        out = Text(text)
        if style:  # a span, not the base style: text appended later keeps its own style
            out.stylize(style)
        if self.query is not None:
            for start, end in highlight_spans(text, self.query):
                out.stylize(MATCH_STYLE, start, end)
                self.count += 1
        return out
