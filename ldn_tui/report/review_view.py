"""The review detail: the whole record of a systematic review or meta-analysis, in two parts (the
app puts the list of the studies it included, each one opening, between them)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ldn_tui.model import Evidence, Review
from ldn_tui.report import facts
from ldn_tui.report.highlight import Marker
from ldn_tui.report.study_view import _pairs, link_line, not_reported, section
from ldn_tui.text import plural


def review_head(review: Review, evidence: Evidence, mark: Marker | None = None) -> Group:
    """Citation with its links, what kind of work it is, whom it pooled, when it searched, how much
    it included; then the heading of the list of included studies."""
    mark = mark or Marker()
    authors = ", ".join(review.authors) if review.authors else "authors not verified"
    cite = mark(authors) + Text(". ")
    cite.append_text(mark(review.journal) + Text(". ") if review.journal else not_reported("journal not reported. "))
    cite.append(f"{review.year}{facts.source_detail(review, ';')}.")
    included = []
    if review.n_studies is not None:
        included.append(plural(review.n_studies, "study", "studies"))
    if review.n_participants is not None:
        included.append(plural(review.n_participants, "participant"))
    parts: list[RenderableType] = [
        mark(review.title, "bold"),
        cite,
        link_line(review, mark),
    ]
    if review.summary:
        parts += [Text(""), mark(review.summary)]
    parts += [
        section("Review"),
        _pairs(
            [
                ("Kind", facts.REVIEW_DESIGN_LABELS.get(review.work, review.work)),
                ("Scope", facts.REVIEW_SCOPE_LABELS.get(review.scope, review.scope)),
                ("Searched to", review.search_date.isoformat() if review.search_date else None),
                ("Included", ", ".join(included) or None),
                ("Its own certainty", review.certainty.replace("-", " ") if review.certainty else None),
                ("Keywords", ", ".join(review.keywords) or None),
            ],
            mark,
        ),
        section("Studies it included"),
    ]
    if not review.includes:
        parts.append(not_reported("none of them is recorded in this folder" if review.includes_other or
                                  review.n_studies else "which studies: not reported"))
    return Group(*parts)


def review_tail(review: Review, evidence: Evidence, mark: Marker | None = None) -> Group:
    """Included work without a record here, the pooled results, the conclusion, the caveats."""
    mark = mark or Marker()
    parts: list[RenderableType] = []
    if review.includes_other:
        parts.append(Text("Also included (no record in this folder):", style="dim"))
        parts.extend(Text("• ") + mark(other) for other in review.includes_other)
    parts.append(section("Pooled results"))
    for f in review.findings:
        domain = evidence.topic.domain(f.domain)
        line = Text.assemble((f"{domain.label if domain else f.domain}: ", "bold"), facts.finding_text(f))
        if f.subgroup:
            line.append_text(Text("  (subgroup: ") + mark(f.subgroup) + Text(")"))
        if not facts.on_topic(review, f):
            line.append("  not beside the placebo-controlled fibromyalgia results", "dim")
        parts.append(line)
    if not review.findings:
        parts.append(not_reported("none reported"))
    parts.append(section("Conclusion"))
    parts.append(mark(review.conclusion))
    parts.append(section("Caveats"))
    if review.caveats:
        parts.extend(Text("• ") + mark(c) for c in review.caveats)
    else:
        parts.append(Text("none recorded", style="dim"))
    return Group(*parts)


def review_markdown(review: Review, evidence: Evidence) -> str:
    """The review detail as a Markdown document (what ``e`` writes from its screen)."""
    from ldn_tui.report.markdown import esc

    lines = [f"# {esc(facts.study_label(review))}: {esc(review.title)}", "", esc(facts.citation(review)), ""]
    rows = [
        ("Kind", facts.REVIEW_DESIGN_LABELS.get(review.work, review.work)),
        ("Scope", facts.REVIEW_SCOPE_LABELS.get(review.scope, review.scope)),
        ("Searched to", review.search_date.isoformat() if review.search_date else facts.NOT_REPORTED),
        ("Included", facts.review_includes_text(review, evidence)),
    ]
    lines += [f"- **{key}:** {esc(value)}" for key, value in rows]
    lines += ["", "## Pooled results", ""]
    for f in review.findings:
        domain = evidence.topic.domain(f.domain)
        subgroup = f" (subgroup: {f.subgroup})" if f.subgroup else ""
        lines.append(f"- **{esc(domain.label if domain else f.domain)}:** {esc(facts.finding_text(f) + subgroup)}")
    if not review.findings:
        lines.append("- none reported")
    lines += ["", "## Conclusion", "", esc(review.conclusion), "", "## Caveats", ""]
    lines += [f"- {esc(c)}" for c in review.caveats] or ["- none recorded"]
    return "\n".join(lines) + "\n"
