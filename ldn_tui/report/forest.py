"""The forest plot and the evidence-over-time plot, in text cells.

Both are Rich renderables that lay themselves out for the width they are
given (``__rich_console__`` reads ``options.max_width``), and both have a
plain-text twin (``forest_text``, ``evidence_over_time_text``) built from the
very same lines, for Markdown code blocks. Record text is only ever placed in
``rich.text.Text`` cells, never parsed as markup.

A row: ``label | RoB | plot | estimate [95% CI] | weight``. In the plot, ``│``
is the line of no effect (0, or 1 on the log axis of a ratio), ``├──■──┤`` a
study's CI with a box sized by its weight, ``◇◇◆◇◇`` the pooled CI with the
estimate, ``├·····┤`` the 95% prediction interval (k >= 3), and ``◀``/``▶``
a CI that runs off the axis. The axis covers the estimates and the pooled CI
and stretches to the CIs unless one of them is far wider than the rest.

Labels under the axis are generic on purpose: "favours intervention" and
"favours control", on the side that ``lower_is_better`` gives (a topic file
names no short form of its intervention, and a long one does not fit).
"""

from __future__ import annotations

import textwrap

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from ldn_tui.analysis.synthesis import DomainSynthesis, PooledStudy, SubgroupAnalysis, cumulative_by_year
from ldn_tui.model import Arms, BinaryArm, Evidence, Review, ReviewFinding, Study
from ldn_tui.report import facts
from ldn_tui.report.textplot import (
    ROB_STYLE,
    Axis,
    Canvas,
    Draw,
    Row,
    auto_axis,
    axis_lines,
    ci_text,
    crop,
    fit,
    grid,
    num,
    wrapped,
)
from ldn_tui.report.verdict import certainty_symbols
from ldn_tui.text import plural

__all__ = [
    "Axis", "EvidenceOverTime", "ForestPlot", "arm_cells", "evidence_over_time", "evidence_over_time_text",
    "forest_axis", "forest_plot", "forest_text", "heterogeneity_lines", "row_arms", "subgroup_test_line",
]

ROB_SHORT = {"low": "low", "some-concerns": "some", "high": "high"}
ROB_LEGEND = "RoB = overall risk of bias (some = some concerns, ? = not assessed)"
ROB_SYMBOLS = {"low": "+", "some-concerns": "!", "high": "\u2212"}
ROB_DOMAINS_LEGEND = (
    "RoB = risk of bias per RoB 2 domain (randomisation, deviations from the intended interventions, missing "
    "data, measurement of the outcome, selection of the reported result: + low, ! some concerns, \u2212 high, "
    "\u00b7 not judged), then overall (some = some concerns, ? = not assessed)"
)
ROB_DOMAINS_FROM = 90  # the per-domain RoB column is shown from this width on


def _name(record: Study | Review | None, fallback: str) -> str:
    if record is None:
        return fallback
    if record.authors:
        return facts.study_label(record)
    return f"{record.journal or record.id} {record.year}"


def _rob_word(study: Study | None) -> str:
    if study is None or study.risk_of_bias is None:
        return "?"
    return ROB_SHORT.get(study.risk_of_bias.overall, "?")


def _rob_cell(rob: str | None, study: Study | None, domains: bool) -> str:
    """'some', or with ``domains`` '+!++! some': one symbol per RoB 2 domain, then the overall judgment."""
    overall = ROB_SHORT.get(rob, "?") if rob else "?"
    assessment = study.risk_of_bias if study is not None else None
    if not domains or assessment is None or all(j is None for _, j in assessment.domains()):
        return overall
    return "".join(ROB_SYMBOLS.get(j or "", "\u00b7") for _, j in assessment.domains()) + " " + overall


def _arm_value(value: float) -> str:
    return facts.num(value, 6)


def arm_cells(arms: Arms | None) -> tuple[str, ...]:
    """The arm data as the forest plot shows it: ('33/48', '36/50') or ('40 (15) 50', '42 (16) 50')."""
    if arms is None:
        return ()
    cells = []
    for arm in (arms.intervention, arms.control):
        if isinstance(arm, BinaryArm):
            cells.append(f"{arm.events}/{arm.total}")
        else:
            cells.append(f"{_arm_value(arm.mean)} ({_arm_value(arm.sd)}) {arm.n}")
    return tuple(cells)


