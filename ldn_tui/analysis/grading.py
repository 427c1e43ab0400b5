"""GRADE certainty computed from a pooled result, with every downgrade explained.

The rules are those of the evidence format ("Certainty (GRADE, computed, every
downgrade with its reason)"):

* start at ``high`` when every pooled study is randomised, else at ``low``;
* risk of bias: -1 where studies carrying at least half of the weight are
  "some-concerns" or "high" overall (no assessment counts as "some-concerns"),
  -2 where studies carrying at least half of the weight are "high";
* inconsistency (k >= 2): -1 at I^2 >= 50%, -2 at I^2 >= 75%;
* imprecision: -1 where the 95% CI includes no effect, -1 where there are fewer
  than 400 participants (MD, SMD) or 300 events (RR, OR); at most -2;
* indirectness and publication bias come only from reviewer judgments
  (``[grade.DOMAIN]`` in topic.toml); without one, publication bias is noted as
  not assessable below 10 studies;
* a reviewer judgment replaces the computed one for its GRADE domain and its
  reason is shown, marked as the reviewer's.

Spelling: the computed levels are ``high``, ``moderate``, ``low`` and
``very low`` (with a space), exactly as the format file writes them and as
``summary --format json`` emits them; with no poolable study the certainty is
``not assessable``. (``model.CERTAINTIES`` spells a *review's* own rating
``very-low``; that is a different, reported value and is left alone.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from ldn_tui.model import GRADE_DOMAINS, RATIO_TYPES, GradeJudgment
from ldn_tui.text import effect_number, noun, number, plural

from .stats import PoolResult

__all__ = [
    "EVENTS_THRESHOLD", "LEVELS", "NOT_ASSESSABLE", "PARTICIPANTS_THRESHOLD", "Certainty", "Downgrade",
    "GradeNote", "assess", "not_assessable",
]

LEVELS = ("high", "moderate", "low", "very low")
NOT_ASSESSABLE = "not assessable"
PARTICIPANTS_THRESHOLD = 400  # MD, SMD
EVENTS_THRESHOLD = 300  # RR, OR
PUBLICATION_BIAS_MIN_K = 10

DOMAIN_LABELS = {
    "risk_of_bias": "risk of bias",
    "inconsistency": "inconsistency",
    "indirectness": "indirectness",
    "imprecision": "imprecision",
    "publication_bias": "publication bias",
}


class Downgrade(NamedTuple):
    """One GRADE domain rated down, with the reason in words and numbers."""

    domain: str  # one of model.GRADE_DOMAINS
    levels: int  # 1 or 2
    reason: str
    judged_by_reviewer: bool = False

    @property
    def label(self) -> str:
        return DOMAIN_LABELS.get(self.domain, self.domain.replace("_", " "))

    @property
    def text(self) -> str:
        """The reason, marked when it is a reviewer's judgment (used in JSON)."""
        return f"Reviewer judgment: {self.reason}" if self.judged_by_reviewer else self.reason


class GradeNote(NamedTuple):
    """Something said about a GRADE domain that did not rate the evidence down."""

    domain: str
    text: str
    judged_by_reviewer: bool = False

    @property
    def label(self) -> str:
        return DOMAIN_LABELS.get(self.domain, self.domain.replace("_", " "))


class Certainty(NamedTuple):
    level: str  # high | moderate | low | very low | not assessable
    start: str | None  # "high" or "low"; None when not assessable
    start_reason: str
    downgrades: tuple[Downgrade, ...] = ()
    notes: tuple[GradeNote, ...] = ()
    reason: str | None = None  # why not assessable

    @property
    def assessable(self) -> bool:
        return self.level != NOT_ASSESSABLE

    @property
    def total_levels(self) -> int:
        return sum(d.levels for d in self.downgrades)


def not_assessable(reason: str) -> Certainty:
    return Certainty(level=NOT_ASSESSABLE, start=None, start_reason="", reason=reason)


def _pct(value: float) -> str:
    """A percentage for a sentence: whole numbers unless rounding would cross a threshold."""
    rounded = round(value)
    if any(value < t - 1e-9 and rounded >= t for t in (50, 75)):
        return f"{math.floor(value * 10) / 10:.1f}%"
    return f"{rounded:.0f}%"


def _num(value: float) -> str:
    return effect_number(value)


