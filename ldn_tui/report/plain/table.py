"""Tables, laid out as ``rich.table.Table`` and ``rich._ratio`` lay them out.

Column widths (measured, distributed by ratio, collapsed to fit), each cell with its
padding, vertical alignment, and the box lines: :class:`TableLayout` mirrors the
table's private methods (``_get_cells``, ``_measure_column``,
``_calculate_column_widths``, ``_render``).
"""

from __future__ import annotations

from math import ceil

from rich.table import Column, Table

from ldn_tui.report.plain.base import Measure, Options
from ldn_tui.report.plain.dispatch import (
    _clamp,
    _normalize,
    _pad_measure,
    _pad_render,
    _with_maximum,
    measure,
    render,
    render_lines,
)
from ldn_tui.report.plain.text import as_leaf


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
