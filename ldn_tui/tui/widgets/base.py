"""What every pane has: the evidence, a main widget to focus, the record in view."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from ldn_tui.model import Evidence, Review, Study
from ldn_tui.report.screen_export import section_text
from ldn_tui.tui.messages import OpenRecord


class Pane(Vertical):
    """One tab of the main screen."""

    section: ClassVar[str] = ""

    def __init__(self, evidence: Evidence, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.evidence = evidence

    def main_widget(self) -> Widget:
        raise NotImplementedError

    def focus_main(self) -> None:
        """Focus the main widget now. ``Widget.focus`` would do it later, after keys that may
        already be waiting: a "/" among them would lose the search box to this widget."""
        self.screen.set_focus(self.main_widget())

    def record_in_view(self) -> Study | Review | None:
        """The study (or review) the cursor is on, for copying its citation."""
        return None

    def export_text(self) -> str:
        """What ``e`` writes from this pane: its section as Markdown."""
        return section_text(self.evidence, self.section)

    def select(self, record_id: str) -> bool:
        """Move the cursor to a record of this pane; False when it is not here."""
        return False


class RecordList(OptionList):
    """An option list whose options may stand for a study or review (enter opens it)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.records: dict[str, str] = {}  # option id -> record id

    def record_at_cursor(self) -> str | None:
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return self.records.get(option.id or "")

    def highlight_id(self, option_id: str) -> bool:
        try:
            self.highlighted = self.get_option_index(option_id)
        except OptionDoesNotExist:
            return False
        self.scroll_to_highlight(top=True)
        return True


class ListPane(Pane):
    """A record list with a preview of the highlighted entry beside it (hidden when narrow)."""

    def compose(self) -> ComposeResult:
        self.listing = RecordList(id=f"{self.section}-list")
        self.preview_box = Static(id=f"{self.section}-preview", classes="preview")
        with Horizontal(classes="list-and-preview"):
            yield self.listing
            with VerticalScroll(classes="preview-scroll"):
                yield self.preview_box

    def on_mount(self) -> None:
        self.listing.add_options(self.build_options(self.listing.records))
        if self.listing.option_count:
            self.listing.highlighted = 0

    def build_options(self, records: dict[str, str]) -> list[Option | None]:
        raise NotImplementedError

    def preview(self, option_id: str) -> RenderableType:
        raise NotImplementedError

    def main_widget(self) -> Widget:
        return self.listing

    def record_in_view(self) -> Study | Review | None:
        record_id = self.listing.record_at_cursor()
        record = self.evidence.record(record_id) if record_id else None
        return record

    @on(OptionList.OptionHighlighted)
    def _show_preview(self, event: OptionList.OptionHighlighted) -> None:
        self.preview_box.update(self.preview(event.option.id or ""))

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        record_id = self.listing.records.get(event.option.id or "")
        if record_id is not None:
            self.post_message(OpenRecord(record_id))
