"""The kept search index of ``ldn-tui search``: used only for the same records, rebuilt otherwise."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from ldn_tui import cli
from ldn_tui.caching import snapshot, store
from ldn_tui.records.loader import load_evidence
from ldn_tui.search import index as search
from ldn_tui.search import kept as indexcache
from ldn_tui.search.index import SearchIndex

FIXTURE = Path(__file__).parent / "data" / "evidence"
QUERIES = ("pain", '"crossover trial"', "cytokine", "year:2015..2024 fixture", "esr", "zzz-no-such-word")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "evidence"
    shutil.copytree(FIXTURE, copy)
    monkeypatch.setenv("LDN_TUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(snapshot, "RACY_NS", 0)  # files copied a moment ago count as settled
    monkeypatch.setattr(indexcache, "MIN_RECORDS", 0)  # the fixture is small: keep its index anyway
    return copy


def results(index: SearchIndex) -> list[list[tuple[str, int]]]:
    return [[(h.id, h.score) for h in index.search(q).hits] for q in QUERIES]


def unpacked(body: bytes) -> tuple[list[str], list[bytes]] | None:
    return indexcache.unpack(io.BytesIO(body).read, len(body))


def test_pack_and_unpack() -> None:
    ids, blobs = ["a", "b-2", "c"], [b"x\x01y\x01z", b"\x01\x01", b"caf\xc3\xa9\x01\x01"]
    body = indexcache.pack(ids, blobs)
    assert unpacked(body) == (ids, blobs)
    assert unpacked(indexcache.pack([], [])) == ([], [])
    huge_count = b"\xff\xff\xff\x7f" + body[4:]
    for damaged in (body[:-1], body + b"x", body[:5], b"", body[:8] + b"\xff" * 8 + body[16:], huge_count):
        assert unpacked(damaged) is None


def test_the_kept_index_is_read_from_the_store_in_pieces(folder: Path) -> None:
    """Each blob comes out of the database on its own (where SQLite can): the same content as
    the body read whole."""
    body = indexcache.pack(["a", "b"], [b"x\x01y\x01z", b"\x01\x01"])
    assert store.put_output(str(folder), "k", body)
    assert store.output(str(folder), "k") == body
    takes: list[int] = []

    def read(take: Callable[[int], bytes], size: int) -> tuple[list[str], list[bytes]] | None:
        def counted(n: int) -> bytes:
            takes.append(n)
            return take(n)

        return indexcache.unpack(counted, size)

    assert store.output_read(str(folder), "k", read) == (["a", "b"], [b"x\x01y\x01z", b"\x01\x01"])
    assert takes[-2:] == [5, 2]
    assert store.output_read(str(folder), "other key", read) is None


def test_kept_blobs_give_the_same_results(folder: Path) -> None:
    evidence = load_evidence(folder)
    fresh = SearchIndex(evidence)
    expected = results(fresh)
    kept = SearchIndex(evidence)
    assert kept.use_blobs(*fresh.blobs())
    assert results(kept) == expected


def test_blobs_for_other_records_are_refused(folder: Path) -> None:
    evidence = load_evidence(folder)
    ids, blobs = SearchIndex(evidence).blobs()
    assert not SearchIndex(evidence).use_blobs(ids[::-1], blobs[::-1])
    assert not SearchIndex(evidence).use_blobs(ids[:-1], blobs[:-1])
    assert not SearchIndex(evidence).use_blobs(ids, [b"no tiers here", *blobs[1:]])
    index = SearchIndex(evidence)
    assert not index.use_blobs(ids, [b"", *blobs[1:]])
    assert results(index) == results(SearchIndex(evidence)), "a refused index still builds its own"


def cli_search(folder: Path, capsys: pytest.CaptureFixture[str], *query: str) -> str:
    assert cli.main(["search", "--evidence", str(folder), "--format", "json", *query]) in (0, 1)
    return capsys.readouterr().out


def test_the_second_search_uses_the_kept_index(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    first = cli_search(folder, capsys, "cytokine")
    assert "beta-2015" in first

    def refold(record: object) -> bytes:
        raise AssertionError("folded a record although its index was kept")

    monkeypatch.setattr(search, "_blob", refold)
    assert cli_search(folder, capsys, "cytokine") == first
    assert "gamma-2020" in cli_search(folder, capsys, "2020")


def test_an_edit_is_searched_not_the_kept_index(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert '"total": 0' in cli_search(folder, capsys, "wombat")
    study = folder / "studies" / "alpha-2010.toml"
    text = study.read_text(encoding="utf-8")
    study.write_text(text.replace('keywords = ["', 'keywords = ["wombat", "', 1), encoding="utf-8")
    assert "alpha-2010" in cli_search(folder, capsys, "wombat")


def test_small_folders_keep_no_index(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(indexcache, "MIN_RECORDS", 500)
    cli_search(folder, capsys, "pain")
    path = Path(os.environ["LDN_TUI_CACHE_DIR"]) / store.NAME
    if path.exists():
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT count(*) FROM outputs").fetchone() == (0,)
