"""The forest plot and the evidence-over-time plot: geometry, clamping, widths, what is listed."""

from __future__ import annotations

import io
from pathlib import Path

import factories
import pytest
from factories import AE, PAIN
from rich.console import Console

from ldn_tui.analysis.synthesis import DomainSynthesis, leave_one_out, synthesise, synthesise_domain
from ldn_tui.model import (
    Arms,
    BinaryArm,
    Domain,
    Evidence,
    Outcome,
    Study,
)
from ldn_tui.records.loader import load_evidence
from ldn_tui.report.forest import (
    Axis,
    EvidenceOverTime,
    ForestPlot,
    evidence_over_time_text,
    forest_axis,
    forest_text,
)

FIXTURE = Path(__file__).parent / "data" / "evidence"
def study(sid: str, year: int, outcomes: list[Outcome], authors: tuple[str, ...] = ("Author A",)) -> Study:
    return factories.study(sid, year, outcomes, authors=authors)


def md(est: float, lo: float, hi: float, domain: str = "pain") -> Outcome:
    return factories.effect(domain, "MD", est, lo, hi, measure="Pain (0-10)")


def evidence(studies: list[Study], domain: Domain = PAIN) -> Evidence:
    return factories.evidence(studies, (domain,))


def pooled(effects: list[tuple[float, float, float]]) -> DomainSynthesis:
    ev = evidence([study(f"s{i}", 2010 + i, [md(*e)]) for i, e in enumerate(effects)])
    return synthesise_domain(ev, PAIN)


@pytest.fixture(scope="module")
def fixture() -> Evidence:
    return load_evidence(FIXTURE)


def pain(ev: Evidence) -> DomainSynthesis:
    return synthesise(ev)[0]


def null_col(text: str) -> int:
    header = text.splitlines()[0]
    assert header.startswith("Study")
    return header.index("│")


def test_one_row_per_pooled_study_and_the_pooled_diamond(fixture: Evidence) -> None:
    syn = pain(fixture)
    text = forest_text(syn, 80)
    lines = text.splitlines()
    assert sum(1 for line in lines if "■" in line) == syn.k == 3
    for row in syn.rows:
        assert sum(1 for line in lines if line.startswith(row.id)) == 1
    assert sum(1 for line in lines if "◆" in line) == 1
    assert "Pooled, REML" in text and "favours intervention" in text and "favours control" in text


def test_diamond_left_of_no_effect_for_a_benefit_right_for_a_harm(fixture: Evidence) -> None:
    syn = pain(fixture)
    assert syn.estimate is not None and syn.estimate < 0
    text = forest_text(syn, 80)
    diamond = next(line for line in text.splitlines() if "◆" in line)
    assert diamond.index("◆") < null_col(text)

    worse = pooled([(1.0, 0.6, 1.4), (1.2, 0.7, 1.7)])
    text = forest_text(worse, 80)
    diamond = next(line for line in text.splitlines() if "◆" in line)
    assert diamond.index("◆") > null_col(text)
    # lower is better: favours intervention is on the left of the line, control on the right
    text = forest_text(syn, 80)
    favours = next(line for line in text.splitlines() if "favours" in line)
    assert favours.index("favours intervention") < null_col(text) < favours.index("favours control")


def test_favours_labels_swap_when_higher_is_better() -> None:
    domain = Domain("pain", "Pain threshold", "benefit", False, "MD")
    syn = synthesise_domain(evidence([study("a", 2020, [md(0.5, 0.1, 0.9)])], domain), domain)
    favours = next(line for line in forest_text(syn, 80).splitlines() if "favours" in line)
    assert favours.index("favours control") < favours.index("favours intervention")


def test_a_ci_off_the_axis_is_clamped_with_arrows() -> None:
    syn = pooled([(-0.3, -0.5, -0.1), (-0.2, -0.4, 0.0), (0.1, -30.0, 30.0)])
    lines = forest_text(syn, 80).splitlines()
    wide = next(line for line in lines if line.startswith("s2"))
    assert "◀" in wide and "▶" in wide
    narrow = next(line for line in lines if line.startswith("s0"))
    assert "◀" not in narrow and "▶" not in narrow
    # an axis given by the caller (as the app does for a sensitivity view) clamps too
    text = forest_text(syn, 80, axis=Axis(-0.25, 0.25, False))
    s0 = next(line for line in text.splitlines() if line.startswith("s0"))
    assert "◀" in s0 and "■" not in s0  # the estimate -0.3 is off the axis: no box
    text = forest_text(pooled([(2.0, 1.5, 2.5)]), 80, axis=Axis(-1.0, 1.0, False))
    row = next(line for line in text.splitlines() if line.startswith("s0"))
    assert row.count("▶") == 1 and "─" not in row


