"""Summary of findings (GRADEpro / Cochrane layout), computed once for every view.

:func:`sof_rows` turns the syntheses into one :class:`SofRow` per outcome:
measure and scale, participants (studies), relative effect, absolute effects
(binary outcomes: GRADEpro's method, from the pooled ratio and the median
control-arm risk), certainty with lettered footnotes, the GRADE informative
statement (Santesso et al. 2020, J Clin Epidemiol 119:126-135) and, where this
folder cannot pool the domain, the reviews' own pooled results as published.
Every text field is ready to show (plain text: views escape or wrap it in
Text objects); the raw numbers stay on the row for views that lay them out.

Pure: no Rich, no Textual.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ldn_tui.model import RATIO_TYPES, Domain, Evidence
from ldn_tui.text import noun, number, plural

from .results import AbsoluteEffect, DomainSynthesis, ReviewResult

__all__ = [
    "MEASURE_LABELS", "Footnote", "SofRow", "absolute_text", "comparator_name", "intervention_name", "sof_rows",
    "statement",
]

MEASURE_LABELS = {
    "MD": "mean difference",
    "SMD": "standardised mean difference (Hedges' g)",
    "RR": "risk ratio",
    "OR": "odds ratio",
}


class Footnote(NamedTuple):
    """One lettered footnote of the table: why the certainty was rated down."""

    letter: str  # "a", "b", ... continuing across the rows of one table
    text: str  # e.g. "Imprecision (-1): 95% CI -0.78 to 0.84 crosses the MID of -1 and no effect"


class SofRow(NamedTuple):
    """One outcome row of the summary-of-findings table."""

    domain: str  # topic domain id
    outcome: str  # the domain's label
    kind: str  # benefit | harm
    critical: bool
    measure: str  # MD | SMD | RR | OR
    measure_text: str  # e.g. "standardised mean difference (Hedges' g); lower is better"
    scale: str | None  # the pooled studies' own measures, e.g. "Daily pain intensity (0-100 scale)"
    participants: int | None
    studies: int  # k pooled
    participants_text: str  # e.g. "231 (5 RCTs)", or "not pooled"
    relative_effect: str | None  # ratios only, e.g. "RR 1.20 (0.90 to 1.60)"; None for MD/SMD
    absolute: AbsoluteEffect | None
    absolute_text: str  # binary: per 1,000 with each arm and the difference; continuous: "SMD 0.2 lower (...)"
    certainty: str  # high | moderate | low | very low | not assessable
    footnotes: tuple[Footnote, ...]
    statement: str  # GRADE informative statement
    review_results: tuple[ReviewResult, ...]  # newest first
    review_text: str | None  # "from review X (year): RR 2.41 (1.77 to 3.28), k = 4, as published"

    @property
    def footnote_letters(self) -> str:
        """The row's footnote letters, e.g. "a,b" ("" when not rated down)."""
        return ",".join(f.letter for f in self.footnotes)


def intervention_words(evidence: Evidence) -> str | None:
    """The intervention as the topic's title names it: the words before " for " (None without them)."""
    head, sep, _ = evidence.topic.title.partition(" for ")
    return head.strip() if sep and head.strip() else None


def intervention_name(evidence: Evidence) -> str:
    """The intervention as a statement names it: the topic title before " for " (else "the intervention").

    "Low-dose naltrexone for fibromyalgia" gives "LDN" when the title's words
    abbreviate to the topic id's first part (``ldn-fibromyalgia``), else the words.
    """
    head = intervention_words(evidence)
    if head is None:
        return "the intervention"
    letters = "".join(w[0] for w in head.replace("-", " ").split() if w).lower()
    if letters and evidence.topic.id.split("-")[0] == letters:
        return letters.upper()
    return _lower_label(head)


def comparator_name(evidence: Evidence, syn: DomainSynthesis | None = None) -> str:
    """"placebo" when every study pooled in ``syn`` (or, without it, of the folder) compares with
    placebo, else "control"."""
    if syn is not None:
        studies = [evidence.study(r.id) for r in syn.rows]
        kinds = {s.comparator.kind if s is not None else "?" for s in studies}
    else:
        kinds = {s.comparator.kind for s in evidence.studies}
    return "placebo" if kinds == {"placebo"} else "control"


def _lower_label(label: str) -> str:
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _important(syn: DomainSynthesis) -> int:
    """-1, 0 or +1: whether the pooled estimate points to a decrease, no important difference, or an increase.

    With a MID the estimate must reach it; without one the 95% CI must exclude no effect.
    """
    res = syn.result
    if res is None:
        return 0
    est, lo, hi = res.estimate, res.ci_low, res.ci_high  # analysis scale
    mid = syn.mid
    if mid is not None:
        from .stats import from_display

        try:
            m = abs(from_display(mid, syn.ratio)) if syn.ratio else abs(mid)
        except ValueError:
            m = 0.0
        if est <= -m and m > 0:
            return -1
        if est >= m and m > 0:
            return 1
        return 0
    if hi < 0.0:
        return -1
    if lo > 0.0:
        return 1
    return 0


