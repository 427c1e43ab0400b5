"""The summary's Rich renderables laid out as plain text, byte for byte as Rich would.

``ldn-tui summary`` in a pipe prints ``Text``, ``Group``, ``Padding`` and ``Table``
renderables (and three of the project's own: the study table, the forest plot and
the evidence-over-time plot) through a colourless Rich ``Console`` and strips the
line ends. Rich's generic machinery (segments, styles, measurement objects) costs
about 60 µs per output line; this module computes the same characters from plain
strings in about 7 µs, and is only used where its output is the same.

Every function mirrors one piece of Rich (the installed version is the reference,
and ``tests/test_plain.py`` compares the two): its docstring names it. Lines are
plain ``str``; styles never change the characters of a colourless render, so they
are ignored. What is not mirrored raises :class:`Unsupported`, and
:func:`render_text` then renders that top-level part with Rich instead:

- a renderable of any other type (or a subclass of a supported one), or any object
  with ``__rich__``;
- a ``Text`` whose ``end`` is not ``"\\n"``;
- text with characters whose width depends on their neighbours or that have no
  width of their own (zero-width joiner, variation selector 16, combining marks,
  control characters): Rich measures and crops those per segment, and a segment's
  boundaries depend on its styles.

Output is for a console that writes to a ``StringIO`` (UTF-8, not a terminal, no
legacy Windows console): no box substitution, tab size 8, markup and emoji off.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from math import ceil
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.cells import cell_len as _rich_cell_len
from rich.cells import chop_cells, get_character_cell_size, set_cell_size
from rich.padding import Padding
from rich.table import Column, Table
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["Unsupported", "cell_len", "divide_line", "plain_lines", "render_text", "wrap"]


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

# ---------------------------------------------------------------------------
# Characters and cells (rich.cells, rich.control)

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


# ---------------------------------------------------------------------------
# Text (rich.text.Text, rich._wrap, rich.containers.Lines)

_WORD = re.compile(r"\s*\S+\s*")  # rich._wrap.re_word
_WHITESPACE_END = re.compile(r"\s+$")  # rich.text._re_whitespace


@dataclass(slots=True)
class TextLeaf:
    """The attributes of a ``Text`` that change its characters (``plain`` without control codes).

    Once checked (``check_leaf``), ``narrow`` says whether every character but the newlines
    takes one cell; ``measured`` keeps the measurement, as a table that has to shrink
    measures its cells again.
    """

    plain: str
    justify: str | None = None
    overflow: str | None = None
    no_wrap: bool | None = None
    end: str = "\n"
    tab_size: int | None = None
    narrow: bool | None = None
    measured: Measure | None = None


def check_leaf(leaf: TextLeaf) -> bool:
    """``require_simple`` of the text (once), and whether it is narrow."""
    if leaf.narrow is None:
        require_simple(leaf.plain)
        leaf.narrow = _NARROW_LINES.issuperset(leaf.plain)
    return leaf.narrow


def text_leaf(text: Text) -> TextLeaf:
    return TextLeaf(text.plain, text.justify, text.overflow, text.no_wrap, text.end, text.tab_size)


def as_leaf(renderable: object) -> object:
    """A ``Text`` or ``str`` as the ``TextLeaf`` it renders as (``Console.render_str`` for a ``str``)."""
    if type(renderable) is Text:
        return text_leaf(renderable)
    if type(renderable) is str:
        return TextLeaf(strip_control_codes(renderable))
    return renderable


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """``rich._wrap.divide_line``: the offsets at which to break ``text`` to fit ``width`` cells.

    A word (with the spaces after it) that does not fit goes to the next line; one longer
    than ``width`` is folded into ``width``-cell pieces (``fold``), or left whole to be
    cropped.
    """
    return _divide(text, width, fold, _NARROW.issuperset(text))


def _divide(text: str, width: int, fold: bool, narrow: bool) -> list[int]:
    """``divide_line``, told whether every character of ``text`` takes one cell."""
    if narrow and not text.startswith(" ") and _OTHER_SPACE.search(text) is None:
        return _divide_narrow(text, width, fold)
    breaks: list[int] = []
    append = breaks.append
    offset = 0
    measure: Measurer = len if narrow else cell_len
    for match in _WORD.finditer(text):
        start = match.start()
        word = match.group()
        word_length = measure(word.rstrip())
        if width - offset >= word_length:
            offset += measure(word)
        elif word_length > width:
            if fold:
                pieces = chop_cells(word, width)
                for index, piece in enumerate(pieces):
                    if start:
                        append(start)
                    if index == len(pieces) - 1:
                        offset = measure(piece)
                    else:
                        start += len(piece)
            else:
                if start:
                    append(start)
                offset = measure(word)
        elif offset and start:
            append(start)
            offset = measure(word)
    return breaks


_NOT_SPACE = re.compile(r"[^ ]")
_WORD_REST = re.compile(r"[^ ]*[ ]*")
_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace other than a space


def _divide_narrow(text: str, width: int, fold: bool) -> list[int]:
    """``divide_line`` for one-cell characters, spaces the only whitespace, not starting with one.

    Rich's words are a run of non-spaces and the spaces after it (the first word also
    takes any spaces before it, hence not for text starting with one). A word fits
    while its non-spaces end within ``width`` cells of the line's start, so the line
    ends at the start of the word running past ``start + width``: no need to visit
    each word. Folding cuts every ``width`` characters, as ``chop_cells`` does here.
    """
    breaks: list[int] = []
    append = breaks.append
    length = len(text)
    start = 0  # where the current line starts (a break, or 0)
    while start + width < length:
        limit = start + width
        if text[limit] == " ":  # every word up to here fits: break at the next word
            match = _NOT_SPACE.search(text, limit)
            if match is None:
                break
            start = match.start()
            append(start)
            continue
        word = text.rfind(" ", start, limit) + 1  # the start of the word running past the limit
        if word > start:  # it goes to the next line
            start = word
            append(start)
            continue
        # A word longer than the line, at its start: fold it, or leave it whole (cropped later)
        rest = _WORD_REST.match(text, limit)
        assert rest is not None  # the pattern matches an empty string too
        end = rest.end()
        if fold:  # pieces of ``width`` cells; the line goes on after the last one
            pieces = range(start + width, end, width)
            breaks.extend(pieces)
            start = pieces[-1]
        elif end < length:
            start = end
            append(start)
        else:
            break
    return breaks


def expand_tabs(line: str, tab_size: int) -> str:
    """``Text.expand_tabs`` of one line: each tab becomes a space, then spaces to the next tab stop."""
    parts = [part + "\t" for part in line.split("\t")]
    parts[-1] = parts[-1][:-1]
    if not parts[-1]:  # Text.split drops the empty piece after a final tab
        parts.pop()
    position = 0
    out = []
    for part in parts:
        if part.endswith("\t"):
            part = part[:-1] + " "
            position += cell_len(part)
            remainder = position % tab_size
            if remainder:
                part += " " * (tab_size - remainder)
                position += tab_size - remainder
        else:
            position += cell_len(part)
        out.append(part)
    return "".join(out)


def rstrip_end(line: str, size: int) -> str:
    """``Text.rstrip_end``: drop trailing whitespace beyond ``size`` characters (not cells)."""
    excess = len(line) - size
    if excess > 0:
        match = _WHITESPACE_END.search(line)
        if match is not None:
            return line[: len(line) - min(len(match.group()), excess)]
    return line


def truncate(line: str, width: int, overflow: str, pad: bool = False, measure: Measurer = cell_len) -> str:
    """``Text.truncate``: crop to ``width`` cells (with "…" for ``ellipsis``), and pad if asked."""
    if overflow == "ignore":
        return line
    length = measure(line)
    if length > width:
        if overflow == "ellipsis":
            if not narrow("…"):  # one cell in every Unicode version Rich knows: checked once
                require_simple("…")
                if not narrow("…"):
                    raise Unsupported("an ellipsis wider than one cell")
            return set_cell_size(line, width - 1) + "…"
        return set_cell_size(line, width)
    if pad and length < width:
        return line + " " * (width - length)
    return line


def justify_lines(lines: list[str], width: int, justify: str, overflow: str, measure: Measurer = cell_len) -> list[str]:
    """``Lines.justify``: left (pad), center, right, full (widen the gaps, not on the last line)."""
    if justify == "left":
        return [truncate(line, width, overflow, True, measure) for line in lines]
    if justify == "center":
        out = []
        for line in lines:
            line = truncate(line.rstrip(), width, overflow, False, measure)
            line = " " * ((width - measure(line)) // 2) + line
            out.append(line + " " * (width - measure(line)))
        return out
    if justify == "right":
        out = []
        for line in lines:
            line = truncate(line.rstrip(), width, overflow, False, measure)
            out.append(" " * (width - measure(line)) + line)
        return out
    if justify == "full":
        out = lines[:]
        for index, line in enumerate(lines[:-1]):
            words = line.split(" ")
            if len(words) > 1 and line.endswith(" "):  # Text.split(" ") drops the empty last piece
                words.pop()
            spaces = [1] * (len(words) - 1)
            words_size = sum(cell_len(word) for word in words)
            num_spaces = len(spaces)
            step = 0
            if spaces:
                while words_size + num_spaces < width:
                    spaces[len(spaces) - step - 1] += 1
                    num_spaces += 1
                    step = (step + 1) % len(spaces)
            out[index] = "".join(word + (" " * spaces[i] if i < len(spaces) else "") for i, word in enumerate(words))
        return out
    return lines


def wrap(plain: str, width: int, justify: str, overflow: str, tab_size: int = TAB_SIZE,
         no_wrap: bool = False, narrow: bool = False) -> list[str]:
    """``Text.wrap``: split at newlines, expand tabs, break into lines of ``width`` cells, justify, crop.

    ``narrow``: every character of ``plain`` but the newlines is known to take one cell.
    """
    no_wrap = no_wrap or overflow == "ignore"
    fold = overflow == "fold"
    lines: list[str] = []
    for line in plain.split("\n"):
        if "\t" in line:
            line = expand_tabs(line, tab_size)
        one_cell = narrow or _NARROW.issuperset(line)
        measure: Measurer = len if one_cell else cell_len
        if no_wrap:
            if overflow == "ignore":
                lines.append(line)
                continue
            pieces = [line]
        elif measure(line) <= width:  # every word fits: divide_line would find no break
            pieces = [line]
        else:
            offsets = _divide(line, width, fold, one_cell)
            bounds = [0, *offsets, len(line)]
            pieces = [line[a:b] for a, b in pairwise(bounds)]
            pieces = [rstrip_end(piece, width) if len(piece) > width else piece for piece in pieces]
        if justify in ("left", "center", "right", "full"):
            pieces = justify_lines(pieces, width, justify, overflow, measure)
            if justify == "left" and overflow != "ignore":  # already cropped to the width
                lines.extend(pieces)
                continue
        lines.extend(truncate(piece, width, overflow, False, measure) for piece in pieces)
    return lines


def render_leaf(leaf: TextLeaf, options: Options) -> list[str]:
    """``Text.__rich_console__``: its own justify/overflow/no_wrap first, then the options', then defaults."""
    return _leaf_lines(leaf, options)[0]


