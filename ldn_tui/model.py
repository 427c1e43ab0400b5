"""The evidence model: plain, immutable data built by the loader.

Nothing here imports Rich or Textual. Every text field has already been
cleaned of terminal control characters by the loader; a field that a
record leaves out ("not reported") is ``None`` or an empty tuple.

The records are ``NamedTuple``s: immutable, compared and hashed by value like
frozen dataclasses, but on CPython 3.11 a class costs a sixth as long to define
(every command's start-up defines these) and an instance a sixth as long to
build (a 10,000-study folder builds about a million).
"""

from __future__ import annotations

from datetime import date
from typing import Literal, NamedTuple

FORMAT_VERSION = 1

DESIGNS = (
    "parallel-rct",
    "crossover-rct",
    "non-randomised-controlled",
    "single-arm",
    "observational",
    "case-series",
)
RANDOMISED_DESIGNS = frozenset({"parallel-rct", "crossover-rct"})
BLINDINGS = ("none", "single", "double")
COMPARATOR_KINDS = ("placebo", "active", "none", "baseline")
RESULTS = ("benefit", "no-difference", "harm", "unclear")
EFFECT_TYPES = ("MD", "SMD", "RR", "OR")
RATIO_TYPES = frozenset({"RR", "OR"})
DOMAIN_KINDS = ("benefit", "harm")
BIOMARKER_ROLES = ("predictor", "outcome")
BIOMARKER_FINDINGS = ("decreased", "increased", "no-change", "predicts-response")
ROB_JUDGMENTS = ("low", "some-concerns", "high")
ROB_DOMAINS = ("randomisation", "deviations", "missing_data", "measurement", "reporting")
REVIEW_KINDS = ("systematic-review", "meta-analysis")
REVIEW_SCOPES = ("fibromyalgia", "chronic-pain", "rheumatic", "mixed")  # the population a review pooled
REVIEW_DESIGNS = ("meta-analysis", "systematic-review", "scoping-review", "narrative-review", "conference-abstract")
CERTAINTIES = ("high", "moderate", "low", "very-low")
MECHANISM_STATUSES = ("hypothesis", "animal-evidence", "human-evidence", "contested")
GRADE_DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
COMPARISONS = ("placebo", "baseline", "active")
TRIAL_STATUSES = (
    "not-yet-recruiting",
    "recruiting",
    "active-not-recruiting",
    "completed",
    "terminated",
    "withdrawn",
    "unknown",
)
ENDED_STATUSES = frozenset({"completed", "terminated", "withdrawn"})  # never called "ongoing"
TRIAL_RESULTS = ("none", "posted", "published")

Design = str
EffectType = Literal["MD", "SMD", "RR", "OR"]


class Domain(NamedTuple):
    """An outcome domain of the topic, in display order."""

    id: str
    label: str
    kind: str  # benefit | harm
    lower_is_better: bool
    measure: str  # MD | SMD | RR | OR: how studies are pooled
    critical: bool = False


class GradeJudgment(NamedTuple):
    """A reviewer's judgment replacing the computed one for one GRADE domain."""

    outcome_domain: str  # topic domain id, e.g. "pain"
    grade_domain: str  # one of GRADE_DOMAINS
    levels: int  # 0, 1 or 2 downgrades
    reason: str


class Topic(NamedTuple):
    format: int
    id: str
    title: str
    question: str
    last_reviewed: date
    domains: tuple[Domain, ...]
    grade: tuple[GradeJudgment, ...] = ()
    summary: str | None = None  # optional plain-language introduction

    def domain(self, domain_id: str) -> Domain | None:
        for d in self.domains:
            if d.id == domain_id:
                return d
        return None

    def judgments(self, domain_id: str) -> dict[str, GradeJudgment]:
        return {g.grade_domain: g for g in self.grade if g.outcome_domain == domain_id}


class Population(NamedTuple):
    description: str
    n_enrolled: int
    n_analysed: int | None = None
    female_percent: float | None = None
    age_mean: float | None = None


class Intervention(NamedTuple):
    description: str
    dose_mg: float | None = None  # highest daily dose
    duration_weeks: float | None = None


class Comparator(NamedTuple):
    kind: str  # placebo | active | none | baseline
    description: str | None = None


class ContinuousArm(NamedTuple):
    mean: float
    sd: float
    n: int


