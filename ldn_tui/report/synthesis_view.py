"""The synthesis section of the summary: what pools, the pooled result, how sure one can be.

One :class:`DomainView` per pooled domain holds the words (header, pooled
line, certainty and every downgrade, notes, bottom line); the Rich, Markdown
and HTML views all render from it, with the forest and evidence-over-time
plots from :mod:`ldn_tui.report.forest`. Domains where nothing pools get one
compact line each, so the whole summary stays short.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ldn_tui.analysis.grading import NOT_ASSESSABLE
from ldn_tui.analysis.sof import SofRow, sof_rows
from ldn_tui.analysis.synthesis import DomainSynthesis, ReviewResult, leave_one_out
from ldn_tui.model import Evidence
from ldn_tui.report import facts
from ldn_tui.report.forest import Axis, EvidenceOverTime, ForestPlot, evidence_over_time_text, forest_text
from ldn_tui.report.markdown import esc
from ldn_tui.report.verdict import (
    bottom_line,
    certainty_label,
    comparator_name,
    lower_first,
    not_assessable_reason,
    overall_bottom_line,
    placebo_results,
    review_name,
    review_statement,
)
from ldn_tui.text import effect_number, number, plural

__all__ = [
    "CERTAINTY_STYLES",
    "SECTION_TITLE",
    "SOF_HEADER",
    "SOF_TITLE",
    "DomainView",
    "Sof",
    "SofLine",
    "domain_renderable",
    "domain_view",
    "fence",
    "not_pooled_text",
    "ordered",
    "review_result_text",
    "sof",
    "sof_cells",
    "sof_markdown",
    "sof_table",
    "split_pooled",
    "synthesis_markdown",
    "synthesis_renderables",
]

SECTION_TITLE = "What the pooled evidence says"
CERTAINTY_STYLES = {"high": "bold green", "moderate": "bold green", "low": "bold yellow", "very low": "bold red"}


class DomainView(NamedTuple):
    syn: DomainSynthesis
    header: str  # "Pain intensity — MD, REML, k = 2, 197 participants"
    pooled: str  # "Pooled MD 0.03 (95% CI −0.78 to 0.84), p = 0.94; τ² = 0.21, I² = 61%, Q = 2.57 (df 1, p = 0.11)"
    certainty: str  # "Certainty: ⊕◯◯◯ very low; started high: both pooled studies are randomised"
    downgrades: tuple[str, ...]  # "−1 risk of bias: ...", "−1 indirectness (reviewer judgment): ..."
    grade_notes: tuple[str, ...]  # GRADE domains not rated down, and why
    notes: tuple[str, ...]  # notes on the pooled rows (which outcome was used)
    bottom_line: str
    over_time: bool  # show the evidence-over-time plot


def ordered(syntheses: Sequence[DomainSynthesis]) -> list[DomainSynthesis]:
    """Critical domains first, each group in the topic's display order."""
    return [s for s in syntheses if s.domain.critical] + [s for s in syntheses if not s.domain.critical]


def _pooled_line(syn: DomainSynthesis) -> str:
    res = syn.result
    assert res is not None and syn.estimate is not None
    test = f"Hartung-Knapp t = {facts.num(res.z, 2)}, df = {res.df}, " if res.test == "knha" else ""
    text = (f"Pooled {syn.measure} {effect_number(syn.estimate)} (95% CI {facts.ci_text(syn.ci_low, syn.ci_high)}), "
            f"{test}{facts.p_text(res.p)}")
    if res.k < 2 or res.q is None:
        return text + "; a single study, so no heterogeneity to assess"
    tau2 = f"τ² = {facts.num(res.tau2, 3)}"
    if res.tau2_ci_low is not None and res.tau2_ci_high is not None:
        tau2 += f" (95% CI {facts.num(res.tau2_ci_low, 3)} to {facts.num(res.tau2_ci_high, 3)})"
    parts = [tau2, f"I² = {facts.num(res.i2 or 0, 0)}%"]
    q_p = f", {facts.p_text(res.q_p)}" if res.q_p is not None else ""
    parts.append(f"Q = {facts.num(res.q, 2)} (df {res.q_df}{q_p})")
    if syn.pi_low is not None and syn.pi_high is not None:
        parts.append(f"95% prediction interval {facts.ci_text(syn.pi_low, syn.pi_high)}")
    elif syn.method != "FE":
        parts.append("no prediction interval with fewer than 3 studies")
    return f"{text}; {', '.join(parts)}"


