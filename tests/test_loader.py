"""The loader: every rule of the format, each with its message."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ldn_tui.model import BinaryArm, EvidenceError, Problem
from ldn_tui.records.loader import check_evidence, load_evidence
from ldn_tui.records.paths import bundled_evidence

FIXTURE = Path(__file__).parent / "data" / "evidence"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "ev"
    shutil.copytree(FIXTURE, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(folder: Path) -> list[str]:
    evidence, problems = check_evidence(folder)
    assert evidence is None, "a broken folder must not load"
    assert problems
    return [str(p) for p in problems]


def only(folder: Path) -> str:
    found = problems_of(folder)
    assert len(found) == 1, found
    return found[0]


def test_fixture_loads_sorted_and_complete() -> None:
    evidence = load_evidence(FIXTURE)
    assert [s.id for s in evidence.studies] == ["alpha-2010", "beta-2015", "gamma-2020", "delta-2024"]
    assert [r.id for r in evidence.reviews] == ["omega-2021", "psi-2025"]
    gamma = evidence.study("gamma-2020")
    assert gamma is not None and gamma.randomised
    assert gamma.outcomes[2].arms is not None and isinstance(gamma.outcomes[2].arms.intervention, BinaryArm)
    assert gamma.outcomes[2].secondary_source
    assert evidence.topic.last_reviewed == date(2026, 1, 15)
    assert evidence.topic.judgments("pain")["indirectness"].levels == 0
    assert evidence.mechanisms[0].studies_against == ("gamma-2020",)
    alpha = evidence.study("alpha-2010")
    assert alpha is not None and not alpha.randomised and alpha.intervention.dose_mg == 4.5


def test_bundled_evidence_loads() -> None:
    evidence, problems = check_evidence(bundled_evidence())
    assert problems == []
    assert evidence is not None and len(evidence.studies) >= 9


def test_syntax_error_names_line_and_column(folder: Path) -> None:
    edit(folder / "studies" / "beta-2015.toml", 'year = 2015', 'year = = 2015')
    msg = only(folder)
    assert msg.startswith(f"{folder}/studies/beta-2015.toml:4:")
    assert "TOML syntax error" in msg


def test_wrong_type(folder: Path) -> None:
    edit(folder / "studies" / "beta-2015.toml", "year = 2015", 'year = "2015"')
    assert only(folder) == f"{folder}/studies/beta-2015.toml: year: expected an integer, got a string"


def test_missing_required_field(folder: Path) -> None:
    edit(folder / "studies" / "beta-2015.toml", 'blinding = "double"\n', "")
    assert only(folder) == f"{folder}/studies/beta-2015.toml: blinding: missing required field"


def test_unknown_key_suggests_the_closest(folder: Path) -> None:
    edit(folder / "studies" / "beta-2015.toml", "design =", "desing =")
    found = problems_of(folder)
    assert f"{folder}/studies/beta-2015.toml: desing: unknown key, did you mean design?" in found
    assert f"{folder}/studies/beta-2015.toml: design: missing required field" in found


def test_unknown_nested_key(folder: Path) -> None:
    edit(folder / "studies" / "gamma-2020.toml", "n_enrolled = 100", "n_enrolled = 100\nn_enroled = 3")
    assert only(folder).endswith("gamma-2020.toml: population.n_enroled: unknown key, did you mean n_enrolled?")


def test_bad_enum_value(folder: Path) -> None:
    edit(folder / "studies" / "gamma-2020.toml", 'design = "parallel-rct"', 'design = "parallel-rtc"')
    msg = only(folder)
    assert "design: 'parallel-rtc' is not one of" in msg and "did you mean parallel-rct?" in msg


def test_id_must_match_file_name(folder: Path) -> None:
    edit(folder / "studies" / "gamma-2020.toml", 'id = "gamma-2020"', 'id = "gamma-2021"')
    found = problems_of(folder)
    assert f"{folder}/studies/gamma-2020.toml: id: 'gamma-2021' does not match the file name (expected 'gamma-2020')" in found


def test_id_must_be_a_slug(folder: Path) -> None:
    edit(folder / "questions.toml", 'id = "long-term"', 'id = "Long Term"')
    assert "question[1].id: 'Long Term' is not a lowercase slug" in only(folder)


def test_duplicate_ids_across_the_folder(folder: Path) -> None:
    sub = folder / "studies" / "more"
    sub.mkdir()
    shutil.copy(folder / "studies" / "beta-2015.toml", sub / "beta-2015.toml")
    msg = only(folder)
    assert msg == (
        f"{folder}/studies/more/beta-2015.toml: id: duplicate id 'beta-2015' "
        f"(also in {folder}/studies/beta-2015.toml)"
    )


def test_duplicate_id_between_kinds(folder: Path) -> None:
    edit(folder / "mechanisms.toml", 'id = "glia"', 'id = "beta-2015"')
    assert "mechanism[1].id: duplicate id 'beta-2015'" in only(folder)


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("studies/gamma-2020.toml", 'domain = "function"', 'domain = "fuction"',
         "outcomes[1].domain: 'fuction' is not a domain of topic.toml, did you mean function?"),
        ("reviews/psi-2025.toml", '"delta-2024"]', '"delta-2042"]',
         "includes[2]: 'delta-2042' is not a study in this folder, did you mean delta-2024?"),
        ("reviews/omega-2021.toml", 'domain = "pain"', 'domain = "pains"',
         "findings[0].domain: 'pains' is not a domain of topic.toml, did you mean pain?"),
        ("mechanisms.toml", 'studies = ["beta-2015"]', 'studies = ["nobody-1999"]',
         "mechanism[1].studies[0]: 'nobody-1999' is not a study or review in this folder"),
        ("mechanisms.toml", 'studies_against = ["gamma-2020"]', 'studies_against = ["gamma-2002"]',
         "mechanism[0].studies_against[0]: 'gamma-2002' is not a study or review in this folder"),
        ("questions.toml", 'studies = ["delta-2024"]', 'studies = ["delta"]',
         "question[1].studies[0]: 'delta' is not a study or review in this folder"),
        ("topic.toml", "[grade.pain]", "[grade.pian]", "grade.pian: 'pian' is not a domain of this topic"),
    ],
)
def test_dangling_references(folder: Path, file: str, old: str, new: str, expected: str) -> None:
    edit(folder / file, old, new)
    msg = only(folder)
    assert msg.startswith(f"{folder}/{file}: ")
    assert expected in msg


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("studies/gamma-2020.toml", "n_enrolled = 100", "n_enrolled = -5",
         "population.n_enrolled: -5 is impossible: must be at least 1"),
        ("studies/gamma-2020.toml", "events = 40, total = 50", "events = 60, total = 50",
         "outcomes[2].arms.intervention.events: 60 events is more than the 50 in the arm"),
        ("studies/gamma-2020.toml", "events = 42,", "events = -1,",
         "outcomes[2].arms.control.events: -1 is impossible: must be at least 0"),
        ("studies/gamma-2020.toml", "ci_low = -0.9", "ci_low = -0.1",
         "outcomes[0].effect.estimate: -0.3 lies outside its CI (-0.1 to 0.3)"),
        ("studies/gamma-2020.toml", "ci_high = 0.3", "ci_high = -2",
         "outcomes[0].effect.ci_low: ci_low -0.9 is above ci_high -2"),
        ("studies/gamma-2020.toml", "year = 2020", "year = 2999", "year: 2999 is in the future"),
        ("studies/gamma-2020.toml", "female_percent = 90", "female_percent = 190",
         "population.female_percent: 190 is impossible: must be at most 100"),
        ("studies/gamma-2020.toml", "p_value = 0.3", "p_value = 1.3", "outcomes[0].p_value: 1.3 is impossible: must be at most 1"),
        ("studies/gamma-2020.toml", "sd = 15.0", "sd = 0", "outcomes[1].arms.intervention.sd: 0 is impossible: must be greater than 0"),
        ("studies/beta-2015.toml", "n_analysed = 28", "n_analysed = 31", "population.n_analysed: 31 analysed is more than the 30 enrolled"),
        ("reviews/psi-2025.toml", "i2 = 70.0", "i2 = 170.0", "findings[0].i2: 170.0 is impossible: must be at most 100"),
        ("topic.toml", "last_reviewed = 2026-01-15", "last_reviewed = 2999-01-15", "last_reviewed: 2999-01-15 is in the future"),
        ("topic.toml", "levels = 0", "levels = 3", "grade.pain.indirectness.levels: 3 is impossible: 0, 1 or 2 downgrades"),
    ],
)
def test_impossible_values(folder: Path, file: str, old: str, new: str, expected: str) -> None:
    edit(folder / file, old, new)
    assert only(folder) == f"{folder}/{file}: {expected}"


def test_ratio_must_be_positive(folder: Path) -> None:
    edit(folder / "reviews" / "omega-2021.toml", 'type = "SMD"', 'type = "RR"')
    assert "findings[0].estimate: -0.6 is impossible for a ratio (RR)" in " ".join(problems_of(folder))


def test_effect_and_arms_are_exclusive(folder: Path) -> None:
    edit(
        folder / "studies" / "beta-2015.toml",
        "ci_high = -0.2\n",
        "ci_high = -0.2\n[outcomes.arms]\nintervention = { events = 1, total = 2 }\ncontrol = { events = 1, total = 2 }\n",
    )
    assert only(folder).endswith("outcomes[0].arms: give [outcomes.effect] or [outcomes.arms], not both")


def test_arms_of_different_kinds(folder: Path) -> None:
    edit(folder / "studies" / "gamma-2020.toml", "control = { mean = 42.0, sd = 16.0, n = 50 }",
         "control = { events = 4, total = 50 }")
    assert only(folder).endswith("outcomes[1].arms.control: both arms need the same kind of data: mean/sd/n or events/total")


def test_effect_needs_ci_or_p(folder: Path) -> None:
    edit(folder / "studies" / "delta-2024.toml", "p_value = 0.24\n", "")
    assert "outcomes[0].effect.ci_low: an effect needs a CI (ci_low, ci_high) or the outcome's p_value" in only(folder)


def test_half_a_ci(folder: Path) -> None:
    edit(folder / "studies" / "gamma-2020.toml", "ci_high = 0.3\n", "")
    assert only(folder).endswith("outcomes[0].effect.ci_high: a CI needs both ci_low and ci_high")


def test_study_needs_an_identifier(folder: Path) -> None:
    edit(folder / "studies" / "alpha-2010.toml", 'pmid = "10000001"\n', "")
    assert only(folder).endswith("alpha-2010.toml: doi: a study needs at least one of doi, pmid, registration")


def test_empty_string_is_not_a_value(folder: Path) -> None:
    edit(folder / "studies" / "beta-2015.toml", 'description = "Identical placebo"', 'description = ""')
    assert only(folder).endswith("comparator.description: empty: leave the field out when it is not reported")


def test_non_utf8(folder: Path) -> None:
    path = folder / "studies" / "beta-2015.toml"
    path.write_bytes(path.read_bytes().replace(b"crossover trial", b"crossover \xff trial", 1))
    assert only(folder) == f"{folder}/studies/beta-2015.toml:2:22: not valid UTF-8 (byte 0xff)"


def test_unreadable_file(folder: Path) -> None:
    (folder / "studies" / "ghost-2000.toml").symlink_to(folder / "nowhere.toml")
    msg = only(folder)
    assert msg.startswith(f"{folder}/studies/ghost-2000.toml: cannot read the file:")


def test_missing_topic(folder: Path) -> None:
    (folder / "topic.toml").unlink()
    found = problems_of(folder)
    assert f"{folder}/topic.toml: missing: every evidence folder needs a topic.toml" in found


def test_empty_folder(tmp_path: Path) -> None:
    found = problems_of(tmp_path)
    assert f"{tmp_path}/topic.toml: missing: every evidence folder needs a topic.toml" in found
    assert f"{tmp_path}: no studies: expected studies/*.toml files in this folder" in found


def test_not_a_folder(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope") == [f"{tmp_path}/nope: no such folder"]
    (tmp_path / "file").write_text("x")
    assert "not a folder" in problems_of(tmp_path / "file")[0]


def test_stray_root_file(folder: Path) -> None:
    (folder / "mechanism.toml").write_text("")
    assert "mechanism.toml: not part of the format" in only(folder)
    assert "did you mean mechanisms.toml?" in only(folder)


def test_unsupported_format_version(folder: Path) -> None:
    edit(folder / "topic.toml", "format = 1", "format = 2")
    assert only(folder).endswith("topic.toml: format: version 2 is not supported (this ldn-tui reads format 1)")


def test_all_problems_in_one_pass(folder: Path) -> None:
    edit(folder / "studies" / "alpha-2010.toml", "year = 2010", "yeer = 2010")
    edit(folder / "studies" / "gamma-2020.toml", "n_enrolled = 100", "n_enrolled = -1")
    edit(folder / "reviews" / "psi-2025.toml", "kind =", "kind = = ")
    (folder / "questions.toml").write_bytes(b"\xfe\xff")
    found = problems_of(folder)
    files = {p.split(":")[0] for p in found}
    assert files == {
        f"{folder}/studies/alpha-2010.toml",
        f"{folder}/studies/gamma-2020.toml",
        f"{folder}/reviews/psi-2025.toml",
        f"{folder}/questions.toml",
    }


def test_load_evidence_raises_with_all_problems(folder: Path) -> None:
    (folder / "topic.toml").unlink()
    with pytest.raises(EvidenceError) as info:
        load_evidence(folder)
    assert all(isinstance(p, Problem) for p in info.value.problems)


def test_control_characters_are_stripped_and_markup_kept(folder: Path) -> None:
    edit(folder / "studies" / "beta-2015.toml", 'title = "A crossover trial of the fixture drug"',
         'title = "A [/b] trial \\u001b[31mred\\u0007 [bold]x[/bold] \\u202eevil"')
    evidence = load_evidence(folder)
    study = evidence.study("beta-2015")
    assert study is not None
    assert study.title == "A [/b] trial [31mred [bold]x[/bold] evil"


def snapshot(folder: Path) -> dict[str, tuple[int, float]]:
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime)
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize("breaker", [
    lambda f: (f / "topic.toml").unlink(),
    lambda f: edit(f / "studies" / "beta-2015.toml", "year", "yaer"),
    lambda f: None,
])
def test_never_writes_into_the_folder(folder: Path, breaker: Callable[[Path], None]) -> None:
    breaker(folder)
    before = snapshot(folder)
    check_evidence(folder)
    assert snapshot(folder) == before


def test_environment_variable_chooses_the_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ldn_tui.records.paths import default_evidence

    monkeypatch.setenv("LDN_EVIDENCE", str(folder))
    assert default_evidence() == folder
    monkeypatch.delenv("LDN_EVIDENCE")
    assert default_evidence() == bundled_evidence()
    assert os.path.isdir(bundled_evidence())


# --------------------------------------------------------------------------- readers: edge cases of the fast paths


def test_integer_beyond_any_float_is_a_problem(folder: Path) -> None:
    """float() of such an integer raises OverflowError; the loader must report it instead, and
    a count too big for the statistics' floats is refused before it reaches them."""
    edit(folder / "studies" / "gamma-2020.toml", "dose_mg = 6\n", "dose_mg = 1" + "0" * 400 + "\n")
    edit(folder / "reviews" / "psi-2025.toml", "i2 = 70.0", "i2 = -" + "9" * 330)
    edit(folder / "studies" / "beta-2015.toml", "n_enrolled = 30", "n_enrolled = " + "7" * 25)
    edit(folder / "studies" / "alpha-2010.toml", "n_enrolled = 10", f"n_enrolled = {2**53 + 1}")
    found = problems_of(folder)
    assert found == [
        f"{folder}/studies/alpha-2010.toml: population.n_enrolled: {2**53 + 1} is out of range: "
        f"must be at most {2**53}",
        f"{folder}/studies/beta-2015.toml: population.n_enrolled: 777777… (an integer of 25 digits) is out of "
        f"range: must be at most {2**53}",
        f"{folder}/studies/gamma-2020.toml: intervention.dose_mg: 100000… (an integer of 401 digits) is out of "
        "range for a number",
        f"{folder}/reviews/psi-2025.toml: findings[0].i2: -999999… (an integer of 330 digits) is out of range "
        "for a number",
    ]


