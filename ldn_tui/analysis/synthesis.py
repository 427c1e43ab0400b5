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
    Arms,
    BinaryArm,
    ContinuousArm,
    Domain,
    Evidence,
    GradeJudgment,
    Outcome,
    Study,
)
from ldn_tui.text import plural

from .grading import assess, not_assessable
from .results import (
    AbsoluteEffect,
    CumulativeStep,
    DomainSynthesis,
    Excluded,
    PooledStudy,
    ReviewResult,
    SubgroupAnalysis,
    SubgroupGroup,
)
from .stats import (
    METHODS,
    TESTS,
    EffectSize,
    PoolingError,
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
    "AbsoluteEffect",
    "CumulativeStep",
    "DomainSynthesis",
    "Excluded",
    "PooledStudy",
    "ReviewResult",
    "SubgroupAnalysis",
    "SubgroupGroup",
    "cumulative_by_year",
    "leave_one_out",
    "low_risk_only",
    "randomised_only",
    "review_results",
    "synthesise",
    "synthesise_domain",
    "to_json",
]


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
    arms: Arms | None = None


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
            return _Candidate(outcome, es_or_none, "arms", (es_or_none.yi, lo, hi), ai.n + ci.n, None, arms)
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
                outcome, es_or_none, "arms", shown, ai.total + ci.total, ai.events + ci.events, arms
            )
        return "arm data mix continuous and binary arms"
    if outcome.p_value is not None:
        return "only a p-value, no effect estimate"
    return "no between-group effect or arm data reported"


def _usable(candidate: _Candidate | str) -> _Candidate | str:
    """A candidate whose effect can be pooled: finite estimate, variance a positive finite number."""
    if isinstance(candidate, str):
        return candidate
    es = candidate.effect
    if not math.isfinite(es.yi):
        return "the effect is not a finite number on the pooling scale"
    if not (es.vi > 0.0 and math.isfinite(es.vi)):
        return f"its variance ({es.vi:.3g}) is not a positive finite number"
    return candidate


def _row_or_reason(study: Study, domain: Domain) -> PooledStudy | Excluded | None:
    outcomes = study.outcomes_for(domain.id)
    if not outcomes:
        return None
    candidates: list[_Candidate] = []
    reasons: list[tuple[Outcome, str]] = []
    for outcome in outcomes:
        got = _usable(_from_outcome(outcome, domain.measure))
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
        arms=c.arms,
    )


# ---------------------------------------------------------------------------
# Assembling a synthesis


def _absolute(domain: Domain, rows: tuple[PooledStudy, ...], result: PoolResult) -> AbsoluteEffect | None:
    """GRADEpro's absolute effects from the pooled ratio and the median control-arm risk."""
    if domain.measure not in RATIO_TYPES:
        return None
    risks = sorted(
        r.arms.control.events / r.arms.control.total
        for r in rows
        if r.arms is not None and isinstance(r.arms.control, BinaryArm) and r.arms.control.total > 0
    )
    if not risks:
        return None
    n = len(risks)
    cr = risks[n // 2] if n % 2 else (risks[n // 2 - 1] + risks[n // 2]) / 2.0

    def risk(log_ratio: float) -> float:
        if cr <= 0.0 or cr >= 1.0:
            return cr  # no events, or only events, in the control arms: a ratio does not move them
        if domain.measure == "RR":
            return min(1.0, cr * _exp(log_ratio))
        # OR: CR * OR / (1 - CR + CR * OR), written so that it cannot overflow
        if log_ratio > 0:
            inv = _exp(-log_ratio)
            return cr / (inv * (1.0 - cr) + cr)
        odds = _exp(log_ratio)
        return cr * odds / (1.0 - cr + cr * odds)

    control = 1000.0 * cr
    inter = 1000.0 * risk(result.estimate)
    low = 1000.0 * risk(result.ci_low) - control
    high = 1000.0 * risk(result.ci_high) - control
    basis = f"median control-arm risk of the pooled studies ({n} with arm data)"
    return AbsoluteEffect(basis, cr, control, inter, inter - control, low, high, n)


def _exp(x: float) -> float:
    """exp that saturates instead of raising OverflowError."""
    return math.exp(x) if x < 709.0 else math.inf


def _assemble(
    domain: Domain,
    method: str,
    rows: Iterable[PooledStudy],
    excluded: Iterable[Excluded],
    judgments: tuple[GradeJudgment, ...],
    label: str | None = None,
    *,
    test: str = "z",
    review_results: tuple[ReviewResult, ...] = (),
    intervention: str = "the intervention",
    heterogeneity_ci: bool = True,
) -> DomainSynthesis:
    from .sof import statement

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
            reason += f" ({plural(len(excluded), 'study', 'studies')} with results that do not pool)"
        empty = DomainSynthesis(
            domain, method, (), excluded, None, None, None, True, not_assessable(reason), judgments, label,
            tuple(notes), test=test, review_results=review_results, intervention=intervention,
        )
        return empty._replace(statement=statement(empty, intervention))
    try:
        result = pool([r.yi for r in rows], [r.vi for r in rows], method, test=test, heterogeneity_ci=heterogeneity_ci)
    except PoolingError as exc:
        reason = f"cannot be pooled: {exc}"
        failed = DomainSynthesis(
            domain, method, (), (*excluded, *(Excluded(r.id, reason) for r in rows)), None, None, None, True,
            not_assessable(reason), judgments, label, tuple(notes), test=test, review_results=review_results,
            intervention=intervention,
        )
        return failed._replace(statement=statement(failed, intervention))
    if test == "knha" and result.test != "knha":
        notes.append("Hartung-Knapp needs at least two studies: the Wald (z) interval is shown")
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
        mid=getattr(domain, "mid", None),
    )
    syn = DomainSynthesis(
        domain, method, rows, excluded, result, participants, events, events_complete, certainty,
        judgments, label, tuple(notes), test=test, absolute=_absolute(domain, rows, result),
        review_results=review_results, intervention=intervention,
    )
    return syn._replace(statement=statement(syn, intervention))


