"""The record format's per-file rules: the builders of every kind of record.

Each ``build_*`` takes a parsed TOML table and returns a model object, or
``None`` when a required part is missing; every problem goes into the
context's list, so one pass reports them all. The typed reads they use are
``ldn_tui.readers``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ldn_tui import model as M
from ldn_tui.readers import Ctx as Ctx  # re-exported: the loader builds contexts and tables here
from ldn_tui.readers import Table as Table
from ldn_tui.readers import closest as closest

# --------------------------------------------------------------------------- topic

TOPIC_KEYS = frozenset({"format", "id", "title", "question", "last_reviewed", "domains", "grade", "summary"})
DOMAIN_KEYS = frozenset({"id", "label", "kind", "lower_is_better", "measure", "critical"})
GRADE_KEYS = frozenset(M.GRADE_DOMAINS)
JUDGMENT_KEYS = frozenset({"levels", "reason"})


def build_topic(ctx: Ctx, data: dict[str, Any]) -> M.Topic | None:
    t = Table(ctx, data, "")
    t.known(TOPIC_KEYS)
    fmt = t.integer("format", required=True)
    if fmt is not None and fmt != M.FORMAT_VERSION:
        t.problem("format", f"version {fmt} is not supported (this ldn-tui reads format {M.FORMAT_VERSION})")
    topic_id, title, question = t.slug(), t.text("title"), t.text("question")
    last = t.day("last_reviewed", required=True)
    summary = t.text("summary", required=False)
    domains: list[M.Domain] = []
    seen: set[str] = set()
    tables = t.tables("domains", required=True)
    if "domains" in data and isinstance(data["domains"], list) and not data["domains"]:
        t.problem("domains", "must list at least one outcome domain")
    for d in tables:
        d.known(DOMAIN_KEYS)
        did, label = d.slug(), d.text("label")
        kind = d.enum("kind", M.DOMAIN_KINDS)
        measure = d.enum("measure", M.EFFECT_TYPES)
        lower = d.data.get("lower_is_better")
        if lower is None:
            d.problem("lower_is_better", "missing required field")
        better = d.flag("lower_is_better")
        critical = d.flag("critical")
        if did is not None and did in seen:
            d.problem("id", f"duplicate domain id '{did}'")
            continue
        if did and label and kind and measure and lower is not None:
            seen.add(did)
            domains.append(M.Domain(did, label, kind, better, measure, critical))
    judgments: list[M.GradeJudgment] = []
    grade = t.table("grade")
    if grade is not None:
        for dom in grade.data:
            if dom not in seen and domains:
                hint = closest(dom, seen)
                grade.problem(dom, f"'{dom}' is not a domain of this topic" + (f", did you mean {hint}?" if hint else ""))
                continue
            g = grade.table(dom)
            if g is None:
                continue
            g.known(GRADE_KEYS)
            for gdom in M.GRADE_DOMAINS:
                j = g.table(gdom)
                if j is None:
                    continue
                j.known(JUDGMENT_KEYS)
                levels = j.integer("levels", required=True)
                if levels is not None and levels > 2:
                    j.problem("levels", f"{levels} is impossible: 0, 1 or 2 downgrades")
                    levels = None
                reason = j.text("reason")
                if levels is not None and reason:
                    judgments.append(M.GradeJudgment(dom, gdom, levels, reason))
    if fmt is None or topic_id is None or title is None or question is None or last is None:
        return None
    return M.Topic(fmt, topic_id, title, question, last, tuple(domains), tuple(judgments), summary)


# --------------------------------------------------------------------------- studies

CITATION_KEYS = frozenset({"id", "title", "authors", "year", "journal", "doi", "pmid", "registration"})
STUDY_KEYS = CITATION_KEYS | {
    "design", "blinding", "country", "funding", "summary", "keywords", "caveats", "population",
    "intervention", "comparator", "outcomes", "biomarkers", "risk_of_bias", "adverse_events",
}
POPULATION_KEYS = frozenset({"description", "n_enrolled", "n_analysed", "female_percent", "age_mean"})
INTERVENTION_KEYS = frozenset({"description", "dose_mg", "duration_weeks"})
COMPARATOR_KEYS = frozenset({"kind", "description"})
OUTCOME_KEYS = frozenset({
    "domain", "measure", "timepoint", "result", "summary", "p_value", "source", "effect", "arms",
    "secondary_source",
})
EFFECT_KEYS = frozenset({"type", "estimate", "ci_low", "ci_high"})
ARMS_KEYS = frozenset({"intervention", "control"})
CONT_KEYS = frozenset({"mean", "sd", "n"})
BIN_KEYS = frozenset({"events", "total"})
BIOMARKER_KEYS = frozenset({"marker", "role", "finding", "summary", "source", "secondary_source"})
ROB_KEYS = frozenset({*M.ROB_DOMAINS, "overall", "rationale", "assessed_by"})


def _citation(t: Table) -> tuple[str | None, str | None, tuple[str, ...], int | None, dict[str, Any]]:
    record_id, title = t.slug(), t.text("title")
    authors = t.strs("authors", required=True)
    year = t.integer("year", required=True, minimum=1800)
    if year is not None and year > date.today().year:
        t.problem("year", f"{year} is in the future")
        year = None
    doi = t.text("doi", required=False)
    if doi is not None and not doi.startswith("10."):
        t.problem("doi", f"'{doi}' is not a DOI (it starts with '10.'; leave out any https://doi.org/)")
    pmid = t.text("pmid", required=False)
    if pmid is not None and not pmid.isdigit():
        t.problem("pmid", f"'{pmid}' is not a PubMed id (digits only)")
    extra: dict[str, Any] = {"journal": t.text("journal", required=False), "doi": doi, "pmid": pmid,
             "registration": t.text("registration", required=False)}
    return record_id, title, authors, year, extra


def build_study(ctx: Ctx, data: dict[str, Any], path: str) -> M.Study | None:
    t = Table(ctx, data, "")
    t.known(STUDY_KEYS)
    record_id, title, authors, year, cite = _citation(t)
    if "authors" in data and not authors and isinstance(data["authors"], list):
        t.problem("authors", "must name at least one author")
    if not (cite["doi"] or cite["pmid"] or cite["registration"]) and not any(
        k in data for k in ("doi", "pmid", "registration")
    ):
        t.problem("doi", "a study needs at least one of doi, pmid, registration")
    design = t.enum("design", M.DESIGNS)
    blinding = t.enum("blinding", M.BLINDINGS)
    summary = t.text("summary")
    population = _population(t.table("population", required=True))
    intervention = _intervention(t.table("intervention", required=True))
    comparator = _comparator(t.table("comparator", required=True))
    outcomes = tuple([o for o in map(_outcome, t.tables("outcomes")) if o is not None])
    biomarkers = tuple([b for b in map(_biomarker, t.tables("biomarkers")) if b is not None])
    rob_t = t.table("risk_of_bias")
    rob = _rob(rob_t) if rob_t is not None else None
    rest: dict[str, Any] = {
        "country": t.text("country", required=False),
        "funding": t.text("funding", required=False),
        "keywords": t.strs("keywords"),
        "caveats": t.strs("caveats"),
        "adverse_events": t.text("adverse_events", required=False),
    }
    if (
        record_id is None or title is None or year is None or design is None or blinding is None
        or summary is None or population is None or intervention is None or comparator is None
        or (rob_t is not None and rob is None)
    ):
        return None
    return M.Study(
        id=record_id, title=title, authors=authors, year=year, design=design, blinding=blinding,
        summary=summary, population=population, intervention=intervention, comparator=comparator,
        path=path, outcomes=outcomes, biomarkers=biomarkers, risk_of_bias=rob,
        **cite, **rest,
    )


def _population(t: Table | None) -> M.Population | None:
    if t is None:
        return None
    t.known(POPULATION_KEYS)
    desc = t.text("description")
    n = t.integer("n_enrolled", required=True, minimum=1)
    analysed = t.integer("n_analysed")
    if n is not None and analysed is not None and analysed > n:
        t.problem("n_analysed", f"{analysed} analysed is more than the {n} enrolled")
    female = t.number("female_percent", low=0, high=100)
    age = t.number("age_mean", low=0, high=120)
    if desc is None or n is None:
        return None
    return M.Population(desc, n, analysed, female, age)


def _intervention(t: Table | None) -> M.Intervention | None:
    if t is None:
        return None
    t.known(INTERVENTION_KEYS)
    desc = t.text("description")
    dose = t.number("dose_mg", low=0, low_open=True)
    weeks = t.number("duration_weeks", low=0, low_open=True)
    return M.Intervention(desc, dose, weeks) if desc is not None else None


def _comparator(t: Table | None) -> M.Comparator | None:
    if t is None:
        return None
    t.known(COMPARATOR_KEYS)
    kind = t.enum("kind", M.COMPARATOR_KINDS)
    desc = t.text("description", required=False)
    return M.Comparator(kind, desc) if kind is not None else None


def check_ci(t: Table, kind: str | None, est: float | None, low: float | None, high: float | None) -> bool:
    """The shared rules of a reported effect: ratios positive, CI complete and around the estimate."""
    ok = True
    if kind in M.RATIO_TYPES:
        for key, value in (("estimate", est), ("ci_low", low), ("ci_high", high)):
            if value is not None and value <= 0:
                t.problem(key, f"{value:g} is impossible for a ratio ({kind}): ratios are on the ratio scale, above 0")
                ok = False
    if ("ci_low" in t.data) != ("ci_high" in t.data):
        t.problem("ci_high" if "ci_low" in t.data else "ci_low", "a CI needs both ci_low and ci_high")
        ok = False
    if ok and est is not None and low is not None and high is not None:
        if low > high:
            t.problem("ci_low", f"ci_low {low:g} is above ci_high {high:g}")
            ok = False
        elif not low <= est <= high:
            t.problem("estimate", f"{est:g} lies outside its CI ({low:g} to {high:g})")
            ok = False
    return ok


def _outcome(t: Table) -> M.Outcome | None:
    t.known(OUTCOME_KEYS)
    domain, measure = t.text("domain"), t.text("measure")
    result = t.enum("result", M.RESULTS)
    summary, source = t.text("summary"), t.text("source")
    timepoint = t.text("timepoint", required=False)
    p = t.number("p_value", low=0, high=1, low_open=True)
    secondary = t.flag("secondary_source")
    effect: M.Effect | None = None
    arms: M.Arms | None = None
    ok = True
    e = t.table("effect")
    a = t.table("arms")
    if e is not None and a is not None:
        t.problem("arms", "give [outcomes.effect] or [outcomes.arms], not both")
        ok = False
    if e is not None:
        e.known(EFFECT_KEYS)
        kind = e.enum("type", M.EFFECT_TYPES)
        est = e.number("estimate", required=True)
        low, high = e.number("ci_low"), e.number("ci_high")
        if not check_ci(e, kind, est, low, high):
            ok = False
        elif kind is not None and est is not None:
            if low is None and p is None:
                e.problem("ci_low", "an effect needs a CI (ci_low, ci_high) or the outcome's p_value")
                ok = False
            effect = M.Effect(kind, est, low, high)
    if a is not None:
        arms = _arms(a)
        ok = ok and arms is not None
    if domain is None or measure is None or result is None or summary is None or source is None or not ok:
        return None
    return M.Outcome(domain, measure, result, summary, source, timepoint, p, effect, arms, secondary)


def _arm(t: Table | None) -> M.Arm | None:
    if t is None:
        return None
    if "events" in t.data or "total" in t.data:
        t.known(BIN_KEYS)
        events, total = t.integer("events", required=True), t.integer("total", required=True, minimum=1)
        if events is not None and total is not None and events > total:
            t.problem("events", f"{events} events is more than the {total} in the arm")
            return None
        return M.BinaryArm(events, total) if events is not None and total is not None else None
    t.known(CONT_KEYS)
    mean = t.number("mean", required=True)
    sd = t.number("sd", required=True, low=0, low_open=True)
    n = t.integer("n", required=True, minimum=1)
    if mean is None or sd is None or n is None:
        return None
    return M.ContinuousArm(mean, sd, n)


def _arms(t: Table) -> M.Arms | None:
    t.known(ARMS_KEYS)
    i, c = _arm(t.table("intervention", required=True)), _arm(t.table("control", required=True))
    if i is None or c is None:
        return None
    if type(i) is not type(c):
        t.problem("control", "both arms need the same kind of data: mean/sd/n or events/total")
        return None
    return M.Arms(i, c)


def _biomarker(t: Table) -> M.Biomarker | None:
    t.known(BIOMARKER_KEYS)
    marker = t.text("marker")
    role = t.enum("role", M.BIOMARKER_ROLES)
    finding = t.enum("finding", M.BIOMARKER_FINDINGS)
    summary, source = t.text("summary"), t.text("source")
    secondary = t.flag("secondary_source")
    if marker is None or role is None or finding is None or summary is None or source is None:
        return None
    return M.Biomarker(marker, role, finding, summary, source, secondary)


def _rob(t: Table) -> M.RiskOfBias | None:
    t.known(ROB_KEYS)
    domains = {d: t.enum(d, M.ROB_JUDGMENTS, required=False) for d in M.ROB_DOMAINS}
    overall = t.enum("overall", M.ROB_JUDGMENTS)
    by = t.text("assessed_by")
    rationale = t.text("rationale", required=False)
    if overall is None or by is None:
        return None
    return M.RiskOfBias(overall=overall, assessed_by=by, rationale=rationale, **domains)


# --------------------------------------------------------------------------- reviews, mechanisms, questions

REVIEW_KEYS = CITATION_KEYS | {
    "kind", "search_date", "includes", "includes_other", "conclusion", "certainty", "findings",
    "summary", "keywords", "caveats", "n_studies", "n_participants",
}
FINDING_KEYS = frozenset({
    "domain", "type", "estimate", "ci_low", "ci_high", "k", "i2", "p_value", "comparison", "note",
    "secondary_source",
})
MECHANISM_KEYS = frozenset({"id", "title", "status", "summary", "studies", "studies_against", "references", "caveats"})
QUESTION_KEYS = frozenset({"id", "question", "why", "studies", "ongoing"})


def build_review(ctx: Ctx, data: dict[str, Any], path: str) -> M.Review | None:
    t = Table(ctx, data, "")
    t.known(REVIEW_KEYS)
    record_id, title, authors, year, cite = _citation(t)
    kind = t.enum("kind", M.REVIEW_KINDS)
    conclusion = t.text("conclusion")
    certainty = t.enum("certainty", M.CERTAINTIES, required=False)
    findings = tuple(f for f in (_finding(x) for x in t.tables("findings")) if f is not None)
    rest: dict[str, Any] = {
        "search_date": t.day("search_date"),
        "includes": t.strs("includes"),
        "includes_other": t.strs("includes_other"),
        "summary": t.text("summary", required=False),
        "keywords": t.strs("keywords"),
        "caveats": t.strs("caveats"),
        "n_studies": t.integer("n_studies", minimum=1),
        "n_participants": t.integer("n_participants", minimum=1),
    }
    if record_id is None or title is None or year is None or kind is None or conclusion is None:
        return None
    return M.Review(
        id=record_id, title=title, authors=authors, year=year, kind=kind, conclusion=conclusion, path=path,
        certainty=certainty, findings=findings, **cite, **rest,
    )


def _finding(t: Table) -> M.ReviewFinding | None:
    t.known(FINDING_KEYS)
    domain = t.text("domain")
    kind = t.enum("type", M.EFFECT_TYPES)
    est = t.number("estimate", required=True)
    low, high = t.number("ci_low"), t.number("ci_high")
    ok = check_ci(t, kind, est, low, high)
    k = t.integer("k", minimum=1)
    i2 = t.number("i2", low=0, high=100)
    p = t.number("p_value", low=0, high=1, low_open=True)
    comparison = t.enum("comparison", M.COMPARISONS, required=False) or "placebo"
    note = t.text("note", required=False)
    secondary = t.flag("secondary_source")
    if domain is None or kind is None or est is None or not ok:
        return None
    return M.ReviewFinding(domain, kind, est, low, high, k, i2, p, comparison, note, secondary)


def build_mechanism(t: Table) -> M.Mechanism | None:
    t.known(MECHANISM_KEYS)
    mid, title = t.slug(), t.text("title")
    status = t.enum("status", M.MECHANISM_STATUSES)
    summary = t.text("summary")
    studies, against = t.strs("studies"), t.strs("studies_against")
    refs, caveats = t.strs("references"), t.strs("caveats")
    if mid is None or title is None or status is None or summary is None:
        return None
    return M.Mechanism(mid, title, status, summary, studies, against, refs, caveats)


def build_question(t: Table) -> M.Question | None:
    t.known(QUESTION_KEYS)
    qid, question, why = t.slug(), t.text("question"), t.text("why")
    studies, ongoing = t.strs("studies"), t.strs("ongoing")
    if qid is None or question is None or why is None:
        return None
    return M.Question(qid, question, why, studies, ongoing)
