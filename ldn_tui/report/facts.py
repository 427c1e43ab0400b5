"""What the views say about the evidence, computed once for every view.

The stdout summary (text, Markdown, JSON) and the Textual app both render
these values, so the two can never tell a different story. Pure: no Rich,
no Textual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from ldn_tui.model import Evidence, Outcome, Review, ReviewFinding, Study
from ldn_tui.text import effect_number, number, one_line, plural

NOT_REPORTED = "not reported"

DESIGN_LABELS = {
    "parallel-rct": "parallel RCT",
    "crossover-rct": "crossover RCT",
    "non-randomised-controlled": "non-randomised controlled",
    "single-arm": "single-arm",
    "observational": "observational",
    "case-series": "case series",
}
RESULT_LABELS = {
    "benefit": "benefit",
    "no-difference": "no difference",
    "harm": "harm",
    "unclear": "unclear",
}
FINDING_LABELS = {
    "decreased": "fell",
    "increased": "rose",
    "no-change": "no change",
    "predicts-response": "predicted response",
}
STATUS_LABELS = {
    "hypothesis": "hypothesis",
    "animal-evidence": "animal evidence",
    "human-evidence": "human evidence",
    "contested": "contested",
}
REVIEW_KIND_LABELS = {"systematic-review": "systematic review", "meta-analysis": "meta-analysis"}
ROB_LABELS = {"low": "low", "some-concerns": "some concerns", "high": "high"}


def num(value: float, digits: int = 2) -> str:
    """A number as people write it: no trailing zeros, a real minus sign (``text.number``)."""
    return number(value, digits)


def p_text(p: float) -> str:
    if p < 0.001:
        return "p < 0.001"
    return f"p = {num(p, 3)}"


def dose_text(study: Study) -> str:
    dose = study.intervention.dose_mg
    return f"{num(dose)} mg" if dose is not None else NOT_REPORTED


def weeks_text(study: Study) -> str:
    weeks = study.intervention.duration_weeks
    return num(weeks, 1) if weeks is not None else NOT_REPORTED


def n_text(study: Study) -> str:
    return str(study.population.n_enrolled)


def n_detail(study: Study) -> str:
    pop = study.population
    text = f"{pop.n_enrolled} enrolled"
    if pop.n_analysed is not None:
        text += f", {pop.n_analysed} analysed"
    return text


def blinding_text(blinding: str) -> str:
    return "open label" if blinding == "none" else f"{blinding}-blind"


def design_text(study: Study) -> str:
    return DESIGN_LABELS.get(study.design, study.design)


def split_name(author: str) -> tuple[str, str]:
    """'Due Bruun K' -> ('Due Bruun', 'K'): the surname and the trailing initials (PubMed's order), or
    (author, '') when the name has no initials. A name written "Last, First" gives ('Last', '')."""
    if "," in author:
        return author.partition(",")[0].strip() or author, ""
    tokens = author.split()
    last = tokens[-1].replace(".", "") if len(tokens) > 1 else ""
    if last and last.replace("-", "").isupper() and len(last.replace("-", "")) <= 3:
        return " ".join(tokens[:-1]), last
    return " ".join(tokens) or author, ""


def surname(author: str) -> str:
    """'Due Bruun K' -> 'Due Bruun': drop trailing initials, keep compound surnames."""
    return split_name(author)[0]


def initials_text(initials: str) -> str:
    """'JA' -> 'J. A.', 'J-P' -> 'J.-P.'."""
    if "-" in initials:
        return "-".join(f"{part}." for part in initials.split("-") if part)
    return " ".join(f"{letter}." for letter in initials)


def inverted_name(author: str) -> str:
    """'Younger JA' -> 'Younger, J. A.'; a surname alone stays as it is: the "Last, First" form that
    BibTeX and reference managers read without guessing. A name with a comma is taken as written."""
    if "," in author:
        return " ".join(author.split())
    last, initials = split_name(author)
    return f"{last}, {initials_text(initials)}" if initials else last


def authors_short(authors: Iterable[str]) -> str:
    names = list(authors)
    if not names:
        return "authors not verified"
    first = surname(names[0])
    if len(names) == 1:
        return first
    return f"{first} et al." if len(names) > 2 else f"{first} & {surname(names[1])}"


def study_label(study: Study | Review) -> str:
    """'Younger et al. 2013': how a reader names a study (the journal when no author is verified)."""
    if not study.authors and study.journal:
        return f"{study.journal} {study.year}"
    return f"{authors_short(study.authors)} {study.year}"


def ci_text(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"{effect_number(low)} to {effect_number(high)}"


def effect_text(kind: str, estimate: float, low: float | None, high: float | None) -> str:
    ci = ci_text(low, high)
    return f"{kind} {effect_number(estimate)} ({ci})" if ci else f"{kind} {effect_number(estimate)}"


def outcome_brief(outcome: Outcome) -> str:
    """A one-line finding: the result, then the effect or the p-value as reported."""
    parts = [RESULT_LABELS.get(outcome.result, outcome.result)]
    if outcome.effect is not None:
        e = outcome.effect
        parts.append(effect_text(e.type, e.estimate, e.ci_low, e.ci_high))
    if outcome.p_value is not None:
        parts.append(p_text(outcome.p_value))
    text = ", ".join(parts)
    return f"{text} (secondary source)" if outcome.secondary_source else text


def domain_brief(study: Study, domain_id: str) -> str:
    outcomes = study.outcomes_for(domain_id)
    if not outcomes:
        return NOT_REPORTED
    return outcome_brief(outcomes[0])


def finding_text(f: ReviewFinding) -> str:
    text = effect_text(f.type, f.estimate, f.ci_low, f.ci_high)
    extras = []
    if f.k is not None:
        extras.append(f"k = {f.k}")
    if f.i2 is not None:
        extras.append(f"I² = {num(f.i2, 0)}%")
    if f.p_value is not None:
        extras.append(p_text(f.p_value))
    if extras:
        text += ", " + ", ".join(extras)
    if f.comparison == "baseline":
        text += " [vs baseline, not vs placebo]"
    elif f.comparison == "active":
        text += " [vs an active comparator, not vs placebo]"
    if f.subgroup is not None:
        text += f" [{f.subgroup} subgroup]"
    if f.note:
        text = f"{f.note}: {text}"
    if f.secondary_source:
        text += " (secondary source)"
    return text


class StudyRow(NamedTuple):
    id: str
    label: str
    year: int
    design: str
    randomised: bool
    n: str
    dose: str
    weeks: str
    blinding: str
    risk_of_bias: str
    pain: str
    function: str


def study_rows(evidence: Evidence) -> list[StudyRow]:
    """The study table, in year order; the first two benefit domains fill the finding columns."""
    benefit = [d.id for d in evidence.topic.domains if d.kind == "benefit"]
    first = benefit[0] if benefit else ""
    second = benefit[1] if len(benefit) > 1 else ""
    rows = []
    for s in evidence.studies:
        rob = s.risk_of_bias
        rows.append(
            StudyRow(
                id=s.id,
                label=study_label(s),
                year=s.year,
                design=design_text(s),
                randomised=s.randomised,
                n=n_text(s),
                dose=dose_text(s),
                weeks=weeks_text(s),
                blinding=s.blinding,
                risk_of_bias=ROB_LABELS.get(rob.overall, rob.overall) if rob else NOT_REPORTED,
                pain=domain_brief(s, first) if first else NOT_REPORTED,
                function=domain_brief(s, second) if second else NOT_REPORTED,
            )
        )
    return rows


class DomainFinding(NamedTuple):
    study: Study
    outcome: Outcome


def domain_findings(evidence: Evidence, domain_id: str) -> list[DomainFinding]:
    return [DomainFinding(s, o) for s in evidence.studies for o in s.outcomes if o.domain == domain_id]


class InflammationRow(NamedTuple):
    study: Study
    marker: str
    role: str
    finding: str
    summary: str
    source: str
    secondary_source: bool


def inflammation_rows(evidence: Evidence) -> list[InflammationRow]:
    return [
        InflammationRow(s, b.marker, b.role, b.finding, b.summary, b.source, b.secondary_source)
        for s in evidence.studies
        for b in s.biomarkers
    ]


class MarkerGroup(NamedTuple):
    """One study's biomarker findings of one kind, gathered: '17 markers fell (n = 8)'."""

    study: Study
    role: str
    finding: str
    markers: tuple[str, ...]
    summary: str


def inflammation_groups(evidence: Evidence) -> list[MarkerGroup]:
    groups: dict[tuple[str, str, str], list[InflammationRow]] = {}
    for row in inflammation_rows(evidence):
        groups.setdefault((row.study.id, row.role, row.finding), []).append(row)
    out = []
    for rows in groups.values():
        first = rows[0]
        out.append(MarkerGroup(first.study, first.role, first.finding, tuple(r.marker for r in rows), first.summary))
    return out


def reviews_by_date(evidence: Evidence) -> list[Review]:
    """Reviews in publication order (then by search date), so disagreement over time shows."""
    return sorted(evidence.reviews, key=lambda r: (r.year, r.search_date.isoformat() if r.search_date else "", r.id))


def review_main_finding(review: Review, domain_id: str) -> ReviewFinding | None:
    """The review's headline pooled result for a domain: vs placebo, of fibromyalgia (``on_topic``),
    not a sensitivity analysis."""
    candidates = [f for f in review.findings if f.domain == domain_id and on_topic(review, f)]
    plain = [f for f in candidates if not f.note]
    best = plain or candidates
    return best[0] if best else None


def counts(evidence: Evidence) -> str:
    s, r = len(evidence.studies), len(evidence.reviews)
    return f"{s} {'study' if s == 1 else 'studies'}, {r} {'review' if r == 1 else 'reviews'}"


def year_span(evidence: Evidence) -> str:
    if not evidence.studies:
        return ""
    first, last = evidence.studies[0].year, evidence.studies[-1].year
    return str(first) if first == last else f"{first}\u2013{last}"


def citation(record: Study | Review) -> str:
    """A plain citation: authors, title, journal, year, then the identifiers."""
    names = list(record.authors)
    authors = ", ".join(names[:6]) + (", et al" if len(names) > 6 else "") if names else "Authors not verified"
    parts = [f"{authors.rstrip('.')}. {record.title.rstrip('.')}."]
    if record.journal:
        parts.append(f"{record.journal}.")
    parts.append(f"{record.year}{source_detail(record, ';')}.")
    ids = []
    if record.doi:
        ids.append(f"doi:{record.doi}")
    if record.pmid:
        ids.append(f"PMID {record.pmid}")
    if record.registration:
        ids.append(record.registration)
    if ids:
        parts.append("; ".join(ids) + ".")
    return " ".join(parts)


def source_detail(record: Study | Review, lead: str = "") -> str:
    """'10(4):663-672' after ``lead`` (Vancouver style), or '' when no volume, issue or pages are recorded."""
    text = record.volume or ""
    if record.issue:
        text += f"({record.issue})"
    if record.pages:
        text += f":{record.pages}" if text else record.pages
    return f"{lead}{text}" if text else ""


# TeX's specials, each as a command that prints it. Braces too: BibTeX counts every brace, escaped or
# not, so ``\{`` would unbalance a field. ``^^5c`` (TeX's notation for a backslash) is inert once each
# ``^`` is a command.
_TEX = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
}


