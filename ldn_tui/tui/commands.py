"""The command palette (ctrl+p): the app's actions and every study by title."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from ldn_tui.report import facts

if TYPE_CHECKING:
    from ldn_tui.tui.app import LdnApp

Command = tuple[str, Callable[[], object], str]


def literal_highlight(matcher: Matcher, text: str) -> Content:
    """``Matcher.highlight`` without parsing ``text`` as markup: a ``[/b]`` in a title stays text."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class EvidenceCommands(Provider):
    @property
    def ldn(self) -> LdnApp:
        return cast("LdnApp", self.app)

    def commands(self) -> list[Command]:
        app = self.ldn
        out: list[Command] = [
            ("Show the summary: certainty per outcome", app.action_summary, "s"),
            ("Search the evidence", app.action_search, "/"),
            ("Help: keys and glossary", app.action_help, "?"),
        ]
        from ldn_tui.tui.screens.main import PANES

        for i, (pane_id, title, _) in enumerate(PANES, 1):
            out.append((f"Go to pane {title}", partial(app.show_pane, pane_id), str(i)))
        evidence = app.evidence
        if evidence is not None:
            for study in evidence.studies:
                label = f"Open study: {facts.study_label(study)} · {study.title}"
                out.append((label, partial(app.open_record, study.id), study.id))
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self.commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, literal_highlight(matcher, name), callback, text=name, help=escape(help_text))
