"""GitHub Markdown from the same facts as the text summary.

``summary_markdown`` is ``summary --format markdown``; ``section_markdown``
and ``study_markdown`` are what the app exports for the pane in view.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ldn_tui.model import Evidence, Study
from ldn_tui.report import facts
from ldn_tui.text import one_line

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def esc(text: str) -> str:
    """Record text as literal Markdown on one line: no markup, no HTML, no table breaks."""
    return _SPECIAL.sub(r"\\\1", one_line(text))


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def md_heading(evidence: Evidence) -> list[str]:
    topic = evidence.topic
    out = [f"# {esc(topic.title)}", "", f"**Question:** {esc(topic.question)}", ""]
    out += [
        f"{esc(facts.counts(evidence))} ({esc(facts.year_span(evidence))}); "
        f"last checked against the literature {topic.last_reviewed.isoformat()}.",
        "",
    ]
    if topic.summary:
        out += [esc(topic.summary), ""]
    return out


def md_studies(evidence: Evidence) -> list[str]:
    benefit = [d for d in evidence.topic.domains if d.kind == "benefit"][:2]
    header = ["Study", "Design", "n", "Dose", "Weeks", "Blinding", "Risk of bias", *(d.label for d in benefit)]
    rows = [
        [r.label, r.design, r.n, r.dose, r.weeks, r.blinding, r.risk_of_bias, r.pain, r.function][: len(header)]
        for r in facts.study_rows(evidence)
    ]
    return ["## Studies", "", *table(header, rows)]


def md_outcomes(evidence: Evidence) -> list[str]:
    out = ["## Findings by outcome", ""]
    for domain in evidence.topic.domains:
        found = facts.domain_findings(evidence, domain.id)
        if not found:
            continue
        out += [f"### {esc(domain.label)}", ""]
        out += table(
            ["Study", "Measure", "Finding", "What was found", "Where in the paper"],
            [
                [facts.study_label(f.study), f.outcome.measure, facts.outcome_brief(f.outcome),
                 f.outcome.summary, f.outcome.source]
                for f in found
            ],
        )
    return out


def md_inflammation(evidence: Evidence) -> list[str]:
    groups = facts.inflammation_groups(evidence)
    if not groups:
        return []
    return [
        "## Inflammation and other biological findings",
        "",
        *table(
            ["Study", "n", "Markers", "Role", "Finding", "What was found"],
            [
                [facts.study_label(g.study), facts.n_text(g.study), ", ".join(g.markers), g.role,
                 facts.FINDING_LABELS.get(g.finding, g.finding), g.summary]
                for g in groups
            ],
        ),
    ]


def md_mechanisms(evidence: Evidence) -> list[str]:
    if not evidence.mechanisms:
        return []
    rows = [
        [m.title, facts.STATUS_LABELS.get(m.status, m.status), m.summary,
         ", ".join(m.studies) or "none", ", ".join(m.studies_against) or "none"]
        for m in evidence.mechanisms
    ]
    return ["## Proposed mechanisms", "", *table(["Mechanism", "Status", "Summary", "For", "Against"], rows)]


def md_questions(evidence: Evidence) -> list[str]:
    if not evidence.questions:
        return []
    rows = [[q.question, q.why, ", ".join(q.studies) or "none",
             "; ".join(facts.trial_text(r, evidence) for r in q.ongoing) or "none found"]
            for q in evidence.questions]
    out = ["## Open questions", "", *table(["Question", "Why it matters", "Studies", "Registered trials"], rows)]
    if evidence.trials:
        trials = [[line.registration, line.status, line.results, t.title]
                  for t in evidence.trials for line in (facts.trial_line(t.registration, evidence),)]
        out += ["## Registered trials, with their status as read", "",
                *table(["Registration", "Status (date read)", "Results", "Title"], trials)]
    return out


def md_reviews(evidence: Evidence) -> list[str]:
    if not evidence.reviews:
        return []
    first = evidence.topic.domains[0] if evidence.topic.domains else None
    rows = []
    for review in facts.reviews_by_date(evidence):
        main = facts.review_main_finding(review, first.id) if first else None
        searched = review.search_date.isoformat() if review.search_date else facts.NOT_REPORTED
        rows.append(
            [facts.study_label(review), facts.review_kind_text(review), facts.review_includes_text(review, evidence),
             searched, facts.finding_text(main) if main else "no pooled estimate", review.conclusion]
        )
    header = ["Review", "Kind", "Included", "Searched to", f"{first.label if first else 'Main'}: pooled", "Conclusion"]
    return ["## Systematic reviews and meta-analyses, oldest first", "", *table(header, rows)]


SECTIONS: dict[str, Callable[[Evidence], list[str]]] = {
    "mechanisms": md_mechanisms,
    "outcomes": lambda e: md_studies(e) + md_outcomes(e),
    "inflammation": md_inflammation,
    "questions": md_questions,
    "reviews": md_reviews,
}


def section_markdown(evidence: Evidence, section: str, extra: Sequence[str] = ()) -> str:
    """One pane's content as a Markdown document; ``summary`` is the whole summary."""
    if section == "summary":
        return summary_markdown(evidence, extra)
    body = SECTIONS[section](evidence)
    return "\n".join(md_heading(evidence) + body).rstrip() + "\n"


