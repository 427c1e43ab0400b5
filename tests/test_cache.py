"""The cache store's parsed tables: never stale, never in the evidence folder, never an error when broken."""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ldn_tui.caching import snapshot, store
from ldn_tui.model import Problem
from ldn_tui.records import files, parsing
from ldn_tui.records.loader import check_evidence, load_evidence

FIXTURE = Path(__file__).parent / "data" / "evidence"
BETA = Path("studies") / "beta-2015.toml"
# A child process loading a folder with every file cached (the fixture is small and was copied just now).
CHILD = (
    "import sys; from ldn_tui.caching import snapshot; from ldn_tui.records import parsing; "
    "snapshot.RACY_NS = 0; parsing.MIN_FILES = 0\n"
)


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory; every folder cached (the fixture is small) and settled at once."""
    home = tmp_path / "cache"
    monkeypatch.setenv("LDN_TUI_CACHE_DIR", str(home))
    monkeypatch.delenv("LDN_TUI_NO_CACHE", raising=False)
    monkeypatch.setattr(parsing, "MIN_FILES", 0)
    monkeypatch.setattr(snapshot, "RACY_NS", 0)
    return home


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "ev"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files the loader actually parses (cache misses)."""
    seen: list[str] = []
    real = parsing._read

    def counting(path: str, shown: str) -> tuple[dict[str, Any] | None, list[Problem], bool]:
        seen.append(Path(path).name)
        return real(path, shown)

    monkeypatch.setattr(parsing, "_read", counting)
    return seen


def database(home: Path) -> Path:
    return home / store.NAME


def rows(home: Path, sql: str = "SELECT folder, rel FROM tables") -> list[tuple[Any, ...]]:
    if not database(home).exists():
        return []
    with sqlite3.connect(database(home)) as db:
        return db.execute(sql).fetchall()


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


def problems(folder: Path) -> list[str]:
    evidence, found = check_evidence(folder)
    assert evidence is None
    return [str(p) for p in found]


def rewrite(path: Path, old: str, new: str, *, keep_mtime: bool = False) -> None:
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if keep_mtime:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def child(code: str, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CHILD + code, *args], text=True, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


# --------------------------------------------------------------------------- warm and stale


def test_warm_load_parses_nothing_and_gives_the_same_evidence(folder: Path, parses: list[str],
                                                              cache_home: Path) -> None:
    cold = load_evidence(folder)
    assert len(parses) == 6 and len(rows(cache_home)) == 6
    parses.clear()
    warm = load_evidence(folder)
    assert parses == []
    assert warm == cold


def test_text_that_needs_cleaning_is_cleaned_from_a_warm_cache(folder: Path, parses: list[str]) -> None:
    """The store keeps whether a file has text to clean (``text.plain``): a warm load cleans it
    just as a load that parsed the file."""
    rewrite(folder / BETA, 'keywords = ["crossover", "cytokine"]', 'keywords = ["cross\\tover", "cyto\\u0007kine"]')
    rewrite(folder / BETA, "Cytokines fell on the drug.", "Cytokines\\u202e fell\\ton the drug.")
    cold = load_evidence(folder)
    beta = cold.study("beta-2015")
    assert beta is not None and beta.keywords == ("cross over", "cytokine")
    assert beta.summary.endswith("Cytokines fell on the drug.")
    parses.clear()
    assert load_evidence(folder) == cold and parses == []


def test_an_edit_shows(folder: Path, parses: list[str]) -> None:
    load_evidence(folder)
    rewrite(folder / BETA, "A crossover trial of the fixture drug", "A crossover trial of a changed drug")
    parses.clear()
    study = load_evidence(folder).study("beta-2015")
    assert study is not None and study.title == "A crossover trial of a changed drug"
    assert parses == ["beta-2015.toml"]


@pytest.mark.parametrize("keep", ["size", "mtime", "size and mtime"])
def test_an_edit_keeping_size_or_mtime_shows(folder: Path, keep: str) -> None:
    path = folder / BETA
    load_evidence(folder)
    size, mtime = path.stat().st_size, path.stat().st_mtime_ns
    new = "A crossover trial of the drug" if keep == "mtime" else "A crossover trial of the fixture DRUG"
    rewrite(path, "A crossover trial of the fixture drug", new, keep_mtime=keep != "size")
    if keep == "size":
        os.utime(path, ns=(mtime + 1_000_000_000, mtime + 1_000_000_000))
    assert keep == "mtime" or path.stat().st_size == size
    study = load_evidence(folder).study("beta-2015")
    assert study is not None and study.title == new