class BinaryArm(NamedTuple):
    events: int
    total: int


Arm = ContinuousArm | BinaryArm


class Arms(NamedTuple):
    intervention: Arm
    control: Arm

    @property
    def binary(self) -> bool:
        return isinstance(self.intervention, BinaryArm)


class Effect(NamedTuple):
    """A between-group effect as the study reported it (ratios on the ratio scale)."""

    type: str  # MD | SMD | RR | OR
    estimate: float
    ci_low: float | None = None
    ci_high: float | None = None


class Outcome(NamedTuple):
    domain: str
    measure: str
    result: str  # benefit | no-difference | harm | unclear
    summary: str
    source: str
    timepoint: str | None = None
    p_value: float | None = None
    effect: Effect | None = None
    arms: Arms | None = None
    secondary_source: bool = False  # figures read only in a secondary source


class Biomarker(NamedTuple):
    marker: str
    role: str  # predictor | outcome
    finding: str  # decreased | increased | no-change | predicts-response
    summary: str
    source: str
    secondary_source: bool = False


class RiskOfBias(NamedTuple):
    overall: str
    assessed_by: str
    randomisation: str | None = None
    deviations: str | None = None
    missing_data: str | None = None
    measurement: str | None = None
    reporting: str | None = None
    rationale: str | None = None

    def domains(self) -> tuple[tuple[str, str | None], ...]:
        """The RoB 2 domains in order, with ``None`` where not judged."""
        return (
            ("randomisation", self.randomisation),
            ("deviations", self.deviations),
            ("missing_data", self.missing_data),
            ("measurement", self.measurement),
            ("reporting", self.reporting),
        )


class Study(NamedTuple):
    id: str
    title: str
    authors: tuple[str, ...]
    year: int
    design: str
    blinding: str
    summary: str
    population: Population
    intervention: Intervention
    comparator: Comparator
    path: str  # the record's file, relative to the evidence folder
    journal: str | None = None
    doi: str | None = None
    pmid: str | None = None
    registration: str | None = None
    country: str | None = None
    funding: str | None = None
    keywords: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    biomarkers: tuple[Biomarker, ...] = ()
    risk_of_bias: RiskOfBias | None = None
    adverse_events: str | None = None
    volume: str | None = None  # of the journal, as printed ("10"), for citations
    issue: str | None = None
    pages: str | None = None  # "663-672", or an article number ("e1080")

    @property
    def randomised(self) -> bool:
        return self.design in RANDOMISED_DESIGNS

    def outcomes_for(self, domain_id: str) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.domain == domain_id)


class ReviewFinding(NamedTuple):
    """A pooled result as the review published it."""

    domain: str
    type: str  # MD | SMD | RR | OR
    estimate: float
    ci_low: float | None = None
    ci_high: float | None = None
    k: int | None = None
    i2: float | None = None
    p_value: float | None = None
    comparison: str = "placebo"  # placebo | baseline (within-group change) | active
    note: str | None = None  # e.g. "sensitivity analysis"
    secondary_source: bool = False
    subgroup: str | None = None  # e.g. "fibromyalgia": a subgroup of a wider review


class Review(NamedTuple):
    id: str
    title: str
    authors: tuple[str, ...]
    year: int
    kind: str  # systematic-review | meta-analysis
    conclusion: str
    path: str
    journal: str | None = None
    doi: str | None = None
    pmid: str | None = None
    registration: str | None = None
    search_date: date | None = None
    includes: tuple[str, ...] = ()
    includes_other: tuple[str, ...] = ()
    certainty: str | None = None
    findings: tuple[ReviewFinding, ...] = ()
    summary: str | None = None
    keywords: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    n_studies: int | None = None  # how many studies the review included in all
    n_participants: int | None = None
    volume: str | None = None  # as a study's
    issue: str | None = None
    pages: str | None = None
    scope: str = "fibromyalgia"  # fibromyalgia | chronic-pain | rheumatic | mixed: the population it pooled
    design: str | None = None  # as the file gives it; ``work`` fills in the default

    @property
    def work(self) -> str:
        """What kind of work it is (``REVIEW_DESIGNS``): ``design``, by default the ``kind``."""
        return self.design or self.kind


