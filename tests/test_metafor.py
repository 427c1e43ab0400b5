"""Every statistic checked against R's metafor (3.8.1) on data sets shipped with it, to 4 decimals.

The reference values were computed with R 4 and metafor 3.8.1 (the R code is in each test's
docstring; ``options(digits=15)``). CI does not need R: the values are literals. Data:
``dat.bcg`` (Colditz et al. 1994, BCG vaccine trials) and ``dat.normand1999`` (Normand 1999,
length of hospital stay), both printed in metafor's documentation.
"""

from __future__ import annotations

import pytest

from ldn_tui.analysis.stats import PoolResult, log_risk_ratio, mean_difference, pool

# dat.bcg: tpos, tneg, cpos, cneg, alloc
BCG = (
    (4, 119, 11, 128, "random"),
    (6, 300, 29, 274, "random"),
    (3, 228, 11, 209, "random"),
    (62, 13536, 248, 12619, "random"),
    (33, 5036, 47, 5761, "alternate"),
    (180, 1361, 372, 1079, "alternate"),
    (8, 2537, 10, 619, "random"),
    (505, 87886, 499, 87892, "random"),
    (29, 7470, 45, 7232, "random"),
    (17, 1699, 65, 1600, "systematic"),
    (186, 50448, 141, 27197, "systematic"),
    (5, 2493, 3, 2338, "systematic"),
    (27, 16886, 29, 17825, "systematic"),
)
# dat.normand1999: m1i, sd1i, n1i, m2i, sd2i, n2i
NORMAND = (
    (55, 47, 155, 75, 64, 156),
    (27, 7, 31, 29, 4, 32),
    (64, 17, 75, 119, 29, 71),
    (66, 20, 18, 137, 48, 18),
    (14, 8, 8, 18, 11, 13),
    (19, 7, 57, 18, 4, 52),
    (52, 45, 34, 41, 34, 33),
    (21, 16, 110, 31, 27, 183),
    (30, 27, 60, 23, 20, 52),
)

D4 = 5e-5  # agreement to 4 decimals


def _bcg(rows: tuple[tuple[int, int, int, int, str], ...] = BCG) -> tuple[list[float], list[float]]:
    effects = [log_risk_ratio(a, a + b, c, c + d) for a, b, c, d, _ in rows]
    assert all(e is not None for e in effects)
    return [e.yi for e in effects if e], [e.vi for e in effects if e]


def _normand() -> tuple[list[float], list[float]]:
    effects = [mean_difference(*row) for row in NORMAND]
    return [e.yi for e in effects if e], [e.vi for e in effects if e]


def _close(result: PoolResult, **expected: float) -> None:
    for name, value in expected.items():
        assert getattr(result, name) == pytest.approx(value, abs=D4), name


def test_bcg_escalc_rr() -> None:
    """library(metafor); dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg); dat$yi[c(1, 13)]; dat$vi[c(1, 13)]"""
    yi, vi = _bcg()
    assert yi[0] == pytest.approx(-0.889311333920205, abs=1e-12)
    assert yi[12] == pytest.approx(-0.0173139482168798, abs=1e-12)
    assert vi[0] == pytest.approx(0.325584765003961, abs=1e-12)
    assert vi[12] == pytest.approx(0.0714046596839863, abs=1e-12)


def test_bcg_reml() -> None:
    """library(metafor); dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg);
    r <- rma(yi, vi, data=dat, method="REML"); r$b; r$se; r$zval; r$pval; r$ci.lb; r$ci.ub; r$tau2;
    r$se.tau2; r$I2; r$H2; r$QE; predict(r)$pi.lb; predict(r)$pi.ub"""
    r = pool(*_bcg(), "REML")
    _close(r, estimate=-0.714532348365101, se=0.179781531780361, z=-3.97444799412458, p=7.05426734852055e-05,
           ci_low=-1.06689767574005, ci_high=-0.36216702099015, tau2=0.313243325980895,
           tau2_se=0.166425783098725, i2=92.2213860749656, h2=12.8557608031121, q=152.233008082373,
           pi_low=-1.86669234660707, pi_high=0.437627649876866)
    assert r.q_df == 12 and r.q_p == pytest.approx(1.99676459084597e-26, rel=1e-4)
    assert r.test == "z" and r.df is None


