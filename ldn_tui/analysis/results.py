"""What a synthesis gives the views: per-study rows, exclusions, pooled results with their certainty,
subgroups, absolute effects, the reviews' own results, cumulative steps (plain records)."""

from __future__ import annotations

import math
from typing import NamedTuple

from ldn_tui.model import RATIO_TYPES, Arms, Domain, GradeJudgment

from .grading import Certainty
from .stats import PoolResult, to_display


class PooledStudy(NamedTuple):
    """One pooled study: display values (ratio scale for RR/OR) and analysis values."""

    id: str
    year: int
    estimate: float
    ci_low: float
    ci_high: float
    yi: float  # analysis scale (log for ratios)
    vi: float
    weight: float  # percent of the pooled weight
    rob: str | None  # overall risk of bias; None = not assessed
    randomised: bool
    derived_from_p: bool  # SE back-calculated from a two-sided p-value
    source: str  # "effect" (reported between-group effect) or "arms" (computed from arm data)
    outcome: str  # the outcome's measure, as the record words it
    participants: int
    events: int | None = None  # binary arm data only
    p_value: float | None = None
    zero_cell_corrected: bool = False  # 0.5 added to every cell (a zero cell); JSON "zero_cell_correction"
    note: str | None = None  # e.g. which of several outcomes was used
    arms: Arms | None = None
    """The arm data the effect was computed from (``source == "arms"``); None for a reported effect."""

    @property
    def se(self) -> float:
        """Standard error on the analysis scale (log scale for ratios): sqrt(vi)."""
        return math.sqrt(self.vi)


class Excluded(NamedTuple):
    """A study with an outcome in the domain that does not pool, and why, in words."""

    id: str
    reason: str


class SubgroupGroup(NamedTuple):
    """One subgroup pooled on its own (its own tau^2, the synthesis's method and test).

    ``estimate``, ``ci_low`` and ``ci_high`` are on the display scale (ratio scale
    for RR/OR), like :attr:`DomainSynthesis.estimate`; ``yi`` and ``se`` are the
    group's pooled estimate and SE on the analysis scale, used for the test.
    """

    value: str  # the attribute's value as shown, e.g. "crossover-rct", "< 2015", ">= 2015", "not reported"
    k: int
    estimate: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float | None  # None for a group of one study
    yi: float
    se: float
    study_ids: tuple[str, ...] = ()


class SubgroupAnalysis(NamedTuple):
    """A subgroup analysis by one study attribute, with the test for subgroup differences.

    The test is a fixed-effect Q across the group estimates (RevMan; metafor
    ``rma(est, sei=se, mods=~factor(group), method="FE")`` QM): ``q_between`` on
    ``df`` = groups - 1 degrees of freedom, ``p`` from chi-square. With fewer than
    two groups ``q_between``, ``df`` and ``p`` are None and ``note`` says why.
    """

    by: str  # the field asked for, e.g. "design", "year", "population.female_percent"
    groups: tuple[SubgroupGroup, ...]
    q_between: float | None
    df: int | None
    p: float | None
    cut: float | None = None  # the --cut value numbers were split at
    note: str | None = None  # e.g. "only one group: no test for subgroup differences"


class AbsoluteEffect(NamedTuple):
    """Absolute effects of a binary outcome, GRADEpro's way.

    From the pooled ratio (RR or OR, and its CI) and the control risk ``control_risk``
    (a proportion, the median control-arm risk of the pooled studies with arm data):
    risk with the intervention = CR * RR, or CR * OR / (1 - CR + CR * OR). Per 1,000
    values are full precision (views round them to whole numbers); the difference
    is intervention minus control per 1,000, with its CI from the ratio's CI.
    """

    basis: str  # "median control-arm risk of the pooled studies" (+ how many studies it came from)
    control_risk: float
    control_per_1000: float
    intervention_per_1000: float
    difference_per_1000: float
    difference_ci_low: float
    difference_ci_high: float
    studies: int = 0  # how many pooled studies gave a control-arm risk


class ReviewResult(NamedTuple):
    """A review's own pooled result for a domain, as published (never merged into the folder's pooling)."""

    review: str  # review id
    year: int
    type: str  # MD | SMD | RR | OR
    estimate: float
    ci_low: float | None
    ci_high: float | None
    k: int | None
    subgroup: str | None  # e.g. "fibromyalgia" where the figure is a subgroup of a wider review
    comparison: str  # placebo | baseline | active
    i2: float | None = None
    note: str | None = None


class DomainSynthesis(NamedTuple):
    """One outcome domain: the pooled studies, the exclusions, the result, its certainty.

    ``rows`` are the pooled studies (display and analysis values, arm data);
    ``excluded`` the studies of the domain left out of the pooling, each with its
    reason; ``result`` the pooled result on the analysis scale (None when nothing
    pools: ``certainty.reason`` says why); ``subgroups`` is empty unless a
    subgroup analysis was asked for; ``absolute`` is set for binary outcomes with
    a pooled result and control-arm data; ``statement`` is the GRADE informative
    statement (Santesso 2020); ``review_results`` the reviews' own pooled results
    for the domain, newest first.
    """

    domain: Domain
    method: str
    rows: tuple[PooledStudy, ...]
    excluded: tuple[Excluded, ...]
    result: PoolResult | None  # None when nothing pools
    participants: int | None
    events: int | None
    events_complete: bool
    certainty: Certainty
    judgments: tuple[GradeJudgment, ...] = ()
    label: str | None = None  # set on sensitivity / cumulative variants
    notes: tuple[str, ...] = ()
    test: str = "z"  # "z" or "knha", as result.test
    subgroups: tuple[SubgroupAnalysis, ...] = ()
    absolute: AbsoluteEffect | None = None
    statement: str = ""
    review_results: tuple[ReviewResult, ...] = ()
    intervention: str = "the intervention"  # how statements name it ("LDN"; see sof.intervention_name)

    @property
    def mid(self) -> float | None:
        """The domain's minimal important difference (its own scale), if the topic gives one."""
        return getattr(self.domain, "mid", None)

    @property
    def measure(self) -> str:
        return self.domain.measure

    @property
    def ratio(self) -> bool:
        return self.domain.measure in RATIO_TYPES

    @property
    def k(self) -> int:
        return len(self.rows)

    def _display(self, value: float | None) -> float | None:
        return None if value is None else to_display(value, self.ratio)

    @property
    def estimate(self) -> float | None:
        return self._display(self.result.estimate if self.result else None)

    @property
    def ci_low(self) -> float | None:
        return self._display(self.result.ci_low if self.result else None)

    @property
    def ci_high(self) -> float | None:
        return self._display(self.result.ci_high if self.result else None)

    @property
    def pi_low(self) -> float | None:
        return self._display(self.result.pi_low if self.result else None)

    @property
    def pi_high(self) -> float | None:
        return self._display(self.result.pi_high if self.result else None)


class CumulativeStep(NamedTuple):
    """The pooled result after all studies published up to ``year``."""

    year: int
    added: tuple[str, ...]  # ids of the studies of that year
    synthesis: DomainSynthesis

    @property
    def k(self) -> int:
        return self.synthesis.k

    @property
    def estimate(self) -> float | None:
        return self.synthesis.estimate

    @property
    def ci_low(self) -> float | None:
        return self.synthesis.ci_low

    @property
    def ci_high(self) -> float | None:
        return self.synthesis.ci_high

    @property
    def certainty(self) -> str:
        return self.synthesis.certainty.level


# ---------------------------------------------------------------------------
# Which outcome pools, and how