def row_arms(row: PooledStudy, study: Study | None, domain_id: str) -> Arms | None:
    """The arm data of the outcome a pooled row comes from, where the record gives them."""
    if study is None:
        return None
    for outcome in study.outcomes_for(domain_id):
        if outcome.measure == row.outcome:
            return outcome.arms
    return None


def _test_tag(syn: DomainSynthesis) -> str:
    return ", HKSJ" if syn.test == "knha" else ""


def _subgroup_rows(
    analysis: SubgroupAnalysis, syn: DomainSynthesis, study_rows: dict[str, Row], inserts: list[tuple[int, str]],
    start: int,
) -> list[Row]:
    """The study rows grouped by the subgroup analysis, each group with its own diamond (RevMan's layout);
    ``inserts`` gets each group's heterogeneity under its subtotal row."""
    out: list[Row] = []
    placed: set[str] = set()
    by = analysis.by.replace("_", " ")
    for group in analysis.groups:
        out.append(Row(f"{by}: {group.value}", "", None, label_style="bold"))
        out += [study_rows[i] for i in group.study_ids if i in study_rows]
        placed.update(group.study_ids)
        g_est, g_lo, g_hi = group.estimate, group.ci_low, group.ci_high

        def subtotal(c: Canvas, a: Axis, lo: float = g_lo, hi: float = g_hi, est: float = g_est) -> None:
            c.interval(a, lo, hi, est, fill="◇", ends="", mark="◆", style="bold", mark_style="bold")

        out.append(Row(f"Subtotal ({plural(group.k, 'study', 'studies')})", "", subtotal,
                       ci_text(g_est, g_lo, g_hi), "", "bold"))
        if group.k > 1:
            i2 = f", I\u00b2 = {facts.num(group.i2, 0)}%" if group.i2 is not None else ""
            inserts.append((start + len(out) - 1, f"  Heterogeneity ({by}: {group.value}): \u03c4\u00b2 = "
                                                  f"{facts.num(group.tau2, 3)}{i2}"))
    rest = [row for i, row in study_rows.items() if i not in placed]
    if rest:
        out.append(Row(f"{by}: not pooled as a group", "", None, label_style="bold"))
        out += rest
    return out


def subgroup_test_line(syn: DomainSynthesis) -> str | None:
    """'Test for subgroup differences (design): Q = 1.2, df = 1 (p = 0.27)', or why there is none."""
    if not syn.subgroups:
        return None
    analysis = syn.subgroups[0]
    by = analysis.by.replace("_", " ")
    if analysis.q_between is None or analysis.df is None or analysis.p is None:
        return f"Test for subgroup differences ({by}): none ({analysis.note or 'fewer than two groups'})"
    note = f"; {analysis.note}" if analysis.note else ""
    return (f"Test for subgroup differences ({by}): Q = {facts.num(analysis.q_between, 2)}, df = {analysis.df} "
            f"({facts.p_text(analysis.p)}){note}")


def heterogeneity_lines(syn: DomainSynthesis) -> list[str]:
    """RevMan's two lines under a pooled result: heterogeneity, then the test for the overall effect."""
    res = syn.result
    if res is None:
        return []
    if res.k < 2 or res.q is None:
        het = "Heterogeneity: not applicable (a single study)"
    else:
        q_p = f" ({facts.p_text(res.q_p)})" if res.q_p is not None else ""
        het = (f"Heterogeneity: \u03c4\u00b2 = {facts.num(res.tau2, 3)}; Q = {facts.num(res.q, 2)}, "
               f"df = {res.q_df}{q_p}; I\u00b2 = {facts.num(res.i2 or 0, 0)}%")
    if res.test == "knha":
        overall = f"t = {num(res.z)}, df = {res.df} ({facts.p_text(res.p)}; Hartung-Knapp-Sidik-Jonkman)"
    else:
        overall = f"z = {num(res.z)} ({facts.p_text(res.p)})"
    lines = [het, f"Test for overall effect: {overall}"]
    subgroups = subgroup_test_line(syn)
    return [*lines, subgroups] if subgroups else lines


