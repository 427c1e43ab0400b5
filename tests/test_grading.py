"""ldn_tui.analysis.grading: the format's GRADE rules, one by one."""

from __future__ import annotations

import math

import pytest

from ldn_tui.analysis.grading import LEVELS, NOT_ASSESSABLE, Certainty, Downgrade, assess, not_assessable
from ldn_tui.analysis.stats import PoolResult, pool
from ldn_tui.model import GradeJudgment


def result(
    k: int = 2,
    ci: tuple[float, float] = (0.1, 0.5),
    i2: float | None = 0.0,
    weights: tuple[float, ...] | None = None,
) -> PoolResult:
    """A hand-made pooled result with the numbers a test needs."""
    w = weights if weights is not None else tuple(100.0 / k for _ in range(k))
    est = (ci[0] + ci[1]) / 2
    return PoolResult(
        method="REML", k=k, estimate=est, se=(ci[1] - ci[0]) / 3.92, ci_low=ci[0], ci_high=ci[1], z=1.0,
        p=0.3, tau2=0.0, weights=w, i2=None if k == 1 else i2, q=None if k == 1 else 1.0,
    )


def grade(
    res: PoolResult,
    *,
    measure: str = "MD",
    randomised: list[bool] | None = None,
    rob: list[str | None] | None = None,
    participants: int | None = 1000,
    events: int | None = None,
    judgments: dict[str, GradeJudgment] | None = None,
    events_complete: bool = True,
) -> Certainty:
    return assess(
        measure,
        res,
        randomised if randomised is not None else [True] * res.k,
        rob if rob is not None else ["low"] * res.k,
        participants,
        events,
        judgments,
        events_complete=events_complete,
    )


def domains(c: Certainty) -> dict[str, Downgrade]:
    return {d.domain: d for d in c.downgrades}


def test_high_when_nothing_is_wrong() -> None:
    c = grade(result())
    assert c.level == "high" and c.start == "high" and c.downgrades == ()
    assert c.start_reason == "both pooled studies are randomised"
    assert any(n.domain == "publication_bias" and "not assessable with 2 studies" in n.text for n in c.notes)


def test_start_low_when_any_study_is_not_randomised() -> None:
    c = grade(result(), randomised=[True, False])
    assert c.start == "low" and c.level == "low"
    assert "1 of 2" in c.start_reason


def test_risk_of_bias_some_concerns_half_the_weight() -> None:
    res = result(weights=(50.0, 50.0))
    c = grade(res, rob=["some-concerns", "low"])
    d = domains(c)["risk_of_bias"]
    assert d.levels == 1 and not d.judged_by_reviewer
    assert d.reason == "studies with 50% of the weight have some concerns or high risk of bias"
    assert c.level == "moderate"
    below = grade(result(weights=(49.0, 51.0)), rob=["some-concerns", "low"])
    assert "risk_of_bias" not in domains(below)


def test_risk_of_bias_missing_assessment_counts_as_some_concerns() -> None:
    c = grade(result(weights=(100.0,), k=1), rob=[None])
    d = domains(c)["risk_of_bias"]
    assert d.levels == 1
    assert "100% of the weight" in d.reason and "without an assessment" in d.reason


def test_risk_of_bias_high_half_the_weight_is_two_levels() -> None:
    c = grade(result(weights=(60.0, 40.0)), rob=["high", "low"])
    d = domains(c)["risk_of_bias"]
    assert d.levels == 2 and d.reason == "studies with 60% of the weight are at high risk of bias"
    assert c.level == "low"
    # high + some concerns together reach half, high alone does not: one level
    mixed = grade(result(weights=(30.0, 30.0, 40.0), k=3), rob=["high", "some-concerns", "low"])
    assert domains(mixed)["risk_of_bias"].levels == 1


@pytest.mark.parametrize(("i2", "levels"), [(0.0, 0), (49.9, 0), (50.0, 1), (61.1, 1), (74.9, 1), (75.0, 2), (92.2, 2)])
def test_inconsistency_thresholds(i2: float, levels: int) -> None:
    c = grade(result(i2=i2))
    got = domains(c).get("inconsistency")
    assert (got.levels if got else 0) == levels
    if got:
        assert got.reason.startswith("I\u00b2 = ")


def test_inconsistency_reason_names_the_number() -> None:
    d = domains(grade(result(i2=61.12)))["inconsistency"]
    assert d.reason.startswith("I\u00b2 = 61%")
    near = domains(grade(result(i2=74.96)))["inconsistency"]
    assert near.levels == 1 and near.reason.startswith("I\u00b2 = 74.9%")  # never rounded up to 75%


def test_inconsistency_not_assessed_for_one_study() -> None:
    c = grade(result(k=1, weights=(100.0,)))
    assert "inconsistency" not in domains(c)
    assert any(n.domain == "inconsistency" and "single study" in n.text for n in c.notes)


