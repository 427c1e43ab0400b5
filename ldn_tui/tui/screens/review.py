"""The review detail screen: the whole record of a review; enter on a study it included opens it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, OptionList
from textual.widgets.option_list import Option

from ldn_tui.model import Evidence, Review
from ldn_tui.report import facts, previews
from ldn_tui.report.review_view import review_head, review_markdown, review_tail
from ldn_tui.tui.screens.common import copy_citation, start_export
from ldn_tui.tui.screens.study import StudyView
from ldn_tui.tui.widgets.base import RecordList
from ldn_tui.tui.widgets.footer import AppFooter

INCLUDED = Text("  ▸ ", style="bold")


class IncludedList(RecordList):
    """The included studies that have a record here, one line each."""


class ReviewScreen(Screen[None]):
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "app.pop_screen", "Back", tooltip="Back to where you came from"),
        Binding("c", "copy_citation", "Cite", tooltip="Copy the review's citation"),
        Binding("b,C", "copy_bibtex", "BibTeX", show=False, tooltip="Copy its BibTeX entry"),
        Binding("e", "export", "Export", priority=True, tooltip="Write the review to a Markdown file"),
    ]

    def __init__(self, evidence: Evidence, review_id: str) -> None:
        super().__init__(classes="review-screen")
        self.evidence = evidence
        review = evidence.record(review_id)
        assert isinstance(review, Review), review_id
        self.review: Review = review

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="review-scroll"):
            yield StudyView(review_head(self.review, self.evidence), id="review-head")
            included = IncludedList(id="review-includes")
            for study_id in self.review.includes:
                record = self.evidence.record(study_id)
                included.records[f"s:{study_id}"] = study_id
                included.add_option(Option(previews.study_line(INCLUDED, record, study_id), id=f"s:{study_id}"))
            included.display = bool(self.review.includes)
            yield included
            yield StudyView(review_tail(self.review, self.evidence), id="review-tail")
        yield AppFooter()

    def on_mount(self) -> None:
        self.sub_title = facts.study_label(self.review)
        included = self.query_one(IncludedList)
        if included.option_count:
            included.highlighted = 0
            self.set_focus(included)
        else:
            self.set_focus(self.query_one("#review-scroll"))

    @on(OptionList.OptionSelected, "#review-includes")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        study_id = self.query_one(IncludedList).records.get(event.option.id or "")
        if study_id is not None and self.evidence.study(study_id) is not None:
            from ldn_tui.tui.screens.study import StudyScreen

            self.app.push_screen(StudyScreen(self.evidence, study_id))

    def action_copy_citation(self) -> None:
        copy_citation(self, self.review, bibtex=False)

    def action_copy_bibtex(self) -> None:
        copy_citation(self, self.review, bibtex=True)

    async def action_export(self) -> None:
        await start_export(self, facts.study_label(self.review), self.review.id,
                     review_markdown(self.review, self.evidence), self.evidence.root)