def _leaf_lines(leaf: TextLeaf, options: Options) -> tuple[list[str], bool]:
    """``render_leaf``, and whether every line is exactly the width (left-justified, cropped)."""
    if leaf.end != "\n":
        raise Unsupported("Text.end other than a newline")
    narrow = check_leaf(leaf)
    justify = leaf.justify or options.justify or DEFAULT_JUSTIFY
    overflow = leaf.overflow or options.overflow or DEFAULT_OVERFLOW
    no_wrap = leaf.no_wrap if leaf.no_wrap is not None else bool(options.no_wrap)
    tab_size = TAB_SIZE if leaf.tab_size is None else leaf.tab_size
    lines = wrap(leaf.plain, options.width, justify, overflow, tab_size or 8, no_wrap, narrow)
    return lines, justify == "left" and overflow != "ignore"


def measure_leaf(leaf: TextLeaf) -> Measure:
    """``Text.__rich_measure__``: (longest word, longest line), tabs (zero cells) and all."""
    if leaf.measured is not None:
        return leaf.measured
    text = leaf.plain
    measure = len if check_leaf(leaf) else cell_len
    if "\n" in text:
        lines = text.splitlines()
        longest = max(map(measure, lines)) if lines else 0
    else:
        longest = measure(text)
    words = text.split()
    leaf.measured = (max(map(measure, words)) if words else longest), longest
    return leaf.measured


