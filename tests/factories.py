"""Small evidence built in code for the analysis tests: studies with just the fields a test varies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ldn_tui.model import (
    Arms,
    BinaryArm,
    Comparator,
    Domain,
    Effect,
    Evidence,
    GradeJudgment,
    Intervention,
    Outcome,
    Population,
    RiskOfBias,
    Study,
    Topic,
)

PAIN = Domain("pain", "Pain intensity", "benefit", True, "MD", True)
AE = Domain("ae", "Any adverse event", "harm", True, "RR")


def study(
    sid: str,
    year: int,
    outcomes: Sequence[Outcome],
    *,
    authors: tuple[str, ...] = ("Author A",),
    design: str = "parallel-rct",
    n: int = 100,
    n_analysed: int | None = None,
    population: str = "adults",
    intervention: str = "drug 4.5 mg",
    comparator: str = "placebo",
    rob: str | None = "low",
) -> Study:
    """A double-blind study of 4.5 mg for 12 weeks; ``rob`` None: risk of bias not assessed."""
    return Study(
        id=sid, title=sid, authors=authors, year=year, design=design, blinding="double", summary="s",
        population=Population(population, n, n_analysed), intervention=Intervention(intervention, 4.5, 12),
        comparator=Comparator(comparator), path=f"studies/{sid}.toml", outcomes=tuple(outcomes),
        risk_of_bias=RiskOfBias(rob, "this project") if rob else None,
    )


def effect(domain: str, kind: str, est: float, lo: float, hi: float, measure: str = "Score") -> Outcome:
    """An outcome reported as an effect with its 95% CI."""
    return Outcome(domain, measure, "unclear", "s", "Table 2", effect=Effect(kind, est, lo, hi))


def events(e1: int, n1: int, e2: int, n2: int, domain: str = "ae") -> Outcome:
    """An outcome reported as events per arm (intervention, then control)."""
    return Outcome(domain, "any AE", "unclear", "s", "T", arms=Arms(BinaryArm(e1, n1), BinaryArm(e2, n2)))


def evidence(
    studies: Sequence[Study],
    domains: Sequence[Domain] = (PAIN,),
    *,
    title: str = "Drug for pain",
    topic_id: str = "t",
    question: str = "Does it help?",
    grade: tuple[GradeJudgment, ...] = (),
) -> Evidence:
    """A folder of these studies (sorted as the loader sorts them) and no reviews."""
    topic = Topic(1, topic_id, title, question, date(2026, 1, 1), tuple(domains), grade)
    return Evidence(topic, tuple(sorted(studies, key=lambda s: (s.year, s.id))), ())
