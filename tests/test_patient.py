"""The patient page: bottom line first, harms with the analysis' numbers, the glossary, the date, all escaped."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_cli import SCRIPT, run

from ldn_tui.analysis.synthesis import DomainSynthesis, synthesise
from ldn_tui.model import Evidence
from ldn_tui.records.loader import load_evidence
from ldn_tui.records.paths import bundled_evidence
from ldn_tui.report import facts
from ldn_tui.report.export import export_text
from ldn_tui.report.glossary import GLOSSARY, explain
from ldn_tui.report.patient import patient_html, patient_markdown

FIXTURE = Path(__file__).parent / "data" / "evidence"
HOSTILE = "<b>x</b> [red]y[/red] *z* & `w` #v"


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    return load_evidence(FIXTURE)


@pytest.fixture(scope="module")
def syntheses(evidence: Evidence) -> tuple[DomainSynthesis, ...]:
    return synthesise(evidence)


def by_id(syntheses: tuple[DomainSynthesis, ...], domain: str) -> DomainSynthesis:
    return next(s for s in syntheses if s.domain.id == domain)


def test_glossary_explains_every_abbreviation_the_app_shows() -> None:
    for term in ("RoB", "MD", "SMD", "RR", "OR", "CI", "I²", "τ²", "Q", "df", "k", "REML", "DL", "FIQR", "p-value",
                 "placebo", "crossover", "GRADE", "RCT"):
        entry = explain(term)
        assert entry is not None, term
        assert len(entry.meaning) > 20
    assert len({t.term.casefold() for t in GLOSSARY}) == len(GLOSSARY)
    assert explain("no such word") is None


def test_the_bottom_line_comes_first_then_harms_certainty_glossary(
    evidence: Evidence, syntheses: tuple[DomainSynthesis, ...]
) -> None:
    page = patient_markdown(evidence, syntheses)
    lines = page.splitlines()
    assert lines[0] == "# Fixture drug for fixture pain: what the research says"
    assert "15 January 2026 (2026-01-15)" in lines[2], "the date the evidence was checked, at the top"
    headings = [line for line in lines if line.startswith("## ")]
    assert headings[:3] == ["## The short answer", "## Side effects and harms", '## What "very low certainty" means']
    assert headings[-1] == "## Words used here and in the app"
    for term in GLOSSARY:
        assert f"- **{term.term}**: " in page
    assert page.count("2026-01-15") == 2  # the header and the small print at the end


def test_numbers_are_the_analysis_numbers(evidence: Evidence, syntheses: tuple[DomainSynthesis, ...]) -> None:
    page = patient_markdown(evidence, syntheses)
    pain = by_id(syntheses, "pain")
    assert pain.estimate is not None and pain.ci_low is not None and pain.ci_high is not None
    expected = (f"mean difference {facts.num(pain.estimate)}, 95% CI {facts.num(pain.ci_low)} to "
                f"{facts.num(pain.ci_high)}")
    short = next(line for line in page.splitlines() if line.startswith("- **Pain intensity**"))
    assert expected in short and f"{pain.k} randomised trials with {pain.participants} people" in short
    assert f"Certainty: {pain.certainty.level}" in short
    harms = page[page.index("## Side effects"):page.index("## What")]
    adverse = by_id(syntheses, "any-adverse-event")
    assert adverse.estimate is not None
    assert f"risk ratio {facts.num(adverse.estimate)}" in harms
    # the arm counts of each study, as recorded
    assert "40 of 50 people with fixture drug and 42 of 50 with placebo" in harms
    assert "33 of 48 people with fixture drug and 36 of 50 with placebo" in harms


def test_an_outcome_that_does_not_pool_says_so_and_gives_the_reviews(evidence: Evidence) -> None:
    none = evidence.with_studies(())
    page = patient_markdown(none, synthesise(none))
    pain = next(line for line in page.splitlines() if line.startswith("- **Pain intensity**"))
    assert pain.startswith("- **Pain intensity**: No study here reports this.")
    assert "The review Omega 2021 (2 studies) reports standardised mean difference −0.60, 95% CI −1.10 to −0.10." in pain
    assert "- **Any adverse event**: No study here reports it." in page
    assert "does not show that" not in page  # nothing pooled: nothing to reassure about


def test_record_text_is_escaped_in_markdown_and_html(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    shutil.copytree(FIXTURE, root)
    topic = root / "topic.toml"
    topic.write_text(topic.read_text().replace('title = "Fixture drug for fixture pain"', f"title = '{HOSTILE}'")
                     .replace('label = "Pain intensity"', f"label = '{HOSTILE}'"))
    ev = load_evidence(root)
    syn = synthesise(ev)
    md = patient_markdown(ev, syn)
    assert r"\<b\>x\</b\> \[red\]y\[/red\] \*z\* & \`w\` \#v" in md
    assert "<b>" not in md
    page = patient_html(ev, syn)
    assert "&lt;b&gt;x&lt;/b&gt; [red]y[/red] *z* &amp; `w` #v" in page
    assert "<b>" not in page and "<script" not in page
    assert re.search(r"<h1>&lt;b&gt;x", page)


def test_html_is_one_self_contained_page(evidence: Evidence, syntheses: tuple[DomainSynthesis, ...]) -> None:
    page = patient_html(evidence, syntheses)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "Content-Security-Policy" in page and "<style>" in page
    for external in ("<link", "<img", "<script", "src=", "@import", "url("):
        assert external not in page
    assert page.index("The short answer") < page.index("Side effects and harms") < page.index("Words used here")
    assert "<strong>I²</strong>" in page


def test_export_formats_dispatch_to_the_patient_page(
    evidence: Evidence, syntheses: tuple[DomainSynthesis, ...]
) -> None:
    assert export_text(evidence, "patient") == patient_markdown(evidence, syntheses)
    assert export_text(evidence, "patient-html") == patient_html(evidence, syntheses)


@pytest.mark.skipif(not SCRIPT.exists(), reason="ldn-tui is not installed next to this Python")
def test_the_installed_command_writes_the_patient_page_of_the_bundled_folder() -> None:
    bundled = load_evidence(bundled_evidence())
    checked = bundled.topic.last_reviewed.isoformat()
    md = run("export", "--format", "patient")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith(f"# {bundled.topic.title}: what the research says\n")
    assert f"({checked})" in md.stdout.splitlines()[2]
    assert "## Side effects and harms" in md.stdout and "- **FIQR**: " in md.stdout
    page = run("export", "--format", "patient-html")
    assert page.returncode == 0 and page.stdout.startswith("<!DOCTYPE html>") and checked in page.stdout


def test_a_folder_without_harm_outcomes_says_so(evidence: Evidence) -> None:
    topic = evidence.topic._replace(domains=tuple(d for d in evidence.topic.domains if d.kind != "harm"))
    ev = Evidence(topic, evidence.studies, evidence.reviews, evidence.mechanisms, evidence.questions)
    page = patient_markdown(ev, synthesise(ev))
    harms = page[page.index("## Side effects and harms"):page.index("## What")]
    assert "records no side effects or harms as outcomes" in harms
