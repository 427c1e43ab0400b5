"""Plain-language bottom lines, derived only from the numbers of a synthesis.

Pure and stdlib only (no Rich, no Textual): the stdout summary, the exports
and the app all print these sentences, so they cannot tell different stories.

What a sentence may say is decided by the numbers alone: the direction of the
pooled estimate, whether its 95% CI includes no effect, the GRADE certainty
and its downgrades, k, participants and events. Nothing here adds a unit the
record does not give: a mean difference is "mean difference 0.03", never
"0.03 points". Direction words come from the domain: ``lower_is_better``
says whether a lower value is better, ``kind`` whether the outcome is a
benefit or a harm.

Names: the intervention is taken from the topic title ("Low-dose naltrexone
for fibromyalgia" -> "low-dose naltrexone"), else "the intervention"; the
comparator is "placebo" when every pooled study compared with placebo, else a
neutral word. Without the evidence, both stay generic.
"""

from __future__ import annotations

from collections.abc import Sequence

from ldn_tui.analysis.grading import LEVELS, NOT_ASSESSABLE
from ldn_tui.analysis.sof import intervention_words
from ldn_tui.analysis.synthesis import DomainSynthesis, ReviewResult
from ldn_tui.model import RATIO_TYPES, Evidence
from ldn_tui.text import effect_number, plural

from .facts import num, study_label

__all__ = [
    "CERTAINTY_MEANINGS", "MEASURE_NAMES", "bottom_line", "certainty_label", "certainty_symbols",
    "comparator_name", "intervention_name", "lower_first", "not_assessable_reason", "overall_bottom_line",
    "placebo_results", "review_name", "review_statement",
]

_SYMBOLS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very low": "⊕◯◯◯"}

CERTAINTY_MEANINGS = {  # the GRADE handbook's wording, shortened
    "high": "the true effect is probably close to this estimate",
    "moderate": "the true effect is probably close to this estimate, but it may be substantially different",
    "low": "the true effect may be substantially different from this estimate",
    "very low": "the true effect is likely to be substantially different from this estimate",
}

MEASURE_NAMES = {
    "MD": "mean difference",
    "SMD": "standardised mean difference",
    "RR": "risk ratio",
    "OR": "odds ratio",
}


def certainty_symbols(level: str) -> str:
    """⊕⊕⊕⊕ high, ⊕⊕⊕◯ moderate, ⊕⊕◯◯ low, ⊕◯◯◯ very low; '' when not assessable.

    Accepts a review's own spelling ``very-low`` too.
    """
    return _SYMBOLS.get(level.replace("-", " "), "")


def certainty_label(level: str) -> str:
    """'⊕◯◯◯ very low', or 'not assessable'."""
    words = level.replace("-", " ")
    symbols = certainty_symbols(words)
    return f"{symbols} {words}" if symbols else words