class Mechanism(NamedTuple):
    id: str
    title: str
    status: str  # hypothesis | animal-evidence | human-evidence | contested
    summary: str
    studies: tuple[str, ...] = ()  # record ids that support or test it
    studies_against: tuple[str, ...] = ()  # record ids that count against it
    references: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()


class Question(NamedTuple):
    id: str
    question: str
    why: str
    studies: tuple[str, ...] = ()
    ongoing: tuple[str, ...] = ()


class Trial(NamedTuple):
    """A registered trial (trials.toml) and its status as read on ``status_checked``."""

    registration: str  # the registry's own id, unique in the folder
    title: str
    status: str  # one of TRIAL_STATUSES
    status_checked: date
    results: str  # none | posted | published
    source: str  # where the status was read
    study: str | None = None  # the study record that reports it
    planned_n: int | None = None
    country: str | None = None
    secondary_source: bool = False  # the status was read only in a secondary source (a tracker)

    @property
    def ended(self) -> bool:
        """Completed, terminated or withdrawn: never to be called ongoing."""
        return self.status in ENDED_STATUSES

    @property
    def id(self) -> str:
        """The registration: how search and the panes name a trial."""
        return self.registration


class Evidence:
    """A whole evidence folder, loaded and validated.

    Immutable like the records, with an index from id to record; written out by hand
    rather than as a dataclass to keep ``dataclasses`` (and its ``inspect``) out of start-up.
    """

    __slots__ = ("_index", "_trials", "mechanisms", "questions", "reviews", "root", "studies", "topic", "trials")

    topic: Topic
    studies: tuple[Study, ...]  # sorted by year, then id
    reviews: tuple[Review, ...]  # sorted by year, then id
    mechanisms: tuple[Mechanism, ...]
    questions: tuple[Question, ...]
    root: str
    trials: tuple[Trial, ...]  # sorted by registration; empty when the folder has no trials.toml
    _index: dict[str, Study | Review]
    _trials: dict[str, Trial]

    def __init__(
        self,
        topic: Topic,
        studies: tuple[Study, ...],
        reviews: tuple[Review, ...],
        mechanisms: tuple[Mechanism, ...] = (),
        questions: tuple[Question, ...] = (),
        root: str = "",
        trials: tuple[Trial, ...] = (),
    ) -> None:
        index: dict[str, Study | Review] = {s.id: s for s in studies}
        index.update((r.id, r) for r in reviews)
        for name, value in (
            ("topic", topic), ("studies", studies), ("reviews", reviews), ("mechanisms", mechanisms),
            ("questions", questions), ("root", root), ("trials", trials), ("_index", index),
            ("_trials", {t.registration: t for t in trials}),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Evidence is immutable: cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Evidence is immutable: cannot delete {name}")

    def _key(self) -> tuple[object, ...]:
        return self.topic, self.studies, self.reviews, self.mechanisms, self.questions, self.root, self.trials

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Evidence) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Evidence(topic={self.topic.id!r}, {len(self.studies)} studies, {len(self.reviews)} reviews, "
                f"{len(self.mechanisms)} mechanisms, {len(self.questions)} questions, {len(self.trials)} trials, "
                f"root={self.root!r})")

    def with_studies(self, studies: tuple[Study, ...]) -> Evidence:
        """The same folder with only these studies (for previews)."""
        return Evidence(self.topic, studies, self.reviews, self.mechanisms, self.questions, self.root, self.trials)

    def study(self, study_id: str) -> Study | None:
        rec = self._index.get(study_id)
        return rec if isinstance(rec, Study) else None

    def record(self, record_id: str) -> Study | Review | None:
        return self._index.get(record_id)

    def trial(self, registration: str) -> Trial | None:
        return self._trials.get(registration)

    @property
    def participants(self) -> int:
        return sum(s.population.n_enrolled for s in self.studies)


class Problem(NamedTuple):
    """One thing wrong with an evidence folder."""

    path: str  # file, relative to the evidence folder where possible
    field: str  # dotted field path, or "" for the file as a whole
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            where = f"{self.path}:{self.line}:{self.column or 1}"
            return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        if self.field:
            return f"{self.path}: {self.field}: {self.message}"
        return f"{self.path}: {self.message}"


class EvidenceError(Exception):
    """Raised by ``load_evidence`` when a folder has problems; carries all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the evidence folder")
        self.problems = problems
