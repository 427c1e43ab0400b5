"""Pane 4: each open question, why it matters, the studies that bear on it, its registered trials
with their status as read (never called "ongoing")."""

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
            none = Option(Text("No open questions are recorded in this folder.", style="dim"), disabled=True)
            return [none, *self._trial_options(records)]
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
            options.append(Option(previews.question_trials(q, self.evidence), disabled=True))
            options.append(None)
        return options[:-1] + self._trial_options(records)

    def _trial_options(self, records: dict[str, str]) -> list[Option | None]:
        """Every trial of trials.toml, with its status as read; enter opens the study that reports it."""
        if not self.evidence.trials:
            return []
        options: list[Option | None] = [
            None, Option(Text("Registered trials, with their status as read", style="bold"), disabled=True)]
        for trial in self.evidence.trials:
            if trial.study is not None:
                records[f"t:{trial.registration}"] = trial.study
            options.append(Option(previews.trial_line(trial.registration, self.evidence), id=f"t:{trial.registration}"))
        return options

    def preview(self, option_id: str) -> RenderableType:
        kind, _, rest = option_id.partition(":")
        if kind == "t":
            trial = self.evidence.trial(rest)
            return previews.trial_preview(trial, self.evidence) if trial is not None else Text("")
        if kind == "q":
            question = next((q for q in self.evidence.questions if q.id == rest), None)
            if question is None:
                return Text("")
            return Group(previews.question_heading(question), Text(""), Text("Registered trials", style="bold"),
                         previews.question_trials(question, self.evidence))
        return previews.record_preview(self.evidence.record(self.listing.records.get(option_id, "")), self.evidence)

    def select(self, record_id: str) -> bool:
        """A question by its id, or a registered trial by its registration."""
        return self.listing.highlight_id(f"q:{record_id}") or self.listing.highlight_id(f"t:{record_id}")
