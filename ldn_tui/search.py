"""Keyword search over an :class:`~ldn_tui.model.Evidence`: parsing, an index, ranked hits.

Pure standard library (no Rich, no Textual). Text is compared *folded*: NFKD,
combining marks dropped, casefolded, Unicode dashes turned into ``-`` and
whitespace runs collapsed, so "Rodríguez" matches "rodriguez" and "β" stays "β".
Words match as substrings of the folded text ("cytokine" matches "cytokines"),
every word and ``"quoted phrase"`` must occur somewhere in the record (not
necessarily in the same field), and ``name:value`` filters narrow the records.

Ranking: each word or phrase scores ``4 * min(count in id/title/question/
authors/keywords/markers, 3) + min(count in any other field, 3)``, plus 10 when
it equals the record id. Higher scores first; ties go to the newer record, then
to the id (records without a year come after dated ones).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .model import Evidence, Mechanism, Question, Review, Study

Record = Study | Review | Mechanism | Question
Span = tuple[int, int]
KINDS = ("study", "review", "mechanism", "question")
SNIPPET_WIDTH = 100


class QueryError(ValueError):
    """A malformed query; ``str(error)`` is a message meant for the user."""


# --- folding -------------------------------------------------------------------------------

_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")


def _drop_marks(text: str) -> str:
    return "".join(c for c in text if not (unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me")))


@functools.lru_cache(maxsize=8192)
def _fold_run(run: str) -> str:
    text = _drop_marks(unicodedata.normalize("NFKD", run)).casefold()
    return _drop_marks(unicodedata.normalize("NFKD", text)).translate(_DASHES)


def fold(text: str) -> str:
    """Fold ``text`` for comparison (case, accents, dashes); works char by char, so
    ``fold(a + b) == fold(a) + fold(b)``. Whitespace is kept as is."""
    if text.isascii():
        return text.lower()
    parts = _NON_ASCII.split(text)
    return "".join([p.lower() if i % 2 == 0 else _fold_run(p) for i, p in enumerate(parts)])


def normalize(text: str) -> str:
    """``fold`` with whitespace runs collapsed to one space and the ends stripped."""
    return " ".join(fold(text).split())


@functools.lru_cache(maxsize=65536)
def _norm_cached(text: str) -> str:
    return normalize(text)


def _fold_map(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """``normalize(text)`` plus, per folded char, the [start, end) of the chars of ``text``
    it came from (``None`` maps mean identity)."""
    if text.isascii() and " ".join(text.split()) == text:
        return text.lower(), None, None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        emitted = False
        for o in ch.lower() if ch.isascii() else _fold_run(ch):
            if o.isspace():
                if not out or out[-1] == " ":
                    continue
                o = " "
            out.append(o)
            starts.append(i)
            ends.append(i + 1)
            emitted = True
        if not emitted and ends and ends[-1] == i:
            ends[-1] = i + 1  # a dropped mark or extra space belongs to the char before it
    if out and out[-1] == " ":
        del out[-1], starts[-1], ends[-1]
    return "".join(out), starts, ends


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _find_spans(text: str, needles: Sequence[str]) -> list[Span]:
    """Every occurrence of every needle in ``text``, as merged [start, end) spans of ``text``."""
    folded, starts, ends = _fold_map(text)
    found: list[Span] = []
    for needle in needles:
        pos = folded.find(needle)
        while pos != -1:
            end = pos + len(needle)
            found.append((pos, end) if starts is None or ends is None else (starts[pos], ends[end - 1]))
            pos = folded.find(needle, pos + 1)
    return _merge(found)


# --- queries -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NumRange:
    """A numeric interval; ``None`` bounds are open-ended."""

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
    """One ``name:value`` filter: text filters carry folded ``options`` (any may match),
    numeric ones a ``range``."""

    name: str
    value: str
    options: tuple[str, ...] = ()
    range: NumRange | None = None

    def matches(self, record: Record) -> bool:
        if self.range is not None:
            number = _NUMERIC[self.name][0](record)
            return number is not None and number in self.range
        if self.name == "type":
            return _kind(record) in self.options
        values = [_norm_cached(v) for v in _TEXT[self.name](record) if v]
        if self.name == "marker":
            return any(_word_re(o).search(v) for v in values for o in self.options)
        return any(o in v for v in values for o in self.options)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: folded ``terms`` (words), folded ``phrases`` and ``filters``."""

    text: str
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()

    @property
    def needles(self) -> tuple[str, ...]:
        """The distinct folded strings that must all occur in a record."""
        return tuple(dict.fromkeys(self.terms + self.phrases))


