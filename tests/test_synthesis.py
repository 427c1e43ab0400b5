"""ldn_tui.analysis.synthesis on small Evidence objects built here from the model dataclasses.

The BCG trials (metafor's dat.bcg, see tests/test_stats.py for the sources) are
rebuilt as an evidence folder with binary arm data so that the whole path
(arm data -> log RR -> REML -> cumulative by year / leave-one-out) is checked
against metafor:
[CUMUL] metafor tests/testthat/test_misc_cumul.r: cumul(res, order=year,
        transf=exp, collapse=TRUE) estimates for rma(yi, vi) (REML), RR.
[INFL]  metafor tests/testthat/test_misc_influence.r: leave1out(res)[1].
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import factories
import pytest
from factories import PAIN

from ldn_tui.analysis.synthesis import (
    cumulative_by_year,
    leave_one_out,
    low_risk_only,
    randomised_only,
    synthesise,
    synthesise_domain,
    to_json,
)
from ldn_tui.model import (
    Arms,
    BinaryArm,
    ContinuousArm,
    Domain,
    Effect,
    Evidence,
    GradeJudgment,
    Outcome,
    Study,
)

SLEEP = Domain("sleep", "Sleep quality", "benefit", False, "SMD")
HARMS = Domain("adverse", "Adverse events", "harm", True, "RR")


def outcome(
    domain: str = "pain",
    measure: str = "Pain (0-10)",
    *,
    p_value: float | None = None,
    effect: Effect | None = None,
    arms: Arms | None = None,
) -> Outcome:
    return Outcome(domain=domain, measure=measure, result="unclear", summary="s", source="Table 2",
                   p_value=p_value, effect=effect, arms=arms)


def study(
    sid: str,
    year: int,
    outcomes: list[Outcome],
    *,
    rob: str | None = "some-concerns",
    design: str = "parallel-rct",
    n: int = 60,
    n_analysed: int | None = None,
) -> Study:
    return factories.study(sid, year, outcomes, rob=rob, design=design, n=n, n_analysed=n_analysed,
                           population="adults with fibromyalgia", intervention="naltrexone 4.5 mg")


def evidence(studies: list[Study], domains: tuple[Domain, ...] = (PAIN,),
             grade: tuple[GradeJudgment, ...] = ()) -> Evidence:
    return factories.evidence(studies, domains, title="LDN", topic_id="ldn", question="Does LDN help?", grade=grade)


def ldn_evidence(grade: tuple[GradeJudgment, ...] = ()) -> Evidence:
    """Shaped like the bundled pain domain: two trials pool, two do not."""
    return evidence([
        study("younger-2013", 2013, [outcome(measure="Percent change in daily pain", p_value=0.016)],
              design="crossover-rct", n=31, n_analysed=28),
        study("bested-2023", 2023, [outcome(measure="Median difference in pain (0-10)", p_value=0.54)], n=52),
        study("due-bruun-2024", 2024, [outcome(effect=Effect("MD", -0.34, -0.95, 0.27))], n=99, n_analysed=97),
        study("rodriguez-freire-innova", 2024, [outcome(effect=Effect("MD", 0.49), p_value=0.236)], n=100),
    ], grade=grade)


def test_ldn_pain_domain() -> None:
    (syn,) = synthesise(ldn_evidence())
    assert [r.id for r in syn.rows] == ["due-bruun-2024", "rodriguez-freire-innova"]
    assert syn.k == 2 and syn.participants == 197
    assert syn.result is not None and syn.result.i2 == pytest.approx(61.1, abs=0.05)
    assert syn.certainty.level == "very low"
    reasons = {e.id: e.reason for e in syn.excluded}
    assert reasons == {
        "younger-2013": "only a p-value for percent change in daily pain, no effect estimate",
        "bested-2023": "only a p-value for median difference in pain (0-10), no effect estimate",
    }
    final, innova = syn.rows
    assert (final.estimate, final.ci_low, final.ci_high) == (-0.34, -0.95, 0.27)  # as reported
    assert not final.derived_from_p and final.source == "effect"
    assert innova.derived_from_p and innova.p_value == 0.236
    assert innova.se == pytest.approx(0.49 / 1.18504, abs=1e-4)
    assert innova.ci_low == pytest.approx(0.49 - 1.959964 * innova.se, abs=1e-6)
    assert final.weight + innova.weight == pytest.approx(100.0)
    assert any("derived from the p-value" in n for n in syn.notes)
    assert syn.pi_low is None  # k = 2


def test_ldn_json_contract() -> None:
    (syn,) = synthesise(ldn_evidence())
    out = to_json(syn)
    assert list(out) == ["domain", "label", "measure", "method", "k", "participants", "estimate", "ci_low",
                         "ci_high", "tau2", "i2", "q", "pi_low", "pi_high", "certainty", "downgrades", "studies",
                         "se", "z", "p", "test", "q_df", "q_p", "h2", "tau", "tau2_ci_low", "tau2_ci_high",
                         "i2_ci_low", "i2_ci_high", "h2_ci_low", "h2_ci_high", "mid", "absolute", "statement",
                         "excluded", "subgroups", "review_results"]
    assert out["method"] == "REML" and out["k"] == 2 and out["participants"] == 197
    assert out["certainty"] == "very low"
    assert out["pi_low"] is None and out["pi_high"] is None
    assert out["downgrades"] == [
        {"domain": "risk_of_bias", "levels": 1,
         "reason": "studies with 100% of the weight have some concerns or high risk of bias"},
        {"domain": "inconsistency", "levels": 1, "reason": "I\u00b2 = 61% (50% or more)"},
        {"domain": "imprecision", "levels": 2,
         "reason": (f"95% CI {syn.ci_low:.2f} to {syn.ci_high:.2f} includes no effect; "
                    "197 participants, fewer than 400").replace("-", "\u2212")},
    ]
    studies = out["studies"]
    assert isinstance(studies, list)
    assert [list(s) for s in studies] == [["id", "estimate", "ci_low", "ci_high", "weight", "yi", "vi", "se",
                                           "derived_from_p", "zero_cell_correction", "arms"]] * 2
    assert studies[0]["estimate"] == -0.34
    json.dumps(out)  # serialisable


def test_dl_on_request() -> None:
    (syn,) = synthesise(ldn_evidence(), method="DL")
    assert syn.method == "DL" and to_json(syn)["method"] == "DL"
    with pytest.raises(ValueError):
        synthesise(ldn_evidence(), method="PM")


def test_reviewer_judgment_is_applied_and_marked() -> None:
    ev = ldn_evidence((GradeJudgment("pain", "indirectness", 1, "All participants were women."),))
    (syn,) = synthesise(ev)
    downgrades = to_json(syn)["downgrades"]
    assert isinstance(downgrades, list)
    down = {d["domain"]: d for d in downgrades}
    assert down["indirectness"]["reason"] == "Reviewer judgment: All participants were women."
    assert [d.judged_by_reviewer for d in syn.certainty.downgrades if d.domain == "indirectness"] == [True]


def test_nothing_poolable() -> None:
    ev = evidence([study("a-2010", 2010, [outcome()]), study("b-2011", 2011, [])])
    (syn,) = synthesise(ev)
    assert syn.k == 0 and syn.result is None
    assert syn.excluded[0].reason == "no between-group effect or arm data reported"
    assert [e.id for e in syn.excluded] == ["a-2010"]  # b-2011 has no outcome in this domain
    assert syn.certainty.level == "not assessable" and syn.certainty.reason
    out = to_json(syn)
    assert out["k"] == 0 and out["estimate"] is None and out["tau2"] is None and out["participants"] is None
    assert out["certainty"] == "not assessable" and out["studies"] == []
    assert cumulative_by_year(syn) == ()


def test_effect_of_another_type_is_not_pooled() -> None:
    ev = evidence([
        study("a-2010", 2010, [outcome(effect=Effect("SMD", -0.4, -0.8, 0.0))]),
        study("b-2012", 2012, [outcome(effect=Effect("MD", -1.0, -2.0, 0.0))]),
    ])
    (syn,) = synthesise(ev)
    assert [r.id for r in syn.rows] == ["b-2012"]
    assert syn.excluded[0].reason == "effect type SMD, the domain pools MD"
    assert syn.result is not None and syn.result.k == 1 and syn.result.i2 is None


def test_continuous_arms_pool_as_md_and_smd() -> None:
    arms = Arms(ContinuousArm(4.1, 1.9, 45), ContinuousArm(4.4, 2.0, 47))
    s1 = study("a-2010", 2010, [outcome(arms=arms), outcome(domain="sleep", arms=arms)], n=100)
    ev = evidence([s1], domains=(PAIN, SLEEP))
    pain, sleep = synthesise(ev)
    assert pain.rows[0].estimate == pytest.approx(-0.3) and pain.rows[0].source == "arms"
    assert pain.participants == 92  # from the arms, not the enrolment
    g = sleep.rows[0]
    assert g.estimate < 0 and abs(g.estimate) < 0.3 / 1.95  # Hedges' g is shrunk
    binary = evidence([study("c-2011", 2011, [outcome(arms=Arms(BinaryArm(3, 20), BinaryArm(5, 20)))])])
    assert synthesise(binary)[0].excluded[0].reason == "binary arm data (events), the domain pools MD"


def test_binary_arms_events_and_no_event_studies() -> None:
    ev = evidence([
        study("a-2010", 2010, [outcome("adverse", "Any adverse event", arms=Arms(BinaryArm(12, 50), BinaryArm(6, 50)))]),
        study("b-2011", 2011, [outcome("adverse", "Any adverse event", arms=Arms(BinaryArm(0, 30), BinaryArm(0, 30)))]),
        study("c-2012", 2012, [outcome("adverse", "Any adverse event", arms=Arms(BinaryArm(0, 40), BinaryArm(4, 40)))]),
        study("d-2013", 2013, [outcome("adverse", "Vivid dreams", effect=Effect("RR", 2.0, 0.9, 4.4))]),
    ], domains=(HARMS,))
    (syn,) = synthesise(ev)
    assert [r.id for r in syn.rows] == ["a-2010", "c-2012", "d-2013"]
    assert {e.id: e.reason for e in syn.excluded} == {"b-2011": "no events in either arm"}
    a, c, d = syn.rows
    assert a.estimate == pytest.approx(2.0) and a.yi == pytest.approx(math.log(2.0))
    assert c.zero_cell_corrected and c.events == 4
    assert (d.estimate, d.ci_low, d.ci_high) == (2.0, 0.9, 4.4) and d.events is None
    assert syn.events == 22 and not syn.events_complete
    assert syn.participants == 100 + 80 + 60
    assert syn.estimate is not None and syn.estimate > 0  # ratio scale
    assert syn.ci_low is not None and syn.ci_low > 0
    out = to_json(syn)
    assert out["estimate"] == pytest.approx(syn.estimate, abs=1e-4)
    assert out["pi_low"] is not None  # k = 3


def test_several_outcomes_first_poolable_used() -> None:
    ev = evidence([study("a-2010", 2010, [
        outcome(measure="Pain, median", p_value=0.2),
        outcome(measure="Pain (VAS)", effect=Effect("MD", -1.0, -2.0, 0.0)),
        outcome(measure="Pain (BPI)", effect=Effect("MD", -0.5, -1.5, 0.5)),
    ])])
    row = synthesise(ev)[0].rows[0]
    assert row.estimate == -1.0 and row.outcome == "Pain (VAS)"
    assert row.note == "first poolable of 3 outcomes in this domain used (Pain (VAS))"


def test_several_outcomes_none_poolable_each_says_why() -> None:
    ev = evidence([study("a-2010", 2010, [
        outcome(measure="Responders", p_value=0.03),
        outcome(measure="Mood"),
    ])])
    (syn,) = synthesise(ev)
    assert syn.excluded[0].reason == (
        "Responders: only a p-value, no effect estimate; Mood: no between-group effect or arm data reported"
    )


def test_participants_fall_back_to_enrolment() -> None:
    ev = evidence([study("a-2010", 2010, [outcome(effect=Effect("MD", -1.0, -2.0, 0.0))], n=80)])
    assert synthesise(ev)[0].participants == 80


def test_sensitivity_subsets() -> None:
    ev = evidence([
        study("a-2010", 2010, [outcome(effect=Effect("MD", -1.0, -2.0, 0.0))], rob="low"),
        study("b-2011", 2011, [outcome(effect=Effect("MD", -0.2, -0.9, 0.5))], design="non-randomised-controlled"),
        study("c-2012", 2012, [outcome(effect=Effect("MD", 0.3, -0.4, 1.0))], rob=None),
    ])
    syn = synthesise_domain(ev, PAIN)
    assert syn.certainty.start == "low"
    rct = randomised_only(syn)
    assert [r.id for r in rct.rows] == ["a-2010", "c-2012"] and rct.certainty.start == "high"
    assert ("b-2011", "left out: not randomised") in {(e.id, e.reason) for e in rct.excluded}
    assert rct.label == "randomised studies only"
    low = low_risk_only(syn)
    assert [r.id for r in low.rows] == ["a-2010"]
    loo = leave_one_out(syn)
    assert [s.label for s in loo] == ["without a-2010", "without b-2011", "without c-2012"]
    assert all(s.k == 2 for s in loo)
    assert sum(r.weight for r in loo[0].rows) == pytest.approx(100.0)


# --------------------------------------------------------------------------- BCG through the whole path

BCG = [
    (1, 1948, 4, 119, 11, 128), (2, 1949, 6, 300, 29, 274), (3, 1960, 3, 228, 11, 209),
    (4, 1977, 62, 13536, 248, 12619), (5, 1973, 33, 5036, 47, 5761), (6, 1953, 180, 1361, 372, 1079),
    (7, 1973, 8, 2537, 10, 619), (8, 1980, 505, 87886, 499, 87892), (9, 1968, 29, 7470, 45, 7232),
    (10, 1961, 17, 1699, 65, 1600), (11, 1974, 186, 50448, 141, 27197), (12, 1969, 5, 2493, 3, 2338),
    (13, 1976, 27, 16886, 29, 17825),
]
TB = Domain("tb", "Tuberculosis", "benefit", True, "RR", True)


def bcg_evidence() -> Evidence:
    studies = [
        study(f"trial-{t:02d}", year, [outcome("tb", "TB cases",
                                               arms=Arms(BinaryArm(a, a + b), BinaryArm(c, c + d)))],
              rob="low", n=a + b + c + d)
        for t, year, a, b, c, d in BCG
    ]
    return evidence(studies, domains=(TB,))


def test_bcg_synthesis_matches_metafor() -> None:
    syn = synthesise_domain(bcg_evidence(), TB)
    assert syn.k == 13
    # rma(yi, vi) on dat.bcg, predict(res, transf=exp) (metafor dat.bcg reference page)
    assert (syn.estimate, syn.ci_low, syn.ci_high) == pytest.approx((0.4894, 0.3441, 0.6962), abs=5e-5)
    assert (syn.pi_low, syn.pi_high) == pytest.approx((0.1546, 1.5490), abs=5e-5)
    assert syn.events == sum(a + c for _, _, a, _, c, _ in BCG)
    assert syn.certainty.level == "low"  # randomised, low RoB; I2 92% -> -2
    first = {r.id: r.weight for r in syn.rows}["trial-01"]
    assert first == pytest.approx(5.05948307931551, abs=1e-5)  # [INFL] weight of study 1


def test_bcg_cumulative_by_year_matches_metafor() -> None:
    syn = synthesise_domain(bcg_evidence(), TB)
    steps = cumulative_by_year(syn)
    # [CUMUL] collapse=TRUE: studies of the same year enter together
    ref = [0.410939, 0.265802, 0.378296, 0.367477, 0.332398, 0.377772, 0.406061, 0.420796, 0.456024,
           0.492527, 0.451686, 0.489421]
    assert [s.year for s in steps] == [1948, 1949, 1953, 1960, 1961, 1968, 1969, 1973, 1974, 1976, 1977, 1980]
    assert [s.estimate for s in steps] == pytest.approx(ref, abs=1e-5)
    assert steps[7].added == ("trial-05", "trial-07") and steps[7].k == 9
    assert steps[0].k == 1 and steps[0].synthesis.result is not None and steps[0].synthesis.result.i2 is None
    assert all(s.certainty in ("high", "moderate", "low", "very low") for s in steps)


def test_bcg_leave_first_out_matches_metafor() -> None:
    syn = synthesise_domain(bcg_evidence(), TB)
    without_first = leave_one_out(syn)[0]
    assert without_first.label == "without trial-01"
    res = without_first.result
    assert res is not None
    # [INFL] leave1out(res)[1]
    assert res.estimate == pytest.approx(-0.707083788031436, abs=1e-5)
    assert (res.ci_low, res.ci_high) == pytest.approx((-1.07940055491509, -0.334767021147788), abs=1e-5)
    assert res.tau2 == pytest.approx(0.336156745300306, abs=1e-5)
    assert res.i2 == pytest.approx(93.2259349111223, abs=1e-4)


# ---------------------------------------------------------------------------
# Additions of 2026-12-03: subgroups, Hartung-Knapp, absolute effects, statements, review results, JSON

ALLOC = ("random", "random", "random", "random", "alternate", "alternate", "random", "random", "random",
         "systematic", "systematic", "systematic", "systematic")


def bcg_by_alloc() -> Evidence:
    ev = bcg_evidence()
    by_id = {f"trial-{t:02d}": alloc for (t, *_), alloc in zip(BCG, ALLOC, strict=True)}
    return ev.with_studies(tuple(s._replace(country=by_id[s.id]) for s in ev.studies))


def test_subgroup_by_a_study_key_path_matches_metafor_qm() -> None:
    """As tests/test_metafor.py::test_bcg_subgroups_by_alloc (metafor QM of the FE model on the group
    estimates = 1.86144614123119, df 2, p 0.39426852329498), through the synthesis."""
    (syn,) = synthesise(bcg_by_alloc(), subgroup="country")
    (sg,) = syn.subgroups
    assert sg.by == "country" and [g.value for g in sg.groups] == ["alternate", "random", "systematic"]
    assert [g.k for g in sg.groups] == [2, 7, 4]
    assert sg.groups[1].estimate == pytest.approx(math.exp(-0.970964475758379), abs=5e-5)
    assert sg.groups[1].tau2 == pytest.approx(0.392526549118408, abs=5e-5)
    assert sg.q_between == pytest.approx(1.86144614123119, abs=5e-5)
    assert sg.df == 2 and sg.p == pytest.approx(0.39426852329498, abs=5e-5)
    out = to_json(syn)["subgroups"]
    assert isinstance(out, list) and list(out[0]) == ["by", "groups", "q_between", "df", "p"]
    assert list(out[0]["groups"][0]) == ["value", "k", "estimate", "ci_low", "ci_high", "tau2", "i2"]


def test_subgroup_numbers_split_at_a_cut() -> None:
    (syn,) = synthesise(bcg_evidence(), subgroup="year", cut=1970)
    (sg,) = syn.subgroups
    assert [g.value for g in sg.groups] == ["< 1970", ">= 1970"]
    assert sum(g.k for g in sg.groups) == 13 and sg.df == 1


def test_subgroup_with_one_group_has_no_test() -> None:
    (syn,) = synthesise(bcg_evidence(), subgroup="design")
    (sg,) = syn.subgroups
    assert len(sg.groups) == 1 and sg.q_between is None and sg.p is None
    assert sg.note == "only one group: no test for subgroup differences"


def test_check_subgroup_messages() -> None:
    from ldn_tui.analysis.subgroups import check_subgroup

    ev = bcg_evidence()
    assert check_subgroup(ev, "design", None) is None
    assert check_subgroup(ev, "population.n_enrolled", 100) is None
    assert "no such study field" in (check_subgroup(ev, "colour", None) or "")
    assert "no such study field" in (check_subgroup(ev, "path", None) or "")  # not a study attribute to split by
    assert "a list or table" in (check_subgroup(ev, "authors", None) or "")
    assert "--cut applies to numbers" in (check_subgroup(ev, "design", 3.0) or "")


def test_knha_is_carried_through_and_k1_says_wald() -> None:
    (syn,) = synthesise(bcg_evidence(), test="knha")
    assert syn.test == "knha" and syn.result is not None and syn.result.test == "knha" and syn.result.df == 12
    out = to_json(syn)
    assert out["test"] == "knha" and out["z"] == syn.result.z
    one = evidence([study("a", 2020, [outcome(effect=Effect("MD", -1.0, -2.0, 0.0))])])
    (single,) = synthesise(one, test="knha")
    assert single.result is not None and single.result.test == "z"
    assert any("Hartung-Knapp needs at least two studies" in n for n in single.notes)
    assert to_json(single)["test"] == "z"
    with pytest.raises(ValueError, match="unknown test"):
        synthesise(one, test="t")


def test_absolute_effects_gradepro_method() -> None:
    """RR: intervention risk = CR x RR; the control risk is the median control-arm risk (BCG: 13 arms)."""
    (syn,) = synthesise(bcg_evidence())
    absolute = syn.absolute
    assert absolute is not None and syn.result is not None
    risks = sorted(c / (c + d) for _, _, _, _, c, d in BCG)
    assert absolute.control_risk == risks[6] and absolute.studies == 13
    assert absolute.control_per_1000 == pytest.approx(1000 * risks[6])
    assert absolute.intervention_per_1000 == pytest.approx(1000 * risks[6] * math.exp(syn.result.estimate))
    assert absolute.difference_per_1000 == pytest.approx(absolute.intervention_per_1000 - absolute.control_per_1000)
    assert absolute.difference_ci_low == pytest.approx(1000 * risks[6] * (math.exp(syn.result.ci_low) - 1))
    assert absolute.basis.startswith("median control-arm risk of the pooled studies")


def test_absolute_effects_odds_ratio() -> None:
    """OR: CR x OR / (1 - CR + CR x OR)."""
    odds = Domain("ae", "Any adverse event", "harm", True, "OR")
    rows = [study(f"s{i}", 2020 + i, [outcome("ae", "AE", arms=Arms(BinaryArm(e1, 50), BinaryArm(e2, 50)))])
            for i, (e1, e2) in enumerate(((20, 10), (15, 12), (30, 20)))]
    (syn,) = synthesise(evidence(rows, (odds,)))
    assert syn.absolute is not None and syn.result is not None
    cr = 12 / 50
    ratio = math.exp(syn.result.estimate)
    assert syn.absolute.intervention_per_1000 == pytest.approx(1000 * cr * ratio / (1 - cr + cr * ratio))


def test_no_absolute_effects_for_continuous_or_without_arm_data() -> None:
    (syn,) = synthesise(evidence([study("a", 2020, [outcome(effect=Effect("MD", -1.0, -2.0, 0.0))])]))
    assert syn.absolute is None
    harms = [study("a", 2020, [outcome("adverse", "AE", effect=Effect("RR", 1.2, 0.9, 1.6))])]
    (syn,) = synthesise(evidence(harms, (HARMS,)))
    assert syn.result is not None and syn.absolute is None


@pytest.mark.parametrize(
    ("level", "ci", "expected"),
    [
        ("high", (-0.5, 0.4), "LDN makes little or no difference to pain intensity"),
        ("moderate", (-0.5, 0.4), "LDN probably makes little or no difference to pain intensity"),
        ("low", (-0.5, 0.4), "LDN may make little or no difference to pain intensity"),
        ("low", (-0.9, -0.2), "LDN may reduce pain intensity"),
        ("moderate", (0.2, 0.9), "LDN probably increases pain intensity"),
        ("very low", (-0.9, -0.2), "The evidence is very uncertain about the effect of LDN on pain intensity"),
    ],
)
def test_statements_follow_santesso_2020(level: str, ci: tuple[float, float], expected: str) -> None:
    from ldn_tui.analysis.grading import Certainty
    from ldn_tui.analysis.sof import statement
    from ldn_tui.analysis.stats import PoolResult

    (syn,) = synthesise(evidence([study("a", 2020, [outcome(effect=Effect("MD", -1.0, -2.0, 0.0))])]))
    res = PoolResult("REML", 2, sum(ci) / 2, 0.1, ci[0], ci[1], 1.0, 0.3, 0.0, (50.0, 50.0))
    syn = syn._replace(result=res, certainty=Certainty(level, "high", ""))
    assert statement(syn, "LDN") == expected


def test_statement_against_the_mid_and_when_not_pooled() -> None:
    from ldn_tui.analysis.sof import statement

    pain = PAIN._replace(mid=1.0, mid_reason="judgment")
    rows = [study(f"s{i}", 2020 + i, [outcome(effect=Effect("MD", -0.5, -0.9, -0.1))]) for i in range(3)]
    (syn,) = synthesise(evidence(rows, (pain,)))
    # the CI excludes no effect but the estimate is smaller than the MID: little or no difference
    assert "little or no difference" in statement(syn, "LDN")
    (empty,) = synthesise(evidence([study("a", 2020, [outcome(p_value=0.03)])]))
    assert empty.statement == "The effect of the intervention on pain intensity could not be estimated from this folder's studies"


def test_review_results_newest_first_and_sof_row_names_them() -> None:
    from ldn_tui.analysis.sof import sof_rows
    from ldn_tui.model import Review, ReviewFinding

    ev = evidence([study("a", 2020, [outcome(p_value=0.03)])])
    reviews = tuple(
        Review(rid, "t", ("A",), year, "meta-analysis", "c", f"reviews/{rid}.toml",
               findings=(ReviewFinding("pain", "SMD", est, lo, hi, 4),))
        for rid, year, est, lo, hi in (("old", 2019, -0.5, -0.8, -0.2), ("new", 2024, -0.1, -0.4, 0.2))
    )
    ev = Evidence(ev.topic, ev.studies, reviews)
    (syn,) = synthesise(ev)
    assert [r.review for r in syn.review_results] == ["new", "old"]
    assert to_json(syn)["review_results"] == [
        {"review": "new", "year": 2024, "type": "SMD", "estimate": -0.1, "ci_low": -0.4, "ci_high": 0.2, "k": 4,
         "subgroup": None, "comparison": "placebo"},
        {"review": "old", "year": 2019, "type": "SMD", "estimate": -0.5, "ci_low": -0.8, "ci_high": -0.2, "k": 4,
         "subgroup": None, "comparison": "placebo"},
    ]
    (row,) = sof_rows(ev, (syn,))
    assert row.review_text is not None and row.review_text.startswith("from review new (2024): SMD")
    assert "k = 4, as published" in row.review_text
    assert row.participants_text == "not pooled (1 study with results that do not pool)"


def test_sof_rows_binary_outcome() -> None:
    from ldn_tui.analysis.sof import sof_rows

    ev = bcg_evidence()
    (syn,) = synthesise(ev)
    (row,) = sof_rows(ev, (syn,))
    assert row.participants_text == f"{syn.participants} (13 RCTs)"
    assert row.relative_effect is not None and row.relative_effect.startswith("RR 0.49 (0.34 to 0.7")
    assert "per 1,000 with placebo" in row.absolute_text and "fewer per 1,000" in row.absolute_text
    assert [f.letter for f in row.footnotes] == ["a"] and row.footnote_letters == "a"
    assert row.footnotes[0].text.startswith("Inconsistency (\u22122): I\u00b2 = ")


def test_json_is_full_precision_with_per_study_keys() -> None:
    (syn,) = synthesise(bcg_evidence())
    out = to_json(syn)
    assert out["estimate"] == syn.estimate  # not rounded
    assert out["q_df"] == 12 and out["tau"] == pytest.approx(math.sqrt(syn.result.tau2))  # type: ignore[union-attr]
    assert out["tau2_ci_low"] == syn.result.tau2_ci_low  # type: ignore[union-attr]
    first = out["studies"][0]  # type: ignore[index]
    row = syn.rows[0]
    assert (first["yi"], first["vi"], first["se"]) == (row.yi, row.vi, row.se)
    assert first["arms"] == {"intervention": {"events": 4, "total": 123}, "control": {"events": 11, "total": 139}}
    assert first["derived_from_p"] is False and first["zero_cell_correction"] is False
    json.dumps(out, allow_nan=False)


def test_cli_flags_and_their_errors(capsys: pytest.CaptureFixture[str]) -> None:
    from ldn_tui.cli import main

    assert main(["summary", "--format", "json", "--test", "knha", "--subgroup", "year", "--cut", "2020"]) == 0
    data = json.loads(capsys.readouterr().out)
    pain = data["syntheses"][0]
    assert pain["test"] == "knha" and pain["subgroups"][0]["by"] == "year" and pain["mid"] == 1.0
    ae = next(s for s in data["syntheses"] if s["domain"] == "any-adverse-event")
    assert ae["absolute"]["control_per_1000"] == pytest.approx(790.0)
    assert main(["summary", "--subgroup", "colour"]) == 2
    assert capsys.readouterr().err.startswith("ldn-tui summary: --subgroup colour: no such study field")
    assert main(["export", "--subgroup", "design", "--cut", "2"]) == 2
    assert capsys.readouterr().err == "ldn-tui export: --cut applies to numbers; --subgroup design is text\n"
    assert main(["summary", "--cut", "2"]) == 2
    assert "--cut needs --subgroup" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["summary", "--cut", "nan"])
    assert exc.value.code == 2


def test_cached_summaries_keep_the_pooling_options_apart(capsys: pytest.CaptureFixture[str]) -> None:
    from ldn_tui.cli import main

    for test in ("z", "knha", "z"):
        assert main(["summary", "--format", "json", "--test", test]) == 0
        assert json.loads(capsys.readouterr().out)["syntheses"][0]["test"] == test


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_summary_subgroup_and_knha_in_every_format(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    from ldn_tui.cli import main

    assert main(["summary", "--format", fmt, "--test", "knha", "--subgroup", "design"]) == 0
    out = capsys.readouterr().out
    assert "Pain intensity" in out
    if fmt == "json":
        pain = json.loads(out)["syntheses"][0]
        assert pain["test"] == "knha" and [g["value"] for g in pain["subgroups"][0]["groups"]] == ["parallel-rct"]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_export_subgroup_and_knha(fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ldn_tui.cli import main

    target = tmp_path / f"report.{fmt}"
    assert main(["export", "--format", fmt, "--test", "knha", "--subgroup", "year", "--cut", "2022",
                 "--output", str(target)]) == 0
    assert "Pain intensity" in target.read_text(encoding="utf-8")
