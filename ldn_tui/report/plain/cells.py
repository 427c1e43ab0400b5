"""Characters and cells, as ``rich.cells`` and ``rich.control`` measure and crop them.

Control codes stripped as ``Text(str)`` strips them, cell lengths (with a fast path
for text of one-cell characters), the check that every character is its own grapheme
of a fixed width, and ``Segment.adjust_line_length`` of lines.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len as _rich_cell_len
from rich.cells import get_character_cell_size, set_cell_size

from ldn_tui.report.plain.base import Unsupported

_STRIP_CONTROL = dict.fromkeys((7, 8, 11, 12, 13))  # rich.control.STRIP_CONTROL_CODES
# Characters known to be their own grapheme and one cell wide (grows as text is checked) ...
_NARROW: set[str] = {chr(c) for c in range(0x20, 0x7F)}
# ... or one or two cells wide, and the tab and newline ``Text.wrap`` takes care of.
_SIMPLE: set[str] = _NARROW | {"\t", "\n"}
_NARROW_LINES: set[str] = _NARROW | {"\n"}  # lines of one-cell characters

Measurer = Callable[[str], int]


def strip_control_codes(text: str) -> str:
    """``rich.control.strip_control_codes``: what ``Text(str)`` removes (bell, backspace, VT, FF, CR)."""
    return text.translate(_STRIP_CONTROL)


def require_simple(text: str) -> None:
    """Raise :class:`Unsupported` unless every character is its own grapheme, one or two cells wide.

    Then ``cell_len`` adds up over any split of the text, so a line measured or cropped
    whole (here) is measured and cropped as Rich does segment by segment. Tabs and
    newlines are allowed: ``Text.wrap`` splits at newlines and expands tabs first.
    """
    if _SIMPLE.issuperset(text):
        return
    for char in set(text).difference(_SIMPLE):
        size = get_character_cell_size(char)
        if char in "\u200d\ufe0f" or size == 0:
            raise Unsupported(f"character U+{ord(char):04X} is measured per segment by Rich")
        _SIMPLE.add(char)
        if size == 1:
            _NARROW.add(char)
            _NARROW_LINES.add(char)


def narrow(text: str) -> bool:
    """Whether every character of ``text`` is known to take one cell (so ``cell_len`` is ``len``)."""
    return _NARROW.issuperset(text)


def cell_len(text: str) -> int:
    """``rich.cells.cell_len``, with a fast path for text of one-cell characters."""
    if _NARROW.issuperset(text):
        return len(text)
    return _rich_cell_len(text)


def adjust_line(line: str, width: int, pad: bool = True) -> str:
    """``Segment.adjust_line_length``: pad with spaces, or crop (a split wide character becomes a space)."""
    length = cell_len(line)
    if length < width:
        return line + " " * (width - length) if pad else line
    if length > width:
        return set_cell_size(line, width)
    return line


def adjust_lines(lines: list[str], width: int, pad: bool = True) -> list[str]:
    """``adjust_line`` of every line (one check for a block of one-cell characters)."""
    if _NARROW.issuperset("".join(lines)):
        return [
            line if len(line) == width
            else line[:width] if len(line) > width
            else line + " " * (width - len(line)) if pad
            else line
            for line in lines
        ]
    return [adjust_line(line, width, pad) for line in lines]
