"""Pane 6: every registered trial (trials.toml): its status as read and when, its results and the
study that reports it (enter opens that study), a preview of the one under the cursor."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.widgets.option_list import Option

from ldn_tui.report import facts, previews
from ldn_tui.report.screen_export import section_text
from ldn_tui.tui.widgets.base import ListPane


class TrialsPane(ListPane):
    section: ClassVar[str] = "trials"

    def build_options(self, records: dict[str, str]) -> list[Option | None]:
        if not self.evidence.trials:
            return [Option(Text("No registered trials are recorded in this folder (trials.toml).", style="dim"),
                           disabled=True)]
        options: list[Option | None] = []
        for trial in self.evidence.trials:
            found = facts.trial_line(trial.registration, self.evidence)
            line = Text.assemble((trial.registration, "bold"), "  ", found.status)
            if found.results:
                line.append(f" · {found.results}")
            line.append("\n    ")
            line.append(trial.title, "italic")
            option_id = f"t:{trial.registration}"
            if trial.study is not None:
                records[option_id] = trial.study
            options.append(Option(line, id=option_id))
        return options

    def preview(self, option_id: str) -> RenderableType:
        trial = self.evidence.trial(option_id.removeprefix("t:"))
        return previews.trial_preview(trial, self.evidence) if trial is not None else Text("")

    def export_text(self) -> str:
        """The open questions with the table of registered trials (their Markdown goes together)."""
        return section_text(self.evidence, "questions")

    def select(self, record_id: str) -> bool:
        return self.listing.highlight_id(f"t:{record_id}")