def test_numbers_are_floats_and_booleans_are_not_numbers(folder: Path) -> None:
    gamma = load_evidence(folder).study("gamma-2020")
    assert gamma is not None
    assert gamma.intervention.dose_mg == 6.0 and type(gamma.intervention.dose_mg) is float  # `dose_mg = 6`
    assert type(gamma.population.female_percent) is float  # `female_percent = 90`
    edit(folder / "studies" / "gamma-2020.toml", "dose_mg = 6\n", "dose_mg = true\n")
    assert only(folder).endswith("gamma-2020.toml: intervention.dose_mg: expected a number, got a boolean")


def test_a_choice_is_read_like_any_text(folder: Path) -> None:
    """Padding is stripped before the value is checked against the choices, as for any text."""
    edit(folder / "studies" / "gamma-2020.toml", 'design = "parallel-rct"', 'design = "  parallel-rct "')
    gamma = load_evidence(folder).study("gamma-2020")
    assert gamma is not None and gamma.design == "parallel-rct"
    edit(folder / "studies" / "gamma-2020.toml", 'design = "  parallel-rct "', "design = 3")
    assert only(folder).endswith("gamma-2020.toml: design: expected a string, got an integer")
    edit(folder / "studies" / "gamma-2020.toml", "design = 3", 'design = " "')
    assert only(folder).endswith("gamma-2020.toml: design: empty: leave the field out when it is not reported")