def _box_half(weight: float, plot: int) -> int:
    half = 0 if weight < 15 else 1 if weight < 50 else 2
    return min(half, 1) if plot < 24 else half


def _study_draw(lo: float | None, hi: float | None, est: float | None, weight: float | None, mark: str = "■", style: str = "") -> Draw:
    """An interval with its marker; the box grows with the weight (1, 3 or 5 cells)."""

    def draw(c: Canvas, a: Axis) -> None:
        half = 0 if weight is None else _box_half(weight, len(c.chars))
        c.interval(a, lo, hi, est, half=half, mark=mark, mark_style=f"bold {style}".strip())

    return draw


def forest_axis(syn: DomainSynthesis) -> Axis:
    """The axis a forest plot of ``syn`` uses; pass it to a sensitivity view to keep the same scale."""
    rows = syn.rows
    core = [r.estimate for r in rows] + [syn.estimate, syn.ci_low, syn.ci_high]
    extra = [r.ci_low for r in rows] + [r.ci_high for r in rows] + [syn.pi_low, syn.pi_high]
    return auto_axis(core, extra, syn.ratio)


def _forest_lines(
    syn: DomainSynthesis, evidence: Evidence | None, width: int, axis: Axis | None, show_excluded: bool
) -> list[Text]:
    lines: list[Text] = []
    if syn.label:
        lines.append(Text(f"Sensitivity analysis: {syn.label}", style="bold"))
    rows: list[Row] = []
    footnotes: list[str] = []
    inserts: list[tuple[int, str]] = []  # (row index, a line of text to put under that row)
    if syn.rows:
        axis = axis or forest_axis(syn)
        domains = width >= ROB_DOMAINS_FROM
        studies = [evidence.study(r.id) if evidence else None for r in syn.rows]
        cells = [arm_cells(row_arms(r, st, syn.domain.id)) for r, st in zip(syn.rows, studies, strict=True)]
        binary = syn.ratio
        header_cells: tuple[str, ...] = ()
        if any(cells):
            header_cells = ("events/total",) * 2 if binary else ("mean (SD) n",) * 2
            rows.append(Row("", None, None, cells=("Intervention", "Control"), label_style="bold"))
        rows.append(Row("Study", "RoB", None, f"{syn.measure} [95% CI]", "Weight", "bold", "bold", header_cells))
        blank = ("",) * len(header_cells)
        study_rows: dict[str, Row] = {}
        for r, study, arm in zip(syn.rows, studies, cells, strict=True):
            arm = arm_cells(r.arms) if r.arms is not None else arm
            label = _name(study, r.id)
            if r.derived_from_p:
                label += "†"
                footnotes.append(f"† {label[:-1]}: SE derived from p = {facts.num(r.p_value or 0, 3)} (no CI "
                                 f"reported; the CI shown is computed from it)")
            if r.zero_cell_corrected:
                label += "‡"
                footnotes.append(f"‡ {label.rstrip('†‡')}: 0.5 added to every cell (a zero cell)")
            rob = _rob_cell(r.rob, study, domains)
            draw = _study_draw(r.ci_low, r.ci_high, r.estimate, r.weight)
            study_rows[r.id] = Row(label, rob, draw, ci_text(r.estimate, r.ci_low, r.ci_high), f"{r.weight:.0f}%",
                                   cells=arm or blank)
        if syn.subgroups:
            rows += _subgroup_rows(syn.subgroups[0], syn, study_rows, inserts, len(rows))
        else:
            rows += list(study_rows.values())
        rows.append(Row("", "", None))
        est, lo, hi = syn.estimate, syn.ci_low, syn.ci_high

        def pooled(c: Canvas, a: Axis) -> None:
            c.interval(a, lo, hi, est, fill="◇", ends="", mark="◆", style="bold cyan", mark_style="bold cyan")

        rows.append(Row(f"{'Overall' if syn.subgroups else 'Pooled'}, {syn.method}{_test_tag(syn)}", "", pooled,
                        ci_text(est, lo, hi), "100%", "bold"))
        if syn.pi_low is not None and syn.pi_high is not None:
            p_lo, p_hi = syn.pi_low, syn.pi_high

            def pi(c: Canvas, a: Axis) -> None:
                c.interval(a, p_lo, p_hi, None, fill="·", mark="", style="cyan")

            rows.append(Row("Prediction interval", "", pi, f"[{num(p_lo)}, {num(p_hi)}]", "", "dim"))
        drawn, lay = grid(rows, axis, width, rob=True)
        for index, text in sorted(inserts, reverse=True):
            drawn[index + 1:index + 1] = wrapped(text, width, indent=4, style="dim")
        if header_cells and not lay.cells:
            drawn = drawn[1:]  # the arm columns did not fit: no header over them
        lines += drawn
        lines += axis_lines(axis, lay, width, syn.domain.lower_is_better)
        for line in heterogeneity_lines(syn):
            lines += wrapped(line, width, style="")
        scale = "log scale, │ = no effect (1)" if syn.ratio else "│ = no effect (0)"
        has_domains = any(" " in (row.rob or "") for row in rows)
        lines += wrapped(f"{scale}; {ROB_DOMAINS_LEGEND if has_domains else ROB_LEGEND}", width)
        for note in footnotes:
            lines += wrapped(note, width)
    else:
        lines.append(Text(f"No study can be pooled as {syn.measure} for this outcome.", style="dim"))
    if show_excluded and syn.excluded:
        lines.append(Text("Not pooled:", style="bold"))
        lab_w = min(max(10, width // 4), max(cell_len(_name(evidence.study(e.id) if evidence else None, e.id))
                                             for e in syn.excluded))
        for e in syn.excluded:
            study = evidence.study(e.id) if evidence else None
            head = f"{fit(_name(study, e.id), lab_w)} {set_cell_size(_rob_word(study), 4)} "
            body = textwrap.wrap(e.reason, width=max(12, width - len(head)), break_on_hyphens=False) or [""]
            first = Text(head[:lab_w + 1]) + Text(head[lab_w + 1:], ROB_STYLE.get(_rob_word(study), ""))
            lines.append(first + Text(body[0], style="dim"))
            lines += [Text(" " * len(head) + more, style="dim") for more in body[1:]]
    return crop(lines, width)


