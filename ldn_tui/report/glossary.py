"""Every abbreviation and technical word the app, the summary and the exports show, in plain words.

One list, used by the patient page (``ldn_tui.report.patient``) and the app's help, so
that the two cannot explain a word differently. Pure data: no Rich, no Textual.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["GLOSSARY", "Term", "explain"]


class Term(NamedTuple):
    term: str  # as the app shows it: "RoB", "I²"
    name: str  # its full name, or "" when the term is already a word
    meaning: str  # plain words, one or two sentences


GLOSSARY: tuple[Term, ...] = (
    Term("LDN", "low-dose naltrexone",
         "Naltrexone taken at a small fraction (about a tenth) of the dose licensed for addiction treatment."),
    Term("placebo", "",
         "A dummy treatment that looks like the real one but has no active drug. Comparing with placebo shows "
         "how much of any change is due to the drug itself."),
    Term("RCT", "randomised controlled trial",
         "A study in which chance (not the doctors or the patients) decides who gets the treatment and who gets "
         "the comparison. It is the fairest test of a treatment."),
    Term("crossover", "crossover trial",
         "A trial in which each person takes both the treatment and the placebo, one after the other, so each "
         "person is compared with themselves."),
    Term("parallel", "parallel-group trial",
         "A trial in which each person takes only one of the treatments being compared."),
    Term("n", "number of participants", "How many people took part (or were analysed) in a study."),
    Term("RoB", "risk of bias",
         "How likely it is that flaws in the way a study was run or reported make its result wrong. "
         "Judged as low, some concerns or high."),
    Term("MD", "mean difference",
         "The difference between the average result with the treatment and the average with the comparison, on "
         "the study's own scale (for example points on a 0 to 10 pain scale). 0 means no difference."),
    Term("SMD", "standardised mean difference",
         "A mean difference divided by how much results vary between people, so that studies using different "
         "scales can be combined. 0 means no difference; about 0.2 is a small and 0.8 a large difference."),
    Term("RR", "risk ratio",
         "How many times as likely something (such as a side effect) is with the treatment as with the "
         "comparison. 1 means equally likely; 2 means twice as likely; 0.5 half as likely."),
    Term("OR", "odds ratio",
         "Like a risk ratio, but comparing odds instead of chances. 1 means no difference."),
    Term("CI", "confidence interval (95%)",
         "The range of results that fit the data well. A wide interval means the answer is imprecise; an interval "
         "that includes no effect (0 for a difference, 1 for a ratio) means the study cannot tell whether there "
         "is an effect."),
    Term("p-value", "",
         "How surprising the result would be if the treatment truly made no difference. A small p-value (often "
         "below 0.05) is called statistically significant; it does not say how large or important an effect is."),
    Term("k", "number of studies", "How many studies were combined in a pooled result."),
    Term("I²", "I-squared",
         "How much of the spread between the studies' results is more than chance would give, from 0% (the "
         "studies agree) to 100% (they disagree a lot)."),
    Term("τ²", "tau-squared",
         "An estimate of how much the true effect differs from one study setting to another. 0 means the same "
         "effect everywhere."),
    Term("Q", "Cochran's Q",
         "A test of whether the studies' results differ more than chance would explain; it comes with its own "
         "p-value and df (degrees of freedom)."),
    Term("REML", "restricted maximum likelihood",
         "The standard way of estimating τ² when combining studies whose true effects may differ "
         "(a random-effects meta-analysis)."),
    Term("DL", "DerSimonian-Laird",
         "An older, simpler way of estimating τ², offered as an alternative to REML."),
    Term("pooled", "pooled result (meta-analysis)",
         "One combined result from several studies, in which larger and more precise studies count for more."),
    Term("prediction interval", "",
         "The range in which the true effect in a new setting is expected to lie; wider than the CI."),
    Term("SE", "standard error", "How uncertain one study's estimate is; the CI is built from it."),
    Term("GRADE", "Grading of Recommendations Assessment, Development and Evaluation",
         "The usual way of rating how sure one can be about a result: high, moderate, low or very low "
         "certainty, shown as ⊕⊕⊕⊕, ⊕⊕⊕◯, ⊕⊕◯◯ and ⊕◯◯◯."),
    Term("FIQR", "Revised Fibromyalgia Impact Questionnaire",
         "A questionnaire scored from 0 to 100 on how much fibromyalgia affects daily life, symptoms and "
         "function. Higher scores mean a greater impact."),
)

_BY_TERM = {t.term.casefold(): t for t in GLOSSARY}


def explain(term: str) -> Term | None:
    """The glossary entry for ``term`` (case-insensitive), or None."""
    return _BY_TERM.get(term.casefold())
