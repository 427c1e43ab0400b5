"""The parse cache: never stale, never in the evidence folder, never an error when broken."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ldn_tui.caching import dirs as cachedir
from ldn_tui.caching import tables as cache
from ldn_tui.model import Problem
from ldn_tui.records import workers as parallel
from ldn_tui.records.loader import check_evidence, load_evidence

FIXTURE = Path(__file__).parent / "data" / "evidence"
BETA = Path("studies") / "beta-2015.toml"


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory; every folder cached (the fixture is small) and trusted at once."""
    home = tmp_path / "cache"
    monkeypatch.setenv("LDN_TUI_CACHE_DIR", str(home))
    monkeypatch.delenv("LDN_TUI_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "MIN_FILES", 0)
    monkeypatch.setattr(cache, "RACY_NS", 0)
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
    real = parallel.parse_table

    def counting(path: str, shown: str) -> tuple[dict[str, Any] | None, list[Problem], bool]:
        seen.append(Path(path).name)
        return real(path, shown)

    monkeypatch.setattr(parallel, "parse_table", counting)
    return seen


def cache_files(home: Path) -> list[Path]:
    return sorted(home.glob(f"*{cache.SUFFIX}")) if home.is_dir() else []


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


# --------------------------------------------------------------------------- warm and stale


def test_warm_load_parses_nothing_and_gives_the_same_evidence(folder: Path, parses: list[str],
                                                              cache_home: Path) -> None:
    cold = load_evidence(folder)
    assert len(parses) == 6 and len(cache_files(cache_home)) == 1
    parses.clear()
    warm = load_evidence(folder)
    assert parses == []
    assert warm == cold


def test_text_that_needs_cleaning_is_cleaned_from_a_warm_cache_and_from_workers(
    folder: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache keeps whether a file has text to clean (``text.plain``): a warm load, and a
    load parsed in worker processes, clean it just as a load that parsed the file here."""
    rewrite(folder / BETA, 'keywords = ["crossover", "cytokine"]', 'keywords = ["cross\\tover", "cyto\\u0007kine"]')
    rewrite(folder / BETA, "Cytokines fell on the drug.", "Cytokines\\u202e fell\\ton the drug.")
    cold = load_evidence(folder)
    beta = cold.study("beta-2015")
    assert beta is not None and beta.keywords == ("cross over", "cytokine")
    assert beta.summary.endswith("Cytokines fell on the drug.")
    parses.clear()
    assert load_evidence(folder) == cold and parses == []
    monkeypatch.setenv("LDN_TUI_NO_CACHE", "1")
    monkeypatch.setattr(parallel, "MIN_FILES", 2)
    monkeypatch.setattr(parallel, "CHUNK", 1)
    assert load_evidence(folder) == cold


def test_an_edit_shows(folder: Path, parses: list[str]) -> None:
    load_evidence(folder)
    rewrite(folder / BETA, "A crossover trial of the fixture drug", "A crossover trial of a changed drug")
    parses.clear()
    study = load_evidence(folder).study("beta-2015")
    assert study is not None and study.title == "A crossover trial of a changed drug"
    assert parses == ["beta-2015.toml"]


def test_an_edit_keeping_the_size_shows(folder: Path) -> None:
    path = folder / BETA
    load_evidence(folder)
    size, mtime = path.stat().st_size, path.stat().st_mtime_ns
    rewrite(path, "A crossover trial of the fixture drug", "A crossover trial of the fixture DRUG")
    os.utime(path, ns=(mtime + 1_000_000_000, mtime + 1_000_000_000))
    assert path.stat().st_size == size
    study = load_evidence(folder).study("beta-2015")
    assert study is not None and study.title.endswith("fixture DRUG")


def test_an_edit_keeping_the_mtime_shows(folder: Path) -> None:
    path = folder / BETA
    load_evidence(folder)
    mtime = path.stat().st_mtime_ns
    rewrite(path, "A crossover trial of the fixture drug", "A crossover trial of the drug", keep_mtime=True)
    assert path.stat().st_mtime_ns == mtime
    study = load_evidence(folder).study("beta-2015")
    assert study is not None and study.title == "A crossover trial of the drug"


def test_an_edit_keeping_size_and_mtime_shows(folder: Path) -> None:
    path = folder / BETA
    load_evidence(folder)
    size = path.stat().st_size
    rewrite(path, "A crossover trial of the fixture drug", "A crossover trial of the fixture DRUG", keep_mtime=True)
    assert path.stat().st_size == size
    study = load_evidence(folder).study("beta-2015")
    assert study is not None and study.title.endswith("fixture DRUG")


def test_added_and_removed_files_show(folder: Path) -> None:
    load_evidence(folder)
    (folder / "studies" / "delta-2024.toml").unlink()
    assert any("'delta-2024' is not a study" in p for p in problems(folder))
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


def test_a_cache_file_of_another_folder_is_not_used(tmp_path: Path, folder: Path, cache_home: Path,
                                                    parses: list[str]) -> None:
    other = tmp_path / "other"
    shutil.copytree(FIXTURE, other)
    load_evidence(other)
    (path,) = cache_files(cache_home)
    store = cache.open_cache(folder, 6)
    assert store is not None
    store.close()
    shutil.copy(path, store.path)  # the other folder's cache under this folder's name
    parses.clear()
    load_evidence(folder)
    assert len(parses) == 6


def test_a_file_changed_just_now_is_not_stored(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                               cache_home: Path) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 3_000_000_000)
    load_evidence(folder)  # every file was just copied: too recent to trust its key
    store = cache.open_cache(folder, 6)
    assert store is not None and store.entries == {}
    store.close()


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


# --------------------------------------------------------------------------- corrupt caches


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "flipped", "no-footer", "zeros"])
def test_a_damaged_cache_is_ignored_and_rebuilt(folder: Path, cache_home: Path, damage: str,
                                                parses: list[str]) -> None:
    expected = load_evidence(folder)
    (path,) = cache_files(cache_home)
    raw = path.read_bytes()
    damaged = {
        "empty": b"",
        "garbage": os.urandom(len(raw)),
        "truncated": raw[: len(raw) // 2],
        "flipped": raw[:40] + bytes([raw[40] ^ 0xFF]) + raw[41:],
        "no-footer": raw[:-cache.FOOTER.size],
        "zeros": bytes(len(raw)),
    }[damage]
    path.write_bytes(damaged)
    parses.clear()
    assert load_evidence(folder) == expected
    assert parses  # something was parsed again rather than trusted
    parses.clear()
    assert load_evidence(folder) == expected
    assert parses == []  # and the cache works again
    assert path.read_bytes() != damaged


def test_a_cache_of_another_version_is_ignored(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                               parses: list[str]) -> None:
    expected = load_evidence(folder)
    monkeypatch.setattr(cache, "fingerprint", lambda: "another version")
    parses.clear()
    assert load_evidence(folder) == expected
    assert len(parses) == 6


def test_a_cache_others_may_write_is_ignored(folder: Path, cache_home: Path, parses: list[str]) -> None:
    load_evidence(folder)
    (path,) = cache_files(cache_home)
    path.chmod(0o666)
    parses.clear()
    load_evidence(folder)
    assert len(parses) == 6
    assert path.stat().st_mode & 0o077 == 0


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
    assert len(cache_files(cache_home)) == 1


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
    assert len(cache_files(cache_home)) == 1


@pytest.mark.parametrize("value", ["", "0", "false", "No"])
def test_no_cache_off_values_keep_the_cache(folder: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch,
                                            value: str) -> None:
    monkeypatch.setenv("LDN_TUI_NO_CACHE", value)
    load_evidence(folder)
    assert len(cache_files(cache_home)) == 1


def test_cache_directory_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LDN_TUI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cachedir.cache_dir() == tmp_path / "xdg" / "ldn-tui"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cachedir.cache_dir() == tmp_path / "home" / ".cache" / "ldn-tui"


def test_small_folders_are_not_cached(folder: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MIN_FILES", 200)
    load_evidence(folder)
    assert not cache_home.exists()


def test_old_cache_files_are_pruned(tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "KEEP", 2)
    for i in range(4):
        target = tmp_path / f"ev{i}"
        shutil.copytree(FIXTURE, target)
        load_evidence(target)
    assert len(cache_files(cache_home)) == 2


# --------------------------------------------------------------------------- parallel parsing


def test_parallel_parse_matches_serial(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / BETA).write_text("broken = = toml\n", encoding="utf-8")
    items = [(str(p), f"shown/{p.name}") for p in sorted(folder.rglob("*.toml"))]
    monkeypatch.setattr(parallel, "CHUNK", 2)
    serial = [parallel.parse_one(p, s) for p, s in items]
    assert list(parallel.parse_files(items, processes=2)) == serial


def test_parallel_parse_falls_back_to_serial(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", broken)
    monkeypatch.setattr(parallel, "CHUNK", 2)
    items = [(str(p), p.name) for p in sorted(folder.rglob("*.toml"))]
    assert list(parallel.parse_files(items, processes=2)) == [parallel.parse_one(p, s) for p, s in items]


def test_the_loader_uses_workers_for_many_files(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_evidence(folder)
    monkeypatch.setenv("LDN_TUI_NO_CACHE", "1")
    monkeypatch.setattr(parallel, "MIN_FILES", 2)
    monkeypatch.setattr(parallel, "CHUNK", 1)
    used: list[int] = []
    real = parallel.parse_files

    def spy(items: list[tuple[str, str]], processes: int | None = None) -> Iterator[parallel.Parsed]:
        used.append(len(items))
        return real(items, processes=2)

    monkeypatch.setattr(parallel, "parse_files", spy)
    assert load_evidence(folder) == expected
    assert used == [6]
