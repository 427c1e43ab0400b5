"""Effect sizes and inverse-variance pooling, stdlib only.

Everything here follows metafor (Viechtbauer, R package) so that results can
be checked against its published output:

* ``mean_difference``: ``escalc(measure="MD")``, yi = m1 - m2,
  vi = sd1^2/n1 + sd2^2/n2 (the default ``vtype="LS"``, unequal variances).
* ``hedges_g``: ``escalc(measure="SMD")``. The bias correction is metafor's
  exact ``.cmicalc``: c(m) = exp(lgamma(m/2) - log(sqrt(m/2)) - lgamma((m-1)/2))
  with m = n1 + n2 - 2, not the approximation 1 - 3/(4m - 1); the variance is
  the default large-sample one (``vtype="LS"``): vi = 1/n1 + 1/n2 + yi^2/(2(n1+n2)).
* ``log_risk_ratio`` / ``log_odds_ratio``: ``escalc(measure="RR"/"OR")`` with
  ``add=1/2, to="only0"``: 0.5 is added to every cell of a study that has a
  zero cell. Unlike metafor's default (``drop00=FALSE``), a study with no
  events in either arm is not computable here (the function returns ``None``),
  as the evidence format requires.
* ``pool``: ``rma.uni`` with ``method="REML"`` (Fisher scoring from the Hedges
  starting value, step halving, tau^2 truncated at 0), ``"DL"`` or ``"FE"``;
  Wald-type CI and z-test; I^2 and H^2 as ``print.rma.uni`` reports them; the
  prediction interval of ``predict.rma`` with ``test="z"``:
  estimate +/- z(0.975) * sqrt(tau^2 + se^2), given only for the random-effects
  methods where k >= 3 (for FE it would equal the CI).

All effects are intervention minus control; ratios are on the log scale here
and are exponentiated only for display (:func:`to_display`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

__all__ = [
    "CI_Z", "METHODS", "TESTS", "Z_975", "EffectSize", "PoolResult", "PoolingError", "beta_inc", "chi2_ppf",
    "chi2_sf", "effect_from_ci", "effect_from_p", "from_display", "hedges_g", "log_odds_ratio",
    "log_risk_ratio", "mean_difference", "norm_cdf", "norm_ppf", "norm_ppf_log", "norm_sf", "pool",
    "se_from_ci", "se_from_p", "t_ppf", "t_two_sided_p", "tau2_ci", "to_display", "two_sided_p", "wald_ci",
    "z_from_p",
]

METHODS = ("REML", "DL", "FE")
TESTS = ("z", "knha")
CI_Z = 1.959964
"""The rounded z value the evidence format prescribes for SEs from reported CIs."""

# ---------------------------------------------------------------------------
# Normal and chi-square distributions


def norm_cdf(x: float) -> float:
    """Standard normal distribution function."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def norm_sf(x: float) -> float:
    """Standard normal survival function, 1 - cdf, accurate in the upper tail."""
    return 0.5 * math.erfc(x / math.sqrt(2.0))


# Acklam's rational approximation (relative error < 1.15e-9), refined below
# with one Newton (Halley) step against math.erfc, to full double precision.
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
      3.754408661907416e00)
_P_LOW = 0.02425


