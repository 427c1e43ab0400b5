"""What every part of the plain layout shares: the options that change characters, and failure.

Mirrors the parts of ``rich.console.ConsoleOptions`` and ``rich.measure.Measurement``
that matter to a colourless render, and Rich's defaults for justification, overflow
and tab size. :class:`Unsupported` is what any part raises for something it does not
lay out exactly as Rich does.
"""

from __future__ import annotations

from typing import NamedTuple


class Unsupported(Exception):
    """A renderable, attribute or character this module does not lay out exactly as Rich does."""


class Options(NamedTuple):
    """The parts of ``rich.console.ConsoleOptions`` that change characters."""

    width: int  # ConsoleOptions.max_width
    justify: str | None = None
    overflow: str | None = None
    no_wrap: bool | None = None

    def update_width(self, width: int) -> Options:
        """``ConsoleOptions.update_width`` (and ``update(width=...)``): never below zero."""
        return self._replace(width=max(0, width))


Measure = tuple[int, int]  # rich.measure.Measurement: (minimum, maximum)

DEFAULT_JUSTIFY = "default"  # rich.text.DEFAULT_JUSTIFY
DEFAULT_OVERFLOW = "fold"  # rich.text.DEFAULT_OVERFLOW
TAB_SIZE = 8  # Console.tab_size
