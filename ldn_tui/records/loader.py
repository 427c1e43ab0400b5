"""Evidence folder -> immutable model, or every problem with it at once.

The loader never writes into the folder (its parse cache lives in the user's
cache directory: ``ldn_tui.caching.tables``), never follows a reference outside it, and
never raises on bad input. ``check_evidence`` returns ``(evidence, problems)``;
``load_evidence`` raises ``EvidenceError`` carrying all problems. The rules are
those of ``docs/evidence-format.md``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from ldn_tui.memory import gc_paused
from ldn_tui.model import (
    Evidence,
    EvidenceError,
    Mechanism,
    Problem,
    Question,
    Review,
    Study,
    Topic,
    Trial,
)
from ldn_tui.records import schema as S
from ldn_tui.records.toml_file import read_record, read_toml

ROOT_FILES = ("topic.toml", "mechanisms.toml", "questions.toml", "trials.toml")


def _toml_files(top: str, shown: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """Every ``*.toml`` below ``top`` as (absolute-ish path, path relative to ``top``), in
    ``Path`` order; unreadable directories are problems."""
    found: list[tuple[str, str]] = []
    folder = Path(top)

    def onerror(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        problems.append(Problem(_shown(where, folder, shown), "", f"cannot read the folder: {exc.strerror}"))

    skip = len(top) + 1
    for dirpath, dirnames, filenames in os.walk(top, onerror=onerror):
        # A folder named like a record is read as one (and refused: not a regular file), not walked.
        filenames += [d for d in dirnames if d.endswith(".toml")]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not d.endswith(".toml"))
        inner = dirpath[skip:]
        for name in filenames:
            if name.endswith(".toml") and not name.startswith("."):
                path = os.path.join(dirpath, name)
                found.append((path, os.path.join(inner, name) if inner else name))
    # Path order (by components), so "a/x" sorts before "a-b/x" as it always has.
    found.sort(key=lambda item: os.path.normcase(item[1]).split(os.sep))
    return found


def _shown(path: Path, folder: Path, shown: str) -> str:
    try:
        return str(Path(shown) / path.relative_to(folder))
    except ValueError:
        return str(path)




# --------------------------------------------------------------------------- loading

ParseHook = Callable[[list[tuple[Path, str]]], list[tuple[dict[str, Any] | None, list[Problem]]]]
Parsed = tuple[dict[str, Any] | None, list[Problem], bool]  # table, problems, ``text.plain`` of its file
Progress = Callable[[int, int], None]


class _Job(NamedTuple):
    sub: str  # "studies" or "reviews"
    path: str  # the file, under the folder as given
    shown: str  # the file as problems name it
    rel: str  # the file relative to the folder, with "/"
    stem: str  # the file name without ".toml": the id it must hold


def check_evidence(
    root: str | os.PathLike[str],
    parse: ParseHook | None = None,
    *,
    progress: Progress | None = None,
    partial: bool = False,
) -> tuple[Evidence | None, list[Problem]]:
    """Load and validate a folder. Returns the model (None if any problem) and all problems.

    With ``partial`` (``browse --allow-problems``), a folder with problems still gives a model of
    the records that could be read, as long as its topic.toml could; the problems come with it.

    ``parse`` may replace the parse of the study and review files; it takes
    ``(path, shown)`` pairs and returns, in the same order, each file's table (or
    None) with its problems. By default, files are parsed through the parse cache
    (``ldn_tui.caching.tables``) and, for large folders, in worker processes
    (``ldn_tui.records.workers``). ``progress(done, total)``, if given, is called (from
    the calling thread) once the record files are counted and then about every
    1% of them, ending with ``(total, total)``.
    """
    with gc_paused():
        return _check(Path(root), str(root), parse, progress, partial)


def _check(
    folder: Path, shown_root: str, parse: ParseHook | None, progress: Progress | None, partial: bool = False
) -> tuple[Evidence | None, list[Problem]]:
    problems: list[Problem] = []
    if not folder.exists():
        return None, [Problem(shown_root, "", "no such folder")]
    if not folder.is_dir():
        return None, [Problem(shown_root, "", "not a folder: point --evidence at an evidence folder")]

    # Root files.
    try:
        entries = sorted(os.listdir(folder))
    except OSError as exc:
        return None, [Problem(shown_root, "", f"cannot read the folder: {exc.strerror}")]
    for name in entries:
        if name.endswith(".toml") and name not in ROOT_FILES and not name.startswith("."):
            hint = S.closest(name, ROOT_FILES)
            problems.append(
                Problem(
                    str(Path(shown_root) / name),
                    "",
                    f"not part of the format (root files: {', '.join(ROOT_FILES)}"
                    + (f"; did you mean {hint}?)" if hint else ")"),
                )
            )

    topic: Topic | None = None
    topic_path = folder / "topic.toml"
    if not os.path.lexists(topic_path):  # anything else by that name is read, and refused if not a file
        problems.append(Problem(str(Path(shown_root) / "topic.toml"), "", "missing: every evidence folder needs a topic.toml"))
    else:
        data = read_toml(topic_path, str(Path(shown_root) / "topic.toml"), problems)
        if data is not None:
            topic = S.build_topic(S.Ctx(str(Path(shown_root) / "topic.toml"), problems), data)

    mechanisms: list[Mechanism] = []
    questions: list[Question] = []
    read_trials: list[Trial] = []
    trials: list[Trial] | None = None  # None: the folder has no trials.toml (its references are not checked)
    for name, key, builder in (
        ("mechanisms.toml", "mechanism", S.build_mechanism),
        ("questions.toml", "question", S.build_question),
        ("trials.toml", "trial", S.build_trial),
    ):
        path = folder / name
        if not os.path.lexists(path):
            continue
        if key == "trial":
            trials = read_trials
        shown = str(Path(shown_root) / name)
        data = read_toml(path, shown, problems)
        if data is None:
            continue
        ctx = S.Ctx(shown, problems)
        top = S.Table(ctx, data, "")
        top.known({key})
        tables = top.tables(key, required=False)
        target: list[Any] = mechanisms if key == "mechanism" else questions if key == "question" else read_trials
        for table in tables:
            built = builder(table)
            if built is not None:
                target.append(built)

    # Studies and reviews: one record per file.
    jobs: list[_Job] = []
    for sub in ("studies", "reviews"):
        subdir = folder / sub
        base = str(Path(shown_root) / sub)
        if subdir.is_dir():
            for file, inner in _toml_files(str(subdir), base, problems):
                rel = f"{sub}/{inner}" if os.sep == "/" else f"{sub}/{inner.replace(os.sep, '/')}"
                jobs.append(_Job(sub, file, f"{base}{os.sep}{inner}", rel, os.path.basename(file)[:-5]))
        elif subdir.exists():
            problems.append(Problem(base, "", "must be a folder"))

    total = len(jobs)
    step = max(1, total // 100)
    if progress is not None:
        progress(0, total)
    if parse is not None:
        given = parse([(Path(job.path), job.shown) for job in jobs])
        parsed: Iterable[Parsed] = ((data, found, False) for data, found in given)
    else:
        parsed = _parse_default(folder, jobs)

    studies: list[Study] = []
    reviews: list[Review] = []
    salvaged: list[S.Salvaged] = []  # files with field problems: their raw ids and references
    done = 0
    for job, (data, file_problems, plain_text) in zip(jobs, parsed, strict=True):
        done += 1
        if progress is not None and (done % step == 0 or done == total):
            progress(done, total)
        problems.extend(file_problems)
        if data is None:
            continue
        ctx = S.Ctx(job.shown, problems)
        before = len(problems)
        record: Study | Review | None
        if job.sub == "studies":
            record = study = S.build_study(ctx, data, job.rel, plain_text)
            if study is not None:
                studies.append(study)
        else:
            record = review = S.build_review(ctx, data, job.rel, plain_text)
            if review is not None:
                reviews.append(review)
        if len(problems) > before or record is None:
            salvaged.append(S.salvage(data, job.rel, job.sub, built=record is not None))
        record_id = record.id if record is not None else salvaged[-1].id
        if record_id is not None and record_id != job.stem:
            problems.append(
                Problem(job.shown, "id", f"'{record_id}' does not match the file name (expected '{job.stem}')")
            )

    if not any(job.sub == "studies" for job in jobs):
        problems.append(Problem(shown_root, "", "no studies: expected studies/*.toml files in this folder"))

    # A record that failed to build still exists: references to it are not also problems.
    present = {job.stem for job in jobs if job.sub == "studies"}, {job.stem for job in jobs}
    _check_references(shown_root, topic, studies, reviews, mechanisms, questions, problems, present, salvaged)
    if trials is not None:
        _check_trials(shown_root, trials, studies, questions, problems, present[0])

    if topic is None or (problems and not partial):
        return None, problems
    studies.sort(key=lambda s: (s.year, s.id))
    reviews.sort(key=lambda r: (r.year, r.id))
    evidence = Evidence(
        topic=topic,
        studies=tuple(studies),
        reviews=tuple(reviews),
        mechanisms=tuple(mechanisms),
        questions=tuple(questions),
        root=shown_root,
        trials=tuple(sorted(trials or (), key=lambda t: t.registration)),
    )
    return evidence, problems


# Folders with fewer files than ``ldn_tui.caching.tables.MIN_FILES`` are not cached, and fewer than
# ``ldn_tui.records.workers.MIN_FILES`` are parsed in this process: such a folder (the bundled one)
# is parsed right here without importing either module. Once they are imported, their own
# (possibly adjusted) thresholds count; a test checks that these defaults match them.
CACHE_MIN_FILES, PARALLEL_MIN_FILES = 50, 500


def _small(count: int) -> bool:
    cache, parallel = sys.modules.get("ldn_tui.caching.tables"), sys.modules.get("ldn_tui.records.workers")
    return count < min(getattr(cache, "MIN_FILES", CACHE_MIN_FILES),
                       getattr(parallel, "MIN_FILES", PARALLEL_MIN_FILES))


def _parse_here(jobs: list[_Job]) -> Iterator[Parsed]:
    for job in jobs:
        problems: list[Problem] = []
        data, plain_text = read_record(job.path, job.shown, problems)
        yield data, problems, plain_text


def _parse_default(folder: Path, jobs: list[_Job]) -> Iterator[Parsed]:
    """Each job's table, problems and plainness, in order: from the parse cache where
    current, else parsed (in worker processes when there are many)."""
    if _small(len(jobs)):
        return _parse_here(jobs)
    from ldn_tui.caching.tables import parse_through

    return parse_through(folder, [(job.path, job.shown, job.rel) for job in jobs])


def load_evidence(root: str | os.PathLike[str]) -> Evidence:
    """Load a folder or raise ``EvidenceError`` with every problem found."""
    evidence, problems = check_evidence(root)
    if evidence is None:
        raise EvidenceError(problems)
    return evidence


# --------------------------------------------------------------------------- cross-file rules


def _check_references(
    shown_root: str,
    topic: Topic | None,
    studies: list[Study],
    reviews: list[Review],
    mechanisms: list[Mechanism],
    questions: list[Question],
    problems: list[Problem],
    present: tuple[set[str], set[str]],
    salvaged: list[S.Salvaged],
) -> None:
    # File and field names are only worked out for a problem: a clean folder needs none.
    root = Path(shown_root)
    first: dict[str, str] = {}  # id -> the file (relative to the folder) that has it first

    def claim(record_id: str, rel: str, field: str) -> None:
        if record_id in first:
            also = root / first[record_id]
            problems.append(Problem(str(root / rel), field, f"duplicate id '{record_id}' (also in {also})"))
        else:
            first[record_id] = rel

    for s in studies:
        claim(s.id, s.path, "id")
    for r in reviews:
        claim(r.id, r.path, "id")
    for u in salvaged:
        if u.id is not None:
            claim(u.id, u.path, "id")
    for i, m in enumerate(mechanisms):
        claim(m.id, "mechanisms.toml", f"mechanism[{i}].id")
    for i, q in enumerate(questions):
        claim(q.id, "questions.toml", f"question[{i}].id")

    study_ids = {s.id for s in studies} | present[0]
    record_ids = study_ids | {r.id for r in reviews} | present[1]
    domain_ids = {d.id for d in topic.domains} if topic is not None else None

    def resolve(ids: Iterable[str | None], known: set[str], rel: str, field: str, what: str) -> None:
        for i, ref in enumerate(ids):
            if ref is not None and ref not in known:
                hint = S.closest(ref, known)
                extra = f", did you mean {hint}?" if hint else ""
                problems.append(Problem(str(root / rel), f"{field}[{i}]", f"'{ref}' is not {what} in this folder{extra}"))

    def unknown_domain(domain: str, domains: set[str], rel: str, field: str) -> None:
        hint = S.closest(domain, domains)
        extra = f", did you mean {hint}?" if hint else f" (domains: {', '.join(sorted(domains))})"
        problems.append(Problem(str(root / rel), field, f"'{domain}' is not a domain of topic.toml{extra}"))

    # A file with field problems is checked from its raw table (below), with its items' own numbers.
    checked_raw = {u.path for u in salvaged}
    for s in studies:
        if domain_ids is not None and s.path not in checked_raw:
            for i, o in enumerate(s.outcomes):
                if o.domain not in domain_ids:
                    unknown_domain(o.domain, domain_ids, s.path, f"outcomes[{i}].domain")
    for r in reviews:
        if r.path in checked_raw:
            continue
        resolve(r.includes, study_ids, r.path, "includes", "a study")
        if domain_ids is not None:
            for i, f in enumerate(r.findings):
                if f.domain not in domain_ids:
                    unknown_domain(f.domain, domain_ids, r.path, f"findings[{i}].domain")
    for u in salvaged:
        resolve(u.includes, study_ids, u.path, "includes", "a study")
        if domain_ids is not None:
            for field, domain in u.domains:
                if domain not in domain_ids:
                    unknown_domain(domain, domain_ids, u.path, field)
    for i, m in enumerate(mechanisms):
        resolve(m.studies, record_ids, "mechanisms.toml", f"mechanism[{i}].studies", "a study or review")
        resolve(m.studies_against, record_ids, "mechanisms.toml", f"mechanism[{i}].studies_against", "a study or review")
    for i, q in enumerate(questions):
        resolve(q.studies, record_ids, "questions.toml", f"question[{i}].studies", "a study or review")


def _check_trials(
    shown_root: str,
    trials: list[Trial],
    studies: list[Study],
    questions: list[Question],
    problems: list[Problem],
    present: set[str],
) -> None:
    """trials.toml both ways: registrations unique; every question's ``ongoing`` entry and every
    study's ``registration`` a trial of the file; every trial's ``study`` a study of the folder."""
    root = Path(shown_root)
    trials_file = str(root / "trials.toml")
    registered: dict[str, int] = {}
    for i, t in enumerate(trials):
        if t.registration in registered:
            problems.append(Problem(trials_file, f"trial[{i}].registration",
                                    f"duplicate registration '{t.registration}' (also trial[{registered[t.registration]}])"))
        else:
            registered[t.registration] = i
    study_ids = {s.id for s in studies} | present
    for i, t in enumerate(trials):
        if t.study is not None and t.study not in study_ids:
            hint = S.closest(t.study, study_ids)
            extra = f", did you mean {hint}?" if hint else ""
            problems.append(Problem(trials_file, f"trial[{i}].study", f"'{t.study}' is not a study in this folder{extra}"))

    def unregistered(ref: str, rel: str, field: str) -> None:
        hint = S.closest(ref, registered)
        extra = f", did you mean {hint}?" if hint else ""
        problems.append(Problem(str(root / rel), field, f"'{ref}' is not a [[trial]] of trials.toml{extra}"))

    for s in studies:
        if s.registration is not None and s.registration not in registered:
            unregistered(s.registration, s.path, "registration")
    for i, q in enumerate(questions):
        for j, ref in enumerate(q.ongoing):
            if ref not in registered:
                unregistered(ref, "questions.toml", f"question[{i}].ongoing[{j}]")
