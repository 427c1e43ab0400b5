"""Evidence folder -> immutable model, or every problem with it at once.

The loader never writes into the folder (its parse cache lives in the user's
cache directory: ``ldn_tui.records.parsing``), never follows a reference outside it, and
never raises on bad input. ``check_evidence`` returns ``(evidence, problems)``;
``load_evidence`` raises ``EvidenceError`` carrying all problems. The rules are
those of ``docs/evidence-format.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
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
from ldn_tui.records import parsing
from ldn_tui.records import schema as S
from ldn_tui.records.files import RECORD_FOLDERS, ROOT_FILES, Scan, scan
from ldn_tui.records.toml_file import read_toml

# --------------------------------------------------------------------------- loading

Progress = Callable[[int, int], None]


class _Job(NamedTuple):
    sub: str  # "studies" or "reviews"
    path: str  # the file, under the folder as given
    shown: str  # the file as problems name it
    rel: str  # the file relative to the folder, with "/"
    stem: str  # the file name without ".toml": the id it must hold


def check_evidence(
    root: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    files: Scan | None = None,
    partial: bool = False,
) -> tuple[Evidence | None, list[Problem]]:
    """Load and validate a folder. Returns the model (None if any problem) and all problems.

    ``files`` is the folder's ``records.files.scan`` if the caller took it already
    (the command's one look at the folder); exactly its files are read, record
    files through the parse cache (``ldn_tui.records.parsing``). With ``partial``
    (``browse --allow-problems``), a folder with problems still gives a model of the
    records that could be read, as long as its topic.toml could; the problems come
    with it. ``progress(done, total)``, if given, is called (from the calling thread)
    once the record files are counted and then about every 1% of them, ending with
    ``(total, total)``.
    """
    with gc_paused(long_lived=True):
        return _check(Path(root), str(root), progress, files, partial)


def _check(
    folder: Path, shown_root: str, progress: Progress | None, found: Scan | None, partial: bool = False
) -> tuple[Evidence | None, list[Problem]]:
    problems: list[Problem] = []
    if not folder.exists():
        return None, [Problem(shown_root, "", "no such folder")]
    if not folder.is_dir():
        return None, [Problem(shown_root, "", "not a folder: point --evidence at an evidence folder")]

    # Root files.
    if found is None:
        found = scan(folder)
    if found.errors and not found.errors[0][0]:  # the folder itself cannot be listed
        return None, [Problem(shown_root, "", found.errors[0][1])]
    for name in found.extras:
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
    if "topic.toml" not in found.root:
        problems.append(Problem(str(Path(shown_root) / "topic.toml"), "", "missing: every evidence folder needs a topic.toml"))
    else:
        data = read_toml(topic_path, str(Path(shown_root) / "topic.toml"), problems)
        if data is not None:
            topic = S.build_topic(S.Ctx(str(Path(shown_root) / "topic.toml"), problems), data)

    mechanisms: list[Mechanism] = []
    questions: list[Question] = []
    read_trials: list[Trial] = []
    trials: list[Trial] | None = None  # None: no readable trials.toml (its references are not checked)
    registered: set[str] = set()  # trials.toml's registrations, those of trials that failed to build too
    trial_fields: list[str] = []  # each built trial's place in the file
    for name, key, builder in (
        ("mechanisms.toml", "mechanism", S.build_mechanism),
        ("questions.toml", "question", S.build_question),
        ("trials.toml", "trial", S.build_trial),
    ):
        path = folder / name
        if name not in found.root:
            continue
        shown = str(Path(shown_root) / name)
        data = read_toml(path, shown, problems)
        if data is None:
            continue
        if key == "trial":
            trials = read_trials
            raw = data.get("trial")
            registered = {t["registration"] for t in raw if isinstance(t, dict) and isinstance(t.get("registration"), str)
                          } if isinstance(raw, list) else set()
        ctx = S.Ctx(shown, problems)
        top = S.Table(ctx, data, "")
        top.known({key})
        tables = top.tables(key, required=False)
        target: list[Any] = mechanisms if key == "mechanism" else questions if key == "question" else read_trials
        for table in tables:
            built = builder(table)
            if built is not None:
                target.append(built)
                if key == "trial":
                    trial_fields.append(table.prefix)  # "trial[3].": where problems name it

    # Studies and reviews: one record per file.
    problems.extend(Problem(str(Path(shown_root) / rel), "", what) for rel, what in found.errors)
    jobs: list[_Job] = []
    # Each file's path, to open and to show: its folder's, worked out once per folder.
    opened = {sub: os.path.join(str(folder), sub, "") for sub in RECORD_FOLDERS}
    named = {sub: f"{Path(shown_root) / sub}{os.sep}" for sub in RECORD_FOLDERS}
    for rel in found.records:
        sub, inner = rel.split("/", 1)
        inner = inner.replace("/", os.sep)
        jobs.append(_Job(sub, opened[sub] + inner, named[sub] + inner, rel, os.path.basename(inner)[:-5]))

    total = len(jobs)
    step = max(1, total // 100)
    if progress is not None:
        progress(0, total)
    parsed = parsing.parse(found.snapshot, [(job.path, job.shown, job.rel) for job in jobs])

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
        _check_trials(shown_root, list(zip(trials, trial_fields, strict=True)), studies, questions, problems,
                      present[0], registered)

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
    trials: list[tuple[Trial, str]],  # with its place in the file, "trial[3]."
    studies: list[Study],
    questions: list[Question],
    problems: list[Problem],
    present: set[str],
    registered: set[str],
) -> None:
    """trials.toml both ways: registrations unique; every question's ``ongoing`` entry and every
    study's ``registration`` a trial of the file (``registered``: a trial that failed to build still
    counts); every trial's ``study`` a study of the folder."""
    root = Path(shown_root)
    trials_file = str(root / "trials.toml")
    registered = registered | {t.registration for t, _ in trials}
    first: dict[str, str] = {}
    for t, where in trials:
        if t.registration in first:
            also = first[t.registration].rstrip(".")
            problems.append(Problem(trials_file, f"{where}registration",
                                    f"duplicate registration '{t.registration}' (also {also})"))
        else:
            first[t.registration] = where
    study_ids = {s.id for s in studies} | present
    for t, where in trials:
        if t.study is not None and t.study not in study_ids:
            hint = S.closest(t.study, study_ids)
            extra = f", did you mean {hint}?" if hint else ""
            problems.append(Problem(trials_file, f"{where}study", f"'{t.study}' is not a study in this folder{extra}"))

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
