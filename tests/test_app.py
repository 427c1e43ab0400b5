"""The app driven by Pilot on the fixed test folder: keys pressed, widgets read back."""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from test_trials import TRIALS  # the fixture folder's trials.toml, as test_trials writes it
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static, TabbedContent
from textual.widgets._footer import FooterKey

from ldn_tui import cli
from ldn_tui.report import facts
from ldn_tui.search.service import EAGER_HITS, HIT_LIMIT
from ldn_tui.tui.app import LdnApp
from ldn_tui.tui.messages import SearchDone
from ldn_tui.tui.screens.dialogs import ConfirmDialog, ExportDialog
from ldn_tui.tui.screens.help import HelpScreen
from ldn_tui.tui.screens.main import MainScreen
from ldn_tui.tui.screens.review import ReviewScreen
from ldn_tui.tui.screens.study import StudyScreen, StudyView
from ldn_tui.tui.screens.summary import DomainBlock, SummaryScreen
from ldn_tui.tui.widgets.footer import AppFooter
from ldn_tui.tui.widgets.outcomes import OutcomesPane
from ldn_tui.tui.widgets.problems import ProblemsPane
from ldn_tui.tui.widgets.search import HitList, SearchInput

Ready = Callable[[Any], Awaitable[None]]  # the ``ready`` fixture (conftest.py)
SIZE = (120, 40)


def shown(widget: Widget) -> str:
    """The text a widget shows on screen right now."""
    strips = widget.render_lines(Region(0, 0, widget.region.width, widget.region.height))
    return "\n".join(strip.text.rstrip() for strip in strips)


def links_shown(widget: Widget) -> set[str]:
    strips = widget.render_lines(Region(0, 0, widget.region.width, widget.region.height))
    return {seg.style.link for strip in strips for seg in strip if seg.style is not None and seg.style.link}


def status(app: LdnApp) -> str:
    return shown(app.screen.query_one("#search-status", Static)).strip()


async def search_for(pilot: Any, text: str) -> None:
    """``/`` then the query (set at once: typing it key by key only costs test time)."""
    await pilot.press("slash")
    pilot.app.screen.query_one(SearchInput).value = text
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def table_order(app: LdnApp) -> list[str]:
    return app.screen.query_one(OutcomesPane).visible_ids()


