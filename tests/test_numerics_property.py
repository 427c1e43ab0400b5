"""Every folder that validates pools or says why it cannot, whatever its numbers (issue 14, item 3).

A hypothesis property test draws records that ``validate`` accepts (the record rules of
``records.shapes``/``records.rules``: sd > 0, events within totals, ratios above 0, an
estimate inside its CI, 0 < p <= 1, integers up to 2**53) with numbers across the whole
float range, the subnormals and the edges included, and runs every output on them: the
analysis and ``summary --format json`` (full precision, valid JSON), the text and
Markdown summaries, the HTML and Markdown exports, and what the app's summary screen
renders (the findings table, the bottom line, every domain block with its forest plot,
and the sensitivity analyses). Bounded and seeded. Then the cases the red-team pass
reported, each as a regression test.
"""

from __future__ import annotations

import io
import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest
from factories import evidence as make_evidence
from factories import study
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ldn_tui.analysis.stats import effect_from_p, pool, se_from_ci, se_from_p, z_from_p
from ldn_tui.analysis.synthesis import (
    DomainSynthesis,
    leave_one_out,
    low_risk_only,
    randomised_only,
    synthesise,
    to_json,
)
from ldn_tui.model import (
    Arms,
    BinaryArm,
    ContinuousArm,
    Domain,
    Effect,
    Evidence,
    Outcome,
    Review,
    ReviewFinding,
)

MAX_INT = 2**53
DOMAINS = (
    Domain("md", "Pain", "benefit", True, "MD", True, 1.0, "test judgment"),
    Domain("smd", "Function", "benefit", True, "SMD"),
    Domain("rr", "Any adverse event", "harm", True, "RR", False, 1.25, "test judgment"),
    Domain("or", "Dizziness", "harm", True, "OR"),
)
EDGES = (
    0.0, 5e-324, 1e-310, 1e-300, 1e-155, 1e-150, 1e-9, 1.0, 1e150, 1e300, sys.float_info.max,
    1.0 - 2**-53, 1.0 + 2**-52,
)

finite = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(EDGES + tuple(-e for e in EDGES))
positive = st.floats(min_value=5e-324, allow_nan=False, allow_infinity=False) | st.sampled_from(EDGES[1:])
p_values = (
    st.floats(min_value=5e-324, max_value=1.0, allow_nan=False)
    | st.sampled_from((5e-324, 1e-300, 1e-20, 1e-17, 0.5, 1.0 - 2**-53, 1.0))
)
counts = st.integers(min_value=1, max_value=MAX_INT) | st.sampled_from((1, 2, 10, MAX_INT))


@st.composite
def continuous_arms(draw: st.DrawFn) -> Arms:
    def arm() -> ContinuousArm:
        return ContinuousArm(draw(finite), draw(positive), draw(counts))

    return Arms(arm(), arm())


@st.composite
def binary_arms(draw: st.DrawFn) -> Arms:
    def arm() -> BinaryArm:
        total = draw(counts)
        return BinaryArm(draw(st.integers(min_value=0, max_value=total)), total)

    return Arms(arm(), arm())


@st.composite
def reported_effect(draw: st.DrawFn, kind: str) -> tuple[Effect, float | None]:
    values = positive if kind in ("RR", "OR") else finite
    if draw(st.booleans()):
        lo, est, hi = sorted(draw(st.lists(values, min_size=3, max_size=3)))
        return Effect(kind, est, lo, hi), draw(st.none() | p_values)
    return Effect(kind, draw(values)), draw(p_values)


@st.composite
def outcome(draw: st.DrawFn, domain: Domain) -> Outcome:
    ratio = domain.measure in ("RR", "OR")
    choice = draw(st.sampled_from(("effect", "arms")))
    if choice == "arms":
        arms = draw(binary_arms() if ratio else continuous_arms())
        return Outcome(domain.id, "m", "unclear", "s", "T", arms=arms, p_value=draw(st.none() | p_values))
    eff, p = draw(reported_effect(domain.measure))
    return Outcome(domain.id, "m", "unclear", "s", "T", effect=eff, p_value=p)


