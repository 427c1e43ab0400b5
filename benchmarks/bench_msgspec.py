"""Could msgspec Structs be the single declaration of the record shapes? A measurement only.

    .venv/bin/pip install msgspec                 # by hand, into a development venv
    python benchmarks/bench_msgspec.py            # generated folders of 100 and 1000 studies
    python benchmarks/bench_msgspec.py 100 1000 --rounds 7

msgspec is not a dependency and must not become one: the design card fixes the runtime
dependencies to textual, rich and tomli. This compares, per study record, on the parsed
tables of a generated folder (``generate.py``, in ``benchmarks/out/``):

- raw parse: ``tomli.loads`` of the file's text (the budget's baseline);
- the fast path today: ``ldn_tui.records.schema.build_study`` (the generated
  ``_fastpath.study``), with the file's text known clean (``plain``, as nearly always) and not;
- ``msgspec.convert`` of the same table into the ``Study`` Struct below, which declares
  the study shape of ``ldn_tui.records.shapes.STUDY`` (keys, kinds, bounds, choices) and
  checks its cross-field rules in ``__post_init__`` with the functions of
  ``ldn_tui.records.rules``; and the same followed by the conversion into ``model.Study``
  that the rest of the app reads.

What the Structs cannot say, and so what this measures generously for msgspec: that
text has no control characters (the fast path checks it unless the file is ``plain``);
which arm an ``[outcomes.arms.*]`` table is (an untagged union of two Structs is not
allowed, so one Arm Struct holds both kinds' keys and ``__post_init__`` tells them
apart); and the slow path, which would walk ``msgspec.inspect`` of the same types to
name every problem with its did-you-mean (``convert`` stops at the first one).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal, get_args

import tomli

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402 - benchmarks/ is not a package

# mypy checks this file with msgspec (all of it) and without (the CI's environment: then msgspec is
# Any), hence the ignores that may go unused.
try:
    import msgspec  # type: ignore[import-not-found, unused-ignore]
    from msgspec import Meta, Struct  # type: ignore[import-not-found, unused-ignore]
except ImportError:
    sys.exit("bench_msgspec needs msgspec, installed by hand: .venv/bin/pip install msgspec")

from ldn_tui import model as M  # noqa: E402
from ldn_tui.records import rules  # noqa: E402
from ldn_tui.records.readers import MAX_INT, SLUG, Ctx  # noqa: E402
from ldn_tui.records.schema import build_study  # noqa: E402

Slug = Annotated[str, Meta(pattern=SLUG.pattern.removesuffix(r"\Z") + "$")]
Count = Annotated[int, Meta(ge=0, le=MAX_INT)]
Positive = Annotated[int, Meta(ge=1, le=MAX_INT)]
Design = Literal["parallel-rct", "crossover-rct", "non-randomised-controlled", "single-arm", "observational",
                 "case-series"]
Judgment = Literal["low", "some-concerns", "high"]
assert get_args(Design) == M.DESIGNS and get_args(Judgment) == M.ROB_JUDGMENTS


class Record(Struct, forbid_unknown_fields=True):  # type: ignore[misc, call-arg, unused-ignore]
    """A table of the record format: an unknown key is a problem (the Structs below inherit it)."""


def _raise(problems: rules.Problems) -> None:
    if problems:
        raise ValueError("; ".join(f"{key}: {message}" for key, message in problems))


class Population(Record):
    description: str
    n_enrolled: Positive
    n_analysed: Count | None = None
    female_percent: Annotated[float, Meta(ge=0, le=100)] | None = None
    age_mean: Annotated[float, Meta(ge=0, le=120)] | None = None

    def __post_init__(self) -> None:
        _raise(rules.analysed_within_enrolled({}, self.n_enrolled, self.n_analysed))


class Intervention(Record):
    description: str
    dose_mg: Annotated[float, Meta(gt=0)] | None = None
    duration_weeks: Annotated[float, Meta(gt=0)] | None = None


class Comparator(Record):
    kind: Literal["placebo", "active", "none", "baseline"]
    description: str | None = None


class Effect(Record):
    type: Literal["MD", "SMD", "RR", "OR"]
    estimate: float
    ci_low: float | None = None
    ci_high: float | None = None

    def __post_init__(self) -> None:
        raw = {k: v for k, v in (("ci_low", self.ci_low), ("ci_high", self.ci_high)) if v is not None}
        _raise(rules.check_ci(raw, self.type, self.estimate, self.ci_low, self.ci_high))


class Arm(Record):
    """Both kinds of arm in one Struct (msgspec allows no untagged union of Structs)."""

    events: Count | None = None
    total: Positive | None = None
    mean: float | None = None
    sd: Annotated[float, Meta(gt=0)] | None = None
    n: Positive | None = None

    def __post_init__(self) -> None:
        if self.events is not None or self.total is not None:
            if self.events is None or self.total is None:
                raise ValueError("a binary arm needs events and total")
            _raise(rules.events_within_total({}, self.events, self.total))
        elif self.mean is None or self.sd is None or self.n is None:
            raise ValueError("a continuous arm needs mean, sd and n")

    def model(self) -> M.Arm:
        if self.events is not None and self.total is not None:
            return M.BinaryArm(self.events, self.total)
        assert self.mean is not None and self.sd is not None and self.n is not None
        return M.ContinuousArm(self.mean, self.sd, self.n)


class Arms(Record):
    intervention: Arm
    control: Arm

    def __post_init__(self) -> None:
        if (self.intervention.events is None) != (self.control.events is None):
            raise ValueError("both arms need the same kind of data: mean/sd/n or events/total")


class Outcome(Record):
    domain: str
    measure: str
    result: Literal["benefit", "no-difference", "harm", "unclear"]
    summary: str
    source: str
    timepoint: str | None = None
    p_value: Annotated[float, Meta(gt=0, le=1)] | None = None
    secondary_source: bool = False
    effect: Effect | None = None
    arms: Arms | None = None

    def __post_init__(self) -> None:
        if self.effect is not None and self.arms is not None:
            raise ValueError("give [outcomes.effect] or [outcomes.arms], not both")
        if self.effect is not None and self.effect.ci_low is None and self.p_value is None:
            raise ValueError("an effect needs a CI (ci_low, ci_high) or the outcome's p_value")


class Biomarker(Record):
    marker: str
    role: Literal["predictor", "outcome"]
    finding: Literal["decreased", "increased", "no-change", "predicts-response"]
    summary: str
    source: str
    secondary_source: bool = False


class RiskOfBias(Record):
    overall: Judgment
    assessed_by: str
    randomisation: Judgment | None = None
    deviations: Judgment | None = None
    missing_data: Judgment | None = None
    measurement: Judgment | None = None
    reporting: Judgment | None = None
    rationale: str | None = None


class Study(Record):
    id: Slug
    title: str
    authors: tuple[str, ...]
    year: Annotated[int, Meta(ge=1800, le=MAX_INT)]
    design: Design
    blinding: Literal["none", "single", "double"]
    summary: str
    population: Population
    intervention: Intervention
    comparator: Comparator
    doi: str | None = None
    pmid: str | None = None
    journal: str | None = None
    registration: str | None = None
    outcomes: tuple[Outcome, ...] = ()
    biomarkers: tuple[Biomarker, ...] = ()
    risk_of_bias: RiskOfBias | None = None
    country: str | None = None
    funding: str | None = None
    keywords: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    adverse_events: str | None = None

    def __post_init__(self) -> None:
        _raise(rules.year_not_future({}, self.year))
        _raise(rules.doi_form({}, self.doi))
        _raise(rules.pmid_form({}, self.pmid))
        if not self.authors:
            raise ValueError("must name at least one author")
        if self.doi is None and self.pmid is None and self.registration is None:
            raise ValueError("a study needs at least one of doi, pmid, registration")

    def model(self, path: str) -> M.Study:
        """The ``model.Study`` the app reads (what ``build_study`` returns)."""
        p, i, c, rob = self.population, self.intervention, self.comparator, self.risk_of_bias
        return M.Study(
            id=self.id, title=self.title, authors=self.authors, year=self.year, design=self.design,
            blinding=self.blinding, summary=self.summary,
            population=M.Population(p.description, p.n_enrolled, p.n_analysed, p.female_percent, p.age_mean),
            intervention=M.Intervention(i.description, i.dose_mg, i.duration_weeks),
            comparator=M.Comparator(c.kind, c.description),
            path=path, journal=self.journal, doi=self.doi, pmid=self.pmid, registration=self.registration,
            country=self.country, funding=self.funding, keywords=self.keywords, caveats=self.caveats,
            outcomes=tuple(
                M.Outcome(
                    domain=o.domain, measure=o.measure, result=o.result, summary=o.summary, source=o.source,
                    timepoint=o.timepoint, p_value=o.p_value, secondary_source=o.secondary_source,
                    effect=None if o.effect is None else M.Effect(o.effect.type, o.effect.estimate,
                                                                  o.effect.ci_low, o.effect.ci_high),
                    arms=None if o.arms is None else M.Arms(o.arms.intervention.model(), o.arms.control.model()),
                ) for o in self.outcomes),
            biomarkers=tuple(M.Biomarker(b.marker, b.role, b.finding, b.summary, b.source, b.secondary_source)
                             for b in self.biomarkers),
            risk_of_bias=None if rob is None else M.RiskOfBias(
                overall=rob.overall, assessed_by=rob.assessed_by, randomisation=rob.randomisation,
                deviations=rob.deviations, missing_data=rob.missing_data, measurement=rob.measurement,
                reporting=rob.reporting, rationale=rob.rationale),
            adverse_events=self.adverse_events,
        )


def best(rounds: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(n: int, rounds: int) -> dict[str, float]:
    folder = HERE / "out" / f"ev-{n}"
    marker = folder / ".generated"
    if not (marker.is_file() and marker.read_text(encoding="utf-8").split() == [str(n), str(generate.SEED)]):
        generate.generate(n, folder)
    files = sorted((folder / "studies").glob("*.toml"))
    texts = [path.read_bytes() for path in files]
    tables = [tomli.loads(raw.decode("utf-8")) for raw in texts]
    paths = [f"studies/{path.name}" for path in files]
    problems: list[M.Problem] = []
    ctx = Ctx("f.toml", problems)

    def parse() -> None:
        for raw in texts:
            tomli.loads(raw.decode("utf-8"))

    def fast(plain: bool) -> Callable[[], None]:
        def run() -> None:
            for data, path in zip(tables, paths, strict=True):
                build_study(ctx, data, path, plain)
        return run

    def convert() -> None:
        for data in tables:
            msgspec.convert(data, Study)

    def convert_model() -> None:
        for data, path in zip(tables, paths, strict=True):
            msgspec.convert(data, Study).model(path)

    # The two ways agree on every record before anything is timed.
    for data, path in zip(tables, paths, strict=True):
        mine = msgspec.convert(data, Study).model(path)
        assert mine == build_study(ctx, data, path, True), path
    assert not problems, problems[:3]

    runs = {"raw parse": parse, "fast path, plain": fast(True), "fast path, not plain": fast(False),
            "msgspec.convert": convert, "msgspec.convert + model": convert_model}
    found = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):  # interleaved, so that other work on the machine disturbs all alike
        for name, fn in runs.items():
            found[name] = min(found[name], best(1, fn))
    return {name: seconds / len(tables) for name, seconds in found.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"msgspec {msgspec.__version__}; best of {args.rounds} rounds; µs per study record\n")
    print("| Studies | What | µs per record | (parse + it) / raw parse |")
    print("|---:|---|---:|---:|")
    for n in args.sizes:
        per = measure(n, args.rounds)
        parse = per["raw parse"]
        for name, seconds in per.items():
            ratio = "" if name == "raw parse" else f"{(parse + seconds) / parse:.2f}x"
            print(f"| {n} | {name} | {seconds * 1e6:.1f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
