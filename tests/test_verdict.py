"""Plain-language bottom lines: what they may say follows from the numbers alone."""

from __future__ import annotations

from pathlib import Path

import factories
import pytest
from factories import AE, PAIN, effect, events

from ldn_tui.analysis.synthesis import low_risk_only, synthesise, synthesise_domain
from ldn_tui.model import (
    Domain,
    Evidence,
    Outcome,
    RiskOfBias,
    Study,
)
from ldn_tui.records.loader import load_evidence
from ldn_tui.report.verdict import (
    bottom_line,
    certainty_label,
    certainty_symbols,
    comparator_name,
    intervention_name,
    not_assessable_reason,
    overall_bottom_line,
)

FIXTURE = Path(__file__).parent / "data" / "evidence"
THRESHOLD = Domain("threshold", "Pain threshold", "benefit", False, "SMD")


def study(sid: str, year: int, outcomes: list[Outcome], *, n: int = 100, comparator: str = "placebo") -> Study:
    return factories.study(sid, year, outcomes, n=n, intervention="drug", comparator=comparator)


def evidence(studies: list[Study], *domains: Domain, title: str = "Wonder drug for pain") -> Evidence:
    return factories.evidence(studies, domains, title=title)


@pytest.mark.parametrize(("level", "symbols"), [
    ("high", "⊕⊕⊕⊕"), ("moderate", "⊕⊕⊕◯"), ("low", "⊕⊕◯◯"), ("very low", "⊕◯◯◯"), ("very-low", "⊕◯◯◯"),
    ("not assessable", ""),
])
def test_certainty_symbols(level: str, symbols: str) -> None:
    assert certainty_symbols(level) == symbols
    assert certainty_label(level).startswith(symbols)
    assert certainty_label(level).endswith(level.replace("-", " "))


def test_names_come_from_the_topic_and_the_pooled_studies() -> None:
    ev = evidence([study("a", 2020, [effect("pain", "MD", -1.0, -1.5, -0.5)])], PAIN)
    assert intervention_name(ev) == "wonder drug"
    assert intervention_name(None) == "the intervention"
    assert intervention_name(evidence([], PAIN, title="Effects of LDN on pain")) == "the intervention"
    syn = synthesise_domain(ev, PAIN)
    assert comparator_name([syn], ev) == "placebo"
    active = evidence([study("a", 2020, [effect("pain", "MD", -1.0, -1.5, -0.5)], comparator="active")], PAIN)
    assert comparator_name([synthesise_domain(active, PAIN)], active) == "an active comparator"


def test_a_null_result_is_not_called_proof_of_no_effect() -> None:
    ev = evidence([
        study("a", 2020, [effect("pain", "MD", -0.34, -0.95, 0.27)], n=99),
        study("b", 2021, [effect("pain", "MD", 0.49, -0.32, 1.30)], n=98),
    ], PAIN)
    syn = synthesise_domain(ev, PAIN)
    text = bottom_line(syn, ev)
    assert text.startswith("Pain intensity: in 2 randomised trials (197 participants), ")
    assert "there was no clear difference in pain intensity between wonder drug and placebo" in text
    assert "mean difference 0.03, 95% CI −0.78 to 0.84" in text
    assert "does not show that there is no difference" in text
    assert f"Certainty: {certainty_label(syn.certainty.level)}" in text
    assert "rated down for" in text and "imprecision" in text
    assert "points" not in text and "reduced" not in text


def test_a_clear_benefit_says_which_way_and_stays_hedged_by_the_certainty() -> None:
    ev = evidence([
        study("a", 2020, [effect("pain", "MD", -1.0, -1.5, -0.5)], n=300),
        study("b", 2021, [effect("pain", "MD", -0.8, -1.3, -0.3)], n=300),
    ], PAIN)
    syn = synthesise_domain(ev, PAIN)
    text = bottom_line(syn, ev)
    assert "pain intensity was lower (better) with wonder drug than with placebo" in text
    assert "no clear difference" not in text and "does not show" not in text
    assert syn.certainty.level == "high"
    assert "⊕⊕⊕⊕ high" in text and "probably close to this estimate" in text
    # higher is better on this domain: a positive SMD is "higher (better)", a negative one "lower (worse)"
    up = evidence([study("a", 2020, [effect("threshold", "SMD", 0.6, 0.3, 0.9)])], THRESHOLD)
    assert "was higher (better)" in bottom_line(synthesise_domain(up, THRESHOLD), up)
    down = evidence([study("a", 2020, [effect("threshold", "SMD", -0.6, -0.9, -0.3)])], THRESHOLD)
    assert "was lower (worse)" in bottom_line(synthesise_domain(down, THRESHOLD), down)


