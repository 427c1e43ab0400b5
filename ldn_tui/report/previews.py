"""Rich renderables for the panes' list entries and previews (no Textual).

Words for facts come from ``ldn_tui.report.facts``; the inflammation pane opens with
``report.tables.inflammation_table``, the table the summary prints.
"""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ldn_tui.model import Evidence, Mechanism, Question, Review, Study, Trial
from ldn_tui.report import facts, tables
from ldn_tui.report.study_view import not_reported, section
from ldn_tui.text import plural

INFLAMMATION_LIMIT = 200
MARKER_WORDS = re.compile(r"cytokine|biomarker|inflammat|marker|analyte", re.IGNORECASE)


def record_label(record: Study | Review | None, record_id: str) -> str:
    return facts.study_label(record) if record is not None else record_id


def finding_cell(text: str) -> Text:
    for key, style in tables.RESULT_STYLES.items():
        if text.startswith(facts.RESULT_LABELS[key]):
            return Text(text, style=style)
    return Text(text, style="dim")


def study_line(prefix: Text, record: Study | Review | None, record_id: str) -> RenderableType:
    """'    ▲ for      Younger 2013 · title…' on one line, cut with an ellipsis to fit."""
    line = Text.assemble((record_label(record, record_id), "bold"), no_wrap=True, overflow="ellipsis")
    if record is not None:
        line.append(" · ", "dim")
        line.append(record.title, "dim")
    grid = Table.grid(expand=True)
    grid.add_column(width=prefix.cell_len, no_wrap=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_row(prefix, line)
    return grid


def study_preview(study: Study, evidence: Evidence) -> RenderableType:
    """A quick look at a study: who, what design, what it found (findings before the long summary)."""
    benefit = [d for d in evidence.topic.domains if d.kind == "benefit"][:2]
    lines: list[RenderableType] = [
        Text.assemble((study.title, "bold"), ("   enter opens the full record", "dim italic")),
        Text(f"{facts.study_label(study)} · {facts.design_text(study)} · {facts.n_detail(study)} · "
             f"dose {facts.dose_text(study)} · weeks {facts.weeks_text(study)} · blinding {study.blinding}",
             style="dim"),
    ]
    for domain in benefit:
        lines.append(Text.assemble((f"{domain.label}: ", "bold")) + finding_cell(facts.domain_brief(study, domain.id)))
    lines += [Text(""), Text(study.summary)]
    return Group(*lines)


def review_preview(review: Review) -> RenderableType:
    return Group(Text(review.title, style="bold"), Text(facts.study_label(review), style="dim"),
                 Text(""), Text(review.conclusion))


def record_preview(record: Study | Review | None, evidence: Evidence) -> RenderableType:
    """The preview of a study or review a list links to (nothing for an unknown id)."""
    if isinstance(record, Study):
        return study_preview(record, evidence)
    if isinstance(record, Review):
        return review_preview(record)
    return Text("")


def mechanism_heading(mechanism: Mechanism) -> RenderableType:
    status = facts.STATUS_LABELS.get(mechanism.status, mechanism.status)
    head = Text.assemble((mechanism.title, "bold"), "  ",
                         (f" {status} ", f"reverse {tables.STATUS_STYLES.get(mechanism.status, '')}".strip()))
    return Group(head, Text(mechanism.summary))


def mechanism_preview(mechanism: Mechanism, evidence: Evidence) -> RenderableType:
    """Beside the list (which shows the summary): what each study found, the references, the caveats."""
    status = facts.STATUS_LABELS.get(mechanism.status, mechanism.status)
    parts: list[RenderableType] = [Text.assemble((mechanism.title, "bold"), ("  " + status, "dim"))]
    benefit = next((d for d in evidence.topic.domains if d.kind == "benefit"), None)
    for title, ids in (("Studies for it", mechanism.studies), ("Studies against it", mechanism.studies_against)):
        parts.append(section(title))
        for record_id in ids:
            record = evidence.record(record_id)
            line = Text.assemble("• ", (record_label(record, record_id), "bold"))
            if isinstance(record, Study):
                line.append(f" (n = {facts.n_text(record)}, {facts.design_text(record)})", "dim")
                if benefit is not None:
                    line.append(f"\n  {benefit.label}: ")
                    line.append_text(finding_cell(facts.domain_brief(record, benefit.id)))
            parts.append(line)
        if not ids:
            parts.append(Text("none recorded", style="dim"))
    parts.append(section("References"))
    parts.extend(Text(f"• {r}") for r in mechanism.references)
    if not mechanism.references:
        parts.append(Text("none recorded", style="dim"))
    parts.append(section("Caveats"))
    parts.extend(Text(f"• {c}") for c in mechanism.caveats)
    if not mechanism.caveats:
        parts.append(Text("none recorded", style="dim"))
    return Group(*parts)


def question_heading(question: Question) -> RenderableType:
    return Group(Text(question.question, style="bold"), Text.assemble(("Why it matters: ", "dim"), question.why))


def trial_line(registration: str, evidence: Evidence) -> Text:
    """'    registered  NCT02107014  completed (read 2026-12-03) · no results found': a registration with
    its status as read, never called "ongoing"; the registration links to its registry."""
    line = Text.assemble(("    registered  ", "dim"))
    url = facts.registry_url(registration)
    line.append(registration, Style(link=url, underline=True) if url else "")
    found = facts.trial_line(registration, evidence)
    line.append(f"  {found.status}", "dim" if found.ended else "")
    if found.results:
        line.append(f" · {found.results}", "dim")
    return line


def trial_preview(trial: Trial, evidence: Evidence) -> RenderableType:
    """A registered trial in full: its status as read and when, its results, where the status was read."""
    found = facts.trial_line(trial.registration, evidence)
    lines: list[RenderableType] = [
        Text.assemble((trial.registration, "bold"), "  ", (trial.title, "italic")),
        Text.assemble(("Status: ", "bold"), found.status),
        Text(found.results[:1].upper() + found.results[1:]),
    ]
    if trial.planned_n is not None:
        lines.append(Text.assemble(("Planned: ", "bold"), plural(trial.planned_n, 'participant')))
    if trial.country is not None:
        lines.append(Text.assemble(("Country: ", "bold"), trial.country))
    lines.append(Text.assemble(("Where the status was read: ", "bold"), trial.source))
    named = [q.question for q in evidence.questions if trial.registration in q.ongoing]
    if named:
        lines.append(section("Open questions that name it"))
        lines.extend(Text(f"• {q}") for q in named)
    return Group(*lines)


def question_trials(question: Question, evidence: Evidence) -> RenderableType:
    """The registrations a question names, one line each, or that none was found."""
    if not question.ongoing:
        return Text("    registered  none found", style="dim")
    return Group(*(trial_line(r, evidence) for r in question.ongoing))


def review_entry(review: Review, evidence: Evidence) -> RenderableType:
    """A review with every pooled result it published and its conclusion."""
    head = Text.assemble((facts.study_label(review), "bold"), (f" · {facts.review_kind_text(review)}", "dim"))
    if review.search_date:
        head.append(f" · searched to {review.search_date.isoformat()}", "dim")
    included = review.n_studies if review.n_studies is not None else len(review.includes) or None
    head.append(f" · {plural(included, 'study', 'studies')}" if included is not None else " · studies: not reported", "dim")
    if review.certainty:
        head.append(f" · its own certainty: {review.certainty}", "dim")
    body: list[RenderableType] = [Text(review.title, style="italic")]
    for f in review.findings:
        domain = evidence.topic.domain(f.domain)
        body.append(Text.assemble((f"{domain.label if domain else f.domain}: ", "bold"), facts.finding_text(f)))
    if not review.findings:
        body.append(not_reported("pooled results: not reported"))
    body.append(Text.assemble(("Conclusion: ", "bold"), review.conclusion))
    body.append(Text.assemble(("Included: ", "bold"), facts.review_includes_text(review, evidence)))
    return Group(head, Padding(Group(*body), (0, 0, 0, 2)))


def _markers_table(evidence: Evidence) -> Table:
    """Each marker with what happened to it and where (markers with the same story share a row)."""
    by_marker: dict[str, list[tuple[str, Study]]] = {}
    names: dict[str, str] = {}
    for row in facts.inflammation_rows(evidence):
        key = row.marker.casefold()
        names.setdefault(key, row.marker)
        by_marker.setdefault(key, []).append((row.finding, row.study))
    stories: dict[str, list[str]] = {}
    for key in sorted(by_marker):
        story = "; ".join(
            f"{facts.FINDING_LABELS.get(finding, finding)} in {facts.study_label(study)} (n = {facts.n_text(study)})"
            for finding, study in by_marker[key]
        )
        stories.setdefault(story, []).append(names[key])
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)
    table.add_column(Text("Marker"), ratio=1)
    table.add_column(Text("What was found, with the sample size"), ratio=2)
    for story, markers in stories.items():
        table.add_row(Text(", ".join(markers), style="bold"), Text(story))
    return table


