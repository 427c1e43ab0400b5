"""ldn_tui.analysis.stats against published metafor output.

Reference values are copied from public metafor material; each block says
where. Printed metafor output has 4 decimals, so those values are checked to
half a unit in the 4th decimal (abs 5e-5); full-precision values from metafor's
own test suite are checked to 1e-5 (metafor stops its REML iterations at a
change below 1e-5 in tau^2; this module iterates to 1e-10).

Sources
-------
[BCG-DOC]  metafor reference page for dat.bcg / dat.colditz1994, metafor 2.5-15
           (github.com/wviechtb/metafor, docs/reference/dat.bcg.html;
           https://wviechtb.github.io/metafor/reference/dat.bcg.html):
           the data, escalc(measure="RR") output, rma(yi, vi) (REML) output and
           predict(res, transf=exp).
[METAN]    metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r
           (FE and DL for RR and OR, checked there against Stata's metan).
[CONFINT]  metafor tests/testthat/test_misc_confint.r (DL, RR: I^2 and H^2).
[INFL]     metafor tests/testthat/test_misc_influence.r (REML, RR: tau^2, Q,
           weight of study 1, leave-one-out without study 1).
[CLASP]    metafor tests/testthat/test_analysis_example_dersimonian2007.r
           (DerSimonian & Kacker 2007, Tables 3-4; CLASP trials, log OR).
[NORM-DOC] metafor reference page for dat.normand1999, metafor 2.5-15
           (github.com/wviechtb/metafor, docs/reference/dat.normand1999.html):
           data, escalc(measure="MD") output, rma() (REML) for MD and for SMD.
[NORM-T9]  metafor tests/testthat/test_analysis_example_normand1999.r
           (Normand 1999, Stat Med 18:321-359, Tables VIII-IX: MD with pooled SD;
           FE, DL and REML to 2 decimals).
[ESCALC]   metafor tests/testthat/test_misc_escalc.r (SMD, studies 1-4 of
           dat.normand1999).
[RMAUNI]   metafor tests/testthat/test_misc_rma_uni.r (SMD, studies 1-4, REML
           tau^2 = 1.0090).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ldn_tui.analysis.stats import (
    CI_Z,
    Z_975,
    EffectSize,
    chi2_sf,
    effect_from_ci,
    effect_from_p,
    hedges_g,
    log_odds_ratio,
    log_risk_ratio,
    mean_difference,
    norm_cdf,
    norm_ppf,
    pool,
    se_from_ci,
    se_from_p,
)

P4 = 5e-5  # half a unit in the 4th decimal

# [BCG-DOC] trial, author, year, tpos, tneg, cpos, cneg
BCG = [
    (1, "Aronson", 1948, 4, 119, 11, 128),
    (2, "Ferguson & Simes", 1949, 6, 300, 29, 274),
    (3, "Rosenthal et al", 1960, 3, 228, 11, 209),
    (4, "Hart & Sutherland", 1977, 62, 13536, 248, 12619),
    (5, "Frimodt-Moller et al", 1973, 33, 5036, 47, 5761),
    (6, "Stein & Aronson", 1953, 180, 1361, 372, 1079),
    (7, "Vandiviere et al", 1973, 8, 2537, 10, 619),
    (8, "TPT Madras", 1980, 505, 87886, 499, 87892),
    (9, "Coetzee & Berjak", 1968, 29, 7470, 45, 7232),
    (10, "Rosenthal et al", 1961, 17, 1699, 65, 1600),
    (11, "Comstock et al", 1974, 186, 50448, 141, 27197),
    (12, "Comstock & Webster", 1969, 5, 2493, 3, 2338),
    (13, "Comstock et al", 1976, 27, 16886, 29, 17825),
]

# [NORM-DOC] source, n1i, m1i, sd1i, n2i, m2i, sd2i (specialist vs routine care, days)
NORMAND = [
    ("Edinburgh", 155, 55, 47, 156, 75, 64),
    ("Orpington-Mild", 31, 27, 7, 32, 29, 4),
    ("Orpington-Moderate", 75, 64, 17, 71, 119, 29),
    ("Orpington-Severe", 18, 66, 20, 18, 137, 48),
    ("Montreal-Home", 8, 14, 8, 13, 18, 11),
    ("Montreal-Transfer", 57, 19, 7, 52, 18, 4),
    ("Newcastle", 34, 52, 45, 33, 41, 34),
    ("Umea", 110, 21, 16, 183, 31, 27),
    ("Uppsala", 60, 30, 27, 52, 23, 20),
]

# [CLASP] n1i, n2i, ai, ci
CLASP = [(156, 74, 5, 8), (303, 303, 5, 17), (565, 477, 12, 9), (1570, 1565, 69, 94), (103, 105, 9, 11),
         (4659, 4650, 313, 352)]


def _unzip(es: list[EffectSize | None]) -> tuple[list[float], list[float]]:
    assert all(e is not None for e in es)
    return [e.yi for e in es if e is not None], [e.vi for e in es if e is not None]


def bcg(fn: Callable[[int, int, int, int], EffectSize | None]) -> tuple[list[float], list[float]]:
    return _unzip([fn(a, a + b, c, c + d) for _, _, _, a, b, c, d in BCG])


def normand(
    fn: Callable[[float, float, int, float, float, int], EffectSize | None],
) -> tuple[list[float], list[float]]:
    return _unzip([fn(m1, s1, n1, m2, s2, n2) for _, n1, m1, s1, n2, m2, s2 in NORMAND])


# --------------------------------------------------------------------------- distributions


def test_normal_quantile_matches_qnorm() -> None:
    assert Z_975 == pytest.approx(1.959963984540054, abs=1e-15)  # qnorm(0.975)
    assert norm_ppf(0.5) == 0.0
    assert norm_ppf(0.025) == pytest.approx(-1.959963984540054, abs=1e-15)
    assert norm_ppf(0.001) == pytest.approx(-3.090232306167813, abs=1e-13)
    assert norm_ppf(1e-10) == pytest.approx(-6.361340902404056, abs=1e-11)


@given(st.floats(min_value=1e-12, max_value=1 - 1e-12))
def test_normal_quantile_inverts_cdf(p: float) -> None:
    assert norm_cdf(norm_ppf(p)) == pytest.approx(p, rel=1e-9, abs=1e-15)


def test_chi_square_survival() -> None:
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, abs=1e-12)  # qchisq(.95, 1)
    assert chi2_sf(1.0, 1) == pytest.approx(0.3173105078629141, abs=1e-12)  # 2 * pnorm(-1)
    assert chi2_sf(2.0, 2) == pytest.approx(math.exp(-1.0), abs=1e-12)  # exp(-x/2) for df = 2
    assert chi2_sf(0.0, 3) == 1.0


# --------------------------------------------------------------------------- effect sizes


def test_log_risk_ratios_bcg() -> None:
    yi, vi = bcg(log_risk_ratio)
    # [BCG-DOC] escalc(measure="RR") output
    ref_yi = [-0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861, -1.6209, 0.0120, -0.4694, -1.3713, -0.3394,
              0.4459, -0.0173]
    ref_vi = [0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069, 0.2230, 0.0040, 0.0564, 0.0730, 0.0124, 0.5325,
              0.0714]
    assert yi == pytest.approx(ref_yi, abs=P4)
    assert vi == pytest.approx(ref_vi, abs=P4)


def test_mean_differences_normand() -> None:
    yi, vi = normand(mean_difference)
    # [NORM-DOC] escalc(measure="MD") output
    assert yi == pytest.approx([-20, -2, -55, -71, -4, 1, 11, -10, 7], abs=P4)
    assert vi == pytest.approx([40.5080, 2.0806, 15.6984, 150.2222, 17.3077, 1.1673, 94.5891, 6.3109, 19.8423],
                               abs=P4)


def test_hedges_g_matches_escalc_smd() -> None:
    yi, vi = normand(hedges_g)
    # [ESCALC] studies 1-4
    assert yi[:4] == pytest.approx([-0.3552, -0.3479, -2.3176, -1.8880], abs=P4)
    assert vi[:4] == pytest.approx([0.0131, 0.0645, 0.0458, 0.1606], abs=P4)


def test_hedges_g_uses_exact_correction_and_ls_variance() -> None:
    g = hedges_g(1.0, 1.0, 5, 0.0, 1.0, 5)
    assert g is not None
    m = 8
    cm = math.gamma(m / 2) / (math.sqrt(m / 2) * math.gamma((m - 1) / 2))  # exact c(m), not 1 - 3/(4m - 1)
    assert g.yi == pytest.approx(cm * 1.0, rel=1e-12)
    assert g.yi != pytest.approx(1 - 3 / (4 * m - 1), rel=1e-6)
    assert g.vi == pytest.approx(1 / 5 + 1 / 5 + g.yi**2 / (2 * 10), rel=1e-12)
    assert hedges_g(1.0, 1.0, 1, 0.0, 1.0, 2) is None  # m = 1: no correction factor
    assert hedges_g(1.0, 0.0, 5, 0.0, 0.0, 5) is None  # no spread at all


def test_zero_cell_correction() -> None:
    rr = log_risk_ratio(0, 10, 5, 10)
    assert rr is not None and rr.zero_cell_corrected
    # cells 0.5, 10.5, 5.5, 5.5
    assert rr.yi == pytest.approx(math.log((0.5 / 11) / (5.5 / 11)))
    assert rr.vi == pytest.approx(1 / 0.5 - 1 / 11 + 1 / 5.5 - 1 / 11)
    o = log_odds_ratio(0, 10, 5, 10)
    assert o is not None and o.zero_cell_corrected
    assert o.yi == pytest.approx(math.log((0.5 / 10.5) / (5.5 / 5.5)))
    assert o.vi == pytest.approx(1 / 0.5 + 1 / 10.5 + 1 / 5.5 + 1 / 5.5)
    every = log_odds_ratio(10, 10, 4, 10)  # no non-events in the intervention arm is a zero cell too
    assert every is not None and every.zero_cell_corrected
    plain = log_odds_ratio(3, 10, 5, 10)
    assert plain is not None and not plain.zero_cell_corrected
    assert plain.vi == pytest.approx(1 / 3 + 1 / 7 + 1 / 5 + 1 / 5)


def test_no_events_in_either_arm_is_not_computable() -> None:
    assert log_risk_ratio(0, 20, 0, 25) is None
    assert log_odds_ratio(0, 20, 0, 25) is None
    assert log_risk_ratio(3, 2, 1, 5) is None  # more events than participants


def test_se_from_ci() -> None:
    assert se_from_ci(-0.95, 0.27) == pytest.approx(1.22 / (2 * 1.959964))
    assert CI_Z == 1.959964
    # ratios: on the log scale
    assert se_from_ci(0.5, 2.0, ratio=True) == pytest.approx((math.log(2.0) - math.log(0.5)) / (2 * 1.959964))
    e = effect_from_ci(0.8, 0.5, 1.28, ratio=True)
    assert e.yi == pytest.approx(math.log(0.8)) and not e.derived_from_p
    with pytest.raises(ValueError):
        se_from_ci(0.3, -0.2)
    with pytest.raises(ValueError):
        se_from_ci(0.0, 1.2, ratio=True)


def test_se_from_p() -> None:
    # Cochrane Handbook 6.3: SE = |estimate| / z(1 - p/2)
    se = se_from_p(0.49, 0.236)
    assert se == pytest.approx(0.49 / norm_ppf(1 - 0.236 / 2))
    assert se == pytest.approx(0.4135, abs=P4)  # qnorm(0.882) = 1.1850
    e = effect_from_p(0.49, 0.236)
    assert e.derived_from_p and e.vi == pytest.approx(se * se)
    # a ratio's SE is on the log scale
    assert se_from_p(2.0, 0.05, ratio=True) == pytest.approx(math.log(2.0) / Z_975)
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError):
            se_from_p(0.5, bad)
    with pytest.raises(ValueError):
        se_from_p(0.0, 0.5)


# --------------------------------------------------------------------------- pooling: binary


def test_bcg_rr_reml_matches_metafor() -> None:
    yi, vi = bcg(log_risk_ratio)
    r = pool(yi, vi, "REML")
    # [BCG-DOC] rma(yi, vi, data=dat)
    assert r.k == 13
    assert r.tau2 == pytest.approx(0.3132, abs=P4)
    assert r.tau2_se == pytest.approx(0.1664, abs=P4)
    assert math.sqrt(r.tau2) == pytest.approx(0.5597, abs=P4)
    assert r.i2 == pytest.approx(92.22, abs=0.005)
    assert r.h2 == pytest.approx(12.86, abs=0.005)
    assert r.q == pytest.approx(152.2330, abs=P4)
    assert r.q_df == 12
    assert r.q_p is not None and r.q_p < 1e-4
    assert r.estimate == pytest.approx(-0.7145, abs=P4)
    assert r.se == pytest.approx(0.1798, abs=P4)
    assert r.z == pytest.approx(-3.9744, abs=P4)
    assert r.p < 1e-4
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.0669, -0.3622), abs=P4)
    # [BCG-DOC] predict(res, transf=exp): pred, ci.lb, ci.ub, cr.lb, cr.ub
    assert r.pi_low is not None and r.pi_high is not None
    exp = [math.exp(x) for x in (r.estimate, r.ci_low, r.ci_high, r.pi_low, r.pi_high)]
    assert exp == pytest.approx([0.4894, 0.3441, 0.6962, 0.1546, 1.5490], abs=P4)
    # [INFL] full-precision values
    assert r.tau2 == pytest.approx(0.313243325980895, abs=1e-5)
    assert r.q == pytest.approx(152.233008082373, abs=1e-8)
    assert r.weights[0] == pytest.approx(5.05948307931551, abs=1e-5)
    assert sum(r.weights) == pytest.approx(100.0)


def test_without_heterogeneity_cis_everything_else_is_the_same() -> None:
    yi, vi = bcg(log_risk_ratio)
    for method in ("REML", "DL"):
        full, quick = pool(yi, vi, method), pool(yi, vi, method, heterogeneity_ci=False)
        assert full.tau2_ci_low is not None and full.i2_ci_high is not None
        assert (quick.tau2_ci_low, quick.tau2_ci_high, quick.i2_ci_low, quick.i2_ci_high, quick.h2_ci_low,
                quick.h2_ci_high) == (None,) * 6
        assert full._replace(tau2_ci_low=None, tau2_ci_high=None, i2_ci_low=None, i2_ci_high=None, h2_ci_low=None,
                             h2_ci_high=None) == quick


def test_bcg_rr_leave_first_out_matches_metafor() -> None:
    yi, vi = bcg(log_risk_ratio)
    r = pool(yi[1:], vi[1:], "REML")
    # [INFL] leave1out(res)[1]
    assert r.estimate == pytest.approx(-0.707083788031436, abs=1e-5)
    assert r.se == pytest.approx(0.189961024702717, abs=1e-5)
    assert r.z == pytest.approx(-3.72225717953459, abs=1e-4)
    assert r.p == pytest.approx(0.000197449759023198, abs=1e-6)
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.07940055491509, -0.334767021147788), abs=1e-5)
    assert r.q == pytest.approx(151.582572747109, abs=1e-8)
    assert r.q_p == pytest.approx(7.0778599767807e-27, rel=1e-6)
    assert r.tau2 == pytest.approx(0.336156745300306, abs=1e-5)
    assert r.i2 == pytest.approx(93.2259349111223, abs=1e-4)
    assert r.h2 == pytest.approx(14.762184698253, abs=1e-3)


def test_bcg_rr_dl_and_fe_match_metafor() -> None:
    yi, vi = bcg(log_risk_ratio)
    dl = pool(yi, vi, "DL")
    # [METAN] RE model w/ DL estimator, measure='RR'
    assert dl.estimate == pytest.approx(-0.7141, abs=P4)
    assert (dl.ci_low, dl.ci_high) == pytest.approx((-1.0644, -0.3638), abs=P4)
    assert dl.z == pytest.approx(-3.9952, abs=P4)
    assert dl.tau2 == pytest.approx(0.3088, abs=P4)
    assert dl.i2 == pytest.approx(92.1173, abs=P4)
    assert [math.exp(x) for x in (dl.estimate, dl.ci_low, dl.ci_high)] == pytest.approx(
        [0.4896, 0.3449, 0.6950], abs=P4)
    assert dl.h2 == pytest.approx(12.6861, abs=P4)  # [CONFINT]
    fe = pool(yi, vi, "FE")
    # [METAN] FE model, measure='RR'
    assert fe.estimate == pytest.approx(-0.4303, abs=P4)
    assert (fe.ci_low, fe.ci_high) == pytest.approx((-0.5097, -0.3509), abs=P4)
    assert fe.z == pytest.approx(-10.6247, abs=P4)
    assert fe.q == pytest.approx(152.2330, abs=P4)
    assert fe.tau2 == 0.0 and fe.pi_low is None
    assert [math.exp(x) for x in (fe.estimate, fe.ci_low, fe.ci_high)] == pytest.approx(
        [0.6503, 0.6007, 0.7040], abs=P4)


def test_bcg_or_dl_and_fe_match_metafor() -> None:
    yi, vi = bcg(log_odds_ratio)
    dl = pool(yi, vi, "DL")
    # [METAN] RE model w/ DL estimator, measure='OR'
    assert dl.estimate == pytest.approx(-0.7474, abs=P4)
    assert (dl.ci_low, dl.ci_high) == pytest.approx((-1.1242, -0.3706), abs=P4)
    assert dl.z == pytest.approx(-3.8873, abs=P4)
    assert dl.tau2 == pytest.approx(0.3663, abs=P4)
    assert dl.i2 == pytest.approx(92.6455, abs=P4)
    assert [math.exp(x) for x in (dl.estimate, dl.ci_low, dl.ci_high)] == pytest.approx(
        [0.4736, 0.3249, 0.6903], abs=P4)
    fe = pool(yi, vi, "FE")
    # [METAN] FE model, measure='OR'
    assert fe.estimate == pytest.approx(-0.4361, abs=P4)
    assert (fe.ci_low, fe.ci_high) == pytest.approx((-0.5190, -0.3533), abs=P4)
    assert fe.z == pytest.approx(-10.3190, abs=P4)
    assert fe.q == pytest.approx(163.1649, abs=P4)


def test_clasp_or_reml_and_dl_match_metafor() -> None:
    es = [log_odds_ratio(ai, n1, ci, n2) for n1, n2, ai, ci in CLASP]
    yi = [e.yi for e in es if e is not None]
    vi = [e.vi for e in es if e is not None]
    # [CLASP] round(c(tau, mu, se), 4)
    for method, ref in (("DL", (0.2323, -0.3240, 0.1540)), ("REML", (0.1843, -0.2980, 0.1343))):
        r = pool(yi, vi, method)
        assert (math.sqrt(r.tau2), r.estimate, r.se) == pytest.approx(ref, abs=P4), method


# --------------------------------------------------------------------------- pooling: continuous


def test_normand_md_reml_matches_metafor() -> None:
    yi, vi = normand(mean_difference)
    r = pool(yi, vi, "REML")
    # [NORM-DOC] rma(yi, vi, data=dat) for measure="MD"
    assert r.tau2 == pytest.approx(684.6462, abs=P4)
    assert r.tau2_se == pytest.approx(359.7541, abs=P4)
    assert math.sqrt(r.tau2) == pytest.approx(26.1657, abs=P4)
    assert r.i2 == pytest.approx(98.97, abs=0.005)
    assert r.h2 == pytest.approx(97.21, abs=0.005)
    assert r.q == pytest.approx(238.9158, abs=P4)
    assert r.estimate == pytest.approx(-15.1060, abs=P4)
    assert r.se == pytest.approx(8.9466, abs=P4)
    assert r.z == pytest.approx(-1.6885, abs=P4)
    assert r.p == pytest.approx(0.0913, abs=P4)
    assert (r.ci_low, r.ci_high) == pytest.approx((-32.6409, 2.4289), abs=P4)


def test_normand_smd_reml_matches_metafor() -> None:
    yi, vi = normand(hedges_g)
    r = pool(yi, vi, "REML")
    # [NORM-DOC] rma(measure="SMD", ...)
    assert r.tau2 == pytest.approx(0.7908, abs=P4)
    assert r.tau2_se == pytest.approx(0.4281, abs=P4)
    assert r.i2 == pytest.approx(95.49, abs=0.005)
    assert r.h2 == pytest.approx(22.20, abs=0.005)
    assert r.q == pytest.approx(123.7293, abs=P4)
    assert r.estimate == pytest.approx(-0.5371, abs=P4)
    assert r.se == pytest.approx(0.3087, abs=P4)
    assert r.z == pytest.approx(-1.7401, abs=P4)
    assert r.p == pytest.approx(0.0818, abs=P4)
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.1421, 0.0679), abs=P4)
    # [RMAUNI] studies 1-4 only
    assert pool(yi[:4], vi[:4], "REML").tau2 == pytest.approx(1.0090, abs=P4)


def test_normand_md_pooled_sd_fe_dl_reml_match_table_ix() -> None:
    yi, vi = [], []
    for _, n1, m1, s1, n2, m2, s2 in NORMAND:
        sp = math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
        e = mean_difference(m1, sp, n1, m2, sp, n2)
        assert e is not None
        yi.append(e.yi)
        vi.append(e.vi)
    # [NORM-T9] Table VIII (vi) and Table IX, 2 decimals
    assert vi == pytest.approx([40.59, 2.05, 15.28, 150.22, 20.19, 1.22, 95.38, 8.03, 20.69], abs=0.005)
    cases = {
        "FE": (-3.49, -5.03, -1.96, None),
        "DL": (-14.10, -24.45, -3.75, 218.72),
        "REML": (-15.12, -32.67, 2.43, 685.20),
    }
    for method, (est, lo, hi, tau2) in cases.items():
        r = pool(yi, vi, method)
        assert (r.estimate, r.ci_low, r.ci_high) == pytest.approx((est, lo, hi), abs=0.005), method
        if tau2 is not None:
            assert r.tau2 == pytest.approx(tau2, abs=0.005), method


# --------------------------------------------------------------------------- pooling: edge cases


def test_single_study() -> None:
    r = pool([-0.34], [0.0968], "REML")
    assert r.k == 1 and r.tau2 == 0.0 and r.weights == (100.0,)
    assert r.i2 is None and r.h2 is None and r.q is None and r.q_p is None
    assert r.pi_low is None and r.pi_high is None
    assert (r.ci_low, r.ci_high) == pytest.approx((-0.34 - Z_975 * math.sqrt(0.0968), -0.34 + Z_975 * math.sqrt(0.0968)))


def test_two_studies_have_no_prediction_interval() -> None:
    for method in ("REML", "DL", "FE"):
        r = pool([-0.34, 0.49], [0.0969, 0.1710], method)
        assert r.k == 2 and r.q_df == 1
        assert r.pi_low is None and r.pi_high is None
        assert r.i2 is not None
    three = pool([-0.34, 0.49, 0.1], [0.0969, 0.1710, 0.05])
    assert three.pi_low is not None and three.pi_high is not None
    assert three.pi_low <= three.ci_low and three.pi_high >= three.ci_high


def test_fe_i2_from_q_and_homogeneous_data() -> None:
    r = pool([0.1, 0.1, 0.1], [0.05, 0.1, 0.2], "FE")
    assert r.q == pytest.approx(0.0) and r.i2 == 0.0
    reml = pool([0.1, 0.1, 0.1], [0.05, 0.1, 0.2], "REML")
    assert reml.tau2 == 0.0 and reml.i2 == 0.0  # truncated at zero


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        pool([], [])
    with pytest.raises(ValueError):
        pool([0.1, 0.2], [0.1])
    with pytest.raises(ValueError):
        pool([0.1, 0.2], [0.1, 0.0])
    with pytest.raises(ValueError):
        pool([0.1], [0.1], "PM")


@given(
    st.lists(
        st.tuples(st.floats(min_value=-5, max_value=5), st.floats(min_value=0.001, max_value=5)),
        min_size=2,
        max_size=12,
    ),
    st.sampled_from(["REML", "DL", "FE"]),
)
def test_pool_invariants(studies: list[tuple[float, float]], method: str) -> None:
    yi = [y for y, _ in studies]
    vi = [v for _, v in studies]
    r = pool(yi, vi, method)
    assert sum(r.weights) == pytest.approx(100.0)
    assert all(w > 0 for w in r.weights)
    assert min(yi) - 1e-9 <= r.estimate <= max(yi) + 1e-9
    assert r.ci_low <= r.estimate <= r.ci_high
    assert r.tau2 >= 0.0
    assert r.i2 is not None and 0.0 <= r.i2 < 100.0
    assert r.q_p is not None and 0.0 <= r.q_p <= 1.0


def test_reml_falls_back_to_bisection_when_fisher_scoring_oscillates() -> None:
    """Found by hypothesis: Fisher scoring cycles on these data; the REML score root is still found."""
    from ldn_tui.analysis.stats import _reml_score

    yi, vi = [0.0, 0.0, 0.0, 0.0, 2.0], [1.0, 2.0, 2.0, 2.0, 0.25]
    result = pool(yi, vi, "REML")
    assert result.tau2 > 0
    assert abs(_reml_score(yi, vi, result.tau2)) < 1e-6


def test_plural_and_number_helpers() -> None:
    from ldn_tui.text import noun, number, plural

    assert [plural(n, "study") for n in (0, 1, 13)] == ["0 studies", "1 study", "13 studies"]
    assert plural(2, "RCT") == "2 RCTs" and plural(1, "RCT") == "1 RCT"
    assert plural(3, "day") == "3 days" and plural(2, "box") == "2 boxes" and plural(2, "match") == "2 matches"
    assert noun(5, "criterion", "criteria") == "criteria" and noun(1, "criterion", "criteria") == "criterion"
    assert number(-0.304) == "\u22120.3" and number(-0.0001) == "0" and number(2.0) == "2"
    assert number(float("nan")) == "not a number" and number(float("-inf")) == "\u2212infinity"
    assert number(1e300) == "1.00e+300" and number(-1e20) == "\u22121.00e+20"


def test_se_from_p_is_stable_far_into_the_tail() -> None:
    """z = -qnorm(p/2), never qnorm(1 - p/2): at p = 1e-20 and 1e-300 (R: qnorm(5e-21, lower.tail=FALSE)
    = 9.33604484923406; qnorm(log(1e-300) - log(2), log.p=TRUE, lower.tail=FALSE) = 37.0657878807721)."""
    from ldn_tui.analysis.stats import se_from_p

    assert se_from_p(0.5, 1e-20) == pytest.approx(0.5 / 9.33604484923406, rel=1e-13)
    assert se_from_p(0.5, 1e-300) == pytest.approx(0.5 / 37.0657878807721, rel=1e-13)
    assert se_from_p(0.49, 0.236) == pytest.approx(0.49 / 1.18504, abs=1e-5)  # ordinary p unchanged
    with pytest.raises(ValueError, match="p = 1 gives no standard error"):
        se_from_p(0.5, 1.0)


def test_hedges_g_with_huge_or_tiny_sds_neither_overflows_nor_underflows() -> None:
    """The pooled SD is computed on SDs scaled by the larger one: sd = 1e200 (sd^2 overflows) and
    sd = 1e-155 (sd^2 underflows) give the same g as sd = 1 with the means scaled alike."""
    from ldn_tui.analysis.stats import hedges_g

    ref = hedges_g(3.0, 1.0, 10, 0.0, 1.0, 10)
    big = hedges_g(3e200, 1e200, 10, 0.0, 1e200, 10)
    tiny = hedges_g(3e-155, 1e-155, 10, 0.0, 1e-155, 10)
    assert ref is not None and big is not None and tiny is not None
    assert big.yi == pytest.approx(ref.yi, rel=1e-12) and tiny.yi == pytest.approx(ref.yi, rel=1e-12)


def test_effects_have_two_decimals_and_one_minus_sign() -> None:
    """Issue 13: one minus sign (U+2212) and one number of decimals per figure type: an effect and its CI
    always show two decimals ("RR 0.80 (0.43 to 1.49)", not "RR 0.8 (0.43 to 1.49)")."""
    from ldn_tui.report.facts import effect_text
    from ldn_tui.text import effect_number

    assert effect_number(0.8) == "0.80" and effect_number(-1) == "\u22121.00" and effect_number(-0.001) == "0.00"
    assert effect_text("RR", 0.8, 0.43, 1.49) == "RR 0.80 (0.43 to 1.49)"
    assert effect_text("MD", -1, -1.8, -0.2) == "MD \u22121.00 (\u22121.80 to \u22120.20)"
    assert effect_number(float("inf")) == "infinity" and effect_number(float("nan")) == "not a number"