def statement(syn: DomainSynthesis, intervention: str = "LDN") -> str:
    """The GRADE informative statement for one outcome (Santesso 2020, Table 2).

    high: "LDN reduces X" / "LDN makes little or no difference to X";
    moderate: "probably"; low: "may"; very low: "The evidence is very uncertain
    about the effect of LDN on X". Not assessable: why, in words.
    """
    outcome = _lower_label(syn.domain.label)
    level = syn.certainty.level
    subject = intervention[:1].upper() + intervention[1:]
    if not syn.certainty.assessable or syn.result is None:
        text = f"The effect of {intervention} on {outcome} could not be estimated from this folder's studies"
        if any(r.comparison == "placebo" for r in syn.review_results):
            text += "; the reviews' own pooled results are shown as published"
        return text
    if level == "very low":
        return f"The evidence is very uncertain about the effect of {intervention} on {outcome}"
    direction = _important(syn)
    hedge = {"high": "", "moderate": "probably ", "low": "may "}.get(level, "may ")
    if direction == 0:
        verb = {"high": "makes", "moderate": "makes", "low": "make"}.get(level, "make")
        return f"{subject} {hedge}{verb} little or no difference to {outcome}"
    if level in ("high", "moderate"):
        verb = "reduces" if direction < 0 else "increases"
    else:
        verb = "reduce" if direction < 0 else "increase"
    what = f"the risk of {outcome}" if syn.ratio else outcome
    return f"{subject} {hedge}{verb} {what}"


def absolute_text(absolute: AbsoluteEffect, intervention: str = "LDN", comparator: str = "placebo") -> str:
    """ "120 per 1,000 with placebo, 170 with LDN: 50 more per 1,000 (10 more to 100 more)"."""

    def diff(value: float) -> str:
        n = round(value) if abs(value) < 1e15 else value
        if n == 0:
            return "0"
        return f"{number(abs(n), 0)} {'more' if n > 0 else 'fewer'}"

    return (
        f"{number(absolute.control_per_1000, 0)} per 1,000 with {comparator}, "
        f"{number(absolute.intervention_per_1000, 0)} with {intervention}: "
        f"{diff(absolute.difference_per_1000)} per 1,000 "
        f"({diff(absolute.difference_ci_low)} to {diff(absolute.difference_ci_high)})"
    )


def _continuous_text(syn: DomainSynthesis) -> str:
    est, lo, hi = syn.estimate, syn.ci_low, syn.ci_high
    if est is None or lo is None or hi is None:
        return "not pooled"

    def side(value: float) -> str:
        if value == 0:
            return "0"
        return f"{number(abs(value))} {'lower' if value < 0 else 'higher'}"

    return f"{syn.measure} {side(est)} ({side(lo)} to {side(hi)})"


def _review_text(results: Sequence[ReviewResult], domain: Domain) -> str | None:
    placebo = [r for r in results if r.comparison == "placebo"]
    if not placebo:
        return None
    parts = []
    for r in placebo:
        ci = f" ({number(r.ci_low)} to {number(r.ci_high)})" if r.ci_low is not None and r.ci_high is not None else ""
        k = f", k = {r.k}" if r.k is not None else ""
        sub = f", {r.subgroup} subgroup" if r.subgroup else ""
        note = f", {r.note}" if r.note else ""
        parts.append(f"from review {r.review} ({r.year}): {r.type} {number(r.estimate)}{ci}{k}{sub}{note}, as published")
    return "; ".join(parts)


def _design_word(syn: DomainSynthesis) -> str:
    randomised = all(r.randomised for r in syn.rows)
    return noun(syn.k, "RCT") if randomised else noun(syn.k, "study")


def sof_rows(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> tuple[SofRow, ...]:
    """One summary-of-findings row per synthesis, in the order given; footnote letters run across rows."""
    intervention = intervention_name(evidence)
    rows: list[SofRow] = []
    letter = 0
    for syn in syntheses:
        d = syn.domain
        direction = "lower is better" if d.lower_is_better else "higher is better"
        measures = sorted({r.outcome for r in syn.rows})
        footnotes: list[Footnote] = []
        for down in syn.certainty.downgrades:
            who = " (reviewer's judgment)" if down.judged_by_reviewer else ""
            footnotes.append(
                Footnote(_letter(letter), f"{down.label.capitalize()} (\u2212{down.levels}){who}: {down.reason}")
            )
            letter += 1
        if syn.result is None:
            participants_text = "not pooled"
            if syn.excluded:
                participants_text += f" ({plural(len(syn.excluded), 'study', 'studies')} with results that do not pool)"
            relative = None
            absolute_words = "not pooled"
        else:
            people = f"{syn.participants}" if syn.participants is not None else "participants not known"
            participants_text = f"{people} ({syn.k} {_design_word(syn)})"
            relative = (
                f"{syn.measure} {number(syn.estimate or 0.0)} ({number(syn.ci_low or 0.0)} to {number(syn.ci_high or 0.0)})"
                if d.measure in RATIO_TYPES
                else None
            )
            if syn.absolute is not None:
                absolute_words = absolute_text(syn.absolute, intervention, comparator_name(evidence, syn))
            elif d.measure in RATIO_TYPES:
                absolute_words = "no control-arm risk reported: absolute effects not computed"
            else:
                absolute_words = _continuous_text(syn)
        rows.append(
            SofRow(
                domain=d.id,
                outcome=d.label,
                kind=d.kind,
                critical=d.critical,
                measure=d.measure,
                measure_text=f"{MEASURE_LABELS.get(d.measure, d.measure)}; {direction}",
                scale="; ".join(measures) if measures else None,
                participants=syn.participants,
                studies=syn.k,
                participants_text=participants_text,
                relative_effect=relative,
                absolute=syn.absolute,
                absolute_text=absolute_words,
                certainty=syn.certainty.level,
                footnotes=tuple(footnotes),
                statement=syn.statement or statement(syn, intervention),
                review_results=syn.review_results,
                review_text=_review_text(syn.review_results, d) if syn.result is None else None,
            )
        )
    return tuple(rows)


def _letter(index: int) -> str:
    """a..z, then aa, ab, ..."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    if index < 26:
        return letters[index]
    return _letter(index // 26 - 1) + letters[index % 26]
