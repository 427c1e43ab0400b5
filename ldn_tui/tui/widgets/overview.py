"""Pane 0, the first thing shown: the question, the bottom line, certainty per outcome, the kinds of
study and whether the reviews agree (``report.overview``), and the keys to every other pane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ldn_tui.analysis.synthesis import DomainSynthesis
from ldn_tui.model import Evidence
from ldn_tui.report.screen_export import section_text
from ldn_tui.tui.widgets.base import Pane


@dataclass
class OverviewReady(Message):
    syntheses: tuple[DomainSynthesis, ...]
    view: RenderableType


class OverviewPane(Pane):
    section: ClassVar[str] = "overview"

    def __init__(self, evidence: Evidence, *, id: str | None = None, keys: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(evidence, id=id)
        self.syntheses: tuple[DomainSynthesis, ...] = ()
        self.keys = keys  # (key, pane title) of the other panes, for the line at the foot

    def compose(self) -> ComposeResult:
        self.scroll = VerticalScroll(id="overview-scroll", can_focus=True)
        self.view = Static(Text("Pooling the studies…"), id="overview-view")
        with self.scroll:
            yield Static(self.keys_line(), id="overview-keys")
            yield self.view

    def keys_line(self) -> Text:
        line = Text("More: ", style="bold")
        for key, title in self.keys:
            line.append(key, "bold reverse")
            line.append(f" {title}   ")
        line.append("s", "bold reverse")
        line.append(" summary with forest plots   ")
        line.append("?", "bold reverse")
        line.append(" help")
        return line

    def on_mount(self) -> None:
        self.prepare()

    @work(thread=True, exclusive=True, group="overview")
    def prepare(self) -> None:
        from ldn_tui.analysis.synthesis import synthesise
        from ldn_tui.report.overview import overview_renderable

        syntheses = synthesise(self.evidence)
        self.post_message(OverviewReady(syntheses, overview_renderable(self.evidence, syntheses)))

    @on(OverviewReady)
    def _ready(self, event: OverviewReady) -> None:
        self.syntheses = event.syntheses
        self.view.update(event.view)

    def export_text(self) -> str:
        """The overview's words are the summary's: its Markdown, with the pooled results once ready."""
        return section_text(self.evidence, "summary", self.syntheses)

    def main_widget(self) -> Widget:
        return self.scroll
