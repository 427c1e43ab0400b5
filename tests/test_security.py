"""Nothing in a folder can hang, crash or command the program; output failures are one line."""

from __future__ import annotations

import io
import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ldn_tui.model import Problem
from ldn_tui.records import toml_file
from ldn_tui.records.loader import check_evidence
from ldn_tui.records.toml_file import MAX_FILE_BYTES, read_record

FIXTURE = Path(__file__).parent / "data" / "evidence"
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs, devices and sockets are POSIX")


def messages(folder: Path) -> list[str]:
    evidence, problems = check_evidence(folder)
    assert evidence is None
    return [str(p) for p in problems]


def read(tmp_path: Path, raw: bytes) -> tuple[object, list[Problem]]:
    path = tmp_path / "x.toml"
    path.write_bytes(raw)
    problems: list[Problem] = []
    return read_record(path, "x.toml", problems)[0], problems


# --------------------------------------------------------------------------- only regular files


@posix_only
def test_fifos_devices_sockets_and_folders_named_toml_are_problems_not_hangs(evidence_copy: Path) -> None:
    studies = evidence_copy / "studies"
    os.mkfifo(studies / "fifo.toml")  # no writer: a blocking open would wait for ever
    (studies / "zero.toml").symlink_to("/dev/zero")  # endless: a plain read would never end
    (studies / "folder.toml").mkdir()
    (studies / "folder.toml" / "inner.toml").write_text('id = "inner"\n', encoding="utf-8")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(studies / "sock.toml"))
    try:
        found = messages(evidence_copy)
    finally:
        sock.close()
    joined = "\n".join(found)
    assert f"{studies / 'fifo.toml'}: not a regular file: a FIFO (named pipe)" in joined
    assert f"{studies / 'zero.toml'}: not a regular file: a character device" in joined
    assert f"{studies / 'folder.toml'}: not a regular file: a folder" in joined
    assert f"{studies / 'sock.toml'}: not a regular file: a socket" in joined
    assert "inner" not in joined  # the folder is refused, not walked into


@posix_only
@pytest.mark.parametrize("name", ["topic.toml", "mechanisms.toml", "questions.toml"])
@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_root_file_that_is_a_folder_or_fifo_is_reported(evidence_copy: Path, name: str, kind: str) -> None:
    path = evidence_copy / name
    path.unlink()
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    expected = "a folder" if kind == "folder" else "a FIFO (named pipe)"
    assert f"{path}: not a regular file: {expected}" in messages(evidence_copy)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toml_file, "MAX_FILE_BYTES", 100)
    data, problems = read(tmp_path, b"a = 1 " + b"#" * 95)  # 101 bytes
    assert data is None
    assert [p.message for p in problems] == ["larger than 100 bytes, the limit for one file"]
    data, problems = read(tmp_path, b"a = 1 " + b"#" * 94)  # 100 bytes: read
    assert data == {"a": 1} and problems == []


def test_the_size_limit_is_four_mebibytes() -> None:
    assert MAX_FILE_BYTES == 4 * 1024 * 1024


# --------------------------------------------------------------------------- clear messages


def test_deep_nesting_names_its_line(tmp_path: Path) -> None:
    data, problems = read(tmp_path, b'id = "x"\n\nkeywords = ' + b"[" * 1000 + b"]" * 1000 + b"\n")
    assert data is None
    (problem,) = problems
    assert "nested too deeply" in problem.message and problem.line == 3
    data, problems = read(tmp_path, b"a = 1\n" + b"k." * 1500 + b"x = 1\n")
    assert "nested too deeply" in problems[0].message and problems[0].line == 2


def test_a_huge_integer_names_its_line(tmp_path: Path) -> None:
    data, problems = read(tmp_path, b'id = "x"\nn = ' + b"9" * 4301 + b"\n")
    assert data is None
    assert [(p.message, p.line) for p in problems] == [("TOML syntax error: integer too large (too many digits)", 2)]


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    data, problems = read(tmp_path, b'\xef\xbb\xbfid = "x"\n')
    assert data == {"id": "x"} and problems == []


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        (b'id = "x"\ntitle = "never closed\nyear = 2020\n', 2),
        (b"id = 'x'\ntitle = 'never closed\nyear = 2020\n", 2),
        (b'id = "x"\ntitle = """never closed\nyear = 2020\n', 2),
    ],
)
def test_an_unclosed_string_says_so(tmp_path: Path, raw: bytes, line: int) -> None:
    data, problems = read(tmp_path, raw)
    assert data is None
    assert [p.message for p in problems] == [f"TOML syntax error: string not closed on line {line}"]