def unreported_markers(evidence: Evidence) -> list[tuple[Study, str]]:
    """Caveats about markers that were measured or registered but not (fully) reported."""
    return [(s, c) for s in evidence.studies for c in s.caveats if MARKER_WORDS.search(c)]


def inflammation_view(evidence: Evidence, limit: int = INFLAMMATION_LIMIT) -> RenderableType:
    """By study (the summary's ``inflammation_table``), by marker, and what went unreported.

    A folder with more than ``limit`` studies reporting markers shows the first ``limit`` of them
    (search with ``marker:NAME`` reaches the rest).
    """
    parts: list[RenderableType] = []
    with_markers = [s for s in evidence.studies if s.biomarkers]
    if len(with_markers) > limit:
        parts.append(Text(f"The first {limit} of {len(with_markers)} studies that report biomarkers; "
                          "search (/ marker:IL-6) finds the others.", style="dim italic"))
        evidence = evidence.with_studies(tuple(with_markers[:limit]))
    if with_markers:
        parts.append(tables.inflammation_table(evidence))
        parts.append(section("By marker"))
        parts.append(_markers_table(evidence))
    else:
        parts.append(Text("No study in this folder reports a biomarker.", style="dim"))
    parts.append(section("Registered or measured, but not (fully) reported"))
    caveats = unreported_markers(evidence)
    for study, caveat in caveats[:limit]:
        parts.append(Text.assemble("• ", (facts.study_label(study), "bold"),
                                   f" (n = {facts.n_text(study)}): ", caveat))
    if not caveats:
        parts.append(Text("No caveat in this folder mentions unreported markers.", style="dim"))
    return Group(*parts)