def domain_view(syn: DomainSynthesis, evidence: Evidence) -> DomainView:
    """The words of one pooled domain (``syn.result`` must not be None)."""
    d = syn.domain
    header = f"{d.label} — {syn.measure}, {syn.method}{', Hartung-Knapp' if syn.test == 'knha' else ''}, k = {syn.k}"
    if syn.participants is not None:
        header += f", {syn.participants} participants"
    if syn.ratio and syn.events is not None:
        header += f", {syn.events} events" + ("" if syn.events_complete else " (where reported)")
    if syn.label:
        header += f" ({syn.label})"
    cert = syn.certainty
    certainty = f"Certainty: {certainty_label(cert.level)}"
    if cert.start:
        certainty += f"; started {cert.start}: {cert.start_reason}"
    downgrades = tuple(
        f"−{g.levels} {g.label}{' (reviewer judgment)' if g.judged_by_reviewer else ''}: {g.reason}"
        for g in cert.downgrades
    )
    grade_notes = tuple(
        f"{n.label}{' (reviewer judgment)' if n.judged_by_reviewer else ''}: {n.text.removeprefix('not rated down: ')}"
        for n in cert.notes
    )
    notes = []
    for r in syn.rows:
        if r.note:
            study = evidence.study(r.id)
            notes.append(f"{facts.study_label(study) if study else r.id}: {r.note}")
    return DomainView(
        syn, header, _pooled_line(syn), certainty, downgrades, grade_notes, tuple(notes), bottom_line(syn, evidence),
        over_time=d.critical,
    )


def without_each(syn: DomainSynthesis, evidence: Evidence) -> list[str]:
    """For a critical domain's main pooling of two or more studies: the result with each study left out,
    shown next to it (a study whose figures are doubtful, such as an inferred sign, says so in its caveats)."""
    if not syn.domain.critical or syn.label is not None or syn.k < 2:
        return []
    lines = []
    for row, variant in zip(syn.rows, leave_one_out(syn), strict=True):
        study = evidence.study(row.id)
        name = facts.study_label(study) if study is not None else row.id
        if variant.result is None or variant.estimate is None:
            lines.append(f"Without {name}: cannot be pooled")
            continue
        lines.append(f"Without {name}: {variant.measure} {effect_number(variant.estimate)} "
                     f"(95% CI {facts.ci_text(variant.ci_low, variant.ci_high)}), k = {variant.k}")
    return lines


def split_pooled(
    syntheses: Sequence[DomainSynthesis],
) -> tuple[list[DomainSynthesis], list[DomainSynthesis]]:
    """(domains with a pooled result, domains where nothing pools), each critical first."""
    items = ordered(syntheses)
    return [s for s in items if s.result is not None], [s for s in items if s.result is None]


# ---------------------------------------------------------------------------
# Rich


def _block(view: DomainView, evidence: Evidence, axis: Axis | None = None) -> RenderableType:
    syn = view.syn
    level = syn.certainty.level
    parts: list[RenderableType] = [
        Text(view.header, style="bold"),
        Text(view.pooled),
        *(Text(line, style="dim") for line in without_each(syn, evidence)),
        Text("Certainty: ") + Text(certainty_label(level), CERTAINTY_STYLES.get(level, ""))
        + Text(view.certainty.removeprefix(f"Certainty: {certainty_label(level)}"), style="dim"),
    ]
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for line in view.downgrades:
        levels, _, rest = line.partition(" ")
        grid.add_row(Text(levels, "bold red"), Text(rest))
    for note in view.grade_notes:
        grid.add_row(Text(" 0", "dim"), Text(note, "dim"))
    for note in view.notes:
        grid.add_row(Text("  ", "dim"), Text(f"Note: {note}", "dim"))
    parts.append(Padding(grid, (0, 0, 0, 1)))
    parts.append(Padding(ForestPlot(syn, evidence, axis=axis), (1, 0, 0, 0)))
    if view.over_time:
        parts.append(Padding(EvidenceOverTime(syn, evidence), (1, 0, 0, 0)))
    parts.append(Padding(Text.assemble(("Bottom line: ", "bold"), view.bottom_line), (1, 0, 0, 0)))
    return Group(*parts)


