"""The summary in each output format, from one set of facts."""

from __future__ import annotations

import io
import os
from typing import Any

from rich.console import Console

from ldn_tui.model import Evidence


def syntheses(evidence: Evidence, method: str = "REML") -> list[Any]:
    """Per-domain pooled results, or an empty list where the synthesis layer is absent."""
    try:
        from ldn_tui.synthesis import synthesise
    except ImportError:  # pragma: no cover - the synthesis layer ships with the package
        return []
    return list(synthesise(evidence, method=method))


def console_for(width: int | None, file: Any = None) -> Console:
    """stdout's console: Rich decides colour (none in a pipe, none with NO_COLOR)."""
    return Console(
        file=file,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
        no_color=True if "NO_COLOR" in os.environ else None,
    )


def render(evidence: Evidence, fmt: str, width: int | None = None, method: str = "REML") -> str:
    if fmt == "json":
        from ldn_tui.report.json_out import dumps, summary_dict

        return dumps(summary_dict(evidence, [s.to_json() for s in syntheses(evidence, method)]))
    if fmt == "markdown":
        from ldn_tui.report.markdown import summary_markdown

        return summary_markdown(evidence)
    from ldn_tui.report.tables import summary_renderables

    target = Console()
    buffer = io.StringIO()
    console = console_for(width, buffer)
    if target.is_terminal:
        console = Console(
            file=buffer,
            width=width or target.width,
            force_terminal=True,
            color_system=target.color_system,  # type: ignore[arg-type]
            highlight=False,
            emoji=False,
            markup=False,
            no_color=target.no_color,
        )
    for part in summary_renderables(evidence):
        console.print(part)
    return buffer.getvalue()