class ForestPlot:
    """A forest plot of one synthesis (the main one, leave-one-out, randomised only, ...)."""

    def __init__(
        self, syn: DomainSynthesis, evidence: Evidence | None = None, *, axis: Axis | None = None,
        show_excluded: bool = True,
    ) -> None:
        self.syn, self.evidence, self.axis, self.show_excluded = syn, evidence, axis, show_excluded

    def lines(self, width: int) -> list[Text]:
        return _forest_lines(self.syn, self.evidence, width, self.axis, self.show_excluded)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(40, options.max_width), options.max_width)


def forest_plot(
    syn: DomainSynthesis, evidence: Evidence | None = None, *, axis: Axis | None = None, show_excluded: bool = True
) -> ForestPlot:
    """The forest plot as a Rich renderable (see :class:`ForestPlot`)."""
    return ForestPlot(syn, evidence, axis=axis, show_excluded=show_excluded)


def forest_text(syn: DomainSynthesis, width: int = 80, evidence: Evidence | None = None, *,
                axis: Axis | None = None, show_excluded: bool = True) -> str:
    """The forest plot as monospace text without styles (for a Markdown code block)."""
    return "\n".join(t.plain.rstrip() for t in _forest_lines(syn, evidence, width, axis, show_excluded))


# ---------------------------------------------------------------------------
# Evidence over time


ReviewResult = tuple[Review, ReviewFinding]