def lower_first(text: str) -> str:
    """'fixture drug' from 'Fixture drug'; 'LDN' and 'FIQR scores' stay."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def intervention_name(evidence: Evidence | None) -> str:
    """'low-dose naltrexone' from 'Low-dose naltrexone for fibromyalgia'; else 'the intervention'."""
    head = intervention_words(evidence) if evidence is not None else None
    return lower_first(head) if head and len(head) <= 40 else "the intervention"


def comparator_name(syntheses: Sequence[DomainSynthesis], evidence: Evidence | None) -> str:
    """'placebo' when every pooled study compared with placebo; else a neutral name."""
    if evidence is None:
        return "the comparator"
    kinds = set()
    for syn in syntheses:
        for row in syn.rows:
            study = evidence.study(row.id)
            kinds.add(study.comparator.kind if study else "?")
    if kinds == {"placebo"}:
        return "placebo"
    if kinds == {"active"}:
        return "an active comparator"
    return "the comparator"


def _who(syn: DomainSynthesis) -> str:
    """'2 randomised trials (197 participants)' or '3 studies, 2 of them randomised (150 participants)'."""
    k = syn.k
    randomised = sum(1 for r in syn.rows if r.randomised)
    if randomised == k:
        who = plural(k, "randomised trial")
    else:
        who = f"{plural(k, 'study', 'studies')}, {randomised} of them randomised"
    people = []
    if syn.participants is not None:
        people.append(plural(syn.participants, "participant"))
    if syn.ratio and syn.events is not None:
        people.append(plural(syn.events, "event") + ("" if syn.events_complete else " where reported"))
    return f"{who} ({', '.join(people)})" if people else who


def _includes_null(syn: DomainSynthesis) -> bool:
    null = 1.0 if syn.ratio else 0.0
    lo, hi = syn.ci_low, syn.ci_high
    return lo is None or hi is None or lo <= null <= hi


def _numbers(syn: DomainSynthesis) -> str:
    assert syn.estimate is not None and syn.ci_low is not None and syn.ci_high is not None
    name = MEASURE_NAMES.get(syn.measure, syn.measure)
    return f"{name} {effect_number(syn.estimate)}, 95% CI {effect_number(syn.ci_low)} to {effect_number(syn.ci_high)}"


def _finding(syn: DomainSynthesis, intervention: str, comparator: str, short: bool = False) -> str:
    """What the pooled estimate says, in words.

    As a clause: 'there was no clear difference in pain intensity between X and Y', 'pain intensity was
    lower (better) with X than with Y', 'more participants had headache with X than with Y'. Short (for
    the overall bottom line): 'no clear difference in pain intensity', 'lower (better) pain intensity'.
    """
    d = syn.domain
    label = lower_first(d.label)
    null = 1.0 if syn.ratio else 0.0
    est = syn.estimate if syn.estimate is not None else null
    higher = est > null
    better = higher != d.lower_is_better
    judged = " (better)" if better else " (worse)"
    than = f" with {intervention} than with {comparator}"
    if syn.measure in RATIO_TYPES:
        more = "more" if higher else "fewer"
        note = judged if d.kind == "benefit" or not d.lower_is_better else ""
        if _includes_null(syn):
            if short:
                return f"no clear difference in the number of participants with {label}"
            return (f"there was no clear difference between {intervention} and {comparator} "
                    f"in the number of participants with {label}")
        if short:
            return f"{more} participants with {label}{note}"
        return f"{more} participants had {label}{note}{than}"
    if _includes_null(syn):
        if short:
            return f"no clear difference in {label}"
        return f"there was no clear difference in {label} between {intervention} and {comparator}"
    direction = "higher" if higher else "lower"
    if short:
        return f"{direction}{judged} {label}"
    return f"{label} was {direction}{judged}{than}"


def _certainty_sentence(syn: DomainSynthesis) -> str:
    cert = syn.certainty
    text = f"Certainty: {certainty_label(cert.level)}"
    computed = [d.label for d in cert.downgrades if not d.judged_by_reviewer]
    judged = [d.label for d in cert.downgrades if d.judged_by_reviewer]
    reasons = []
    if computed:
        reasons.append(f"rated down for {_join(computed)}")
    if judged:
        reasons.append(f"{'and ' if computed else 'rated down '}by reviewer judgment for {_join(judged)}")
    if reasons:
        text += f" ({', '.join(reasons)})"
    meaning = CERTAINTY_MEANINGS.get(cert.level)
    return f"{text}: {meaning}." if meaning else f"{text}."


def not_assessable_reason(syn: DomainSynthesis, evidence: Evidence | None = None) -> str:
    """Why nothing pools for this domain, in a few words (no trailing full stop)."""
    left_out = sum(1 for e in syn.excluded if e.reason.startswith("left out") or e.reason == "published later")
    n = len(syn.excluded) - left_out
    if left_out:
        return f"no pooled study is left in this analysis ({plural(left_out, 'study', 'studies')} left out)"
    if n == 0:
        text = "no study here reports it"
    elif syn.ratio:
        text = f"{plural(n, 'study', 'studies')} {'reports' if n == 1 else 'report'} it, without counts per arm that pool"
    else:
        text = (f"{plural(n, 'study', 'studies')} {'reports' if n == 1 else 'report'} it, "
                f"{'not' if n == 1 else 'none'} in a form that pools as {syn.measure}")
    if evidence is not None and any(f.domain == syn.domain.id for r in evidence.reviews for f in r.findings):
        text += "; see the reviews"
    return text


def bottom_line(syn: DomainSynthesis, evidence: Evidence | None = None) -> str:
    """One domain in plain words, e.g. 'Pain intensity: in 2 randomised trials (197 participants), ...'."""
    d = syn.domain
    if syn.result is None or syn.estimate is None or syn.certainty.level == NOT_ASSESSABLE:
        return f"{d.label}: not assessable — {not_assessable_reason(syn, evidence)}."
    intervention = intervention_name(evidence)
    comparator = comparator_name([syn], evidence)
    text = f"{d.label}: in {_who(syn)}, {_finding(syn, intervention, comparator)} ({_numbers(syn)})."
    uncertain = syn.certainty.level in ("low", "very low") or any(
        g.domain == "imprecision" for g in syn.certainty.downgrades
    )
    null = 1.0 if syn.ratio else 0.0
    lo, hi = syn.ci_low, syn.ci_high
    if lo is not None and hi is not None and lo < null < hi and uncertain:
        text += (
            " The 95% CI includes effects in both directions, so this does not show that there is no "
            "difference."
        )
    pi_lo, pi_hi = syn.pi_low, syn.pi_high
    if pi_lo is not None and pi_hi is not None and not _includes_null(syn) and pi_lo <= null <= pi_hi:
        text += (
            f" The 95% prediction interval ({num(pi_lo)} to {num(pi_hi)}) includes no effect: "
            f"in a new setting the effect could be absent."
        )
    return f"{text} {_certainty_sentence(syn)}"


def _form(reason: str) -> str:
    """A synthesis exclusion reason, as a kind: 'p-values alone', 'another effect measure', ..."""
    if "only a p-value" in reason:
        return "with p-values alone"
    if "no between-group effect or arm data" in reason:
        return "without between-group figures"
    if reason.startswith("effect type"):
        return "as another effect measure"
    if "arm data" in reason:
        return "as arm data of another kind"
    return "in forms that do not pool"


def _join(parts: Sequence[str], word: str = "and") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def _clause(syn: DomainSynthesis) -> str:
    """'no clear difference in pain intensity (2 randomised trials, 197 participants; certainty ⊕◯◯◯ very low)'."""
    k = syn.k
    randomised = sum(1 for r in syn.rows if r.randomised)
    trials = plural(k, "randomised trial") if randomised == k else plural(k, "study", "studies")
    extra = f", {plural(syn.participants, 'participant')}" if syn.participants is not None else ""
    return f"{_finding(syn, '', '', short=True)} ({trials}{extra}; certainty {certainty_label(syn.certainty.level)})"


def _review_clause(syn: DomainSynthesis, result: ReviewResult, intervention: str, numbers_too: bool = True) -> str:
    """'more participants with vivid dreams with LDN (RR 2.41, 95% CI 1.77 to 3.28)': a review's own result."""
    clause = _review_words(syn, result, intervention)
    return f"{clause[0]} ({clause[1]})" if numbers_too else clause[0]


