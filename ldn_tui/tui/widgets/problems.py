"""The Problems pane (``browse --allow-problems`` only): every problem of the folder, one a line,
as ``validate`` prints them; the other panes show the records that could be read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.widgets.option_list import Option

from ldn_tui.model import Evidence, Problem
from ldn_tui.report import facts
from ldn_tui.text import one_line, plural
from ldn_tui.tui.widgets.base import ListPane


class ProblemsPane(ListPane):
    section: ClassVar[str] = "problems"

    def __init__(self, evidence: Evidence, *, id: str | None = None, problems: Sequence[Problem] = ()) -> None:
        super().__init__(evidence, id=id)
        self.problems = tuple(problems)

    def build_options(self, records: dict[str, str]) -> list[Option | None]:
        head = Text.assemble(
            (plural(len(self.problems), "problem"), "bold"),
            f" in this folder; the other panes show what could be read ({facts.counts(self.evidence)}). "
            "Fix them and run ldn-tui validate.",
        )
        options: list[Option | None] = [Option(head, disabled=True), None]
        options += [Option(Text("✗ " + one_line(str(p))), id=f"p:{i}") for i, p in enumerate(self.problems)]
        return options

    def preview(self, option_id: str) -> RenderableType:
        index = int(option_id.removeprefix("p:")) if option_id.startswith("p:") else -1
        if not 0 <= index < len(self.problems):
            return Text("")
        p = self.problems[index]
        lines = [Text.assemble(("File: ", "bold"), p.path)]
        if p.line is not None:
            lines.append(Text.assemble(("Line: ", "bold"), str(p.line)))
        if p.field:
            lines.append(Text.assemble(("Field: ", "bold"), p.field))
        lines.append(Text.assemble(("Problem: ", "bold"), p.message))
        return Text("\n").join(lines)

    def export_text(self) -> str:
        return "".join(f"{one_line(str(p))}\n" for p in self.problems)
