"""``ldn-tui search`` output: ranked hits with the matched field and a highlighted snippet."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from ldn_tui.report.json_out import dumps
from ldn_tui.report.summary import console_for, output, terminal_console
from ldn_tui.search import Hit, SearchResult

MATCH_STYLE = "bold reverse"


def highlighted(text: str, spans: tuple[tuple[int, int], ...] | list[tuple[int, int]], style: str = MATCH_STYLE) -> Text:
    """Literal text with the match spans styled: the same highlight the app shows."""
    out = Text(text)
    for start, end in spans:
        out.stylize(style, start, end)
    return out


def hit_renderable(number: int, hit: Hit) -> RenderableType:
    head = Text.assemble((f"{number:>2}. ", "dim"), (hit.id, "bold cyan"), ("  ", ""), (hit.kind, "dim"))
    if hit.year is not None:
        head.append(f"  {hit.year}", "dim")
    body: list[RenderableType] = [Text(hit.title, "bold")]
    if hit.field:
        body.append(Text(f"{hit.field}: ", "dim") + highlighted(hit.snippet, hit.spans))
    extra = [m.field for m in hit.fields if m.field != hit.field]
    if extra:
        more = f" and {len(extra) - 4} more" if len(extra) > 4 else ""
        body.append(Text("also in: " + ", ".join(extra[:4]) + more, "dim"))
    return Group(head, Padding(Group(*body), (0, 0, 0, 4)))


def hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "kind": hit.kind,
        "title": hit.title,
        "year": hit.year,
        "score": hit.score,
        "field": hit.field,
        "snippet": hit.snippet,
        "spans": [list(s) for s in hit.spans],
        "fields": [{"field": m.field, "snippet": m.snippet, "spans": [list(s) for s in m.spans]} for m in hit.fields],
    }


def render(result: SearchResult, fmt: str, width: int | None = None) -> str:
    if fmt == "json":
        return dumps({"query": result.query.text,
                      "total": result.total, "hits": [hit_dict(h) for h in result.hits]})
    buffer = io.StringIO()
    console: Console = terminal_console(buffer, width) or console_for(width, buffer)
    if not result.total:
        console.print(Text("no matches"))
        return output(buffer, console)
    shown = len(result.hits)
    noun = "match" if result.total == 1 else "matches"
    summary = f"{result.total} {noun}" + (f", showing {shown}" if shown < result.total else "")
    console.print(Text(summary, "dim"))
    for number, hit in enumerate(result.hits, 1):
        console.print(hit_renderable(number, hit))
    return output(buffer, console)