async def test_first_screen_is_the_overview_then_mechanisms(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.title == "Fixture drug for fixture pain"
        assert app.sub_title == "4 studies, 2 reviews"
        assert app.screen.query_one(TabbedContent).active == "overview"
        text = shown(app.screen.query_one("#overview-view")) + shown(app.screen.query_one("#overview-keys"))
        assert "Question: In adults with fixture pain" in text
        assert "Bottom line" in text and "no clear difference in pain intensity" in text
        assert "Certainty per outcome" in text and "⊕◯◯◯ very low" in text
        text = " ".join(text.split())
        assert "2 parallel randomised trials, 1 crossover randomised trial" in text and "1 single-arm study" in text
        assert "The 2 reviews disagree on pain intensity: 1 found benefit; 1 found no clear difference" in text
        assert "1 Mechanisms" in text and "5 Reviews" in text
        await pilot.press("1")
        await pilot.pause()
        text = shown(app.screen.query_one("#mechanisms-list"))
        assert "Receptor rebound" in text and "hypothesis" in text
        assert "▲ for" in text and "Alpha & Beta 2010" in text
        assert "▼ against" in text and "Gamma et al. 2020" in text
        assert "animal evidence" in text
        await pilot.press("0")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == "overview"


async def test_number_keys_tab_and_every_pane(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        tabs = app.screen.query_one(TabbedContent)
        await pilot.press("2")
        assert tabs.active == "outcomes"
        assert table_order(app) == ["alpha-2010", "beta-2015", "gamma-2020", "delta-2024"]
        await pilot.press("tab")
        assert tabs.active == "inflammation"
        text = shown(app.screen.query_one("#inflammation-view"))
        assert "IL-6" in text and "n = 30" in text and "predicted response" in text
        await pilot.press("tab")
        assert tabs.active == "questions"
        text = shown(app.screen.query_one("#questions-list"))
        assert "Does baseline inflammation predict who responds?" in text
        assert "NCT00000009" in text and "Only one small uncontrolled study" in text
        await pilot.press("5")
        assert tabs.active == "reviews"
        text = shown(app.screen.query_one("#reviews-list"))
        assert text.index("Omega 2021") < text.index("Psi et al. 2025")  # date order
        assert "The fixture drug may reduce pain" in text and "No clear benefit over placebo" in text
        assert "SMD −0.60 (−1.10 to −0.10)" in text and "MD −0.20 (−0.90 to 0.50)" in text
        await pilot.press("shift+tab")
        assert tabs.active == "questions"
        await pilot.press("1")
        assert tabs.active == "mechanisms"


async def test_enter_on_a_review_opens_its_detail_and_its_studies(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("5")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.review.id == "omega-2021"
        head = shown(app.screen.query_one("#review-head"))
        assert "A positive meta-analysis of the fixture drug" in head and "Omega O." in head
        assert "meta-analysis" in head and "fibromyalgia" in head and "2021-03-01" in head and "2 studies" in head
        assert "https://doi.org/10.1000/fixture.review.2021" in links_shown(app.screen.query_one("#review-head"))
        included = shown(app.screen.query_one("#review-includes"))
        assert "Beta et al. 2015" in included and "Gamma et al. 2020" in included
        tail = shown(app.screen.query_one("#review-tail"))
        assert "Pain intensity: SMD −0.60 (−1.10 to −0.10), k = 2, I² = 40%" in tail
        assert "The fixture drug may reduce pain" in tail and "Caveats" in tail
        await pilot.press("down", "enter")  # the second included study
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen) and app.screen.study.id == "gamma-2020"
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(TabbedContent).active == "reviews"




async def test_trials_pane_status_date_and_the_study_reporting_it(evidence_copy: Path, ready: Ready) -> None:
    (evidence_copy / "trials.toml").write_text(TRIALS, encoding="utf-8")
    app = LdnApp(evidence_copy)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert not app.problems
        await pilot.press("6")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == "trials"
        text = " ".join(shown(app.screen.query_one("#trials-list")).split())
        assert "NCT00000002 completed (read 2026-01-10) · results published: Gamma et al. 2020" in text
        assert "NCT00000009 recruiting (read 2026-01-10) · no results found" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen) and app.screen.study.id == "gamma-2020"


async def test_allow_problems_opens_what_loaded_with_a_problems_pane(evidence_copy: Path, ready: Ready) -> None:
    beta = evidence_copy / "studies" / "beta-2015.toml"
    beta.write_text(beta.read_text(encoding="utf-8").replace("year = 2015", 'year = "2015"'), encoding="utf-8")
    (evidence_copy / "studies" / "extra.toml").write_text('id = "wrong-id"\n', encoding="utf-8")
    app = LdnApp(evidence_copy, allow_problems=True)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(TabbedContent).active == "problems"
        text = " ".join(shown(app.screen.query_one("#problems-list")).split())
        assert "problems in this folder; the other panes show what could be read (3 studies, 2 reviews)" in text
        assert "✗" in text and "beta-2015.toml" in "".join(text.split())  # (long paths wrap anywhere)
        listed = [str(p) for p in app.screen.query_one(ProblemsPane).problems]
        assert any("beta-2015.toml" in p and "year" in p for p in listed)
        assert any("extra.toml" in p and "does not match the file name" in p for p in listed)
        assert "problems" in app.sub_title
        await pilot.press("2")
        await app.workers.wait_for_complete()
        assert table_order(app) == ["alpha-2010", "gamma-2020", "delta-2024"]
        await pilot.press("exclamation_mark")
        assert app.screen.query_one(TabbedContent).active == "problems"
    assert app.problems  # printed again on the way out, and the exit code says so


async def test_without_allow_problems_the_problems_pane_key_does_nothing(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("exclamation_mark")
        assert app.screen.query_one(TabbedContent).active == "overview"
        assert not app.screen.query("#problems-pane")


async def test_sorting_the_outcomes_table(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        main = app.screen
        assert main.check_action("sort", ()) is True
        await pilot.press("o")  # year -> design
        pane = main.query_one(OutcomesPane)
        assert pane.sort_key == "design"
        await pilot.press("o")  # -> n
        assert pane.sort_key == "n"
        assert table_order(app) == ["alpha-2010", "beta-2015", "delta-2024", "gamma-2020"]
        await pilot.press("O")
        assert table_order(app) == ["gamma-2020", "delta-2024", "beta-2015", "alpha-2010"]
        table = main.query_one(DataTable)
        assert str(table.columns[table.ordered_columns[3].key].label) == "n ▼"
        for _ in range(4):  # -> risk of bias: "not reported" goes last either way
            await pilot.press("o")
        assert pane.sort_key == "rob"
        assert table_order(app) == ["gamma-2020", "beta-2015", "alpha-2010", "delta-2024"]
        await pilot.press("O")
        assert table_order(app) == ["alpha-2010", "beta-2015", "gamma-2020", "delta-2024"]
        pane.sort_by("year")  # what a click on the Year header does
        assert table_order(app)[0] == "alpha-2010"
        await pilot.press("1")
        assert main.check_action("sort", ()) is False  # only on the outcomes pane


async def test_opening_a_study_shows_the_whole_record(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(120, 120)) as pilot:
        await ready(pilot)
        await pilot.press("2", "down", "down", "enter")  # gamma-2020
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        view = app.screen.query_one(StudyView)
        text = shown(view)
        assert "A parallel trial of the fixture drug" in text
        assert "Gamma C, Epsilon E, Zeta Z" in text
        assert "Population" in text and "100 enrolled" in text and "90% women" in text
        assert "Fixture drug titrated to 6 mg daily" in text and "Comparator" in text
        assert "intervention 40 ± 15 (n = 50) vs control 42 ± 16 (n = 50)" in text
        assert "Source: Table 4" in text and "secondary source" in text
        assert "Judged by the fixture maintainers" in text and "+ low" in text
        assert "Country       not reported" in text and "Adverse events\nnot reported" in text.replace("  ", "")
        assert {"https://doi.org/10.1000/fixture.2020", "https://clinicaltrials.gov/study/NCT00000002"} <= links_shown(view)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_coming_back_without_a_focus_keeps_the_pane(fixture_folder: Path, ready: Ready) -> None:
    """Back from a study with nothing focused (it happens under load): the focus goes to the hits,
    and the pane under the search stays the one the user chose."""
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        await pilot.press("2")
        await search_for(pilot, "cytokine")
        await pilot.press("enter", "enter")
        assert [type(s).__name__ for s in app.screen_stack[-2:]] == ["MainScreen", "StudyScreen"]
        main.set_focus(None)
        await pilot.press("escape")
        assert app.screen_stack[-1] is main and main.query_one(HitList).has_focus
        await pilot.press("escape")  # clear the search
        assert main.query_one(TabbedContent).active == "outcomes"
        assert isinstance(app.focused, DataTable)


async def test_a_pane_key_pressed_while_the_tabs_start_is_kept(fixture_folder: Path, ready: Ready) -> None:
    """The tabs activate their first tab by a message of their own when they mount: a pane key
    handled before that message must not be undone by it."""
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        first = app.screen
        assert isinstance(first, MainScreen)
        fresh = MainScreen(first.evidence, first.search)
        await app.pop_screen()  # a screen id is unique in the stack
        waiting = app.push_screen(fresh)
        fresh.action_pane("outcomes")  # before the new screen has even mounted its tabs
        await waiting
        for _ in range(3):
            await pilot.pause()
        assert fresh.query_one(TabbedContent).active == "outcomes"
        assert fresh.query_one("#outcomes-pane").is_on_screen


async def test_enter_before_the_last_search_ends_waits_for_it(fixture_folder: Path, ready: Ready) -> None:
    """A fast typist's Enter can come before the last keystroke's search ends: it goes to the
    hits of what was typed once they are in, not to those of the word typed so far."""
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await search_for(pilot, "cytok")
        search_input = screen.query_one(SearchInput)
        with search_input.prevent(Input.Changed):
            search_input.value = "cytokine"  # typed; its search has not ended yet
        await pilot.press("enter")
        assert search_input.has_focus, "still waiting for the hits of 'cytokine'"
        screen.post_message(SearchDone("cytokine", screen.search.search("cytokine")))
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one(HitList).has_focus and status(app) == "1 of 1"


async def test_switching_panes_never_flips_back(fixture_folder: Path, ready: Ready) -> None:
    """Hiding the old pane's focused list must not hand the focus to another widget of that pane
    (Textual does so for a widget being hidden), which would switch the tabs straight back."""
    activated: list[str] = []

    def hook(message: object) -> None:
        if isinstance(message, TabbedContent.TabActivated):
            activated.append(message.pane.id or "")

    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await ready(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.query_one("#overview-scroll").has_focus
        activated.clear()
        await pilot.press("2")
        for _ in range(3):
            await pilot.pause()
        assert set(activated) == {"outcomes"}, f"the tabs went {activated}"  # (each bubbling step counts)
        assert screen.query_one(TabbedContent).active == "outcomes"


async def test_a_search_begun_right_after_a_pane_key_keeps_the_focus(fixture_folder: Path, ready: Ready) -> None:
    """"2" then "/" at once: the pane's deferred focus must not take the keys meant for the search box."""
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.show_pane("outcomes")  # focuses the pane's table after the next refresh...
        screen.action_search()  # ...but the search box was asked for in the same moment
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one(SearchInput).has_focus
        await pilot.press(*"cytokine")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        assert screen.query_one(HitList).has_focus
        assert app.screen is screen, "Enter went to the hits, not to the table (which opens a study)"
        await pilot.press("escape")  # the search ends on the pane that was chosen
        assert screen.query_one(TabbedContent).active == "outcomes"


async def test_a_search_begun_as_a_pane_takes_the_focus_keeps_it(fixture_folder: Path, ready: Ready) -> None:
    """A "/" handled after a pane, or the end of a search, has asked for the focus but before
    the focus moved: the pane must not take the keys meant for the search box (a tmux flake:
    "/cytokine" typed at once went to the table, whose "e" opened the export dialog)."""
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("2")
        await pilot.pause()
        screen._focus_pane(screen.active_pane())  # the pane's focus, after its refresh...
        screen.action_search()  # ...and a "/" that was already waiting
        await pilot.pause()
        assert screen.query_one(SearchInput).has_focus
        screen.action_clear_search()  # Escape, and "/" at once
        screen.action_search()
        await pilot.pause()
        assert screen.query_one(SearchInput).has_focus
        await pilot.press(*"cytokine")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.query_one(SearchInput).value == "cytokine" and app.screen is screen


async def test_search_filters_highlights_and_steps(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await search_for(pilot, "trial")
        hits = app.screen.query_one(HitList)
        assert hits.display and not app.screen.query_one(TabbedContent).display
        found = [h.id for h in hits.hits]
        assert {"beta-2015", "gamma-2020", "delta-2024"} <= set(found)
        total = len(found)
        assert status(app) == f"{total} matches"
        assert all(h.spans for h in hits.hits if h.field)  # every snippet has its match marked
        await pilot.press("enter")
        assert status(app) == f"1 of {total}"
        await pilot.press("n")
        assert status(app) == f"2 of {total}"
        await pilot.press("N", "N")
        assert status(app) == f"{total} of {total}"  # wraps around
        await pilot.press("n")
        study_hit = next(i for i, h in enumerate(hits.hits) if h.kind == "study")
        hits.highlighted = study_hit
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        assert app.screen.study.id == hits.hits[study_hit].id
        assert "“trial”" in shown(app.screen.query_one("#study-status"))
        first = app.screen.study.id
        await pilot.press("n")
        assert app.screen.study.id != first  # n/N step through the study hits here too
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen) and hits.display
        await pilot.press("escape")
        assert not hits.display and app.screen.query_one(TabbedContent).display
        assert app.screen.check_action("step_hit", (1,)) is False


async def test_cytokine_finds_the_cytokine_study(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await search_for(pilot, "cytokine")
        assert [h.id for h in app.screen.query_one(HitList).hits] == ["beta-2015"]
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        assert "2 matches marked" in shown(app.screen.query_one("#study-status"))


async def test_a_malformed_query_says_why(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await search_for(pilot, 'year:abc "[/b]')
        assert app.screen.query_one("#search-status").has_class("-error")
        assert "quote" in status(app) or "year" in status(app)
        assert app.screen.query_one(HitList).hits == []


# --- many hits: the hit list draws (and computes the snippets of) only what is in view ---------

WOMBATS = 230  # more than the browser lists (HIT_LIMIT)
WOMBAT = """id = "wombat-{i:03d}"
title = "Fixture trial number {i:03d}{longer}"
authors = ["Wombat W"]
year = 2001
pmid = "2000{i:04d}"
design = "parallel-rct"
blinding = "double"
summary = "Cohort {i:03d}: the quokka group had less pain than the placebo group."
caveats = [{caveats}]

[population]
description = "Adults with fixture pain"
n_enrolled = 40

[intervention]
description = "Fixture drug 4.5 mg daily"
dose_mg = 4.5

[comparator]
kind = "placebo"
"""


@pytest.fixture(scope="module")
def many_hits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture folder and 230 studies that all match "quokka" equally (one score, one year),
    so hit k is wombat-k. Hits take 3 to 6 lines: every third title wraps, every fifth study
    matches in a caveat too ("also in")."""
    folder = tmp_path_factory.mktemp("many") / "evidence"
    shutil.copytree(Path(__file__).parent / "data" / "evidence", folder)
    for i in range(WOMBATS):
        longer = ", a title long enough to wrap onto a second line of the hit list" * (i % 3 == 0)
        caveats = f'"Quokka {i:03d} was counted twice."' * (i % 5 == 0)
        (folder / "studies" / f"wombat-{i:03d}.toml").write_text(
            WOMBAT.format(i=i, longer=longer, caveats=caveats), encoding="utf-8")
    return folder


def hit_blocks(hits: HitList) -> list[list[str]]:
    """The hits on screen as lists of lines, split at the rules between hits."""
    blocks: list[list[str]] = [[]]
    for line in shown(hits).splitlines():
        if line.strip().startswith("───"):
            blocks.append([])
        elif line.strip():
            blocks[-1].append(line.strip())
    return [b for b in blocks if b]


def check_on_screen(hits: HitList) -> list[int]:
    """Every hit on screen shows its own number, id, title and snippet (partly shown ones at the
    edges: what is shown of them); returns the numbers of the hits shown whole."""
    whole = []
    for block in hit_blocks(hits):
        head = block[0].split()
        if not head[0].endswith("."):  # the tail of a hit cut by the top edge
            assert block[-1].startswith(("summary: Cohort", "also in: caveat")), block
            continue
        number = int(head[0].rstrip("."))
        i = number - 1
        assert head[-1] == f"wombat-{i:03d}", block  # "192. Wombat 2001  study  wombat-191"
        if len(block) >= 3:
            assert block[1].startswith(f"Fixture trial number {i:03d}"), block
            snippet = next(line for line in block if line.startswith("summary:"))
            assert snippet == f"summary: Cohort {i:03d}: the quokka group had less pain than the placebo group."
            whole.append(number)
    return whole


def marked(hits: HitList) -> list[str]:
    """The texts the hit list shows with the match style (reverse video)."""
    strips = hits.render_lines(Region(0, 0, hits.region.width, hits.region.height))
    return [seg.text for strip in strips for seg in strip if seg.style is not None and seg.style.reverse]


async def test_many_hits_are_counted_but_only_those_in_view_are_computed(many_hits: Path, ready: Ready) -> None:
    app = LdnApp(many_hits)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await search_for(pilot, "quokka")
        hits = app.screen.query_one(HitList)
        assert status(app) == f"{WOMBATS} matches"
        assert hits.total == WOMBATS and len(hits.hits) == HIT_LIMIT
        assert [h.id for h in hits.hits] == [f"wombat-{i:03d}" for i in range(HIT_LIMIT)]
        assert check_on_screen(hits)[:3] == [1, 2, 3]
        assert marked(hits) and all(m.lower() == "quokka" for m in marked(hits))
        drawn = hits.drawn
        assert drawn == list(range(len(drawn))) and 5 <= len(drawn) < EAGER_HITS + 3
        computed = [i for i, h in enumerate(hits.hits) if "_best" in vars(h)]
        assert computed == list(range(max(EAGER_HITS, len(drawn))))  # the search worker's, then the view's
        await pilot.press("enter")
        assert status(app) == f"1 of {HIT_LIMIT} shown ({WOMBATS} matches)"


async def test_a_far_hit_shows_its_own_title_and_snippet(many_hits: Path, ready: Ready) -> None:
    app = LdnApp(many_hits)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await search_for(pilot, "quokka")
        hits = app.screen.query_one(HitList)
        await pilot.press("enter", "end")
        await pilot.pause()
        assert status(app) == f"{HIT_LIMIT} of {HIT_LIMIT} shown ({WOMBATS} matches)"
        assert check_on_screen(hits)[-1] == HIT_LIMIT
        assert all(m.lower() == "quokka" for m in marked(hits)) and len(marked(hits)) >= 3
        assert not any("_best" in vars(h) for h in hits.hits[EAGER_HITS + 5:HIT_LIMIT - 20])  # never shown
        await pilot.press("pageup", "pageup", "up")  # up through hits not drawn before, the view kept still
        await pilot.pause()
        here = hits.highlighted
        assert here is not None and here + 1 in check_on_screen(hits)
        assert status(app) == f"{here + 1} of {HIT_LIMIT} shown ({WOMBATS} matches)"
        hits.scroll_to(y=hits.max_scroll_y // 2, animate=False)  # as the scroll bar or the wheel would
        await pilot.pause()
        middle = check_on_screen(hits)
        assert len(middle) >= 5 and middle == list(range(middle[0], middle[0] + len(middle)))
        assert 60 < middle[0] < 140
        for _ in range(16):  # line by line up into hits not drawn yet: the view moves by one line each time
            before = shown(hits).splitlines()
            hits.scroll_to(y=hits.scroll_y - 1, animate=False)
            await pilot.pause()
            assert shown(hits).splitlines()[1:] == before[:-1]
        check_on_screen(hits)
        await pilot.press("end", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen) and app.screen.study.id == f"wombat-{HIT_LIMIT - 1:03d}"
        assert f"study hit {HIT_LIMIT} of {HIT_LIMIT}" in shown(app.screen.query_one("#study-status"))


async def test_n_and_N_step_through_every_listed_hit(many_hits: Path, ready: Ready) -> None:
    app = LdnApp(many_hits)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await search_for(pilot, "quokka")
        hits = app.screen.query_one(HitList)
        await pilot.press("enter", "N")  # to the hits, then back round to the last one
        assert hits.highlighted == HIT_LIMIT - 1 and HIT_LIMIT in check_on_screen(hits)
        assert status(app) == f"{HIT_LIMIT} of {HIT_LIMIT} shown ({WOMBATS} matches)"
        await pilot.press("n", "n")  # round to the first, then the second
        assert status(app) == f"2 of {HIT_LIMIT} shown ({WOMBATS} matches)" and 2 in check_on_screen(hits)
        main = app.screen
        assert isinstance(main, MainScreen)
        for number in range(3, HIT_LIMIT + 1):  # what n does, without waiting for a frame each time
            main.action_step_hit(1)
            assert hits.highlighted == number - 1 and number in check_on_screen(hits), number
        await pilot.pause()
        assert status(app) == f"{HIT_LIMIT} of {HIT_LIMIT} shown ({WOMBATS} matches)"
        assert sorted(hits.drawn) == list(range(HIT_LIMIT))  # each was drawn on the way
        await pilot.press("N", "N")
        assert status(app) == f"{HIT_LIMIT - 2} of {HIT_LIMIT} shown ({WOMBATS} matches)"
        assert HIT_LIMIT - 2 in check_on_screen(hits)


async def test_help_lists_every_binding_and_the_glossary(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(120, 120)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = shown(app.screen.query_one("#help-text"))
        for _, rows in app.key_groups():
            for keys, label, explained in rows:
                assert keys in text and label in text and explained[:20] in text
        footer = app.screen_stack[-2].query_one(AppFooter)
        for key in footer.query(FooterKey):  # every key of the footer, as the footer writes it
            assert f"{key.key_display}" in text and key.description in text, (key.key_display, key.description)
        for term in ("RoB", "MD", "SMD", "RR", "CI", "I²", "τ²", "REML", "FIQR", "placebo", "crossover"):
            assert term in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_summary_shows_certainty_per_outcome(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(120, 200)) as pilot:
        await ready(pilot)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        text = "\n".join(shown(w) for w in app.screen.query(DomainBlock))
        assert "Pain intensity — MD" in text and "226 participants" in text and "⊕◯◯◯ very low" in text
        assert "−1 risk of bias" in text and "−2 imprecision" in text and "fewer than 400" in text
        assert "Function (FIQR)" in text and "⊕⊕◯◯ low" in text
        assert "Bottom line:" in text and "Pooled, REML" in text  # the forest plot
        overall = shown(app.screen.query_one("#bottom-line"))
        assert "pain intensity" in overall and "Pooling the studies" not in overall
        assert not app.screen.query_one("#sensitivity-banner").display
        await pilot.press("a")
        assert "leave one out" in shown(app.screen.query_one("#analysis"))
        banner = shown(app.screen.query_one("#sensitivity-banner"))
        assert "Sensitivity analysis: leave one out" in banner
        loo = "\n".join(shown(w) for w in app.screen.query(DomainBlock))
        assert "Pain intensity: leave one out (MD)" in loo and "Pooled, REML" not in loo  # a table, no forest
        assert "none (all pooled studies)      −0.27   −1.08 to 0.53   72%   ⊕◯◯◯ very low" in loo
        assert "Delta 2024                     −0.60   −1.28 to 0.08   47%   ⊕⊕◯◯ low" in loo
        assert "beta-2015" not in loo and "Beta et al. 2015" in loo  # studies by their names
        await pilot.press("a", "a")
        assert "low risk of bias only" in shown(app.screen.query_one("#analysis"))
        banner = " ".join(shown(app.screen.query_one("#sensitivity-banner")).split())
        assert "without Beta et al. 2015, Delta 2024" in banner
        overall = " ".join(shown(app.screen.query_one("#bottom-line")).split())
        assert "(1 randomised trial, 100 participants" in overall  # the bottom line follows the analysis
        await pilot.press("a")
        assert not app.screen.query_one("#sensitivity-banner").display
        assert "(3 randomised trials, 226 participants" in " ".join(shown(app.screen.query_one("#bottom-line")).split())
        await pilot.press("s")
        assert isinstance(app.screen, MainScreen)


async def test_copy_citation_and_bibtex(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("2", "down", "c")
        beta = app.evidence.study("beta-2015") if app.evidence else None
        assert beta is not None
        assert app.clipboard == facts.citation(beta)
        assert "doi:10.1000/fixture.2015" in app.clipboard
        await pilot.press("b")
        assert app.clipboard == facts.bibtex(beta) and "Beta, B. and Gamma, C." in app.clipboard
        await pilot.press("enter", "c")
        assert isinstance(app.screen, StudyScreen) and app.clipboard == facts.citation(beta)


async def _export(pilot: Any, target: Path) -> None:
    await pilot.press("e")
    assert isinstance(pilot.app.screen, ExportDialog)
    field = pilot.app.screen.query_one("#export-path", Input)
    assert field.value.startswith("ldn-tui-") and field.value.endswith(".md")
    field.value = str(target)
    await pilot.press("enter")
    await pilot.pause()


async def test_export_writes_and_asks_before_replacing(fixture_folder: Path, ready: Ready, tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _export(pilot, target)  # from the overview: the summary's words
        assert isinstance(app.screen, MainScreen)
        assert "Summary of findings" in target.read_text(encoding="utf-8")
        await pilot.press("1")
        target.unlink()
        await _export(pilot, target)
        first = target.read_text(encoding="utf-8")
        assert "Receptor rebound" in first
        target.write_text("keep me", encoding="utf-8")
        await _export(pilot, target)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert isinstance(app.screen, ExportDialog)
        assert target.read_text(encoding="utf-8") == "keep me"
        assert "left alone" in shown(app.screen.query_one("#export-error"))
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert target.read_text(encoding="utf-8") == first


@pytest.mark.parametrize("key", ["p", "P"])
async def test_patient_page_from_the_app(fixture_folder: Path, ready: Ready, tmp_path: Path, key: str) -> None:
    kind = "html" if key == "P" else "md"
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press(key)
        assert isinstance(app.screen, ExportDialog)
        field = app.screen.query_one("#export-path", Input)
        assert field.value == f"ldn-tui-patient.{kind}"
        field.value = str(tmp_path / field.value)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    page = (tmp_path / f"ldn-tui-patient.{kind}").read_text(encoding="utf-8")
    assert ("<!DOCTYPE html>" in page) == (kind == "html")
    assert "very low" in page and "2026-01-15" in page


async def test_export_refuses_the_evidence_folder(evidence_copy: Path, ready: Ready) -> None:
    before = sorted(p.name for p in evidence_copy.rglob("*"))
    app = LdnApp(evidence_copy)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _export(pilot, evidence_copy / "studies" / "notes.md")
        assert isinstance(app.screen, ExportDialog)
        assert "Refusing to write inside the evidence folder" in shown(app.screen.query_one("#export-error"))
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
    assert sorted(p.name for p in evidence_copy.rglob("*")) == before


async def test_palette_lists_actions_and_studies_literally(evidence_copy: Path, ready: Ready) -> None:
    alpha = evidence_copy / "studies" / "alpha-2010.toml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace(
        'title = "An early open pilot', 'title = "An early [/b] open pilot'), encoding="utf-8")
    app = LdnApp(evidence_copy)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        from ldn_tui.tui.commands import EvidenceCommands

        provider = EvidenceCommands(app.screen)
        names = [str(hit.text) async for hit in provider.search("early open")]
        assert any("An early [/b] open pilot" in n for n in names)
        names = [str(hit.text) async for hit in provider.discover()]
        assert any(n.startswith("Show the summary") for n in names)
        assert sum(n.startswith("Open study:") for n in names) == 4
        await provider.search("gamma").__anext__()
        await pilot.press("ctrl+p")
        assert app.screen.__class__.__name__ == "CommandPalette"


async def test_quit(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0 and app.problems == []


async def test_narrow_terminal_stacks(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.has_class("-narrow")
        assert not app.screen.query_one(".preview-scroll").display
        await pilot.resize_terminal(160, 50)
        await pilot.pause()
        assert not app.has_class("-narrow")
        assert app.screen.query_one(".preview-scroll").display


async def test_a_broken_folder_never_opens(evidence_copy: Path, ready: Ready) -> None:
    (evidence_copy / "studies" / "beta-2015.toml").write_text("id = [broken\n", encoding="utf-8")
    app = LdnApp(evidence_copy)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
    assert app.return_code == 2
    assert any("beta-2015.toml" in str(p) for p in app.problems)


def test_run_app_prints_the_problems_like_validate(
    evidence_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (evidence_copy / "topic.toml").write_text('format = 1\nid = "Bad Id"\n', encoding="utf-8")
    real_run = LdnApp.run
    monkeypatch.setattr(LdnApp, "run", lambda self, **kw: real_run(self, headless=True, size=(80, 24)))
    assert cli.main(["browse", "--evidence", str(evidence_copy)]) == 2
    printed = capsys.readouterr().err
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert cli.main(["validate", "--evidence", str(evidence_copy)]) == 2
    expected = stderr.getvalue()
    assert printed == expected and "problem" in printed


async def test_the_chosen_theme_is_remembered_between_runs(fixture_folder: Path, ready: Ready, tmp_path: Path) -> None:
    import os

    from ldn_tui.tui import settings

    assert settings.config_dir() == Path(os.environ["XDG_CONFIG_HOME"]) / "ldn-tui"  # conftest: a tmp folder
    assert str(settings.config_dir()).startswith(str(tmp_path))
    first = LdnApp(fixture_folder)
    async with first.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert first.theme == "textual-dark"
        first.theme = "solarized-light"
        await pilot.pause()
    assert settings.saved_theme() == "solarized-light"
    second = LdnApp(fixture_folder)
    async with second.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert second.theme == "solarized-light"
    (settings.config_dir() / settings.FILE).write_text("{not json", encoding="utf-8")
    third = LdnApp(fixture_folder)
    async with third.run_test(size=SIZE) as pilot:  # a broken file is ignored
        await ready(pilot)
        assert third.theme == "textual-dark"


async def test_at_60_columns_every_tab_is_on_screen(fixture_folder: Path, ready: Ready) -> None:
    from textual.widgets._tabbed_content import ContentTab

    app = LdnApp(fixture_folder)
    async with app.run_test(size=(60, 24)) as pilot:
        await ready(pilot)
        await pilot.pause()
        tabs = list(app.screen.query(ContentTab))
        assert len(tabs) == 7
        assert all(0 <= t.region.x and t.region.right <= 60 and t.region.width > 0 for t in tabs), [
            t.region for t in tabs]
        await pilot.resize_terminal(200, 40)
        await pilot.pause()
        assert "0 Overview" in [str(t.label) for t in app.screen.query(ContentTab)]


async def test_cite_in_the_footer_only_where_there_is_something_to_cite(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = app.screen
        assert screen.check_action("copy_citation", ()) is False  # the overview: nothing to cite
        await pilot.press("2")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.check_action("copy_citation", ()) is True
        await pilot.press("1")  # the mechanisms list opens on a mechanism, not a study
        await pilot.pause()
        assert screen.check_action("copy_citation", ()) is False
        await pilot.press("down")
        await pilot.pause()
        assert screen.check_action("copy_citation", ()) is True  # a study line under it


async def test_outcomes_keep_the_study_column_and_wrap_findings(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#outcomes-table", DataTable)
        assert table.fixed_columns == 1
        text = shown(table)
        assert "…" not in text.replace("Alpha & Beta 2010", "")  # no finding cut short
        assert max(row.height for row in table.rows.values()) > 1


async def test_a_review_hit_opens_its_detail_and_esc_comes_back_to_the_hits(fixture_folder: Path, ready: Ready) -> None:
    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await search_for(pilot, "positive meta-analysis")
        hits = app.screen.query_one(HitList)
        assert hits.hits and hits.hits[0].kind == "review"
        await pilot.press("enter")  # to the hits
        await pilot.press("enter")  # open the first
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.review.id == "omega-2021"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.screen.has_class("-searching")
        assert app.screen.query_one(HitList).hits


async def test_a_late_focus_from_a_pane_left_does_not_bring_it_back(fixture_folder: Path, ready: Ready) -> None:
    """A busy app delivers "a widget of the mechanisms pane got the focus" after the user chose the outcomes:
    the outcomes stay on show (before, the tabs switched back to the mechanisms: a tmux flake under load)."""
    from textual.widgets import TabPane

    app = LdnApp(fixture_folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        tabs = app.screen.query_one(TabbedContent)
        assert tabs.active == "outcomes"
        mechanisms = app.screen.query_one("#mechanisms", TabPane)
        mechanisms.post_message(TabPane.Focused(mechanisms))
        await pilot.pause()
        await pilot.pause()
        assert tabs.active == "outcomes"
