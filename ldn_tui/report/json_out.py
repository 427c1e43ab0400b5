"""``summary --format json``: the contract of docs/evidence-format.md, keys in order."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ldn_tui.model import FORMAT_VERSION, Evidence, Review


def summary_dict(evidence: Evidence, syntheses: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    topic = evidence.topic
    return {
        "format": FORMAT_VERSION,
        "topic": {
            "id": topic.id,
            "title": topic.title,
            "question": topic.question,
            "last_reviewed": topic.last_reviewed.isoformat(),
        },
        "studies": [
            {
                "id": s.id,
                "title": s.title,
                "year": s.year,
                "design": s.design,
                "randomised": s.randomised,
                "n_enrolled": s.population.n_enrolled,
                "dose_mg": s.intervention.dose_mg,
                "duration_weeks": _whole(s.intervention.duration_weeks),
                "doi": s.doi,
                "pmid": s.pmid,
            }
            for s in evidence.studies
        ],
        "syntheses": list(syntheses),
        "inflammation": [
            {"study": s.id, "marker": b.marker, "role": b.role, "finding": b.finding, "summary": b.summary}
            for s in evidence.studies
            for b in s.biomarkers
        ],
        "mechanisms": [{"id": m.id, "title": m.title, "status": m.status} for m in evidence.mechanisms],
        "questions": [{"id": q.id, "question": q.question, "ongoing": list(q.ongoing)} for q in evidence.questions],
        "reviews": [_review(r) for r in sorted(evidence.reviews, key=lambda r: (r.year, r.id))],
        "trials": [
            {"registration": t.registration, "title": t.title, "status": t.status,
             "status_checked": t.status_checked.isoformat(), "results": t.results, "study": t.study}
            for t in sorted(evidence.trials, key=lambda t: t.registration)
        ],
    }


def _review(r: Review) -> dict[str, Any]:
    return {
        "id": r.id, "year": r.year, "kind": r.kind, "scope": r.scope, "design": r.work,
        "search_date": r.search_date.isoformat() if r.search_date else None,
        "includes": list(r.includes), "includes_other": list(r.includes_other), "certainty": r.certainty,
        "conclusion": r.conclusion,
        "findings": [
            {"domain": f.domain, "type": f.type, "estimate": f.estimate, "ci_low": f.ci_low, "ci_high": f.ci_high,
             "k": f.k, "i2": f.i2, "subgroup": f.subgroup, "comparison": f.comparison}
            for f in r.findings
        ],
    }


def _whole(value: float | None) -> float | int | None:
    return int(value) if value is not None and value.is_integer() else value


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