def test_a_harm_is_counted_in_participants_with_events() -> None:
    ev = evidence([study("a", 2020, [events(40, 50, 20, 50)]), study("b", 2021, [events(35, 50, 15, 50)])], AE)
    syn = synthesise_domain(ev, AE)
    text = bottom_line(syn, ev)
    assert syn.estimate is not None and syn.estimate > 1
    assert "more participants had any adverse event with wonder drug than with placebo" in text
    assert "risk ratio" in text and "(110 events)" not in text and "110 events" in text
    fewer = evidence([study("a", 2020, [events(10, 50, 30, 50)])], AE)
    assert "fewer participants had any adverse event" in bottom_line(synthesise_domain(fewer, AE), fewer)
    null = evidence([study("a", 2020, [events(20, 50, 21, 50)])], AE)
    assert "no clear difference between wonder drug and placebo in the number of participants with any " \
           "adverse event" in bottom_line(synthesise_domain(null, AE), null)


def test_not_assessable_says_why() -> None:
    p_only = Outcome("ae", "Headache", "unclear", "s", "Abstract", p_value=0.03)
    ev = evidence([study("a", 2020, [p_only])], AE, PAIN)
    ae, pain = synthesise(ev)
    assert bottom_line(ae, ev) == "Any adverse event: not assessable — 1 study reports it, without counts per arm that pool."
    assert bottom_line(pain, ev) == "Pain intensity: not assessable — no study here reports it."
    assert not_assessable_reason(pain) == "no study here reports it"
    assert overall_bottom_line((ae, pain), ev).startswith("No outcome has studies whose results can be pooled")


def test_the_overall_bottom_line_on_the_fixture() -> None:
    ev = load_evidence(FIXTURE)
    syntheses = synthesise(ev)
    text = overall_bottom_line(syntheses, ev)
    assert text.startswith("Pooling what can be pooled, fixture drug compared with placebo showed ")
    assert "no clear difference in pain intensity (3 randomised trials, 226 participants" in text
    assert "Results of 1 study on these outcomes could not be pooled (reported with p-values alone)" in text
    assert "and no clear difference in function (FIQR) (1 randomised trial, 100 participants" in text
    assert "For harms: no clear difference in the number of participants with any adverse event" in text
    assert "The certainty is at best ⊕⊕◯◯ low" in text
    assert "This is not evidence that fixture drug does not work" in text



def test_a_sensitivity_analysis_that_leaves_nothing_says_so() -> None:
    high = study("a", 2020, [effect("pain", "MD", -1.0, -1.5, -0.5)])._replace(risk_of_bias=RiskOfBias("high", "x"))
    ev = evidence([high], PAIN)
    gone = low_risk_only(synthesise_domain(ev, PAIN))
    assert gone.k == 0
    assert bottom_line(gone, ev) == (
        "Pain intensity: not assessable — no pooled study is left in this analysis (1 study left out)."
    )


def test_a_review_whose_studies_are_not_in_its_record_says_not_reported() -> None:
    from ldn_tui.model import Review
    from ldn_tui.report.facts import review_includes_text

    ev = factories.evidence([factories.study("a", 2020, [])])
    bare = Review("r", "A review", ("Author A",), 2024, "meta-analysis", "c", "reviews/r.toml")
    assert review_includes_text(bare, ev) == "not reported"
    assert review_includes_text(bare._replace(n_studies=3), ev) == "3 studies (which ones: not reported)"
    assert review_includes_text(bare._replace(includes=("a",)), ev) == "Author 2020"
