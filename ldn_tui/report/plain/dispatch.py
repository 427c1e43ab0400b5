"""Dispatch and measurement (``Console.render``, ``Console.render_lines``, ``Measurement.get``), Group, Padding.

Each supported type has a :class:`Handler` (how ``__rich_console__`` and
``__rich_measure__`` lay it out); the package's ``__init__`` fills the registries
once every module defining a handler is imported. ``Group`` and ``Padding`` mirror
``rich.console.Group`` and ``rich.padding.Padding``; the table uses the padding's
layout for its padded cells.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from rich.padding import Padding

from ldn_tui.report.plain.base import Measure, Options, Unsupported
from ldn_tui.report.plain.cells import adjust_lines
from ldn_tui.report.plain.text import TextLeaf, _leaf_lines


class Handler(NamedTuple):
    render: Callable[[Any, Options], list[str]]
    measure: Callable[[Any, Options], Measure]


# What each supported type is laid out with: filled in by the package's ``__init__``.
_BY_TYPE: dict[type, Handler] = {}
_BY_NAME: dict[str, Handler] = {}  # by qualified name (``module.qualname``)


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
