"""Text, wrapped as ``rich.text.Text``, ``rich._wrap`` and ``rich.containers.Lines`` wrap it.

A ``Text`` (or ``str``) as a :class:`TextLeaf`; ``divide_line``, tab expansion,
truncation and justification as Rich does them; ``Text.wrap``, and a leaf's
``__rich_console__`` and ``__rich_measure__``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from rich.cells import chop_cells, set_cell_size
from rich.text import Text

from ldn_tui.report.plain.base import (
    DEFAULT_JUSTIFY,
    DEFAULT_OVERFLOW,
    TAB_SIZE,
    Measure,
    Options,
    Unsupported,
)
from ldn_tui.report.plain.cells import (
    _NARROW,
    _NARROW_LINES,
    Measurer,
    cell_len,
    narrow,
    require_simple,
    strip_control_codes,
)

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