# ---------------------------------------------------------------------------
# Dispatch (Console.render, Console.render_lines, Measurement.get)


class Handler(NamedTuple):
    render: Callable[[Any, Options], list[str]]
    measure: Callable[[Any, Options], Measure]


def _handler(renderable: object) -> Handler:
    cls = type(renderable)
    handler = _BY_TYPE.get(cls)
    if handler is None:
        handler = _BY_NAME.get(f"{cls.__module__}.{cls.__qualname__}")
        if handler is None or hasattr(renderable, "__rich__"):
            raise Unsupported(f"{cls.__module__}.{cls.__qualname__}")
        _BY_TYPE[cls] = handler
    return handler


def render(renderable: object, options: Options) -> list[str]:
    """``Console.render``, split into lines: nothing below one cell of width.

    Every supported renderable ends each line with a newline, so its segments split
    into whole lines.
    """
    if options.width < 1:
        return []
    return _handler(renderable).render(renderable, options)


def render_lines(renderable: object, options: Options, pad: bool = True) -> list[str]:
    """``Console.render_lines``: the lines, each cropped (and padded) to the width."""
    if type(renderable) is TextLeaf and options.width >= 1:  # a table cell, most often
        lines, exact = _leaf_lines(renderable, options)
        return lines if exact else adjust_lines(lines, options.width, pad)
    return adjust_lines(render(renderable, options), options.width, pad)