@pytest.mark.parametrize("width", [40, 50, 60, 80, 100, 120, 160])
def test_every_line_fits_the_width(fixture: Evidence, width: int) -> None:
    for syn in synthesise(fixture):
        for text in (forest_text(syn, width, fixture), evidence_over_time_text(syn, fixture, width)):
            assert max(len(line) for line in text.splitlines()) <= width
        for renderable in (ForestPlot(syn, fixture), EvidenceOverTime(syn, fixture)):
            console = Console(file=io.StringIO(), width=width, markup=False, highlight=False)
            console.print(renderable)
            out = console.file.getvalue()  # type: ignore[attr-defined]
            assert max(len(line.rstrip()) for line in out.splitlines()) <= width


def test_the_plot_grows_with_the_width(fixture: Evidence) -> None:
    syn = pain(fixture)
    narrow = max(len(line) for line in forest_text(syn, 80).splitlines() if "■" in line)
    wide = max(len(line) for line in forest_text(syn, 140).splitlines() if "■" in line)
    assert narrow <= 80 < wide


def test_ratios_are_plotted_on_a_log_axis() -> None:
    def arms(e1: int, e2: int) -> Outcome:
        return Outcome("ae", "any AE", "unclear", "s", "T", arms=Arms(BinaryArm(e1, 100), BinaryArm(e2, 100)))

    # RR 0.5 and RR 2 with the same SE on the log scale: equally far from 1 on a log axis only
    ev = evidence([study("lo", 2020, [arms(20, 40)]), study("hi", 2021, [arms(40, 20)])], AE)
    syn = synthesise_domain(ev, AE)
    assert syn.ratio and forest_axis(syn).ratio
    text = forest_text(syn, 80)
    null = null_col(text)
    lo = next(line for line in text.splitlines() if line.startswith("lo"))
    hi = next(line for line in text.splitlines() if line.startswith("hi"))
    centre_lo = (lo.index("■") + lo.rindex("■")) / 2
    centre_hi = (hi.index("■") + hi.rindex("■")) / 2
    assert abs((null - centre_lo) - (centre_hi - null)) <= 1
    assert "log scale" in text
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.strip() and set(line.strip()) <= set("─┬┼"))
    assert lines[rule][null] == "┼"
    assert {"0.5", "1", "2"} <= set(lines[rule + 1].split())  # 1-2-5 ticks of a log axis


def test_prediction_interval_only_from_three_studies(fixture: Evidence) -> None:
    syn = pain(fixture)
    assert syn.k == 3 and syn.pi_low is not None
    assert "Prediction interval" in forest_text(syn, 80)
    two = leave_one_out(syn)[0]
    assert two.k == 2
    assert "Prediction interval" not in forest_text(two, 80)


def test_non_pooled_studies_are_listed_with_the_reason(fixture: Evidence) -> None:
    syn = pain(fixture)
    text = forest_text(syn, 80, fixture)
    not_pooled = text[text.index("Not pooled:"):]
    assert "Alpha & Beta 2010" in not_pooled and "only a p-value" in not_pooled
    assert "Not pooled:" not in forest_text(syn, 80, fixture, show_excluded=False)
    # a sensitivity analysis lists the study it left out, with why
    loo = leave_one_out(syn)[0]
    text = forest_text(loo, 80, fixture)
    assert "Sensitivity analysis: without beta-2015" in text
    assert "left out (leave-one-out)" in text


def test_se_derived_from_p_is_said(fixture: Evidence) -> None:
    text = forest_text(pain(fixture), 100, fixture)
    assert "Delta 2024†" in text
    assert "SE derived from p = 0.24" in text


def test_record_text_is_never_markup(fixture: Evidence) -> None:
    ev = evidence([study("a", 2020, [md(-0.5, -1.0, 0.0)], authors=("[/b]Evil", "[bold]X"))])
    console = Console(file=io.StringIO(), width=80, highlight=False)
    console.print(ForestPlot(synthesise_domain(ev, PAIN), ev))
    assert "[/b]Evil" in console.file.getvalue()  # type: ignore[attr-defined]


def test_evidence_over_time_puts_only_comparable_review_results_on_the_axis(fixture: Evidence) -> None:
    text = evidence_over_time_text(pain(fixture), fixture, 80)
    lines = text.splitlines()
    for label in ("2015 +Beta", "2020 +Gamma", "2024 +Delta"):
        assert sum(1 for line in lines if line.startswith(label) and "◆" in line) == 1
    psi = next(line for line in lines if line.startswith("Psi 2025"))
    assert "◇" in psi and "−0.20 [−0.90, 0.50]" in psi
    off = text.index("not on this axis")
    omega = [i for i, line in enumerate(lines) if "Omega" in line]
    assert omega and all("◇" not in lines[i] for i in omega)
    assert text.index("SMD −0.6") > off  # the SMD is listed apart, never plotted on the MD axis
    assert text.index("vs baseline") > off
    # the certainty after each year
    assert "k=3 " in text and "⊕" in text
