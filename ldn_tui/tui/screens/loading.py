"""The first frame: what is being loaded, a spinner, and progress once the files are counted."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle
from textual.content import Content
from textual.screen import Screen
from textual.widgets import LoadingIndicator, ProgressBar, Static

from ldn_tui.text import one_line


class LoadingScreen(Screen[None]):
    # While loading there is nothing to copy: Ctrl+C quits, as q does.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+c", "app.quit", "Quit", show=False)]

    def __init__(self, folder: Path) -> None:
        super().__init__(id="loading")
        self.folder = folder
        self.shown = one_line(str(folder))  # a folder's name can hold terminal control characters

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static(Content(f"Loading the evidence in {self.shown}…"), id="loading-label")
            yield LoadingIndicator()
            with Center():
                yield ProgressBar(show_eta=False, id="loading-progress")

    def progress(self, done: int, total: int) -> None:
        label = self.query_one_optional("#loading-label", Static)
        bar = self.query_one_optional(ProgressBar)
        if label is None or bar is None:  # not composed yet: the next update will show
            return
        label.update(Content(f"Loading {total} {'file' if total == 1 else 'files'} from {self.shown}…"))
        bar.update(total=total, progress=done)

    async def finish(self) -> None:
        """Stop the spinner's timer: this screen stays at the bottom of the stack, unseen."""
        await self.query_children().remove()