def measure(renderable: object, options: Options) -> Measure:
    """``Measurement.get``: normalised, at most the width, (0, 0) when under one cell."""
    width = options.width
    if width < 1:
        return 0, 0
    low, high = _handler(renderable).measure(renderable, options)
    low, high = _normalize(low, high)
    low, high = min(low, width), min(high, width)
    if high < 1:
        return 0, 0
    return _normalize(low, high)


def _normalize(low: int, high: int) -> Measure:
    """``Measurement.normalize``."""
    if 0 <= low <= high:
        return low, high
    low = min(max(0, low), high)
    return max(0, low), max(0, max(low, high))


def _with_maximum(measurement: Measure, width: int) -> Measure:
    return min(measurement[0], width), min(measurement[1], width)


def _clamp(measurement: Measure, low: int | None, high: int | None) -> Measure:
    """``Measurement.clamp``."""
    if low is not None:
        low = max(0, low)
        measurement = max(measurement[0], low), max(measurement[1], low)
    if high is not None:
        measurement = _with_maximum(measurement, high)
    return measurement


# ---------------------------------------------------------------------------
# Group, Padding


def _group_render(group: Any, options: Options) -> list[str]:
    """``Group.__rich_console__``: each renderable in turn, with the same options."""
    lines: list[str] = []
    for child in group.renderables:
        lines += render(child, options)
    return lines


def _group_measure(group: Any, options: Options) -> Measure:
    """``Group.__rich_measure__`` (``measure_renderables`` when ``fit``)."""
    if not group.fit:
        return options.width, options.width
    measurements = [measure(child, options) for child in group.renderables]
    if not measurements:
        return 0, 0
    return max(m[0] for m in measurements), max(m[1] for m in measurements)


def _pad_render(renderable: object, pad: tuple[int, int, int, int], width: int, options: Options) -> list[str]:
    """``Padding.__rich_console__`` at ``width``: blank lines above and below, spaces either side."""
    top, right, bottom, left = pad
    lines = render_lines(renderable, options.update_width(width - left - right))
    if left or right:
        before, after = " " * left, " " * right
        lines = [before + line + after for line in lines]
    if top or bottom:
        blank = " " * width
        lines = [blank] * top + lines + [blank] * bottom
    return lines


def _pad_measure(renderable: object, left_right: int, options: Options) -> Measure:
    """``Padding.__rich_measure__``."""
    width = options.width
    if width - left_right < 1:
        return width, width
    low, high = measure(renderable, options)
    return _with_maximum((low + left_right, high + left_right), width)


def _padding_render(padding: Padding, options: Options) -> list[str]:
    pad = (padding.top, padding.right, padding.bottom, padding.left)
    if padding.expand:
        width = options.width
    else:
        width = min(measure(padding.renderable, options)[1] + padding.left + padding.right, options.width)
    return _pad_render(padding.renderable, pad, width, options)


def _padding_measure(padding: Padding, options: Options) -> Measure:
    return _pad_measure(padding.renderable, padding.left + padding.right, options)


# ---------------------------------------------------------------------------
# Table (rich.table.Table, rich._ratio)


def ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """``rich._ratio.ratio_reduce``: take ``total`` away from ``values`` in proportion to ``ratios``."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums, strict=False)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    total_remaining = total
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=False):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * total_remaining / total_ratio))
            result.append(value - distributed)
            total_remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def ratio_distribute(total: int, ratios: list[int], minimums: list[int] | None = None) -> list[int]:
    """``rich._ratio.ratio_distribute``: share ``total`` out in proportion to ``ratios`` (rounding up)."""
    if minimums:
        ratios = [ratio if minimum else 0 for ratio, minimum in zip(ratios, minimums, strict=False)]
    total_ratio = sum(ratios)
    assert total_ratio > 0, "Sum of ratios must be > 0"
    total_remaining = total
    distributed_total = []
    for ratio, minimum in zip(ratios, minimums or [0] * len(ratios), strict=False):
        if total_ratio > 0:
            distributed = max(minimum, ceil(ratio * total_remaining / total_ratio))
        else:
            distributed = total_remaining
        distributed_total.append(distributed)
        total_ratio -= ratio
        total_remaining -= distributed
    return distributed_total


def collapse_widths(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """``Table._collapse_widths``: shrink the widest wrapable columns, in steps, until the table fits."""
    total_width = sum(widths)
    excess_width = total_width - max_width
    if any(wrapable):
        while total_width and excess_width > 0:
            pairs = list(zip(widths, wrapable, strict=False))
            max_column = max(width for width, allow_wrap in pairs if allow_wrap)
            second_max_column = max(width if allow_wrap and width != max_column else 0 for width, allow_wrap in pairs)
            column_difference = max_column - second_max_column
            ratios = [(1 if (width == max_column and allow_wrap) else 0) for width, allow_wrap in pairs]
            if not any(ratios) or not column_difference:
                break
            max_reduce = [min(excess_width, column_difference)] * len(widths)
            widths = ratio_reduce(excess_width, ratios, max_reduce, widths)
            total_width = sum(widths)
            excess_width = total_width - max_width
    return widths


Cell = tuple[object, tuple[int, int, int, int] | None, str]  # renderable, its padding (if any), vertical


class TableLayout:
    """One ``Table``'s layout, mirroring its private methods (``_get_cells``, ``_measure_column``, ...)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns: list[Column] = table.columns
        has_box = bool(table.box)
        self.extra_width = (2 if has_box and table.show_edge else 0) + (len(self.columns) - 1 if has_box else 0)
        self._cells: dict[int, list[Cell]] = {}  # by column index: measured, then rendered

    def padding_width(self, column_index: int) -> int:
        """``Table._get_padding_width``."""
        table = self.table
        _, pad_right, _, pad_left = table.padding
        if table.collapse_padding:
            pad_left = 0
            pad_right = abs(pad_left - pad_right)
        if not table.pad_edge:
            if column_index == 0:
                pad_left = 0
            if column_index == len(self.columns) - 1:
                pad_right = 0
        return pad_left + pad_right

    def cells(self, column_index: int, column: Column) -> list[Cell]:
        """``Table._get_cells``: header, cells, footer, each with its padding (collapsed, or not at the edges)."""
        cells = self._cells.get(column_index)
        if cells is None:
            cells = self._cells[column_index] = self._get_cells(column_index, column)
        return cells

    def _get_cells(self, column_index: int, column: Column) -> list[Cell]:
        table = self.table
        padding = table.padding
        first_column = column_index == 0
        last_column = column_index == len(self.columns) - 1
        raw: list[object] = []
        if table.show_header:
            raw.append(column.header)
        raw.extend(column.cells)
        if table.show_footer:
            raw.append(column.footer)
        if not any(padding):
            return [
                (as_leaf(renderable), None, getattr(renderable, "vertical", None) or column.vertical)
                for renderable in raw
            ]

        def get_padding(first_row: bool, last_row: bool) -> tuple[int, int, int, int]:
            top, right, bottom, left = padding
            if table.collapse_padding:
                if not first_column:
                    left = max(0, left - right)
                if not last_row:
                    bottom = max(0, top - bottom)
            if not table.pad_edge:
                if first_column:
                    left = 0
                if last_column:
                    right = 0
                if first_row:
                    top = 0
                if last_row:
                    bottom = 0
            return top, right, bottom, left

        last = len(raw) - 1
        pads = {(first, is_last): get_padding(first, is_last) for first in (True, False) for is_last in (True, False)}
        return [
            (as_leaf(renderable), pads[index == 0, index == last], column.vertical)
            for index, renderable in enumerate(raw)
        ]

    def measure_column(self, options: Options, column: Column) -> Measure:
        """``Table._measure_column``: the cells' widest word and longest line, clamped to the column's limits."""
        max_width = options.width
        if max_width < 1:
            return 0, 0
        padding_width = self.padding_width(column._index)
        if column.width is not None:
            return _with_maximum((column.width + padding_width, column.width + padding_width), max_width)
        lows: list[int] = []
        highs: list[int] = []
        for renderable, pad, _ in self.cells(column._index, column):
            low, high = measure_cell(renderable, pad, options)
            lows.append(low)
            highs.append(high)
        measurement = _with_maximum((max(lows) if lows else 1, max(highs) if highs else max_width), max_width)
        return _clamp(
            measurement,
            None if column.min_width is None else column.min_width + padding_width,
            None if column.max_width is None else column.max_width + padding_width,
        )

    def column_widths(self, options: Options) -> list[int]:
        """``Table._calculate_column_widths``: widths with padding, without borders."""
        table = self.table
        max_width = options.width
        columns = self.columns
        width_ranges = [self.measure_column(options, column) for column in columns]
        widths = [high or 1 for _, high in width_ranges]
        if table.expand:
            ratios = [column.ratio or 0 for column in columns if column.flexible]
            if any(ratios):
                fixed_widths = [
                    0 if column.flexible else high for (_, high), column in zip(width_ranges, columns, strict=False)
                ]
                flex_minimum = [
                    (column.width or 1) + self.padding_width(column._index) for column in columns if column.flexible
                ]
                flex_widths = iter(ratio_distribute(max_width - sum(fixed_widths), ratios, flex_minimum))
                for index, column in enumerate(columns):
                    if column.flexible:
                        widths[index] = fixed_widths[index] + next(flex_widths)
        table_width = sum(widths)
        if table_width > max_width:
            widths = collapse_widths(
                widths, [(column.width is None and not column.no_wrap) for column in columns], max_width
            )
            table_width = sum(widths)
            if table_width > max_width:  # last resort, reduce columns evenly
                excess_width = table_width - max_width
                widths = ratio_reduce(excess_width, [1] * len(widths), widths, widths)
                table_width = sum(widths)  # Rich keeps this sum, not the re-measured widths'
            widths = [
                self.measure_column(options.update_width(width), column)[1] or 0
                for width, column in zip(widths, columns, strict=False)
            ]
        min_width = table.min_width
        if (table_width < max_width and table.expand) or (
            min_width is not None and table_width < (min_width - self.extra_width)
        ):
            _max_width = max_width if min_width is None else min(min_width - self.extra_width, max_width)
            pad_widths = ratio_distribute(_max_width - table_width, widths)
            widths = [width + pad for width, pad in zip(widths, pad_widths, strict=False)]
        return widths

    def render(self, options: Options) -> list[str]:
        """``Table.__rich_console__``: title, rows, caption."""
        table = self.table
        if not self.columns:
            return [""]
        max_width = options.width if table.width is None else table.width
        widths = self.column_widths(options.update_width(max_width - self.extra_width))
        render_options = options.update_width(sum(widths) + self.extra_width)
        lines: list[str] = []
        if table.title:
            lines += self.annotation(table.title, render_options, table.title_justify)
        lines += self.rows(render_options, widths)
        if table.caption:
            lines += self.annotation(table.caption, render_options, table.caption_justify)
        return lines

    @staticmethod
    def annotation(text: object, options: Options, justify: str) -> list[str]:
        """The title or caption: text at the table's width, with its own justification."""
        return render(text, options._replace(justify=justify))

    def measure(self, options: Options) -> Measure:
        """``Table.__rich_measure__``."""
        table = self.table
        max_width = options.width if table.width is None else table.width
        if max_width < 0:
            return 0, 0
        max_width = sum(self.column_widths(options.update_width(max_width - self.extra_width)))
        measurements = [self.measure_column(options.update_width(max_width), column) for column in self.columns]
        low = sum(m[0] for m in measurements) + self.extra_width
        high = sum(m[1] for m in measurements) + self.extra_width if table.width is None else table.width
        return _clamp((low, high), table.min_width, None)

    def rows(self, options: Options, widths: list[int]) -> list[str]:
        """``Table._render``: each row's cells rendered to their widths, side by side, with the box lines."""
        table = self.table
        columns = self.columns
        row_cells = list(zip(*(self.cells(index, column) for index, column in enumerate(columns)), strict=False))
        box = table.box
        if box and not table.show_header:
            box = box.get_plain_headed_box()
        show_header, show_footer, show_edge = table.show_header, table.show_footer, table.show_edge
        show_lines, leading = table.show_lines, table.leading
        cell_options = [
            Options(max(0, width), column.justify, column.overflow, column.no_wrap)
            for width, column in zip(widths, columns, strict=False)
        ]
        lines: list[str] = []
        if box and show_edge:
            lines.append(box.get_top(widths))
        count = len(row_cells)
        for index, row_cell in enumerate(row_cells):
            first, last = index == 0, index == count - 1
            header_row = first and show_header
            footer_row = last and show_footer
            row = table.rows[index - show_header] if not header_row and not footer_row else None
            rendered = [
                render_cell(renderable, pad, opts)
                for (renderable, pad, _), opts in zip(row_cell, cell_options, strict=False)
            ]
            row_height = max(len(cell) for cell in rendered)
            max_height = max(1, row_height)
            shaped = []
            for width, (_, _, vertical), cell in zip(widths, row_cell, rendered, strict=False):
                if header_row:
                    vertical = "bottom"
                elif footer_row:
                    vertical = "top"
                shaped.append(_set_shape(_align(cell, vertical, width, row_height), width, max_height))
            if box:
                if last and show_footer:
                    lines.append(box.get_row(widths, "foot", edge=show_edge))
                if first:
                    left, right, divider = box.head_left, box.head_right, box.head_vertical
                elif last:
                    left, right, divider = box.foot_left, box.foot_right, box.foot_vertical
                else:
                    left, right, divider = box.mid_left, box.mid_right, box.mid_vertical
                for line_no in range(max_height):
                    line = divider.join(cell[line_no] for cell in shaped)
                    lines.append(left + line + right if show_edge else line)
            else:
                lines.extend("".join(cell[line_no] for cell in shaped) for line_no in range(max_height))
            if box and first and show_header:
                lines.append(box.get_row(widths, "head", edge=show_edge))
            end_section = row and row.end_section
            if (
                box and (show_lines or leading or end_section)
                and not last
                and not (show_footer and index >= count - 2)
                and not (show_header and header_row)
            ):
                if leading:
                    lines.append(box.get_row(widths, "mid", edge=show_edge) * leading)
                else:
                    lines.append(box.get_row(widths, "row", edge=show_edge))
        if box and show_edge:
            lines.append(box.get_bottom(widths))
        return lines