@st.composite
def folders(draw: st.DrawFn) -> Evidence:
    n = draw(st.integers(min_value=1, max_value=4))
    studies = []
    for i in range(n):
        outcomes = [draw(outcome(d)) for d in DOMAINS if draw(st.booleans())]
        studies.append(
            study(
                f"s{i}", draw(st.integers(min_value=1900, max_value=2100)), outcomes,
                design=draw(st.sampled_from(("parallel-rct", "crossover-rct", "observational"))),
                rob=draw(st.sampled_from(("low", "some-concerns", "high", None))),
                n=draw(counts),
            )
        )
    ev = make_evidence(studies, DOMAINS, title="Low-dose naltrexone for fibromyalgia", topic_id="ldn-x")
    kind = draw(st.sampled_from(("MD", "RR")))
    values = positive if kind == "RR" else finite
    lo, est, hi = sorted(draw(st.lists(values, min_size=3, max_size=3)))
    finding = ReviewFinding("rr" if kind == "RR" else "md", kind, est, lo, hi, draw(st.none() | counts))
    review = Review("rev", "A review", ("A B",), 2024, "meta-analysis", "c", "reviews/rev.toml",
                    includes=("s0",), findings=(finding,))
    return Evidence(ev.topic, ev.studies, (review,))


def _check_analysis(ev: Evidence) -> tuple[DomainSynthesis, ...]:
    from ldn_tui.analysis.sof import sof_rows

    for method, test in (("REML", "z"), ("DL", "knha")):
        syns = synthesise(ev, method, test=test, subgroup="year", cut=2000.0)
        for syn in syns:
            res = syn.result
            if res is None:
                assert syn.certainty.reason  # says why it cannot be pooled
                continue
            for value in (res.estimate, res.se, res.ci_low, res.ci_high, res.tau2):
                assert math.isfinite(value)
            assert res.se > 0 and 0.0 <= res.p <= 1.0
            assert all(r.vi > 0 and math.isfinite(r.vi) for r in syn.rows)
        text = json.dumps([to_json(s) for s in syns], allow_nan=False)  # nan/inf never reach the JSON
        assert json.loads(text)
        sof_rows(ev, syns)
    return synthesise(ev)


def _render_everything(ev: Evidence, syns: tuple[DomainSynthesis, ...]) -> None:
    from rich.console import Console

    from ldn_tui.report import summary
    from ldn_tui.report.export import export_text
    from ldn_tui.report.forest import forest_axis
    from ldn_tui.report.synthesis_view import domain_renderable, sof_table
    from ldn_tui.report.verdict import overall_bottom_line

    for fmt in ("text", "markdown", "json"):
        assert summary.render(ev, fmt, width=100, test="knha", subgroup="design")
    for fmt in ("html", "markdown"):
        assert export_text(ev, fmt)
    # The app's summary screen: the same report functions, rendered on a console.
    console = Console(file=io.StringIO(), width=120, markup=False, highlight=False)
    console.print(sof_table(ev, syns))
    console.print(sof_table(ev, syns, 60))
    console.print(overall_bottom_line(syns, ev))
    for syn in syns:
        axis = forest_axis(syn) if syn.result is not None else None
        console.print(domain_renderable(syn, ev, axis=axis))
        for variant in (*leave_one_out(syn), randomised_only(syn), low_risk_only(syn)):
            console.print(domain_renderable(variant, ev, axis=axis, over_time=False))


