"""Typed reads of one parsed TOML table that collect problems instead of raising.

``Table`` reads a field as text, an integer, a number, a flag, a date, one of
some choices, a slug, a list of strings or a (list of) sub-table(s); anything
else is a problem naming the file and the field's dotted path, and the read
gives None. ``ldn_tui.records.schema`` builds the records from these reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from typing import Any

from ldn_tui.model import Problem
from ldn_tui.text import clean, one_line

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_MISSING: Any = object()


MAX_INT = 2**53


def shown_int(value: int) -> str:
    """An integer as a problem message shows it: in full unless it is absurdly long (a hex
    literal can be longer than ``str`` converts: its digits are then only counted)."""
    sign = "-" if value < 0 else ""
    if value.bit_length() > 14_000:  # past sys.get_int_max_str_digits() (4300) decimal digits
        return f"{sign}an integer of about {round(value.bit_length() * 0.30103)} digits"
    digits = str(abs(value))
    if len(digits) <= 20:
        return str(value)
    return f"{sign}{digits[:6]}… (an integer of {len(digits)} digits)"


# Keys often written in the table below the one they belong to: (table, key) -> where they go.
MISPLACED = {("effect", "p_value"): "p_value belongs on the outcome (above its [outcomes.effect] table)"}


def closest(word: str, options: Iterable[str]) -> str | None:
    import difflib  # only for a problem: a clean folder loads without it

    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return found[0] if found else None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    return "a time"


class Ctx:
    """Where problems go, and which file they are about."""

    __slots__ = ("path", "problems")

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.path, one_line(field), one_line(message)))


class Table:
    """Typed, problem-collecting access to one TOML table.

    ``where`` names the table in problems: the prefix of its fields ("" for a file's top
    level, "outcomes[2].effect." for a sub-table), or for a sub-table its parent, key and
    index in that array (None: not in an array), from which the prefix is worked out
    when a problem needs it. A clean record needs none.
    """

    __slots__ = ("_where", "ctx", "data")

    def __init__(self, ctx: Ctx, data: dict[str, Any], where: str | tuple[Table, str, int | None]) -> None:
        self.ctx = ctx
        self.data = data
        self._where = where

    @property
    def prefix(self) -> str:
        where = self._where
        if isinstance(where, str):
            return where
        parent, key, index = where
        self._where = prefix = f"{parent.f(key)}." if index is None else f"{parent.f(key)}[{index}]."
        return prefix

    def f(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def problem(self, key: str, message: str) -> None:
        self.ctx.add(self.f(key), message)

    def known(self, keys: AbstractSet[str]) -> None:
        if self.data.keys() <= keys:
            return  # the common case, checked in C
        for key in self.data:
            if key not in keys:
                moved = MISPLACED.get((self.prefix.rstrip(".").rsplit(".", 1)[-1], key))
                hint = None if moved else closest(key, keys)
                self.problem(key, f"unknown key: {moved}" if moved else
                             f"unknown key, did you mean {hint}?" if hint else "unknown key")

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING and required:
            self.problem(key, "missing required field")
        return value

    def _wrong(self, key: str, expected: str, value: Any) -> None:
        self.problem(key, f"expected {expected}, got {_kind(value)}")

    # The readers below inline ``_get`` and ``clean``'s fast path: they run a million
    # times when loading ten thousand records.

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.data.get(key, _MISSING)
        if not isinstance(value, str):
            if value is _MISSING:
                if required:
                    self.problem(key, "missing required field")
                return None
            self._wrong(key, "a string", value)
            return None
        # A paragraph is not "printable" (newlines); when newlines are the only reason, it is clean.
        printable = value.isprintable() or ("\n" in value and value.replace("\n", " ").isprintable())
        text = (value if printable else clean(value)).strip()
        if not text:
            self.problem(key, "empty: leave the field out when it is not reported")
            return None
        return text

    def integer(self, key: str, required: bool = False, minimum: int | None = 0) -> int | None:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.problem(key, "missing required field")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(key, "an integer", value)
            return None
        if minimum is not None and value < minimum:
            self.problem(key, f"{shown_int(value)} is impossible: must be at least {minimum}")
            return None
        if value > MAX_INT:  # the statistics work in floats, which hold integers exactly up to here
            self.problem(key, f"{shown_int(value)} is out of range: must be at most {MAX_INT}")
            return None
        return value

    def number(
        self, key: str, required: bool = False, low: float | None = None, high: float | None = None,
        low_open: bool = False,
    ) -> float | None:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.problem(key, "missing required field")
            return None
        if type(value) is float:
            number = value
        elif isinstance(value, int) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:  # an integer literal beyond any float
                self.problem(key, f"{shown_int(value)} is out of range for a number")
                return None
        else:
            self._wrong(key, "a number", value)
            return None
        if not math.isfinite(number):
            self.problem(key, f"{value} is not a finite number")
            return None
        if low is not None and (number < low or (low_open and number == low)):
            bound = f"greater than {low:g}" if low_open else f"at least {low:g}"
            self.problem(key, f"{value} is impossible: must be {bound}")
            return None
        if high is not None and number > high:
            self.problem(key, f"{value} is impossible: must be at most {high:g}")
            return None
        return number

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self._wrong(key, "true or false", value)
            return default
        return value

    def enum(self, key: str, choices: tuple[str, ...], required: bool = True) -> str | None:
        value = self.data.get(key)
        if type(value) is str and value in choices:
            return value  # the common case: a choice is a clean, non-empty text
        value = self.text(key, required)
        if value is None:
            return None
        if value not in choices:
            hint = closest(value, choices)
            extra = f"; did you mean {hint}?" if hint else ""
            self.problem(key, f"'{value}' is not one of {', '.join(choices)}{extra}")
            return None
        return value

    def slug(self, key: str = "id") -> str | None:
        value = self.text(key)
        if value is not None and not SLUG.match(value):
            self.problem(key, f"'{value}' is not a lowercase slug (a-z, 0-9 and '-', starting with a letter or digit)")
            return None
        return value

    def strs(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is _MISSING:
            return ()
        if not isinstance(value, list):
            self._wrong(key, "an array of strings", value)
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if type(item) is str and item.isprintable() and (text := item.strip()):
                out.append(text)  # the common case: clean already
            elif not isinstance(item, str):
                self.ctx.add(f"{self.f(key)}[{i}]", f"expected a string, got {_kind(item)}")
            elif not item.strip():
                self.ctx.add(f"{self.f(key)}[{i}]", "empty string")
            else:
                out.append(clean(item).strip())
        return tuple(out)

    def day(self, key: str, required: bool = False) -> date | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self._wrong(key, "a TOML date (YYYY-MM-DD, unquoted)", value)
            return None
        if value > date.today():
            self.problem(key, f"{value.isoformat()} is in the future")
            return None
        return value

    def table(self, key: str, required: bool = False) -> Table | None:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if required:
                header = f" (a [{key}] section)" if not self.prefix else ""
                self.problem(key, f"missing required table{header}")
            return None
        if not isinstance(value, dict):
            self._wrong(key, "a table", value)
            return None
        return Table(self.ctx, value, (self, key, None))

    def tables(self, key: str, required: bool = False) -> list[Table]:
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self._wrong(key, f"an array of tables ([[{key}]])", value)
            return []
        out: list[Table] = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append(Table(self.ctx, item, (self, key, i)))
            else:
                self.ctx.add(f"{self.f(key)}[{i}]", f"expected a table, got {_kind(item)}")
        return out