def review_results(evidence: Evidence, domain: Domain) -> tuple[ReviewResult, ...]:
    """The reviews' own pooled results for ``domain``, as published, newest first (then by review id)."""
    found = [
        ReviewResult(
            review=rev.id,
            year=rev.year,
            type=f.type,
            estimate=f.estimate,
            ci_low=f.ci_low,
            ci_high=f.ci_high,
            k=f.k,
            subgroup=f.subgroup,
            comparison=f.comparison,
            i2=f.i2,
            note=f.note,
        )
        for rev in evidence.reviews
        for f in rev.findings
        if f.domain == domain.id
    ]
    found.sort(key=lambda r: r.review)
    found.sort(key=lambda r: r.year, reverse=True)
    return tuple(found)


def synthesise_domain(
    evidence: Evidence,
    domain: Domain,
    method: str = "REML",
    *,
    test: str = "z",
    subgroup: str | None = None,
    cut: float | None = None,
) -> DomainSynthesis:
    """The synthesis of one domain.

    ``method`` is REML (default), DL or FE; ``test`` "z" (Wald) or "knha"
    (Hartung-Knapp-Sidik-Jonkman); ``subgroup`` a study attribute to split the
    pooled studies by (see :mod:`ldn_tui.analysis.subgroups`), numbers at ``cut``.
    """
    from .sof import intervention_name
    from .subgroups import subgroup_analysis

    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown pooling method {method!r}; use one of {', '.join(METHODS)}")
    if test not in TESTS:
        raise ValueError(f"unknown test {test!r}; use one of {', '.join(TESTS)}")
    rows: list[PooledStudy] = []
    excluded: list[Excluded] = []
    for study in evidence.studies:
        got = _row_or_reason(study, domain)
        if isinstance(got, PooledStudy):
            rows.append(got)
        elif isinstance(got, Excluded):
            excluded.append(got)
    judgments = tuple(g for g in evidence.topic.grade if g.outcome_domain == domain.id)
    syn = _assemble(
        domain, method, rows, excluded, judgments, test=test, review_results=review_results(evidence, domain),
        intervention=intervention_name(evidence),
    )
    if subgroup is not None and syn.result is not None:
        syn = syn._replace(subgroups=(subgroup_analysis(evidence, syn, subgroup, cut),))
    return syn


def synthesise(
    evidence: Evidence,
    method: str = "REML",
    *,
    test: str = "z",
    subgroup: str | None = None,
    cut: float | None = None,
) -> tuple[DomainSynthesis, ...]:
    """One synthesis per topic domain, in display order (arguments as :func:`synthesise_domain`)."""
    return tuple(
        synthesise_domain(evidence, d, method, test=test, subgroup=subgroup, cut=cut) for d in evidence.topic.domains
    )


# ---------------------------------------------------------------------------
# Sensitivity analyses and cumulative meta-analysis


def _subset(
    syn: DomainSynthesis, keep: Callable[[PooledStudy], bool], why: str, label: str, *, heterogeneity_ci: bool = True
) -> DomainSynthesis:
    """``syn`` again with only the rows ``keep`` takes (``heterogeneity_ci``: as ``stats.pool``)."""
    kept = [r for r in syn.rows if keep(r)]
    dropped = [Excluded(r.id, why) for r in syn.rows if not keep(r)]
    return _assemble(
        syn.domain, syn.method, kept, (*syn.excluded, *dropped), syn.judgments, label, test=syn.test,
        review_results=syn.review_results, intervention=syn.intervention, heterogeneity_ci=heterogeneity_ci,
    )


