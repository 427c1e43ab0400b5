"""The author of a folder: ``ldn-tui init``, ``ldn-tui new study``, and ``validate`` naming every problem in one run."""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import SCRIPT, run

from ldn_tui.records import shapes
from ldn_tui.records.loader import check_evidence
from ldn_tui.records.templates import describe, record_template

FIXTURE = Path(__file__).parent / "data" / "evidence"
installed = pytest.mark.skipif(not SCRIPT.exists(), reason="ldn-tui is not installed next to this Python")


@functools.cache
def bundled_evidence() -> Path:
    """The folder the installed ``ldn-tui`` ships, which is not the checkout's ``evidence/`` after
    ``pip install .`` (the tests import the checkout's package; the command runs the installed one)."""
    code = "from ldn_tui.records.paths import bundled_evidence; print(bundled_evidence())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    return Path(out.stdout.strip())


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a digest of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fields_of(problems_text: str) -> set[str]:
    return {line.split(": ")[1] for line in problems_text.splitlines() if not line.startswith("ldn-tui:")}


# --------------------------------------------------------------------------- templates


def every_field(shape: shapes.Shape) -> list[tuple[str, str]]:
    out = []
    for step in shape.steps:
        if isinstance(step, shapes.Field) and step.key != "id":
            if isinstance(step.shape, shapes.Shape):
                out += every_field(step.shape)
            else:
                out.append((shape.name, step.key))
    return out


@pytest.mark.parametrize("shape", [shapes.STUDY, shapes.REVIEW])
def test_every_field_of_the_format_is_in_the_template(shape: shapes.Shape) -> None:
    kind = "study" if shape is shapes.STUDY else "review"
    text = record_template(kind, "x-2024", ("pain",))
    for name, key in every_field(shape):
        describe(name, key)  # KeyError: a field without a description
        assert re.search(rf"^# {key} = ", text, re.M), key


