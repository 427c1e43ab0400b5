"""The main screen: five panes as tabs, the search box and its hits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, OptionList, TabbedContent, TabPane
from textual.worker import get_current_worker

from ldn_tui.model import Evidence, Problem, Review, Study
from ldn_tui.search import Query, QueryError, SearchService
from ldn_tui.text import plural
from ldn_tui.tui.messages import OpenRecord, SearchDone
from ldn_tui.tui.screens.common import copy_citation, start_export
from ldn_tui.tui.widgets.base import Pane
from ldn_tui.tui.widgets.footer import AppFooter
from ldn_tui.tui.widgets.inflammation import InflammationPane
from ldn_tui.tui.widgets.mechanisms import MechanismsPane
from ldn_tui.tui.widgets.outcomes import OutcomesPane
from ldn_tui.tui.widgets.overview import OverviewPane
from ldn_tui.tui.widgets.problems import ProblemsPane
from ldn_tui.tui.widgets.questions import QuestionsPane
from ldn_tui.tui.widgets.reviews import ReviewsPane
from ldn_tui.tui.widgets.search import HitList, SearchBar, SearchInput
from ldn_tui.tui.widgets.trials import TrialsPane

PANES: tuple[tuple[str, str, type[Pane]], ...] = (
    ("overview", "0 Overview", OverviewPane),
    ("mechanisms", "1 Mechanisms", MechanismsPane),
    ("outcomes", "2 Outcomes", OutcomesPane),
    ("inflammation", "3 Inflammation", InflammationPane),
    ("questions", "4 Open questions", QuestionsPane),
    ("reviews", "5 Reviews", ReviewsPane),
    ("trials", "6 Trials", TrialsPane),
)
PANE_IDS = tuple(p[0] for p in PANES)
SHORT_TITLES = {  # when the full titles do not fit on one line (every tab stays on screen at 60 columns)
    "overview": "0 Over", "mechanisms": "1 Mech", "outcomes": "2 Outc", "inflammation": "3 Infl",
    "questions": "4 Quest", "reviews": "5 Rev", "trials": "6 Trials", "problems": "! Prob",
}
PROBLEMS_TITLE = "! Problems"  # browse --allow-problems only
HIT_PANES = {"mechanism": "mechanisms", "question": "questions", "review": "reviews", "trial": "trials"}


class PaneTab(TabPane):
    """A pane's tab that never takes the tabs back to itself on a late focus.

    A widget of this pane that was focused just before another pane was chosen announces it
    (``TabPane.Focused``) after the switch when the app is busy, and ``TabbedContent`` would then
    switch back to this pane: a pane the user left comes back on its own. Only the pane on show
    may claim the tabs that way; the pane keys and Tab switch them directly.
    """

    def on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        tabs = self.parent.parent if self.parent is not None else None
        if isinstance(tabs, TabbedContent) and tabs.active != self.id:
            event.stop()


class MainScreen(Screen[None]):
    """The overview (0), panes 1-6 (number keys, tab/shift+tab, the mouse); ``/`` searches from anywhere."""

    # Focus is placed here (``_restore_focus``), not by Textual's AUTO_FOCUS: that would focus one
    # fixed widget whenever the screen comes back without a focus, and focusing a widget in a pane
    # makes the tabs switch to that pane. Never the hidden search box: it would swallow the keys.
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(title.split(" ", 1)[0], f"pane('{pid}')", title.split(" ", 1)[1], show=False)
          for pid, title, _ in PANES),
        Binding("exclamation_mark", "pane('problems')", "Problems", show=False),
        Binding("tab", "step_pane(1)", "Next pane", show=False, tooltip="Show the pane to the right"),
        Binding("shift+tab", "step_pane(-1)", "Previous pane", show=False, tooltip="Show the pane to the left"),
        # One footer entry for both (an 80-column footer has no room for two).
        Binding("n", "step_hit(1)", "Hits", key_display="n/N", tooltip="Next hit (N: previous hit)"),
        Binding("N", "step_hit(-1)", "Prev hit", show=False, tooltip="Previous hit"),
        Binding("escape", "clear_search", "Clear", tooltip="Clear the search and go back to the panes"),
        Binding("o", "sort", "Sort", tooltip="Sort the table by the next column (O reverses)"),
        Binding("O", "reverse_sort", "Reverse sort", show=False, tooltip="Reverse the order of the table"),
        Binding("c", "copy_citation", "Cite", tooltip="Copy the citation of the study or review under the cursor"),
        Binding("b,C", "copy_bibtex", "BibTeX", show=False, tooltip="Copy its BibTeX entry"),
        Binding("e", "export", "Export", priority=True, tooltip="Write the pane on show to a Markdown file"),
        Binding("p", "patient_page('md')", "Patient page", priority=True, tooltip="Export the page for patients, in Markdown"),
        Binding("P", "patient_page('html')", "Patient page (HTML)", show=False, priority=True,
                tooltip="Export the page for patients, as a web page"),
    ]

    def __init__(self, evidence: Evidence, search: SearchService, problems: Sequence[Problem] = ()) -> None:
        super().__init__(id="main")
        self.evidence = evidence
        self.search = search
        self.problems = tuple(problems)  # browse --allow-problems: shown in a pane of their own, first
        self.query_obj: Query | None = None
        self._shown_text = ""  # the query whose result the hit list shows
        self._hits_wanted = False  # Enter came before that query's search ended
        # The tabs activate their first tab when they mount, by a message that can reach the
        # TabbedContent after a pane key pressed at once has chosen another pane, and would switch
        # back. Pane keys wait for that first activation (or, should it never come, a second).
        self._tabs_settled = False
        self._pending_pane: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield SearchBar(id="search-bar")
        yield HitList(id="hits")
        with TabbedContent(initial="problems" if self.problems else PANE_IDS[0], id="panes"):
            if self.problems:
                with PaneTab(PROBLEMS_TITLE, id="problems"):
                    yield ProblemsPane(self.evidence, id="problems-pane", problems=self.problems)
            for pane_id, title, pane_cls in PANES:
                with PaneTab(title, id=pane_id):
                    if pane_cls is OverviewPane:
                        others = tuple((t.split(" ", 1)[0], t.split(" ", 1)[1]) for p, t, _ in PANES if p != pane_id)
                        yield OverviewPane(self.evidence, id=f"{pane_id}-pane", keys=others)
                    else:
                        yield pane_cls(self.evidence, id=f"{pane_id}-pane")
        yield AppFooter()

    # ------------------------------------------------------------------ panes

    def active_pane(self) -> Pane:
        active = self.query_one(TabbedContent).active or PANE_IDS[0]
        return self.query_one(f"#{active}-pane", Pane)

    def show_pane(self, pane_id: str, select: str | None = None) -> None:
        if self.has_class("-searching"):
            self.end_search()
        tabs = self.query_one(TabbedContent)
        if self.focused is not None and tabs in self.focused.ancestors:
            # Let go of the old pane's widget first: Textual hands the focus of a widget being
            # hidden to a neighbour, which in the old pane would switch the tabs right back.
            self.set_focus(None)
        tabs.active = pane_id
        pane = self.query_one(f"#{pane_id}-pane", Pane)
        if select is not None:
            pane.select(select)
        self.call_after_refresh(self._focus_pane, pane)  # the footer follows the focus

    def _focus_pane(self, pane: Pane) -> None:
        """Focus a pane just shown, unless a search began in the meantime (a "/" typed right
        after a pane key): the keys typed next belong to the search box."""
        if not self.has_class("-searching"):
            pane.focus_main()

    def on_mount(self) -> None:
        self.set_timer(1.0, self._settle_tabs)
        self._restore_focus()
        self.fit_tabs(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self.fit_tabs(event.size.width)

    def fit_tabs(self, width: int) -> None:
        """Full tab titles where they fit on one line, else the short ones."""
        titles = {pid: title for pid, title, _ in PANES} | {"problems": PROBLEMS_TITLE}
        ids = self.pane_ids()
        short = sum(len(titles[pid]) + 2 for pid in ids) > width
        tabs = self.query_one(TabbedContent)
        for pid in ids:
            tabs.get_tab(pid).label = Text(SHORT_TITLES[pid] if short else titles[pid])

    def on_screen_resume(self) -> None:
        if self.focused is None:
            self._restore_focus()

    def _restore_focus(self) -> None:
        """Where the keys go when nothing has the focus: the hits while searching, else the
        list or table of the pane on show."""
        hits = self.query_one(HitList)
        if not self.has_class("-searching"):
            self.active_pane().focus_main()
        elif hits.hits:
            self.set_focus(hits)
        else:
            self.set_focus(self.query_one(SearchInput))

    @on(TabbedContent.TabActivated, "#panes")
    def _tab_activated(self) -> None:
        self._settle_tabs()
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted)
    @on(DataTable.RowHighlighted)
    def _cursor_moved(self) -> None:
        self.refresh_bindings()  # the record under the cursor decides whether there is one to cite

    def _settle_tabs(self) -> None:
        if self._tabs_settled:
            return
        self._tabs_settled = True
        if self._pending_pane is not None:
            pane_id, self._pending_pane = self._pending_pane, None
            self.show_pane(pane_id)

    def action_pane(self, pane_id: str) -> None:
        if pane_id not in self.pane_ids():
            return
        if not self._tabs_settled:
            self._pending_pane = pane_id
            return
        self.show_pane(pane_id)

    def pane_ids(self) -> tuple[str, ...]:
        return ("problems", *PANE_IDS) if self.problems else PANE_IDS

    def action_step_pane(self, step: int) -> None:
        ids = self.pane_ids()
        active = self._pending_pane or self.query_one(TabbedContent).active or ids[0]
        self.action_pane(ids[(ids.index(active) + step) % len(ids)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        searching = self.has_class("-searching")
        if action == "pane" and parameters and parameters[0] not in self.pane_ids():
            return False
        if action == "step_hit":
            return bool(self.query_one(HitList).hits) and searching
        if action == "clear_search":
            return searching
        if action in ("export", "patient_page"):  # priority bindings: in the search box, "e" and "p" are typed
            return not isinstance(self.focused, Input)
        if action in ("sort", "reverse_sort"):
            return not searching and self.query_one(TabbedContent).active == "outcomes"
        if action in ("copy_citation", "copy_bibtex"):
            return self.record_in_view() is not None  # "c Cite" only where there is something to cite
        return True

    def action_sort(self) -> None:
        pane = self.query_one(OutcomesPane)
        label = pane.cycle_sort()
        self.notify(f"Sorted by {label} (O reverses)", timeout=2, markup=False)

    def action_reverse_sort(self) -> None:
        self.query_one(OutcomesPane).reverse_sort()

    # ------------------------------------------------------------------ records

    @on(OpenRecord)
    def _open(self, event: OpenRecord) -> None:
        event.stop()
        self.open_record(event.record_id)

    def open_record(self, record_id: str, query: Query | None = None, hit_ids: Sequence[str] = ()) -> None:
        record = self.evidence.record(record_id)
        if isinstance(record, Study):
            from ldn_tui.tui.screens.study import StudyScreen

            self.app.push_screen(StudyScreen(self.evidence, record_id, query, hit_ids))
        elif isinstance(record, Review):
            from ldn_tui.tui.screens.review import ReviewScreen

            if not self.has_class("-searching"):  # from a search hit, esc comes back to the hits
                self.show_pane("reviews", select=record_id)
            self.app.push_screen(ReviewScreen(self.evidence, record_id))

    def record_in_view(self) -> Study | Review | None:
        hits = self.query_one(HitList)
        if self.has_class("-searching") and hits.has_focus:
            hit = hits.current
            record = hit.record if hit else None
            return record if isinstance(record, (Study, Review)) else None
        return self.active_pane().record_in_view()

    def action_copy_citation(self) -> None:
        copy_citation(self, self.record_in_view(), bibtex=False)

    def action_copy_bibtex(self) -> None:
        copy_citation(self, self.record_in_view(), bibtex=True)

    async def action_export(self) -> None:
        pane = self.active_pane()
        await start_export(self, f"the {pane.section} pane", pane.section, pane.export_text(), self.evidence.root)

    async def action_patient_page(self, kind: str) -> None:
        """One page for patients (``report.patient``), bottom line first, as ``export --format patient``."""
        from ldn_tui.report import patient

        syntheses = self.query_one(OverviewPane).syntheses
        if not syntheses:
            from ldn_tui.analysis.synthesis import synthesise

            syntheses = synthesise(self.evidence)
        render = patient.patient_html if kind == "html" else patient.patient_markdown
        await start_export(self, "the page for patients", "patient", render(self.evidence, syntheses), self.evidence.root,
                     name=f"ldn-tui-patient.{kind}")

    # ------------------------------------------------------------------ search

    def action_search(self) -> None:
        self.add_class("-searching")
        # Focus now, not after a refresh: the keys typed right after "/" belong to the search box.
        # A new "/" starts a new query: the old one is selected, so what is typed replaces it.
        search_input = self.query_one(SearchInput)
        self.set_focus(search_input)
        search_input.select_all()
        self.refresh_bindings()

    def end_search(self) -> None:
        self.remove_class("-searching", "-has-query")
        search_input = self.query_one(SearchInput)
        with search_input.prevent(Input.Changed):
            search_input.value = ""
        self.query_one(HitList).show(None)
        self.query_one(SearchBar).set_status("")
        self.query_obj = None
        self._shown_text, self._hits_wanted = "", False
        self.refresh_bindings()

    def action_clear_search(self) -> None:
        self.end_search()
        self.active_pane().focus_main()

    def action_focus_hits(self) -> None:
        hits = self.query_one(HitList)
        if hits.hits:
            self.set_focus(hits)
            self.query_one(SearchBar).set_status(hits.count_text())

    def action_step_hit(self, step: int) -> None:
        hits = self.query_one(HitList)
        hits.step(step)
        self.set_focus(hits)

    @on(Input.Changed, "#search-input")
    def _query_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        self.set_class(bool(text), "-has-query")
        if not text:
            self.query_one(HitList).show(None)
            self.query_one(SearchBar).set_status("")
            self.refresh_bindings()
            return
        self.query_one(SearchBar).set_status("searching…")
        self.run_search(text)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, text: str) -> None:
        try:
            result = self.search.search(text)
        except QueryError as exc:
            self.post_message(SearchDone(text, None, str(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(SearchDone(text, result))

    @on(SearchDone)
    def _search_done(self, event: SearchDone) -> None:
        if event.text != self.query_one(SearchInput).value.strip():
            return  # a newer query is on its way
        bar = self.query_one(SearchBar)
        hits = self.query_one(HitList)
        self._shown_text = event.text
        if event.result is None:
            hits.show(None)
            bar.set_status(event.error or "malformed query", error=True)
        else:
            self.query_obj = event.result.query
            hits.show(event.result)
            total = event.result.total
            bar.set_status(plural(total, 'match', 'matches') if total else "no matches")
        if self._hits_wanted:
            self._hits_wanted = False
            self.action_focus_hits()
        self.refresh_bindings()

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        """Enter: to the hits of what was typed, once its search has ended."""
        if self._shown_text == self.query_one(SearchInput).value.strip():
            self.action_focus_hits()
        else:
            self._hits_wanted = True

    @on(HitList.Highlighted, "#hits")
    def _hit_highlighted(self) -> None:
        hits = self.query_one(HitList)
        if hits.has_focus:
            self.query_one(SearchBar).set_status(hits.count_text())

    @on(HitList.Selected, "#hits")
    def _hit_selected(self, event: HitList.Selected) -> None:
        event.stop()
        hits = self.query_one(HitList)
        hit = hits.current
        if hit is None:
            return
        if hit.kind == "study":
            study_ids = [h.id for h in hits.hits if h.kind == "study"]
            self.open_record(hit.id, self.query_obj, study_ids)
        elif hit.kind == "review":
            self.open_record(hit.id)
        else:
            self.show_pane(HIT_PANES[hit.kind], select=hit.id)