def test_added_and_removed_files_show(folder: Path, cache_home: Path) -> None:
    load_evidence(folder)
    (folder / "studies" / "delta-2024.toml").unlink()
    assert any("'delta-2024' is not a study" in p for p in problems(folder))
    assert len(rows(cache_home)) == 5  # the removed file's entry is gone
    shutil.copy(FIXTURE / "studies" / "delta-2024.toml", folder / "studies" / "delta-2024.toml")
    assert load_evidence(folder).study("delta-2024") is not None


def test_progress_is_reported(folder: Path) -> None:
    seen: list[tuple[int, int]] = []
    for _ in range(2):  # cold, then warm
        seen.clear()
        evidence, _ = check_evidence(folder, progress=lambda done, total: seen.append((done, total)))
        assert evidence is not None
        assert seen[0] == (0, 6) and seen[-1] == (6, 6)
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_entries_of_another_folder_are_not_used(tmp_path: Path, folder: Path, parses: list[str]) -> None:
    other = tmp_path / "other"
    shutil.copytree(FIXTURE, other)
    load_evidence(other)
    parses.clear()
    load_evidence(folder)  # the same names, other files
    assert len(parses) == 6


def test_a_file_changed_just_now_is_not_stored(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                               cache_home: Path) -> None:
    monkeypatch.setattr(snapshot, "RACY_NS", 3_000_000_000)
    load_evidence(folder)  # every file was just copied: too recent to trust its stat
    assert rows(cache_home) == []


def test_the_loader_reads_the_snapshot_it_is_given(folder: Path, parses: list[str]) -> None:
    """One look at the folder per command: the loader reads the scan's files and walks nothing."""
    scan = files.scan(folder)
    (folder / "studies" / "zeta-2030.toml").write_text('id = "zeta-2030"\n', encoding="utf-8")
    evidence, found = check_evidence(folder, files=scan)
    assert evidence is not None and found == []
    assert "zeta-2030.toml" not in parses and len(parses) == 6