def leave_one_out(syn: DomainSynthesis) -> tuple[DomainSynthesis, ...]:
    """The synthesis again without each pooled study in turn (in row order); each is shown by its
    estimate, CI, I² and certainty, so the CIs of tau² and I² are not worked out (k poolings of k - 1)."""

    def without(study_id: str) -> Callable[[PooledStudy], bool]:
        return lambda r: r.id != study_id

    return tuple(
        _subset(syn, without(row.id), "left out (leave-one-out)", f"without {row.id}", heterogeneity_ci=False)
        for row in syn.rows
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
    """After each publication year, the synthesis of the studies published up to then (shown by its
    estimate and CI: the CIs of tau² and I² are not worked out)."""

    def up_to(year: int) -> Callable[[PooledStudy], bool]:
        return lambda r: r.year <= year

    steps: list[CumulativeStep] = []
    for year in sorted({r.year for r in syn.rows}):
        added = tuple(r.id for r in syn.rows if r.year == year)
        sub = _subset(syn, up_to(year), "published later", f"studies up to {year}", heterogeneity_ci=False)
        steps.append(CumulativeStep(year, added, sub))
    return tuple(steps)


# ---------------------------------------------------------------------------
# JSON


def _finite(value: float | None) -> float | None:
    """Full precision; ``None`` (JSON null) for a value that cannot be computed or is not finite."""
    if value is None or not math.isfinite(value):
        return None
    return value


def _arms_json(arms: Arms | None) -> dict[str, dict[str, float | int]] | None:
    if arms is None:
        return None
    return {"intervention": arms.intervention._asdict(), "control": arms.control._asdict()}


def to_json(syn: DomainSynthesis) -> dict[str, object]:
    """The ``syntheses`` entry of ``summary --format json`` (keys in the format's order, full precision)."""
    res = syn.result
    absolute = syn.absolute
    return {
        "domain": syn.domain.id,
        "label": syn.domain.label,
        "measure": syn.domain.measure,
        "method": syn.method,
        "k": syn.k,
        "participants": syn.participants,
        "estimate": _finite(syn.estimate),
        "ci_low": _finite(syn.ci_low),
        "ci_high": _finite(syn.ci_high),
        "tau2": _finite(res.tau2 if res else None),
        "i2": _finite(res.i2 if res else None),
        "q": _finite(res.q if res else None),
        "pi_low": _finite(syn.pi_low),
        "pi_high": _finite(syn.pi_high),
        "certainty": syn.certainty.level,
        "downgrades": [
            {"domain": d.domain, "levels": d.levels, "reason": d.text} for d in syn.certainty.downgrades
        ],
        "studies": [
            {
                "id": r.id,
                "estimate": _finite(r.estimate),
                "ci_low": _finite(r.ci_low),
                "ci_high": _finite(r.ci_high),
                "weight": _finite(r.weight),
                "yi": _finite(r.yi),
                "vi": _finite(r.vi),
                "se": _finite(r.se),
                "derived_from_p": r.derived_from_p,
                "zero_cell_correction": r.zero_cell_corrected,
                "arms": _arms_json(r.arms),
            }
            for r in syn.rows
        ],
        "se": _finite(res.se if res else None),
        "z": _finite(res.z if res else None),
        "p": _finite(res.p if res else None),
        "test": res.test if res else syn.test,  # what was used: Hartung-Knapp falls back to z for one study
        "q_df": res.q_df if res else None,
        "q_p": _finite(res.q_p if res else None),
        "h2": _finite(res.h2 if res else None),
        "tau": _finite(res.tau if res else None),
        "tau2_ci_low": _finite(res.tau2_ci_low if res else None),
        "tau2_ci_high": _finite(res.tau2_ci_high if res else None),
        "i2_ci_low": _finite(res.i2_ci_low if res else None),
        "i2_ci_high": _finite(res.i2_ci_high if res else None),
        "h2_ci_low": _finite(res.h2_ci_low if res else None),
        "h2_ci_high": _finite(res.h2_ci_high if res else None),
        "mid": syn.mid,
        "absolute": None if absolute is None else {
            "basis": absolute.basis,
            "control_risk": _finite(absolute.control_risk),
            "control_per_1000": _finite(absolute.control_per_1000),
            "intervention_per_1000": _finite(absolute.intervention_per_1000),
            "difference_per_1000": _finite(absolute.difference_per_1000),
            "difference_ci_low": _finite(absolute.difference_ci_low),
            "difference_ci_high": _finite(absolute.difference_ci_high),
        },
        "statement": syn.statement,
        "excluded": [{"id": e.id, "reason": e.reason} for e in syn.excluded],
        "subgroups": [
            {
                "by": sg.by,
                "groups": [
                    {
                        "value": g.value,
                        "k": g.k,
                        "estimate": _finite(g.estimate),
                        "ci_low": _finite(g.ci_low),
                        "ci_high": _finite(g.ci_high),
                        "tau2": _finite(g.tau2),
                        "i2": _finite(g.i2),
                    }
                    for g in sg.groups
                ],
                "q_between": _finite(sg.q_between),
                "df": sg.df,
                "p": _finite(sg.p),
            }
            for sg in syn.subgroups
        ],
        "review_results": [
            {
                "review": r.review,
                "year": r.year,
                "type": r.type,
                "estimate": r.estimate,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "k": r.k,
                "subgroup": r.subgroup,
                "comparison": r.comparison,
            }
            for r in syn.review_results
        ],
    }