def test_bcg_reml_confint() -> None:
    """library(metafor); dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg);
    confint(rma(yi, vi, data=dat, method="REML"), control=list(tol=1e-12))$random: the Q-profile CI of
    tau^2, I^2 and H^2, with uniroot's tolerance tightened (at metafor's default tolerance,
    .Machine$double.eps^0.25, the root itself is only good to about 2e-5: tau^2 0.119695312816638
    to 1.11148626221544, I^2 from 81.9177)."""
    r = pool(*_bcg(), "REML")
    _close(r, tau2_ci_low=0.119718361141152, tau2_ci_high=1.11147908406093, i2_ci_low=81.920574558583112,
           i2_ci_high=97.67807495788742, h2_ci_low=5.531149223963556, h2_ci_high=43.06771243098171)
    assert r.tau2_ci_low == pytest.approx(0.119695312816638, abs=1e-4)  # metafor's default tolerance
    assert r.tau2_ci_high == pytest.approx(1.11148626221544, abs=1e-4)


def test_bcg_dl_and_confint() -> None:
    """library(metafor); dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg);
    d <- rma(yi, vi, data=dat, method="DL"); d$b; d$se; d$zval; d$ci.lb; d$ci.ub; d$tau2; d$I2; d$H2;
    confint(d, control=list(tol=1e-12))$random (the same Q-profile bounds as REML: they do not depend on
    the estimator)"""
    d = pool(*_bcg(), "DL")
    _close(d, estimate=-0.714117222073227, se=0.178742089535403, z=-3.99523818888658, p=6.462924304704e-05,
           ci_low=-1.06444528008405, ci_high=-0.363789164062403, tau2=0.308760262862376,
           i2=92.1173468545621, h2=12.6860840068644, tau2_ci_low=0.119718361141152,
           tau2_ci_high=1.11147908406093)


def test_bcg_knha() -> None:
    """library(metafor); dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg);
    k <- rma(yi, vi, data=dat, method="REML", test="knha"); k$b; k$se; k$zval; k$pval; k$ci.lb; k$ci.ub;
    predict(k)$pi.lb; predict(k)$pi.ub"""
    k = pool(*_bcg(), "REML", test="knha")
    _close(k, estimate=-0.714532348365101, se=0.1807917455191, z=-3.95223988967799, p=0.00192001508513394,
           ci_low=-1.10844372300005, ci_high=-0.320620973730153, tau2=0.313243325980895,
           pi_low=-1.99601696702229, pi_high=0.566952270292088)
    assert k.test == "knha" and k.df == 12 and k.statistic_name == "t"


def test_bcg_knha_dl() -> None:
    """library(metafor); dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg);
    kd <- rma(yi, vi, data=dat, method="DL", test="knha"); kd$b; kd$se; kd$zval; kd$pval; kd$ci.lb; kd$ci.ub"""
    k = pool(*_bcg(), "DL", test="knha")
    _close(k, estimate=-0.714117222073227, se=0.180696628335547, z=-3.95202294946609, p=0.00192076676704736,
           ci_low=-1.10782135416833, ci_high=-0.320413089978125)


def test_bcg_subgroups_by_alloc() -> None:
    """library(metafor); dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg);
    res <- lapply(split(dat, dat$alloc), function(x) rma(yi, vi, data=x, method="REML"));
    est <- sapply(res, function(x) x$b); se <- sapply(res, function(x) x$se);
    m <- rma(est, sei=se, mods=~factor(names(res)), method="FE"); m$QM; m$QMdf; m$QMp
    (and each group's k, b, ci.lb, ci.ub, tau2, I2)"""
    from ldn_tui.analysis.stats import chi2_sf

    expected = {
        "alternate": (2, -0.540792961849346, -1.09272198152135, 0.0111360578226571, 0.132577039878093, 82.0225155666642),
        "random": (7, -0.970964475758379, -1.51182771204451, -0.430101239472247, 0.392526549118408, 89.9342820816863),
        "systematic": (4, -0.424207342954399, -1.12929534580165, 0.280880659892856, 0.400346296813917, 86.4221318019004),
    }
    groups = {}
    for alloc, (k, est, lo, hi, tau2, i2) in expected.items():
        g = pool(*_bcg(tuple(r for r in BCG if r[4] == alloc)), "REML")
        assert g.k == k
        _close(g, estimate=est, ci_low=lo, ci_high=hi, tau2=tau2, i2=i2)
        groups[alloc] = g
    between = pool([g.estimate for g in groups.values()], [g.se ** 2 for g in groups.values()], "FE")
    assert between.q == pytest.approx(1.86144614123119, abs=D4)
    assert between.q_df == 2
    assert chi2_sf(between.q or 0.0, 2) == pytest.approx(0.39426852329498, abs=D4)


