"""Per-domain synthesis: which studies pool, the pooled result, its certainty.

For every outcome domain of the topic (display order) :func:`synthesise`
decides, study by study, whether the study can be pooled with the domain's
``measure`` and why not otherwise, pools the poolable ones
(:func:`ldn_tui.analysis.stats.pool`) and rates the certainty
(:func:`ldn_tui.analysis.grading.assess`). Sensitivity analyses (leave-one-out,
randomised only, low risk of bias only) and the cumulative meta-analysis by
publication year rebuild a :class:`DomainSynthesis` from a subset of its rows.

Per-study rows keep the analysis scale (``yi``, ``vi``; log scale for ratios)
and give display values (ratio scale for RR/OR). A study's displayed CI is the
one it reported where it reported one; otherwise (arm data, SE derived from a
p-value) it is the Wald CI.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import NamedTuple

from ldn_tui.model import (
    RATIO_TYPES,
    BinaryArm,
    ContinuousArm,
    Domain,
    Evidence,
    GradeJudgment,
    Outcome,
    Study,
)

from .grading import Certainty, assess, not_assessable
from .stats import (
    METHODS,
    EffectSize,
    PoolResult,
    effect_from_ci,
    effect_from_p,
    hedges_g,
    log_odds_ratio,
    log_risk_ratio,
    mean_difference,
    pool,
    to_display,
    wald_ci,
)

__all__ = [
    "CumulativeStep", "DomainSynthesis", "Excluded", "PooledStudy", "cumulative_by_year", "leave_one_out",
    "low_risk_only", "randomised_only", "synthesise", "synthesise_domain", "to_json",
]


class PooledStudy(NamedTuple):
    """One pooled study: display values (ratio scale for RR/OR) and analysis values."""

    id: str
    year: int
    estimate: float
    ci_low: float
    ci_high: float
    yi: float  # analysis scale (log for ratios)
    vi: float
    weight: float  # percent of the pooled weight
    rob: str | None  # overall risk of bias; None = not assessed
    randomised: bool
    derived_from_p: bool  # SE back-calculated from a two-sided p-value
    source: str  # "effect" (reported between-group effect) or "arms" (computed from arm data)
    outcome: str  # the outcome's measure, as the record words it
    participants: int
    events: int | None = None  # binary arm data only
    p_value: float | None = None
    zero_cell_corrected: bool = False
    note: str | None = None  # e.g. which of several outcomes was used

    @property
    def se(self) -> float:
        return math.sqrt(self.vi)


class Excluded(NamedTuple):
    """A study with an outcome in the domain that does not pool, and why, in words."""

    id: str
    reason: str


class DomainSynthesis(NamedTuple):
    domain: Domain
    method: str
    rows: tuple[PooledStudy, ...]
    excluded: tuple[Excluded, ...]
    result: PoolResult | None  # None when nothing pools
    participants: int | None
    events: int | None
    events_complete: bool
    certainty: Certainty
    judgments: tuple[GradeJudgment, ...] = ()
    label: str | None = None  # set on sensitivity / cumulative variants
    notes: tuple[str, ...] = ()

    @property
    def measure(self) -> str:
        return self.domain.measure

    @property
    def ratio(self) -> bool:
        return self.domain.measure in RATIO_TYPES

    @property
    def k(self) -> int:
        return len(self.rows)

    def _display(self, value: float | None) -> float | None:
        return None if value is None else to_display(value, self.ratio)

    @property
    def estimate(self) -> float | None:
        return self._display(self.result.estimate if self.result else None)

    @property
    def ci_low(self) -> float | None:
        return self._display(self.result.ci_low if self.result else None)

    @property
    def ci_high(self) -> float | None:
        return self._display(self.result.ci_high if self.result else None)

    @property
    def pi_low(self) -> float | None:
        return self._display(self.result.pi_low if self.result else None)

    @property
    def pi_high(self) -> float | None:
        return self._display(self.result.pi_high if self.result else None)


class CumulativeStep(NamedTuple):
    """The pooled result after all studies published up to ``year``."""

    year: int
    added: tuple[str, ...]  # ids of the studies of that year
    synthesis: DomainSynthesis

    @property
    def k(self) -> int:
        return self.synthesis.k

    @property
    def estimate(self) -> float | None:
        return self.synthesis.estimate

    @property
    def ci_low(self) -> float | None:
        return self.synthesis.ci_low

    @property
    def ci_high(self) -> float | None:
        return self.synthesis.ci_high

    @property
    def certainty(self) -> str:
        return self.synthesis.certainty.level


# ---------------------------------------------------------------------------
# Which outcome pools, and how


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


class _Candidate(NamedTuple):
    outcome: Outcome
    effect: EffectSize
    source: str
    display: tuple[float, float, float]  # estimate, ci_low, ci_high on the display scale
    participants: int | None
    events: int | None


def _from_outcome(outcome: Outcome, measure: str) -> _Candidate | str:
    """A poolable effect from one outcome, or the reason in words why not."""
    ratio = measure in RATIO_TYPES
    effect = outcome.effect
    arms = outcome.arms
    if effect is not None:
        if effect.type != measure:
            return f"effect type {effect.type}, the domain pools {measure}"
        if effect.ci_low is not None and effect.ci_high is not None:
            try:
                es = effect_from_ci(effect.estimate, effect.ci_low, effect.ci_high, ratio)
            except ValueError as exc:
                return f"the reported effect cannot be used ({exc})"
            shown = (effect.estimate, effect.ci_low, effect.ci_high)
            return _Candidate(outcome, es, "effect", shown, None, None)
        if outcome.p_value is not None:
            try:
                es = effect_from_p(effect.estimate, outcome.p_value, ratio)
            except ValueError as exc:
                return f"no standard error from the p-value ({exc})"
            lo, hi = wald_ci(es.yi, es.se)
            shown = (effect.estimate, to_display(lo, ratio), to_display(hi, ratio))
            return _Candidate(outcome, es, "effect", shown, None, None)
        return f"{effect.type} {effect.estimate:g} reported without a CI or p-value"
    if arms is not None:
        ai, ci = arms.intervention, arms.control
        if isinstance(ai, ContinuousArm) and isinstance(ci, ContinuousArm):
            if ratio:
                return f"continuous arm data (means), the domain pools {measure}"
            fn = hedges_g if measure == "SMD" else mean_difference
            es_or_none = fn(ai.mean, ai.sd, ai.n, ci.mean, ci.sd, ci.n)
            if es_or_none is None:
                return f"arm data give no {measure} (no variance or too few participants)"
            lo, hi = wald_ci(es_or_none.yi, es_or_none.se)
            return _Candidate(outcome, es_or_none, "arms", (es_or_none.yi, lo, hi), ai.n + ci.n, None)
        if isinstance(ai, BinaryArm) and isinstance(ci, BinaryArm):
            if not ratio:
                return f"binary arm data (events), the domain pools {measure}"
            if ai.events == 0 and ci.events == 0:
                return "no events in either arm"
            fn2 = log_risk_ratio if measure == "RR" else log_odds_ratio
            es_or_none = fn2(ai.events, ai.total, ci.events, ci.total)
            if es_or_none is None:
                return "arm data give no effect (event counts do not fit the totals)"
            lo, hi = wald_ci(es_or_none.yi, es_or_none.se)
            shown = (math.exp(es_or_none.yi), math.exp(lo), math.exp(hi))
            return _Candidate(
                outcome, es_or_none, "arms", shown, ai.total + ci.total, ai.events + ci.events
            )
        return "arm data mix continuous and binary arms"
    if outcome.p_value is not None:
        return "only a p-value, no effect estimate"
    return "no between-group effect or arm data reported"


def _row_or_reason(study: Study, domain: Domain) -> PooledStudy | Excluded | None:
    outcomes = study.outcomes_for(domain.id)
    if not outcomes:
        return None
    candidates: list[_Candidate] = []
    reasons: list[tuple[Outcome, str]] = []
    for outcome in outcomes:
        got = _from_outcome(outcome, domain.measure)
        if isinstance(got, str):
            reasons.append((outcome, got))
        else:
            candidates.append(got)
    if not candidates:
        if len(reasons) == 1:
            only, reason = reasons[0]
            if reason.startswith("only a p-value,"):
                reason = f"only a p-value for {_lower_first(only.measure)}, no effect estimate"
            return Excluded(study.id, reason)
        return Excluded(study.id, "; ".join(f"{o.measure}: {r}" for o, r in reasons))
    c = candidates[0]
    note = None
    if len(outcomes) > 1:
        note = f"first poolable of {len(outcomes)} outcomes in this domain used ({c.outcome.measure})"
    participants = c.participants
    if participants is None:
        pop = study.population
        participants = pop.n_analysed if pop.n_analysed is not None else pop.n_enrolled
    estimate, lo, hi = c.display
    return PooledStudy(
        id=study.id,
        year=study.year,
        estimate=estimate,
        ci_low=lo,
        ci_high=hi,
        yi=c.effect.yi,
        vi=c.effect.vi,
        weight=0.0,
        rob=study.risk_of_bias.overall if study.risk_of_bias else None,
        randomised=study.randomised,
        derived_from_p=c.effect.derived_from_p,
        source=c.source,
        outcome=c.outcome.measure,
        participants=participants,
        events=c.events,
        p_value=c.outcome.p_value,
        zero_cell_corrected=c.effect.zero_cell_corrected,
        note=note,
    )


# ---------------------------------------------------------------------------
# Assembling a synthesis


def _assemble(
    domain: Domain,
    method: str,
    rows: Iterable[PooledStudy],
    excluded: Iterable[Excluded],
    judgments: tuple[GradeJudgment, ...],
    label: str | None = None,
) -> DomainSynthesis:
    rows = tuple(rows)
    excluded = tuple(excluded)
    notes: list[str] = []
    for r in rows:
        if r.derived_from_p:
            notes.append(f"{r.id}: standard error derived from the p-value (p = {r.p_value:g})")
        if r.zero_cell_corrected:
            notes.append(f"{r.id}: 0.5 added to every cell (a zero cell)")
        if r.note:
            notes.append(f"{r.id}: {r.note}")
    if not rows:
        reason = "no study reports data that can be pooled for this outcome"
        if excluded:
            reason += f" ({len(excluded)} with results that do not pool)"
        return DomainSynthesis(
            domain, method, (), excluded, None, None, None, True, not_assessable(reason), judgments, label,
            tuple(notes),
        )
    result = pool([r.yi for r in rows], [r.vi for r in rows], method)
    rows = tuple(r._replace(weight=w) for r, w in zip(rows, result.weights, strict=True))
    participants = sum(r.participants for r in rows)
    known_events = [r.events for r in rows if r.events is not None]
    events = sum(known_events) if known_events else None
    events_complete = len(known_events) == len(rows)
    certainty = assess(
        domain.measure,
        result,
        [r.randomised for r in rows],
        [r.rob for r in rows],
        participants,
        events,
        {j.grade_domain: j for j in judgments},
        events_complete=events_complete,
    )
    return DomainSynthesis(
        domain, method, rows, excluded, result, participants, events, events_complete, certainty,
        judgments, label, tuple(notes),
    )


def synthesise_domain(evidence: Evidence, domain: Domain, method: str = "REML") -> DomainSynthesis:
    """The synthesis of one domain; ``method`` is REML (default), DL or FE."""
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown pooling method {method!r}; use one of {', '.join(METHODS)}")
    rows: list[PooledStudy] = []
    excluded: list[Excluded] = []
    for study in evidence.studies:
        got = _row_or_reason(study, domain)
        if isinstance(got, PooledStudy):
            rows.append(got)
        elif isinstance(got, Excluded):
            excluded.append(got)
    judgments = tuple(g for g in evidence.topic.grade if g.outcome_domain == domain.id)
    return _assemble(domain, method, rows, excluded, judgments)


def synthesise(evidence: Evidence, method: str = "REML") -> tuple[DomainSynthesis, ...]:
    """One synthesis per topic domain, in display order."""
    return tuple(synthesise_domain(evidence, d, method) for d in evidence.topic.domains)


# ---------------------------------------------------------------------------
# Sensitivity analyses and cumulative meta-analysis


def _subset(syn: DomainSynthesis, keep: Callable[[PooledStudy], bool], why: str, label: str) -> DomainSynthesis:
    kept = [r for r in syn.rows if keep(r)]
    dropped = [Excluded(r.id, why) for r in syn.rows if not keep(r)]
    return _assemble(syn.domain, syn.method, kept, (*syn.excluded, *dropped), syn.judgments, label)


def leave_one_out(syn: DomainSynthesis) -> tuple[DomainSynthesis, ...]:
    """The synthesis again without each pooled study in turn (in row order)."""

    def without(study_id: str) -> Callable[[PooledStudy], bool]:
        return lambda r: r.id != study_id

    return tuple(
        _subset(syn, without(row.id), "left out (leave-one-out)", f"without {row.id}") for row in syn.rows
    )


def randomised_only(syn: DomainSynthesis) -> DomainSynthesis:
    return _subset(syn, lambda r: r.randomised, "left out: not randomised", "randomised studies only")


def low_risk_only(syn: DomainSynthesis) -> DomainSynthesis:
    return _subset(
        syn,
        lambda r: r.rob == "low",
        "left out: not at low risk of bias",
        "studies at low risk of bias only",
    )


def cumulative_by_year(syn: DomainSynthesis) -> tuple[CumulativeStep, ...]:
    """After each publication year, the synthesis of the studies published up to then."""

    def up_to(year: int) -> Callable[[PooledStudy], bool]:
        return lambda r: r.year <= year

    steps: list[CumulativeStep] = []
    for year in sorted({r.year for r in syn.rows}):
        added = tuple(r.id for r in syn.rows if r.year == year)
        sub = _subset(syn, up_to(year), "published later", f"studies up to {year}")
        steps.append(CumulativeStep(year, added, sub))
    return tuple(steps)


# ---------------------------------------------------------------------------
# JSON


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    rounded = round(value, digits)
    return 0.0 if rounded == 0 else rounded


def to_json(syn: DomainSynthesis) -> dict[str, object]:
    """The ``syntheses`` entry of ``summary --format json`` (keys in the format's order)."""
    res = syn.result
    return {
        "domain": syn.domain.id,
        "label": syn.domain.label,
        "measure": syn.domain.measure,
        "method": syn.method,
        "k": syn.k,
        "participants": syn.participants,
        "estimate": _round(syn.estimate),
        "ci_low": _round(syn.ci_low),
        "ci_high": _round(syn.ci_high),
        "tau2": _round(res.tau2 if res else None),
        "i2": _round(res.i2 if res else None),
        "q": _round(res.q if res else None),
        "pi_low": _round(syn.pi_low),
        "pi_high": _round(syn.pi_high),
        "certainty": syn.certainty.level,
        "downgrades": [
            {"domain": d.domain, "levels": d.levels, "reason": d.text} for d in syn.certainty.downgrades
        ],
        "studies": [
            {
                "id": r.id,
                "estimate": _round(r.estimate),
                "ci_low": _round(r.ci_low),
                "ci_high": _round(r.ci_high),
                "weight": _round(r.weight),
            }
            for r in syn.rows
        ],
    }
