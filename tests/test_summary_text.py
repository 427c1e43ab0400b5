"""``ldn-tui summary`` in a pipe: the text Rich lays out, fitted to the width asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ldn_tui.model import Evidence
from ldn_tui.records.loader import load_evidence
from ldn_tui.records.paths import bundled_evidence
from ldn_tui.report import summary

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "evidence"


@pytest.fixture(autouse=True)
def _a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary is written to a pipe, even under ``pytest -s`` or when the environment forces colour."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(summary, "terminal_console", lambda file, width: None)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Evidence:
    """A generated folder of 100 studies (``benchmarks/generate.py``: the same bytes every time)."""
    out = tmp_path_factory.mktemp("generated") / "ev-100"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "100", str(out)], check=True,
                   capture_output=True)
    return load_evidence(out)


@pytest.fixture(scope="module")
def bundled() -> Evidence:
    return load_evidence(bundled_evidence())


@pytest.fixture(scope="module")
def fixture_evidence() -> Evidence:
    return load_evidence(FIXTURE)


def assert_fits(text: str, width: int) -> None:
    lines = text.split("\n")
    assert max(len(line) for line in lines) <= width
    assert all(line == line.rstrip() for line in lines), "no padding at line ends in a pipe"
    assert "\x1b" not in text, "no escape codes in a pipe"
    assert text.endswith("\n\n"), "each part, the last too, ends with a blank line"


@pytest.mark.parametrize("width", [1, 7, 25, 40, 60, 80, 132, 250])
@pytest.mark.parametrize("name", ["bundled", "fixture_evidence"])
def test_summary_fits_any_width(name: str, width: int, request: pytest.FixtureRequest) -> None:
    evidence: Evidence = request.getfixturevalue(name)
    assert_fits(summary.render(evidence, "text", width=width), width)


def test_a_large_folder_fits(generated: Evidence) -> None:
    assert_fits(summary.render(generated, "text", width=100), 100)


def test_a_pipe_is_80_columns_unless_told(bundled: Evidence) -> None:
    assert summary.render(bundled, "text") == summary.render(bundled, "text", width=80)
    assert summary.render(bundled, "text", width=100) != summary.render(bundled, "text", width=80)
