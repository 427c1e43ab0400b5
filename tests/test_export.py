"""``ldn-tui export``: every format parses, hostile text stays inert, and the writing rules hold."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from pathlib import Path

import pytest

from ldn_tui.model import Evidence
from ldn_tui.records.loader import load_evidence
from ldn_tui.report import export, facts
from ldn_tui.report.export import EXIT_OK, EXIT_REFUSED, FORMATS, csv_cell, export_text, write_export

FIXTURE = Path(__file__).parent / "data" / "evidence"
HOSTILE = '<b>bold</b> & "quoted" [/b] <script>alert(1)</script>'


@pytest.fixture(scope="module")
def fixture() -> Evidence:
    return load_evidence(FIXTURE)


@pytest.fixture
def hostile(tmp_path: Path) -> Evidence:
    """The fixture with a title full of HTML and markup, and one that a spreadsheet would run."""
    root = tmp_path / "evidence"
    shutil.copytree(FIXTURE, root)
    alpha = root / "studies" / "alpha-2010.toml"
    alpha.write_text(alpha.read_text().replace('title = "An early open pilot of the fixture drug"',
                                               f"title = '{HOSTILE}'"))
    beta = root / "studies" / "beta-2015.toml"
    beta.write_text(beta.read_text().replace('title = "A crossover trial of the fixture drug"',
                                             'title = "=HYPERLINK(\\"http://x\\")"'))
    return load_evidence(root)


def records(ev: Evidence) -> int:
    return len(ev.studies) + len(ev.reviews)


def test_markdown_has_the_synthesis_and_the_plots(fixture: Evidence) -> None:
    text = export_text(fixture, "markdown")
    assert text.startswith("# Fixture drug for fixture pain")
    assert "## What the pooled evidence says" in text
    assert "### Pain intensity — MD, REML, k = 3, 226 participants" in text
    assert text.count("```text") >= 2 and "◆" in text
    assert "## Studies" in text and "## Systematic reviews" in text
    assert export_text(fixture, "markdown", method="DL") != text


def test_csv_parses_with_one_row_per_study(fixture: Evidence) -> None:
    rows = list(csv.reader(io.StringIO(export_text(fixture, "csv"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["id", "title", "year", "design"]
    assert "pain_finding" in header and header[-3:] == ["doi", "pmid", "registration"]
    assert [r[0] for r in body] == [s.id for s in fixture.studies]
    assert all(len(r) == len(header) for r in body)
    gamma = dict(zip(header, body[[s.id for s in fixture.studies].index("gamma-2020")], strict=True))
    assert gamma["randomised"] == "true" and gamma["n_enrolled"] == "100" and gamma["dose_mg"] == "6"
    assert gamma["n_analysed"] == ""  # not reported: empty, never 0


def test_csv_guards_text_against_formulas_but_not_numbers(hostile: Evidence) -> None:
    assert csv_cell(-0.34) == -0.34 and csv_cell(12.0) == 12 and csv_cell(None) == ""
    for text in ("=1+1", "+1", "-0.34 reported", "@SUM(A1)", "\t=1+1", " =1"):
        cell = csv_cell(text)
        assert isinstance(cell, str) and cell.startswith("'")
    assert csv_cell("no difference, MD −0.34") == "no difference, MD −0.34"
    rows = list(csv.reader(io.StringIO(export_text(hostile, "csv"))))
    titles = {r[0]: r[1] for r in rows[1:]}
    assert titles["beta-2015"] == "'=HYPERLINK(\"http://x\")"
    assert titles["alpha-2010"] == HOSTILE


def test_html_is_self_contained_and_escapes_record_text(hostile: Evidence) -> None:
    page = export_text(hostile, "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; [/b] &lt;script&gt;" in page
    assert "<b>bold" not in page and "<script" not in page.lower()
    for external in ("<link", "<img", "<iframe", "src=", "@import", "url("):
        assert external not in page
    assert "<style>" in page and "Content-Security-Policy" in page
    assert page.count("<pre") >= 2 and "◆" in page  # the forest plot and evidence over time
    assert "What the pooled evidence says" in page
    assert 'href="https://doi.org/10.1000/fixture.2015"' in page


def test_bibtex_entries_are_balanced(hostile: Evidence) -> None:
    text = export_text(hostile, "bibtex")
    assert len(re.findall(r"^@\w+\{", text, flags=re.M)) == records(hostile)
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0


def test_ris_records_each_end_with_er(hostile: Evidence) -> None:
    text = export_text(hostile, "ris")
    chunks = [c for c in text.split("\n\n") if c.strip()]
    assert len(chunks) == records(hostile)
    for chunk in chunks:
        lines = chunk.splitlines()
        assert lines[0].startswith("TY  - ") and lines[-1] == "ER  - "
        assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in lines)
    assert f"TI  - {HOSTILE}" in text


# ---------------------------------------------------------------------------
# Citations as reference managers read them

TEX_HOSTILE = r"50% & $x$ #1 a_b {c} \d ^^5c ~e ^f \input{/etc/passwd}"
AUTHORS = ["Younger JA", "Due Bruun K", "de Carvalho J-P", "Saif", "FINAL Study Group", "Smith and Jones A",
           "Roe,  Jane", "et al"]
_UNTEX = {r"\textbackslash{}": "\\", r"\textbraceleft{}": "{", r"\textbraceright{}": "}",
          r"\textasciicircum{}": "^", r"\textasciitilde{}": "~", r"\%": "%", r"\&": "&", r"\$": "$",
          r"\#": "#", r"\_": "_"}


def untex(value: str) -> str:
    """Undo the export's escapes, checking that nothing else in the value is TeX."""
    pattern = "|".join(re.escape(k) for k in sorted(_UNTEX, key=len, reverse=True))
    rest = re.sub(pattern, "", value)
    assert not re.search(r"[\\{}^~%&$#_]", rest), f"an unescaped TeX special in {value!r}"
    return re.sub(pattern, lambda m: _UNTEX[m.group(0)], value)