def _authors(r: Record) -> Sequence[str]:
    return r.authors if isinstance(r, (Study, Review)) else ()


def _study(get: Callable[[Study], str | None]) -> Callable[[Record], Sequence[str | None]]:
    return lambda r: (get(r),) if isinstance(r, Study) else ()


_TEXT: dict[str, Callable[[Record], Sequence[str | None]]] = {
    "id": lambda r: (r.id,),
    "design": _study(lambda s: s.design),
    "blinding": _study(lambda s: s.blinding),
    "country": _study(lambda s: s.country),
    "result": lambda r: [o.result for o in r.outcomes] if isinstance(r, Study) else (),
    "domain": lambda r: (
        [o.domain for o in r.outcomes] if isinstance(r, Study)
        else [f.domain for f in r.findings] if isinstance(r, Review) else ()
    ),
    "marker": lambda r: [b.marker for b in r.biomarkers] if isinstance(r, Study) else (),
    "author": _authors,
    "status": lambda r: (r.status,) if isinstance(r, Mechanism) else (),
    "certainty": lambda r: (r.certainty,) if isinstance(r, Review) else (),
    "doi": lambda r: (r.doi,) if isinstance(r, (Study, Review)) else (),
    "pmid": lambda r: (r.pmid,) if isinstance(r, (Study, Review)) else (),
}
# name -> (getter, whole numbers only)
_NUMERIC: dict[str, tuple[Callable[[Record], float | None], bool]] = {
    "year": (lambda r: r.year if isinstance(r, (Study, Review)) else None, True),
    "n": (lambda r: r.population.n_enrolled if isinstance(r, Study) else None, True),
    "dose": (lambda r: r.intervention.dose_mg if isinstance(r, Study) else None, False),
}
FILTERS = ("type", *_TEXT, *_NUMERIC)
_ALIASES = {"kind": "type", "authors": "author", "designs": "design", "markers": "marker", "years": "year"}
_TYPES = {**{k: k for k in KINDS}, "studies": "study", "reviews": "review", "mechanisms": "mechanism",
          "questions": "question"}
_EXAMPLES = {"year": "year:2013..2024, year:>=2020", "dose": "dose:>=4.5, dose:3..4.5", "n": "n:>50",
             "type": "type:study,review", "marker": "marker:IL-6", "design": "design:crossover"}

_TOKEN = re.compile(r'(?P<name>[A-Za-z]+):(?:"(?P<qvalue>[^"]*)"|(?P<value>[^\s"]*))'
                    r'|"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+)')
_NUM = r"(\d+(?:\.\d*)?|\.\d+)"
_COMPARE = re.compile(rf"(>=|<=|==|>|<|=)?{_NUM}", re.ASCII)
_RANGE = re.compile(rf"{_NUM}?\.\.{_NUM}?", re.ASCII)
_QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb", '"'))


@functools.lru_cache(maxsize=256)
def _word_re(option: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(option)}(?!\w)")


def _number(name: str, text: str, whole: bool) -> float:
    if whole and "." in text:
        raise QueryError(f'{name}: "{text}" is not a whole number')
    return float(text)


def _parse_range(name: str, value: str) -> NumRange:
    whole = _NUMERIC[name][1]
    if m := _RANGE.fullmatch(value):
        if m[1] is None and m[2] is None:
            raise QueryError(f'{name}: the range ".." needs at least one end, e.g. {_EXAMPLES[name]}')
        low = None if m[1] is None else _number(name, m[1], whole)
        high = None if m[2] is None else _number(name, m[2], whole)
        if low is not None and high is not None and low > high:
            raise QueryError(f"{name}: the range {value} is reversed (did you mean {m[2]}..{m[1]}?)")
        return NumRange(low, high)
    if m := _COMPARE.fullmatch(value.replace(" ", "")):
        op, x = m[1] or "=", _number(name, m[2], whole)
        return {">": NumRange(x, None, False), ">=": NumRange(x), "<": NumRange(None, x, True, False),
                "<=": NumRange(None, x)}.get(op, NumRange(x, x))
    kind = "a whole number" if whole else "a number"
    raise QueryError(f'{name}: "{value}" is not {kind}, a comparison or a range (try {_EXAMPLES[name]})')