def norm_ppf(p: float) -> float:
    """Quantile of the standard normal distribution (inverse of :func:`norm_cdf`)."""
    if not 0.0 < p < 1.0:
        if p == 0.0:
            return -math.inf
        if p == 1.0:
            return math.inf
        raise ValueError(f"probability must be in [0, 1], got {p!r}")
    if p < 1e-300:
        return norm_ppf_log(math.log(p))  # the refinement below would overflow exp(x^2 / 2)
    if p < _P_LOW:
        q = math.sqrt(-2.0 * math.log(p))
        x = ((((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5])
             / ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0))
    elif p <= 1.0 - _P_LOW:
        q = p - 0.5
        r = q * q
        x = ((((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q
             / (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0))
    else:
        q = math.sqrt(-2.0 * math.log1p(-p))
        x = -((((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5])
              / ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0))
    # One Halley step (Acklam's refinement); the error term uses the tail that
    # keeps precision.
    e = norm_cdf(x) - p if p <= 0.5 else (1.0 - p) - norm_sf(x)
    u = e * math.sqrt(2.0 * math.pi) * math.exp(x * x / 2.0)
    return x - u / (1.0 + x * u / 2.0)


Z_975 = norm_ppf(0.975)
"""qnorm(0.975) = 1.959963984540054, used for Wald CIs and prediction intervals."""


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a z statistic."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def _gamma_q(a: float, x: float) -> float:
    """Regularised upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a)."""
    if a <= 0.0:
        raise ValueError("a must be positive")
    if x <= 0.0:
        return 1.0
    log_prefix = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        # series for P(a, x)
        term = 1.0 / a
        total = term
        n = a
        for _ in range(10_000):
            n += 1.0
            term *= x / n
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    # continued fraction for Q(a, x) (modified Lentz)
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < tiny:
            d = tiny
        c = b + an / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return math.exp(log_prefix) * h


def chi2_sf(x: float, df: float) -> float:
    """Survival function of the chi-square distribution (p-value of Q)."""
    if df <= 0:
        raise ValueError("df must be positive")
    if x != x:
        raise ValueError("x is not a number")
    if x == math.inf:
        return 0.0
    return min(1.0, max(0.0, _gamma_q(df / 2.0, x / 2.0)))


def chi2_ppf(prob: float, df: float) -> float:
    """Quantile of the chi-square distribution (qchisq), by bisection on :func:`chi2_sf`."""
    if not 0.0 < prob < 1.0:
        raise ValueError(f"probability must be in (0, 1), got {prob!r}")
    return _root_decreasing(lambda x: chi2_sf(x, df), 1.0 - prob, max(1.0, df))


def _root_decreasing(f: Callable[[float], float], target: float, start: float, rel_tol: float = 1e-15) -> float:
    """The x >= 0 where the decreasing function f crosses ``target`` (f(0) > target), by doubling an upper
    bound from ``start`` and then bisecting; infinity when no bound below 1e300 is found."""
    lo, hi = 0.0, start
    while f(hi) > target:
        lo, hi = hi, hi * 2.0
        if hi > 1e300:
            return math.inf
    for _ in range(400):
        mid = (lo + hi) / 2.0
        if f(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= rel_tol * max(hi, 1e-300):
            break
    return (lo + hi) / 2.0


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = tiny if abs(d) < tiny else d
    d = 1.0 / d
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def beta_inc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of a t statistic with ``df`` degrees of freedom (2 * pt(-|t|, df))."""
    if t != t:
        raise ValueError("t is not a number")
    t = abs(t)
    if t == math.inf:
        return 0.0
    # x = df / (df + t^2), written so that t^2 cannot overflow
    x = 1.0 / (1.0 + (t / math.sqrt(df)) ** 2) if t < 1e150 else 0.0
    return min(1.0, max(0.0, beta_inc(df / 2.0, 0.5, x)))


def t_ppf(prob: float, df: float) -> float:
    """Quantile of the t distribution (qt) for prob > 0.5, by bisection on :func:`t_two_sided_p`."""
    if not 0.5 < prob < 1.0:
        raise ValueError(f"probability must be in (0.5, 1), got {prob!r}")
    return _root_decreasing(lambda t: t_two_sided_p(t, df), 2.0 * (1.0 - prob), 2.0)


# ---------------------------------------------------------------------------
# Effect sizes


class EffectSize(NamedTuple):
    """One study's effect on the analysis scale (log scale for ratios)."""

    yi: float
    vi: float
    derived_from_p: bool = False  # the SE was back-calculated from a p-value
    zero_cell_corrected: bool = False  # 0.5 was added to every cell

    @property
    def se(self) -> float:
        return math.sqrt(self.vi)


def mean_difference(m1: float, sd1: float, n1: int, m2: float, sd2: float, n2: int) -> EffectSize | None:
    """Mean difference (intervention minus control); ``None`` when it has no variance."""
    if n1 <= 0 or n2 <= 0 or sd1 < 0 or sd2 < 0:
        return None
    vi = sd1 * sd1 / n1 + sd2 * sd2 / n2
    if vi <= 0:
        return None
    return EffectSize(m1 - m2, vi)


def _cmicalc(m: float) -> float:
    """metafor's exact small-sample correction factor c(m)."""
    return math.exp(math.lgamma(m / 2.0) - math.log(math.sqrt(m / 2.0)) - math.lgamma((m - 1.0) / 2.0))


def hedges_g(m1: float, sd1: float, n1: int, m2: float, sd2: float, n2: int) -> EffectSize | None:
    """Hedges' g as metafor's ``escalc(measure="SMD")``; ``None`` when not computable."""
    if n1 <= 0 or n2 <= 0 or sd1 < 0 or sd2 < 0:
        return None
    ni = n1 + n2
    mi = ni - 2
    if mi <= 1:
        return None
    unit = max(sd1, sd2)  # scaled so that squaring cannot overflow or underflow
    if unit <= 0:
        return None
    sdp = unit * math.sqrt(((n1 - 1) * (sd1 / unit) ** 2 + (n2 - 1) * (sd2 / unit) ** 2) / mi)
    if sdp <= 0:
        return None
    yi = _cmicalc(mi) * (m1 - m2) / sdp
    vi = 1.0 / n1 + 1.0 / n2 + yi * yi / (2.0 * ni)
    return EffectSize(yi, vi)


def _cells(e1: int, n1: int, e2: int, n2: int) -> tuple[float, float, float, float, bool] | None:
    if n1 <= 0 or n2 <= 0 or not (0 <= e1 <= n1 and 0 <= e2 <= n2):
        return None
    if e1 == 0 and e2 == 0:
        return None  # no events in either arm: not computable (left out)
    a, b, c, d = float(e1), float(n1 - e1), float(e2), float(n2 - e2)
    if 0.0 in (a, b, c, d):
        return a + 0.5, b + 0.5, c + 0.5, d + 0.5, True
    return a, b, c, d, False


def log_risk_ratio(e1: int, n1: int, e2: int, n2: int) -> EffectSize | None:
    """Log risk ratio; ``None`` with no events in either arm (or impossible counts)."""
    cells = _cells(e1, n1, e2, n2)
    if cells is None:
        return None
    a, b, c, d, corrected = cells
    t1, t2 = a + b, c + d
    yi = math.log(a / t1) - math.log(c / t2)
    vi = 1.0 / a - 1.0 / t1 + 1.0 / c - 1.0 / t2
    return EffectSize(yi, vi, zero_cell_corrected=corrected)


def log_odds_ratio(e1: int, n1: int, e2: int, n2: int) -> EffectSize | None:
    """Log odds ratio; ``None`` with no events in either arm (or impossible counts)."""
    cells = _cells(e1, n1, e2, n2)
    if cells is None:
        return None
    a, b, c, d, corrected = cells
    yi = math.log(a / b) - math.log(c / d)
    vi = 1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d
    return EffectSize(yi, vi, zero_cell_corrected=corrected)


def to_display(value: float, ratio: bool) -> float:
    """Back-transform from the analysis scale: exp for ratios (saturating at infinity, never raising)."""
    if not ratio:
        return value
    return math.exp(value) if value < 709.0 else (math.exp(value) if value <= 709.78 else math.inf)


def from_display(value: float, ratio: bool) -> float:
    """To the analysis scale: log for ratios (which must be positive)."""
    if ratio:
        if value <= 0:
            raise ValueError(f"a ratio must be positive, got {value!r}")
        return math.log(value)
    return value


def se_from_ci(ci_low: float, ci_high: float, ratio: bool = False) -> float:
    """SE from a 95% CI: (high - low) / (2 * 1.959964), on the log scale for ratios."""
    lo, hi = from_display(ci_low, ratio), from_display(ci_high, ratio)
    if hi == lo:
        raise ValueError(f"a CI of width 0 ({ci_low!r} to {ci_high!r}) gives no standard error")
    if not hi > lo:
        raise ValueError(f"CI upper bound must exceed the lower bound ({ci_low!r} to {ci_high!r})")
    se = hi / (2.0 * CI_Z) - lo / (2.0 * CI_Z)  # never overflows for finite bounds
    if not se > 0.0:
        raise ValueError(f"the CI ({ci_low!r} to {ci_high!r}) is too narrow to give a standard error")
    return se


def se_from_p(estimate: float, p: float, ratio: bool = False) -> float:
    """SE from a two-sided p-value: |estimate| / z with z = -qnorm(p / 2) (Cochrane Handbook 6.3).

    z is computed from p/2 directly (never ``1 - p/2``, which rounds to 1 below p of about
    1e-16), in log space where p/2 underflows. p = 1 gives z = 0: no standard error.
    """
    if not 0.0 < p <= 1.0 or p != p:
        raise ValueError(f"p must be greater than 0 and at most 1, got {p!r}")
    if p == 1.0:
        raise ValueError("p = 1 gives no standard error (the test statistic is 0)")
    y = from_display(estimate, ratio)
    if y == 0.0:
        raise ValueError("a null estimate gives no standard error from a p-value")
    z = z_from_p(p)
    if not z > 0.0:
        raise ValueError(f"p = {p!r} is too close to 1 to give a standard error")
    return abs(y) / z


def z_from_p(p: float) -> float:
    """The z statistic of a two-sided p-value, -qnorm(p / 2), accurate down to the smallest double."""
    half = p / 2.0
    if half < 1e-300:
        return -norm_ppf_log(math.log(p) - math.log(2.0))
    return -norm_ppf(half)


def _log_norm_cdf_tail(x: float) -> float:
    """log(Phi(x)) for x <= -30 by the asymptotic series (relative error far below 1e-16 there)."""
    x2 = x * x
    series = 1.0 - 1.0 / x2 + 3.0 / (x2 * x2) - 15.0 / (x2 * x2 * x2) + 105.0 / (x2 * x2 * x2 * x2)
    return -x2 / 2.0 - math.log(-x) - 0.5 * math.log(2.0 * math.pi) + math.log(series)


def norm_ppf_log(log_p: float) -> float:
    """qnorm(exp(log_p)) for a lower-tail probability given by its logarithm (log_p < log(1e-300))."""
    # Start from the leading term of the asymptotic expansion, then Newton on log(Phi).
    x = -math.sqrt(-2.0 * log_p)
    for _ in range(60):
        x = min(x, -30.0)
        f = _log_norm_cdf_tail(x) - log_p
        # d/dx log(Phi(x)) = phi(x) / Phi(x), in log space
        log_phi = -x * x / 2.0 - 0.5 * math.log(2.0 * math.pi)
        slope = math.exp(log_phi - _log_norm_cdf_tail(x))
        step = f / slope
        x -= step
        if abs(step) <= 1e-15 * abs(x):
            break
    return x


def effect_from_ci(estimate: float, ci_low: float, ci_high: float, ratio: bool = False) -> EffectSize:
    """A reported effect with its 95% CI (ratios on the ratio scale)."""
    se = se_from_ci(ci_low, ci_high, ratio)
    return EffectSize(from_display(estimate, ratio), se * se)


def effect_from_p(estimate: float, p: float, ratio: bool = False) -> EffectSize:
    """A reported effect with only a two-sided p-value; flagged ``derived_from_p``."""
    se = se_from_p(estimate, p, ratio)
    return EffectSize(from_display(estimate, ratio), se * se, derived_from_p=True)


def wald_ci(yi: float, se: float) -> tuple[float, float]:
    """95% Wald CI on the analysis scale."""
    return yi - Z_975 * se, yi + Z_975 * se


# ---------------------------------------------------------------------------
# Pooling


class PoolResult(NamedTuple):
    """A pooled result on the analysis scale (log scale for ratios)."""

    method: str  # REML | DL | FE
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p: float
    tau2: float
    weights: tuple[float, ...]  # percent, in input order
    tau2_se: float | None = None  # REML only
    i2: float | None = None  # percent; None for k = 1
    h2: float | None = None
    q: float | None = None
    q_df: int | None = None
    q_p: float | None = None
    pi_low: float | None = None  # only for random effects with k >= 3
    pi_high: float | None = None
    iterations: int = 0  # REML Fisher scoring iterations
    test: str = "z"
    """How the CI and p were computed: ``"z"`` (Wald, normal) or ``"knha"``
    (Hartung-Knapp-Sidik-Jonkman: ``se`` is the adjusted SE, ``z`` holds the t
    statistic, ``p`` and the CI come from the t distribution with ``df`` degrees
    of freedom)."""
    df: int | None = None
    """Degrees of freedom of the t distribution (``k - 1``) under ``test="knha"``; None for ``"z"``."""
    tau2_ci_low: float | None = None
    """Q-profile 95% CI of tau^2 (metafor ``confint(rma)``); None for k < 2 or FE."""
    tau2_ci_high: float | None = None
    i2_ci_low: float | None = None
    """I^2 (percent) and H^2 at the tau^2 CI bounds, as ``confint`` reports them."""
    i2_ci_high: float | None = None
    h2_ci_low: float | None = None
    h2_ci_high: float | None = None

    @property
    def tau(self) -> float:
        """sqrt(tau^2)."""
        return math.sqrt(self.tau2)

    @property
    def statistic_name(self) -> str:
        """``"z"`` or ``"t"``: what ``z`` holds, for display."""
        return "t" if self.test == "knha" else "z"


def _dl_tau2(yi: Sequence[float], w: Sequence[float]) -> float:
    sw = math.fsum(w)
    fe = math.fsum(wi * y for wi, y in zip(w, yi, strict=True)) / sw
    q = math.fsum(wi * (y - fe) ** 2 for wi, y in zip(w, yi, strict=True))
    c = sw - math.fsum(wi * wi for wi in w) / sw
    return max(0.0, (q - (len(yi) - 1)) / c)


def _reml_score(yi: Sequence[float], vi: Sequence[float], tau2: float) -> float:
    """Twice the derivative of the REML log-likelihood in tau^2: Y'PPY - tr(P)."""
    w = [1.0 / (v + tau2) for v in vi]
    sw = math.fsum(w)
    sw2 = math.fsum(x * x for x in w)
    mu = math.fsum(x * y for x, y in zip(w, yi, strict=True)) / sw
    return math.fsum((x * (y - mu)) ** 2 for x, y in zip(w, yi, strict=True)) - (sw - sw2 / sw)


def _reml_bisect(yi: Sequence[float], vi: Sequence[float], tol: float) -> float:
    if _reml_score(yi, vi, 0.0) <= 0.0:
        return 0.0
    return _root_decreasing(lambda t: _reml_score(yi, vi, t), 0.0, max(max(vi), 1e-8), tol)


def _reml_tau2(yi: Sequence[float], vi: Sequence[float], tol: float, max_iter: int) -> tuple[float, float, int]:
    """REML tau^2 by Fisher scoring as metafor's rma.uni does; returns (tau2, se, iterations).

    Intercept-only model: P = W - w w' / sum(w), so
    tr(P) = sum(w) - sum(w^2)/sum(w), tr(PP) = sum(w^2) - 2 sum(w^3)/sum(w) + (sum(w^2)/sum(w))^2,
    and Y'PPY = sum(w^2 (y - mu)^2) with mu the weighted mean.
    """
    k = len(yi)
    mean_y = math.fsum(yi) / k
    var_y = math.fsum((y - mean_y) ** 2 for y in yi) / (k - 1)
    tau2 = max(0.0, var_y - math.fsum(vi) / k)  # Hedges (HE) starting value, as metafor
    iterations = 0
    tr_pp = 0.0
    while True:
        iterations += 1
        w = [1.0 / (v + tau2) for v in vi]
        sw = math.fsum(w)
        sw2 = math.fsum(x * x for x in w)
        sw3 = math.fsum(x * x * x for x in w)
        mu = math.fsum(x * y for x, y in zip(w, yi, strict=True)) / sw
        tr_p = sw - sw2 / sw
        tr_pp = sw2 - 2.0 * sw3 / sw + (sw2 / sw) ** 2
        ypp_y = math.fsum((x * (y - mu)) ** 2 for x, y in zip(w, yi, strict=True))
        adj = (ypp_y - tr_p) / tr_pp
        while tau2 + adj < 0.0:
            adj /= 2.0  # step halving keeps tau^2 >= 0
            if abs(adj) < 1e-300:
                adj = -tau2
                break
        old = tau2
        tau2 = max(0.0, tau2 + adj)
        if abs(tau2 - old) <= tol:
            break
        if iterations >= max_iter:
            # Fisher scoring can oscillate; the REML score is then solved by bisection instead.
            tau2 = _reml_bisect(yi, vi, tol)
            break
    w = [1.0 / (v + tau2) for v in vi]
    sw = math.fsum(w)
    sw2 = math.fsum(x * x for x in w)
    sw3 = math.fsum(x * x * x for x in w)
    tr_pp = sw2 - 2.0 * sw3 / sw + (sw2 / sw) ** 2
    se = math.sqrt(2.0 / tr_pp) if tr_pp > 0.0 and math.isfinite(tr_pp) else math.nan
    return tau2, se, iterations


class PoolingError(ValueError):
    """The studies cannot be pooled; the message says why, in words."""


def pool(
    yi: Sequence[float],
    vi: Sequence[float],
    method: str = "REML",
    *,
    test: str = "z",
    tol: float = 1e-10,
    max_iter: int = 100,
    heterogeneity_ci: bool = True,
) -> PoolResult:
    """Inverse-variance meta-analysis of ``yi`` with sampling variances ``vi``.

    ``method`` is ``"REML"`` (default), ``"DL"`` (DerSimonian-Laird) or ``"FE"``
    (fixed/common effect); ``test`` is ``"z"`` (Wald) or ``"knha"``
    (Hartung-Knapp-Sidik-Jonkman, as metafor's ``test="knha"``). With one study its
    own estimate and Wald CI come back, tau^2 = 0 and no heterogeneity statistics.

    The computation runs on rescaled values (y / sqrt(c), v / c with c the
    geometric mean of the smallest and largest variance; every statistic is
    equivariant), so that variances of 1e-300 or 1e300 neither underflow nor
    overflow; what still cannot be represented raises :class:`PoolingError`
    (a ``ValueError``) with the reason in words.

    ``heterogeneity_ci`` False leaves out the Q-profile CIs of tau^2, I^2 and H^2 (None): two
    root searches over all k studies, most of the cost of a large pooling, which a result shown
    only by its estimate and CI (a leave-one-out row, a cumulative step) has no use for.
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown pooling method {method!r}; use one of {', '.join(METHODS)}")
    if test not in TESTS:
        raise ValueError(f"unknown test {test!r}; use one of {', '.join(TESTS)}")
    k = len(yi)
    if k == 0:
        raise PoolingError("nothing to pool")
    if len(vi) != k:
        raise ValueError("yi and vi differ in length")
    if any(not (v > 0 and math.isfinite(v)) for v in vi) or any(not math.isfinite(y) for y in yi):
        raise PoolingError("every sampling variance must be positive and every estimate finite")
    log_c = (math.log(min(vi)) + math.log(max(vi))) / 2.0
    scale = math.exp(log_c / 2.0)  # sqrt(c): the unit of the rescaled estimates
    try:
        ys = [y / scale for y in yi]
        vs = [math.exp(math.log(v) - log_c) for v in vi]
        if any(not math.isfinite(y) for y in ys):
            raise PoolingError("the estimates are too large for their standard errors to be pooled in double precision")
        res = _pool_scaled(ys, vs, method, test, tol, max_iter, heterogeneity_ci)
    except PoolingError:
        raise
    except (OverflowError, ZeroDivisionError, ValueError) as exc:
        raise PoolingError(f"the studies' numbers are out of the range of double precision ({exc})") from None
    c = scale * scale

    def back(x: float | None, factor: float) -> float | None:
        return None if x is None else x * factor

    res = res._replace(
        estimate=res.estimate * scale,
        se=res.se * scale,
        ci_low=res.ci_low * scale,
        ci_high=res.ci_high * scale,
        tau2=res.tau2 * c,
        tau2_se=back(res.tau2_se, c) if res.tau2_se is not None and math.isfinite(res.tau2_se) else None,
        pi_low=back(res.pi_low, scale),
        pi_high=back(res.pi_high, scale),
        tau2_ci_low=back(res.tau2_ci_low, c),
        tau2_ci_high=back(res.tau2_ci_high, c),
    )
    needed = (res.estimate, res.se, res.ci_low, res.ci_high, res.z, res.p, res.tau2, *res.weights)
    if not all(math.isfinite(x) for x in needed) or not res.se > 0.0:
        raise PoolingError(
            f"the variances (from {min(vi):.3g} to {max(vi):.3g}) or estimates are out of the range "
            "where double precision can pool them"
        )
    return res


def _pool_scaled(
    yi: Sequence[float], vi: Sequence[float], method: str, test: str, tol: float, max_iter: int,
    heterogeneity_ci: bool = True,
) -> PoolResult:
    k = len(yi)
    if k == 1:
        se = math.sqrt(vi[0])
        lo, hi = wald_ci(yi[0], se)
        z = yi[0] / se
        return PoolResult(method, 1, yi[0], se, lo, hi, z, two_sided_p(z), 0.0, (100.0,))

    w_fe = [1.0 / v for v in vi]
    sw_fe = math.fsum(w_fe)
    fe = math.fsum(w * y for w, y in zip(w_fe, yi, strict=True)) / sw_fe
    q = math.fsum(w * (y - fe) ** 2 for w, y in zip(w_fe, yi, strict=True))
    q_df = k - 1
    q_p = chi2_sf(q, q_df)

    tau2 = 0.0
    tau2_se: float | None = None
    iterations = 0
    if method == "DL":
        tau2 = _dl_tau2(yi, w_fe)
    elif method == "REML":
        tau2, tau2_se, iterations = _reml_tau2(yi, vi, tol, max_iter)

    w = [1.0 / (v + tau2) for v in vi]
    sw = math.fsum(w)
    est = math.fsum(x * y for x, y in zip(w, yi, strict=True)) / sw
    se = math.sqrt(1.0 / sw)
    df: int | None = None
    crit = Z_975
    if test == "knha":
        # Hartung-Knapp: the variance scaled by the weighted residual mean square, t with k - 1 df
        s2w = math.fsum(x * (y - est) ** 2 for x, y in zip(w, yi, strict=True)) / q_df
        se = math.sqrt(s2w / sw)
        df = q_df
        crit = t_ppf(0.975, df)
    if not (se > 0.0 and math.isfinite(se) and math.isfinite(est)):
        if test == "knha" and se == 0.0:
            raise PoolingError("the estimates do not vary at all, so the Hartung-Knapp standard error is 0")
        raise PoolingError("the pooled estimate or its standard error is out of the range of double precision")
    lo, hi = est - crit * se, est + crit * se
    z = est / se
    p = two_sided_p(z) if df is None else t_two_sided_p(z, df)
    weights = tuple(100.0 * x / sw for x in w)

    s2 = _typical_variance(w_fe)
    if method == "FE":
        i2 = max(0.0, 100.0 * (q - q_df) / q) if q > 0 else 0.0
        h2 = q / q_df
    else:
        # Higgins & Thompson 2002, as metafor
        i2 = 100.0 * tau2 / (tau2 + s2) if s2 < math.inf else 0.0
        h2 = (tau2 + s2) / s2 if s2 < math.inf else 1.0

    pi_low: float | None = None
    pi_high: float | None = None
    if k >= 3 and method != "FE":
        half = crit * math.sqrt(tau2 + se * se)
        pi_low, pi_high = est - half, est + half

    ci_tau2: tuple[float, float] | None = None
    if method != "FE" and heterogeneity_ci:
        ci_tau2 = tau2_ci(yi, vi)
    tl, th = ci_tau2 if ci_tau2 is not None else (None, None)

    def i2_at(t: float | None) -> float | None:
        if t is None or not math.isfinite(t):
            return None if t is None else 100.0
        return 100.0 * t / (t + s2) if s2 < math.inf else 0.0

    def h2_at(t: float | None) -> float | None:
        if t is None or not math.isfinite(t):
            return t
        return (t + s2) / s2 if s2 < math.inf else 1.0

    return PoolResult(
        method=method,
        k=k,
        estimate=est,
        se=se,
        ci_low=lo,
        ci_high=hi,
        z=z,
        p=p,
        tau2=tau2,
        weights=weights,
        tau2_se=tau2_se,
        i2=i2,
        h2=h2,
        q=q,
        q_df=q_df,
        q_p=q_p,
        pi_low=pi_low,
        pi_high=pi_high,
        iterations=iterations,
        test=test,
        df=df,
        tau2_ci_low=tl,
        tau2_ci_high=th,
        i2_ci_low=i2_at(tl),
        i2_ci_high=i2_at(th),
        h2_ci_low=h2_at(tl),
        h2_ci_high=h2_at(th),
    )


def _typical_variance(w: Sequence[float]) -> float:
    """The "typical" within-study variance of Higgins & Thompson (2002), as metafor:
    (k - 1) sum(w) / (sum(w)^2 - sum(w^2)), the denominator summed as sum(w_i (sum(w) - w_i)) so that
    one dominant weight cannot cancel it away; infinity when every other weight is negligible."""
    sw = math.fsum(w)
    top = max(range(len(w)), key=lambda i: w[i])
    rest = math.fsum(x for i, x in enumerate(w) if i != top)
    denom = math.fsum(x * (rest if i == top else sw - x) for i, x in enumerate(w))
    if not denom > 0.0:
        return math.inf
    return (len(w) - 1) * sw / denom


def _generalised_q(yi: Sequence[float], vi: Sequence[float], tau2: float) -> float:
    """Q(tau^2) = sum w (y - mu)^2 with w = 1 / (v + tau^2) and mu the weighted mean."""
    w = [1.0 / (v + tau2) for v in vi]
    sw = math.fsum(w)
    mu = math.fsum(x * y for x, y in zip(w, yi, strict=True)) / sw
    return math.fsum(x * (y - mu) ** 2 for x, y in zip(w, yi, strict=True))


def _solve_q(yi: Sequence[float], vi: Sequence[float], target: float) -> float:
    """The tau^2 at which the generalised Q (decreasing in tau^2) equals ``target``; 0 if Q(0) <= target."""
    if _generalised_q(yi, vi, 0.0) <= target:
        return 0.0
    return _root_decreasing(lambda t: _generalised_q(yi, vi, t), target, max(max(vi), 1e-12))


def tau2_ci(yi: Sequence[float], vi: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Q-profile confidence interval of tau^2 (Viechtbauer 2007), as metafor's ``confint(rma)``:
    the tau^2 values at which the generalised Q equals the chi-square quantiles (k - 1 df)."""
    df = len(yi) - 1
    alpha = 1.0 - level
    upper_q = chi2_ppf(1.0 - alpha / 2.0, df)
    lower_q = chi2_ppf(alpha / 2.0, df)
    return _solve_q(yi, vi, upper_q), _solve_q(yi, vi, lower_q)
