"""The output cache of ``ldn-tui summary``: a hit only while nothing the output depends on changed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from ldn_tui import cli
from ldn_tui.caching import outputs as rendered
from ldn_tui.caching import snapshot, store
from ldn_tui.records.files import scan

FIXTURE = Path(__file__).parent / "data" / "evidence"
OPTIONS = ("summary", "text", None, "REML")
HOUR_NS = 3600 * 10**9


def settle(folder: Path) -> None:
    """Date every entry an hour back, as if edited long ago (recent edits are never cached)."""
    past = time.time_ns() - HOUR_NS
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, ns=(past, past))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "evidence"
    shutil.copytree(FIXTURE, copy)
    settle(copy)  # the ctimes are still "now": tests that store use ``no_racy``
    return copy


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TUI_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def no_racy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files copied a moment ago have a fresh ctime; treat nothing as racy unless a test says so."""
    monkeypatch.setattr(snapshot, "RACY_NS", 0)


def cache_home() -> Path:
    return Path(os.environ["LDN_TUI_CACHE_DIR"])


def outputs() -> list[tuple[str, int]]:
    """(digest, written) of every output kept, oldest first."""
    path = cache_home() / store.NAME
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return db.execute("SELECT digest, written FROM outputs ORDER BY written").fetchall()


def key_for(folder: Path, options: Sequence[object] = OPTIONS) -> rendered.OutputKey:
    key = rendered.key_for(scan(folder).snapshot, options)
    assert key is not None
    return key


def lookup(key: rendered.OutputKey) -> str | None:
    body = rendered.lookup(key)
    return None if body is None else body.decode("utf-8")


def summary(folder: Path, *extra: str) -> str:
    """The summary as ``ldn-tui summary`` prints it (in-process, stdout captured by the caller)."""
    return str(cli.main(["summary", "--evidence", str(folder), *extra]))