def _make_filter(raw_name: str, value: str) -> Filter:
    name = raw_name.lower()
    name = _ALIASES.get(name, name)
    if name not in FILTERS:
        close = difflib.get_close_matches(name, [*FILTERS, *_ALIASES], n=1, cutoff=0.6)
        hint = f' — did you mean "{_ALIASES.get(close[0], close[0])}:"?' if close else ""
        raise QueryError(f'unknown filter "{raw_name}:"{hint} (filters: {", ".join(FILTERS)}; '
                         'put text containing a colon in quotes to search for it)')
    if not value.strip():
        raise QueryError(f'filter "{name}:" needs a value, e.g. {_EXAMPLES.get(name, name + ":...")} '
                         "(no space after the colon)")
    if name in _NUMERIC:
        return Filter(name, value, range=_parse_range(name, value.strip()))
    options = tuple(o for o in (normalize(v) for v in value.split(",")) if o)
    if not options:
        raise QueryError(f'filter "{name}:" needs a value, e.g. {_EXAMPLES.get(name, name + ":...")}')
    if name == "type":
        unknown = [o for o in options if o not in _TYPES]
        if unknown:
            raise QueryError(f'type: "{unknown[0]}" is not a record type (use {", ".join(KINDS)})')
        options = tuple(_TYPES[o] for o in options)
    return Filter(name, value, options)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def parse_query(text: str) -> Query:
    """Parse a query; raises :class:`QueryError` with a readable message when malformed."""
    source = text.translate(_QUOTES)
    terms: list[str] = []
    phrases: list[str] = []
    filters: list[Filter] = []
    pos = _skip_space(source, 0)
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None or (m["name"] and m["qvalue"] is None and source.startswith('"', m.end())):
            at = pos if m is None else m.end()
            raise QueryError(f'unterminated quote at character {at + 1}: add a closing "')
        if m["name"]:
            filters.append(_make_filter(m["name"], m["qvalue"] if m["qvalue"] is not None else m["value"]))
        elif m["phrase"] is not None:
            phrases.append(normalize(m["phrase"]).replace("\x00", ""))
        else:
            terms.append(normalize(m["word"]).replace("\x00", ""))
        pos = _skip_space(source, m.end())
    return Query(text, tuple(t for t in terms if t), tuple(p for p in phrases if p), tuple(filters))


# --- records -------------------------------------------------------------------------------


def _kind(record: Record) -> str:
    if isinstance(record, Study):
        return "study"
    return "review" if isinstance(record, Review) else "mechanism" if isinstance(record, Mechanism) else "question"


