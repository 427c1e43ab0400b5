"""The rules across fields of the record format, as plain functions.

Each takes the raw table and the values it needs (already read and checked one by
one) and returns its problems as (key, message) pairs, or None. ``ldn_tui.records.shapes``
says where each applies; both ways of reading a table (``ldn_tui.records.schema.build`` and
the generated ``ldn_tui.records._fastpath``) call these same functions.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ldn_tui import model as M

Problems = list[tuple[str, str]] | None  # (key, message) pairs: the key is relative to the table


def year_not_future(raw: dict[str, Any], year: int | None) -> Problems:
    if year is not None and year > date.today().year:
        return [("year", f"{year} is in the future")]
    return None


def doi_form(raw: dict[str, Any], doi: str | None) -> Problems:
    if doi is not None and not doi.startswith("10."):
        return [("doi", f"'{doi}' is not a DOI (it starts with '10.'; leave out any https://doi.org/)")]
    return None


def pmid_form(raw: dict[str, Any], pmid: str | None) -> Problems:
    if pmid is not None and not pmid.isdigit():
        return [("pmid", f"'{pmid}' is not a PubMed id (digits only)")]
    return None


def some_author(raw: dict[str, Any], authors: tuple[str, ...]) -> Problems:
    if not authors and isinstance(raw.get("authors"), list):
        return [("authors", "must name at least one author")]
    return None


def some_identifier(raw: dict[str, Any]) -> Problems:
    if "doi" in raw or "pmid" in raw or "registration" in raw:
        return None  # given (a bad one is a problem of its own)
    return [("doi", "a study needs at least one of doi, pmid, registration")]


def analysed_within_enrolled(raw: dict[str, Any], enrolled: int | None, analysed: int | None) -> Problems:
    if enrolled is not None and analysed is not None and analysed > enrolled:
        return [("n_analysed", f"{analysed} analysed is more than the {enrolled} enrolled")]
    return None


def check_ci(
    raw: dict[str, Any], kind: str | None, est: float | None, low: float | None, high: float | None
) -> Problems:
    """The shared rules of a reported effect: ratios positive, CI complete and around the estimate."""
    found: list[tuple[str, str]] = []
    if kind in M.RATIO_TYPES:
        for key, value in (("estimate", est), ("ci_low", low), ("ci_high", high)):
            if value is not None and value <= 0:
                found.append((key, f"{value:g} is impossible for a ratio ({kind}): ratios are on the ratio scale, above 0"))
    if ("ci_low" in raw) != ("ci_high" in raw):
        found.append(("ci_high" if "ci_low" in raw else "ci_low", "a CI needs both ci_low and ci_high"))
    if not found and est is not None and low is not None and high is not None:
        if low > high:
            found.append(("ci_low", f"ci_low {low:g} is above ci_high {high:g}"))
        elif not low <= est <= high:
            found.append(("estimate", f"{est:g} lies outside its CI ({low:g} to {high:g})"))
    return found or None


def effect_or_arms(raw: dict[str, Any]) -> Problems:
    if isinstance(raw.get("effect"), dict) and isinstance(raw.get("arms"), dict):
        return [("arms", "give [outcomes.effect] or [outcomes.arms], not both")]
    return None


def effect_has_ci_or_p(raw: dict[str, Any], effect: M.Effect | None, p: float | None) -> Problems:
    if effect is not None and effect.ci_low is None and p is None:
        return [("effect.ci_low", "an effect needs a CI (ci_low, ci_high) or the outcome's p_value")]
    return None


def events_within_total(raw: dict[str, Any], events: int | None, total: int | None) -> Problems:
    if events is not None and total is not None and events > total:
        return [("events", f"{events} events is more than the {total} in the arm")]
    return None


def arms_alike(raw: dict[str, Any], intervention: M.Arm | None, control: M.Arm | None) -> Problems:
    if intervention is not None and control is not None and type(intervention) is not type(control):
        return [("control", "both arms need the same kind of data: mean/sd/n or events/total")]
    return None


REGISTRATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*\Z")


def registration_form(raw: dict[str, Any], registration: str | None) -> Problems:
    if registration is not None and not REGISTRATION.match(registration):
        return [("registration", f"'{registration}' is not a registry id (letters, digits and '-', "
                                 "as the registry writes it, e.g. NCT04739995)")]
    return None


def results_need_a_start(raw: dict[str, Any], status: str | None, results: str | None) -> Problems:
    if results is not None and results != "none" and status in ("not-yet-recruiting", "withdrawn"):
        return [("results", f"'{results}' results for a trial that is '{status}': "
                            "a trial that enrolled no one has none")]
    return None


def subgroup_within_scope(raw: dict[str, Any], scope: str | None, findings: tuple[M.ReviewFinding, ...]) -> Problems:
    """A finding's ``subgroup`` is part of a wider review: never the review's own scope."""
    found = [(f"findings[{i}].subgroup", f"'{f.subgroup}' is the review's own scope: a subgroup names "
                                         "part of a wider review (leave it out)")
             for i, f in enumerate(findings) if f.subgroup is not None and f.subgroup == scope]
    return found or None