def _review_words(syn: DomainSynthesis, result: ReviewResult, intervention: str) -> tuple[str, str]:
    label = lower_first(syn.domain.label)
    ratio = result.type in RATIO_TYPES
    null = 1.0 if ratio else 0.0
    numbers = f"{result.type} {effect_number(result.estimate)}"
    if result.ci_low is not None and result.ci_high is not None:
        numbers += f", 95% CI {effect_number(result.ci_low)} to {effect_number(result.ci_high)}"
        clear = not result.ci_low <= null <= result.ci_high
    else:
        clear = False
    higher = result.estimate > null
    if not clear:
        return f"no clear difference in {label}", numbers
    if ratio:
        return f"{'more' if higher else 'fewer'} participants with {label} with {intervention}", numbers
    better = higher != syn.domain.lower_is_better
    return f"{'higher' if higher else 'lower'} ({'better' if better else 'worse'}) {label} with {intervention}", numbers


def placebo_results(syn: DomainSynthesis, evidence: Evidence) -> list[ReviewResult]:
    """The reviews' results on the topic (against placebo; of a wider review only its topic subgroup), newest
    first, a review's main result before its sensitivity ones."""
    scopes = {r.id: r.scope for r in evidence.reviews}

    def on_topic(r: ReviewResult) -> bool:
        return r.comparison == "placebo" and (scopes.get(r.review) == "fibromyalgia" or r.subgroup is not None)

    return sorted(filter(on_topic, syn.review_results), key=lambda r: (-r.year, r.note is not None))


def review_name(review_id: str, evidence: Evidence) -> str:
    """'Saif 2026', or the journal and year when no author is recorded; the id if unknown."""
    review = next((r for r in evidence.reviews if r.id == review_id), None)
    return study_label(review) if review is not None else review_id


