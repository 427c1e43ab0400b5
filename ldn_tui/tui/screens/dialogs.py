"""Modal dialogs: export to a Markdown file (never into the evidence folder), confirm overwrite."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ldn_tui.report import screen_export as export
from ldn_tui.text import one_line


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; escape and n answer no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Static(Text(self.question), id="confirm-question")
            with Horizontal(classes="buttons"):
                yield Button("Yes, replace it", id="yes", variant="warning")
                yield Button("No", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ExportDialog(ModalScreen[Path | None]):
    """Asks for a file name, refuses the evidence folder, asks before replacing, writes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, what: str, content: str, default_name: str, evidence_root: str) -> None:
        super().__init__(classes="dialog-screen")
        self.what = what
        self.content = content
        self.default_name = default_name
        self.evidence_root = evidence_root

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Static(Text(f"Export {self.what} as Markdown", style="bold"))
            cwd = export.current_folder()
            where = f"relative to {one_line(str(cwd))}" if cwd else "a full path: the current folder no longer exists"
            yield Static(Text(f"File ({where}):", style="dim"))
            yield Input(value=self.default_name, id="export-path")
            yield Static(id="export-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Export", id="export", variant="primary")
                yield Button("Cancel", id="cancel")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def focus_path(self) -> None:
        """Focus the file name box now (not later, as ``Widget.focus`` would), its text selected:
        what is typed next replaces the suggested name."""
        box = self.query_one("#export-path", Input)
        self.set_focus(box)
        box.select_all()

    def show_error(self, message: str) -> None:
        error = self.query_one("#export-error", Static)
        error.update(Text(message))
        error.add_class("-shown")

    # Enter in the box, handled by the box itself after every key typed before it (a priority
    # binding would run first, and read a name still being typed).
    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export")
    async def attempt(self) -> None:
        path, error = export.check_target(self.query_one("#export-path", Input).value, self.evidence_root)
        if path is None:
            self.show_error(error or "Cannot write there.")
            return
        if path.exists():
            def answered(replace: bool | None) -> None:
                if replace:
                    self.write(path, replace=True)
                else:
                    self.show_error(f"{path} exists and was left alone; choose another name.")

            confirm = ConfirmDialog(f"{path} already exists. Replace it?")
            await self.app.push_screen(confirm, answered)
            confirm.set_focus(confirm.query_one("#no", Button))
            return
        self.write(path)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def write(self, path: Path, replace: bool = False) -> None:
        error = export.write(path, self.content, self.evidence_root, replace)
        if error is not None:
            self.show_error(error)
            return
        self.dismiss(path)