def test_string_lists_are_cleaned_item_by_item(folder: Path) -> None:
    path = folder / "studies" / "beta-2015.toml"
    edit(path, 'keywords = ["crossover", "cytokine"]', 'keywords = [" padded ", "bell\\u0007", "x\\ty"]')
    beta = load_evidence(folder).study("beta-2015")
    assert beta is not None and beta.keywords == ("padded", "bell", "x y")
    edit(path, 'keywords = [" padded ", "bell\\u0007", "x\\ty"]', 'keywords = ["ok", "  ", 3]')
    assert problems_of(folder) == [
        f"{path}: keywords[1]: empty string",
        f"{path}: keywords[2]: expected a string, got an integer",
    ]


def test_field_names_of_nested_tables_and_array_items(folder: Path) -> None:
    """Sub-tables name their fields only when a problem needs it: several problems in several
    tables of one record, in reading order, each with its full field name."""
    path = folder / "studies" / "gamma-2020.toml"
    edit(path, "n_enrolled = 100", "n_enrolled = 100\nn_enroled = 3")
    edit(path, "p_value = 0.3", "p_value = 1.3")
    edit(path, "ci_high = 0.3", "ci_high = 0.3\ncihigh = 1")
    edit(path, "sd = 15.0", "sd = 0")
    edit(path, "control = { events = 42, total = 50 }", 'control = { events = 42, total = "50" }')
    assert problems_of(folder) == [
        f"{path}: population.n_enroled: unknown key, did you mean n_enrolled?",
        f"{path}: outcomes[0].p_value: 1.3 is impossible: must be at most 1",
        f"{path}: outcomes[0].effect.cihigh: unknown key, did you mean ci_high?",
        f"{path}: outcomes[1].arms.intervention.sd: 0 is impossible: must be greater than 0",
        f"{path}: outcomes[2].arms.control.total: expected an integer, got a string",
    ]