def render_cell(renderable: object, pad: tuple[int, int, int, int] | None, options: Options) -> list[str]:
    """A table cell (``Padding(renderable, pad)`` when the table has padding), as ``render_lines`` gives it."""
    if pad is None:
        return render_lines(renderable, options)
    if options.width < 1:
        return []
    # Padding's lines are its child's, each adjusted to the inner width, plus the padding:
    # already the cell's width, so render_lines would not change them.
    return _pad_render(renderable, pad, options.width, options)


def measure_cell(renderable: object, pad: tuple[int, int, int, int] | None, options: Options) -> Measure:
    """``Measurement.get`` of a table cell (``Padding(renderable, pad)`` when the table has padding)."""
    if pad is None:
        return measure(renderable, options)
    width = options.width
    if width < 1:
        return 0, 0
    low, high = _normalize(*_pad_measure(renderable, pad[1] + pad[3], options))
    low, high = min(low, width), min(high, width)
    if high < 1:
        return 0, 0
    return _normalize(low, high)


def _align(cell: list[str], vertical: str, width: int, height: int) -> list[str]:
    """``Segment.align_top`` / ``align_middle`` / ``align_bottom``: blank lines to ``height``."""
    extra = height - len(cell)
    if not extra:
        return cell
    cell = cell[:height]
    blank = [" " * width]
    if vertical == "top":
        return cell + blank * extra
    if vertical == "middle":
        top = extra // 2
        return blank * top + cell + blank * (extra - top)
    return blank * extra + cell


