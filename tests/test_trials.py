"""trials.toml and the other format additions of 2026-12-03 that concern folders: each rule with its message."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_loader import edit, only
from test_loader import problems_of as problems
from textual.geometry import Region
from textual.widgets import TabbedContent

from ldn_tui.records.loader import load_evidence
from ldn_tui.report import facts, summary
from ldn_tui.search.index import SearchIndex
from ldn_tui.tui.app import LdnApp
from ldn_tui.tui.screens.study import StudyScreen, StudyView
from ldn_tui.tui.widgets.search import SearchInput

Ready = Callable[[Any], Awaitable[None]]  # the ``ready`` fixture (conftest.py)

FIXTURE = Path(__file__).parent / "data" / "evidence"

TRIALS = '''\
[[trial]]
registration = "NCT00000002"
title = "Gamma trial"
status = "completed"
status_checked = 2026-01-10
results = "published"
study = "gamma-2020"
source = "registry record"

[[trial]]
registration = "NCT00000003"
title = "Delta trial"
status = "active-not-recruiting"
status_checked = 2026-01-10
results = "published"
study = "delta-2024"
planned_n = 120
country = "Spain"
source = "registry record"
secondary_source = true

[[trial]]
registration = "NCT00000009"
title = "A trial still recruiting"
status = "recruiting"
status_checked = 2026-01-10
results = "none"
source = "registry record"
'''


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "ev"
    shutil.copytree(FIXTURE, target)
    (target / "trials.toml").write_text(TRIALS, encoding="utf-8")
    return target


def test_trials_load_sorted_with_their_fields(folder: Path) -> None:
    evidence = load_evidence(folder)
    assert [t.registration for t in evidence.trials] == ["NCT00000002", "NCT00000003", "NCT00000009"]
    delta = evidence.trial("NCT00000003")
    assert delta is not None and delta.study == "delta-2024" and delta.planned_n == 120 and delta.country == "Spain"
    assert delta.status_checked == date(2026, 1, 10) and not delta.ended and delta.secondary_source
    gamma = evidence.trial("NCT00000002")
    assert gamma is not None and gamma.ended and not gamma.secondary_source


def test_a_folder_without_trials_toml_has_no_trials_and_its_references_are_not_checked() -> None:
    evidence = load_evidence(FIXTURE)  # its question names NCT00000009, which no trials.toml lists
    assert evidence.trials == () and evidence.trial("NCT00000009") is None


def test_a_question_naming_an_unregistered_trial_is_refused(folder: Path) -> None:
    edit(folder / "questions.toml", '"NCT00000009"', '"NCT00000019"')
    assert only(folder) == (f"{folder}/questions.toml: question[0].ongoing[0]: "
                            "'NCT00000019' is not a [[trial]] of trials.toml, did you mean NCT00000009?")


def test_a_study_registration_must_be_a_trial(folder: Path) -> None:
    edit(folder / "trials.toml", 'registration = "NCT00000002"', 'registration = "ISRCTN123"')
    assert only(folder) == (f"{folder}/studies/gamma-2020.toml: registration: "
                            "'NCT00000002' is not a [[trial]] of trials.toml, did you mean NCT00000009?")


def test_a_trial_study_must_be_a_study(folder: Path) -> None:
    edit(folder / "trials.toml", 'study = "delta-2024"', 'study = "delta-2042"')
    assert only(folder) == f"{folder}/trials.toml: trial[1].study: 'delta-2042' is not a study in this folder, did you mean delta-2024?"


def test_registrations_are_unique(folder: Path) -> None:
    with (folder / "trials.toml").open("a", encoding="utf-8") as f:
        f.write('\n[[trial]]\nregistration = "NCT00000009"\ntitle = "again"\nstatus = "unknown"\n'
                'status_checked = 2026-01-10\nresults = "none"\nsource = "registry"\n')
    assert only(folder) == f"{folder}/trials.toml: trial[3].registration: duplicate registration 'NCT00000009' (also trial[2])"


def test_a_broken_trial_or_trials_file_is_one_problem_not_a_cascade(folder: Path) -> None:
    edit(folder / "trials.toml", 'status = "completed"', 'status = "done"')  # trial[0] does not build
    assert only(folder).startswith(f"{folder}/trials.toml: trial[0].status: 'done' is not one of")
    with (folder / "trials.toml").open("a", encoding="utf-8") as f:  # trial[3] repeats trial[1]
        f.write('\n[[trial]]\nregistration = "NCT00000003"\ntitle = "again"\nstatus = "unknown"\n'
                'status_checked = 2026-01-10\nresults = "none"\nsource = "registry"\n')
    assert f"{folder}/trials.toml: trial[3].registration: duplicate registration 'NCT00000003' (also trial[1])" in (
        problems(folder))
    (folder / "trials.toml").write_text("[[trial]\n", encoding="utf-8")
    assert "TOML syntax error" in only(folder)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('status = "recruiting"', 'status = "ongoing"',
         "trial[2].status: 'ongoing' is not one of not-yet-recruiting, recruiting, active-not-recruiting, completed, "
         "terminated, withdrawn, unknown"),
        ('results = "none"', 'results = "yes"', "trial[2].results: 'yes' is not one of none, posted, published"),
        ("status_checked = 2026-01-10\nresults = \"none\"", 'status_checked = "2026-01-10"\nresults = "none"',
         "trial[2].status_checked: expected a TOML date (YYYY-MM-DD, unquoted), got a string"),
        ("status_checked = 2026-01-10\nresults = \"none\"", "status_checked = 2999-01-10\nresults = \"none\"",
         "trial[2].status_checked: 2999-01-10 is in the future"),
        ('source = "registry record"\n', "", "trial[0].source: missing required field"),
        ('planned_n = 120', 'planned_n = 0', "trial[1].planned_n: 0 is impossible: must be at least 1"),
        ('registration = "NCT00000009"', 'registration = "NCT 00000009"',
         "trial[2].registration: 'NCT 00000009' is not a registry id (letters, digits and '-', as the registry "
         "writes it, e.g. NCT04739995)"),
        ('status = "recruiting"\nstatus_checked = 2026-01-10\nresults = "none"',
         'status = "withdrawn"\nstatus_checked = 2026-01-10\nresults = "posted"',
         "trial[2].results: 'posted' results for a trial that is 'withdrawn': a trial that enrolled no one has none"),
        ('country = "Spain"', 'contry = "Spain"', "trial[1].contry: unknown key, did you mean country?"),
    ],
)
def test_trial_fields(folder: Path, old: str, new: str, expected: str) -> None:
    edit(folder / "trials.toml", old, new)
    found = problems(folder)
    assert f"{folder}/trials.toml: {expected}" in found, found


def test_trials_toml_is_a_root_file_and_a_misspelling_is_named(folder: Path) -> None:
    (folder / "trials.toml").rename(folder / "trial.toml")
    msg = only(folder)
    assert msg.startswith(f"{folder}/trial.toml: not part of the format (root files: topic.toml, mechanisms.toml, "
                          "questions.toml, trials.toml")
    assert msg.endswith("did you mean trials.toml?)")


def test_review_scope_design_and_finding_subgroup_comparison(folder: Path) -> None:
    evidence = load_evidence(folder)
    psi = next(r for r in evidence.reviews if r.id == "psi-2025")
    assert (psi.scope, psi.design, psi.work) == ("fibromyalgia", None, psi.kind)  # the defaults
    assert all(f.comparison == "placebo" and f.subgroup is None for f in psi.findings if f.comparison != "baseline")
    review = folder / "reviews" / "psi-2025.toml"
    edit(review, 'kind = "meta-analysis"', 'kind = "meta-analysis"\nscope = "chronic-pain"\ndesign = "conference-abstract"')
    edit(review, "[[findings]]", '[[findings]]\nsubgroup = "fibromyalgia"\ncomparison = "active"')
    psi = next(r for r in load_evidence(folder).reviews if r.id == "psi-2025")
    assert (psi.scope, psi.design, psi.work) == ("chronic-pain", "conference-abstract", "conference-abstract")
    assert (psi.findings[0].subgroup, psi.findings[0].comparison) == ("fibromyalgia", "active")


@pytest.mark.parametrize(
    ("add", "expected"),
    [
        ('scope = "pain"', "scope: 'pain' is not one of fibromyalgia, chronic-pain, rheumatic, mixed"),
        ('design = "narrative"',
         "design: 'narrative' is not one of meta-analysis, systematic-review, scoping-review, narrative-review, "
         "conference-abstract; did you mean narrative-review?"),
    ],
)
def test_review_scope_and_design_are_choices(folder: Path, add: str, expected: str) -> None:
    edit(folder / "reviews" / "psi-2025.toml", 'kind = "meta-analysis"', f'kind = "meta-analysis"\n{add}')
    assert only(folder) == f"{folder}/reviews/psi-2025.toml: {expected}"


def test_a_subgroup_is_never_the_reviews_own_scope(folder: Path) -> None:
    edit(folder / "reviews" / "psi-2025.toml", "[[findings]]", '[[findings]]\nsubgroup = "fibromyalgia"')
    assert only(folder) == (f"{folder}/reviews/psi-2025.toml: findings[0].subgroup: 'fibromyalgia' is the review's "
                            "own scope: a subgroup names part of a wider review (leave it out)")


def test_finding_comparison_is_a_choice(folder: Path) -> None:
    edit(folder / "reviews" / "psi-2025.toml", "[[findings]]", '[[findings]]\ncomparison = "usual-care"')
    assert only(folder) == (f"{folder}/reviews/psi-2025.toml: findings[0].comparison: "
                            "'usual-care' is not one of placebo, baseline, active")


# --- the views: every registration with its status as read, never "ongoing" -------------------

SIZE = (120, 40)


def shown(widget: Any) -> str:
    """The text a widget shows on screen right now, as one line (the words as wrapped, one space apart)."""
    strips = widget.render_lines(Region(0, 0, widget.region.width, widget.region.height))
    return " ".join(" ".join(strip.text.split()) for strip in strips)


def test_text_summary_names_each_trial_with_status_and_date(folder: Path) -> None:
    edit(folder / "trials.toml", 'status = "recruiting"', 'status = "completed"')
    evidence = load_evidence(folder)
    text = summary.render(evidence, "text", width=160)
    assert "NCT00000009 completed (read 2026-01-10), no results found" in text  # in the question's row
    assert "Registered trials, with their status as read" in text and "NCT00000003" in text
    assert "ongoing" not in text.lower()
    markdown = summary.render(evidence, "markdown")
    assert "| NCT00000003 | active, not recruiting (read 2026-01-10, secondary source) | results published: Delta 2024 |" in markdown
    assert "ongoing" not in markdown.lower()


def test_a_registration_without_trials_toml_says_its_status_is_not_recorded() -> None:
    assert facts.trial_text("NCT00000009", load_evidence(FIXTURE)) == (
        "NCT00000009 status not recorded (no trials.toml entry)")


def test_reviews_show_what_they_included_and_their_kind_of_work(folder: Path) -> None:
    edit(folder / "reviews" / "psi-2025.toml", 'kind = "meta-analysis"',
         'kind = "meta-analysis"\nscope = "chronic-pain"\ndesign = "conference-abstract"')
    edit(folder / "reviews" / "psi-2025.toml", "[[findings]]", '[[findings]]\nsubgroup = "fibromyalgia"')
    evidence = load_evidence(folder)
    markdown = summary.render(evidence, "markdown")
    row = next(line for line in markdown.splitlines() if line.startswith("| Psi et al. 2025 |"))
    assert row.startswith("| Psi et al. 2025 | conference abstract · chronic pain in general | "
                          "Beta et al. 2015, Gamma et al. 2020, Delta 2024 | not reported | "
                          "MD −0.20 (−0.90 to 0.50), k = 3, I² = 70% \\[fibromyalgia subgroup\\] |")  # its FM result
    assert "chronic pain in general" in summary.render(evidence, "text", width=160)
    psi = next(r for r in evidence.reviews if r.id == "psi-2025")
    assert facts.review_main_finding(psi, "pain") == psi.findings[0]
    # without the subgroup, a chronic-pain review's result is not a fibromyalgia-versus-placebo result
    edit(folder / "reviews" / "psi-2025.toml", 'subgroup = "fibromyalgia"\n', "")
    psi = next(r for r in load_evidence(folder).reviews if r.id == "psi-2025")
    assert facts.review_main_finding(psi, "pain") is None


def test_an_active_comparison_is_never_shown_as_against_placebo(folder: Path) -> None:
    edit(folder / "reviews" / "psi-2025.toml", "[[findings]]", '[[findings]]\ncomparison = "active"')
    psi = next(r for r in load_evidence(folder).reviews if r.id == "psi-2025")
    assert facts.finding_text(psi.findings[0]).endswith("[vs an active comparator, not vs placebo]")
    assert not facts.on_topic(psi, psi.findings[0])


def test_search_indexes_trials_and_filters_them_by_status(folder: Path) -> None:
    evidence = load_evidence(folder)
    index = SearchIndex(evidence)
    assert [(h.id, h.kind) for h in index.search("status:completed type:trial").hits] == [("NCT00000002", "trial")]
    assert [h.id for h in index.search("country:spain").hits] == ["NCT00000003"]
    assert [h.id for h in index.search("recruiting type:trials").hits] == ["NCT00000009", "NCT00000003"]  # title first


async def test_questions_pane_lists_trials_with_status_and_opens_their_study(folder: Path, ready: Ready) -> None:
    edit(folder / "trials.toml", 'status = "recruiting"', 'status = "completed"')
    app = LdnApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("4")
        listing = app.screen.query_one("#questions-list")
        text = shown(listing)
        assert "registered NCT00000009 completed (read 2026-01-10) · no results found" in text
        assert "ongoing" not in text.lower()
        await pilot.press("end")
        await pilot.pause()
        text = shown(listing)
        assert "Registered trials, with their status as read" in text
        assert "NCT00000003 active, not recruiting (read 2026-01-10, secondary source)" in text
        preview = shown(app.screen.query_one("#questions-preview"))
        assert "NCT00000009" in preview and "Where the status was read: registry record" in preview
        await pilot.press("up", "enter")  # NCT00000003 is reported by delta-2024
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        assert "delta" in shown(app.screen.query_one(StudyView)).lower()


async def test_a_trial_hit_goes_to_the_trial_in_the_trials_pane(folder: Path, ready: Ready) -> None:
    app = LdnApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("slash")
        app.screen.query_one(SearchInput).value = "type:trial country:spain"
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == "trials"
        assert "Planned: 120 participants" in shown(app.screen.query_one("#trials-preview"))
