"""The record format's per-file rules: the builders of every kind of record.

Each ``build_*`` takes a parsed TOML table and returns a model object, or
``None`` when a required part is missing; every problem goes into the
context's list, so one pass reports them all. The typed reads they use are
``ldn_tui.records.readers``. Studies, reviews, mechanisms and questions are built from
their shapes (``ldn_tui.records.shapes``, where their rules are written down): a study
or review through the generated fast path (``ldn_tui.records._fastpath``) when it is
clean, else by ``build``, which names every problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from ldn_tui import model as M
from ldn_tui.records import _fastpath as fastpath
from ldn_tui.records.readers import SLUG
from ldn_tui.records.readers import Ctx as Ctx  # re-exported: the loader builds contexts and tables here
from ldn_tui.records.readers import Table as Table
from ldn_tui.records.readers import closest as closest

if TYPE_CHECKING:
    from ldn_tui.records.shapes import Field, Shape

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


# --------------------------------------------------------------------------- records built from their shapes


def build(shape: Shape, t: Table, path: str | None = None) -> Any:
    """The shape's record from table ``t``, every problem reported; None if it does not build."""
    from ldn_tui.records.shapes import Check

    t.known(shape.keys)
    values: dict[str, Any] = {}
    failed = False
    for step in shape.steps:
        if isinstance(step, Check):
            if any(values[name] is None for name in step.needs) or not all(k in t.data for k in step.keys):
                continue
            found = step.fn(t.data, *[values[name] for name in step.args])
            if found:
                for key, message in found:
                    t.problem(key, message)
                failed = failed or step.fatal
            continue
        value, ok = _read(t, step)
        values[step.key] = value
        failed = failed or not ok
    if failed:
        return None
    if shape.with_path:
        values["path"] = path
    return shape.model(**values)


def _read(t: Table, f: Field) -> tuple[Any, bool]:
    """A field's value, and whether the table can still build (False: a required field,
    or a sub-table that is there, failed)."""
    kind, key = f.kind, f.key
    value: Any
    if kind == "table":
        sub = t.table(key, f.required)
        if sub is None:
            return None, not f.required  # an optional key that is not a table is read as left out
        from ldn_tui.records.shapes import OneOf, Shape

        shape = f.shape
        if isinstance(shape, OneOf):
            shape = shape.then if any(k in sub.data for k in shape.when_any) else shape.otherwise
        assert shape is not None
        value = build(shape, sub)
        return value, value is not None
    if kind == "tables":
        from ldn_tui.records.shapes import Shape

        assert isinstance(f.shape, Shape)
        built = (build(f.shape, item) for item in t.tables(key, f.required))
        return tuple([item for item in built if item is not None]), True
    if kind == "flag":
        return t.flag(key, f.default), True
    if kind == "strs":
        return t.strs(key, f.required), True
    if kind == "text":
        value = t.text(key, f.required)
    elif kind == "enum":
        value = t.enum(key, f.choices, f.required)
        if value is None and f.default is not None:
            return f.default, True
    elif kind == "slug":
        value = t.slug(key)
    elif kind == "integer":
        value = t.integer(key, f.required, f.minimum)
    elif kind == "number":
        value = t.number(key, f.required, f.low, f.high, f.low_open)
    elif kind == "day":
        value = t.day(key, f.required)
    else:
        raise ValueError(f"unknown field kind {kind!r}")
    return value, value is not None or not f.required


def _shape(name: str) -> Shape:
    """A shape of ``ldn_tui.records.shapes``, imported only when a table needs the full read."""
    from ldn_tui.records import shapes

    found: Shape = getattr(shapes, name)
    return found


def build_study(ctx: Ctx, data: dict[str, Any], path: str, plain: bool = False) -> M.Study | None:
    """The study of one file (``plain``: its text needs no cleaning, ``ldn_tui.text.plain``):
    from the fast path when the file is clean, else read again with every problem named."""
    study: M.Study | None = fastpath.study(data, path, plain) or build(_shape("STUDY"), Table(ctx, data, ""), path)
    return study


def build_review(ctx: Ctx, data: dict[str, Any], path: str, plain: bool = False) -> M.Review | None:
    """The review of one file, as ``build_study``."""
    review: M.Review | None = fastpath.review(data, path, plain) or build(_shape("REVIEW"), Table(ctx, data, ""), path)
    return review


def build_mechanism(t: Table) -> M.Mechanism | None:
    mechanism: M.Mechanism | None = fastpath.mechanism(t.data, False) or build(_shape("MECHANISM"), t)
    return mechanism


def build_question(t: Table) -> M.Question | None:
    question: M.Question | None = fastpath.question(t.data, False) or build(_shape("QUESTION"), t)
    return question


# --------------------------------------------------------------------------- records with problems


class Salvaged(NamedTuple):
    """What the cross-file rules need of a study or review file with field problems, read from its raw
    table, so that its id, duplicate-id, domain and reference problems are reported in the same run as
    its field problems (a record that fails to build is not there to check; one that builds has left
    out its failed items, and the rest are renumbered). Values of the wrong type are left out: the
    field problems name them already."""

    id: str | None  # None when the record built (it is checked), or missing, or not a slug
    path: str  # the file, relative to the folder
    domains: tuple[tuple[str, str], ...]  # (field, domain), e.g. ("outcomes[0].domain", "pain")
    includes: tuple[str | None, ...]  # a review's included study ids, None for an item that is not a string


def salvage(data: dict[str, Any], path: str, sub: str, built: bool) -> Salvaged:
    """The id (unless ``built``), domains and references of a raw study (``sub`` "studies") or review table."""
    raw_id = None if built else data.get("id")
    record_id = raw_id if isinstance(raw_id, str) and SLUG.match(raw_id) else None
    key = "outcomes" if sub == "studies" else "findings"
    items = data.get(key)
    domains = tuple(
        (f"{key}[{i}].domain", item["domain"])
        for i, item in enumerate(items if isinstance(items, list) else ())
        if isinstance(item, dict) and isinstance(item.get("domain"), str)
    )
    includes = data.get("includes") if sub == "reviews" else None
    refs = tuple(ref if isinstance(ref, str) else None for ref in includes) if isinstance(includes, list) else ()
    return Salvaged(record_id, path, domains, refs)


def build_trial(t: Table) -> M.Trial | None:
    trial: M.Trial | None = fastpath.trial(t.data, False) or build(_shape("TRIAL"), t)
    return trial