def uncomment_required(text: str) -> str:
    """The template with every REQUIRED line (and required table header) made a value, as its examples."""
    out = []
    for line in text.splitlines():
        if line.startswith("# ") and re.search(r"  # REQUIRED", line):
            line = line[2:]
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("kind", ["study", "review"])
def test_a_filled_template_validates_and_an_empty_one_names_only_what_to_fill(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "evidence"
    shutil.copytree(FIXTURE, root)
    path = root / ("studies" if kind == "study" else "reviews") / "new-2024.toml"
    template = record_template(kind, "new-2024", ("pain", "function"))
    path.write_text(template)
    _, problems = check_evidence(root)
    required = {line.split(" = ")[0][2:] for line in template.splitlines() if "  # REQUIRED" in line}
    required |= {line[3:].split("]")[0] for line in template.splitlines() if line.startswith("# [") and "REQUIRED" in line}
    assert problems and all(p.path.endswith("new-2024.toml") for p in problems)
    assert {p.field for p in problems} <= required | {"doi"}, "only the fields to fill, and a study's identifier"
    assert all(p.message.startswith("missing required") or p.field == "doi" for p in problems)  # a field, or a table
    filled = uncomment_required(template)
    if kind == "study":
        filled = filled.replace('# doi = "10.1000/xyz"', 'doi = "10.1000/xyz"')
    path.write_text(filled)
    evidence, problems = check_evidence(root)
    assert problems == [] and evidence is not None
    assert evidence.record("new-2024") is not None


# --------------------------------------------------------------------------- init and new, as a user runs them


@installed
def test_init_copies_the_bundled_folder_which_validates(tmp_path: Path) -> None:
    bundled = tree(bundled_evidence())
    out = run("init", str(tmp_path / "mine"))
    assert out.returncode == 0, out.stderr
    assert "next: ldn-tui new study ID --evidence" in out.stdout
    copied = tree(tmp_path / "mine")
    assert copied and all(bundled[name] == digest for name, digest in copied.items())
    assert set(copied) == {n for n in bundled if n.endswith(".toml")}
    ok = run("validate", "--evidence", str(tmp_path / "mine"))
    assert ok.returncode == 0 and ok.stdout.startswith("ok: "), ok.stderr
    assert tree(bundled_evidence()) == bundled


@installed
def test_init_blank_is_minimal_and_valid(tmp_path: Path) -> None:
    folder = tmp_path / "empty-already"
    folder.mkdir()  # an empty folder is fine
    out = run("init", str(folder), "--blank")
    assert out.returncode == 0, out.stderr
    assert sorted(tree(folder)) == ["studies/example.toml", "topic.toml"]
    assert (folder / "reviews").is_dir()
    ok = run("validate", "--evidence", str(folder))
    assert ok.returncode == 0 and ok.stdout.startswith("ok: 1 study, 0 reviews"), ok.stderr


@installed
def test_init_refuses_a_folder_that_is_not_empty_or_is_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    before = tree(bundled_evidence())
    for target in (tmp_path / "full", bundled_evidence() / "more", tmp_path / "full" / "notes.txt"):
        out = run("init", str(target))
        assert out.returncode == 2 and out.stdout == ""
        assert out.stderr.startswith("ldn-tui init: ") and len(out.stderr.splitlines()) == 1, out.stderr
    assert tree(tmp_path / "full") == {"notes.txt": hashlib.sha256(b"mine").hexdigest()}
    assert tree(bundled_evidence()) == before and not (bundled_evidence() / "more").exists()


@installed
def test_new_study_writes_the_template_and_validate_names_what_to_fill(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    assert run("init", str(folder), "--blank").returncode == 0
    out = run("new", "study", "smith-2024", "--evidence", str(folder))
    assert out.returncode == 0, out.stderr
    assert "delete studies/example.toml" in out.stdout
    text = (folder / "studies" / "smith-2024.toml").read_text()
    assert text.startswith("# A study record") and 'id = "smith-2024"' in text
    assert "one of this folder's domains: main" in text
    check = run("validate", "--evidence", str(folder))
    assert check.returncode == 2
    assert fields_of(check.stderr) == {"title", "authors", "year", "doi", "design", "blinding", "summary",
                                       "population", "intervention", "comparator"}
    again = run("new", "study", "smith-2024", "--evidence", str(folder))
    assert again.returncode == 2 and "exists" in again.stderr
    assert (folder / "studies" / "smith-2024.toml").read_text() == text


@installed
def test_new_refuses_what_it_must_not_write(tmp_path: Path) -> None:
    before = tree(bundled_evidence())
    (tmp_path / "plain").mkdir()
    cases = [
        ("new", "study", "x-2024", "--evidence", str(bundled_evidence())),
        ("new", "study", "x-2024", "--evidence", str(tmp_path / "plain")),  # no topic.toml
        ("new", "study", "Not A Slug", "--evidence", str(FIXTURE)),
        ("new", "study", "../escape", "--evidence", str(FIXTURE)),
        ("new", "study", "x-2024"),  # no folder named
    ]
    linked = tmp_path / "linked"
    linked.mkdir()
    shutil.copy(FIXTURE / "topic.toml", linked / "topic.toml")
    (linked / "studies").symlink_to(bundled_evidence() / "studies")
    cases.append(("new", "study", "x-2024", "--evidence", str(linked)))  # its studies/ is the bundled one
    for args in cases:
        out = run(*args)
        assert out.returncode == 2, args
        assert out.stderr.startswith("ldn-tui new: ") and len(out.stderr.splitlines()) == 1, out.stderr
    assert tree(bundled_evidence()) == before
    assert list((tmp_path / "plain").iterdir()) == []
    assert not (FIXTURE / "studies" / "x-2024.toml").exists()


# --------------------------------------------------------------------------- every problem in one run


@installed
def test_validate_reports_cross_file_problems_with_the_field_errors(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    shutil.copytree(FIXTURE, root)
    studies = root / "studies"
    # A field error (n_enrolled) plus an id that does not match the file name, and an unknown domain.
    alpha = (studies / "alpha-2010.toml").read_text()
    (studies / "alpha-2010.toml").write_text(
        alpha.replace('id = "alpha-2010"', 'id = "alpha-2011"').replace("n_enrolled = ", "n_enrolled = -")
        + '\n[[outcomes]]\ndomain = "pian"\nmeasure = "m"\nresult = "unclear"\nsummary = "s"\nsource = "x"\n')
    # A field error plus the id of another study: a duplicate.
    beta = (studies / "beta-2015.toml").read_text()
    (studies / "zeta-2015.toml").write_text(
        beta.replace('id = "beta-2015"', 'id = "gamma-2020"').replace('design = "crossover-rct"', 'design = "rct"'))
    # A study that builds but whose failed outcome names an unknown domain (and a failing p-value).
    gamma = (studies / "gamma-2020.toml").read_text()
    (studies / "gamma-2020.toml").write_text(
        gamma + '\n[[outcomes]]\ndomain = "fucntion"\nmeasure = "m"\nresult = "unclear"\nsummary = "s"\n'
                'source = "x"\np_value = 2\n')
    # A review with a field error and an unknown included study.
    omega = (root / "reviews" / "omega-2021.toml").read_text()
    (root / "reviews" / "omega-2021.toml").write_text(
        omega.replace('kind = "meta-analysis"', 'kind = "umbrella"')
             .replace('includes = ["beta-2015", "gamma-2020"]', 'includes = ["beta-2015", 7, "nobody-2020"]'))
    out = run("validate", "--evidence", str(root))
    assert out.returncode == 2
    lines = out.stderr.splitlines()
    expected = [
        ("alpha-2010.toml", "population.n_enrolled"),
        ("alpha-2010.toml", "id: 'alpha-2011' does not match the file name"),
        ("alpha-2010.toml", "outcomes[1].domain: 'pian' is not a domain of topic.toml, did you mean pain?"),
        ("zeta-2015.toml", "design"),
        ("zeta-2015.toml", "id: 'gamma-2020' does not match the file name"),
        ("zeta-2015.toml", "id: duplicate id 'gamma-2020'"),
        ("gamma-2020.toml", "p_value"),
        ("gamma-2020.toml", "domain: 'fucntion' is not a domain of topic.toml, did you mean function?"),
        ("omega-2021.toml", "kind"),
        ("omega-2021.toml", "includes[1]"),
        ("omega-2021.toml", "includes[2]: 'nobody-2020' is not a study in this folder"),
    ]
    for file, text in expected:
        assert any(file in line and text in line for line in lines), (file, text, out.stderr)
    # The failed outcome of gamma is named by its own number in the file.
    gamma_outcomes = gamma.count("[[outcomes]]")
    assert any(f"outcomes[{gamma_outcomes}].domain: 'fucntion'" in line for line in lines), out.stderr
    assert lines[-1] == f"ldn-tui: {len(lines) - 1} problems in {root}"


def test_a_clean_folder_still_loads(fixture_folder: Path) -> None:
    evidence, problems = check_evidence(fixture_folder)
    assert problems == [] and evidence is not None and len(evidence.studies) == 4
