"""The generated fast path (``ldn_tui.records._fastpath``) against the rules it is compiled from.

Whenever the fast path builds a record, reading the same table with every problem
named (``schema.build``) must build the very same record with no problem; on the
records people write, it must build them (else it would be slow for nothing).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ldn_tui.model import Problem
from ldn_tui.records import _fastpath as fastpath
from ldn_tui.records import fastgen
from ldn_tui.records import schema as S
from ldn_tui.records import shapes as H
from ldn_tui.records.paths import bundled_evidence
from ldn_tui.records.readers import Ctx, Table
from ldn_tui.text import clean, plain

HERE = Path(__file__).parent
FOLDERS = (Path(bundled_evidence()), HERE / "data" / "evidence")
RECORDS = sorted(
    (sub, path) for folder in FOLDERS for sub in ("studies", "reviews") for path in (folder / sub).rglob("*.toml")
)


SHAPES = {"studies": H.STUDY, "reviews": H.REVIEW, "mechanism": H.MECHANISM, "question": H.QUESTION}


def slow(sub: str, data: dict[str, Any]) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    shape = SHAPES[sub]
    path = "p.toml" if shape.with_path else None
    return S.build(shape, Table(Ctx("f.toml", problems), data, ""), path), problems


def fast(sub: str, data: dict[str, Any], is_plain: bool) -> Any:
    if sub == "mechanism":
        return fastpath.mechanism(data, is_plain)
    if sub == "question":
        return fastpath.question(data, is_plain)
    return (fastpath.study if sub == "studies" else fastpath.review)(data, "p.toml", is_plain)


# The entries of mechanisms.toml and questions.toml, compiled too.
ENTRIES = [
    (key, entry)
    for folder in FOLDERS
    for name, key in (("mechanisms.toml", "mechanism"), ("questions.toml", "question"))
    for entry in tomli.loads((folder / name).read_text(encoding="utf-8"))[key]
]


@pytest.mark.parametrize(("key", "entry"), ENTRIES, ids=[f"{k}-{e['id']}" for k, e in ENTRIES])
def test_clean_entries_take_the_fast_path_and_match_the_full_read(key: str, entry: dict[str, Any]) -> None:
    expected, problems = slow(key, entry)
    assert problems == [] and expected is not None
    assert fast(key, entry, False) == expected == fast(key, entry, True)


def test_the_generated_module_is_current() -> None:
    """``python -m ldn_tui.records.fastgen`` writes it; an edit of the shapes without it fails here."""
    assert fastgen.source() == fastgen.TARGET.read_text(encoding="utf-8")
    assert fastgen.main(["--check"]) == 0


@pytest.mark.parametrize(("sub", "path"), RECORDS, ids=[f"{p.parent.parent.name}/{p.name}" for _, p in RECORDS])
def test_clean_records_take_the_fast_path_and_match_the_full_read(sub: str, path: Path) -> None:
    raw = path.read_bytes()
    data = tomli.loads(raw.decode("utf-8"))
    expected, problems = slow(sub, data)
    assert problems == [] and expected is not None
    assert plain(raw)  # the bundled files use line-ending backslashes and \" but nothing to clean
    for is_plain in (True, False):
        assert fast(sub, data, is_plain) == expected


# --------------------------------------------------------------------------- mutated tables

SEEDS = [(sub, tomli.loads(path.read_text(encoding="utf-8"))) for sub, path in RECORDS] + ENTRIES[:1] + ENTRIES[-1:]

ODD_VALUES = st.one_of(
    st.none(),  # the key is removed
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from([" padded ", "tab\there", "bell\x07", "rtl\u202eltr", "", "  ", "10.1/x", "123", "RR",
                     "placebo", "2024-01-01", "a\nb", "nbsp\u00a0"]),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    st.just({}),
    st.dates(),
)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a parsed table that holds a value: dict keys and list items."""
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, sub in items:
        found.append((*at, key))
        found.extend(_paths(sub, (*at, key)))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    sub, seed = draw(st.sampled_from(SEEDS))
    data = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 3))):
        places = _paths(data)
        where = draw(st.sampled_from(places))
        parent: Any = data
        for step in where[:-1]:
            parent = parent[step]
        value = draw(ODD_VALUES)
        if value is None:
            del parent[where[-1]]
        elif draw(st.booleans()) and isinstance(parent, dict):
            parent[draw(st.sampled_from(["unknown", "ci_low", "arms", "effect", "doi", "events"]))] = value
        else:
            parent[where[-1]] = value
    return sub, data


