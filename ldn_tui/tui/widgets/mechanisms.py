"""Pane 1: each proposed mechanism, its status and summary, the studies for and against it."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.widgets.option_list import Option

from ldn_tui.report import previews
from ldn_tui.tui.widgets.base import ListPane

FOR = Text("    ▲ for      ", style="green")
AGAINST = Text("    ▼ against  ", style="red")


class MechanismsPane(ListPane):
    section: ClassVar[str] = "mechanisms"

    def build_options(self, records: dict[str, str]) -> list[Option | None]:
        options: list[Option | None] = []
        if not self.evidence.mechanisms:
            return [Option(Text("No mechanisms are recorded in this folder.", style="dim"), disabled=True)]
        for m in self.evidence.mechanisms:
            options.append(Option(previews.mechanism_heading(m), id=f"m:{m.id}"))
            links = [(FOR, "for", rid) for rid in m.studies] + [(AGAINST, "against", rid) for rid in m.studies_against]
            for prefix, side, record_id in links:
                option_id = f"{side}:{m.id}:{record_id}"
                records[option_id] = record_id
                line = previews.study_line(prefix, self.evidence.record(record_id), record_id)
                options.append(Option(line, id=option_id))
            if not links:
                options.append(Option(Text("    no studies recorded", style="dim"), disabled=True))
            options.append(None)
        return options[:-1]

    def preview(self, option_id: str) -> RenderableType:
        kind, _, rest = option_id.partition(":")
        if kind == "m":
            mechanism = next((m for m in self.evidence.mechanisms if m.id == rest), None)
            return previews.mechanism_preview(mechanism, self.evidence) if mechanism else Text("")
        return previews.record_preview(self.evidence.record(self.listing.records.get(option_id, "")), self.evidence)

    def select(self, record_id: str) -> bool:
        return self.listing.highlight_id(f"m:{record_id}")
