"""The patient page: one page in plain words, as Markdown or as one self-contained HTML file.

``ldn-tui export --format patient`` (Markdown) and ``--format patient-html``, and the
same from the app. The page puts the bottom line first (one line per outcome that
matters most, with how sure one can be), then the harms with their numbers, what the
certainty levels mean, the glossary (``ldn_tui.report.glossary``) and the date the
evidence was last checked (``topic.toml``'s ``last_reviewed``).

Every number comes from the analysis (``ldn_tui.analysis.synthesis``), the records or
the reviews as published; the words around them are fixed here. The page is built
once as blocks of plain text and then written out by either renderer, which escapes
every string: record text never becomes Markdown or HTML markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from ldn_tui.analysis.grading import LEVELS
from ldn_tui.analysis.synthesis import DomainSynthesis
from ldn_tui.model import BinaryArm, Evidence, Outcome, Review, ReviewFinding
from ldn_tui.report import facts
from ldn_tui.report.glossary import GLOSSARY
from ldn_tui.report.markdown import esc
from ldn_tui.report.verdict import (
    CERTAINTY_MEANINGS,
    MEASURE_NAMES,
    certainty_symbols,
    comparator_name,
    intervention_name,
)
from ldn_tui.report.verdict import _includes_null as _includes_null  # the bottom lines' own tests, shared
from ldn_tui.report.verdict import _numbers as verdict_numbers
from ldn_tui.text import clean, effect_number, one_line

__all__ = ["page_blocks", "patient_html", "patient_markdown"]

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")

SURE = {  # how sure one can be, in the words of a conversation
    "high": "we can be confident in this result",
    "moderate": "we can be fairly confident in this result",
    "low": "we cannot be sure of this result",
    "very low": "we are very unsure about this result",
}

WHY_UNSURE = {  # what each GRADE domain means when it rates the evidence down
    "risk_of_bias": "the studies had weaknesses in how they were run or reported",
    "inconsistency": "the studies' results differ from one another",
    "indirectness": "the people studied differ from the people the question is about",
    "imprecision": "too few people took part to give a precise answer",
    "publication_bias": "studies with unwelcome results may be missing",
}


class Block(NamedTuple):
    """One piece of the page: ``kind`` is h1, h2, p, note (small print) or list; a list's
    items are (lead, text) pairs, the lead shown in bold (may be '')."""

    kind: str
    text: str = ""
    items: tuple[tuple[str, str], ...] = ()


def _day(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def _studies(n: int) -> str:
    return f"{n} {'study' if n == 1 else 'studies'}"


def _pooled(syn: DomainSynthesis) -> bool:
    return syn.result is not None and syn.estimate is not None and syn.certainty.level in LEVELS


def _numbers(syn: DomainSynthesis) -> str:
    """'mean difference 0.03, 95% CI −0.78 to 0.84; 0 means no difference': the bottom line's numbers."""
    return f"{verdict_numbers(syn)}; {'1 means' if syn.ratio else '0 means'} no difference"


def _who(syn: DomainSynthesis) -> str:
    """'2 randomised trials with 197 people', or '3 studies' when not all are randomised."""
    k = syn.k
    if all(r.randomised for r in syn.rows):
        who = f"{k} randomised {'trial' if k == 1 else 'trials'}"
    else:
        who = _studies(k)
    if syn.participants is not None:
        who += f" with {_people(syn.participants)}"
    return who


def _what(syn: DomainSynthesis, intervention: str, comparator: str) -> str:
    """What the pooled result says, as plain as the numbers allow."""
    label = syn.domain.label[:1].lower() + syn.domain.label[1:]
    if _includes_null(syn):
        return f"found no clear difference in {label} between {intervention} and {comparator}"
    null = 1.0 if syn.ratio else 0.0
    assert syn.estimate is not None
    higher = syn.estimate > null
    better = higher != syn.domain.lower_is_better
    if syn.ratio:
        return (f"found that {'more' if higher else 'fewer'} people had {label} with {intervention} "
                f"than with {comparator}")
    return (f"found {label} {'higher' if higher else 'lower'} ({'better' if better else 'worse'}) "
            f"with {intervention} than with {comparator}")