def test_imprecision_ci_crossing_and_few_participants() -> None:
    c = grade(result(ci=(-0.87, 0.52)), participants=197)
    d = domains(c)["imprecision"]
    assert d.levels == 2
    assert "95% CI −0.87 to 0.52 includes no effect" in d.reason
    assert "197 participants, fewer than 400" in d.reason
    assert c.level == "low"
    only_n = domains(grade(result(ci=(0.1, 0.5)), participants=120))["imprecision"]
    assert only_n.levels == 1 and only_n.reason == "120 participants, fewer than 400"
    only_ci = domains(grade(result(ci=(-0.1, 0.5)), participants=400))["imprecision"]
    assert only_ci.levels == 1 and "includes no effect" in only_ci.reason


def test_imprecision_events_for_ratios_on_the_ratio_scale() -> None:
    res = result(ci=(math.log(0.8), math.log(1.25)))
    c = grade(res, measure="RR", participants=5000, events=120)
    d = domains(c)["imprecision"]
    assert d.levels == 2
    assert "95% CI 0.80 to 1.25 includes no effect" in d.reason
    assert "120 events, fewer than 300" in d.reason
    many = grade(result(ci=(math.log(0.5), math.log(0.8))), measure="OR", participants=50, events=300)
    assert "imprecision" not in domains(many)  # participants do not count for ratios


def test_imprecision_unknown_events_not_counted_against() -> None:
    c = grade(result(ci=(0.1, 0.5)), measure="RR", events=None)
    assert "imprecision" not in domains(c)
    assert any("events not reported" in n.text for n in c.notes)
    partial = grade(result(ci=(0.1, 0.5)), measure="RR", events=50, events_complete=False)
    assert "imprecision" not in domains(partial)


def test_never_below_very_low() -> None:
    res = result(ci=(-1.0, 1.0), i2=90.0, weights=(50.0, 50.0))
    c = grade(res, randomised=[False, False], rob=["high", "high"], participants=10)
    assert c.level == "very low" and c.total_levels == 6
    assert LEVELS[-1] == "very low"


def test_reviewer_judgment_replaces_computed_domain() -> None:
    judgments = {
        "indirectness": GradeJudgment("pain", "indirectness", 1, "All participants were women."),
        "inconsistency": GradeJudgment("pain", "inconsistency", 0, "Differences explained by dose."),
    }
    c = grade(result(i2=80.0), judgments=judgments)
    d = domains(c)
    assert d["indirectness"].levels == 1 and d["indirectness"].judged_by_reviewer
    assert d["indirectness"].reason == "All participants were women."
    assert d["indirectness"].text == "Reviewer judgment: All participants were women."
    assert "inconsistency" not in d  # the computed -2 is replaced by the reviewer's 0
    assert any(n.domain == "inconsistency" and n.judged_by_reviewer for n in c.notes)
    assert c.level == "moderate"


def test_publication_bias_judgment_and_large_k() -> None:
    judged = grade(result(), judgments={
        "publication_bias": GradeJudgment("pain", "publication_bias", 1, "Small industry-funded trials only."),
    })
    assert domains(judged)["publication_bias"].levels == 1
    assert not any(n.domain == "publication_bias" for n in judged.notes)
    ten = grade(result(k=10))
    assert not any("not assessable" in n.text for n in ten.notes if n.domain == "publication_bias")


def test_not_assessable() -> None:
    c = assess("MD", None, [], [], None)
    assert c.level == NOT_ASSESSABLE and not c.assessable and c.reason
    assert not_assessable("why").reason == "why"


def test_with_a_real_pool() -> None:
    res = pool([-0.34, 0.49], [(1.22 / (2 * 1.959964)) ** 2, 0.4135**2])
    c = assess("MD", res, [True, True], ["some-concerns", "some-concerns"], 197)
    assert c.level == "very low"
    assert [d.domain for d in c.downgrades] == ["risk_of_bias", "inconsistency", "imprecision"]
    assert [d.levels for d in c.downgrades] == [1, 1, 2]


def test_mismatched_lengths_are_an_error() -> None:
    with pytest.raises(ValueError):
        assess("MD", result(), [True], ["low", "low"], 100)
    with pytest.raises(ValueError):
        assess("MD", result(), [True, True], ["low", "low"], 100,
               judgments={"bias": GradeJudgment("pain", "bias", 1, "x")})


# ---------------------------------------------------------------------------
# Imprecision against a minimal important difference (format additions of 2026-12-03)


def grade_mid(ci: tuple[float, float], mid: float, *, measure: str = "MD", participants: int | None = 1000,
              events: int | None = None) -> Certainty:
    return assess(measure, result(ci=ci), [True, True], ["low", "low"], participants, events, mid=mid)


