"""One search index per loaded folder, shared by the screens and safe to use from worker threads."""

from __future__ import annotations

import threading

from ldn_tui.model import Evidence
from ldn_tui.search.index import SearchIndex, SearchResult, search
from ldn_tui.search.query import parse_query

HIT_LIMIT = 200  # hits listed at most; the count still says how many matched
# Hits whose fields and snippet are computed with the ranking, in the worker: a screenful (a
# 40-line terminal shows 6 to 10) and a margin. The hit list computes the others when they
# come into view, so a keystroke costs the ranking and these, however many hits are listed.
EAGER_HITS = 12


class SearchService:
    """``ldn_tui.search.index`` behind a lock: the index is built once, by whichever thread comes first."""

    def __init__(self, evidence: Evidence) -> None:
        self.index = SearchIndex(evidence)
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Build the index now (from a worker), so the first keystroke does not pay for it."""
        with self._lock:
            self.index.prepare()

    def search(self, text: str, limit: int | None = HIT_LIMIT) -> SearchResult:
        """Raises ``ldn_tui.search.query.QueryError`` for a malformed query. What the first
        ``EAGER_HITS`` hits show (the names of their matched fields and the best one's snippet) is
        computed here too, so the worker thread pays for the first screenful rather than the
        screen; the rest wait until they are shown."""
        query = parse_query(text)
        with self._lock:
            result = search(self.index, query, limit=limit)
        for hit in result.hits[:EAGER_HITS]:
            _ = hit.field_names, hit.snippet
        return result