def test_the_snapshot_holds_exactly_the_files_the_loader_reads(folder: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from ldn_tui.records import toml_file

    (folder / "studies" / ".hidden.toml").write_text("x = 1", encoding="utf-8")
    (folder / "studies" / "notes.txt").write_text("x", encoding="utf-8")
    (folder / "extra").symlink_to(tmp_path, target_is_directory=True)
    (folder / "reviews" / "more").mkdir()
    shutil.copy(folder / "reviews" / "psi-2025.toml", folder / "reviews" / "more" / "omega-2026.toml")
    opened: list[str] = []

    real = toml_file.read_bytes

    def spy(path: str, *args: Any) -> Any:
        opened.append(Path(path).relative_to(folder).as_posix())
        return real(path, *args)

    monkeypatch.setattr(toml_file, "read_bytes", spy)
    monkeypatch.setenv("LDN_TUI_NO_CACHE", "1")
    check_evidence(folder)
    assert sorted(opened) == sorted(s.rel for s in files.scan(folder).snapshot.files)
    assert "reviews/more/omega-2026.toml" in opened and "topic.toml" in opened


# --------------------------------------------------------------------------- problems


def test_problems_are_the_same_from_a_warm_cache(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rewrite(folder / "studies" / "alpha-2010.toml", "year = 2010", "yeer = 2010")
    rewrite(folder / "reviews" / "psi-2025.toml", "kind =", "kind = = ")
    (folder / "studies" / "gamma-2020.toml").write_bytes(b"\xff\xfe broken")
    cold = problems(folder)
    assert len(cold) >= 3
    warm = problems(folder)
    again = problems(folder)
    monkeypatch.setenv("LDN_TUI_NO_CACHE", "1")
    assert cold == warm == again == problems(folder)


def test_a_broken_file_stays_broken(folder: Path) -> None:
    load_evidence(folder)
    (folder / BETA).write_text('id = "beta-2015"\ntitle = \n', encoding="utf-8")
    first = problems(folder)
    assert any("beta-2015.toml:2" in p for p in first)
    assert problems(folder) == first


# --------------------------------------------------------------------------- damaged, foreign, concurrent


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "zeros", "bodies", "other layout"])
def test_a_damaged_store_is_ignored_and_replaced(folder: Path, cache_home: Path, damage: str,
                                                 parses: list[str]) -> None:
    expected = load_evidence(folder)
    path = database(cache_home)
    raw = path.read_bytes()
    if damage == "bodies":  # whatever the bytes, they are not trusted to be a table
        with sqlite3.connect(path) as db:
            db.execute("UPDATE tables SET body = randomblob(64) WHERE rel LIKE 'studies/%'")
    elif damage == "other layout":
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA user_version = 99")
    else:
        path.write_bytes({"empty": b"", "garbage": os.urandom(len(raw)), "truncated": raw[: len(raw) // 2],
                          "zeros": bytes(len(raw))}[damage])
    parses.clear()
    assert load_evidence(folder) == expected
    assert parses or damage == "empty"  # an empty file is an empty store
    parses.clear()
    assert load_evidence(folder) == expected
    assert parses == []  # and the store works again


def test_tables_of_another_tomli_or_ldn_tui_are_not_used(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                         parses: list[str]) -> None:
    expected = load_evidence(folder)
    monkeypatch.setattr(parsing, "NAMESPACE", "tables|another version")
    parses.clear()
    assert load_evidence(folder) == expected
    assert len(parses) == 6


def test_nothing_read_back_runs_code(folder: Path, cache_home: Path, tmp_path: Path, parses: list[str]) -> None:
    load_evidence(folder)
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return os.system, (f"touch {marker}",)

    with sqlite3.connect(database(cache_home)) as db:
        db.execute("UPDATE tables SET body = ?", (pickle.dumps({"id": Evil()}),))
    parses.clear()
    assert load_evidence(folder).study("beta-2015") is not None
    assert not marker.exists() and len(parses) == 6


def test_a_store_others_may_write_is_ignored(folder: Path, cache_home: Path, parses: list[str]) -> None:
    load_evidence(folder)
    database(cache_home).chmod(0o666)
    parses.clear()
    load_evidence(folder)
    assert len(parses) == 6
    assert database(cache_home).stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("name", [store.NAME, store.NAME + "-journal"])
def test_a_fifo_under_the_store_s_names_does_not_hang(folder: Path, cache_home: Path, name: str) -> None:
    cache_home.mkdir(mode=0o700)
    os.mkfifo(cache_home / name)
    proc = child("from ldn_tui.records.loader import load_evidence; print(len(load_evidence(sys.argv[1]).studies))",
                 str(folder))
    try:
        out, err = proc.communicate(timeout=60)  # a bound, not a pause: a hang fails here
    finally:
        proc.kill()
    assert (proc.returncode, out.strip(), err) == (0, "4", "")
    assert (cache_home / name).is_fifo()


@pytest.mark.parametrize("owner", ["world-writable", "another user"])
def test_a_directory_not_private_to_the_user_is_not_used(folder: Path, cache_home: Path, owner: str,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capfd: pytest.CaptureFixture[str]) -> None:
    cache_home.mkdir()
    planted = cache_home / "someone-else.ldncache"
    planted.write_text("not ours")
    if owner == "world-writable":
        cache_home.chmod(0o777)
    else:
        cache_home.chmod(0o700)
        uid = os.stat(cache_home).st_uid
        monkeypatch.setattr(os, "getuid", lambda: uid + 1)
    monkeypatch.setattr(store, "_warned", set())
    for _ in range(2):
        assert load_evidence(folder).study("beta-2015") is not None
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "not using the cache" in err and str(cache_home) in err
    assert sorted(p.name for p in cache_home.iterdir()) == [planted.name]


def test_four_processes_on_a_fresh_store(folder: Path, cache_home: Path, parses: list[str]) -> None:
    code = ("from ldn_tui.records.loader import load_evidence; sys.stdin.readline(); "
            "ev = load_evidence(sys.argv[1]); print(len(ev.studies), len(ev.reviews))")
    procs = [child(code, str(folder)) for _ in range(4)]
    for proc in procs:  # all start loading at once
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [(p.returncode, out, err) for p, (out, err) in zip(procs, results, strict=True)] == [(0, "4 2\n", "")] * 4
    expected = load_evidence(folder)
    assert parses == [] and len(rows(cache_home)) == 6  # one complete set of entries, used
    assert expected.study("beta-2015") is not None


def test_a_process_killed_while_writing(folder: Path, tmp_path: Path, cache_home: Path, parses: list[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL in the middle of the write transaction (the child's pages spilled to the file,
    its journal on disk): the next load is right, and the store works again after it."""
    code = (
        "import sqlite3\n"
        "from ldn_tui.caching import store\n"
        "from ldn_tui.records.loader import load_evidence\n"
        "connect, rows = sqlite3.connect, store._rows\n"
        "def small(*args, **kwargs):\n"
        "    db = connect(*args, **kwargs); db.execute('PRAGMA cache_size = 1'); return db\n"
        "def stalled(*args):\n"
        "    for n, row in enumerate(rows(*args)):\n"
        "        if n == 4: print('inside', flush=True); sys.stdin.readline()\n"
        "        yield row[:-1] + (row[-1] * 50,)\n"
        "sqlite3.connect, store._rows = small, stalled\n"
        "load_evidence(sys.argv[1])\n"
    )
    other = tmp_path / "other"
    shutil.copytree(FIXTURE, other)
    load_evidence(other)  # the store holds something to lose
    before = rows(cache_home)
    monkeypatch.setenv("LDN_TUI_NO_CACHE", "1")
    expected = load_evidence(folder)
    monkeypatch.delenv("LDN_TUI_NO_CACHE")
    parses.clear()
    proc = child(code, str(folder))
    assert proc.stdout is not None
    assert proc.stdout.readline() == "inside\n"
    assert (cache_home / (store.NAME + "-journal")).stat().st_size > 0
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert load_evidence(folder) == expected
    assert len(parses) == 6
    assert set(before) < set(rows(cache_home))  # the last commit before the kill is all there
    parses.clear()
    assert load_evidence(folder).study("beta-2015") is not None and parses == []


def test_an_unwritable_cache_directory_is_no_error(folder: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("LDN_TUI_CACHE_DIR", str(blocker / "cache"))
    assert load_evidence(folder).study("beta-2015") is not None


# --------------------------------------------------------------------------- where it lives


def test_the_cache_never_lands_in_the_evidence_folder(folder: Path, cache_home: Path) -> None:
    before = listing(folder)
    load_evidence(folder)
    load_evidence(folder)
    assert listing(folder) == before
    assert len(rows(cache_home)) == 6


def test_a_cache_directory_inside_the_folder_is_refused(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = listing(folder)
    monkeypatch.setenv("LDN_TUI_CACHE_DIR", str(folder / ".cache"))
    load_evidence(folder)
    monkeypatch.setenv("LDN_TUI_CACHE_DIR", str(folder))
    load_evidence(folder)
    assert listing(folder) == before


@pytest.mark.parametrize("value", ["1", "yes"])
def test_no_cache_is_honoured(folder: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch,
                              value: str) -> None:
    monkeypatch.setenv("LDN_TUI_NO_CACHE", value)
    load_evidence(folder)
    assert not cache_home.exists()
    monkeypatch.setenv("LDN_TUI_NO_CACHE", "0")
    load_evidence(folder)
    assert len(rows(cache_home)) == 6


@pytest.mark.parametrize("value", ["", "0", "false", "No"])
def test_no_cache_off_values_keep_the_cache(folder: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch,
                                            value: str) -> None:
    monkeypatch.setenv("LDN_TUI_NO_CACHE", value)
    load_evidence(folder)
    assert len(rows(cache_home)) == 6


def test_cache_directory_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LDN_TUI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert store.cache_dir() == tmp_path / "xdg" / "ldn-tui"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert store.cache_dir() == tmp_path / "home" / ".cache" / "ldn-tui"


def test_small_folders_are_not_cached(folder: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "MIN_FILES", 200)
    load_evidence(folder)
    assert not cache_home.exists()


def test_old_folders_are_pruned(tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "KEEP_FOLDERS", 2)
    for i in range(4):
        target = tmp_path / f"ev{i}"
        shutil.copytree(FIXTURE, target)
        load_evidence(target)
    kept = {folder.rsplit("|", 1)[1] for folder, _ in rows(cache_home)}
    assert kept == {str((tmp_path / f"ev{i}").resolve()) for i in (2, 3)}