def test_p_value_under_effect_belongs_on_the_outcome(evidence_copy: Path) -> None:
    path = evidence_copy / "studies" / "delta-2024.toml"
    text = path.read_text(encoding="utf-8")
    assert "[outcomes.effect]" in text
    path.write_text(text.replace("[outcomes.effect]\n", "[outcomes.effect]\np_value = 0.04\n", 1), encoding="utf-8")
    found = messages(evidence_copy)
    assert any("effect.p_value" in m and "belongs on the outcome" in m for m in found), found


def test_a_missing_table_is_named(evidence_copy: Path) -> None:
    path = evidence_copy / "studies" / "alpha-2010.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[population]")
    path.write_text(text[:start] + text[text.index("[intervention]"):], encoding="utf-8")
    found = messages(evidence_copy)
    assert any(m.endswith("alpha-2010.toml: population: missing required table (a [population] section)")
               for m in found), found


# --------------------------------------------------------------------------- the installed command


def ldn(*args: str, cwd: Path | None = None, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("ldn-tui", path=str(Path(sys.executable).parent))
    assert exe is not None
    return subprocess.run([exe, *args], cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=60, check=False)


def test_a_hex_integer_too_long_to_print_is_a_problem(evidence_copy: Path) -> None:
    path = evidence_copy / "studies" / "alpha-2010.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("year = 2010", "year = 0x" + "f" * 5000),
                    encoding="utf-8")
    assert any(m.endswith("year: an integer of about 6021 digits is out of range: must be at most 9007199254740992")
               for m in messages(evidence_copy))


# --------------------------------------------------------------------------- text hygiene


def test_the_arabic_letter_mark_is_cleaned_like_the_other_bidi_marks() -> None:
    from ldn_tui.text import clean, plain

    assert clean("a\u061cb\u200fc") == "abc"
    assert plain("a\u061cb".encode()) is False
    assert plain("a\u0620b".encode()) is True  # its neighbours are letters


def test_emoji_sequences_are_split_in_cells_so_widths_are_predictable(evidence_copy: Path) -> None:
    from rich.cells import cell_len
    from rich.console import Console

    from ldn_tui.report.tables import study_table
    from ldn_tui.text import cell_text

    family, heart = "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\u2764\ufe0f"
    assert cell_text(f"{family} {heart} x") == "\U0001f468\U0001f469\U0001f467 \u2764 x"
    assert cell_text("plain") == "plain"
    path = evidence_copy / "studies" / "alpha-2010.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"Alpha A"', f'"{family} {heart} Alpha A"'),
                    encoding="utf-8")
    evidence, problems = check_evidence(evidence_copy)
    assert evidence is not None, problems
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(study_table(evidence, width=100))
    rows = [line for line in console.export_text().splitlines() if "Alpha" in line]
    assert rows and all("\u200d" not in row and "\ufe0f" not in row for row in rows)
    assert all(cell_len(line) <= 100 for line in console.export_text().splitlines())


# --------------------------------------------------------------------------- export writes only regular files


def export_to(evidence: Path, output: str, *extra: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return ldn("export", "--evidence", str(evidence), "--output", output, *extra, cwd=cwd)


@posix_only
@pytest.mark.parametrize("force", [(), ("--force",)])
def test_export_never_replaces_a_fifo_socket_folder_or_device(tmp_path: Path, force: tuple[str, ...]) -> None:
    fifo, folder, sock_path = tmp_path / "fifo.md", tmp_path / "folder.md", tmp_path / "sock.md"
    os.mkfifo(fifo)
    folder.mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    targets = {fifo: "a FIFO (named pipe)", folder: "a folder", sock_path: "a socket"}
    if os.geteuid() == 0:  # a device node of our own making (never the real /dev/null)
        device = tmp_path / "null.md"
        os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        targets[device] = "a character device"
    link = tmp_path / "link.md"
    link.symlink_to(fifo)
    targets[link] = "a FIFO (named pipe)"
    try:
        for path, kind in targets.items():
            done = export_to(FIXTURE, str(path), *force)
            assert done.returncode == 2, (path, done.stderr)
            assert done.stderr.count("\n") == 1 and (kind in done.stderr or "is a folder" in done.stderr), done.stderr
            assert not stat.S_ISREG(os.stat(path).st_mode)
    finally:
        sock.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in targets)  # no temporary left


