"""A folder's problems as the lines every command prints (``path: field: message``, then a count)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ldn_tui.model import Problem
from ldn_tui.text import clean, one_line


def problem_lines(problems: Sequence[Problem], folder: Path) -> list[str]:
    """One line per problem, then ``ldn-tui: N problems in FOLDER``."""
    count = len(problems)
    return [one_line(str(problem)) for problem in problems] + [
        f"ldn-tui: {count} problem{'s' if count != 1 else ''} in {clean(str(folder))}"
    ]
