"""The summary of findings and the RevMan-style forest plot, as the text, Markdown and HTML views show them.

On the bundled folder (the issue's checks) and on two fictional folders of other topics (tests/data/other-*).
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from ldn_tui.analysis.synthesis import DomainSynthesis, synthesise
from ldn_tui.model import Evidence
from ldn_tui.records.loader import load_evidence
from ldn_tui.records.paths import default_evidence
from ldn_tui.report.export import export_html
from ldn_tui.report.forest import forest_text
from ldn_tui.report.markdown import review_rows
from ldn_tui.report.synthesis_view import sof, sof_table, synthesis_markdown, synthesis_renderables
from ldn_tui.report.textplot import Axis, ticks
from ldn_tui.report.verdict import overall_bottom_line
from ldn_tui.text import number

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def bundled() -> Evidence:
    return load_evidence(default_evidence())


@pytest.fixture(scope="module")
def bundled_syntheses(bundled: Evidence) -> tuple[DomainSynthesis, ...]:
    return synthesise(bundled)


def wide(renderable: object, width: int = 400) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, no_color=True, highlight=False, markup=False).print(renderable)
    return buffer.getvalue()


def by_label(syntheses: tuple[DomainSynthesis, ...], label: str) -> DomainSynthesis:
    return next(s for s in syntheses if s.domain.label == label)


def test_any_adverse_event_per_1000(bundled: Evidence, bundled_syntheses: tuple[DomainSynthesis, ...]) -> None:
    ae = by_label(bundled_syntheses, "Any adverse event")
    ab = ae.absolute
    assert ab is not None
    control, inter = round(ab.control_per_1000), round(ab.intervention_per_1000)
    diff, lo, hi = (round(v) for v in (ab.difference_per_1000, ab.difference_ci_low, ab.difference_ci_high))
    assert control == round(1000 * ab.control_risk) and inter <= control  # RR 0.97: slightly fewer
    assert lo < 0 < hi

    def words(n: int) -> str:
        return f"{abs(n)} {'more' if n > 0 else 'fewer'}"

    expected = (f"Risk with placebo: {control} per 1,000", f"Risk with LDN: {inter} per 1,000",
                f"Difference: {words(diff)} per 1,000 (95% CI {words(lo)} to {words(hi)})",
                "from the pooled RR and the median control-arm risk")
    line = next(x for x in sof(bundled, bundled_syntheses).lines if x.outcome == "Any adverse event")
    assert line.relative.startswith("RR 0.97 (0.84 to 1.11)")
    assert all(any(part in a for a in line.absolute) for part in expected)
    text = wide(sof_table(bundled, bundled_syntheses))
    markdown = "\n".join(synthesis_markdown(bundled, bundled_syntheses))
    html = export_html(bundled, bundled_syntheses)
    for part in expected:
        assert part in text and part in markdown and part in html


def test_pain_imprecision_names_the_mid(bundled: Evidence, bundled_syntheses: tuple[DomainSynthesis, ...]) -> None:
    pain = by_label(bundled_syntheses, "Pain intensity")
    assert pain.mid is not None
    data = sof(bundled, bundled_syntheses)
    imprecision = [text for _, text in data.footnotes if text.startswith("Imprecision")]
    assert any("MID" in text and number(pain.mid) in text for text in imprecision)
    line = next(x for x in data.lines if x.outcome == "Pain intensity")
    assert f"minimal important difference {number(pain.mid)}" in line.measure
    assert "MID" in wide(sof_table(bundled, bundled_syntheses))


def test_vivid_dreams_from_the_review(bundled: Evidence, bundled_syntheses: tuple[DomainSynthesis, ...]) -> None:
    line = next(x for x in sof(bundled, bundled_syntheses).lines if x.outcome == "Vivid dreams")
    assert line.participants.startswith("not pooled here")
    source = "RR 2.41 (1.77 to 3.28) from review Annals of Medicine and Surgery 2025, k not reported, as published"
    assert line.reviews[0] == source
    assert any("from review Rizwan et al. 2025" in r for r in line.reviews[1:])
    assert "Annals of Medicine and Surgery 2025 (as published) found more participants with vivid dreams" in line.statement
    assert source in wide(sof_table(bundled, bundled_syntheses), 800)
    assert source in "\n".join(synthesis_markdown(bundled, bundled_syntheses))
    assert source in export_html(bundled, bundled_syntheses)
    bottom = overall_bottom_line(bundled_syntheses, bundled)
    assert "more participants with vivid dreams with low-dose naltrexone (RR 2.41, 95% CI 1.77 to 3.28)" in bottom
    assert "more participants with dizziness with low-dose naltrexone (RR 1.99, 95% CI 1.07 to 3.70)" in bottom
    assert "Annals of Medicine and Surgery 2025 found" in bottom and "Saif 2026 found" in bottom


def test_every_outcome_has_its_statement(bundled: Evidence, bundled_syntheses: tuple[DomainSynthesis, ...]) -> None:
    data = sof(bundled, bundled_syntheses)
    assert [x.outcome for x in data.lines] == [
        s.domain.label for s in bundled_syntheses if s.domain.critical
    ] + [s.domain.label for s in bundled_syntheses if not s.domain.critical]
    markdown = "\n".join(synthesis_markdown(bundled, bundled_syntheses))
    html = export_html(bundled, bundled_syntheses)
    for line in data.lines:
        assert line.statement
        assert line.statement.replace("'", "\\'") in markdown or line.statement in markdown
        assert line.statement.replace("'", "&#x27;") in html


def test_bottom_line_comes_before_the_table(bundled: Evidence, bundled_syntheses: tuple[DomainSynthesis, ...]) -> None:
    parts = synthesis_renderables(bundled, bundled_syntheses)
    first, second = wide(parts[0]), wide(parts[1])
    assert "Pooling what can be pooled" in first and "Summary of findings (GRADE)" in second
    markdown = "\n".join(synthesis_markdown(bundled, bundled_syntheses))
    assert markdown.index("**Bottom line:**") < markdown.index("### Summary of findings (GRADE)")
    html = export_html(bundled, bundled_syntheses)
    assert html.index("Bottom line:") < html.index('<table class="sof">')


def test_footnote_letters_run_across_rows(bundled: Evidence, bundled_syntheses: tuple[DomainSynthesis, ...]) -> None:
    data = sof(bundled, bundled_syntheses)
    letters = [letter for line in data.lines for letter in line.letters.split(",") if letter]
    assert letters == [letter for letter, _ in data.footnotes] == list("abcdefghijklmnopqrstuvwxyz"[: len(letters)])


def test_reviews_side_by_side(bundled: Evidence) -> None:
    rows = review_rows(bundled)
    assert len(rows) == len(bundled.reviews)
    assert [r[0] for r in rows] == sorted((r[0] for r in rows), key=lambda name: int(name[-4:]))  # oldest first
    for row in rows:
        assert row[6]  # the conclusion
    vatvani = next(row for row in rows if row[0].startswith("Vatvani"))
    assert vatvani[3] == "2024-05-20" and vatvani[4].startswith("MD −0.86 (−1.20 to −0.51)")
    assert "Experimental pain sensitivity (thresholds, tolerance, modulation): pressure pain threshold: MD 0.17" in vatvani[5]
    html = export_html(bundled, synthesise(bundled))
    assert "Systematic reviews and meta-analyses, oldest first" in html and "Other results, as published" in html


# ---------------------------------------------------------------------------
# Other topics: binary and continuous


@pytest.fixture(scope="module")
def binary() -> Evidence:
    return load_evidence(DATA / "other-binary")


@pytest.fixture(scope="module")
def continuous() -> Evidence:
    return load_evidence(DATA / "other-continuous")


def test_other_binary_topic(binary: Evidence) -> None:
    syntheses = synthesise(binary)
    data = sof(binary, syntheses)
    cure = next(x for x in data.lines if x.outcome == "Cure by day 7")
    assert cure.participants == "400 (3 RCTs)"
    assert any(a.startswith("Risk with placebo: ") for a in cure.absolute)
    assert any(a.startswith("Risk with fictional gargle: ") for a in cure.absolute)
    rash = next(x for x in data.lines if x.outcome == "Rash")
    assert rash.reviews == ("RR 3.10 (1.20 to 8.00) from review Delta-Fictus 2022, k = 3, as published",)
    assert "more participants with rash with fictional gargle (RR 3.1" in overall_bottom_line(syntheses, binary)
    forest = forest_text(syntheses[0], 130, binary)
    assert "events/total" in forest and "22/40" in forest and "15/40" in forest
    assert "Heterogeneity: τ² = " in forest and "Test for overall effect: z = " in forest
    assert "++!++ some" in forest  # RoB per domain, then overall


def test_other_continuous_topic(continuous: Evidence) -> None:
    syntheses = synthesise(continuous)
    data = sof(continuous, syntheses)
    stiffness = next(x for x in data.lines if x.outcome == "Stiffness (0-10)")
    assert stiffness.relative == "" and stiffness.absolute[0].startswith("MD ")
    fatigue = next(x for x in data.lines if x.outcome == "Fatigue")
    assert fatigue.reviews and "from review Theta-Fictus 2024, k = 2, as published" in fatigue.reviews[0]
    bottom = overall_bottom_line(syntheses, continuous)
    assert "lower (better) fatigue with fictional stretching app (SMD −0.30, 95% CI −0.55 to −0.05)" in bottom
    forest = forest_text(syntheses[0], 130, continuous)
    assert "mean (SD) n" in forest and "4.1 (1.9) 30" in forest and "5 (2) 30" in forest


@pytest.mark.parametrize("folder", ["other-binary", "other-continuous", "evidence"])
def test_subgroups_and_hksj_in_every_view(folder: str) -> None:
    evidence = load_evidence(DATA / folder)
    syntheses = synthesise(evidence, test="knha", subgroup="year")
    pooled = [s.result for s in syntheses if s.result is not None and s.result.k > 1]
    assert pooled and all(r.test == "knha" and r.df == r.k - 1 for r in pooled)
    text = wide(synthesis_renderables(evidence, syntheses)[2], 160)
    markdown = "\n".join(synthesis_markdown(evidence, syntheses))
    html = export_html(evidence, syntheses)
    for view in (text, markdown, html):
        assert "Hartung-Knapp" in view and "Subtotal (1 study)" in view
        assert "Test for subgroup differences (year)" in view and "year: " in view


def test_subgroup_blocks_have_their_diamonds(binary: Evidence) -> None:
    syn = synthesise(binary, subgroup="dose")[0]
    forest = forest_text(syn, 120, binary)
    lines = forest.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith("dose: ")]
    subtotals = [i for i, line in enumerate(lines) if line.startswith("Subtotal")]
    assert len(heads) == len(subtotals) == 2 and heads[0] < subtotals[0] < heads[1] < subtotals[1]
    assert all("◆" in lines[i] for i in subtotals)
    assert "Subtotal (1 study)" in forest and "Subtotal (2 studies)" in forest
    assert "Overall, REML" in forest and "Test for subgroup differences (dose): Q = " in forest


def test_narrow_log_axis_labels_one() -> None:
    for lo, hi in ((0.95, 1.6), (0.9, 1.12), (0.98, 8.0), (0.2, 1.05)):
        labels = [label for _, label in ticks(Axis(math.log(lo), math.log(hi), True), 40)]
        assert any(float(label) == 1.0 for label in labels), (lo, hi, labels)


# ---------------------------------------------------------------------------
# The installed command, as a new user runs it on a folder of another topic

SCRIPT = Path(sys.executable).parent / "ldn-tui"


def ldn_tui(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LDN_EVIDENCE", "NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    env["LDN_TUI_CACHE_DIR"] = str(cache)
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.mark.parametrize("folder", ["other-binary", "other-continuous"])
def test_command_line_on_another_topic(folder: str, tmp_path: Path) -> None:
    evidence = str(DATA / folder)
    options = ("--evidence", evidence, "--test", "knha", "--subgroup", "year")
    text = ldn_tui("summary", *options, "--width", "140", cache=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "Summary of findings (GRADE)" in text.stdout and "Subtotal (1 study)" in text.stdout
    assert "Hartung-Knapp" in text.stdout and "Test for subgroup differences (year)" in text.stdout
    assert text.stdout.index("Pooling what can be pooled") < text.stdout.index("Summary of findings (GRADE)")
    markdown = ldn_tui("summary", *options, "--format", "markdown", cache=tmp_path)
    assert markdown.returncode == 0 and "### Summary of findings (GRADE)" in markdown.stdout
    assert "Subtotal (1 study)" in markdown.stdout
    data = json.loads(ldn_tui("summary", *options, "--format", "json", cache=tmp_path).stdout)
    assert all(s["test"] == "knha" for s in data["syntheses"] if s["k"] > 1)
    html = ldn_tui("export", *options, "--format", "html", cache=tmp_path)
    assert html.returncode == 0 and '<table class="sof">' in html.stdout and "Subtotal (1 study)" in html.stdout
    if folder == "other-binary":
        assert "Risk with placebo: " in text.stdout and "per 1,000" in text.stdout
        assert "Delta-Fictus 2022" in text.stdout


@pytest.mark.parametrize("width", [60, 80, 99, 100, 140])
def test_summary_of_findings_layout_by_width(bundled: Evidence, bundled_syntheses: tuple[DomainSynthesis, ...],
                                             width: int) -> None:
    """A table from 100 columns, one block per outcome below, as Rich lays it out."""
    import io

    from ldn_tui.report import summary

    part = synthesis_renderables(bundled, bundled_syntheses, width)[1]
    buffer = io.StringIO()
    console = summary.console_for(width, buffer)
    console.print(part)
    mine = summary.output(buffer, console)
    stacked = "  Absolute effects" in mine and "  Participants (studies) 197 (2 RCTs)" in mine
    assert stacked == (width < 100)
    assert ("What happens" in mine.splitlines()[2] or "What happens" in mine.splitlines()[3]) == (width >= 100)


def test_hostile_text_stays_inert_in_the_summary_of_findings(tmp_path: Path) -> None:
    """Record text with markup and HTML in an outcome's label and a review's conclusion: escaped in Markdown and
    HTML, shown as written (never parsed as markup) in the Rich table."""
    import shutil

    hostile = '<script>alert(1)</script> [bold]x[/bold] | *y*'
    root = tmp_path / "other-binary"
    shutil.copytree(DATA / "other-binary", root)
    topic = root / "topic.toml"
    topic.write_text(topic.read_text().replace('label = "Rash"', f"label = '{hostile}'"), encoding="utf-8")
    review = root / "reviews" / "made-up-review-2022.toml"
    review.write_text(review.read_text().replace('conclusion = "', f"conclusion = '{hostile}' #\""), encoding="utf-8")
    evidence = load_evidence(root)
    syntheses = synthesise(evidence)
    html = export_html(evidence, syntheses)
    assert "<script>" not in html and "&lt;script&gt;" in html
    markdown = "\n".join(synthesis_markdown(evidence, syntheses))
    assert "<script>" not in markdown and "\\<script\\>" in markdown and "\\| \\*y\\*" in markdown
    buffer = io.StringIO()
    Console(file=buffer, width=800, no_color=True, markup=True).print(sof_table(evidence, syntheses))
    assert hostile in buffer.getvalue()


def test_outcomes_that_do_not_pool_show_what_the_reviews_pooled(binary: Evidence) -> None:
    syntheses = synthesise(binary)
    rash = by_label(syntheses, "Rash")
    text = wide(synthesis_renderables(binary, syntheses)[-1])
    expected = "pooled by reviews: RR 3.10 (1.20 to 8.00) from review Delta-Fictus 2022, k = 3, as published"
    assert expected in text
    assert expected in "\n".join(synthesis_markdown(binary, syntheses))
    assert expected in export_html(binary, syntheses)
    from ldn_tui.analysis.synthesis import leave_one_out
    from ldn_tui.report.synthesis_view import not_pooled_text

    assert "pooled by reviews" not in not_pooled_text(rash._replace(label="without x"), binary)
    assert all("pooled by reviews" not in not_pooled_text(s, binary) for s in leave_one_out(syntheses[0]))
