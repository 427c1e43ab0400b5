"""Verbs shared by the screens: copy a citation, export what is on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.screen import Screen

from ldn_tui.model import Review, Study
from ldn_tui.report import facts
from ldn_tui.report.screen_export import default_name
from ldn_tui.tui.screens.dialogs import ExportDialog


def copy_citation(screen: Screen[Any], record: Study | Review | None, *, bibtex: bool) -> None:
    """Put the record's citation (plain text or BibTeX) on the clipboard (OSC 52: works over SSH)."""
    if record is None:
        screen.notify("No study or review under the cursor to cite.", severity="warning", markup=False)
        return
    text = facts.bibtex(record) if bibtex else facts.citation(record)
    screen.app.copy_to_clipboard(text)
    kind = "BibTeX" if bibtex else "citation"
    screen.notify(f"Copied the {kind} of {facts.study_label(record)}: {text.splitlines()[0]}",
                  title="Copied", markup=False)


async def start_export(
    screen: Screen[Any], what: str, topic: str, content: str, evidence_root: str, name: str | None = None
) -> None:
    """Ask for a file name (``name``, else one made from ``topic``) and write ``content`` there (see
    ``ExportDialog``). Run from a priority binding, it returns once the file name box has the focus:
    the keys typed next go there."""

    def done(path: Path | None) -> None:
        if path is not None:
            screen.notify(f"Exported {what} to {path}", title="Exported", markup=False)

    dialog = ExportDialog(what, content, name or default_name(topic), evidence_root)
    await screen.app.push_screen(dialog, done)
    dialog.focus_path()
