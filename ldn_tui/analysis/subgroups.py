"""Subgroup analysis by a study attribute, with the test for subgroup differences.

The attribute is one of the named fields (``design``, ``dose``, ``duration``,
``risk_of_bias``, ``year``) or any study key path (``blinding``,
``comparator.kind``, ``population.female_percent``). Text values group as they
are; numbers group by value, or split at ``cut`` into "< cut" and ">= cut". A
study without the attribute is in the group "not reported".

Each group is pooled on its own (its own tau^2, the synthesis's method and
test); the test for subgroup differences is a fixed-effect Q across the group
estimates (RevMan; metafor ``rma(est, sei=se, mods=~factor(group),
method="FE")``, whose QM equals it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ldn_tui.model import Evidence, Study

from .results import DomainSynthesis, PooledStudy, SubgroupAnalysis, SubgroupGroup
from .stats import PoolingError, chi2_sf, pool, to_display

__all__ = ["NAMED_FIELDS", "NOT_REPORTED", "attribute", "check_subgroup", "subgroup_analysis"]

NAMED_FIELDS = {
    "design": ("design",),
    "dose": ("intervention", "dose_mg"),
    "duration": ("intervention", "duration_weeks"),
    "risk_of_bias": ("risk_of_bias", "overall"),
    "year": ("year",),
}
NOT_REPORTED = "not reported"
_NOT_ASSESSED = "not assessed"

Value = str | int | float | None


def _path(field: str) -> tuple[str, ...]:
    return NAMED_FIELDS.get(field) or tuple(field.split("."))


def attribute(study: Study, field: str) -> Value:
    """The study's value of ``field`` (``None`` where the record leaves it out).

    Raises ``KeyError`` for a path that no study record has, ``TypeError`` for one
    that names a list or a table rather than a single value.
    """
    value: object = study
    for name in _path(field):
        if value is None:
            return None
        fields = getattr(type(value), "_fields", None)
        if fields is None or name not in fields or name == "path":
            raise KeyError(field)
        value = getattr(value, name)
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(field)


def _is_number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_subgroup(evidence: Evidence, field: str, cut: float | None) -> str | None:
    """Why ``field`` (with ``cut``) cannot split this folder's studies, or None when it can."""
    named = ", ".join(NAMED_FIELDS)
    if not field or any(not part for part in field.split(".")):
        return f"--subgroup needs a field: {named}, or a study key path such as population.female_percent"
    values: list[Value] = []
    for study in evidence.studies:
        try:
            values.append(attribute(study, field))
        except KeyError:
            return (
                f"--subgroup {field}: no such study field; use {named}, "
                "or a study key path such as population.female_percent"
            )
        except TypeError:
            return f"--subgroup {field}: a list or table, not a single value per study"
    if cut is not None:
        if not math.isfinite(cut):
            return f"--cut {cut}: not a finite number"
        present = [v for v in values if v is not None]
        if any(not _is_number(v) for v in present):
            return f"--cut applies to numbers; --subgroup {field} is text"
    return None


def _label(value: Value, field: str, cut: float | None) -> str:
    if value is None:
        return _NOT_ASSESSED if field == "risk_of_bias" else NOT_REPORTED
    if _is_number(value):
        assert isinstance(value, int | float)
        if cut is not None:
            return f"< {cut:g}" if value < cut else f">= {cut:g}"
        return f"{value:g}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _order(value: Value, label: str, cut: float | None) -> tuple[int, float, str]:
    if value is None:
        return (2, 0.0, label)
    if _is_number(value) and isinstance(value, int | float):
        return (0, (0.0 if value < cut else 1.0) if cut is not None else float(value), label)
    return (1, 0.0, label)


def _group(rows: Sequence[PooledStudy], value: str, syn: DomainSynthesis) -> SubgroupGroup | None:
    try:
        res = pool([r.yi for r in rows], [r.vi for r in rows], syn.method, test=syn.test)
    except PoolingError:
        return None
    return SubgroupGroup(
        value=value,
        k=len(rows),
        estimate=to_display(res.estimate, syn.ratio),
        ci_low=to_display(res.ci_low, syn.ratio),
        ci_high=to_display(res.ci_high, syn.ratio),
        tau2=res.tau2,
        i2=res.i2,
        yi=res.estimate,
        se=res.se,
        study_ids=tuple(r.id for r in rows),
    )


def subgroup_analysis(evidence: Evidence, syn: DomainSynthesis, field: str, cut: float | None = None) -> SubgroupAnalysis:
    """The pooled studies of ``syn`` split by ``field``; check the field first with :func:`check_subgroup`."""
    buckets: dict[str, list[PooledStudy]] = {}
    keys: dict[str, tuple[int, float, str]] = {}
    for row in syn.rows:
        study = evidence.study(row.id)
        value = attribute(study, field) if study is not None else None
        label = _label(value, field, cut)
        buckets.setdefault(label, []).append(row)
        keys.setdefault(label, _order(value, label, cut))
    groups: list[SubgroupGroup] = []
    failed: list[str] = []
    for label in sorted(buckets, key=lambda lab: keys[lab]):
        group = _group(buckets[label], label, syn)
        if group is None:
            failed.append(label)
        else:
            groups.append(group)
    note = f"group(s) {', '.join(failed)} could not be pooled" if failed else None
    if len(groups) < 2:
        why = "only one group: no test for subgroup differences"
        return SubgroupAnalysis(field, tuple(groups), None, None, None, cut, f"{note}; {why}" if note else why)
    try:
        between = pool([g.yi for g in groups], [g.se * g.se for g in groups], "FE")
    except PoolingError as exc:
        return SubgroupAnalysis(field, tuple(groups), None, None, None, cut, f"no test for subgroup differences: {exc}")
    q = between.q if between.q is not None else 0.0
    df = len(groups) - 1
    return SubgroupAnalysis(field, tuple(groups), q, df, chi2_sf(q, df), cut, note)
