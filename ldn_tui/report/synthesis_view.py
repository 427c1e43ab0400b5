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

from ldn_tui.analysis.synthesis import DomainSynthesis, leave_one_out
from ldn_tui.model import Evidence
from ldn_tui.report import facts
from ldn_tui.report.forest import Axis, EvidenceOverTime, ForestPlot, evidence_over_time_text, forest_text
from ldn_tui.report.markdown import esc
from ldn_tui.report.verdict import bottom_line, certainty_label, not_assessable_reason, overall_bottom_line

__all__ = [
    "CERTAINTY_STYLES",
    "SECTION_TITLE",
    "DomainView",
    "FindingRow",
    "domain_renderable",
    "domain_view",
    "fence",
    "finding_rows",
    "findings_markdown",
    "findings_table",
    "ordered",
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
    text = (f"Pooled {syn.measure} {facts.num(syn.estimate)} (95% CI {facts.ci_text(syn.ci_low, syn.ci_high)}), "
            f"{facts.p_text(res.p)}")
    if res.k < 2 or res.q is None:
        return text + "; a single study, so no heterogeneity to assess"
    parts = [f"τ² = {facts.num(res.tau2, 3)}", f"I² = {facts.num(res.i2 or 0, 0)}%"]
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
    header = f"{d.label} — {syn.measure}, {syn.method}, k = {syn.k}"
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
        lines.append(f"Without {name}: {variant.measure} {facts.num(variant.estimate)} "
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
            Text.assemble((title, "bold"), ": ", not_assessable_reason(syn, evidence)),
            ForestPlot(syn, evidence, axis=axis),
        )
    view = domain_view(syn, evidence)._replace(over_time=syn.label is None if over_time is None else over_time)
    return _block(view, evidence, axis)


class FindingRow(NamedTuple):
    """One line of the summary-of-findings table."""

    outcome: str
    studies: str  # "2 RCTs, 197 participants" or "4 report it, none pools"
    effect: str  # "MD 0.03 (−0.78 to 0.84)" or "not pooled"
    certainty: str  # grading level or "not assessable"
    why: str  # the downgraded GRADE domains, short


def finding_rows(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> list[FindingRow]:
    """Per outcome domain, critical first: how many studies, the effect, the certainty and why."""
    rows = []
    for syn in ordered(syntheses):
        if syn.result is None or syn.estimate is None:
            reported = {f.study.id for f in facts.domain_findings(evidence, syn.domain.id)}
            n = len(reported)
            studies = f"{n} report{'s' if n == 1 else ''} it, none pools" if n else "no study reports it"
            rows.append(FindingRow(syn.domain.label, studies, "not pooled", "not assessable", ""))
            continue
        randomised = all(r.randomised for r in syn.rows)
        kind = ("RCT" if randomised else "study") + ("" if syn.k == 1 else "s")
        studies = f"{syn.k} {kind}"
        if syn.participants is not None:
            studies += f", {syn.participants} participants"
        effect = f"{syn.measure} {facts.num(syn.estimate)} ({facts.ci_text(syn.ci_low, syn.ci_high)})"
        why = ", ".join(
            f"{g.label}{' (reviewer)' if g.judged_by_reviewer else ''} −{g.levels}" for g in syn.certainty.downgrades
        )
        rows.append(FindingRow(syn.domain.label, studies, effect, syn.certainty.level, why))
    return rows


def findings_table(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> Table:
    """The summary of findings: every outcome's certainty at a glance."""
    table = Table(
        title=Text("Certainty per outcome (GRADE)", style="bold"), title_justify="left", box=box.SIMPLE_HEAD,
        expand=True, show_edge=False, pad_edge=False,
    )
    table.add_column(Text("Outcome"), ratio=3)
    table.add_column(Text("Studies"), ratio=2)
    table.add_column(Text("Effect (95% CI)"), ratio=2)
    table.add_column(Text("Certainty"), ratio=2)
    table.add_column(Text("Rated down for"), ratio=3)
    for row in finding_rows(evidence, syntheses):
        assessable = row.certainty != "not assessable"
        table.add_row(
            Text(row.outcome, style="bold" if assessable else ""),
            Text(row.studies, style="" if assessable else "dim"),
            Text(row.effect, style="" if assessable else "dim"),
            Text(certainty_label(row.certainty) if assessable else row.certainty,
                 style=CERTAINTY_STYLES.get(row.certainty, "dim")),
            Text(row.why, style="dim"),
        )
    return table


def findings_markdown(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> list[str]:
    lines = ["| Outcome | Studies | Effect (95% CI) | Certainty | Rated down for |", "|---|---|---|---|---|"]
    for row in finding_rows(evidence, syntheses):
        cert = certainty_label(row.certainty) if row.certainty != "not assessable" else row.certainty
        lines.append("| " + " | ".join(esc(c) for c in (row.outcome, row.studies, row.effect, cert, row.why)) + " |")
    return [*lines, ""]


def synthesis_renderables(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> list[RenderableType]:
    """The synthesis section: the overall bottom line, one block per pooled domain, then the rest."""
    pooled, rest = split_pooled(syntheses)
    out: list[RenderableType] = [
        Group(Text(SECTION_TITLE, style="bold"), Text(overall_bottom_line(syntheses, evidence))),
        findings_table(evidence, syntheses),
    ]
    out += [_block(domain_view(s, evidence), evidence) for s in pooled]
    if rest:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for s in rest:
            grid.add_row(Text("•"), Text.assemble((s.domain.label, "bold"), ": ", not_assessable_reason(s, evidence)))
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
    out += ["### Certainty per outcome (GRADE)", "", *findings_markdown(evidence, syntheses)]
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
        out += [f"- **{esc(s.domain.label)}**: {esc(not_assessable_reason(s, evidence))}" for s in rest]
        out.append("")
    return out