def _risk_of_bias(weights: Sequence[float], rob: Sequence[str | None]) -> Downgrade | GradeNote:
    concerns = math.fsum(w for w, r in zip(weights, rob, strict=True) if r in (None, "some-concerns", "high"))
    high = math.fsum(w for w, r in zip(weights, rob, strict=True) if r == "high")
    unassessed = sum(1 for r in rob if r is None)
    tail = (
        f" ({unassessed} {noun(unassessed, 'study')} without an assessment counted as some concerns)"
        if unassessed
        else ""
    )
    if high >= 50.0 - 1e-9:
        return Downgrade(
            "risk_of_bias", 2, f"studies with {_pct(high)} of the weight are at high risk of bias{tail}"
        )
    if concerns >= 50.0 - 1e-9:
        return Downgrade(
            "risk_of_bias",
            1,
            f"studies with {_pct(concerns)} of the weight have some concerns or high risk of bias{tail}",
        )
    return GradeNote(
        "risk_of_bias",
        f"studies with {_pct(100.0 - concerns)} of the weight are at low risk of bias{tail}",
    )


def _inconsistency(k: int, i2: float | None) -> Downgrade | GradeNote:
    if k < 2 or i2 is None:
        return GradeNote("inconsistency", "not assessable with a single study")
    text = f"I\u00b2 = {_pct(i2)}"
    if i2 >= 75.0:
        return Downgrade("inconsistency", 2, f"{text} (75% or more)")
    if i2 >= 50.0:
        return Downgrade("inconsistency", 1, f"{text} (50% or more)")
    return GradeNote("inconsistency", f"{text} (below 50%)")


def _shown(value: float, ratio: bool) -> str:
    """An analysis-scale value as a sentence shows it (ratio scale for RR/OR), never raising."""
    if ratio:
        return _num(math.exp(value)) if value < 709.0 else "infinity"
    return _num(value)


def _information_size(
    ratio: bool, participants: int | None, events: int | None, events_complete: bool
) -> tuple[bool | None, str]:
    """Whether the optimal information size (400 participants, 300 events) is met: True, False, or None
    when it cannot be checked; and the words for it."""
    if ratio:
        if events is None:
            return None, "number of events not reported; the 300-event threshold was not checked"
        if events < EVENTS_THRESHOLD and events_complete:
            return False, f"{plural(events, 'event')}, fewer than {EVENTS_THRESHOLD}"
        if events < EVENTS_THRESHOLD:
            return None, (
                f"{plural(events, 'event')} in the studies that report them; the 300-event threshold could not be checked"
            )
        return True, f"{events} events, at least {EVENTS_THRESHOLD}"
    if participants is None:
        return None, "number of participants not known; the 400-participant threshold was not checked"
    if participants < PARTICIPANTS_THRESHOLD:
        return False, f"{plural(participants, 'participant')}, fewer than {PARTICIPANTS_THRESHOLD}"
    return True, f"{participants} participants, at least {PARTICIPANTS_THRESHOLD}"


def _imprecision_mid(
    measure: str,
    result: PoolResult,
    mid: float,
    ci_text: str,
    participants: int | None,
    events: int | None,
    events_complete: bool,
) -> tuple[Downgrade | None, tuple[GradeNote, ...]]:
    """Imprecision against a minimal important difference (GRADE, minimally contextualised).

    Thresholds: no effect and the MID on either side (for a ratio, 1/mid and mid). -1 where the
    CI crosses one threshold (or the optimal information size is not met), -2 where it crosses
    the MID in both directions, or the information size is not met and it crosses a threshold.
    """
    ratio = measure in RATIO_TYPES
    m = math.log(mid) if ratio else mid
    lo, hi = result.ci_low, result.ci_high
    def thr(t: float) -> str:
        return number(math.exp(t) if ratio else t, 2)

    names = {-m: f"the MID on the side of a decrease ({thr(-m)})", 0.0: f"no effect ({thr(0.0)})",
             m: f"the MID on the side of an increase ({thr(m)})"}
    crossed = [t for t in (-m, 0.0, m) if lo <= t <= hi]
    missed = [t for t in (-m, 0.0, m) if t not in crossed]
    thresholds = f"thresholds {thr(-m)}, {thr(0.0)} and {thr(m)}: no effect and the MID of {mid:g} either way"
    if crossed:
        words = f"{ci_text} crosses {' and '.join(names[t] for t in crossed)}"
        if missed:
            words += f" but not {' or '.join(names[t] for t in missed)}"
    else:
        words = f"{ci_text} crosses none of the thresholds"
    words += f" ({thresholds})"
    met, ois_text = _information_size(ratio, participants, events, events_complete)
    if -m in crossed and m in crossed:
        levels = 2
        words += "; an important effect either way is possible"
    elif crossed:
        levels = 2 if met is False else 1
    else:
        levels = 1 if met is False else 0
    notes: list[GradeNote] = []
    if met is False:
        words += f"; {ois_text} (optimal information size not met)"
    else:
        notes.append(GradeNote("imprecision", ois_text))
    if levels == 0:
        return None, (GradeNote("imprecision", words), *notes)
    return Downgrade("imprecision", levels, words), tuple(notes)


