"""What ``e`` writes, and where it may write it (no Textual).

The Markdown comes from ``ldn_tui.report.markdown`` (``section_markdown``,
``study_markdown``: the words of ``summary --format markdown``); the file is
written by ``ldn_tui.report.export.write_export`` under the rules of
``ldn-tui export`` (never inside the evidence folder, never over a file
unless asked, atomically). :func:`check_target` answers beforehand whether a
path is refused, so the dialog can ask before replacing a file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from ldn_tui.analysis.synthesis import DomainSynthesis
from ldn_tui.model import Evidence, Study
from ldn_tui.report.export import target_problem, write_export

SECTIONS = ("mechanisms", "outcomes", "inflammation", "questions", "reviews", "summary")


def section_text(evidence: Evidence, section: str, syntheses: Sequence[DomainSynthesis] = ()) -> str:
    """One pane (or, with its syntheses, the summary screen) as Markdown."""
    from ldn_tui.report.markdown import section_markdown

    extra: list[str] = []
    if syntheses:
        from ldn_tui.report.synthesis_view import synthesis_markdown

        extra = synthesis_markdown(evidence, syntheses)
    return section_markdown(evidence, section, extra)


def study_text(study: Study) -> str:
    from ldn_tui.report.markdown import study_markdown

    return study_markdown(study)


def default_name(topic: str) -> str:
    """'ldn-tui-outcomes.md': a safe file name in the current folder."""
    slug = re.sub(r"[^a-z0-9-]+", "-", topic.lower()).strip("-") or "export"
    return f"ldn-tui-{slug}.md"


def current_folder() -> Path | None:
    """The current working folder; None when it has been deleted (relative names then fail)."""
    try:
        return Path.cwd()
    except OSError:
        return None


def resolve(text: str, cwd: Path | None = None) -> Path:
    """The typed path, made absolute (left relative when there is no current folder:
    ``target_problem`` then says so)."""
    path = Path(os.path.expanduser(text.strip()))
    base = cwd or current_folder()
    return path if path.is_absolute() or base is None else base / path


def check_target(text: str, evidence_root: str, cwd: Path | None = None) -> tuple[Path | None, str | None]:
    """The path to write, or None and why it is refused (the file's existence is the caller's question)."""
    if not text.strip():
        return None, "Type a file name."
    path = resolve(text, cwd)
    problem = target_problem(path, Path(evidence_root)) if evidence_root else None
    if problem:
        return None, problem[0].upper() + problem[1:] + "."
    return path, None


def write(path: Path, content: str, evidence_root: str, replace: bool) -> str | None:
    """Write through ``write_export`` (its rules, atomically); the reason as a sentence when refused."""
    code, message = write_export(content, path, Path(evidence_root), force=replace)
    if code == 0:
        return None
    reason = message.removeprefix("ldn-tui export: ")
    return reason[0].upper() + reason[1:] + "."