def not_pooled_text(syn: DomainSynthesis, evidence: Evidence) -> str:
    """Why nothing pools here and, for the main analysis, what the reviews pooled instead (as published)."""
    reason = not_assessable_reason(syn, evidence)
    results = placebo_results(syn, evidence) if syn.label is None else []
    if not results:
        return reason
    shown = "; ".join(review_result_text(r, evidence) for r in results)
    return f"{reason.removesuffix('; see the reviews')}; pooled by reviews: {shown}"


def domain_renderable(
    syn: DomainSynthesis, evidence: Evidence, *, axis: Axis | None = None, over_time: bool | None = None
) -> RenderableType:
    """Any synthesis (the main one, leave-one-out, randomised only, low risk only) as one block.

    ``axis`` (from :func:`ldn_tui.report.forest.forest_axis` of the main synthesis) keeps the forest
    plot's scale when the app switches between sensitivity analyses; ``over_time`` defaults to True for
    a main synthesis and False for a sensitivity analysis.
    """
    if syn.result is None:
        title = syn.domain.label + (f" ({syn.label})" if syn.label else "")
        return Group(
            Text.assemble((title, "bold"), ": ", not_pooled_text(syn, evidence)),
            ForestPlot(syn, evidence, axis=axis),
        )
    view = domain_view(syn, evidence)._replace(over_time=syn.label is None if over_time is None else over_time)
    return _block(view, evidence, axis)


class SofLine(NamedTuple):
    """One outcome row of the summary of findings, in the words every view shows (GRADEpro's columns)."""

    outcome: str  # "Pain intensity"
    measure: str  # "mean difference; lower is better"
    scale: str | None  # the pooled studies' own measures
    participants: str  # "197 (2 RCTs)", or "not pooled here (...)"
    relative: str  # "RR 0.97 (0.84 to 1.11)"; "" for MD/SMD and where nothing pools here
    absolute: tuple[str, ...]  # "Risk with placebo: 790 per 1,000", ..., or ("MD 0.03 higher (...)",)
    level: str  # high | moderate | low | very low | not assessable
    letters: str  # footnote letters: "a,b,c"
    statement: str  # the GRADE informative statement
    reviews: tuple[str, ...]  # where nothing pools here: "from review X, k = 4, as published: RR 2.41 (...)"

    @property
    def certainty(self) -> str:
        """'⊕◯◯◯ very low', or 'not assessable here'."""
        if self.level == NOT_ASSESSABLE:
            return "not assessable here"
        return certainty_label(self.level)


class Sof(NamedTuple):
    """The summary-of-findings table: its rows and its lettered footnotes."""

    title: str
    lines: tuple[SofLine, ...]
    footnotes: tuple[tuple[str, str], ...]  # (letter, text)
    notes: tuple[str, ...]  # how the absolute effects were computed, and what the review rows are


SOF_TITLE = "Summary of findings (GRADE)"
SOF_HEADER = ("Outcome", "Participants\n(studies)", "Relative effect (95% CI)", "Anticipated absolute effects",
              "Certainty", "What happens")
ABSOLUTE_NOTE = ("Absolute effects of binary outcomes are computed from the pooled ratio and the median control-arm "
                 "risk of the pooled studies (GRADEpro's method), not observed as such.")
REVIEW_NOTE = ("Where the studies here cannot be pooled, a row shows the reviews' own pooled results, as published: "
               "they are not checked or graded here.")


def review_result_text(result: ReviewResult, evidence: Evidence) -> str:
    """'RR 1.99 (1.07 to 3.7) from review Saif et al. 2026, k not reported, as published'."""
    k = f"k = {result.k}" if result.k is not None else "k not reported"
    extra = "".join(f", {x}" for x in (result.note, f"{result.subgroup} subgroup" if result.subgroup else None) if x)
    effect = facts.effect_text(result.type, result.estimate, result.ci_low, result.ci_high)
    return f"{effect} from review {review_name(result.review, evidence)}, {k}{extra}, as published"