def _imprecision(
    measure: str,
    result: PoolResult,
    participants: int | None,
    events: int | None,
    events_complete: bool,
    mid: float | None = None,
) -> tuple[Downgrade | None, tuple[GradeNote, ...]]:
    ratio = measure in RATIO_TYPES
    reasons: list[str] = []
    notes: list[GradeNote] = []
    lo, hi = result.ci_low, result.ci_high
    ci_text = f"95% CI {_shown(lo, ratio)} to {_shown(hi, ratio)}"
    if mid is not None and mid > (1.0 if ratio else 0.0) and math.isfinite(mid):
        return _imprecision_mid(measure, result, mid, ci_text, participants, events, events_complete)
    if lo <= 0.0 <= hi:
        reasons.append(f"{ci_text} includes no effect")
    else:
        notes.append(GradeNote("imprecision", f"{ci_text} excludes no effect"))
    met, ois_text = _information_size(ratio, participants, events, events_complete)
    if met is False:
        reasons.append(ois_text)
    else:
        notes.append(GradeNote("imprecision", ois_text))
    if not reasons:
        return None, tuple(notes)
    return Downgrade("imprecision", min(2, len(reasons)), "; ".join(reasons)), tuple(notes)


def assess(
    measure: str,
    result: PoolResult | None,
    randomised: Sequence[bool],
    rob: Sequence[str | None],
    participants: int | None,
    events: int | None = None,
    judgments: Mapping[str, GradeJudgment] | None = None,
    *,
    events_complete: bool = True,
    no_pool_reason: str | None = None,
    mid: float | None = None,
) -> Certainty:
    """Rate the certainty of one pooled result.

    ``randomised`` and ``rob`` (overall RoB judgment, ``None`` = not assessed)
    are per pooled study, in the order of ``result.weights``. ``participants``
    and ``events`` are totals over the pooled studies; ``events_complete`` is
    False when some ratio-measure studies did not report their event counts.
    ``judgments`` maps a GRADE domain to the reviewer's judgment for it.
    """
    if result is None or result.k == 0:
        return not_assessable(no_pool_reason or "no study reports data that can be pooled for this outcome")
    if not (len(randomised) == len(rob) == len(result.weights) == result.k):
        raise ValueError("one randomised flag and one risk-of-bias judgment per pooled study are needed")
    judgments = judgments or {}
    unknown = set(judgments) - set(GRADE_DOMAINS)
    if unknown:
        raise ValueError(f"unknown GRADE domain(s): {', '.join(sorted(unknown))}")

    k = result.k
    if all(randomised):
        start = "high"
        start_reason = {1: "the pooled study is randomised", 2: "both pooled studies are randomised"}.get(
            k, f"all {k} pooled studies are randomised"
        )
    else:
        start = "low"
        nr = sum(1 for r in randomised if not r)
        start_reason = f"{nr} of {k} pooled {noun(k, 'study')} not randomised"
        if k == 1:
            start_reason = "the pooled study is not randomised"

    computed: dict[str, tuple[Downgrade | None, tuple[GradeNote, ...]]] = {}
    rb = _risk_of_bias(result.weights, rob)
    computed["risk_of_bias"] = (rb, ()) if isinstance(rb, Downgrade) else (None, (rb,))
    inc = _inconsistency(k, result.i2)
    computed["inconsistency"] = (inc, ()) if isinstance(inc, Downgrade) else (None, (inc,))
    computed["indirectness"] = (None, ())
    computed["imprecision"] = _imprecision(measure, result, participants, events, events_complete, mid)
    if k < PUBLICATION_BIAS_MIN_K:
        pb_note = GradeNote(
            "publication_bias",
            f"not assessable with {k} {noun(k, 'study')} (fewer than {PUBLICATION_BIAS_MIN_K})",
        )
    else:
        pb_note = GradeNote("publication_bias", f"{k} studies; no reviewer judgment, not rated down")
    computed["publication_bias"] = (None, (pb_note,))

    downgrades: list[Downgrade] = []
    notes: list[GradeNote] = []
    for domain in GRADE_DOMAINS:
        judgment = judgments.get(domain)
        if judgment is not None:
            levels = max(0, min(2, judgment.levels))
            if levels > 0:
                downgrades.append(Downgrade(domain, levels, judgment.reason, judged_by_reviewer=True))
            else:
                notes.append(GradeNote(domain, f"not rated down: {judgment.reason}", judged_by_reviewer=True))
            continue
        down, domain_notes = computed[domain]
        if down is not None:
            downgrades.append(down)
        notes.extend(domain_notes)

    index = min(len(LEVELS) - 1, LEVELS.index(start) + sum(d.levels for d in downgrades))
    return Certainty(
        level=LEVELS[index],
        start=start,
        start_reason=start_reason,
        downgrades=tuple(downgrades),
        notes=tuple(notes),
    )