def _set_shape(cell: list[str], width: int, height: int) -> list[str]:
    """``Segment.set_shape``: blank lines to ``height``.

    It also adjusts every line to ``width``, but a cell's lines (``render_cell``) already are.
    """
    if len(cell) < height:
        return cell + [" " * width] * (height - len(cell))
    return cell


def _table_render(table: Table, options: Options) -> list[str]:
    return TableLayout(table).render(options)


def _table_measure(table: Table, options: Options) -> Measure:
    return TableLayout(table).measure(options)


# ---------------------------------------------------------------------------
# Leaves, and the project's own renderables


def _str_render(text: str, options: Options) -> list[str]:
    """A ``str``: ``Console.render_str`` with markup and emoji off gives ``Text(text)``."""
    return render_leaf(TextLeaf(strip_control_codes(text)), options)


def _str_measure(text: str, options: Options) -> Measure:
    return measure_leaf(TextLeaf(strip_control_codes(text)))


def _text_render(text: Text, options: Options) -> list[str]:
    return render_leaf(text_leaf(text), options)


def _text_measure(text: Text, options: Options) -> Measure:
    return measure_leaf(text_leaf(text))


def _study_table_render(renderable: Any, options: Options) -> list[str]:
    """``StudyTable.__rich_console__``: ``study_table`` laid out for the width it is given."""
    from ldn_tui.report.tables import study_table

    return render(study_table(renderable.evidence, renderable.title, options.width), options)


