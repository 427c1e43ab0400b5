"""Pane 3: biomarker findings by study and by marker, with the sample size; what went unreported."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.console import RenderableType
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ldn_tui.report.previews import inflammation_view
from ldn_tui.tui.widgets.base import Pane


@dataclass
class ViewReady(Message):
    view: RenderableType


class InflammationPane(Pane):
    section: ClassVar[str] = "inflammation"

    def compose(self) -> ComposeResult:
        self.scroll = VerticalScroll(id="inflammation-scroll", can_focus=True)
        self.view = Static("Gathering the biomarker findings…", id="inflammation-view")
        with self.scroll:
            yield self.view

    def on_mount(self) -> None:
        self.prepare()

    @work(thread=True, exclusive=True, group="inflammation")
    def prepare(self) -> None:
        self.post_message(ViewReady(inflammation_view(self.evidence)))

    @on(ViewReady)
    def _ready(self, event: ViewReady) -> None:
        self.view.update(event.view)

    def main_widget(self) -> Widget:
        return self.scroll
