"""Pane 4: each open question, why it matters, the studies that bear on it, ongoing trials."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual.widgets.option_list import Option

from ldn_tui.report import previews
from ldn_tui.tui.widgets.base import ListPane

BEARS = Text("    ▸ study    ", style="cyan")


class QuestionsPane(ListPane):
    section: ClassVar[str] = "questions"

    def build_options(self, records: dict[str, str]) -> list[Option | None]:
        if not self.evidence.questions:
            return [Option(Text("No open questions are recorded in this folder.", style="dim"), disabled=True)]
        options: list[Option | None] = []
        for q in self.evidence.questions:
            options.append(Option(previews.question_heading(q), id=f"q:{q.id}"))
            for record_id in q.studies:
                option_id = f"s:{q.id}:{record_id}"
                records[option_id] = record_id
                options.append(Option(previews.study_line(BEARS, self.evidence.record(record_id), record_id),
                                      id=option_id))
            if not q.studies:
                options.append(Option(Text("    no study bears on it yet", style="dim"), disabled=True))
            if q.ongoing:
                options.append(Option(Group(*(previews.ongoing_line(r) for r in q.ongoing)), disabled=True))
            else:
                options.append(Option(Text("    ongoing  none found", style="dim"), disabled=True))
            options.append(None)
        return options[:-1]

    def preview(self, option_id: str) -> RenderableType:
        kind, _, rest = option_id.partition(":")
        if kind == "q":
            question = next((q for q in self.evidence.questions if q.id == rest), None)
            if question is None:
                return Text("")
            ongoing = ", ".join(question.ongoing) or "none found"
            return Group(previews.question_heading(question), Text(""), Text(f"Ongoing or registered: {ongoing}"))
        return previews.record_preview(self.evidence.record(self.listing.records.get(option_id, "")), self.evidence)

    def select(self, record_id: str) -> bool:
        return self.listing.highlight_id(f"q:{record_id}")
