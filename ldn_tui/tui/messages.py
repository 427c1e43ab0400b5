"""Messages that carry results up: from workers to the app, from panes to their screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from ldn_tui.model import Evidence, Problem

if TYPE_CHECKING:  # the first frame needs no search module
    from ldn_tui.search import SearchResult


@dataclass
class LoadProgress(Message):
    """``done`` of ``total`` record files read (posted from the loading thread)."""

    done: int
    total: int


@dataclass
class EvidenceLoaded(Message):
    """The folder is read: the evidence, or None and every problem with it."""

    evidence: Evidence | None
    problems: list[Problem]


@dataclass
class OpenRecord(Message):
    """A pane asks to open a study or review by id."""

    record_id: str


@dataclass
class SearchDone(Message):
    """A search finished: its result, or the query's error message."""

    text: str
    result: SearchResult | None
    error: str | None = None