def test_mid_ci_crossing_only_no_effect_is_one_level_and_names_the_thresholds() -> None:
    """The issue's example: -0.78 to 0.84 on a 0-10 scale rules out a 1-point effect either way."""
    down = domains(grade_mid((-0.78, 0.84), 1.0))["imprecision"]
    assert down.levels == 1
    assert down.reason.startswith("95% CI −0.78 to 0.84 crosses no effect (0) but not the MID")
    assert "thresholds −1, 0 and 1" in down.reason and "MID of 1" in down.reason


def test_mid_ci_crossing_both_mids_is_two_levels() -> None:
    down = domains(grade_mid((-1.5, 1.2), 1.0))["imprecision"]
    assert down.levels == 2 and "an important effect either way is possible" in down.reason


def test_mid_ci_crossing_one_mid_but_not_no_effect_is_one_level() -> None:
    down = domains(grade_mid((-1.4, -0.3), 1.0))["imprecision"]
    assert down.levels == 1
    assert "crosses the MID on the side of a decrease (−1) but not no effect (0)" in down.reason


def test_mid_ci_inside_no_threshold_is_not_rated_down() -> None:
    c = grade_mid((-0.9, -0.2), 1.0)
    assert "imprecision" not in domains(c)
    assert any(n.domain == "imprecision" and "crosses none of the thresholds" in n.text for n in c.notes)


def test_mid_information_size_not_met_and_a_crossing_is_two_levels() -> None:
    down = domains(grade_mid((-0.78, 0.84), 1.0, participants=197))["imprecision"]
    assert down.levels == 2
    assert "197 participants, fewer than 400 (optimal information size not met)" in down.reason


def test_mid_information_size_not_met_without_a_crossing_is_one_level() -> None:
    down = domains(grade_mid((-0.9, -0.2), 1.0, participants=100))["imprecision"]
    assert down.levels == 1


def test_mid_for_a_ratio_is_symmetric_on_the_log_scale() -> None:
    """mid = 1.25 gives thresholds 0.8, 1 and 1.25; a CI of 0.9 to 1.4 crosses 1 and 1.25."""
    ci = (math.log(0.9), math.log(1.4))
    down = domains(grade_mid(ci, 1.25, measure="RR", events=500))["imprecision"]
    assert down.levels == 1
    assert "thresholds 0.8, 1 and 1.25" in down.reason
    assert "crosses no effect (1) and the MID on the side of an increase (1.25)" in down.reason


def test_without_mid_imprecision_is_judged_against_no_effect() -> None:
    c = assess("MD", result(ci=(-0.78, 0.84)), [True, True], ["low", "low"], 1000, mid=None)
    assert domains(c)["imprecision"].reason == "95% CI −0.78 to 0.84 includes no effect"


def _topic_problems(domain_extra: dict[str, object], measure: str = "MD") -> tuple[list[str], object]:
    from datetime import date

    from ldn_tui.model import Problem
    from ldn_tui.records.schema import Ctx, build_topic

    problems: list[Problem] = []
    data = {
        "format": 1, "id": "t", "title": "T", "question": "Q?", "last_reviewed": date(2026, 1, 1),
        "domains": [{"id": "pain", "label": "Pain", "kind": "benefit", "lower_is_better": True,
                     "measure": measure, **domain_extra}],
    }
    topic = build_topic(Ctx("topic.toml", problems), data)
    return [str(p) for p in problems], topic


def test_topic_mid_is_read_with_its_reason() -> None:
    problems, topic = _topic_problems({"mid": 1.0, "mid_reason": "Our judgment (Salaffi 2004)."})
    assert problems == []
    assert topic.domains[0].mid == 1.0 and topic.domains[0].mid_reason == "Our judgment (Salaffi 2004)."  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("extra", "measure", "message"),
    [
        ({"mid": 1.0}, "MD", "mid_reason: required with mid"),
        ({"mid_reason": "x"}, "MD", "mid: missing: mid_reason is given without a mid"),
        ({"mid": 0.0, "mid_reason": "x"}, "MD", "mid: 0.0 is impossible: must be greater than 0"),
        ({"mid": 0.8, "mid_reason": "x"}, "RR", "mid: 0.8 is impossible: must be greater than 1"),
    ],
)
def test_topic_mid_problems(extra: dict[str, object], measure: str, message: str) -> None:
    problems, _ = _topic_problems(extra, measure)
    assert len(problems) == 1 and problems[0].startswith("topic.toml: domains[")  # one line naming file and field
    assert message in problems[0]


def test_bundled_pain_mid_is_the_maintainers_judgment() -> None:
    from ldn_tui.records.loader import load_evidence
    from ldn_tui.records.paths import default_evidence

    pain = load_evidence(default_evidence()).topic.domain("pain")
    assert pain is not None and pain.mid == 1.0
    assert pain.mid_reason is not None and pain.mid_reason.startswith("The maintainers' judgment")
