"""Pane 2: the studies as a sortable table (``facts.study_rows``), a preview of the one under the cursor.

The rows and their cells are made in a thread worker; sorting reorders the
table in place (``DataTable.sort``), so 10,000 studies sort without the
table measuring every cell again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey, RowDoesNotExist

from ldn_tui.model import Review, Study
from ldn_tui.report import facts
from ldn_tui.report.facts import StudyRow
from ldn_tui.report.previews import finding_cell, study_preview
from ldn_tui.report.tables import ROB_STYLES
from ldn_tui.text import cell_text
from ldn_tui.tui.messages import OpenRecord
from ldn_tui.tui.widgets.base import Pane

NR = facts.NOT_REPORTED
BLINDING_ORDER = {"none": 0, "single": 1, "double": 2}
ROB_ORDER = {"low": 0, "some concerns": 1, "high": 2}
RESULT_ORDER = {label: i for i, label in enumerate(facts.RESULT_LABELS.values())}
FINDINGS = ("pain", "function")
DROP_ORDER = ("blinding", "weeks", "dose", "design", "year")  # left out in turn while the findings are too narrow (the label has the year)
COMFORT, MIN_FINDING, MAX_FINDING = 24, 12, 48  # finding column widths; the preview shows every field
MAX_STUDY = 26  # longer study labels end in an ellipsis
MAX_ROW_LINES = 4  # a finding wraps onto at most this many lines


def _result_key(text: str) -> Any:
    if text == NR:
        return None
    return (next((v for k, v in RESULT_ORDER.items() if text.startswith(k)), 9), text)


def cells(r: StudyRow) -> list[Text]:
    """One row of the table, a cell per column (record text as literal ``Text``)."""

    def cell(text: str, style: str = "") -> Text:
        return Text(cell_text(text), style="dim italic" if text == NR else style, no_wrap=True, overflow="ellipsis")

    return [
        Text(cell_text(r.label), style="bold", no_wrap=True, overflow="ellipsis"),
        Text(str(r.year)),
        cell(r.design, "" if r.randomised else "dim"),
        Text(r.n, justify="right"),
        cell(r.dose),
        cell(r.weeks),
        cell(r.blinding),
        cell(r.risk_of_bias, ROB_STYLES.get(r.risk_of_bias, "")),
        _finding(r.pain),
        _finding(r.function),
    ]


def _finding(text: str) -> Text:
    """A finding wraps (never "MD −0.34 (−0…"); its row is as tall as its longest finding."""
    cell = finding_cell(text)
    cell.no_wrap, cell.overflow = False, "fold"
    if text == NR:
        cell.style = "dim italic"
    return cell


def lines_needed(text: str, width: int, most: int = MAX_ROW_LINES) -> int:
    """How many lines ``text`` takes wrapped at spaces to ``width`` cells (at most ``most``)."""
    lines, used = 1, 0
    for word in text.split(" "):
        size = cell_len(word)
        if used and used + 1 + size > width:
            lines, used = lines + 1, 0
        used += (1 if used else 0) + size
        while used > width:  # a word longer than the column folds
            lines, used = lines + 1, used - width
    return min(lines, most)


@dataclass
class RowsReady(Message):
    rows: list[StudyRow]
    cells: dict[str, list[Text]]
    widths: dict[str, int]


class OutcomesTable(DataTable[Text]):
    """The study table; enter opens the study under the cursor."""


class OutcomesPane(Pane):
    section: ClassVar[str] = "outcomes"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        benefit = [d.label for d in self.evidence.topic.domains if d.kind == "benefit"]
        self.columns: list[tuple[str, str, Callable[[StudyRow], Any]]] = [
            ("study", "Study", lambda r: r.label.casefold()),
            ("year", "Year", lambda r: r.year),
            ("design", "Design", lambda r: r.design),
            ("n", "n", lambda r: int(r.n) if r.n.isdigit() else None),
            ("dose", "Dose", lambda r: self._study(r).intervention.dose_mg),
            ("weeks", "Weeks", lambda r: self._study(r).intervention.duration_weeks),
            ("blinding", "Blinding", lambda r: BLINDING_ORDER.get(r.blinding)),
            ("rob", "Risk of bias", lambda r: ROB_ORDER.get(r.risk_of_bias)),
            ("pain", benefit[0] if benefit else "Finding", lambda r: _result_key(r.pain)),
            ("function", benefit[1] if len(benefit) > 1 else "Second finding", lambda r: _result_key(r.function)),
        ]
        self.rows: list[StudyRow] = []
        self.cell_map: dict[str, list[Text]] = {}
        self.widths: dict[str, int] = {}
        self.sort_column = 1  # year, the order the summary uses
        self.sort_reverse = False
        self.finding_width = MIN_FINDING
        self.hidden: tuple[str, ...] = ()

    def _study(self, row: StudyRow) -> Study:
        study = self.evidence.study(row.id)
        assert study is not None
        return study

    def compose(self) -> ComposeResult:
        # The study column stays put when the table scrolls sideways.
        self.table = OutcomesTable(id="outcomes-table", cursor_type="row", zebra_stripes=True, fixed_columns=1)
        self.preview_box = Static(id="outcomes-preview", classes="preview")
        yield self.table
        yield self.preview_box

    def on_mount(self) -> None:
        self.prepare()

    @work(thread=True, exclusive=True, group="outcomes")
    def prepare(self) -> None:
        rows = facts.study_rows(self.evidence)
        cell_map = {r.id: cells(r) for r in rows}
        widths = {
            key: max(max((c[i].cell_len for c in cell_map.values()), default=0), len(label) + 2)
            for i, (key, label, _) in enumerate(self.columns)
            if key not in FINDINGS
        }
        widths["study"] = min(widths["study"], MAX_STUDY)
        self.post_message(RowsReady(rows, cell_map, widths))

    @on(RowsReady)
    def _ready(self, event: RowsReady) -> None:
        self.rows, self.cell_map, self.widths = event.rows, event.cells, event.widths
        self.on_resize()

    def on_resize(self) -> None:
        """Fill the table once the rows are ready; again when the width changes which columns fit.

        Before the pane is first shown it has no size: the screen's width stands in for it.
        """
        available = self.size.width or self.app.size.width
        if not self.rows or not available:
            return
        hidden: tuple[str, ...] = ()
        for key in DROP_ORDER:
            if available - self.fixed_width(hidden) >= 2 * COMFORT:
                break
            hidden += (key,)
        width = max(MIN_FINDING, min(MAX_FINDING, (available - self.fixed_width(hidden)) // 2))
        if (width, hidden) != (self.finding_width, self.hidden) or not self.table.columns:
            self.finding_width, self.hidden = width, hidden
            if self.sort_key in hidden:
                self.sort_column, self.sort_reverse = 1, False
            self.rebuild()

    def fixed_width(self, hidden: tuple[str, ...]) -> int:
        """Cells taken by the columns other than the two findings (padding and scroll bar included)."""
        return 2 + 4 + sum(w + 2 for key, w in self.widths.items() if key not in hidden)

    def shown_columns(self) -> list[int]:
        """Indexes of the columns on screen: those that fit; the preview shows the rest."""
        return [i for i, c in enumerate(self.columns) if c[0] not in self.hidden]

    @property
    def sort_key(self) -> str:
        return self.columns[self.sort_column][0]

    def sorted_rows(self) -> list[StudyRow]:
        key = self.columns[self.sort_column][2]
        known = [r for r in self.rows if key(r) is not None]
        missing = [r for r in self.rows if key(r) is None]  # "not reported" always goes last
        return sorted(known, key=key, reverse=self.sort_reverse) + missing

    def label(self, index: int) -> Text:
        key, label, _ = self.columns[index]
        if self.hidden and key == "rob":
            label = "RoB"
        arrow = (" ▼" if self.sort_reverse else " ▲") if index == self.sort_column else ""
        return Text(label + arrow, style="bold" if arrow else "")

    def rebuild(self) -> None:
        """Columns and rows from scratch (explicit widths: nothing measured for an earlier set shows)."""
        table, current, shown = self.table, self.current_id(), self.shown_columns()
        table.clear(columns=True)
        for i in shown:
            key = self.columns[i][0]
            width = self.finding_width if key in FINDINGS else self.widths[key]
            table.add_column(self.label(i), key=key, width=width)
        findings = [i for i in shown if self.columns[i][0] in FINDINGS]
        for r in self.sorted_rows():
            row = self.cell_map[r.id]
            height = max((lines_needed(row[i].plain, self.finding_width) for i in findings), default=1)
            table.add_row(*(row[i] for i in shown), key=r.id, height=height)
        self.keep_cursor(current)

    def resort(self) -> None:
        """Reorder the rows in place and move the sort arrow."""
        table, current = self.table, self.current_id()
        position = {id(self.cell_map[r.id][0]): i for i, r in enumerate(self.sorted_rows())}
        table.sort("study", key=lambda cell: position[id(cell)])
        for i in self.shown_columns():
            table.columns[ColumnKey(self.columns[i][0])].label = self.label(i)
        table.refresh()
        self.keep_cursor(current)

    def keep_cursor(self, study_id: str | None) -> None:
        if study_id is not None:
            self.select(study_id)
        self.show_preview(self.current_id())

    def show_preview(self, study_id: str | None) -> None:
        study = self.evidence.study(study_id) if study_id else None
        if study is not None:
            self.preview_box.update(study_preview(study, self.evidence))

    def cycle_sort(self, step: int = 1) -> str:
        shown = self.shown_columns()
        here = shown.index(self.sort_column) if self.sort_column in shown else 0
        self.sort_column, self.sort_reverse = shown[(here + step) % len(shown)], False
        self.resort()
        return self.columns[self.sort_column][1]

    def reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.resort()

    def sort_by(self, key: str) -> None:
        index = next(i for i, c in enumerate(self.columns) if c[0] == key)
        if index == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = index, False
        self.resort()

    def main_widget(self) -> Widget:
        return self.table

    def current_id(self) -> str | None:
        if not self.table.row_count:
            return None
        row_key, _ = self.table.coordinate_to_cell_key(self.table.cursor_coordinate)
        return row_key.value

    def visible_ids(self) -> list[str]:
        table = self.table
        return [str(table.coordinate_to_cell_key(Coordinate(i, 0))[0].value) for i in range(table.row_count)]

    def record_in_view(self) -> Study | Review | None:
        current = self.current_id()
        return self.evidence.study(current) if current else None

    def select(self, record_id: str) -> bool:
        try:
            self.table.move_cursor(row=self.table.get_row_index(record_id), animate=False)
        except RowDoesNotExist:
            return False
        return True

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    @on(DataTable.RowHighlighted)
    def _preview(self, event: DataTable.RowHighlighted) -> None:
        self.show_preview(str(event.row_key.value))

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(OpenRecord(str(event.row_key.value)))
