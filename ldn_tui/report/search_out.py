"""``ldn-tui search`` output: ranked hits with the matched field and a highlighted snippet."""

from __future__ import annotations

import io
import re
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from ldn_tui.model import Review, Study, Trial
from ldn_tui.report.facts import study_label
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


# A field as a person names it: "keywords[1]" is a keyword, "biomarkers[0].marker" a biomarker.
_FIELD_WORDS = {
    "keywords": "keyword", "biomarkers": "biomarker", "caveats": "caveat", "authors": "author",
    "outcomes": "outcome", "findings": "pooled result", "includes": "included study",
    "includes_other": "included study", "studies": "study", "studies_against": "study against it",
    "references": "reference", "ongoing": "registered trial", "risk_of_bias": "risk of bias",
    "adverse_events": "adverse events", "search_date": "search date", "n_studies": "number of studies",
    "question": "question", "why": "why it matters", "status_checked": "status read", "planned_n": "planned size",
}
_PART_WORDS = {"marker": "", "description": "", "kind": "kind", "timepoint": "time point", "rationale": "rationale",
               "assessed_by": "assessed by", "overall": ""}
_NUMERIC_WORDS = {"year": "year", "n": "participants enrolled", "dose": "dose (mg a day)"}


def field_words(field: str) -> str:
    """``keywords[1]`` -> "keyword", ``biomarkers[0].marker`` -> "biomarker", ``outcomes[2].summary`` ->
    "outcome summary", ``population.description`` -> "population"."""
    head, _, part = field.partition(".")
    head = re.sub(r"\[\d+\]$", "", head)
    words = _FIELD_WORDS.get(head, head.replace("_", " "))
    if part:
        extra = _PART_WORDS.get(part, part.replace("_", " "))
        words = f"{words} {extra}" if extra else words
    return words


def hit_label(hit: Hit) -> str:
    """How a reader names the record: "Younger & Mackey 2009", a trial's registration, a title."""
    record = hit.record
    if isinstance(record, (Study, Review)):
        return study_label(record)
    if isinstance(record, Trial):
        return record.registration
    return hit.title


def filter_values(hit: Hit) -> list[str]:
    """For ``year:``, ``n:`` and ``dose:`` filters, the value the record matched with: "year 2013"."""
    out = []
    for f in hit.query.filters:
        if f.name in _NUMERIC_WORDS:
            value = f.value_of(hit.record)
            if value is not None:
                shown = f"{value:g}" if isinstance(value, float) else str(value)
                out.append(f"{_NUMERIC_WORDS[f.name]}: {shown}")
    return out


def hit_renderable(number: int, hit: Hit) -> RenderableType:
    label = hit_label(hit)
    head = Text.assemble((f"{number:>2}. ", "dim"), (label, "bold cyan"), ("  ", ""), (hit.kind, "dim"))
    if hit.year is not None and str(hit.year) not in label:
        head.append(f"  {hit.year}", "dim")
    if hit.id != label:
        head.append(f"  {hit.id}", "dim")
    body: list[RenderableType] = [Text(hit.title, "bold")]
    if hit.field:
        body.append(Text(f"{field_words(hit.field)}: ", "dim") + highlighted(hit.snippet, hit.spans))
    values = filter_values(hit)
    if values:
        body.append(Text("matched " + "; ".join(values), "dim"))
    extra = list(dict.fromkeys(field_words(name) for name in hit.field_names if name != hit.field))
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