def review_findings(syn: DomainSynthesis, evidence: Evidence) -> tuple[list[ReviewResult], list[ReviewResult]]:
    """The reviews' results for this domain: (on this axis, not on it).

    On the axis: compared with placebo in fibromyalgia (``facts.on_topic``) and of the domain's effect
    measure. Not on it: another measure (a review's SMD on an MD domain), another comparison (change
    from baseline, an active comparator) or a wider population (chronic pain in general).
    """
    on: list[ReviewResult] = []
    off: list[ReviewResult] = []
    for review in evidence.reviews:
        for f in review.findings:
            if f.domain == syn.domain.id:
                (on if facts.on_topic(review, f) and f.type == syn.measure else off).append((review, f))
    return on, off


def _over_time_lines(syn: DomainSynthesis, evidence: Evidence, width: int) -> list[Text]:
    lines = [Text(f"Evidence over time: {syn.domain.label} ({syn.measure})", style="bold")]
    steps = cumulative_by_year(syn)
    on, off = review_findings(syn, evidence)
    entries: list[tuple[tuple[int, int, str], Row]] = []
    for step in steps:
        names = [facts.surname(s.authors[0]) if (s := evidence.study(i)) and s.authors else i for i in step.added]
        label = f"{step.year} +{names[0]}" if len(names) == 1 else f"{step.year} +{len(names)} studies"
        sym = certainty_symbols(step.certainty)
        draw = _study_draw(step.ci_low, step.ci_high, step.estimate, None, "◆", "cyan")
        row = Row(label, None, draw, ci_text(step.estimate, step.ci_low, step.ci_high), f"k={step.k} {sym}".rstrip())
        entries.append(((step.year, 1, ""), row))
    for review, f in on:
        who = facts.surname(review.authors[0]) if review.authors else (review.journal or review.id)
        label = f"{who} {review.year}" + (f": {f.note}" if f.note else "")
        sym = certainty_symbols(review.certainty or "")
        k = f"review, k={f.k}" if f.k is not None else "review"
        draw = _study_draw(f.ci_low, f.ci_high, f.estimate, None, "◇")
        entries.append(((review.year, 0, review.id), Row(label, None, draw, ci_text(f.estimate, f.ci_low, f.ci_high),
                                                          f"{k} {sym}".rstrip())))
    if not entries:
        lines.append(Text("No pooled result, here or in the reviews, is on this outcome's scale.", style="dim"))
    else:
        core = [syn.estimate, syn.ci_low, syn.ci_high] + [s.estimate for s in steps] + [f.estimate for _, f in on]
        extra = [s.ci_low for s in steps] + [s.ci_high for s in steps] + [x for _, f in on for x in (f.ci_low, f.ci_high)]
        axis = auto_axis(core, extra, syn.ratio)
        head = Row("After each year", None, None, f"{syn.measure} [95% CI]", "k, certainty", "bold", "bold")
        drawn, lay = grid([head, *(r for _, r in sorted(entries, key=lambda e: e[0]))], axis, width, rob=False)
        lines += drawn
        lines += axis_lines(axis, lay, width, syn.domain.lower_is_better)
        lines += wrapped("◆ pooled here from the studies published up to that year; ◇ a review's own published "
                          "result (k and certainty as the review gave them)", width)
        if on and syn.measure == "MD":
            lines += wrapped("Reviews' mean differences are plotted as published; a review may have used "
                              "another scale.", width)
    if off:
        lines += wrapped("Reviews' results not on this axis (another measure, or not against placebo):", width,
                         style="bold")
        for review, f in off:
            lines += wrapped(f"{_name(review, review.id)}: {facts.finding_text(f)}", width, indent=4)
    return crop(lines, width)


class EvidenceOverTime:
    """Cumulative meta-analysis by publication year, with the reviews' own results on the same axis."""

    def __init__(self, syn: DomainSynthesis, evidence: Evidence) -> None:
        self.syn, self.evidence = syn, evidence

    def lines(self, width: int) -> list[Text]:
        return _over_time_lines(self.syn, self.evidence, width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(40, options.max_width), options.max_width)


def evidence_over_time(syn: DomainSynthesis, evidence: Evidence) -> EvidenceOverTime:
    return EvidenceOverTime(syn, evidence)


def evidence_over_time_text(syn: DomainSynthesis, evidence: Evidence, width: int = 80) -> str:
    return "\n".join(t.plain.rstrip() for t in _over_time_lines(syn, evidence, width))
