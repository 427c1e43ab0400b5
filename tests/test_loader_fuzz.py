"""Generated broken folders: problems, never exceptions."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ldn_tui.records.loader import check_evidence

FIXTURE = Path(__file__).parent / "data" / "evidence"
FILES = sorted(p.relative_to(FIXTURE).as_posix() for p in FIXTURE.rglob("*.toml"))

VALUES = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f).replace("inf", "inf").lower()),
    st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.sampled_from(["true", "[]", "{}", "[1, 2]", '["a", 3]', "2020-01-01", "2999-12-31", "{ x = 1 }", "[[x]]"]),
    st.sampled_from(["1" + "0" * 400, "-" + "9" * 330]),  # integers beyond any float
)


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(FILES))
    raw = (FIXTURE / name).read_bytes()
    lines = raw.split(b"\n")
    kind = draw(st.sampled_from(["value", "delete", "bytes", "slice", "key"]))
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "value" and b"=" in lines[i]:
        key = lines[i].split(b"=", 1)[0]
        lines[i] = key + b"= " + draw(VALUES).encode("utf-8", "surrogatepass")
    elif kind == "delete":
        del lines[i]
    elif kind == "bytes":
        lines[i] = lines[i] + draw(st.binary(min_size=1, max_size=8))
    elif kind == "key" and b"=" in lines[i]:
        value = lines[i].split(b"=", 1)[1]
        word = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
        lines[i] = word.encode() + b" =" + value
    else:
        start = draw(st.integers(0, len(raw)))
        end = draw(st.integers(start, min(len(raw), start + 40)))
        return name, raw[:start] + draw(st.binary(max_size=12)) + raw[end:]
    return name, b"\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutation())
def test_broken_files_give_problems_not_exceptions(change: tuple[str, bytes]) -> None:
    name, content = change
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ev"
        shutil.copytree(FIXTURE, folder)
        (folder / name).write_bytes(content)
        evidence, problems = check_evidence(folder)
        if evidence is None:
            assert problems, "a folder that does not load must say why"
        for problem in problems:
            text = str(problem)
            assert "\n" not in text and "\x1b" not in text
            assert text.startswith(str(folder))
