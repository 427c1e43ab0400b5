"""The study detail screen: the whole record, search matches marked, links clickable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from ldn_tui.model import Evidence, Study
from ldn_tui.report import facts
from ldn_tui.report.highlight import Marker
from ldn_tui.report.screen_export import study_text
from ldn_tui.report.study_view import study_detail
from ldn_tui.search import Query
from ldn_tui.text import plural
from ldn_tui.tui.screens.common import copy_citation, start_export
from ldn_tui.tui.widgets.footer import AppFooter


class StudyView(Static):
    """The record; a click on a DOI, PubMed or registry link opens it in the browser."""

    def on_click(self, event: events.Click) -> None:
        link = event.style.link
        if link:
            event.stop()
            self.app.open_url(link)


class StudyScreen(Screen[None]):
    AUTO_FOCUS = "#study-scroll"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "app.pop_screen", "Back", tooltip="Back to where you came from"),
        # One footer entry for both (an 80-column footer has no room for two).
        Binding("n", "step_hit(1)", "Hits", key_display="n/N", tooltip="Next hit (N: previous hit)"),
        Binding("N", "step_hit(-1)", "Prev hit", show=False, tooltip="Previous hit"),
        Binding("c", "copy_citation", "Cite", tooltip="Copy the study's citation"),
        Binding("b,C", "copy_bibtex", "BibTeX", show=False, tooltip="Copy its BibTeX entry"),
        Binding("e", "export", "Export", priority=True, tooltip="Write the study to a Markdown file"),
    ]

    def __init__(
        self,
        evidence: Evidence,
        study_id: str,
        query: Query | None = None,
        hit_ids: Sequence[str] = (),
    ) -> None:
        super().__init__(classes="study-screen")
        self.evidence = evidence
        self.query_obj = query
        self.hit_ids = list(hit_ids)
        study = evidence.study(study_id)
        assert study is not None, study_id
        self.study: Study = study

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="study-status", markup=False)
        with VerticalScroll(id="study-scroll"):
            yield StudyView(id="study-view")
        yield AppFooter()

    def on_mount(self) -> None:
        self.show(self.study)

    def show(self, study: Study) -> None:
        self.study = study
        mark = Marker(self.query_obj)
        self.query_one(StudyView).update(study_detail(study, self.evidence, mark))
        self.sub_title = facts.study_label(study)
        status = [f"{facts.study_label(study)} · {facts.design_text(study)} · {facts.n_detail(study)}"]
        if mark.query is not None:
            status.append(f"“{mark.query.text}”: {plural(mark.count, 'match', 'matches')} marked")
            if study.id in self.hit_ids:
                status.append(f"study hit {self.hit_ids.index(study.id) + 1} of {len(self.hit_ids)} (n/N)")
        self.query_one("#study-status", Static).update(Text("  ·  ".join(status)))
        self.query_one("#study-scroll", VerticalScroll).scroll_home(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step_hit":
            return len(self.hit_ids) > 1
        return True

    def action_step_hit(self, step: int) -> None:
        if not self.hit_ids:
            return
        here = self.hit_ids.index(self.study.id) if self.study.id in self.hit_ids else -1
        study = self.evidence.study(self.hit_ids[(here + step) % len(self.hit_ids)])
        if study is not None:
            self.show(study)

    def action_copy_citation(self) -> None:
        copy_citation(self, self.study, bibtex=False)

    def action_copy_bibtex(self) -> None:
        copy_citation(self, self.study, bibtex=True)

    async def action_export(self) -> None:
        await start_export(self, facts.study_label(self.study), self.study.id, study_text(self.study), self.evidence.root)
