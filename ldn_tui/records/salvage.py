"""What the cross-file rules need of a study or review file with field problems, read from its raw table.

A record that fails to build is not there for the loader's cross-file checks, and one that builds has
left out its failed items (the rest renumbered). So that ``validate`` names every problem in one run,
the loader also reads such a file's id, domains and includes straight from its table
(``ldn_tui.records.loader``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ldn_tui.records.readers import SLUG


class Salvaged(NamedTuple):
    """A file's raw id, domains and includes. Values of the wrong type are left out: the field problems
    name them already."""

    id: str | None  # None when the record built (it is checked), or missing, or not a slug
    path: str  # the file, relative to the folder
    domains: tuple[tuple[str, str], ...]  # (field, domain), e.g. ("outcomes[0].domain", "pain")
    includes: tuple[str | None, ...]  # a review's included study ids, None for an item that is not a string


def salvage(data: dict[str, Any], path: str, sub: str, built: bool) -> Salvaged:
    """The id (unless ``built``), domains and references of a raw study (``sub`` "studies") or review table."""
    raw_id = None if built else data.get("id")
    record_id = raw_id if isinstance(raw_id, str) and SLUG.match(raw_id) else None
    key = "outcomes" if sub == "studies" else "findings"
    items = data.get(key)
    domains = tuple(
        (f"{key}[{i}].domain", item["domain"])
        for i, item in enumerate(items if isinstance(items, list) else ())
        if isinstance(item, dict) and isinstance(item.get("domain"), str)
    )
    includes = data.get("includes") if sub == "reviews" else None
    refs = tuple(ref if isinstance(ref, str) else None for ref in includes) if isinstance(includes, list) else ()
    return Salvaged(record_id, path, domains, refs)
