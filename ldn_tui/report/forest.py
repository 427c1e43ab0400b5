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

from ldn_tui.analysis.synthesis import DomainSynthesis, cumulative_by_year
from ldn_tui.model import Evidence, Review, ReviewFinding, Study
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

__all__ = [
    "Axis", "EvidenceOverTime", "ForestPlot", "evidence_over_time", "evidence_over_time_text", "forest_axis",
    "forest_plot", "forest_text",
]

ROB_SHORT = {"low": "low", "some-concerns": "some", "high": "high"}
ROB_LEGEND = "RoB = overall risk of bias (some = some concerns, ? = not assessed)"


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
    if syn.rows:
        axis = axis or forest_axis(syn)
        rows.append(Row("Study", "RoB", None, f"{syn.measure} [95% CI]", "Weight", "bold", "bold"))
        for r in syn.rows:
            study = evidence.study(r.id) if evidence else None
            label = _name(study, r.id)
            if r.derived_from_p:
                label += "†"
                footnotes.append(f"† {label[:-1]}: SE derived from p = {facts.num(r.p_value or 0, 3)} (no CI "
                                 f"reported; the CI shown is computed from it)")
            if r.zero_cell_corrected:
                label += "‡"
                footnotes.append(f"‡ {label.rstrip('†‡')}: 0.5 added to every cell (a zero cell)")
            rob = ROB_SHORT.get(r.rob, "?") if r.rob else "?"
            draw = _study_draw(r.ci_low, r.ci_high, r.estimate, r.weight)
            rows.append(Row(label, rob, draw, ci_text(r.estimate, r.ci_low, r.ci_high), f"{r.weight:.0f}%"))
        rows.append(Row("", "", None))
        est, lo, hi = syn.estimate, syn.ci_low, syn.ci_high

        def pooled(c: Canvas, a: Axis) -> None:
            c.interval(a, lo, hi, est, fill="◇", ends="", mark="◆", style="bold cyan", mark_style="bold cyan")

        rows.append(Row(f"Pooled, {syn.method}", "", pooled, ci_text(est, lo, hi), "100%", "bold"))
        if syn.pi_low is not None and syn.pi_high is not None:
            p_lo, p_hi = syn.pi_low, syn.pi_high

            def pi(c: Canvas, a: Axis) -> None:
                c.interval(a, p_lo, p_hi, None, fill="·", mark="", style="cyan")

            rows.append(Row("Prediction interval", "", pi, f"[{num(p_lo)}, {num(p_hi)}]", "", "dim"))
        drawn, lay = grid(rows, axis, width, rob=True)
        lines += drawn
        lines += axis_lines(axis, lay, width, syn.domain.lower_is_better)
        scale = "log scale, │ = no effect (1)" if syn.ratio else "│ = no effect (0)"
        lines += wrapped(f"{scale}; {ROB_LEGEND}", width)
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