@pytest.fixture
def cited(tmp_path: Path) -> Evidence:
    """The fixture with a study whose title is full of TeX specials, authors of every form, and a
    volume, issue and pages; and a review with an article number for pages."""
    root = tmp_path / "evidence"
    shutil.copytree(FIXTURE, root)
    alpha = root / "studies" / "alpha-2010.toml"
    names = ", ".join(f'"{a}"' for a in AUTHORS)
    alpha.write_text(alpha.read_text()
                     .replace('title = "An early open pilot of the fixture drug"', f"title = '{TEX_HOSTILE}'")
                     .replace('authors = ["Alpha A", "Beta B"]',
                              f'authors = [{names}]\njournal = "J Fixt"\nvolume = "10"\nissue = "4"\npages = "663-672"'))
    omega = root / "reviews" / "omega-2021.toml"
    omega.write_text(omega.read_text().replace('authors = ["Omega O"]',
                                               'authors = ["Omega O"]\njournal = "Pain Rep"\nvolume = "8"\npages = "e1080"'))
    return load_evidence(root)


def parse_bibtex(text: str) -> dict[str, dict[str, object]]:
    from bibtexparser import middlewares
    from bibtexparser.entrypoint import parse_string

    library = parse_string(
        text, append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()])
    assert not library.failed_blocks
    return {entry.key: {k: f.value for k, f in entry.fields_dict.items()} for entry in library.entries}


def test_bibtex_parses_with_authors_as_last_first_and_the_source_details(cited: Evidence) -> None:
    entries = parse_bibtex(export_text(cited, "bibtex"))
    assert set(entries) == {s.id.replace("-", "_") for s in cited.studies} | {r.id.replace("-", "_") for r in cited.reviews}
    alpha = entries["alpha_2010"]
    names = alpha["author"]
    assert isinstance(names, list)
    parsed = [(" ".join(n.von + n.last), " ".join(n.first)) for n in names]
    assert parsed == [
        ("Younger", "J. A."), ("Due Bruun", "K."), ("de Carvalho", "J.-P."), ("Saif", ""),
        ("{FINAL Study Group}", ""), ("{Smith and Jones}", "A."), ("Roe", "Jane"), ("others", ""),
    ]
    assert (alpha["volume"], alpha["number"], alpha["pages"], alpha["journal"]) == ("10", "4", "663--672", "J Fixt")
    assert untex(str(alpha["title"])) == TEX_HOSTILE
    omega = entries["omega_2021"]
    assert (omega["volume"], omega["pages"]) == ("8", "e1080") and "number" not in omega
    assert entries["beta_2015"]["author"][0].last == ["Beta"]  # type: ignore[index]


def test_bibtex_escapes_every_tex_special() -> None:
    assert facts.tex_escape(r"\{}^~%&$#_") == (
        r"\textbackslash{}\textbraceleft{}\textbraceright{}\textasciicircum{}\textasciitilde{}\%\&\$\#\_")
    assert "^" not in facts.tex_escape("^^5c^^M").replace(r"\textasciicircum{}", "")
    for text in (TEX_HOSTILE, "}}}{{{", "\\\\", "^^5c^^5c", "a\nb"):
        assert untex(facts.tex_escape(text)) == text.replace("\n", " ")