@settings(max_examples=60, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(folders())
def test_every_valid_folder_pools_or_says_why(ev: Evidence) -> None:
    _check_analysis(ev)


@settings(max_examples=12, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(folders())
def test_every_output_renders_any_valid_folder(ev: Evidence) -> None:
    _render_everything(ev, _check_analysis(ev))


# ---------------------------------------------------------------------------
# The cases of the red-team pass, one by one


def _one(out: Outcome, domain: Domain = DOMAINS[0], k: int = 1) -> DomainSynthesis:
    studies = [study(f"s{i}", 2020 + i, [out]) for i in range(k)]
    (syn,) = synthesise(make_evidence(studies, (domain,)))
    return syn


def _effect(domain: Domain, est: float, lo: float | None = None, hi: float | None = None,
            p: float | None = None) -> Outcome:
    return Outcome(domain.id, "m", "unclear", "s", "T", effect=Effect(domain.measure, est, lo, hi), p_value=p)


@pytest.mark.parametrize("p", [1e-17, 1e-20, 1e-300, 5e-324])
def test_tiny_p_values_give_a_standard_error(p: float) -> None:
    """`1 - p/2` rounds to 1 below about 1e-16; z = -qnorm(p/2) does not."""
    se = se_from_p(1.0, p)
    assert se == pytest.approx(1.0 / z_from_p(p), rel=1e-15)
    assert 0 < se < 0.13
    syn = _one(_effect(DOMAINS[0], 1.0, p=p), k=2)
    assert syn.result is not None and syn.rows[0].derived_from_p


def test_p_of_one_gives_no_se_and_says_so() -> None:
    with pytest.raises(ValueError, match="p = 1 gives no standard error"):
        se_from_p(0.5, 1.0)
    syn = _one(_effect(DOMAINS[0], 0.5, p=1.0))
    assert syn.result is None
    assert "p = 1 gives no standard error" in syn.excluded[0].reason


def test_p_just_under_one_and_a_ratio_near_one() -> None:
    """A p-value just under 1 gives a huge SE (still pooled or left out with its reason, never a crash)."""
    es = effect_from_p(1.0000001, 1.0 - 2**-53, ratio=True)
    assert es.vi > 0
    syn = _one(_effect(DOMAINS[2], 1.0000001, p=1.0 - 2**-53), DOMAINS[2], k=2)
    assert syn.result is not None or all("variance" in e.reason or "pooled" in e.reason for e in syn.excluded)


def test_ci_of_width_zero_gives_no_se() -> None:
    with pytest.raises(ValueError, match="width 0"):
        se_from_ci(0.3, 0.3)
    syn = _one(_effect(DOMAINS[0], 0.3, 0.3, 0.3))
    assert syn.result is None and "width 0" in syn.excluded[0].reason


def test_ci_near_the_float_limits_is_left_out_with_its_reason() -> None:
    big = sys.float_info.max
    syn = _one(_effect(DOMAINS[0], 0.0, -big, big))
    assert syn.result is None
    assert "not a positive finite number" in syn.excluded[0].reason


def test_ci_a_billionth_wide_pools() -> None:
    syn = _one(_effect(DOMAINS[0], 0.5, 0.5 - 5e-10, 0.5 + 5e-10), k=3)
    assert syn.result is not None and syn.result.estimate == pytest.approx(0.5)


def test_sd_of_1e155_variance_underflow() -> None:
    """sd = 1e-155: sd^2 = 1e-310 is subnormal (or 0 after dividing by n): pooled on rescaled values,
    or left out because the variance is not positive."""
    arm = ContinuousArm(1.0, 1e-155, 10)
    out = Outcome("md", "m", "unclear", "s", "T", arms=Arms(arm, ContinuousArm(2.0, 1e-155, 10)))
    syn = _one(out, k=3)
    assert syn.result is not None or syn.excluded
    if syn.result is not None:
        assert syn.result.estimate == pytest.approx(-1.0)


def test_estimates_of_1e150() -> None:
    """Estimates of 1e-150 with CIs of the same size used to give round(nan) in the grading text."""
    syn = _one(_effect(DOMAINS[0], 1e-150, 0.5e-150, 2e-150), k=3)
    assert syn.result is not None
    assert syn.result.estimate == pytest.approx(1e-150, rel=1e-9)
    assert syn.certainty.assessable and syn.result.i2 is not None and math.isfinite(syn.result.i2)


def test_variances_too_far_apart_say_why() -> None:
    with pytest.raises(ValueError, match=r"double precision|range"):
        pool([0.0, 1.0], [5e-324, 1e308])


# ---------------------------------------------------------------------------
# The app's summary screen, headless, on a folder of extreme (valid) numbers

EXTREME_STUDY = """id = "{sid}"
title = "Extreme numbers"
authors = ["Zeta Z"]
year = {year}
pmid = "{pmid}"
design = "parallel-rct"
blinding = "double"
summary = "Numbers at the edges of double precision."

[population]
description = "Adults"
n_enrolled = 9007199254740992

[intervention]
description = "Drug"

[comparator]
kind = "placebo"

[[outcomes]]
domain = "pain"
measure = "Pain"
result = "unclear"
summary = "s"
source = "T"
{pain}

[[outcomes]]
domain = "function"
measure = "Function"
result = "unclear"
summary = "s"
source = "T"
{function}

[[outcomes]]
domain = "any-adverse-event"
measure = "Any AE"
result = "unclear"
summary = "s"
source = "T"
{harm}
"""
EXTREMES = (
    ("p_value = 1e-300\n[outcomes.effect]\ntype = \"MD\"\nestimate = 1e-150",
     "[outcomes.arms]\nintervention = { mean = 1e308, sd = 1e-155, n = 2 }\ncontrol = { mean = -1e308, sd = 1e-155, n = 2 }",
     "p_value = 0.9999999999999999\n[outcomes.effect]\ntype = \"RR\"\nestimate = 1.0000001"),
    ("[outcomes.effect]\ntype = \"MD\"\nestimate = 0.0\nci_low = -1.7976931348623157e308\nci_high = 1.7976931348623157e308",
     "[outcomes.effect]\ntype = \"SMD\"\nestimate = 0.5\nci_low = 0.4999999995\nci_high = 0.5000000005",
     "[outcomes.arms]\nintervention = { events = 0, total = 9007199254740992 }\ncontrol = { events = 9007199254740992, total = 9007199254740992 }"),
    ("p_value = 1.0\n[outcomes.effect]\ntype = \"MD\"\nestimate = 0.3",
     "[outcomes.effect]\ntype = \"SMD\"\nestimate = 1e-150\nci_low = 1e-150\nci_high = 1e-150",
     "[outcomes.effect]\ntype = \"RR\"\nestimate = 1.0\nci_low = 5e-324\nci_high = 1.7976931348623157e308"),
)


async def test_app_summary_screen_on_extreme_numbers(evidence_copy: Path, ready: Any) -> None:
    from textual.widgets import Static

    from ldn_tui.records.loader import check_evidence
    from ldn_tui.tui.app import LdnApp
    from ldn_tui.tui.screens.summary import DomainBlock, SummaryScreen

    for i, (pain, function, harm) in enumerate(EXTREMES):
        text = EXTREME_STUDY.format(sid=f"zeta-{i}", year=2020 + i, pmid=f"9000000{i}", pain=pain,
                                    function=function, harm=harm)
        (evidence_copy / "studies" / f"zeta-{i}.toml").write_text(text, encoding="utf-8")
    loaded, problems = check_evidence(evidence_copy)
    assert loaded is not None and problems == []  # validate accepts the folder
    app = LdnApp(evidence_copy)
    async with app.run_test(size=(160, 60)) as pilot:
        await ready(pilot)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        for _ in range(4):  # every sensitivity analysis
            assert len(app.screen.query(DomainBlock)) == 3
            await pilot.press("a")
            await pilot.pause()
        assert "Pooling the studies" not in str(app.screen.query_one("#bottom-line", Static).render())