def _absolute_lines(syn: DomainSynthesis, row: SofRow, comparator: str) -> tuple[str, ...]:
    ab = syn.absolute
    if ab is None:
        return (row.absolute_text,) if syn.result is not None else ()

    def per(value: float) -> str:
        return f"{number(value, 0)} per 1,000"

    def diff(value: float) -> str:
        n = round(value)
        return "0" if n == 0 else f"{number(abs(n), 0)} {'more' if n > 0 else 'fewer'}"

    return (
        f"Risk with {comparator}: {per(ab.control_per_1000)}",
        f"Risk with {lower_first(syn.intervention)}: {per(ab.intervention_per_1000)}",
        f"Difference: {diff(ab.difference_per_1000)} per 1,000 "
        f"(95% CI {diff(ab.difference_ci_low)} to {diff(ab.difference_ci_high)})",
        f"from the pooled {syn.measure} and the median control-arm risk "
        f"({plural(ab.studies, 'study', 'studies')})",
    )


def sof(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> Sof:
    """The summary of findings of ``syntheses`` (critical outcomes first)."""
    items = ordered(syntheses)
    lines: list[SofLine] = []
    footnotes: list[tuple[str, str]] = []
    for syn, row in zip(items, sof_rows(evidence, items), strict=True):
        footnotes += [(f.letter, f.text) for f in row.footnotes]
        reviews: tuple[str, ...] = ()
        if syn.result is None:
            reviews = tuple(review_result_text(r, evidence) for r in placebo_results(syn, evidence))
        comparator = comparator_name([syn], evidence)
        participants, statement = row.participants_text, row.statement
        if syn.result is None:
            n = len(syn.excluded)
            participants = "not pooled here" + (f" ({plural(n, 'study', 'studies')} {'reports' if n == 1 else 'report'} it)" if n else "")
            said = review_statement(syn, evidence, lower_first(syn.intervention))
            statement = f"{statement}. {said}" if said else statement
        measure = row.measure_text
        if syn.mid is not None:
            measure += f"; minimal important difference {number(syn.mid)}"
        lines.append(SofLine(
            row.outcome, measure, row.scale, participants, row.relative_effect or "",
            _absolute_lines(syn, row, comparator), row.certainty, row.footnote_letters, statement, reviews,
        ))
    notes = []
    if any(syn.absolute is not None for syn in items):
        notes.append(ABSOLUTE_NOTE)
    if any(line.reviews for line in lines):
        notes.append(REVIEW_NOTE)
    return Sof(SOF_TITLE, tuple(lines), tuple(footnotes), tuple(notes))


def sof_cells(line: SofLine) -> tuple[str, str, str, str, str, str]:
    """The six cells of a row as plain text, lines joined by newlines."""
    relative = "\n".join([line.relative] if line.relative else [*line.reviews] or ["\u2014"])
    certainty = line.certainty + (f" ({line.letters})" if line.letters else "")
    return (line.outcome, line.participants, relative, "\n".join(line.absolute) or "\u2014", certainty,
            line.statement)


STACKED_LABELS = ("Participants (studies)", "Relative effect", "Absolute effects", "Certainty", "What happens")
SOF_STACKED_BELOW = 100  # narrower than this, the summary of findings is one block per outcome


def _sof_wide(data: Sof) -> RenderableType:
    table = Table(
        title=Text(data.title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD,
        expand=True, show_edge=False, pad_edge=False,
    )
    for header, ratio, least in zip(SOF_HEADER, (3, 3, 3, 4, 3, 4), (10, 12, 12, 14, 10, 12), strict=True):
        table.add_column(Text(header), ratio=ratio, min_width=least)
    for line in data.lines:
        assessable = line.level != NOT_ASSESSABLE
        outcome, participants, relative, absolute, certainty, what = sof_cells(line)
        table.add_row(
            Text.assemble((outcome, "bold"), "\n", (line.measure, "dim")),
            Text(participants, style="" if assessable else "dim"),
            Text(relative, style="" if assessable or line.reviews else "dim"),
            Text(absolute),
            Text(certainty, style=CERTAINTY_STYLES.get(line.level, "dim")),
            Text(what),
        )
    return table


def _sof_stacked(data: Sof) -> RenderableType:
    """The same rows for a narrow terminal: per outcome its name, then one labelled line per column."""
    parts: list[RenderableType] = [Text(data.title, style="bold")]
    for line in data.lines:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column()
        cells = sof_cells(line)
        for header, cell in zip(STACKED_LABELS, cells[1:], strict=True):
            if cell == "\u2014":
                continue
            style = CERTAINTY_STYLES.get(line.level, "dim") if header == "Certainty" else ""
            grid.add_row(Text(header), Text(cell, style=style))
        parts += [Text.assemble((line.outcome, "bold"), " ", (f"({line.measure})", "dim")), Padding(grid, (0, 0, 0, 2))]
    return Group(*parts)


def sof_table(evidence: Evidence, syntheses: Sequence[DomainSynthesis], width: int | None = None) -> Group:
    """The summary of findings with its footnotes: a table, or one block per outcome below
    SOF_STACKED_BELOW columns of ``width``."""
    data = sof(evidence, syntheses)
    parts = [_sof_stacked(data) if width is not None and width < SOF_STACKED_BELOW else _sof_wide(data)]
    if data.footnotes:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for letter, text in data.footnotes:
            grid.add_row(Text(f"{letter}.", style="dim"), Text(text, style="dim"))
        parts.append(grid)
    parts += [Text(note, style="dim") for note in data.notes]
    return Group(*parts)


def sof_markdown(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> list[str]:
    data = sof(evidence, syntheses)
    header = " | ".join(h.replace("\n", " ") for h in SOF_HEADER)
    lines = [f"### {data.title}", "", f"| {header} |", "|" + "---|" * len(SOF_HEADER)]
    for line in data.lines:
        cells = list(sof_cells(line))
        cells[0] += f" ({line.measure}" + (f"; as measured: {line.scale}" if line.scale else "") + ")"
        lines.append("| " + " | ".join(" <br> ".join(esc(part) for part in c.split("\n")) for c in cells) + " |")
    lines.append("")
    lines += [f"{letter}. {esc(text)}" + "  " for letter, text in data.footnotes]
    if data.footnotes:
        lines.append("")
    for note in data.notes:
        lines += [f"*{esc(note)}*", ""]
    return lines


def synthesis_renderables(
    evidence: Evidence, syntheses: Sequence[DomainSynthesis], width: int | None = None
) -> list[RenderableType]:
    """The synthesis section: the overall bottom line, the summary of findings (laid out for ``width``
    columns: stacked when narrow), one block per pooled domain, then the rest."""
    pooled, rest = split_pooled(syntheses)
    out: list[RenderableType] = [
        Group(Text(SECTION_TITLE, style="bold"), Text(overall_bottom_line(syntheses, evidence))),
        sof_table(evidence, syntheses, width),
    ]
    out += [_block(domain_view(s, evidence), evidence) for s in pooled]
    if rest:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for s in rest:
            grid.add_row(Text("•"), Text.assemble((s.domain.label, "bold"), ": ", not_pooled_text(s, evidence)))
        out.append(Group(Text("Not assessable: nothing pools", style="bold"), grid))
    return out


# ---------------------------------------------------------------------------
# Markdown


def fence(text: str) -> list[str]:
    """``text`` in a code block whose fence is longer than any backtick run inside it."""
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    mark = "`" * max(3, longest + 1)
    return [f"{mark}text", text, mark, ""]


def synthesis_markdown(
    evidence: Evidence, syntheses: Sequence[DomainSynthesis], width: int = 80
) -> list[str]:
    """The same section in GitHub Markdown; the plots are ``width``-column code blocks."""
    pooled, rest = split_pooled(syntheses)
    out = [f"## {SECTION_TITLE}", "", f"**Bottom line:** {esc(overall_bottom_line(syntheses, evidence))}", ""]
    out += sof_markdown(evidence, syntheses)
    for syn in pooled:
        view = domain_view(syn, evidence)
        out += [f"### {esc(view.header)}", "", esc(view.pooled), ""]
        if without := without_each(syn, evidence):
            out += [*(f"- {esc(line)}" for line in without), ""]
        out += [f"**{esc(view.certainty)}**", ""]
        out += [f"- {esc(line)}" for line in view.downgrades]
        out += [f"- not rated down: {esc(note)}" for note in view.grade_notes]
        out += [f"- Note: {esc(note)}" for note in view.notes]
        out += ["", *fence(forest_text(syn, width, evidence))]
        if view.over_time:
            out += fence(evidence_over_time_text(syn, evidence, width))
        out += [f"**Bottom line:** {esc(view.bottom_line)}", ""]
    if rest:
        out += ["### Not assessable: nothing pools", ""]
        out += [f"- **{esc(s.domain.label)}**: {esc(not_pooled_text(s, evidence))}" for s in rest]
        out.append("")
    return out
