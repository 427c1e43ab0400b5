"""Keyword search over the evidence: the query language (``query``), the index (``index``) and
the app's shared index (``service``).

The public names are importable from here; each module is imported on first use of one of
its names (PEP 562), so ``import ldn_tui.search.kept`` does not pay for the index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ldn_tui.search.index import Hit as Hit
    from ldn_tui.search.index import SearchIndex as SearchIndex
    from ldn_tui.search.index import SearchResult as SearchResult
    from ldn_tui.search.index import highlight_spans as highlight_spans
    from ldn_tui.search.index import search as search
    from ldn_tui.search.query import FILTERS as FILTERS
    from ldn_tui.search.query import KINDS as KINDS
    from ldn_tui.search.query import Filter as Filter
    from ldn_tui.search.query import Query as Query
    from ldn_tui.search.query import QueryError as QueryError
    from ldn_tui.search.query import parse_query as parse_query
    from ldn_tui.search.service import SearchService as SearchService

_QUERY = frozenset({"FILTERS", "KINDS", "Filter", "Query", "QueryError", "parse_query"})
_INDEX = frozenset({"Hit", "SearchIndex", "SearchResult", "highlight_spans", "search"})
_SERVICE = frozenset({"SearchService"})
__all__ = sorted(_QUERY | _INDEX | _SERVICE)


def __getattr__(name: str) -> Any:
    """The public name ``name``, from the module that defines it, imported now if it is not yet."""
    if name in _QUERY:
        from ldn_tui.search import query as module
    elif name in _INDEX:
        from ldn_tui.search import index as module  # type: ignore[no-redef]
    elif name in _SERVICE:
        from ldn_tui.search import service as module  # type: ignore[no-redef]
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value