def test_unknown_grade_domain(folder: Path) -> None:
    edit(folder / "topic.toml", "indirectness = {", 'imprecison = { levels = 1, reason = "Few events." }\nindirectness = {')
    assert only(folder) == f"{folder}/topic.toml: grade.pain.imprecison: unknown key, did you mean imprecision?"


def test_duplicate_id_within_one_file(folder: Path) -> None:
    edit(folder / "mechanisms.toml", 'id = "glia"', 'id = "rebound"')
    assert only(folder) == (
        f"{folder}/mechanisms.toml: mechanism[1].id: duplicate id 'rebound' (also in {folder}/mechanisms.toml)"
    )


def test_relative_folder_names_files_as_given(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Problems found across files name them under the folder as the user gave it."""
    monkeypatch.chdir(folder.parent)
    edit(folder / "studies" / "gamma-2020.toml", 'domain = "function"', 'domain = "fuction"')
    sub = folder / "studies" / "more"
    sub.mkdir()
    shutil.copy(folder / "studies" / "beta-2015.toml", sub / "beta-2015.toml")
    evidence, problems = check_evidence(f"./{folder.name}/")
    assert evidence is None
    assert [str(p) for p in problems] == [
        f"{folder.name}/studies/more/beta-2015.toml: id: duplicate id 'beta-2015' (also in {folder.name}/studies/beta-2015.toml)",
        f"{folder.name}/studies/gamma-2020.toml: outcomes[1].domain: 'fuction' is not a domain of topic.toml, did you mean function?",
    ]