def _check(sub: str, data: dict[str, Any]) -> None:
    built = fast(sub, data, False)
    expected, problems = slow(sub, data)
    if built is not None:
        assert problems == [], json.dumps(data, default=str)[:300]
        assert built == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_fast_path_builds_only_what_the_full_read_builds_without_problems(case: tuple[str, dict[str, Any]]) -> None:
    _check(*case)


# Each value at every place of every record: bounds, types, text that needs cleaning.
EDGES: tuple[Any, ...] = (
    0, -1, 1, 1800, 2100, 2**53, 2**53 + 1, 10**400, 0.0, -0.5, 0.5, 1.0, 1.5, 100.0, 100.5, 120.5,
    1e300, float("inf"), float("nan"), True, "", " x ", "x\ty", "\x07", "\u202e", "x\ny", "10.1/x", "x10.", "12a",
    "RR", "MD", "placebo", "high", [], ["a"], [""], ["\x07"], [1], {}, {"events": 1, "total": 2},
)


def _variants(data: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for where in _paths(data):
        for value in (None, *EDGES):
            changed = copy.deepcopy(data)
            parent: Any = changed
            for step in where[:-1]:
                parent = parent[step]
            if value is None:
                del parent[where[-1]]
            else:
                parent[where[-1]] = value
            out.append(changed)
    return out


# The fixture records (made to cover the format: effects, both kinds of arms, biomarkers,
# risk of bias, review findings) and the bundled reviews.
# And a mechanism and a question.
EDGE_SEEDS = [i for i, (sub, p) in enumerate(RECORDS) if p.is_relative_to(FOLDERS[1]) or sub == "reviews"]
EDGE_SEEDS += [len(SEEDS) - 2, len(SEEDS) - 1]
EDGE_IDS = [f"{RECORDS[i][1].parent.parent.name}/{RECORDS[i][1].name}" if i < len(RECORDS) else SEEDS[i][0]
            for i in EDGE_SEEDS]


@pytest.mark.parametrize("index", EDGE_SEEDS, ids=EDGE_IDS)
def test_every_edge_value_everywhere(index: int) -> None:
    sub, seed = SEEDS[index]
    for data in _variants(seed):
        _check(sub, data)


# --------------------------------------------------------------------------- plain files


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('a = "text"\n', True),
        ('a = "say \\"this\\" and C:\\\\"\n', True),
        ('a = """\nline one \\\n  line two\\nthree"""\n', True),
        ('a = "tab\\there"\n', False),  # escapes that spell what clean() changes
        ('a = "bell\\u0007"\n', False),
        ('a = "bell\\U00000007"\n', False),
        ("a = 'literal\tTAB'\n", False),  # raw control characters
        ('a = "x"\r\n', False),
        ('a = "C1 \u0085 here"\n', False),
        ('a = "bidi \u202e here"\n', False),
        ('a = "marks \u200f here"\n', False),
        ('a = "en dash \u2013 and curly \u201cquotes\u201d"\n', True),
    ],
)
def test_plain_files(source: str, expected: bool) -> None:
    assert plain(source.encode("utf-8")) is expected


def test_plain_and_clean_agree_on_every_character() -> None:
    """``plain`` restates, on UTF-8 bytes, the characters ``clean`` changes: a file holding one
    character is plain exactly when ``clean`` leaves that character alone (the backslash aside,
    which only starts an escape)."""
    for code in [*range(0x3000), *range(0xFE00, 0x10000), 0x1F600, 0xE0001, 0x10FFFF]:
        char = chr(code)
        if 0xD800 <= code < 0xE000 or char == "\\":
            continue
        assert plain(char.encode("utf-8")) is (clean(char) == char), hex(code)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [s for item in items for s in _strings(item)]


TOML_TEXT = st.text(
    alphabet=st.sampled_from(list("ab \n\\\"'\t\r\x07\x85\u202e\u2013nrtuU0e")), max_size=24
)


@settings(max_examples=400, deadline=None)
@given(TOML_TEXT, st.sampled_from(['"', '"""', "'", "'''"]))
def test_a_plain_file_holds_no_text_that_needs_cleaning(body: str, quote: str) -> None:
    """Whatever the escapes and characters, a file ``plain`` accepts parses (if it parses at
    all) to strings that ``clean`` leaves as they are."""
    source = f"a = {quote}{body}{quote}\n"
    raw = source.encode("utf-8")
    try:
        data = tomli.loads(source)
    except tomli.TOMLDecodeError:
        return
    if plain(raw):
        assert all(clean(s) == s for s in _strings(data)), source
