"""The rules of a study or review file, written once, as data.

A ``Shape`` is one kind of TOML table: the record it builds and the ``steps`` that
read it, in order. A step is a ``Field`` (a typed read of one key: its kind,
whether it is required, its bounds or choices, or the shape of a sub-table) or a
``Check`` (a rule across fields: a function of ``ldn_tui.records.rules``, given the raw
table and some values already read, returning its problems or None).

Two things are made from these shapes, and nothing else states the rules:

- ``ldn_tui.records.schema.build`` walks them with the problem-collecting reads of
  ``ldn_tui.records.readers``: every problem, named by field, in reading order;
- ``ldn_tui.records.fastgen`` compiles them into ``ldn_tui.records._fastpath``: straight-line code
  that builds a clean record without a single problem-handling call, and gives up
  (None) at the first thing out of the ordinary, so that ``build`` runs instead.
  Nearly every record is clean, and this is what makes validation cheap next to
  parsing (``benchmarks/``).

A failed ``required`` field, a sub-table that is present but fails, or a
``fatal`` check means the table builds no record (its problems are reported
either way). A failed item of an array of tables is left out.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ldn_tui import model as M
from ldn_tui.records.rules import (
    analysed_within_enrolled,
    arms_alike,
    check_ci,
    doi_form,
    effect_has_ci_or_p,
    effect_or_arms,
    events_within_total,
    pmid_form,
    registration_form,
    results_need_a_start,
    some_author,
    some_identifier,
    subgroup_within_scope,
    year_not_future,
)


class Field(NamedTuple):
    key: str
    kind: str  # text | slug | integer | number | flag | enum | strs | day | table | tables
    required: bool = False
    minimum: int | None = 0  # integer
    low: float | None = None  # number
    high: float | None = None  # number
    low_open: bool = False  # number: greater than ``low``, not equal to it
    choices: tuple[str, ...] = ()  # enum
    default: Any = None  # flag, enum: the value when the key is left out
    shape: Shape | OneOf | None = None  # table, tables


class Check(NamedTuple):
    """A rule across fields: ``fn(raw_table, *values of args)`` returns problems or None.

    It runs only when the values named in ``needs`` are not None and the table has all
    the keys in ``keys``: the rule has nothing to say otherwise, and a clean record then
    costs no call.
    """

    fn: Any  # Callable[..., Problems]
    args: tuple[str, ...]
    fatal: bool = True  # a problem means the table builds no record
    needs: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()


class Shape(NamedTuple):
    name: str  # a Python identifier, used by the generated code
    model: Any  # the NamedTuple class built
    steps: tuple[Field | Check, ...]
    with_path: bool = False  # the model has a ``path`` field: the file, relative to the folder

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(step.key for step in self.steps if isinstance(step, Field))


class OneOf(NamedTuple):
    """A table read as ``then`` when it has any of ``when_any`` keys, else as ``otherwise``."""

    when_any: tuple[str, ...]
    then: Shape
    otherwise: Shape


# --------------------------------------------------------------------------- field constructors


def text(key: str, required: bool = True) -> Field:
    return Field(key, "text", required)


def slug(key: str = "id") -> Field:
    return Field(key, "slug", True)


def integer(key: str, required: bool = False, minimum: int | None = 0) -> Field:
    return Field(key, "integer", required, minimum=minimum)


def number(
    key: str, required: bool = False, low: float | None = None, high: float | None = None, low_open: bool = False
) -> Field:
    return Field(key, "number", required, low=low, high=high, low_open=low_open)


def flag(key: str, default: bool = False) -> Field:
    return Field(key, "flag", default=default)


def enum(key: str, choices: tuple[str, ...], required: bool = True, default: str | None = None) -> Field:
    return Field(key, "enum", required, choices=choices, default=default)


def strs(key: str, required: bool = False) -> Field:
    return Field(key, "strs", required)


def day(key: str, required: bool = False) -> Field:
    return Field(key, "day", required)


def table(key: str, shape: Shape | OneOf, required: bool = False) -> Field:
    return Field(key, "table", required, shape=shape)


def tables(key: str, shape: Shape) -> Field:
    return Field(key, "tables", shape=shape)


# --------------------------------------------------------------------------- studies

CITATION: tuple[Field | Check, ...] = (
    slug(),
    text("title"),
    strs("authors", required=True),
    integer("year", required=True, minimum=1800),
    Check(year_not_future, ("year",), needs=("year",)),
    text("doi", required=False),
    Check(doi_form, ("doi",), fatal=False, needs=("doi",)),
    text("pmid", required=False),
    Check(pmid_form, ("pmid",), fatal=False, needs=("pmid",)),
    text("journal", required=False),
    text("volume", required=False),
    text("issue", required=False),
    text("pages", required=False),
    text("registration", required=False),
)

POPULATION = Shape("population", M.Population, (
    text("description"),
    integer("n_enrolled", required=True, minimum=1),
    integer("n_analysed"),
    Check(analysed_within_enrolled, ("n_enrolled", "n_analysed"), fatal=False, needs=("n_enrolled", "n_analysed")),
    number("female_percent", low=0, high=100),
    number("age_mean", low=0, high=120),
))

INTERVENTION = Shape("intervention", M.Intervention, (
    text("description"),
    number("dose_mg", low=0, low_open=True),
    number("duration_weeks", low=0, low_open=True),
))

COMPARATOR = Shape("comparator", M.Comparator, (
    enum("kind", M.COMPARATOR_KINDS),
    text("description", required=False),
))

EFFECT = Shape("effect", M.Effect, (
    enum("type", M.EFFECT_TYPES),
    number("estimate", required=True),
    number("ci_low"),
    number("ci_high"),
    Check(check_ci, ("type", "estimate", "ci_low", "ci_high")),
))

BINARY_ARM = Shape("binary_arm", M.BinaryArm, (
    integer("events", required=True),
    integer("total", required=True, minimum=1),
    Check(events_within_total, ("events", "total"), needs=("events", "total")),
))

CONTINUOUS_ARM = Shape("continuous_arm", M.ContinuousArm, (
    number("mean", required=True),
    number("sd", required=True, low=0, low_open=True),
    integer("n", required=True, minimum=1),
))

ARM = OneOf(("events", "total"), BINARY_ARM, CONTINUOUS_ARM)

ARMS = Shape("arms", M.Arms, (
    table("intervention", ARM, required=True),
    table("control", ARM, required=True),
    Check(arms_alike, ("intervention", "control"), needs=("intervention", "control")),
))

OUTCOME = Shape("outcome", M.Outcome, (
    text("domain"),
    text("measure"),
    enum("result", M.RESULTS),
    text("summary"),
    text("source"),
    text("timepoint", required=False),
    number("p_value", low=0, high=1, low_open=True),
    flag("secondary_source"),
    Check(effect_or_arms, (), keys=("effect", "arms")),
    table("effect", EFFECT),
    table("arms", ARMS),
    Check(effect_has_ci_or_p, ("effect", "p_value"), needs=("effect",)),
))

BIOMARKER = Shape("biomarker", M.Biomarker, (
    text("marker"),
    enum("role", M.BIOMARKER_ROLES),
    enum("finding", M.BIOMARKER_FINDINGS),
    text("summary"),
    text("source"),
    flag("secondary_source"),
))

RISK_OF_BIAS = Shape("risk_of_bias", M.RiskOfBias, (
    *(enum(domain, M.ROB_JUDGMENTS, required=False) for domain in M.ROB_DOMAINS),
    enum("overall", M.ROB_JUDGMENTS),
    text("assessed_by"),
    text("rationale", required=False),
))

STUDY = Shape("study", M.Study, (
    *CITATION,
    Check(some_author, ("authors",), fatal=False),  # a review may list none (docs/evidence-format.md)
    Check(some_identifier, (), fatal=False),
    enum("design", M.DESIGNS),
    enum("blinding", M.BLINDINGS),
    text("summary"),
    table("population", POPULATION, required=True),
    table("intervention", INTERVENTION, required=True),
    table("comparator", COMPARATOR, required=True),
    tables("outcomes", OUTCOME),
    tables("biomarkers", BIOMARKER),
    table("risk_of_bias", RISK_OF_BIAS),
    text("country", required=False),
    text("funding", required=False),
    strs("keywords"),
    strs("caveats"),
    text("adverse_events", required=False),
), with_path=True)

# --------------------------------------------------------------------------- reviews

FINDING = Shape("finding", M.ReviewFinding, (
    text("domain"),
    enum("type", M.EFFECT_TYPES),
    number("estimate", required=True),
    number("ci_low"),
    number("ci_high"),
    Check(check_ci, ("type", "estimate", "ci_low", "ci_high")),
    integer("k", minimum=1),
    number("i2", low=0, high=100),
    number("p_value", low=0, high=1, low_open=True),
    enum("comparison", M.COMPARISONS, required=False, default="placebo"),
    text("note", required=False),
    flag("secondary_source"),
    text("subgroup", required=False),
))

REVIEW = Shape("review", M.Review, (
    *CITATION,
    enum("kind", M.REVIEW_KINDS),
    text("conclusion"),
    enum("certainty", M.CERTAINTIES, required=False),
    tables("findings", FINDING),
    day("search_date"),
    strs("includes"),
    strs("includes_other"),
    text("summary", required=False),
    strs("keywords"),
    strs("caveats"),
    integer("n_studies", minimum=1),
    integer("n_participants", minimum=1),
    enum("scope", M.REVIEW_SCOPES, required=False, default="fibromyalgia"),
    enum("design", M.REVIEW_DESIGNS, required=False),  # left out: the review's ``kind`` (``Review.work``)
    Check(subgroup_within_scope, ("scope", "findings"), fatal=False),
), with_path=True)

# --------------------------------------------------------------------------- mechanisms.toml, questions.toml

MECHANISM = Shape("mechanism", M.Mechanism, (
    slug(),
    text("title"),
    enum("status", M.MECHANISM_STATUSES),
    text("summary"),
    strs("studies"),
    strs("studies_against"),
    strs("references"),
    strs("caveats"),
))

QUESTION = Shape("question", M.Question, (
    slug(),
    text("question"),
    text("why"),
    strs("studies"),
    strs("ongoing"),
))

# --------------------------------------------------------------------------- trials.toml

TRIAL = Shape("trial", M.Trial, (
    text("registration"),
    Check(registration_form, ("registration",), needs=("registration",)),
    text("title"),
    enum("status", M.TRIAL_STATUSES),
    day("status_checked", required=True),
    enum("results", M.TRIAL_RESULTS),
    Check(results_need_a_start, ("status", "results"), needs=("status", "results")),
    text("source"),
    text("study", required=False),
    integer("planned_n", minimum=1),
    text("country", required=False),
    flag("secondary_source"),
))

# The shapes compiled into ``ldn_tui.records._fastpath``: studies and reviews, one file each and
# thousands in a folder, and the entries of mechanisms.toml, questions.toml and trials.toml, so that a
# clean folder loads without importing this module at all.
COMPILED = (STUDY, REVIEW, MECHANISM, QUESTION, TRIAL)