def _fields(rec: Record) -> list[tuple[str, str, bool]]:
    """Every searchable text of a record as (dotted name, text, weighs more)."""
    out: list[tuple[str, str, bool]] = []

    def add(name: str, value: str | int | Sequence[str] | None, primary: bool = False) -> None:
        if isinstance(value, (str, int)):
            if value != "":
                out.append((name, str(value), primary))
        elif value:
            out.extend((f"{name}[{i}]", v, primary) for i, v in enumerate(value) if v)

    add("id", rec.id, True)
    if isinstance(rec, Question):
        add("question", rec.question, True)
        for key in ("why", "studies", "ongoing"):
            add(key, getattr(rec, key))
        return out
    add("title", rec.title, True)
    if isinstance(rec, Mechanism):
        for key in ("status", "summary", "studies", "studies_against", "references", "caveats"):
            add(key, getattr(rec, key))
        return out
    add("authors", rec.authors, True)
    add("keywords", rec.keywords, True)
    if isinstance(rec, Study):
        add("summary", rec.summary)
        for i, b in enumerate(rec.biomarkers):
            add(f"biomarkers[{i}].marker", b.marker, True)
        for key in ("year", "journal", "design", "blinding", "country", "funding", "doi", "pmid", "registration"):
            add(key, getattr(rec, key))
        add("population.description", rec.population.description)
        add("intervention.description", rec.intervention.description)
        add("comparator.kind", rec.comparator.kind)
        add("comparator.description", rec.comparator.description)
        for i, o in enumerate(rec.outcomes):
            for key in ("domain", "measure", "result", "summary", "source", "timepoint"):
                add(f"outcomes[{i}].{key}", getattr(o, key))
        for i, b in enumerate(rec.biomarkers):
            for key in ("role", "finding", "summary", "source"):
                add(f"biomarkers[{i}].{key}", getattr(b, key))
        if rob := rec.risk_of_bias:
            for key in ("overall", "assessed_by", "rationale"):
                add(f"risk_of_bias.{key}", getattr(rob, key))
        add("adverse_events", rec.adverse_events)
    else:
        for key in ("summary", "conclusion", "year", "kind", "certainty", "journal", "doi", "pmid",
                    "registration", "includes", "includes_other"):
            add(key, getattr(rec, key))
        for i, f in enumerate(rec.findings):
            add(f"findings[{i}].domain", f.domain)
            add(f"findings[{i}].note", f.note)
    add("caveats", rec.caveats)
    return out