def test_ris_has_inverted_authors_volume_issue_and_pages(cited: Evidence) -> None:
    text = export_text(cited, "ris")
    for chunk in (c for c in text.split("\n\n") if c.strip()):
        lines = chunk.splitlines()
        assert lines[0].startswith("TY  - ") and lines[-1] == "ER  - "
        assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    alpha = next(c for c in text.split("\n\n") if "ID  - alpha-2010" in c).splitlines()
    assert [line[6:] for line in alpha if line.startswith("AU")] == [
        "Younger, J. A.", "Due Bruun, K.", "de Carvalho, J.-P.", "Saif", "FINAL Study Group", "Smith and Jones, A.",
        "Roe, Jane"]
    for line in ("VL  - 10", "IS  - 4", "SP  - 663", "EP  - 672", "JO  - J Fixt", f"TI  - {TEX_HOSTILE}"):
        assert line in alpha
    omega = next(c for c in text.split("\n\n") if "ID  - omega-2021" in c).splitlines()
    assert "SP  - e1080" in omega and not any(line.startswith(("EP", "IS")) for line in omega)


def test_plain_citation_has_one_period_after_et_al_and_the_source_details(cited: Evidence) -> None:
    alpha = cited.study("alpha-2010")
    assert alpha is not None
    seven = alpha._replace(authors=tuple(f"Author{i} A" for i in range(7)))
    text = facts.citation(seven)
    assert "Author5 A, et al. " in text and "et al.." not in text
    assert "J Fixt. 2010;10(4):663-672." in facts.citation(alpha)


def test_unknown_format(fixture: Evidence) -> None:
    assert FORMATS == ("markdown", "html", "csv", "bibtex", "ris", "patient", "patient-html")
    with pytest.raises(ValueError, match="unknown export format"):
        export_text(fixture, "pdf")


# ---------------------------------------------------------------------------
# Writing


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    shutil.copytree(FIXTURE, folder)
    return folder


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_without_output_it_prints(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert write_export("hello\n", None, root, force=False) == (EXIT_OK, "")
    assert capsys.readouterr().out == "hello\n"


def test_a_new_file_is_written(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "summary.md"
    out.parent.mkdir()
    code, message = write_export("é ◆\n", out, root, force=False)
    assert code == EXIT_OK and "wrote" in message
    assert out.read_text(encoding="utf-8") == "é ◆\n"
    assert leftovers(out.parent) == []
    assert (out.stat().st_mode & 0o777) != 0o600  # the usual mode of a new file, not mkstemp's


def test_never_overwrites_without_force(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "summary.md"
    out.write_text("keep me")
    code, message = write_export("new", out, root, force=False)
    assert code == EXIT_REFUSED and "--force" in message
    assert out.read_text() == "keep me"
    assert leftovers(tmp_path) == []
    os.chmod(out, 0o640)
    assert write_export("new", out, root, force=True)[0] == EXIT_OK
    assert out.read_text() == "new" and out.stat().st_mode & 0o777 == 0o640


def test_a_name_taken_meanwhile_is_not_clobbered(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.write_text("mine")
    target = tmp_path / "taken"
    target.write_text("theirs")
    with pytest.raises(FileExistsError):
        export._link_new(str(tmp), target, b"mine")
    assert target.read_text() == "theirs"


def test_never_inside_the_evidence_folder_even_with_force(root: Path) -> None:
    for out in (root / "summary.md", root / "studies" / "x.md", root / "studies" / "beta-2015.toml", root):
        before = sorted(p.name for p in root.rglob("*"))
        code, message = write_export("x", out, root, force=True)
        assert code == EXIT_REFUSED and "evidence folder" in message
        assert sorted(p.name for p in root.rglob("*")) == before
    assert "fixture" in (root / "studies" / "beta-2015.toml").read_text()


def test_never_inside_the_evidence_folder_through_a_symlink(root: Path, tmp_path: Path) -> None:
    folder_link = tmp_path / "elsewhere"
    folder_link.symlink_to(root, target_is_directory=True)
    assert write_export("x", folder_link / "summary.md", root, force=True)[0] == EXIT_REFUSED
    assert not (root / "summary.md").exists()
    file_link = tmp_path / "innocent.md"
    file_link.symlink_to(root / "studies" / "beta-2015.toml")
    assert write_export("x", file_link, root, force=True)[0] == EXIT_REFUSED
    assert "fixture" in (root / "studies" / "beta-2015.toml").read_text()
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(root / "new.md")
    assert write_export("x", dangling, root, force=False)[0] == EXIT_REFUSED
    assert not (root / "new.md").exists()
    # and the evidence folder given through a symlink protects the real folder too
    assert write_export("x", root / "summary.md", folder_link, force=True)[0] == EXIT_REFUSED


def test_a_folder_or_a_missing_folder_is_refused(root: Path, tmp_path: Path) -> None:
    assert write_export("x", tmp_path, root, force=True)[0] == EXIT_REFUSED
    code, message = write_export("x", tmp_path / "missing" / "a.md", root, force=False)
    assert code == EXIT_REFUSED and "no such folder" in message
