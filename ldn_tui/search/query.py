"""Search queries: their syntax, parsed into words, phrases and filters, and what each filter tests.

``parse_query`` turns what a user types into a :class:`Query`: folded words that must all
occur, ``"quoted phrases"``, and ``name:value`` filters (``FILTERS``: ``year:2013..2024``,
``dose:>=4.5``, ``type:study,review``, ``marker:IL-6``...), or raises :class:`QueryError`
with a message meant for the user. ``ldn_tui.search.index`` matches queries against its index.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ldn_tui.model import Mechanism, Question, Review, Study, Trial

from .folding import normalize

Record = Study | Review | Mechanism | Question | Trial
KINDS = ("study", "review", "mechanism", "question", "trial")


def _kind(record: Record) -> str:
    return KINDS[(Study, Review, Mechanism, Question, Trial).index(type(record))]


class QueryError(ValueError):
    """A malformed query; ``str(error)`` is a message meant for the user."""


# --- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NumRange:
    """A numeric interval; ``None`` bounds are open."""

    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    def __contains__(self, x: float) -> bool:
        if self.low is not None and (x < self.low or (x == self.low and not self.low_inclusive)):
            return False
        return not (self.high is not None and (x > self.high or (x == self.high and not self.high_inclusive)))


@dataclass(frozen=True, slots=True)
class Filter:
    """``name:value``: text filters carry folded ``options`` (any may match), numeric ones a ``range``."""

    name: str
    value: str
    options: tuple[str, ...] = ()
    range: NumRange | None = None

    def accepts(self, value: Any) -> bool:
        """Whether a record whose ``_VALUES[self.name]`` is ``value`` passes."""
        if self.range is not None:
            return value is not None and value in self.range
        if self.name == "marker":
            return any(_word_re(o).search(v) for v in value for o in self.options)
        return any(o in v for v in value for o in self.options)

    def value_of(self, record: Record) -> Any:
        """What this filter reads of ``record`` (a year, an enrolment, a dose, or folded texts)."""
        return _VALUES[self.name](record)

    def matches(self, record: Record) -> bool:
        return self.accepts(_VALUES[self.name](record))


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: folded ``terms`` (words), folded ``phrases`` and ``filters``."""

    text: str
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()

    @property
    def needles(self) -> tuple[str, ...]:
        """The distinct folded words and phrases that must all occur in a record."""
        return tuple(dict.fromkeys(self.terms + self.phrases))


@functools.lru_cache(maxsize=4096)
def _normalized(text: str) -> str:
    """``normalize``, remembered: a filter reads every record's values on its first keystroke,
    and most are the same few texts (designs, biomarkers): issue 10's 30 ms per keystroke."""
    return normalize(text)


def _texts(*values: str | None) -> tuple[str, ...]:
    return tuple(map(_normalized, filter(None, values)))


def _of(kind: type | tuple[type, ...], get: Callable[[Any], tuple[str, ...]]) -> Callable[[Record], Any]:
    return lambda r: get(r) if isinstance(r, kind) else ()


# Per filter: the value it tests (folded strings, a number or None); a kind without it gets ().
_VALUES: dict[str, Callable[[Record], Any]] = {
    "type": lambda r: (_kind(r),),
    "id": lambda r: _texts(r.id),
    "design": _of(Study, lambda s: _texts(s.design)),
    "blinding": _of(Study, lambda s: _texts(s.blinding)),
    "country": _of((Study, Trial), lambda s: _texts(s.country)),
    "result": _of(Study, lambda s: _texts(*(o.result for o in s.outcomes))),
    "domain": lambda r: _texts(*(x.domain for x in (r.outcomes if isinstance(r, Study) else
                                                     r.findings if isinstance(r, Review) else ()))),
    "marker": _of(Study, lambda s: _texts(*(b.marker for b in s.biomarkers))),
    "author": _of((Study, Review), lambda s: _texts(*s.authors)),
    "status": _of((Mechanism, Trial), lambda m: _texts(m.status)),  # a trial's as read (trials.toml)
    "certainty": _of(Review, lambda v: _texts(v.certainty)),
    "doi": _of((Study, Review), lambda s: _texts(s.doi)),
    "pmid": _of((Study, Review), lambda s: _texts(s.pmid)),
    "year": lambda r: r.year if isinstance(r, (Study, Review)) else None,
    "n": lambda r: r.population.n_enrolled if isinstance(r, Study) else None,
    "dose": lambda r: r.intervention.dose_mg if isinstance(r, Study) else None,
}
_NUMERIC = {"year": True, "n": True, "dose": False}  # name -> whole numbers only
FILTERS = tuple(_VALUES)
_ALIASES = {"authors": "author", "markers": "marker", "years": "year"}
_TYPES = {"study": "study", "studies": "study", "review": "review", "reviews": "review",
          "mechanism": "mechanism", "mechanisms": "mechanism", "question": "question", "questions": "question",
          "trial": "trial", "trials": "trial"}