def test_export_to_dash_writes_stdout(tmp_path: Path) -> None:
    done = export_to(FIXTURE, "-", "--format", "csv", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert "alpha-2010" in done.stdout  # the study table, on stdout
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def in_deleted_folder(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``ldn-tui ARGS`` run in a working folder removed before it starts."""
    gone = tmp_path / "gone"
    gone.mkdir()
    exe = shutil.which("ldn-tui", path=str(Path(sys.executable).parent))
    assert exe is not None
    script = f'cd "{gone}" && rmdir "{gone}" && exec "$0" "$@"'
    return subprocess.run(["sh", "-c", script, exe, *args], capture_output=True, text=True, timeout=60, check=False)


@posix_only
def test_a_deleted_working_folder_is_a_clear_error(tmp_path: Path) -> None:
    done = in_deleted_folder(tmp_path, "export", "--evidence", str(FIXTURE), "--output", "out.md")
    assert done.returncode == 2
    assert done.stderr == "ldn-tui export: the current folder no longer exists (deleted?); give a full path instead of out.md\n"
    done = in_deleted_folder(tmp_path, "summary", "--evidence", str(FIXTURE))
    assert done.returncode == 0 and "Fixture drug" in done.stdout and "Traceback" not in done.stderr
    done = in_deleted_folder(tmp_path, "validate", "--evidence", "relative")
    assert done.returncode == 2 and "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 2


# --------------------------------------------------------------------------- output failures are one line


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", [("summary",), ("search", "pain")])
def test_a_full_disk_is_one_line(command: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        done = ldn(*command, "--evidence", str(FIXTURE), stdout=full.fileno())
    assert done.returncode == 1
    assert done.stderr == "ldn-tui: cannot write output: No space left on device\n"


@posix_only
def test_a_closed_stdout_is_one_line() -> None:
    exe = shutil.which("ldn-tui", path=str(Path(sys.executable).parent))
    assert exe is not None
    done = subprocess.run(["sh", "-c", '"$0" summary --evidence "$1" >&-', exe, str(FIXTURE)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr == "ldn-tui: cannot write output: standard output is closed\n"


@pytest.mark.parametrize("width", ["99999999999999999999999", "19", "1001", "0"])
def test_width_is_bounded(width: str) -> None:
    done = ldn("summary", "--evidence", str(FIXTURE), "--width", width)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--width" in done.stderr.splitlines()[-1]


def test_width_at_its_bounds_works() -> None:
    for width in ("20", "1000"):
        done = ldn("summary", "--evidence", str(FIXTURE), "--width", width)
        assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------- keys typed in one burst


async def burst(pilot: Any, *keys: str) -> None:
    """Send every key at once, as a terminal delivers a paste or fast typing: none waits for the
    app to handle the one before (``pilot.press`` lets the app go idle after each key)."""
    from textual import events
    from textual.keys import _character_to_key

    driver = pilot.app._driver
    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        char = key if len(key) == 1 else {"slash": "/", "question_mark": "?"}.get(key)
        event = events.Key(name, char)
        event.set_sender(pilot.app)
        driver.send_message(event)
    await settled(pilot)


async def settled(pilot: Any) -> None:
    """Until no worker runs (a search superseded by the next key is cancelled: that is fine)."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        await pilot.pause()
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
    await pilot.pause()


@pytest.mark.parametrize("where", ["main", "pane", "study", "summary", "help"])
async def test_slash_and_a_burst_of_keys_land_in_the_search_box(where: str, ready: Any) -> None:
    from ldn_tui.tui.app import LdnApp
    from ldn_tui.tui.screens.main import MainScreen
    from ldn_tui.tui.widgets.search import SearchInput

    app = LdnApp(FIXTURE)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        lead = {"main": (), "pane": ("2",), "study": ("2", "enter"), "summary": ("s",), "help": ("question_mark",)}
        await pilot.press(*lead[where])
        await settled(pilot)
        await burst(pilot, "slash", *"cytokine")
        assert isinstance(app.screen, MainScreen)
        box = app.screen.query_one(SearchInput)
        assert box.value == "cytokine" and box.has_focus
        await pilot.press("enter")  # to the hits
        await pilot.pause()
        assert not box.has_focus
        await burst(pilot, "slash", *"rebound")  # a new query replaces the old one
        assert box.value == "rebound"


async def test_a_paste_right_after_slash_lands_in_the_search_box(ready: Any) -> None:
    from textual import events

    from ldn_tui.tui.app import LdnApp
    from ldn_tui.tui.widgets.search import SearchInput

    app = LdnApp(FIXTURE)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2", "enter")
        await pilot.pause()
        await pilot.press("slash")
        app.post_message(events.Paste("cytokine"))  # before anything else has run
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one(SearchInput).value == "cytokine"


async def test_a_path_typed_in_one_burst_lands_exactly(
    tmp_path: Path, ready: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ldn_tui.tui.app import LdnApp
    from ldn_tui.tui.screens.main import MainScreen

    monkeypatch.chdir(tmp_path)  # should a key go astray, the default name lands here
    target = tmp_path / "sub dir" / "rep.md"
    target.parent.mkdir()
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    app = LdnApp(FIXTURE)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await burst(pilot, "e", *str(target), "enter")  # the default name is replaced, not added to
        assert isinstance(app.screen, MainScreen)
        assert target.read_text(encoding="utf-8").startswith("#")
        await burst(pilot, "e", *str(fifo), "enter")
        assert "FIFO" in str(app.screen.query_one("#export-error").render())
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        await pilot.press("escape")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.md", "sub dir"]
    assert os.listdir(target.parent) == ["rep.md"]


async def test_a_long_search_error_wraps_instead_of_being_cut(ready: Any) -> None:
    from textual.widgets import Static

    from ldn_tui.tui.app import LdnApp
    from ldn_tui.tui.widgets.search import SearchInput

    app = LdnApp(FIXTURE)
    async with app.run_test(size=(80, 30)) as pilot:
        await ready(pilot)
        await pilot.press("slash")
        app.screen.query_one(SearchInput).value = 'year:abc "unclosed'
        await settled(pilot)
        status = app.screen.query_one("#search-status", Static)
        assert status.has_class("-error")
        message = str(status.render())
        assert len(message) > status.region.width  # longer than one line of the status...
        lines = [strip.text.strip() for strip in app.screen._compositor.render_strips()]
        shown_words = " ".join(line for line in lines if line).split()
        for word in message.split():
            assert word in " ".join(shown_words), word  # ...and every word of it is on screen


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_a_slow_load_can_be_quit(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load that would not end by itself: q (or Ctrl+C) quits, and the loader thread stops."""
    import threading

    from ldn_tui.records import loader
    from ldn_tui.tui.app import LdnApp

    started, stopped, never = threading.Event(), threading.Event(), threading.Event()

    def endless(folder: object, progress: Any = None, **_: object) -> object:
        started.set()
        try:
            while not never.wait(0.01):  # reading, reading...
                progress(0, 1)
        finally:
            stopped.set()
        raise AssertionError("unreachable")

    monkeypatch.setattr(loader, "check_evidence", endless)
    app = LdnApp(FIXTURE)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            assert started.wait(10)
            await pilot.press(key)
            await pilot.pause()
            assert not app.is_running
        assert stopped.wait(10)
    finally:
        never.set()


def test_folder_names_shown_in_the_app_carry_no_control_characters() -> None:
    from ldn_tui.tui.screens.loading import LoadingScreen

    screen = LoadingScreen(Path("/tmp/a\x1b]0;title\x07b\u202e"))
    assert screen.shown == "/tmp/a]0;titleb"
