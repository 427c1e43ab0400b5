"""The evidence browser app and ``run_app``.

The first frame is the loading view; the folder is read by a thread worker
(``check_evidence``). A folder with problems never opens: the app leaves the
terminal at once and ``run_app`` prints the problems exactly as ``validate``
does, returning 2. Everything past the loading view is imported once loaded.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.filter import LineFilter
from textual.screen import ModalScreen, Screen
from textual.widgets import Input
from textual.worker import get_current_worker

from ldn_tui.model import Evidence, Problem
from ldn_tui.tui.contrast import ContrastFloor
from ldn_tui.tui.messages import EvidenceLoaded, LoadProgress
from ldn_tui.tui.screens.loading import LoadingScreen

if TYPE_CHECKING:
    from ldn_tui.search import SearchService
    from ldn_tui.tui.screens.main import MainScreen

EXIT_PROBLEMS = 2
NARROW_BELOW = 100  # columns: below this the panes drop their side previews
WIDE_FROM = 140  # columns: from here the reviews pane adds the summary's comparison table
CONTRAST_FLOORS = {False: ContrastFloor(), True: ContrastFloor(eight_bit=True)}


def _evidence_commands() -> type[Provider]:
    from ldn_tui.tui.commands import EvidenceCommands

    return EvidenceCommands


class _LoadCancelled(Exception):
    """The app is quitting while the folder is read."""


class LdnApp(App[None]):
    """Browse one evidence folder."""

    CSS_PATH = "app.tcss"
    TITLE = "ldn-tui"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = App.COMMANDS | {_evidence_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding runs before the next key is handed on, so "/cytokine" typed in one go
        # lands in the search box; inside any text field "/" is just typed (``check_action``).
        Binding("slash", "search", "Search", priority=True,
                tooltip="Search every record (a new query; filters like year:>=2020 or n:>50)"),
        Binding("s", "summary", "Summary", tooltip="The pooled results with forest plots (s again: back)"),
        Binding("question_mark", "help", "Help", tooltip="Every key, and the glossary"),
        Binding("q", "quit", "Quit", tooltip="Leave the app"),
    ]

    def __init__(self, folder: Path | str, *, allow_problems: bool = False) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.allow_problems = allow_problems  # open what could be read, with a Problems pane
        self.evidence: Evidence | None = None
        self.problems: list[Problem] = []
        self.search_service: SearchService | None = None

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then the contrast floor (``contrast.py``): last, so it sees the
        colours as they will be drawn, ``NO_COLOR``'s greys and a 256-colour terminal's rounding included."""
        return [*super().get_line_filters(), CONTRAST_FLOORS[self.console.color_system == "256"]]

    def get_default_screen(self) -> Screen[Any]:
        return LoadingScreen(self.folder)

    def on_mount(self) -> None:
        from ldn_tui.tui import settings

        theme = settings.saved_theme()
        if theme is not None and theme in self.available_themes:
            self.theme = theme
        # Remembered from here on: a theme chosen in the palette is the next run's first.
        self.theme_changed_signal.subscribe(self, lambda chosen: settings.save_theme(chosen.name))
        self.fit(self.size.width)
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.width)

    def fit(self, width: int) -> None:
        """Layout classes for app.tcss: ``-narrow`` stacks, ``-wide`` adds."""
        self.set_class(width < NARROW_BELOW, "-narrow")
        self.set_class(width >= WIDE_FROM, "-wide")

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read the folder in a thread. Quitting meanwhile cancels the worker, and the loader
        stops at its next progress report (a thread cannot be stopped from outside, and the
        process would wait for it at exit)."""
        from ldn_tui.records.loader import check_evidence

        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise _LoadCancelled
            self.post_message(LoadProgress(done, total))

        try:
            evidence, problems = check_evidence(self.folder, progress=progress, partial=self.allow_problems)
        except _LoadCancelled:
            return
        self.post_message(EvidenceLoaded(evidence, problems))

    def on_load_progress(self, event: LoadProgress) -> None:
        if isinstance(self.screen, LoadingScreen):
            self.screen.progress(event.done, event.total)

    async def on_evidence_loaded(self, event: EvidenceLoaded) -> None:
        if event.evidence is None:
            self.problems = event.problems or [Problem(str(self.folder), "", "could not be loaded")]
            self.exit(return_code=EXIT_PROBLEMS)
            return
        from ldn_tui.report import facts
        from ldn_tui.search import SearchService
        from ldn_tui.text import plural
        from ldn_tui.tui.screens.main import MainScreen

        evidence = self.evidence = event.evidence
        self.problems = list(event.problems)  # only with allow_problems: printed again on the way out
        gc.freeze()  # the records live as long as the app: full collections need not rescan them
        self.search_service = SearchService(evidence)
        self.title = evidence.topic.title
        self.sub_title = facts.counts(evidence) + (f" · {plural(len(self.problems), 'problem')}" if self.problems else "")
        if isinstance(self.screen, LoadingScreen):
            await self.screen.finish()
        await self.push_screen(MainScreen(evidence, self.search_service, self.problems))
        # Build the search index once the main screen has been drawn, not in competition with it.
        self.set_timer(0.25, self.warm_index)

    @work(thread=True, exclusive=True, group="index")
    def warm_index(self) -> None:
        if self.search_service is not None:
            self.search_service.warm()

    # ------------------------------------------------------------------ navigation

    def main_screen(self) -> MainScreen | None:
        from ldn_tui.tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    async def _back_to_main(self) -> MainScreen | None:
        main = self.main_screen()
        while main is not None and self.screen is not main:
            await self.pop_screen()
        return main

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search" and isinstance(self.focused, Input):
            return False  # "/" in a text field is typed there, in its turn with the other keys
        if action in ("summary", "search"):
            return self.evidence is not None
        return True

    @work(group="navigate")
    async def show_pane(self, pane_id: str) -> None:
        main = await self._back_to_main()
        if main is not None:
            main.show_pane(pane_id)

    @work(group="navigate")
    async def open_record(self, record_id: str) -> None:
        main = await self._back_to_main()
        if main is not None:
            main.open_record(record_id)

    async def action_search(self) -> None:
        """``/``: the search box, focused before the next key is handled (a priority binding runs
        in the app's own turn, and this waits for any screen above the main one to close)."""
        from ldn_tui.tui.screens.help import HelpScreen

        main = self.main_screen()
        if main is None or (isinstance(self.screen, ModalScreen) and not isinstance(self.screen, HelpScreen)):
            return
        if self.screen is not main:
            await self._back_to_main()
        main.action_search()

    def action_summary(self) -> None:
        from ldn_tui.tui.screens.summary import SummaryScreen

        if isinstance(self.screen, SummaryScreen):
            self.pop_screen()
        elif self.evidence is not None:
            self.push_screen(SummaryScreen(self.evidence))

    def action_help(self) -> None:
        from ldn_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_groups()))

    def key_groups(self) -> list[tuple[str, Sequence[tuple[str, str, str]]]]:
        """Every binding of the app and its screens, grouped by where it works: each key and label as
        the footer shows them (``get_key_display`` and the description), then its tooltip."""
        from ldn_tui.tui.screens.dialogs import ExportDialog
        from ldn_tui.tui.screens.help import HelpScreen
        from ldn_tui.tui.screens.main import MainScreen
        from ldn_tui.tui.screens.review import ReviewScreen
        from ldn_tui.tui.screens.study import StudyScreen
        from ldn_tui.tui.screens.summary import SummaryScreen

        return [
            ("Everywhere", [*self.binding_rows(self.BINDINGS),
                            ("^p", "palette", "Command palette: actions, studies, themes (a theme chosen is remembered)")]),
            ("Main screen", self.binding_rows(MainScreen.BINDINGS)),
            ("Lists and tables", [
                ("↑ ↓ pgup pgdn home end", "", "Move the cursor"),
                ("enter", "", "Open the study or review under the cursor"),
                ("mouse", "", "Click a tab, a row or a column header (sorts by it)"),
            ]),
            ("Search box", [
                ("enter / ↓", "", "Go to the hits (then n / N step through them, enter opens one)"),
                ("esc", "", "Clear the search and go back"),
            ]),
            ("Study", self.binding_rows(StudyScreen.BINDINGS)),
            ("Review", [*self.binding_rows(ReviewScreen.BINDINGS),
                        ("enter", "", "Open the included study under the cursor")]),
            ("Summary", self.binding_rows(SummaryScreen.BINDINGS)),
            ("Export dialog", [("enter", "", "Write the file"), *self.binding_rows(ExportDialog.BINDINGS)]),
            ("Help", self.binding_rows(HelpScreen.BINDINGS)),
        ]

    def binding_rows(self, bindings: Sequence[BindingType]) -> list[tuple[str, str, str]]:
        """(keys, label, what it does) per action: the keys as the footer shows them, joined when
        several keys do one thing; the label is the footer's (the description)."""
        rows: dict[tuple[str, str], tuple[list[str], str]] = {}
        for binding in Binding.make_bindings(bindings):
            label = binding.description or binding.action
            keys = rows.setdefault((binding.action, label), ([], binding.tooltip))[0]
            display = self.get_key_display(binding)
            if display not in keys:
                keys.append(display)
        return [(" / ".join(keys), label, tooltip or (f"Show the {label} pane" if action.startswith("pane(") else ""))
                for (action, label), (keys, tooltip) in rows.items()]


def run_app(folder: Path, *, allow_problems: bool = False) -> tuple[int, Sequence[Problem]]:
    """Run the browser on ``folder``: its exit code, and the folder's problems if it could not
    open it, or (``allow_problems``) opened it with problems (the command line prints them as
    ``validate`` does)."""
    app = LdnApp(folder, allow_problems=allow_problems)
    app.run()
    if app.problems:
        return EXIT_PROBLEMS, app.problems
    return app.return_code or 0, ()
