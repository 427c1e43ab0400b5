"""The overview's and the sensitivity analyses' words (report/overview.py, report/sensitivity.py)."""

from __future__ import annotations

from pathlib import Path

from ldn_tui.analysis.synthesis import synthesise
from ldn_tui.records.loader import load_evidence
from ldn_tui.report import overview, sensitivity
from ldn_tui.text import plural


def test_plural() -> None:
    assert plural(1, "study", "studies") == "1 study"
    assert plural(2, "study", "studies") == "2 studies"
    assert plural(0, "match", "matches") == "0 matches"
    assert plural(3, "trial") == "3 trials"


def test_study_kinds_and_share(fixture_folder: Path) -> None:
    evidence = load_evidence(fixture_folder)
    assert overview.study_kinds(evidence) == (
        "2 parallel randomised trials, 1 crossover randomised trial and 1 single-arm study")
    assert overview.randomised_share(evidence) == "4 studies (238 participants), 3 of them randomised"
    one = evidence.with_studies(evidence.studies[1:2])
    assert overview.study_kinds(one) == "1 crossover randomised trial"
    assert overview.randomised_share(one).endswith(", randomised")


def test_reviews_that_disagree_and_one_of_another_population(evidence_copy: Path) -> None:
    evidence = load_evidence(evidence_copy)
    assert overview.reviews_sentence(evidence).startswith(
        "The 2 reviews disagree on pain intensity: 1 found benefit; 1 found no clear difference.")
    psi = evidence_copy / "reviews" / "psi-2025.toml"
    psi.write_text(psi.read_text(encoding="utf-8").replace('kind = "meta-analysis"',
                                                           'kind = "meta-analysis"\nscope = "chronic-pain"'),
                   encoding="utf-8")
    evidence = load_evidence(evidence_copy)
    sentence = overview.reviews_sentence(evidence)
    assert sentence == ("One review pooled pain intensity and found benefit "
                        "(1 more pooled nothing on it in fibromyalgia against placebo).")


def test_sensitivity_names_studies_in_words(fixture_folder: Path) -> None:
    evidence = load_evidence(fixture_folder)
    syntheses = synthesise(evidence)
    assert sensitivity.analysis_name("without gamma-2020", evidence) == "without Gamma et al. 2020"
    assert sensitivity.analysis_name(None, evidence) == "all pooled studies"
    assert sensitivity.banner_text("all pooled studies", syntheses, evidence) is None
    banner = sensitivity.banner_text("studies at low risk of bias only", syntheses, evidence)
    assert banner is not None and banner.plain.endswith("without Beta et al. 2015, Delta 2024.")
    low = sensitivity.analysis_syntheses(syntheses, "studies at low risk of bias only")
    assert [s.k for s in low] != [s.k for s in syntheses]
    assert sensitivity.fixed(-0.6) == "−0.60" and sensitivity.fixed(-0.001) == "0.00" and sensitivity.fixed(72.4, 0) == "72"
