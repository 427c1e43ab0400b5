"""The overview the app opens on: the question, the bottom line, certainty per outcome, the kinds
of study, and whether the reviews agree. Pure helpers and Rich renderables, no Textual."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ldn_tui.analysis.synthesis import DomainSynthesis
from ldn_tui.model import DESIGNS, RATIO_TYPES, Domain, Evidence, Review, ReviewFinding
from ldn_tui.report import facts
from ldn_tui.report.synthesis_view import CERTAINTY_STYLES, sof
from ldn_tui.report.verdict import overall_bottom_line
from ldn_tui.text import plural

DESIGN_NOUNS = {  # (one, many)
    "parallel-rct": ("parallel randomised trial", "parallel randomised trials"),
    "crossover-rct": ("crossover randomised trial", "crossover randomised trials"),
    "non-randomised-controlled": ("non-randomised controlled study", "non-randomised controlled studies"),
    "single-arm": ("single-arm study", "single-arm studies"),
    "observational": ("observational study", "observational studies"),
    "case-series": ("case series", "case series"),
}


def study_kinds(evidence: Evidence) -> str:
    """'2 parallel randomised trials, 1 crossover randomised trial and 1 single-arm study'."""
    by_design = Counter(s.design for s in evidence.studies)
    parts = [
        plural(by_design[d], *DESIGN_NOUNS.get(d, (d, d))) for d in (*DESIGNS, *sorted(set(by_design) - set(DESIGNS)))
        if by_design[d]
    ]
    if not parts:
        return "no studies"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def randomised_share(evidence: Evidence) -> str:
    """'4 studies (914 participants), 3 of them randomised'."""
    k = len(evidence.studies)
    randomised = sum(1 for s in evidence.studies if s.randomised)
    who = plural(k, "study", "studies") + f" ({plural(evidence.participants, 'participant')})"
    if k and randomised == k:
        return who + (", randomised" if k == 1 else ", all randomised")
    return who + f", {randomised} of them randomised"


class ReviewStance(NamedTuple):
    review: Review
    stance: str  # "benefit" | "no clear difference" | "harm" | "no pooled estimate"
    finding: str  # the pooled result as published, or ""


def _main_domain(evidence: Evidence) -> Domain | None:
    domains = evidence.topic.domains
    return next((d for d in domains if d.critical), None) or next((d for d in domains if d.kind == "benefit"), None)


def _on_topic_finding(review: Review, domain_id: str) -> ReviewFinding | None:
    """The review's headline result for the domain among those that belong beside placebo-controlled
    fibromyalgia results (``facts.on_topic``): a chronic-pain review's overall result does not count."""
    candidates = [f for f in review.findings if f.domain == domain_id and facts.on_topic(review, f)]
    best = [f for f in candidates if not f.note] or candidates
    return best[0] if best else None


def review_stances(evidence: Evidence) -> tuple[Domain | None, list[ReviewStance]]:
    """What each review (in date order) found on the main outcome against placebo in fibromyalgia,
    in one word."""
    domain = _main_domain(evidence)
    stances = []
    for review in facts.reviews_by_date(evidence):
        f = _on_topic_finding(review, domain.id) if domain else None
        if f is None or domain is None:
            stances.append(ReviewStance(review, "no pooled estimate", ""))
            continue
        null = 1.0 if f.type in RATIO_TYPES else 0.0
        if f.ci_low is None or f.ci_high is None:
            stance = "no clear difference" if f.p_value is None or f.p_value >= 0.05 else (
                "benefit" if (f.estimate < null) == domain.lower_is_better else "harm")
        elif f.ci_low <= null <= f.ci_high:
            stance = "no clear difference"
        else:
            better = (f.estimate < null) == domain.lower_is_better
            stance = "benefit" if better == (domain.kind == "benefit") else "harm"
        stances.append(ReviewStance(review, stance, facts.finding_text(f)))
    return domain, stances


def reviews_sentence(evidence: Evidence) -> str:
    """Whether the reviews agree on the main outcome, and how many found what."""
    domain, stances = review_stances(evidence)
    if not stances:
        return "No systematic review or meta-analysis is recorded."
    label = domain.label.lower() if domain else "the main outcome"
    pooled = [s for s in stances if s.stance != "no pooled estimate"]
    if not pooled:
        return f"{plural(len(stances), 'review')} recorded; none pooled {label}."
    counts = Counter(s.stance for s in pooled)
    said = "; ".join(f"{n} found {stance}" for stance, n in counts.most_common())
    unpooled = len(stances) - len(pooled)
    tail = f" ({unpooled} more pooled nothing on it in fibromyalgia against placebo)" if unpooled else ""
    if len(counts) > 1:
        return (f"The {plural(len(stances), 'review')} disagree on {label}: {said}{tail}. "
                "Their caveats say why: open one from the reviews pane.")
    if len(pooled) == 1:
        return f"One review pooled {label} and found {pooled[0].stance}{tail}."
    return f"The {plural(len(pooled), 'review')} that pooled {label} agree: {said}{tail}."


def certainty_table(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> Table:
    """Every outcome's certainty at a glance: the summary of findings' outcome, effect, certainty and statement
    (the summary screen shows it whole)."""
    table = Table(
        title=Text("Certainty per outcome (GRADE)", style="bold"), title_justify="left", box=box.SIMPLE_HEAD,
        expand=True, show_edge=False, pad_edge=False,
    )
    for header, ratio in (("Outcome", 3), ("Effect (95% CI)", 3), ("Certainty", 2), ("What happens", 5)):
        table.add_column(Text(header), ratio=ratio)
    for line in sof(evidence, syntheses).lines:
        effect = line.relative or (line.absolute[0] if line.absolute else "") or "\u2014"
        table.add_row(Text(line.outcome, style="bold"), Text(effect), Text(line.certainty,
                      style=CERTAINTY_STYLES.get(line.level, "dim")), Text(line.statement))
    return table


def overview_renderable(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> RenderableType:
    """The whole overview, top to bottom (``syntheses`` from ``synthesise``)."""
    topic = evidence.topic
    parts: list[RenderableType] = [
        Text(topic.title, style="bold"),
        Text.assemble(("Question: ", "bold"), topic.question),
        Text(""),
        Text("Bottom line", style="bold underline"),
        Text(overall_bottom_line(syntheses, evidence)),
        Text(""),
        certainty_table(evidence, syntheses),
        Text(""),
        Text("The studies", style="bold underline"),
        Text(f"{randomised_share(evidence)}: {study_kinds(evidence)}."),
        Text(f"Evidence last checked against the literature {topic.last_reviewed.isoformat()}.", style="dim"),
        Text(""),
        Text("The reviews", style="bold underline"),
        Text(reviews_sentence(evidence)),
    ]
    return Group(*parts)
