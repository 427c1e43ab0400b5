"""Pane 5: systematic reviews and meta-analyses in date order, every pooled result and conclusion."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ldn_tui.model import Review, Study
from ldn_tui.report import facts
from ldn_tui.report.previews import review_entry
from ldn_tui.report.tables import review_table
from ldn_tui.tui.messages import OpenRecord
from ldn_tui.tui.widgets.base import Pane, RecordList


class ReviewsPane(Pane):
    section: ClassVar[str] = "reviews"

    def compose(self) -> ComposeResult:
        if self.evidence.reviews:
            yield Static(review_table(self.evidence), id="reviews-table")
        self.listing = RecordList(id="reviews-list")
        yield self.listing

    def on_mount(self) -> None:
        listing = self.listing
        reviews = facts.reviews_by_date(self.evidence)
        if not reviews:
            listing.add_option(Option(Text("No reviews are recorded in this folder.", style="dim"), disabled=True))
            return
        for review in reviews:
            listing.records[f"r:{review.id}"] = review.id
            listing.add_option(Option(review_entry(review, self.evidence), id=f"r:{review.id}"))
            listing.add_option(None)
        listing.highlighted = 0

    def main_widget(self) -> Widget:
        return self.listing

    def record_in_view(self) -> Study | Review | None:
        record_id = self.listing.record_at_cursor()
        return self.evidence.record(record_id) if record_id else None

    def select(self, record_id: str) -> bool:
        return self.listing.highlight_id(f"r:{record_id}")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        record_id = self.listing.records.get(event.option.id or "")
        if record_id is not None:
            self.post_message(OpenRecord(record_id))