def review_statement(syn: DomainSynthesis, evidence: Evidence, intervention: str | None = None) -> str:
    """Where nothing pools here, what the newest review pooling the domain against placebo found, as published;
    '' when no review did. E.g. 'Annals of Medicine and Surgery 2025 (as published) found more participants with
    vivid dreams with LDN (RR 2.41, 95% CI 1.77 to 3.28)'."""
    results = placebo_results(syn, evidence)
    if syn.result is not None or not results:
        return ""
    first = results[0]
    return (f"{review_name(first.review, evidence)} (as published) found "
            f"{_review_clause(syn, first, intervention or intervention_name(evidence), numbers_too=False)}")


def _reviews_sentences(syntheses: Sequence[DomainSynthesis], evidence: Evidence) -> list[str]:
    """One sentence naming what the reviews pooled (newest review per outcome) where the studies here cannot."""
    if not syntheses:
        return []
    by_review: dict[str, list[str]] = {}
    intervention = intervention_name(evidence)
    for syn in syntheses:
        first = placebo_results(syn, evidence)[0]
        by_review.setdefault(first.review, []).append(_review_clause(syn, first, intervention))
    parts = [f"{review_name(rid, evidence)} found {_join(clauses)}." for rid, clauses in by_review.items()]
    return [f"Pooled by reviews, as published (not checked here): {parts[0]}", *parts[1:]]


def overall_bottom_line(syntheses: Sequence[DomainSynthesis], evidence: Evidence) -> str:
    """A short paragraph over all domains: critical outcomes first, then harms, then how sure one can be."""
    intervention = intervention_name(evidence)
    comparator = comparator_name(syntheses, evidence)
    pooled = [s for s in syntheses if s.result is not None and s.estimate is not None]
    if not pooled:
        return (
            "No outcome has studies whose results can be pooled, so there is no pooled answer; "
            "see each study's own findings and the reviews."
        )
    critical = [s for s in syntheses if s.domain.critical] or [s for s in syntheses if s.domain.kind == "benefit"]
    main = [s for s in critical if s in pooled]
    missing = [s for s in critical if s not in pooled]
    harms = [s for s in syntheses if s.domain.kind == "harm" and s not in critical]
    sentences: list[str] = []
    if main:
        sentences.append(
            f"Pooling what can be pooled, {intervention} compared with {comparator} showed "
            f"{_join([_clause(s) for s in main])}."
        )
    if missing:
        names = _join([s.domain.label for s in missing])
        sentences.append(
            f"{names} could not be pooled: no study reports {'it' if len(missing) == 1 else 'them'} "
            f"in a form that can be combined."
        )
    others = sorted({e.id for s in critical for e in s.excluded})
    if others:
        forms = _join(sorted({_form(e.reason) for s in critical for e in s.excluded}), "or")
        sentences.append(
            f"Results of {plural(len(others), 'study', 'studies')} on "
            f"{'this outcome' if len(critical) == 1 else 'these outcomes'} could not be pooled (reported {forms}); "
            f"their own findings are listed separately."
        )
    others_only = [s for s in syntheses if s.result is None and s.domain.kind == "benefit" and placebo_results(s, evidence)]
    sentences += _reviews_sentences(others_only, evidence)
    pooled_harms = [s for s in harms if s in pooled]
    if pooled_harms:
        sentences.append(f"For harms: {_join([_clause(s) for s in pooled_harms])}.")
    unpooled_harms = [s for s in harms if s not in pooled]
    if unpooled_harms:
        names = _upper_first(_join([lower_first(s.domain.label) for s in unpooled_harms]))
        sentences.append(f"{names} could not be pooled from the studies here.")
        sentences += _reviews_sentences([s for s in unpooled_harms if placebo_results(s, evidence)], evidence)
    levels = [s.certainty.level for s in main or pooled_harms if s.certainty.level in LEVELS]
    if levels:
        best = min(levels, key=LEVELS.index)
        worst = max(levels, key=LEVELS.index)
        lead = "The certainty is" if best == worst else "The certainty is at best"
        meaning = CERTAINTY_MEANINGS[best]
        if len(levels) > 1:
            meaning = meaning.replace("the true effect is", "the true effects are").replace(
                "this estimate", "these estimates")
        sentences.append(f"{lead} {certainty_label(best)}: {meaning}.")
        if main and all(_includes_null(s) for s in main) and best in ("low", "very low"):
            sentences.append(
                f"This is not evidence that {intervention} does not work: the results are too uncertain to "
                f"say whether it does."
            )
    return " ".join(sentences)