def _no_measure(renderable: object, options: Options) -> Measure:
    """``Measurement.get`` of a renderable without ``__rich_measure__``: anything up to the width."""
    return 0, options.width


def _plot_render(renderable: Any, options: Options) -> list[str]:
    """``ForestPlot`` / ``EvidenceOverTime.__rich_console__``: their ``lines(width)``, each a ``Text``."""
    lines: list[str] = []
    for line in renderable.lines(options.width):
        lines += render(line, options)
    return lines


def _plot_measure(renderable: object, options: Options) -> Measure:
    """``ForestPlot`` / ``EvidenceOverTime.__rich_measure__``."""
    return min(40, options.width), options.width


def _leaf_measure(leaf: TextLeaf, options: Options) -> Measure:
    return measure_leaf(leaf)


_BY_TYPE: dict[type, Handler] = {
    TextLeaf: Handler(render_leaf, _leaf_measure),
    str: Handler(_str_render, _str_measure),
    Text: Handler(_text_render, _text_measure),
    Padding: Handler(_padding_render, _padding_measure),
    Table: Handler(_table_render, _table_measure),
}
# By qualified name, so that this module imports neither rich.console nor the modules defining them.
_BY_NAME: dict[str, Handler] = {
    "rich.console.Group": Handler(_group_render, _group_measure),
    "ldn_tui.report.tables.StudyTable": Handler(_study_table_render, _no_measure),
    "ldn_tui.report.forest.ForestPlot": Handler(_plot_render, _plot_measure),
    "ldn_tui.report.forest.EvidenceOverTime": Handler(_plot_render, _plot_measure),
}


# ---------------------------------------------------------------------------
# Console.print


def plain_lines(renderable: RenderableType, width: int) -> list[str]:
    """The lines ``Console.print(renderable)`` writes at ``width`` columns (cropped, not padded).

    ``print`` renders a ``str`` or ``Text`` as a copy made by ``Text.join``, which keeps
    the characters but drops ``justify``, ``overflow``, ``no_wrap``, ``end`` and ``tab_size``.
    Raises :class:`Unsupported` for anything not laid out exactly as Rich does.
    """
    if sys.platform == "win32":  # a legacy Windows console is a column narrower and substitutes boxes
        raise Unsupported("Windows")
    obj: object = renderable
    if type(renderable) is str:
        obj = TextLeaf(strip_control_codes(renderable))
    elif type(renderable) is Text:
        obj = TextLeaf(renderable.plain)
    return adjust_lines(render(obj, Options(width)), width, pad=False)


def render_text(
    parts: Iterable[RenderableType], width: int, fallback: Callable[[RenderableType], str]
) -> str:
    """``Console.print`` of each part then a blank line, every line end stripped (``summary.output``).

    A part that raises :class:`Unsupported` is rendered by ``fallback`` instead, which
    must return that part's text the same way (each line end stripped, ending with the
    blank line).
    """
    chunks: list[str] = []
    for part in parts:
        try:
            lines = plain_lines(part, width)
        except Unsupported:
            chunks.append(fallback(part))
            continue
        chunks.extend(line.rstrip() + "\n" for line in lines)
        chunks.append("\n")
    return "".join(chunks)