@pytest.mark.usefixtures("no_racy")
def test_second_run_is_a_hit_with_the_same_text(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert summary(folder) == "0"
    first = capsys.readouterr().out
    assert len(outputs()) == 1
    assert lookup(key_for(folder)) == first
    assert summary(folder) == "0"
    assert capsys.readouterr().out == first


@pytest.mark.usefixtures("no_racy")
def test_an_edit_is_a_miss_and_shows(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary(folder)
    before = capsys.readouterr().out
    topic = folder / "topic.toml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("Fixture drug for fixture pain", "Retitled topic"),
                     encoding="utf-8")
    summary(folder)
    after = capsys.readouterr().out
    assert after != before and after.startswith("Retitled topic")


@pytest.mark.usefixtures("no_racy")
@pytest.mark.parametrize("change", ["add", "remove", "same-size", "stray root file"])
def test_any_change_the_loader_sees_changes_the_key(folder: Path, change: str) -> None:
    before = key_for(folder)
    if change == "add":
        shutil.copy(folder / "studies" / "beta-2015.toml", folder / "studies" / "beta-2016.toml")
    elif change == "stray root file":  # not read, but a problem: such a folder must not hit
        (folder / "topics.toml").write_text("", encoding="utf-8")
    elif change == "remove":
        (folder / "reviews" / "psi-2025.toml").unlink()
    else:  # same size, mtime put back: the ctime still moves
        study = folder / "studies" / "beta-2015.toml"
        st = study.stat()
        data = study.read_bytes()
        study.write_bytes(data.replace(b"2015", b"2016", 1))
        os.utime(study, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = key_for(folder)
    assert after.text != before.text
    assert rendered.lookup(after) is None


@pytest.mark.usefixtures("no_racy")
def test_the_key_covers_options_and_destination(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = key_for(folder)
    others = [key_for(folder, ("summary", "text", 60, "REML")),
              key_for(folder, ("summary", "json", None, "REML")),
              key_for(folder, ("summary", "text", None, "DL"))]
    for name, value in (("NO_COLOR", "1"), ("FORCE_COLOR", "1"), ("COLUMNS", "132"), ("TERM", "dumb")):
        monkeypatch.setenv(name, value)
        others.append(key_for(folder))
        monkeypatch.delenv(name)
    texts = {base.text} | {k.text for k in others}
    assert len(texts) == 1 + len(others)


def test_recent_edits_are_not_stored(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "topic.toml").touch()  # edited just now: a second edit this tick could keep its key
    assert summary(folder) == "0"
    assert "Fixture drug" in capsys.readouterr().out
    assert outputs() == []


@pytest.mark.usefixtures("no_racy")
def test_a_folder_with_problems_is_never_stored(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "studies" / "alpha-2010.toml").write_text("title = [unclosed\n", encoding="utf-8")
    for _ in range(2):
        assert summary(folder) == "2"
        assert "TOML syntax error" in capsys.readouterr().err
    assert outputs() == []


@pytest.mark.usefixtures("no_racy")
@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "world-writable", "another key", "symlink"])
def test_a_damaged_or_foreign_entry_is_not_trusted(folder: Path, damage: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    summary(folder)
    good = capsys.readouterr().out
    path = cache_home() / store.NAME
    blob = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(blob[: len(blob) // 2])
    elif damage == "garbage":
        path.write_bytes(os.urandom(len(blob)))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "world-writable":
        path.chmod(0o666)
    elif damage == "another key":  # the same digest, another key: compared in full, a miss
        with sqlite3.connect(path) as db:
            db.execute("UPDATE outputs SET key = CAST('another key' AS BLOB), body = CAST('stale' AS BLOB)")
    else:
        elsewhere = tmp_path / "elsewhere.sqlite3"
        path.rename(elsewhere)
        path.symlink_to(elsewhere)
    assert lookup(key_for(folder)) is None
    assert summary(folder) == "0"
    assert capsys.readouterr().out == good


@pytest.mark.usefixtures("no_racy")
def test_off_switch_and_never_in_the_evidence_folder(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LDN_TUI_NO_CACHE", "1")
    assert rendered.key_for(scan(folder).snapshot, OPTIONS) is None
    summary(folder)
    assert outputs() == []
    monkeypatch.delenv("LDN_TUI_NO_CACHE")
    inside = folder / "cache"
    monkeypatch.setenv("LDN_TUI_CACHE_DIR", str(inside))
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    summary(folder)
    assert "Fixture drug" in capsys.readouterr().out
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before


def test_a_hit_imports_neither_rich_nor_the_loader(folder: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    code = (
        "import sys, ldn_tui.caching.snapshot as c; c.RACY_NS = int(sys.argv[2]); from ldn_tui.cli import main; "
        "code = main(['summary', '--evidence', sys.argv[1]]); "
        "heavy = sorted(m for m in ('rich', 'tomli', 'ldn_tui.records.loader', 'ldn_tui.model', 'textual') "
        "if m in sys.modules); sys.stderr.write(' '.join(heavy)); sys.exit(code)"
    )

    def run() -> subprocess.CompletedProcess[str]:  # the files' ctimes are recent: allow that
        return subprocess.run([sys.executable, "-c", code, str(folder), "0"], capture_output=True, text=True,
                              env=env, check=False)

    miss, hit = run(), run()
    assert miss.returncode == hit.returncode == 0
    assert "rich" in miss.stderr and "ldn_tui.records.loader" in miss.stderr
    assert hit.stdout == miss.stdout and "Fixture drug" in hit.stdout
    assert hit.stderr == "", f"a hit imported {hit.stderr}"


@pytest.mark.usefixtures("no_racy")
def test_old_outputs_are_pruned_by_count_and_size(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(store, "KEEP_OUTPUTS", 2)
    for width in ("60", "70", "80"):
        summary(folder, "--width", width)
    assert len(outputs()) == 2
    key = key_for(folder, ("summary", "text", 80, "REML"))
    assert lookup(key) is not None and lookup(key_for(folder, ("summary", "text", 60, "REML"))) is None
    with sqlite3.connect(cache_home() / store.NAME) as db:
        (size,) = db.execute("SELECT max(length(key) + length(body)) FROM outputs").fetchone()
    monkeypatch.setattr(store, "MAX_OUTPUT_BYTES", size * 3 // 2)
    summary(folder, "--width", "90")
    (kept,) = outputs()  # the two older ones no longer fit beside it
    assert lookup(key_for(folder, ("summary", "text", 90, "REML"))) is not None
    monkeypatch.setattr(store, "MAX_OUTPUT_BYTES", 1000)
    summary(folder, "--width", "100")  # bigger than the whole budget: printed, not kept
    assert "Fixture drug" in capsys.readouterr().out
    assert outputs() == [kept]


@pytest.mark.usefixtures("no_racy")
def test_the_key_covers_every_module_a_summary_uses(folder: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pkg"
    for rel in ("cli.py", "report/plain/table.py", "tui/app.py", "report/__pycache__/x.py"):
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text("# v1\n", encoding="utf-8")
    monkeypatch.setattr(rendered, "PACKAGE", package)

    def key() -> str:
        return key_for(folder).text

    before = key()
    (package / "tui" / "app.py").write_text("# v2, the app only\n", encoding="utf-8")
    assert key() == before
    (package / "report" / "plain" / "table.py").write_text("# v2\n", encoding="utf-8")
    assert key() != before


@pytest.mark.usefixtures("no_racy")
def test_files_the_loader_does_not_read_leave_the_key_alone(folder: Path, tmp_path: Path) -> None:
    """Hidden entries, notes, and a symlink out of the folder (``extra -> /usr``) are neither
    read by the loader nor walked for the key; a linked ``studies`` folder is both."""
    (folder / ".git").mkdir()
    (folder / ".git" / "index").write_text("1", encoding="utf-8")
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "x.toml").write_text("x = 1", encoding="utf-8")
    (folder / "extra").symlink_to(outside, target_is_directory=True)
    before = key_for(folder)
    (folder / ".git" / "index").write_text("2, a commit", encoding="utf-8")
    (folder / ".notes.toml").write_text("x = 1", encoding="utf-8")
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    (outside / "deep" / "x.toml").write_text("x = 2", encoding="utf-8")
    (outside / "deep" / "y.toml").write_text("y = 1", encoding="utf-8")
    assert key_for(folder).text == before.text
    assert "outside" not in before.text and "extra" not in before.text

    elsewhere = tmp_path / "elsewhere"
    (folder / "studies").rename(elsewhere)
    (folder / "studies").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "loop").symlink_to(elsewhere, target_is_directory=True)  # not entered: no hang
    linked = key_for(folder)
    study = elsewhere / "alpha-2010.toml"
    study.write_text(study.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert key_for(folder).text != linked.text


@pytest.mark.usefixtures("no_racy")
def test_a_kept_output_that_is_not_text_is_made_again(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary(folder)
    good = capsys.readouterr().out
    with sqlite3.connect(cache_home() / store.NAME) as db:
        db.execute("UPDATE outputs SET body = X'FF'")
    assert summary(folder) == "0"
    assert capsys.readouterr().out == good