def summary_markdown(evidence: Evidence, extra: Sequence[str] = ()) -> str:
    out = md_heading(evidence) + md_studies(evidence) + list(extra)
    for part in (md_outcomes, md_inflammation, md_mechanisms, md_questions, md_reviews):
        out += part(evidence)
    return "\n".join(out).rstrip() + "\n"


def study_markdown(study: Study) -> str:
    """A study's detail: citation, design, every outcome with where it stands, bias, caveats."""
    out = [f"# {esc(study.title)}", "", esc(facts.citation(study)), ""]
    pop, inter = study.population, study.intervention
    out += table(
        ["Field", "Value"],
        [
            ["Design", f"{facts.design_text(study)}, {study.blinding} blinding"],
            ["Population", f"{pop.description} ({facts.n_detail(study)})"],
            ["Intervention", inter.description],
            ["Dose", facts.dose_text(study)],
            ["Weeks", facts.weeks_text(study)],
            ["Comparator", study.comparator.description or study.comparator.kind],
            ["Country", study.country or facts.NOT_REPORTED],
            ["Funding", study.funding or facts.NOT_REPORTED],
        ],
    )
    out += [esc(study.summary), ""]
    if study.outcomes:
        out += ["## Outcomes", ""]
        out += table(
            ["Domain", "Measure", "Finding", "What was found", "Where in the paper"],
            [[o.domain, o.measure, facts.outcome_brief(o), o.summary, o.source] for o in study.outcomes],
        )
    if study.biomarkers:
        out += ["## Biomarkers", ""]
        out += table(
            ["Marker", "Role", "Finding", "What was found", "Where"],
            [[b.marker, b.role, facts.FINDING_LABELS.get(b.finding, b.finding), b.summary, b.source]
             for b in study.biomarkers],
        )
    out += ["## Adverse events", "", esc(study.adverse_events or facts.NOT_REPORTED), ""]
    rob = study.risk_of_bias
    out += ["## Risk of bias", ""]
    if rob is None:
        out += [facts.NOT_REPORTED, ""]
    else:
        rows = [[name.replace("_", " "), facts.ROB_LABELS.get(j, j) if j else facts.NOT_REPORTED]
                for name, j in rob.domains()]
        rows.append(["overall", facts.ROB_LABELS.get(rob.overall, rob.overall)])
        out += table(["Domain", "Judgment"], rows)
        out += [f"Judged by: {esc(rob.assessed_by)}", ""]
        if rob.rationale:
            out += [esc(rob.rationale), ""]
    if study.caveats:
        out += ["## Caveats", "", *(f"- {esc(c)}" for c in study.caveats), ""]
    return "\n".join(out).rstrip() + "\n"
