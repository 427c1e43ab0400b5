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

The package's modules, each depending only on those before it:

- ``base``: :class:`Unsupported`, the console options and measurements;
- ``cells``: characters and cells (``rich.cells``, ``rich.control``);
- ``text``: text wrapping (``rich.text.Text``, ``rich._wrap``, ``rich.containers.Lines``);
- ``dispatch``: ``Console.render``, ``Console.render_lines``, ``Measurement.get``, and
  ``Group`` and ``Padding``;
- ``table``: ``rich.table.Table`` and ``rich._ratio``;
- this one: the leaves (``str``, ``Text``), the project's own renderables, the
  handlers' registry, and ``Console.print``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ldn_tui.report.plain.base import Measure, Options, Unsupported
from ldn_tui.report.plain.cells import adjust_lines, cell_len, strip_control_codes
from ldn_tui.report.plain.dispatch import (
    _BY_NAME,
    _BY_TYPE,
    Handler,
    _group_measure,
    _group_render,
    _padding_measure,
    _padding_render,
    render,
)
from ldn_tui.report.plain.table import _table_measure, _table_render
from ldn_tui.report.plain.text import TextLeaf, divide_line, measure_leaf, render_leaf, text_leaf, wrap

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["Unsupported", "cell_len", "divide_line", "plain_lines", "render_text", "wrap"]


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


_BY_TYPE.update({
    TextLeaf: Handler(render_leaf, _leaf_measure),
    str: Handler(_str_render, _str_measure),
    Text: Handler(_text_render, _text_measure),
    Padding: Handler(_padding_render, _padding_measure),
    Table: Handler(_table_render, _table_measure),
})
# By qualified name, so that this package imports neither rich.console nor the modules defining them.
_BY_NAME.update({
    "rich.console.Group": Handler(_group_render, _group_measure),
    "ldn_tui.report.tables.StudyTable": Handler(_study_table_render, _no_measure),
    "ldn_tui.report.forest.ForestPlot": Handler(_plot_render, _plot_measure),
    "ldn_tui.report.forest.EvidenceOverTime": Handler(_plot_render, _plot_measure),
})


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