_EXAMPLES = {"year": "year:2013..2024 or year:>=2020", "dose": "dose:>=4.5 or dose:3..4.5", "n": "n:>50",
             "type": "type:study,review", "marker": "marker:IL-6", "design": "design:crossover",
             "status": "status:completed type:trial"}
_TOKEN = re.compile(r'(?P<name>[A-Za-z]+):(?:"(?P<qvalue>[^"]*)"|(?P<value>[^\s"]*))'
                    r'|"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+)')
_NUM = r"(\d+(?:\.\d*)?|\.\d+)"
_COMPARE = re.compile(rf"(>=|<=|==|>|<|=)?{_NUM}", re.ASCII)
_RANGE = re.compile(rf"{_NUM}?\.\.{_NUM}?", re.ASCII)
_SEPARATORS = str.maketrans(dict.fromkeys("\x00\x01\x02", " "))  # used inside the index
_QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u201f", '"'))


@functools.lru_cache(maxsize=256)
def _word_re(option: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(option)}(?!\w)")


def _number(name: str, text: str) -> float:
    if _NUMERIC[name] and "." in text:
        raise QueryError(f'{name}: "{text}" is not a whole number')
    return float(text)


def _parse_range(name: str, value: str) -> NumRange:
    if m := _RANGE.fullmatch(value):
        if m[1] is None and m[2] is None:
            raise QueryError(f'{name}: the range ".." needs at least one end, e.g. {_EXAMPLES[name]}')
        low = None if m[1] is None else _number(name, m[1])
        high = None if m[2] is None else _number(name, m[2])
        if low is not None and high is not None and low > high:
            raise QueryError(f"{name}: the range {value} is reversed (did you mean {m[2]}..{m[1]}?)")
        return NumRange(low, high)
    if m := _COMPARE.fullmatch(value):
        op, x = m[1] or "=", _number(name, m[2])
        return {">": NumRange(x, None, False), ">=": NumRange(x), "<": NumRange(None, x, True, False),
                "<=": NumRange(None, x)}.get(op, NumRange(x, x))
    what = "a whole number" if _NUMERIC[name] else "a number"
    raise QueryError(f'{name}: "{value}" is not {what}, a comparison or a range (try {_EXAMPLES[name]})')


def _make_filter(raw_name: str, value: str) -> Filter:
    name = _ALIASES.get(raw_name.lower(), raw_name.lower())
    if name not in _VALUES:
        import difflib  # only for a mistyped filter: a search process starts without it

        close = difflib.get_close_matches(name, [*FILTERS, *_ALIASES], n=1, cutoff=0.6)
        hint = f' (did you mean "{_ALIASES.get(close[0], close[0])}:"?)' if close else ""
        raise QueryError(f'unknown filter "{raw_name}:"{hint}; filters are {", ".join(FILTERS)} '
                         '(quote text that contains a colon to search for it)')
    options = tuple(o for o in (normalize(v) for v in value.split(",")) if o)
    if not options:
        raise QueryError(f'filter "{name}:" needs a value right after the colon, '
                         f'e.g. {_EXAMPLES.get(name, name + ":...")}')
    if name in _NUMERIC:
        return Filter(name, value, range=_parse_range(name, value.strip()))
    if name == "type":
        if unknown := [o for o in options if o not in _TYPES]:
            raise QueryError(f'type: "{unknown[0]}" is not a record type (use {", ".join(KINDS)})')
        options = tuple(_TYPES[o] for o in options)
    return Filter(name, value, options)


def parse_query(text: str) -> Query:
    """Parse a query; raises :class:`QueryError` with a readable message when it is malformed."""
    source = text.translate(_QUOTES).translate(_SEPARATORS)
    words: list[str] = []
    phrases: list[str] = []
    filters: list[Filter] = []
    pos = 0
    while pos < len(source):
        if source[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(source, pos)
        if m is None or (m["name"] and m["qvalue"] is None and source.startswith('"', m.end())):
            at = pos if m is None else m.end()
            raise QueryError(f'unterminated quote at character {at + 1}: add the closing "')
        if m["name"]:
            filters.append(_make_filter(m["name"], m["qvalue"] if m["qvalue"] is not None else m["value"]))
        elif m["phrase"] is not None:
            phrases.append(normalize(m["phrase"]))
        else:
            words.append(normalize(m["word"]))
        pos = m.end()
    return Query(text, tuple(w for w in words if w), tuple(p for p in phrases if p), tuple(filters))