def test_normand_md_reml() -> None:
    """library(metafor); dn <- escalc(measure="MD", m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i,
    data=dat.normand1999);
    n <- rma(yi, vi, data=dn, method="REML"); n$b; n$se; n$zval; n$pval; n$ci.lb; n$ci.ub; n$tau2; n$I2; n$H2;
    n$QE; confint(n, control=list(tol=1e-12))$random"""
    yi, vi = _normand()
    assert yi == [-20, -2, -55, -71, -4, 1, 11, -10, 7]
    assert vi[0] == pytest.approx(40.5080231596361, abs=1e-10)
    n = pool(yi, vi, "REML")
    _close(n, estimate=-15.1060274743905, se=8.94655284568962, z=-1.68847462647789, p=0.0913201556859915,
           ci_low=-32.6409488377265, ci_high=2.42889388894549, i2=98.9712743488066, h2=97.2076470378569,
           q=238.91581086201, i2_ci_low=97.6281597138514, i2_ci_high=99.7543182497626,
           h2_ci_low=42.1613548703071, h2_ci_high=407.0306398556892)
    # tau^2 is in the hundreds: 4 significant decimals relative
    assert n.tau2 == pytest.approx(684.646152881847, rel=1e-6)
    assert n.tau2_ci_low == pytest.approx(292.9181216569123, rel=1e-8)
    assert n.tau2_ci_high == pytest.approx(2889.4513491216198, rel=1e-8)


def test_normand_md_dl_and_knha() -> None:
    """library(metafor); dn <- escalc(measure="MD", m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i,
    data=dat.normand1999); nd <- rma(yi, vi, data=dn, method="DL"); nd$b; nd$se; nd$ci.lb; nd$ci.ub; nd$tau2; nd$I2;
    nk <- rma(yi, vi, data=dn, method="REML", test="knha"); nk$b; nk$se; nk$zval; nk$pval; nk$ci.lb; nk$ci.ub"""
    yi, vi = _normand()
    d = pool(yi, vi, "DL")
    _close(d, estimate=-13.9817218170439, se=5.12669833923133, ci_low=-24.0298659215386,
           ci_high=-3.93357771254923, i2=96.651540150844)
    assert d.tau2 == pytest.approx(205.409375467911, rel=1e-6)
    k = pool(yi, vi, "REML", test="knha")
    _close(k, estimate=-15.1060274743905, se=9.19890874697935, z=-1.6421542913284, p=0.139184037252513,
           ci_low=-36.3187490842906, ci_high=6.10669413550965)


def test_quantiles_match_r() -> None:
    """qnorm(1e-20/2, lower.tail=FALSE); qnorm(log(1e-300)-log(2), log.p=TRUE, lower.tail=FALSE);
    qnorm(log(5e-324)-log(2), log.p=TRUE, lower.tail=FALSE); qt(0.975, 12); qchisq(0.975, 12);
    qchisq(0.025, 12); 2*pt(-2.5, 5)"""
    from ldn_tui.analysis.stats import chi2_ppf, t_ppf, t_two_sided_p, z_from_p

    assert z_from_p(1e-20) == pytest.approx(9.33604484923406, rel=1e-12)
    assert z_from_p(1e-300) == pytest.approx(37.0657878807721, rel=1e-12)
    assert z_from_p(5e-324) == pytest.approx(38.4854083355673, rel=1e-12)
    assert t_ppf(0.975, 12) == pytest.approx(2.17881282966723, rel=1e-12)
    assert chi2_ppf(0.975, 12) == pytest.approx(23.3366641586453, rel=1e-12)
    assert chi2_ppf(0.025, 12) == pytest.approx(4.4037885069817, rel=1e-12)
    assert t_two_sided_p(2.5, 5) == pytest.approx(0.0544900993423762, rel=1e-10)
