"""``summary --format markdown``: GitHub Markdown from the same facts as the text summary."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ldn_tui import facts
from ldn_tui.model import Evidence
from ldn_tui.text import one_line

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def esc(text: str) -> str:
    """Record text as literal Markdown on one line: no markup, no HTML, no table breaks."""
    return _SPECIAL.sub(r"\\\1", one_line(text))


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def summary_markdown(evidence: Evidence, extra: Sequence[str] = ()) -> str:
    topic = evidence.topic
    out = [f"# {esc(topic.title)}", "", f"**Question:** {esc(topic.question)}", ""]
    out += [
        f"{esc(facts.counts(evidence))} ({esc(facts.year_span(evidence))}); "
        f"last checked against the literature {topic.last_reviewed.isoformat()}.",
        "",
    ]
    if topic.summary:
        out += [esc(topic.summary), ""]

    benefit = [d for d in topic.domains if d.kind == "benefit"][:1]
    header = ["Study", "Design", "n", "Dose", "Weeks", "Blinding", "Risk of bias"] + [d.label for d in benefit]
    rows: list[list[str]] = []
    for r in facts.study_rows(evidence):
        row = [r.label, r.design, r.n, r.dose, r.weeks, r.blinding, r.risk_of_bias, r.pain]
        rows.append(row[: len(header)])
    out += ["## Studies", "", *table(header, rows)]
    out += list(extra)

    out += ["## Findings by outcome", ""]
    for domain in topic.domains:
        found = facts.domain_findings(evidence, domain.id)
        if not found:
            continue
        out += [f"### {esc(domain.label)}", ""]
        out += table(
            ["Study", "Measure", "Finding", "What was found"],
            [
                [facts.study_label(f.study), f.outcome.measure, facts.outcome_brief(f.outcome), f.outcome.summary]
                for f in found
            ],
        )

    groups = facts.inflammation_groups(evidence)
    if groups:
        out += ["## Inflammation and other biological findings", ""]
        out += table(
            ["Study", "n", "Markers", "Role", "Finding", "What was found"],
            [
                [facts.study_label(g.study), facts.n_text(g.study), ", ".join(g.markers), g.role,
                 facts.FINDING_LABELS.get(g.finding, g.finding), g.summary]
                for g in groups
            ],
        )
    if evidence.mechanisms:
        out += ["## Proposed mechanisms", ""]
        out += table(
            ["Mechanism", "Status", "Summary"],
            [[m.title, facts.STATUS_LABELS.get(m.status, m.status), m.summary] for m in evidence.mechanisms],
        )
    if evidence.questions:
        out += ["## Open questions", ""]
        out += table(
            ["Question", "Why it matters", "Ongoing or registered"],
            [[q.question, q.why, ", ".join(q.ongoing) or "none found"] for q in evidence.questions],
        )
    if evidence.reviews:
        first = topic.domains[0] if topic.domains else None
        out += ["## Systematic reviews and meta-analyses, oldest first", ""]
        review_rows = []
        for review in facts.reviews_by_date(evidence):
            main = facts.review_main_finding(review, first.id) if first else None
            review_rows.append(
                [facts.study_label(review), review.kind.replace("-", " "),
                 facts.finding_text(main) if main else "no pooled estimate", review.conclusion]
            )
        out += table(["Review", "Kind", f"{first.label if first else 'Main'}: pooled", "Conclusion"], review_rows)
    return "\n".join(out).rstrip() + "\n"
