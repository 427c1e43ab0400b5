"""Rich renderables of the evidence, shared by ``ldn-tui summary`` and the app.

Every cell is a ``rich.text.Text`` built from record text, never a markup
string: a ``[/b]`` in a record is shown as written.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ldn_tui.model import Domain, Evidence
from ldn_tui.report import facts
from ldn_tui.text import cell_text

RESULT_STYLES = {"benefit": "green", "no-difference": "yellow", "harm": "red", "unclear": "dim"}
ROB_STYLES = {"low": "green", "some concerns": "yellow", "high": "bold red", facts.NOT_REPORTED: "dim"}
STATUS_STYLES = {"hypothesis": "cyan", "animal-evidence": "blue", "human-evidence": "green", "contested": "red"}


def T(text: str, style: str = "") -> Text:
    """Literal text: never parsed as markup; of a width terminals agree on (``cell_text``)."""
    return Text(cell_text(text), style=style)


def _table(title: str, *, expand: bool = True) -> Table:
    return Table(
        title=T(title, "bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        expand=expand,
        show_edge=False,
        pad_edge=False,
    )


def heading(evidence: Evidence) -> RenderableType:
    topic = evidence.topic
    lines = [
        T(topic.title, "bold"),
        T(topic.question),
        T(
            f"{facts.counts(evidence)} ({facts.year_span(evidence)}); "
            f"last checked against the literature {topic.last_reviewed.isoformat()}",
            "dim",
        ),
    ]
    if topic.summary:
        lines.append(T(""))
        lines.append(T(topic.summary))
    return Group(*lines)


def study_table(evidence: Evidence, title: str = "Studies", width: int | None = None) -> Table:
    """The study table; below 130 columns, design/blinding/bias and dose/weeks share cells."""
    domains = [d for d in evidence.topic.domains if d.kind == "benefit"][:1]
    narrow = width is not None and width < 130
    table = _table(title)
    table.add_column(T("Study"), max_width=16 if narrow else 22)
    table.add_column(T("Design"), max_width=15)
    table.add_column(T("n"), justify="right", no_wrap=True)
    table.add_column(T("Dose"), max_width=12)
    if not narrow:
        table.add_column(T("Weeks"), justify="right", max_width=12)
        table.add_column(T("Blinding"), no_wrap=True)
        table.add_column(T("Risk of bias"), max_width=13)
    table.add_column(T(domains[0].label if domains else "Finding"), ratio=1)
    for row in facts.study_rows(evidence):
        design = T(row.design, "" if row.randomised else "dim")
        dose = T(row.dose, "dim" if row.dose == facts.NOT_REPORTED else "")
        weeks = T(row.weeks, "dim" if row.weeks == facts.NOT_REPORTED else "")
        rob = T(row.risk_of_bias, ROB_STYLES.get(row.risk_of_bias, ""))
        if narrow:
            design = Text.assemble(
                design, "\n", T(facts.blinding_text(row.blinding), "dim"), "\n", T("bias: ", "dim"), rob
            )
            dose = Text.assemble(dose, "\n", T("weeks: ", "dim"), weeks)
            cells = [T(row.label), design, T(row.n), dose]
        else:
            cells = [T(row.label), design, T(row.n), dose, weeks, T(row.blinding), rob]
        table.add_row(*cells, _finding_cell(row.pain))
    return table


class StudyTable:
    """``study_table`` laid out for the width it is given."""

    def __init__(self, evidence: Evidence, title: str = "Studies") -> None:
        self.evidence = evidence
        self.title = title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield study_table(self.evidence, self.title, options.max_width)


def _finding_cell(text: str) -> Text:
    for key, style in RESULT_STYLES.items():
        if text.startswith(facts.RESULT_LABELS[key]):
            return T(text, style)
    return T(text, "dim")


def _what(heading: str, summary: str, note: str = "") -> Text:
    """A dim heading line (the measure), then the finding in words."""
    text = Text.assemble(T(heading, "dim"), "\n", T(summary))
    if note:
        text.append("\n")
        text.append(T(note, "dim italic"))
    return text


def domain_table(evidence: Evidence, domain: Domain) -> Table | None:
    rows = facts.domain_findings(evidence, domain.id)
    if not rows:
        return None
    table = _table(f"{domain.label} ({'harm' if domain.kind == 'harm' else 'benefit'} outcome)")
    table.add_column(T("Study"), max_width=18)
    table.add_column(T("Finding"), max_width=24)
    table.add_column(T("Measure, and what was found"), ratio=1)
    for r in rows:
        o = r.outcome
        measure = o.measure + (f" ({o.timepoint})" if o.timepoint else "")
        table.add_row(
            T(facts.study_label(r.study)),
            _finding_cell(facts.outcome_brief(o)),
            _what(measure, o.summary, f"Source: {o.source}"),
        )
    return table


def inflammation_table(evidence: Evidence) -> Table:
    table = _table("Inflammation and other biological findings")
    table.add_column(T("Study"), max_width=18)
    table.add_column(T("n"), justify="right", no_wrap=True)
    table.add_column(T("Finding"), max_width=20)
    table.add_column(T("Markers, and what was found"), ratio=1)
    for g in facts.inflammation_groups(evidence):
        finding = f"{g.role}: {facts.FINDING_LABELS.get(g.finding, g.finding)}"
        table.add_row(
            T(facts.study_label(g.study)),
            T(facts.n_text(g.study)),
            T(finding, "bold" if g.finding == "predicts-response" else ""),
            _what(", ".join(g.markers), g.summary),
        )
    return table


def mechanism_table(evidence: Evidence) -> Table:
    table = _table("Proposed mechanisms")
    table.add_column(T("Mechanism"), ratio=1)
    table.add_column(T("Status"), no_wrap=True)
    table.add_column(T("Summary"), ratio=3)
    for m in evidence.mechanisms:
        table.add_row(
            T(m.title, "bold"),
            T(facts.STATUS_LABELS.get(m.status, m.status), STATUS_STYLES.get(m.status, "")),
            T(m.summary),
        )
    return table


def _trials_text(registrations: Sequence[str], evidence: Evidence) -> Text:
    """Each registration on its own line, with its status as read: never called "ongoing"."""
    if not registrations:
        return T("Registered trials: none found", "dim")
    text = T("Registered trials:", "dim")
    for registration in registrations:
        text.append("\n• ")
        text.append_text(T(facts.trial_text(registration, evidence)))
    return text


def question_table(evidence: Evidence) -> Table:
    table = _table("Open questions")
    table.add_column(T("Question"), ratio=2)
    table.add_column(T("Why it matters, and the registered trials"), ratio=3)
    for q in evidence.questions:
        table.add_row(T(q.question, "bold"), Text.assemble(T(q.why), "\n", _trials_text(q.ongoing, evidence)))
    return table


def trials_table(evidence: Evidence) -> Table:
    """Every registered trial of trials.toml with its status, the date it was read and its results."""
    table = _table("Registered trials, with their status as read")
    table.add_column(T("Registration"), no_wrap=True)
    table.add_column(T("Status (date read)"), ratio=1)
    table.add_column(T("Results"), ratio=1, overflow="fold")
    table.add_column(T("Title"), ratio=2)
    for trial in evidence.trials:
        line = facts.trial_line(trial.registration, evidence)
        table.add_row(T(trial.registration, "bold"), T(line.status, "dim" if line.ended else ""), T(line.results),
                      T(trial.title))
    return table


def review_table(evidence: Evidence) -> Table:
    """One row a review: who and what kind of work (a name can be a journal's, so it wraps), what it
    included (the studies where that was read) and when it searched, its pooled result for the first
    outcome, and its conclusion: side by side, so the reasons reviews disagree show."""
    first = evidence.topic.domains[0] if evidence.topic.domains else None
    table = _table("Systematic reviews and meta-analyses, oldest first")
    table.add_column(T("Review"), max_width=24)
    table.add_column(T("Included"), ratio=2)
    table.add_column(T(f"{first.label}: pooled" if first else "Pooled"), ratio=2)
    table.add_column(T("Conclusion"), ratio=3)
    for r in facts.reviews_by_date(evidence):
        main = facts.review_main_finding(r, first.id) if first else None
        included = T(facts.review_includes_text(r, evidence))
        if r.search_date is not None:
            included.append(f"\nsearched to {r.search_date.isoformat()}", "dim")
        table.add_row(
            Text.assemble(T(facts.study_label(r)), "\n", T(facts.review_kind_text(r), "dim")),
            included,
            T(facts.finding_text(main) if main else "no pooled estimate", "" if main else "dim"),
            T(r.conclusion),
        )
    return table


def summary_renderables(evidence: Evidence, extra: Sequence[RenderableType] = ()) -> list[RenderableType]:
    """The whole summary, top to bottom, each part ending with a blank line. ``extra`` (syntheses,
    plots) goes after the studies."""
    parts: list[RenderableType] = [heading(evidence), StudyTable(evidence), *extra]
    for domain in evidence.topic.domains:
        table = domain_table(evidence, domain)
        if table is not None:
            parts.append(table)
    if any(s.biomarkers for s in evidence.studies):
        parts.append(inflammation_table(evidence))
    if evidence.mechanisms:
        parts.append(mechanism_table(evidence))
    if evidence.questions:
        parts.append(question_table(evidence))
    if evidence.trials:
        parts.append(trials_table(evidence))
    if evidence.reviews:
        parts.append(review_table(evidence))
    return [Padding(p, (0, 0, 1, 0)) for p in parts]