def _certainty(syn: DomainSynthesis) -> str:
    level = syn.certainty.level
    text = f"Certainty: {level} {certainty_symbols(level)}: {SURE[level]}"
    reasons = [WHY_UNSURE.get(d.domain, d.label) for d in syn.certainty.downgrades]
    if reasons:
        text += ", because " + _join(reasons)
    return text + "."


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _unpooled(syn: DomainSynthesis, evidence: Evidence) -> str:
    """Why there is no combined answer here, then what the published reviews found."""
    reported = len(syn.excluded)
    if reported == 0:
        text = "No study here reports this."
    else:
        text = (f"{_studies(reported)} {'reports' if reported == 1 else 'report'} this, but not in a way "
                f"that can be combined into one answer.")
    return " ".join([text, *_review_sentences(evidence, syn.domain.id)])


def _review_sentences(evidence: Evidence, domain_id: str) -> list[str]:
    return [_review_sentence(review, f) for review in facts.reviews_by_date(evidence)
            for f in review.findings if f.domain == domain_id]


def _bottom_line(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> list[Block]:
    intervention, comparator = intervention_name(evidence), comparator_name(syntheses, evidence)
    main = [s for s in syntheses if s.domain.critical] or [s for s in syntheses if s.domain.kind == "benefit"]
    items = []
    for syn in main:
        if _pooled(syn):
            text = (f"{_who(syn)} {_what(syn, intervention, comparator)} ({_numbers(syn)}). "
                    f"{_certainty(syn)}")
        else:
            text = _unpooled(syn, evidence)
        items.append((syn.domain.label, text))
    blocks = [Block("h2", "The short answer"), Block("p", f"The question: {evidence.topic.question}")]
    if items:
        blocks.append(Block("list", items=tuple(items)))
    levels = [s.certainty.level for s in main if _pooled(s)]
    if levels and all(_includes_null(s) for s in main if _pooled(s)) and set(levels) <= {"low", "very low"}:
        blocks.append(Block("p", (
            f"This does not show that {intervention} does not work. It means that the studies so far are too few, "
            f"too small or too flawed to say whether it does."
        )))
    return blocks


def _arm_counts(outcome: Outcome, intervention: str, comparator: str) -> str | None:
    arms = outcome.arms
    if arms is None or not isinstance(arms.intervention, BinaryArm) or not isinstance(arms.control, BinaryArm):
        return None
    i, c = arms.intervention, arms.control
    return f"{i.events} of {i.total} people with {intervention} and {c.events} of {c.total} with {comparator}"


def _harms(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> list[Block]:
    intervention, comparator = intervention_name(evidence), comparator_name(syntheses, evidence)
    harms = [s for s in syntheses if s.domain.kind == "harm"]
    if not harms:
        return [Block("h2", "Side effects and harms"),
                Block("p", "This evidence folder records no side effects or harms as outcomes, so this page "
                           "cannot say how common they are.")]
    items: list[tuple[str, str]] = []
    for syn in harms:
        parts = []
        if _pooled(syn):
            parts.append(f"Combined, {_who(syn)} {_what(syn, intervention, comparator)} ({_numbers(syn)}). "
                         f"{_certainty(syn)}")
        for study in evidence.studies:
            for outcome in study.outcomes_for(syn.domain.id):
                counts = _arm_counts(outcome, intervention, comparator)
                parts.append(f"{facts.study_label(study)}: {counts or one_line(outcome.summary)}"
                             + ("" if (counts or one_line(outcome.summary)).endswith(".") else "."))
        parts += _review_sentences(evidence, syn.domain.id)
        if not parts:
            parts.append("No study here reports it.")
        items.append((syn.domain.label, " ".join(parts)))
    return [
        Block("h2", "Side effects and harms"),
        Block("p", f"How often people had each side effect with {intervention} and with {comparator}, "
                   "as the studies and reviews report it."),
        Block("list", items=tuple(items)),
    ]


def _review_sentence(review: Review, f: ReviewFinding) -> str:
    """'The review Saif 2026 (3 studies) reports risk ratio 1.99, 95% CI 1.07 to 3.7.'"""
    name = MEASURE_NAMES.get(f.type, f.type)
    ci = f", 95% CI {effect_number(f.ci_low)} to {effect_number(f.ci_high)}" if f.ci_low is not None and f.ci_high is not None else ""
    extras = [_studies(f.k)] if f.k is not None else []
    scope = getattr(review, "scope", None)  # a review of a wider population (chronic pain, ...)
    if isinstance(scope, str) and scope != "fibromyalgia":
        extras.append(f"a review of {scope.replace('-', ' ')}")
    subgroup = getattr(f, "subgroup", None)
    if isinstance(subgroup, str):
        extras.append(f"the {one_line(subgroup)} subgroup")
    if f.note:
        extras.append(one_line(f.note))
    if f.comparison == "baseline":
        extras.append("compared with before treatment, not with placebo")
    elif f.comparison == "active":
        extras.append("compared with another treatment, not with placebo")
    where = f" ({'; '.join(extras)})" if extras else ""
    return f"The review {facts.study_label(review)}{where} reports {name} {effect_number(f.estimate)}{ci}."


def _certainty_levels() -> list[Block]:
    items = tuple(
        (f"{level.capitalize()} {certainty_symbols(level)}", f"{CERTAINTY_MEANINGS[level][:1].upper()}"
         f"{CERTAINTY_MEANINGS[level][1:]}.")
        for level in LEVELS
    )
    return [
        Block("h2", "What \"very low certainty\" means"),
        Block("p", (
            "Researchers rate how sure one can be of each result with a method called GRADE. \"Very low "
            "certainty\" means the result could easily be wrong: new and better studies are likely to give a "
            "different answer. It does not mean the treatment does not work, nor that it does."
        )),
        Block("list", items=items),
    ]


def page_blocks(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> list[Block]:
    """The whole page, in order, as blocks of plain (unescaped) text."""
    topic = evidence.topic
    randomised = sum(1 for s in evidence.studies if s.randomised)
    blocks = [
        Block("h1", f"{topic.title}: what the research says"),
        Block("note", f"A summary in plain words. The evidence was last checked on {_day(topic.last_reviewed)} "
                      f"({topic.last_reviewed.isoformat()})."),
        *_bottom_line(evidence, syntheses),
        *_harms(evidence, syntheses),
        *_certainty_levels(),
        Block("h2", "The studies"),
    ]
    span = facts.year_span(evidence)
    count = f"{facts.counts(evidence)} ({span})" if span else facts.counts(evidence)
    if evidence.studies:
        count += (f"; {randomised} of the {_studies(len(evidence.studies))} "
                  f"{'is a randomised trial' if randomised == 1 else 'are randomised trials'}")
    blocks.append(Block("p", count + "."))
    if topic.summary:
        blocks.append(Block("p", one_line(topic.summary)))
    blocks += [
        Block("h2", "Words used here and in the app"),
        Block("list", items=tuple(
            (t.term, f"{t.name[:1].upper()}{t.name[1:]}: {t.meaning}" if t.name else t.meaning) for t in GLOSSARY
        )),
        Block("note", (
            f"This page is not medical advice: talk to your doctor before starting or stopping a treatment. "
            f"Made by ldn-tui from the evidence folder \"{topic.id}\", last checked {topic.last_reviewed.isoformat()}."
        )),
    ]
    return blocks


# --------------------------------------------------------------------------- renderers


def patient_markdown(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> str:
    """The patient page as GitHub Markdown; every string escaped (``report.markdown.esc``)."""
    out: list[str] = []
    for block in page_blocks(evidence, syntheses):
        if block.kind == "h1":
            out += [f"# {esc(block.text)}", ""]
        elif block.kind == "h2":
            out += [f"## {esc(block.text)}", ""]
        elif block.kind == "note":
            out += [f"*{esc(block.text)}*", ""]
        elif block.kind == "list":
            out += [f"- **{esc(lead)}**: {esc(text)}" if lead else f"- {esc(text)}" for lead, text in block.items]
            out.append("")
        else:
            out += [esc(block.text), ""]
    return "\n".join(out)


_CSS = """
body{font:17px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:44rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.5rem;margin-bottom:.3rem}h2{font-size:1.2rem;margin-top:1.8rem;border-bottom:1px solid #bbb}
li{margin:.3rem 0}.note{color:#444;font-size:.95rem}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}li{break-inside:avoid}}
"""


def _h(text: str) -> str:
    return html.escape(clean(one_line(text)), quote=True)


def patient_html(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> str:
    """The patient page as one HTML file: inline CSS, no scripts, nothing loaded, every string escaped."""
    out = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(evidence.topic.title)}: what the research says</title>", f"<style>{_CSS}</style>",
        "</head>", "<body>",
    ]
    for block in page_blocks(evidence, syntheses):
        if block.kind in ("h1", "h2"):
            out.append(f"<{block.kind}>{_h(block.text)}</{block.kind}>")
        elif block.kind == "note":
            out.append(f'<p class="note">{_h(block.text)}</p>')
        elif block.kind == "list":
            items = (f"<li><strong>{_h(lead)}</strong>: {_h(text)}</li>" if lead else f"<li>{_h(text)}</li>"
                     for lead, text in block.items)
            out.append("<ul>" + "".join(items) + "</ul>")
        else:
            out.append(f"<p>{_h(block.text)}</p>")
    return "\n".join([*out, "</body>", "</html>"]) + "\n"
