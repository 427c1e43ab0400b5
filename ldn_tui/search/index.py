"""Keyword search over an :class:`~ldn_tui.model.Evidence`: an index and ranked hits (queries: ``ldn_tui.search.query``).

Pure standard library (no Rich, no Textual). Text is compared *folded*: NFKD, combining
marks dropped, casefolded and Unicode dashes turned into ``-`` ("Rodríguez" matches
"rodriguez", "β" stays "β"); runs of whitespace count as one space. Words match as
substrings ("cytokine" matches "cytokines"); every word and ``"quoted phrase"`` must occur
somewhere in the record (not necessarily in the same field); ``name:value`` filters narrow
the records (see ``ldn_tui.search.query.FILTERS``).

Ranking: each word or phrase scores 4 (5 when the summary uses it too) when it occurs in the id, title (a question's text),
authors, keywords or biomarker names; otherwise 2 when it occurs in the summary (a review's
conclusion or summary, a question's why); otherwise 0. A word equal to a record's id adds 10.
Higher scores first; ties go to the newer record, then by id; mechanisms, questions and trials
(no year) come after the dated records with the same score.

Build a :class:`SearchIndex` once and search it many times (it is built on the first
search, or by ``prepare()``, e.g. in a worker thread); :func:`search` also accepts an Evidence
and keeps the index of the last one. Searching scans each record's folded text with C-level
loops (figures: ``benchmarks/README.md``); recent results, and recent words with where each
record has them first, are remembered, so typing letter by letter scans only the records that
can still match, each from where the shorter word was found.
Hits compute their snippets only when asked. An app holding a large Evidence should call
``gc.freeze()`` after loading it, or full collections of it will stall searches now and then.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from typing import Any, NamedTuple

from ldn_tui.memory import gc_paused
from ldn_tui.model import Evidence, Mechanism, Question, Review, Study, Trial

from .folding import (
    Span,
    _find_spans,
    _fold_all,
    _fold_text_utf8,
    _utf8,
)
from .query import _VALUES, Filter, Query, Record, _kind, parse_query

SNIPPET_WIDTH = 100


# --- records ---------------------------------------------------------------------------------

PRIMARY, MAIN, OTHER = 0, 1, 2  # field tiers, see the ranking above


class _Spec(NamedTuple):
    attr: str  # the record's attribute
    many: bool  # a tuple (of texts, or of objects)
    subs: tuple[str, ...]  # the texts' attributes in the object(s); () for a text
    tier: int
    get: Callable[[Any], tuple[Any, ...]]  # an object's subs, as a tuple


def _specs(*tiers: str) -> tuple[_Spec, ...]:
    """Fields per tier: "a" (a text), "a[]" (texts), "a.b,c" and "a[].b,c" (an object's,
    or each item's, b and c)."""
    out = []
    for tier, names in enumerate(tiers):
        for name in names.split():
            head, _, tail = name.partition(".")
            subs = tuple(tail.split(",")) if tail else ()
            get = attrgetter(*subs) if len(subs) > 1 else (lambda x, a=tail: (getattr(x, a),))
            out.append(_Spec(head.removesuffix("[]"), head.endswith("[]"), subs, tier, get))
    return tuple(out)


_SPECS: dict[type, tuple[_Spec, ...]] = {
    Study: _specs(
        "id title authors[] keywords[] biomarkers[].marker",
        "summary",
        "year journal design blinding country funding doi pmid registration population.description "
        "intervention.description comparator.kind,description outcomes[].domain,measure,result,summary,source,"
        "timepoint biomarkers[].role,finding,summary,source risk_of_bias.overall,assessed_by,rationale "
        "adverse_events caveats[]",
    ),
    Review: _specs(
        "id title authors[] keywords[]",
        "conclusion summary",
        "year kind certainty journal doi pmid registration includes[] includes_other[] findings[].domain,note "
        "caveats[]",
    ),
    Mechanism: _specs("id title", "summary", "status studies[] studies_against[] references[] caveats[]"),
    Question: _specs("id question", "why", "studies[] ongoing[]"),
    Trial: _specs("registration title", "source", "status results study country"),
}


def _fields(record: Record) -> list[tuple[str, str, int]]:
    """Every searchable text of a record as (dotted name, text, tier), in a fixed order."""
    out: list[tuple[str, str, int]] = []
    for attr, many, subs, tier, get in _SPECS[type(record)]:
        if not (value := getattr(record, attr)):
            continue
        if not subs:
            out += ([(f"{attr}[{i}]", v, tier) for i, v in enumerate(value) if v] if many
                    else [(attr, str(value), tier)])
            continue
        for name, item in ((f"{attr}[{i}]", x) for i, x in enumerate(value)) if many else [(attr, value)]:
            out += [(f"{name}.{sub}", v, tier) for sub, v in zip(subs, get(item), strict=True) if v]
    return out


def _tier_code(specs: Sequence[_Spec], tier: int, texts: frozenset[str]) -> str:
    """A list display of one tier's texts of a record ``r`` (falsy values are dropped later)."""
    items = []
    for attr, many, subs, t, _ in specs:
        if t != tier:
            continue
        if not subs:
            items.append(f"*r.{attr}" if many else f"r.{attr}" if attr in texts else f"r.{attr} and str(r.{attr})")
        elif many:
            items.append(f"*[x.{subs[0]} for x in r.{attr}]" if len(subs) == 1
                         else f"*[v for x in r.{attr} for v in ({', '.join(f'x.{a}' for a in subs)},)]")
        else:
            items.append(f"*((x.{', x.'.join(subs)},) if (x := r.{attr}) else ())")
    return f"[{', '.join(items)}]"


def _tiers_function(kind: type, specs: Sequence[_Spec]) -> Callable[[Any], tuple[list[Any], ...]]:
    """``_SPECS[kind]`` compiled: a record's texts per tier, in field order, as ``_blob`` joins them
    (faster than walking the specs, and indexing a large folder runs it for every record)."""
    texts = frozenset(name for name, hint in kind.__annotations__.items()  # the others are wrapped in str()
                      if str(getattr(hint, "__forward_arg__", hint)).startswith("str"))
    body = ", ".join(_tier_code(specs, tier, texts) for tier in (PRIMARY, MAIN, OTHER))
    namespace: dict[str, Any] = {}
    exec(f"def tiers(r):\n    return ({body})\n", {"str": str}, namespace)  # our own specs, not input
    return namespace["tiers"]  # type: ignore[no-any-return]


_TIERS = {kind: _tiers_function(kind, specs) for kind, specs in _SPECS.items()}


def _blob(record: Record) -> bytes:
    """The folded UTF-8 text of all fields for the index: fields joined by NUL, the three
    tiers (in order PRIMARY, MAIN, OTHER) by \\x01."""
    return _fold_text_utf8("\x01".join(["\0".join(filter(None, t)) for t in _TIERS[type(record)](record)]))


def _lead(record: Record) -> str:
    if isinstance(record, Question):
        return record.why
    if isinstance(record, Trial):
        return f"{record.status} (read {record.status_checked.isoformat()}); results: {record.results}. {record.source}"
    return (record.summary or record.conclusion) if isinstance(record, Review) else record.summary


def _snippet(text: str, needles: Sequence[str]) -> tuple[str, tuple[Span, ...]]:
    """About SNIPPET_WIDTH chars of ``text`` (whitespace collapsed) around its first match,
    "…" where cut, and the spans of all matches inside it."""
    clean = " ".join(text.split())
    spans = _find_spans(clean, needles)
    first_a, first_b = spans[0] if spans else (0, 0)
    width = max(SNIPPET_WIDTH, first_b - first_a + 20)
    lo = max(0, min(first_a - width // 3, len(clean) - width))
    hi = min(len(clean), lo + width)
    if lo > 0 and 0 <= (sp := clean.find(" ", lo, first_a)) - lo < 15:
        lo = sp + 1
    if hi < len(clean) and (sp := clean.rfind(" ", first_b, hi)) != -1 and hi - sp < 15:
        hi = sp
    pre, post = ("…" if lo > 0 else ""), ("…" if hi < len(clean) else "")
    shift = len(pre) - lo
    return pre + clean[lo:hi] + post, tuple((max(a, lo) + shift, min(b, hi) + shift)
                                            for a, b in spans if a < hi and b > lo)


def highlight_spans(text: str, query: str | Query) -> list[Span]:
    """[start, end) spans of ``text`` matching the query's words and phrases, folded the way
    search folds; raises :class:`QueryError` if ``query`` is a malformed string."""
    q = query if isinstance(query, Query) else parse_query(query)
    return _find_spans(text, q.needles) if q.needles else []


# --- hits ------------------------------------------------------------------------------------


_TITLES = ("id", "title", "question")


class FieldMatch(NamedTuple):
    field: str  # dotted name, e.g. "outcomes[2].summary"
    snippet: str
    spans: tuple[Span, ...]  # offsets into snippet


@dataclass(frozen=True)
class Hit:
    """One matching record. ``fields``, ``field_names``, ``snippet``, ``spans`` and ``field`` are
    computed on first access, so asking for many hits and showing a few stays cheap."""

    id: str
    kind: str  # study | review | mechanism | question | trial
    title: str  # the question's text for questions
    year: int | None
    score: int
    record: Record = dataclasses.field(compare=False, repr=False)
    query: Query = dataclasses.field(compare=False, repr=False)

    @functools.cached_property
    def _matched(self) -> list[tuple[str, str, int]]:
        """(field, text, how many of the query's words and phrases it has) per matching field."""
        needles, fields = self.query.needles, _fields(self.record)
        folded = _fold_all([text for _, text, _ in fields])
        if any(" " in n for n in needles):
            folded = [" ".join(f.split()) for f in folded]
        out = []
        for (name, text, _), clean in zip(fields, folded, strict=True):
            if count := sum(map(clean.__contains__, needles)):
                out.append((name, text, count))
        return out

    @functools.cached_property
    def field_names(self) -> tuple[str, ...]:
        """The name of every field with a match, in record order: ``fields`` without their
        snippets, which is all a hit in the list shows of the fields besides the best one."""
        return tuple(name for name, _, _ in self._matched)

    @functools.cached_property
    def fields(self) -> tuple[FieldMatch, ...]:
        """Every field with a match, in record order, each with its own snippet."""
        return tuple(FieldMatch(name, *_snippet(text, self.query.needles)) for name, text, _ in self._matched)

    @functools.cached_property
    def _best(self) -> FieldMatch:
        """The field with the most words; on ties one that is not the title, then the first."""
        if not (matched := self._matched):  # a filter-only query
            return FieldMatch("", _snippet(_lead(self.record), ())[0], ())
        k = max(range(len(matched)), key=lambda k: (matched[k][2], matched[k][0] not in _TITLES, -k))
        return FieldMatch(matched[k][0], *_snippet(matched[k][1], self.query.needles))

    @property
    def field(self) -> str:
        """The field ``snippet`` comes from ("" for a filter-only query)."""
        return self._best.field

    @property
    def snippet(self) -> str:
        """The best field's snippet; the start of the summary for a filter-only query."""
        return self._best.snippet

    @property
    def spans(self) -> tuple[Span, ...]:
        return self._best.spans


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: tuple[Hit, ...]  # best first, at most ``limit``
    total: int  # how many records matched in all
    query: Query


# --- index -----------------------------------------------------------------------------------

# After fold() the only whitespace left is ASCII (a test checks it).
_SPACE_RUN = rb"[\t-\r\x1c-\x1f ]+"
_OTHER_SPACES = b"\t\n\v\f\r\x1c\x1d\x1e\x1f"




# Letters that start many English words (and folded text is lower case).
_COMMON_FIRST = frozenset(b"etaoinshrl")


def _regex_is_faster(needle: bytes) -> bool:
    """Which scan finds a word's first occurrence in every blob sooner. ``bytes.find`` skips by
    the needle's last byte and crawls when that byte is common (the "e" of "ye"); ``re`` looks
    for the first byte, and wins for a short needle when that one is rare. A needle that starts
    with a common letter ("il-6") stays with ``find`` (measured: ``benchmarks/README.md``)."""
    return 2 <= len(needle) <= 5 and needle[0] not in _COMMON_FIRST


def _finds(needle: bytes, blobs: Iterable[bytes], *bounds: Iterable[int]) -> Iterable[int]:
    """Where the word ``needle`` first occurs in each blob (from each of ``bounds[0]``, before
    each of ``bounds[1]``), or -1; scanned by ``re`` or ``bytes.find``, whichever is faster for it."""
    if _regex_is_faster(needle):
        search = re.compile(re.escape(needle)).search
        return [m.start() if m else -1 for m in map(search, blobs, *bounds)]
    return map(bytes.find, blobs, repeat(needle), *bounds)


def _covers(scanned: dict[int, int] | None, candidates: dict[int, int] | None) -> bool:
    """Whether a scan of the records ``scanned`` (None: all) covered all of ``candidates``."""
    return scanned is None or (candidates is not None and candidates.keys() <= scanned.keys())


class _Base(NamedTuple):
    """A word scanned before in (at least) the records that a word containing it is about to be
    scanned in: where it occurs in the latter, then where it occurs first in each record that
    has it, and in the MAIN tier of each that has it in PRIMARY and MAIN (score 5)."""

    shift: int
    firsts: dict[int, int]
    in_main: dict[int, int]


class SearchIndex:
    """The folded text of every record as UTF-8, built on the first search (or up front by
    :meth:`prepare`). Remembers recent words and results, so typing more letters is cheap.
    Safe to share between threads (searches take turns)."""

    def __init__(self, evidence: Evidence) -> None:
        self.evidence = evidence
        self._lock = threading.RLock()  # searches may come from worker threads
        self._records: list[Record] | None = None
        self._blobs: list[bytes] = []  # PRIMARY \x01 MAIN \x01 OTHER, fields split by NUL
        self._mains: list[int] = []  # where each blob's MAIN tier starts
        self._others: list[int] = []  # where each blob's OTHER tier starts
        self._uneven: set[int] | None = None  # blobs with whitespace other than single spaces
        self._ids: dict[str, int] = {}
        self._values: dict[str, list[Any]] = {}
        self._all: list[int] = []  # every position; the dicts keyed by these share their ints (memory)
        # needle -> (the records scanned, None: all; {position: its score} of those that have it)
        self._needles: dict[bytes, tuple[dict[int, int] | None, dict[int, int]]] = {}
        # a recent word -> (the records scanned, then see _Base)
        self._firsts: dict[bytes, tuple[dict[int, int] | None, dict[int, int], dict[int, int]]] = {}
        self._results: dict[tuple[tuple[Filter, ...], tuple[str, ...]], dict[int, int]] = {}

    def prepare(self) -> None:
        """Build the whole index now (e.g. in a worker thread), including what only phrase
        searches need, rather than on the first search."""
        with self._lock, gc_paused():
            self._build()
            self._uneven_blobs()

    def _build(self) -> list[Record]:
        """The records in index order (newest first, then by id), indexing them first."""
        with self._lock, gc_paused():
            if self._records is None:
                records = self._ordered()
                self._adopt(records, [_blob(r) for r in records])
                self._records = records
            return self._records

    def _ordered(self) -> list[Record]:
        records: list[Record] = [*self.evidence.studies, *self.evidence.reviews,
                                 *self.evidence.mechanisms, *self.evidence.questions, *self.evidence.trials]
        records.sort(key=lambda r: (-r.year if isinstance(r, (Study, Review)) else 1, r.id))
        return records

    def _adopt(self, records: list[Record], blobs: list[bytes]) -> None:
        """Take ``blobs`` (one per record, in order) as the index; ValueError if one is not a blob."""
        mains = [blob.index(1) + 1 for blob in blobs]
        others = [blob.index(1, main) + 1 for blob, main in zip(blobs, mains, strict=True)]
        self._blobs, self._mains, self._others, self._all = blobs, mains, others, list(range(len(blobs)))
        self._ids = dict(zip(_fold_all([r.id for r in records]), range(len(records)), strict=True))

    def blobs(self) -> tuple[list[str], list[bytes]]:
        """The index's content, to keep (``ldn_tui.search.kept``): record ids in index order and
        each record's folded text."""
        records = self._build()
        return [r.id for r in records], self._blobs

    def use_blobs(self, ids: Sequence[str], blobs: list[bytes]) -> bool:
        """Take a kept index's content instead of folding every record again: only if it names
        exactly these records in this order and every blob is well formed. True if taken."""
        with self._lock:
            if self._records is not None:
                return False
            records = self._ordered()
            if len(ids) != len(records) or len(blobs) != len(records) or any(
                    r.id != i for r, i in zip(records, ids, strict=True)):
                return False
            try:
                self._adopt(records, blobs)
            except ValueError:
                self._blobs, self._mains, self._others, self._all, self._ids = [], [], [], [], {}
                return False
            self._records = records
            return True

    def _uneven_blobs(self) -> set[int]:
        if self._uneven is None:
            self._uneven = {i for i, b in enumerate(self._blobs)
                            if b"  " in b or len(b.translate(None, _OTHER_SPACES)) != len(b)}
        return self._uneven

    def _filter(self, f: Filter, candidates: Sequence[int]) -> list[int]:
        if f.name not in self._values:
            self._values[f.name] = [_VALUES[f.name](r) for r in self._build()]
        values = self._values[f.name]
        if f.range is not None:
            return [i for i in candidates if f.accepts(values[i])]
        good = {v for v in set(values) if f.accepts(v)}
        return [i for i in candidates if values[i] in good]

    def _scan(self, needle: bytes, positions: Sequence[int], starts: Iterable[int] | None = None) -> dict[int, int]:
        """{position: first occurrence} of the records of ``positions`` (in that order) containing
        ``needle``, each searched from its ``starts`` (default: its blob's start). The loop over
        records runs in C (map), which matters in a large folder searched on every keystroke."""
        blobs: Iterable[bytes] = self._blobs if positions is self._all else map(self._blobs.__getitem__, positions)
        firsts: Iterable[int]
        if b" " in needle:  # a phrase: any run of whitespace between its words
            rx, uneven = re.compile(_SPACE_RUN.join(map(re.escape, needle.split(b" ")))), self._uneven_blobs()
            firsts = ((m.start() if (m := rx.search(b)) else -1) if i in uneven else b.find(needle)
                      for i, b in zip(positions, blobs, strict=True))
        else:
            firsts = _finds(needle, blobs, *(() if starts is None else (starts,)))
        return {i: at for i, at in zip(positions, firsts, strict=True) if at != -1}

    def _scores(self, needle: bytes, firsts: dict[int, int],
                base: _Base | None) -> tuple[dict[int, int], dict[int, int]]:
        """{position: score} from each record's first occurrence of ``needle``: 4 in PRIMARY, 2 in
        MAIN, 0 in OTHER (the tiers come in that order), 5 for a word in PRIMARY that MAIN also has;
        and {position: first occurrence in MAIN} of those 5s. A ``base`` word inside ``needle``
        tells where MAIN cannot have it."""
        mains, others = self._mains, self._others
        scores = {i: 4 if at < mains[i] else 2 if at < others[i] else 0 for i, at in firsts.items()}
        if b" " in needle:
            return scores, {}
        # a word in a title or keyword that the summary also uses: +1
        fours: list[int] = [i for i, s in scores.items() if s == 4 and (base is None or i in base.in_main)]
        starts: Iterable[int] = (map(mains.__getitem__, fours) if base is None
                                 else map(base.in_main.__getitem__, fours) if base.shift == 0
                                 else [max(base.in_main[i] - base.shift, mains[i]) for i in fours])
        found = _finds(needle, map(self._blobs.__getitem__, fours), starts, map(others.__getitem__, fours))
        in_main = {i: at for i, at in zip(fours, found, strict=True) if at != -1}
        scores.update(dict.fromkeys(in_main, 5))
        return scores, in_main

    def _part(self, needle: bytes, candidates: dict[int, int] | None) -> dict[int, int]:
        """{position: score} of the records containing ``needle``, at least of ``candidates``
        (None: all): remembered from a scan of them or more, or scanned, only in the candidates.
        A recent word inside ``needle`` (typing "cyt" after "cy") narrows the scan to the records
        that have it, each from that word's first occurrence on: this makes typing a common word
        cheap (issue 10's 30 ms per keystroke at 10,000 studies)."""
        if (known := self._needles.get(needle)) is not None and _covers(known[0], candidates):
            return known[1]
        base = self._base(needle, candidates)
        positions: Sequence[int]
        if candidates is None:
            positions = self._all if base is None else list(base.firsts)
        else:
            positions = list(candidates) if base is None else [i for i in candidates if i in base.firsts]
        starts: Iterable[int] | None = None
        if base is not None:
            firsts, shift = base.firsts, base.shift
            starts = map(firsts.__getitem__, positions) if shift == 0 else [max(firsts[i] - shift, 0) for i in positions]
        firsts = self._scan(needle, positions, starts)
        part, in_main = self._scores(needle, firsts, base)
        self._remember(self._needles, needle, (candidates, part))
        if b" " not in needle:
            self._remember(self._firsts, needle, (candidates, firsts, in_main), 4)
        return part

    def _base(self, needle: bytes, candidates: dict[int, int] | None) -> _Base | None:
        """The longest recently scanned word inside the word ``needle`` that was scanned in all
        of ``candidates``, if any."""
        if b" " in needle:
            return None
        word = max((w for w, (scanned, _, _) in self._firsts.items() if w in needle and _covers(scanned, candidates)),
                   key=len, default=None)
        return None if word is None else _Base(needle.find(word), *self._firsts[word][1:])

    def _matches(self, filters: tuple[Filter, ...], needles: tuple[str, ...]) -> dict[int, int]:
        """{position: score} of every matching record, in index order."""
        key = (filters, needles)
        if (known := self._results.get(key)) is not None:
            return known
        self._build()
        # The records that can match: a remembered result with these filters and words inside
        # ours holds all our matches; else those that pass the filters; None: all.
        candidates: dict[int, int] | None = None
        wider = [found for (f, old), found in self._results.items()
                 if f == filters and all(any(o in n for n in needles) for o in old)]
        if wider:
            candidates = min(wider, key=len)
        elif filters:
            passed: Sequence[int] = self._all
            for f in filters:
                passed = self._filter(f, passed)
            candidates = dict.fromkeys(passed, 0)
        scores: dict[int, int] | None = None
        # remembered words first, then the longest (most selective)
        for needle in sorted(map(_utf8, needles), key=lambda n: (n not in self._needles, -len(n))):
            part = self._part(needle, candidates if scores is None else scores)
            if scores is not None:
                scores = {i: s + part[i] for i, s in scores.items() if i in part}
            elif filters and candidates is not None:  # a word's remembered records may fail the filters
                scores = {i: s for i, s in part.items() if i in candidates}
            else:  # without filters, the matches are the records that have every word
                scores = dict(part)
        if scores is None:
            scores = dict.fromkeys(self._all if candidates is None else candidates, 0)
        for n in needles:  # the query names a record's id
            if (i := self._ids.get(n, -1)) in scores:
                scores[i] += 10
        self._remember(self._results, key, scores)
        return scores

    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, value: Any, size: int = 32) -> None:
        cache.pop(key, None)
        if len(cache) >= size:
            del cache[next(iter(cache))]
        cache[key] = value

    def search(self, query: str | Query, limit: int | None = None) -> SearchResult:
        """Rank the records matching ``query``; at most ``limit`` hits (None: all)."""
        q = query if isinstance(query, Query) else parse_query(query)
        with self._lock, gc_paused():
            found = self._matches(q.filters, q.needles)
            records = self._build()
        # best first; the sort is stable, so ties stay in index order
        best = sorted(found, key=found.__getitem__, reverse=True)[:None if limit is None else max(limit, 0)]
        hits = []
        for i in best:
            r = records[i]
            hits.append(Hit(r.id, _kind(r), r.question if isinstance(r, Question) else r.title,
                            r.year if isinstance(r, (Study, Review)) else None, found[i], r, q))
        return SearchResult(tuple(hits), len(found), q)


def build_index(evidence: Evidence) -> SearchIndex:
    """An index over ``evidence``; cheap until the first search."""
    return SearchIndex(evidence)


_LAST: list[SearchIndex] = []


def search(source: SearchIndex | Evidence, query: str | Query, limit: int | None = None) -> SearchResult:
    """Search an index, or an Evidence (whose index is kept for the next call on it)."""
    if isinstance(source, SearchIndex):
        return source.search(query, limit)
    if not _LAST or _LAST[0].evidence is not source:
        _LAST[:] = [SearchIndex(source)]
    return _LAST[0].search(query, limit)