def _snippet(text: str, needles: Sequence[str]) -> tuple[str, tuple[Span, ...]]:
    """A ~SNIPPET_WIDTH window of ``text`` (whitespace collapsed) around the first match."""
    clean = " ".join(text.split())
    spans = _find_spans(clean, needles)
    first_a, first_b = spans[0] if spans else (0, 0)
    width = max(SNIPPET_WIDTH, first_b - first_a + 20)
    lo = max(0, min(first_a - width // 3, len(clean) - width))
    hi = min(len(clean), lo + width)
    if lo > 0 and 0 <= (sp := clean.find(" ", lo, first_a)) - lo < 15:
        lo = sp + 1
    if hi < len(clean) and hi - (sp := clean.rfind(" ", first_b, hi)) < 15 and sp != -1:
        hi = sp
    pre, post = ("…" if lo > 0 else ""), ("…" if hi < len(clean) else "")
    shift = len(pre) - lo
    return pre + clean[lo:hi] + post, tuple((max(a, lo) + shift, min(b, hi) + shift) for a, b in spans
                                            if a < hi and b > lo)


def highlight_spans(text: str, query: str | Query) -> list[Span]:
    """[start, end) spans of ``text`` matching the query's words and phrases, folded as search
    folds them; raises :class:`QueryError` if ``query`` is a malformed string."""
    q = query if isinstance(query, Query) else parse_query(query)
    return _find_spans(text, q.needles) if q.needles else []


# --- index and search ----------------------------------------------------------------------


class FieldMatch(NamedTuple):
    field: str  # dotted name, e.g. "outcomes[2].summary"
    snippet: str
    spans: tuple[Span, ...]  # offsets into snippet


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    kind: str  # study | review | mechanism | question
    title: str  # the question's text for questions
    year: int | None
    score: int
    snippet: str  # around the best-matching field; the lead text for filter-only queries
    spans: tuple[Span, ...]  # offsets into snippet
    field: str  # the field the snippet comes from ("" for filter-only queries)
    fields: tuple[FieldMatch, ...]  # every field with a match, in record order
    record: Record = dataclasses.field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: tuple[Hit, ...]  # best first, at most ``limit``
    total: int  # how many records matched in all
    query: Query


class _Entry(NamedTuple):
    record: Record
    blob: str  # normalized primary texts, "\0", normalized other texts
    split: int  # where the primary part ends
    id: str  # folded id


class SearchIndex:
    """Folded text of every record of an Evidence; built on the first search."""

    def __init__(self, evidence: Evidence) -> None:
        self.evidence = evidence
        self._entries: list[_Entry] | None = None
        self._fields: dict[int, list[tuple[str, str, str]]] = {}
        self._recent: dict[tuple[tuple[Filter, ...], tuple[str, ...]], list[tuple[int, int]]] = {}

    @property
    def entries(self) -> list[_Entry]:
        if self._entries is None:
            ev = self.evidence
            records: list[Record] = [*ev.studies, *ev.reviews, *ev.mechanisms, *ev.questions]
            order = sorted(records, key=lambda r: (-getattr(r, "year", -10**9), r.id))  # tie-break rank
            self._entries = []
            for rec in order:
                fields = _fields(rec)
                primary = normalize("\0".join(t for _, t, p in fields if p))
                other = normalize("\0".join(t for _, t, p in fields if not p))
                self._entries.append(_Entry(rec, f"{primary}\0{other}", len(primary), normalize(rec.id)))
        return self._entries

    def _record_fields(self, i: int) -> list[tuple[str, str, str]]:
        if i not in self._fields:
            self._fields[i] = [(name, text, normalize(text)) for name, text, _ in _fields(self.entries[i].record)]
        return self._fields[i]

    def _matches(self, query: Query) -> list[tuple[int, int]]:
        """(-score, entry position) of every matching record, best first."""
        needles, filters = query.needles, query.filters
        key = (filters, needles)
        if key in self._recent:
            return self._recent[key]
        entries = self.entries
        candidates: Sequence[int] = range(len(entries))
        for (old_filters, old_needles), old in self._recent.items():  # typing more narrows the hits
            if old_filters == filters and len(old) < len(candidates) and all(
                    any(o in n for n in needles) for o in old_needles):
                candidates = sorted(i for _, i in old)
        found: list[tuple[int, int]] = []
        for i in candidates:
            e = entries[i]
            if filters and not all(f.matches(e.record) for f in filters):
                continue
            blob = e.blob
            if not all(n in blob for n in needles):
                continue
            score = 0
            for n in needles:
                score += 4 * min(blob.count(n, 0, e.split), 3) + min(blob.count(n, e.split), 3)
                score += 10 if n == e.id else 0
            found.append((-score, i))
        found.sort()
        if len(self._recent) >= 32:
            del self._recent[next(iter(self._recent))]
        self._recent[key] = found
        return found

    def _hit(self, i: int, score: int, needles: tuple[str, ...]) -> Hit:
        rec = self.entries[i].record
        title = rec.question if isinstance(rec, Question) else rec.title
        year = rec.year if isinstance(rec, (Study, Review)) else None
        if not needles:
            lead = rec.why if isinstance(rec, Question) else rec.summary or ""
            lead = rec.conclusion if isinstance(rec, Review) and not lead else lead
            snippet, _ = _snippet(lead, ())
            return Hit(rec.id, _kind(rec), title, year, score, snippet, (), "", (), rec)
        matches: list[FieldMatch] = []
        best: tuple[int, bool, int] = (-1, False, 0)  # (needles matched, not a title, -position)
        for name, text, folded in self._record_fields(i):
            count = sum(n in folded for n in needles)
            if count:
                best = max(best, (count, name not in ("id", "title", "question"), -len(matches)))
                matches.append(FieldMatch(name, *_snippet(text, needles)))
        main = matches[-best[2]] if matches else FieldMatch("", "", ())
        return Hit(rec.id, _kind(rec), title, year, score, main.snippet, main.spans, main.field,
                   tuple(matches), rec)

    def search(self, query: str | Query, limit: int | None = None) -> SearchResult:
        """Rank the records matching ``query``; build :class:`Hit` objects for the first ``limit``."""
        q = query if isinstance(query, Query) else parse_query(query)
        found = self._matches(q)
        chosen = found if limit is None else found[: max(limit, 0)]
        hits = tuple(self._hit(i, -neg, q.needles) for neg, i in chosen)
        return SearchResult(hits, len(found), q)


def build_index(evidence: Evidence) -> SearchIndex:
    return SearchIndex(evidence)


_LAST: list[SearchIndex] = []


def search(source: SearchIndex | Evidence, query: str | Query, limit: int | None = None) -> SearchResult:
    """Search an index, or an Evidence (its index is kept for the next call on the same Evidence)."""
    if isinstance(source, SearchIndex):
        return source.search(query, limit)
    if not _LAST or _LAST[0].evidence is not source:
        _LAST[:] = [SearchIndex(source)]
    return _LAST[0].search(query, limit)
