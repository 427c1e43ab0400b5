"""The full record of one study as Rich renderables (no Textual): the study detail screen.

Every value comes from the model or from ``ldn_tui.report.facts`` (the same words the
summary prints); a field the record leaves out reads "not reported".
"""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ldn_tui.model import Arm, BinaryArm, Evidence, Outcome, Review, RiskOfBias, Study
from ldn_tui.report import facts
from ldn_tui.report.highlight import Marker
from ldn_tui.report.tables import RESULT_STYLES, ROB_STYLES

NR = facts.NOT_REPORTED
ROB_SYMBOLS = {"low": "+", "some-concerns": "!", "high": "×"}
ROB_DOMAIN_LABELS = {
    "randomisation": "Randomisation",
    "deviations": "Deviations",
    "missing_data": "Missing data",
    "measurement": "Measurement",
    "reporting": "Reporting",
    "overall": "Overall",
}


def section(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def not_reported(text: str = NR) -> Text:
    return Text(text, style="dim italic")


def link_line(record: Study | Review, mark: Marker) -> Text:
    """'doi:10.x · PubMed 123 · NCT…', each a clickable link (addresses built by ``facts.links``)."""
    line = Text()
    for i, (label, url) in enumerate(facts.links(record)):
        if i:
            line.append("  ·  ", "dim")
        value = mark(label)
        value.stylize(Style(link=url, underline=True))
        line.append_text(value)
    if record.registration and facts.registry_url(record.registration) is None:
        line.append("  ·  " if line else "", "dim")
        line.append_text(Text.assemble(("registration ", "dim")) + mark(record.registration))
    if not line:
        line.append("no DOI, PubMed id or registration recorded", "dim italic")
    return line


def _pairs(rows: Iterable[tuple[str, Text | str | None]], mark: Marker) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for key, value in rows:
        if value is None:
            cell: Text = not_reported()
        elif isinstance(value, str):
            cell = mark(value)
        else:
            cell = value
        table.add_row(Text(key), cell)
    return table


def _join(parts: Iterable[Text], sep: str = "; ") -> Text:
    return Text(sep).join(list(parts))


def population_text(study: Study, mark: Marker) -> Text:
    pop = study.population
    parts = [mark(pop.description), Text(facts.n_detail(study))]
    parts.append(Text(f"{facts.num(pop.female_percent, 1)}% women") if pop.female_percent is not None
                 else not_reported("women: not reported"))
    parts.append(Text(f"mean age {facts.num(pop.age_mean, 1)}") if pop.age_mean is not None
                 else not_reported("age: not reported"))
    return _join(parts)


def intervention_text(study: Study, mark: Marker) -> Text:
    iv = study.intervention
    dose = facts.dose_text(study)
    weeks = facts.weeks_text(study)
    return _join([
        mark(iv.description),
        Text(f"highest daily dose {dose}") if dose != NR else not_reported("dose: not reported"),
        Text(f"{weeks} weeks") if weeks != NR else not_reported("duration: not reported"),
    ])


def comparator_text(study: Study, mark: Marker) -> Text:
    comp = study.comparator
    parts = [Text(comp.kind)]
    parts.append(mark(comp.description) if comp.description else not_reported("description: not reported"))
    return _join(parts, ": ")


def arm_text(arm: Arm) -> str:
    if isinstance(arm, BinaryArm):
        return f"{arm.events}/{arm.total}"
    return f"{facts.num(arm.mean)} ± {facts.num(arm.sd)} (n = {arm.n})"


def outcome_block(outcome: Outcome, evidence: Evidence, mark: Marker) -> RenderableType:
    domain = evidence.topic.domain(outcome.domain)
    head = Text.assemble((domain.label if domain else outcome.domain, "bold"), (" · ", "dim"))
    head.append_text(mark(outcome.measure))
    head.append_text(Text(" (") + mark(outcome.timepoint) + Text(")") if outcome.timepoint
                     else not_reported(" (timepoint not reported)"))
    brief = Text(facts.outcome_brief(outcome), style=RESULT_STYLES.get(outcome.result, ""))
    if outcome.arms is not None:
        figures = Text(f"intervention {arm_text(outcome.arms.intervention)} vs control {arm_text(outcome.arms.control)}")
    elif outcome.effect is None and outcome.p_value is None:
        figures = not_reported("no figures reported")
    else:
        figures = Text("arm figures not reported", style="dim")
    where = Text.assemble(("Source: ", "dim")) + mark(outcome.source)
    if outcome.secondary_source:
        where.append("   ⚠ secondary source: figures read only in a secondary source", style="bold yellow")
    body = Group(brief, mark(outcome.summary), figures, where)
    return Group(head, Padding(body, (0, 0, 0, 2)))


def biomarker_lines(study: Study, mark: Marker) -> list[Text]:
    """One line per finding; markers with the same role, finding, words and source share it."""
    groups: dict[tuple[str, str, str, str, bool], list[str]] = {}
    for b in study.biomarkers:
        groups.setdefault((b.role, b.finding, b.summary, b.source, b.secondary_source), []).append(b.marker)
    lines = []
    for (role, finding, summary, source, secondary), markers in groups.items():
        line = mark(", ".join(markers), "bold")
        line.append(f" · {role} · {facts.FINDING_LABELS.get(finding, finding)}: ")
        line.append_text(mark(summary))
        line.append_text(Text.assemble((" Source: ", "dim")) + mark(source))
        if secondary:
            line.append("  ⚠ secondary source", style="bold yellow")
        lines.append(line)
    return lines


class RobGrid:
    """RoB 2 judgments as coloured cells: a row across when wide, a column when narrow."""

    def __init__(self, rob: RiskOfBias) -> None:
        self.rob = rob

    def cells(self) -> list[tuple[str, Text]]:
        out = []
        for key, value in (*self.rob.domains(), ("overall", self.rob.overall)):
            if value is None:
                cell = Text(" ? not judged ", style="dim")
            else:
                label = facts.ROB_LABELS.get(value, value)
                colour = ROB_STYLES.get(label, "")
                cell = Text(f" {ROB_SYMBOLS.get(value, '?')} {label} ", style=f"bold reverse {colour}".strip())
            out.append((ROB_DOMAIN_LABELS[key], cell))
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        cells = self.cells()
        if options.max_width >= 96:
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            for name, _ in cells:
                table.add_column(Text(name), no_wrap=True)
            table.add_row(*(cell for _, cell in cells))
        else:
            table = Table.grid(padding=(0, 2))
            table.add_column(no_wrap=True)
            table.add_column(no_wrap=True)
            for name, cell in cells:
                table.add_row(Text(name), cell)
        yield table


def rob_block(study: Study, mark: Marker) -> RenderableType:
    rob = study.risk_of_bias
    if rob is None:
        return not_reported("risk of bias: not assessed (not reported)")
    parts: list[RenderableType] = [
        Text.assemble(("Judged by ", "dim")) + mark(rob.assessed_by),
        RobGrid(rob),
        Text.assemble(("Rationale: ", "bold")) + (mark(rob.rationale) if rob.rationale else not_reported()),
    ]
    return Group(*parts)


def appearances(study: Study, evidence: Evidence, mark: Marker) -> Table:
    mechs = [f"{m.title} (for)" for m in evidence.mechanisms if study.id in m.studies]
    mechs += [f"{m.title} (against)" for m in evidence.mechanisms if study.id in m.studies_against]
    questions = [q.question for q in evidence.questions if study.id in q.studies]
    reviews = [facts.study_label(r) for r in facts.reviews_by_date(evidence) if study.id in r.includes]
    return _pairs(
        [
            ("Mechanisms", "; ".join(mechs) or Text("none", style="dim")),
            ("Open questions", "; ".join(questions) or Text("none", style="dim")),
            ("Included in reviews", ", ".join(reviews) or Text("none", style="dim")),
        ],
        mark,
    )


def study_detail(study: Study, evidence: Evidence, mark: Marker | None = None) -> Group:
    """Everything the record says about the study, top to bottom."""
    mark = mark or Marker()
    authors = ", ".join(study.authors) if study.authors else "authors not verified"
    cite = mark(authors) + Text(". ")
    cite.append_text(mark(study.journal) + Text(". ") if study.journal else not_reported("journal not reported. "))
    cite.append(f"{study.year}.")
    parts: list[RenderableType] = [
        mark(study.title, "bold"),
        cite,
        link_line(study, mark),
        Text(""),
        mark(study.summary),
        section("Study"),
        _pairs(
            [
                ("Design", Text(facts.design_text(study) + (" (randomised)" if study.randomised else " (not randomised)"))),
                ("Blinding", study.blinding),
                ("Population", population_text(study, mark)),
                ("Intervention", intervention_text(study, mark)),
                ("Comparator", comparator_text(study, mark)),
                ("Country", study.country),
                ("Funding", study.funding),
                ("Keywords", ", ".join(study.keywords) or None),
            ],
            mark,
        ),
        section("Outcomes"),
    ]
    if study.outcomes:
        parts.extend(outcome_block(o, evidence, mark) for o in study.outcomes)
    else:
        parts.append(not_reported())
    parts.append(section("Biomarkers"))
    if study.biomarkers:
        parts.extend(biomarker_lines(study, mark))
    else:
        parts.append(not_reported())
    parts.append(section("Adverse events"))
    parts.append(mark(study.adverse_events) if study.adverse_events else not_reported())
    parts.append(section("Risk of bias (RoB 2)"))
    parts.append(rob_block(study, mark))
    parts.append(section("Caveats"))
    if study.caveats:
        parts.extend(Text("• ") + mark(c) for c in study.caveats)
    else:
        parts.append(Text("none recorded", style="dim"))
    parts.append(section("Where this study appears"))
    parts.append(appearances(study, evidence, mark))
    return Group(*parts)
