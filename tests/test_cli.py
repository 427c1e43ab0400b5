"""The installed ``ldn-tui`` command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "data" / "evidence"
SCRIPT = Path(sys.executable).parent / "ldn-tui"

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="ldn-tui is not installed next to this Python")


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("LDN_EVIDENCE", "NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    base.update(env or {})
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd or Path("/"), env=base, timeout=60, check=False
    )


def test_summary_of_the_bundled_evidence_from_anywhere() -> None:
    out = run("summary", cwd=Path("/"))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for label in ("Younger", "2009", "2013", "Bested", "2023", "Due", "2024", "Rodríguez-Freire"):
        assert label in text
    assert "Partridge" in text and "reviews" in text.lower()
    assert "\x1b" not in text, "no escape codes in a pipe"
    assert max(len(line) for line in text.splitlines()) <= 80


def test_summary_width_is_honoured() -> None:
    out = run("summary", "--evidence", str(FIXTURE), "--width", "60")
    assert out.returncode == 0
    assert max(len(line) for line in out.stdout.splitlines()) <= 60


def test_summary_with_forced_colour_and_no_color() -> None:
    coloured = run("summary", "--evidence", str(FIXTURE), env={"FORCE_COLOR": "1"})
    assert "\x1b[" in coloured.stdout
    plain = run("summary", "--evidence", str(FIXTURE), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[3" not in plain.stdout, "NO_COLOR: no foreground colours"


def test_summary_markdown_is_github_markdown() -> None:
    out = run("summary", "--evidence", str(FIXTURE), "--format", "markdown")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0] == "# Fixture drug for fixture pain"
    header = lines.index("| Study | Design | n | Dose | Weeks | Blinding | Risk of bias | Pain intensity | Function (FIQR) |")
    assert lines[header + 1] == "|---|---|---|---|---|---|---|---|---|"
    table = lines[header + 2 : header + 6]
    assert [row.count(" | ") for row in table] == [8] * 4
    assert table[0].startswith("| Alpha & Beta 2010 | single-arm | 10 | 4.5 mg | 8 | none | high |")
    assert "## Open questions" in lines and "## Systematic reviews and meta-analyses, oldest first" in lines


def test_summary_json_follows_the_contract() -> None:
    out = run("summary", "--evidence", str(FIXTURE), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert list(data) == ["format", "topic", "studies", "syntheses", "inflammation", "mechanisms", "questions",
                          "reviews", "trials"]
    assert data["format"] == 1
    assert data["topic"] == {
        "id": "fixture-topic",
        "title": "Fixture drug for fixture pain",
        "question": "In adults with fixture pain, does the fixture drug compared with placebo reduce pain?",
        "last_reviewed": "2026-01-15",
    }
    assert [s["id"] for s in data["studies"]] == ["alpha-2010", "beta-2015", "gamma-2020", "delta-2024"]
    first = data["studies"][0]
    assert list(first) == ["id", "title", "year", "design", "randomised", "n_enrolled", "dose_mg",
                           "duration_weeks", "doi", "pmid"]
    assert first["randomised"] is False and first["doi"] is None and first["pmid"] == "10000001"
    assert data["studies"][2]["randomised"] is True
    assert data["inflammation"][0] == {
        "study": "alpha-2010", "marker": "ESR", "role": "predictor", "finding": "predicts-response",
        "summary": "Higher baseline ESR went with a larger fall in pain.",
    }
    assert data["mechanisms"][0] == {"id": "rebound", "title": "Receptor rebound", "status": "hypothesis"}
    assert data["questions"][0]["ongoing"] == ["NCT00000009"]
    assert [r["id"] for r in data["reviews"]] == ["omega-2021", "psi-2025"]
    psi = data["reviews"][1]
    assert list(psi) == ["id", "year", "kind", "scope", "design", "search_date", "includes", "includes_other",
                         "certainty", "conclusion", "findings"]
    assert (psi["scope"], psi["design"], psi["includes"]) == ("fibromyalgia", "meta-analysis",
                                                              ["beta-2015", "gamma-2020", "delta-2024"])
    assert psi["findings"][0] == {"domain": "pain", "type": "MD", "estimate": -0.2, "ci_low": -0.9, "ci_high": 0.5,
                                  "k": 3, "i2": 70.0, "subgroup": None, "comparison": "placebo"}
    assert data["trials"] == []  # the fixture has no trials.toml


def test_validate_ok() -> None:
    out = run("validate", "--evidence", str(FIXTURE))
    assert out.returncode == 0
    assert out.stdout.startswith("ok: 4 studies, 2 reviews, 2 mechanisms, 2 questions, 3 outcome domains")


def test_validate_bundled() -> None:
    out = run("validate")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok: ")


def broken(tmp_path: Path) -> Path:
    folder = tmp_path / "ev"
    shutil.copytree(FIXTURE, folder)
    study = folder / "studies" / "beta-2015.toml"
    study.write_text(study.read_text().replace("design =", "desing ="))
    (folder / "studies" / "gamma-2020.toml").write_bytes(b"id = \xff\n")
    return folder


@pytest.mark.parametrize("command", ["validate", "summary", "search"])
def test_broken_folder_lists_every_problem_and_exits_2(tmp_path: Path, command: str) -> None:
    folder = broken(tmp_path)
    args = [command, "--evidence", str(folder)] + (["pain"] if command == "search" else [])
    out = run(*args)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.splitlines()
    assert f"{folder}/studies/beta-2015.toml: desing: unknown key, did you mean design?" in lines
    assert f"{folder}/studies/gamma-2020.toml:1:6: not valid UTF-8 (byte 0xff)" in lines
    assert "Traceback" not in out.stderr


def test_evidence_from_the_environment(tmp_path: Path) -> None:
    out = run("validate", env={"LDN_EVIDENCE": str(FIXTURE)})
    assert out.stdout.startswith("ok: 4 studies")


def test_hostile_text_is_shown_literally(tmp_path: Path) -> None:
    folder = tmp_path / "ev"
    shutil.copytree(FIXTURE, folder)
    study = folder / "studies" / "beta-2015.toml"
    study.write_text(
        study.read_text().replace(
            'title = "A crossover trial of the fixture drug"',
            'title = "[bold red]Loud[/] [/b] \\u001b]52;c;ZXZpbA==\\u0007 \\u001b[2J trial"',
        )
    )
    for fmt in ("text", "markdown", "json"):
        out = run("summary", "--evidence", str(folder), "--format", fmt, "--width", "200",
                  env={"FORCE_COLOR": "1"} if fmt == "text" else None)
        assert out.returncode == 0, out.stderr
        assert "\x07" not in out.stdout and "\x1b]" not in out.stdout and "\x1b[2J" not in out.stdout
    out = run("search", "Loud", "--evidence", str(folder))
    assert out.returncode == 0
    assert "[bold red]Loud[/] [/b]" in out.stdout


def test_search_finds_by_keyword() -> None:
    out = run("search", "ESR")
    assert out.returncode == 0, out.stderr
    assert "younger-2009" in out.stdout


def test_search_json() -> None:
    out = run("search", "cytokine", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["hits"][0]["id"] == "parkitny-2017", "the cytokine study ranks first"


def test_search_without_hits_exits_1() -> None:
    out = run("search", "zzqxnothing")
    assert out.returncode == 1
    assert "no" in out.stdout.lower()


def test_search_malformed_query_exits_2() -> None:
    out = run("search", "year:abc")
    assert out.returncode == 2
    assert out.stderr.startswith("ldn-tui search: ")
    assert "Traceback" not in out.stderr


def test_search_filters_on_fixture() -> None:
    out = run("search", "design:crossover", "--evidence", str(FIXTURE), "--format", "json")
    assert [hit["id"] for hit in json.loads(out.stdout)["hits"]] == ["beta-2015"]
    out = run("search", "n:>50", "year:2013..2022", "--evidence", str(FIXTURE), "--format", "json")
    assert [hit["id"] for hit in json.loads(out.stdout)["hits"]] == ["gamma-2020"]


def test_python_dash_m(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "ldn_tui", "validate", "--evidence", str(FIXTURE)],
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0 and out.stdout.startswith("ok:")


def test_version_and_help() -> None:
    out = run("--help")
    assert out.returncode == 0 and "summary" in out.stdout and "search" in out.stdout
    assert run("--version").stdout.startswith("ldn-tui ")


@pytest.mark.parametrize("command", [["summary"], ["search", "pain"], ["validate"]])
def test_commands_do_not_import_textual(command: list[str]) -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['ldn-tui', *{command!r}, '--evidence', {str(FIXTURE)!r}]\n"
        "from ldn_tui.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stdout.flush()\n"
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if m.startswith('textual'))\n"
        "print('NO-TEXTUAL', file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert "NO-TEXTUAL" in out.stderr, out.stderr


def test_export_writes_refuses_to_overwrite_and_never_into_the_evidence(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    out = run("export", "--evidence", str(FIXTURE), "--format", "markdown", "--output", str(target))
    assert out.returncode == 0, out.stderr
    assert target.read_text().startswith("# Fixture drug for fixture pain")
    target.write_text("mine")
    again = run("export", "--evidence", str(FIXTURE), "--output", str(target))
    assert again.returncode == 2 and target.read_text() == "mine"
    forced = run("export", "--evidence", str(FIXTURE), "--output", str(target), "--force")
    assert forced.returncode == 0 and target.read_text() != "mine"
    folder = tmp_path / "ev"
    shutil.copytree(FIXTURE, folder)
    inside = run("export", "--evidence", str(folder), "--format", "bibtex", "--output", str(folder / "x.bib"), "--force")
    assert inside.returncode == 2 and not (folder / "x.bib").exists()
    assert "inside the evidence folder" in inside.stderr


def test_export_csv_to_stdout() -> None:
    import csv
    import io

    out = run("export", "--evidence", str(FIXTURE), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["id"] for r in rows] == ["alpha-2010", "beta-2015", "gamma-2020", "delta-2024"]


def test_summary_shows_pooled_result_and_certainty() -> None:
    out = run("summary", "--width", "100")
    assert out.returncode == 0
    text = out.stdout
    assert "Pain intensity — MD, REML, k = 2, 197 participants" in text
    assert "I² = 61%" in text and "197 participants, fewer than 400" in text
    assert "very low" in text and "favours" in text
    data = json.loads(run("summary", "--format", "json").stdout)
    pain = next(s for s in data["syntheses"] if s["domain"] == "pain")
    assert pain["k"] == 2 and pain["participants"] == 197 and pain["certainty"] == "very low"
    assert {s["id"] for s in pain["studies"]} == {"due-bruun-2024", "rodriguez-freire-innova"}


def test_summary_reviews_are_readable_at_80_columns() -> None:
    out = run("summary", env={"LDN_TUI_NO_CACHE": "1"})
    section = out.stdout[out.stdout.index("Systematic reviews and meta-analyses") :]
    header = next(line for line in section.splitlines() if line.startswith("Review"))
    assert header.split() == ["Review", "Included", "pooled", "Conclusion"]
    assert "…" not in section, "no cell is cut short"
    assert "Annals of Medicine and" in section and "meta-analysis" in section


# --- the evidence as of 2026-12-03 (issue 11) ------------------------------------------------


def test_bundled_summary_counts_and_opening_paragraph() -> None:
    out = run("summary", env={"LDN_TUI_NO_CACHE": "1"})
    assert out.returncode == 0, out.stderr
    first_screen = " ".join(out.stdout.splitlines()[:40])
    assert "12 studies, 13 reviews" in first_screen
    assert "Five randomised placebo-controlled trials of LDN exist" in first_screen
    assert "The reviews published since 2024 disagree" in first_screen and "Why they disagree" in first_screen


def test_bundled_summary_shows_pain_without_innova_next_to_the_main_result() -> None:
    text = run("summary", "--width", "120").stdout
    block = text[text.index("Pain intensity — MD") :]
    assert "Without Rodríguez-Freire et al. 2025: MD −0.34 (95% CI −0.95 to 0.27), k = 1" in block.split("Certainty")[0]


def test_search_finds_the_tdcs_trial_and_completed_trials() -> None:
    tdcs = json.loads(run("search", "tDCS", "--format", "json").stdout)
    assert tdcs["hits"][0]["id"] == "de-paula-2023"
    completed = json.loads(run("search", "status:completed type:trial", "--format", "json").stdout)
    assert {h["id"] for h in completed["hits"]} == {"NCT02107014", "NCT04270877", "NCT04502251"}
    assert {h["kind"] for h in completed["hits"]} == {"trial"}


def test_bundled_json_lists_reviews_and_trials_with_status_and_date() -> None:
    data = json.loads(run("summary", "--format", "json").stdout)
    assert len(data["studies"]) == 12 and len(data["reviews"]) == 13
    trials = {t["registration"]: t for t in data["trials"]}
    assert trials["NCT02107014"] == {"registration": "NCT02107014", "title": "LDN Immune Monitoring",
                                     "status": "completed", "status_checked": "2026-12-03", "results": "none",
                                     "study": None}
    assert trials["NCT04739995"]["study"] == "rodriguez-freire-innova"
    hegde = next(r for r in data["reviews"] if r["id"] == "hegde-2025")
    assert (hegde["scope"], hegde["findings"][0]["subgroup"]) == ("chronic-pain", "fibromyalgia")
    rizwan = next(r for r in data["reviews"] if r["id"] == "rizwan-2025")
    assert (rizwan["design"], rizwan["findings"][0]["estimate"]) == ("conference-abstract", -0.851)


def test_no_trial_is_called_ongoing_in_the_summary() -> None:
    for fmt in ("text", "markdown"):
        text = run("summary", "--format", fmt, "--width", "200").stdout
        assert "ongoing" not in text.lower(), fmt
        assert "NCT02107014 completed (read 2026-12-03)" in text


def test_a_question_naming_an_unregistered_trial_is_refused(tmp_path: Path) -> None:
    from ldn_tui.records.paths import bundled_evidence

    folder = tmp_path / "ev"
    shutil.copytree(bundled_evidence(), folder)
    questions = folder / "questions.toml"
    questions.write_text(questions.read_text(encoding="utf-8").replace('"NCT02806440"', '"NCT02806441"'), encoding="utf-8")
    out = run("validate", "--evidence", str(folder))
    assert out.returncode != 0
    assert "questions.toml: question[9].ongoing[0]: 'NCT02806441' is not a [[trial]] of trials.toml" in out.stderr
    assert "Traceback" not in out.stderr