def tex_escape(text: str) -> str:
    """Record text as literal TeX for a BibTeX field: every special printed, none interpreted."""
    return "".join(_TEX.get(ch, ch) for ch in one_line(text))


def is_et_al(author: str) -> bool:
    return author.strip().rstrip(".").casefold() == "et al"


def bibtex_author(author: str) -> str:
    """'Younger J' -> 'Younger, J.'; 'et al' -> 'others' (BibTeX's word for it). A name written with a
    comma is taken as already "Last, First"; a name without initials of several words ('FINAL Study
    Group') is braced, as is a surname with the word "and" in it, so that BibTeX reads it as one surname."""
    if is_et_al(author):
        return "others"
    name = " ".join(author.split())
    if "," in name:
        return tex_escape(name)
    last, initials = split_name(name)
    braced = " " in last and (not initials or "and" in last.casefold().split())
    last = f"{{{tex_escape(last)}}}" if braced else tex_escape(last)
    return f"{last}, {tex_escape(initials_text(initials))}" if initials else last


def bibtex(record: Study | Review) -> str:
    """One BibTeX entry: ``author = {Younger, J. and Mackey, S.}``, volume, number and pages where recorded,
    every value TeX-escaped (``tex_escape``)."""
    key = record.id.replace("-", "_")
    fields = [
        ("author", " and ".join(bibtex_author(a) for a in record.authors)),
        ("title", tex_escape(record.title)),
        ("journal", tex_escape(record.journal or "")),
        ("year", str(record.year)),
        ("volume", tex_escape(record.volume or "")),
        ("number", tex_escape(record.issue or "")),
        ("pages", re.sub(r"\s*-+\s*", "--", tex_escape(record.pages or ""))),
        ("doi", tex_escape(record.doi or "")),
        ("pmid", tex_escape(record.pmid or "")),
        ("note", tex_escape(f"Registration {record.registration}") if record.registration else ""),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    kind = "article" if record.journal else "misc"
    return f"@{kind}{{{key},\n{body}\n}}\n"


def registry_url(registration: str) -> str | None:
    from urllib.parse import quote

    reg = registration.strip()
    upper = reg.upper()
    if upper.startswith("NCT"):
        return f"https://clinicaltrials.gov/study/{quote(upper)}"
    if upper.startswith("ACTRN"):
        return f"https://www.anzctr.org.au/TrialSearch.aspx?searchTxt={quote(upper)}"
    if upper.startswith("ISRCTN"):
        return f"https://www.isrctn.com/{quote(upper)}"
    return None


def links(record: Study | Review) -> list[tuple[str, str]]:
    """(label, url) for the record's identifiers; URLs are built, never taken from the record."""
    from urllib.parse import quote

    out = []
    if record.doi:
        out.append((f"doi:{record.doi}", f"https://doi.org/{quote(record.doi, safe='/:;()._-')}"))
    if record.pmid:
        out.append((f"PubMed {record.pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{quote(record.pmid)}/"))
    if record.registration:
        url = registry_url(record.registration)
        if url:
            out.append((record.registration, url))
    return out


# --------------------------------------------------------------------------- reviews: kind of work, scope

REVIEW_DESIGN_LABELS = {
    "meta-analysis": "meta-analysis",
    "systematic-review": "systematic review",
    "scoping-review": "scoping review",
    "narrative-review": "narrative review",
    "conference-abstract": "conference abstract",
}
REVIEW_SCOPE_LABELS = {
    "fibromyalgia": "fibromyalgia",
    "chronic-pain": "chronic pain in general",
    "rheumatic": "rheumatic diseases",
    "mixed": "several conditions",
}


def review_kind_text(review: Review) -> str:
    """'meta-analysis', 'conference abstract · chronic pain in general': what the work is and whom it pooled."""
    text = REVIEW_DESIGN_LABELS.get(review.work, review.work)
    if review.scope != "fibromyalgia":
        text += f" · {REVIEW_SCOPE_LABELS.get(review.scope, review.scope)}"
    return text


def on_topic(review: Review, finding: ReviewFinding) -> bool:
    """A result that belongs beside placebo-controlled fibromyalgia results: against placebo, and of the
    review's whole population only where that is fibromyalgia (else of its fibromyalgia subgroup)."""
    return finding.comparison == "placebo" and (review.scope == "fibromyalgia" or finding.subgroup is not None)


def review_includes_text(review: Review, evidence: Evidence) -> str:
    """Which studies a review included, as far as its record says ("not reported", as everywhere else)."""
    names = [study_label(rec) if (rec := evidence.record(i)) is not None else i for i in review.includes]
    names += list(review.includes_other)
    if names:
        return ", ".join(names)
    if review.n_studies is None:
        return "not reported"
    return f"{plural(review.n_studies, 'study', 'studies')} (which ones: not reported)"


# --------------------------------------------------------------------------- registered trials

TRIAL_STATUS_LABELS = {
    "not-yet-recruiting": "not yet recruiting",
    "recruiting": "recruiting",
    "active-not-recruiting": "active, not recruiting",
    "completed": "completed",
    "terminated": "terminated",
    "withdrawn": "withdrawn",
    "unknown": "status unknown",
}
TRIAL_RESULTS_LABELS = {"none": "no results found", "posted": "results posted", "published": "results published"}


class TrialLine(NamedTuple):
    """A registration as every view names it: its status, the date read, its results."""

    registration: str
    status: str  # "completed (read 2026-12-03)", or "not in trials.toml"
    results: str  # "results published: Due Bruun et al. 2024", or ""
    ended: bool


def trial_line(registration: str, evidence: Evidence) -> TrialLine:
    """Never the word "ongoing": a trial is named by the status its registry gave on the date read."""
    trial = evidence.trial(registration)
    if trial is None:
        return TrialLine(registration, "status not recorded (no trials.toml entry)", "", False)
    status = f"{TRIAL_STATUS_LABELS.get(trial.status, trial.status)} (read {trial.status_checked.isoformat()}"
    status += ", secondary source)" if trial.secondary_source else ")"
    results = TRIAL_RESULTS_LABELS.get(trial.results, trial.results)
    if trial.study is not None:
        study = evidence.study(trial.study)
        results += f": {study_label(study) if study is not None else trial.study}"
    return TrialLine(registration, status, results, trial.ended)


def trial_text(registration: str, evidence: Evidence) -> str:
    line = trial_line(registration, evidence)
    return ", ".join(part for part in (f"{line.registration} {line.status}", line.results) if part)
