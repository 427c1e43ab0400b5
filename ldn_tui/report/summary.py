"""The summary in each output format, from one set of facts."""

from __future__ import annotations

import io
import os
from typing import IO

from rich.console import Console

from ldn_tui.memory import gc_paused
from ldn_tui.model import Evidence


def console_for(width: int | None, file: IO[str] | None = None) -> Console:
    """A plain console for a pipe: no colour, no escape codes, 80 columns unless told."""
    return Console(
        file=file,
        width=width or 80,
        highlight=False,
        emoji=False,
        markup=False,
        no_color=True if "NO_COLOR" in os.environ else None,
    )


def terminal_console(file: IO[str], width: int | None) -> Console | None:
    """When stdout is a terminal (or colour is forced), a console writing its styles into ``file``."""
    target = Console(highlight=False)
    if not target.is_terminal:
        return None
    return Console(
        file=file,
        width=width or target.width,
        force_terminal=True,
        color_system=target.color_system,  # type: ignore[arg-type]
        highlight=False,
        emoji=False,
        markup=False,
        no_color=target.no_color,
    )


def output(buffer: io.StringIO, console: Console) -> str:
    """What the console wrote; in a pipe, without the padding Rich leaves at line ends."""
    text = buffer.getvalue()
    if console.is_terminal:
        return text
    return "\n".join(line.rstrip() for line in text.split("\n"))


def render(evidence: Evidence, fmt: str, width: int | None = None, method: str = "REML") -> str:
    from ldn_tui.analysis.synthesis import synthesise

    syntheses = synthesise(evidence, method=method)
    if fmt == "json":
        from ldn_tui.analysis.synthesis import to_json
        from ldn_tui.report.json_out import dumps, summary_dict

        return dumps(summary_dict(evidence, [to_json(s) for s in syntheses]))
    if fmt == "markdown":
        from ldn_tui.report.markdown import summary_markdown
        from ldn_tui.report.synthesis_view import synthesis_markdown

        return summary_markdown(evidence, extra=synthesis_markdown(evidence, syntheses))
    from ldn_tui.report.synthesis_view import synthesis_renderables
    from ldn_tui.report.tables import summary_renderables

    buffer = io.StringIO()
    console = terminal_console(buffer, width) or console_for(width, buffer)
    with gc_paused():
        for part in summary_renderables(evidence, extra=synthesis_renderables(evidence, syntheses)):
            console.print(part)
    return output(buffer, console)
