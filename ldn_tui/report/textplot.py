"""A small text-cell plotting engine for the forest and evidence-over-time plots.

Rows of ``label | RoB | plot | numbers | extra`` laid out for a width, an axis
on the analysis scale (natural log for ratios, no effect at 0) with nice ticks,
and a canvas that draws an interval with a marker, clamping what runs off the
axis to ``◀``/``▶``. Everything becomes ``rich.text.Text`` lines; the plain
text of the same lines is what goes into Markdown code blocks.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from ldn_tui.report import facts

__all__ = [
    "CELLS_PLOT", "MAX_PLOT", "MIN_PLOT", "ROB_STYLE", "Axis", "Canvas", "Draw", "Layout", "Row", "auto_axis", "axis_lines",
    "ci_text", "crop", "fit", "grid", "layout", "num", "ticks", "wrapped",
]

MIN_PLOT, MAX_PLOT = 11, 60
CELLS_PLOT = 24  # the arm columns are shown only when the plot keeps at least this many cells
ROB_STYLE = {"low": "green", "some": "yellow", "high": "red", "?": "dim"}


@dataclass(frozen=True, slots=True)
class Axis:
    """The plotted range on the analysis scale (natural log for ratios); no effect is at 0."""

    lo: float
    hi: float
    ratio: bool

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lo) and math.isfinite(self.hi) and self.lo < self.hi):
            raise ValueError(f"an axis needs finite lo < hi, got {self.lo!r} and {self.hi!r}")

    def scale(self, value: float) -> float:
        if not self.ratio:
            return value
        return math.log(value) if value > 0 else -math.inf

    def column(self, value: float, width: int) -> tuple[int, int]:
        """(column, side): side is -1 off the left end, +1 off the right end, 0 on the axis."""
        x = self.scale(value)
        if math.isnan(x):
            return 0, -1
        if x < self.lo:
            return 0, -1
        if x > self.hi:
            return width - 1, 1
        return round((x - self.lo) / (self.hi - self.lo) * (width - 1)), 0

    def null_column(self, width: int) -> int | None:
        return self.column(1.0 if self.ratio else 0.0, width)[0] if self.lo <= 0.0 <= self.hi else None


def auto_axis(core: Iterable[float | None], extra: Iterable[float | None], ratio: bool) -> Axis:
    """An axis over no effect and the ``core`` values (display scale), stretched towards the ``extra``
    ones (CIs, prediction intervals) by at most the core's own span on each side: what lies further
    out is clamped to an arrow, so one very wide CI cannot squash every other row into a few cells."""
    limit = 690.0 if ratio else 1e300  # keeps exp(), log10() and the span finite for any valid number

    def scaled(values: Iterable[float | None]) -> list[float]:
        out = []
        for v in values:
            if v is None or (ratio and v <= 0):
                continue
            x = math.log(v) if ratio else v
            if math.isfinite(x):
                out.append(max(-limit, min(limit, x)))
        return out

    core_x = [0.0, *scaled(core)]
    full_x = core_x + scaled(extra)
    lo_c, hi_c = min(core_x), max(core_x)
    span = hi_c - lo_c or (0.7 if ratio else 1.0)
    lo, hi = max(min(full_x), lo_c - span), min(max(full_x), hi_c + span)
    if hi - lo < 1e-9:
        lo, hi = lo - max(span, 1e-9), hi + max(span, 1e-9)
    pad = (hi - lo) * 0.04
    return Axis(max(lo - pad, -1.02 * limit), min(hi + pad, 1.02 * limit), ratio)


def num(value: float) -> str:
    text = f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    text = text[1:] if text in ("-0.00", "-0") else text
    return text.replace("-", "\u2212")


def ci_text(est: float | None, lo: float | None, hi: float | None) -> str:
    if est is None:
        return ""
    return f"{num(est)} [{num(lo)}, {num(hi)}]" if lo is not None and hi is not None else num(est)


def linear_ticks(lo: float, hi: float, most: int) -> list[tuple[float, str]]:
    span = hi - lo
    exp = math.floor(math.log10(span / most))
    step = 10.0 ** (exp + 1)
    for base in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = base * 10.0**exp
        if math.floor(hi / step) - math.ceil(lo / step) + 1 <= most:
            break
    decimals = next((d for d in range(8) if abs(round(step, d) - step) < 1e-9 * step), 8)
    out = []
    for i in range(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1):
        text = f"{i * step:.{decimals}f}"
        text = text.lstrip("-") if float(text) == 0 else text
        out.append((i * step, text.replace("-", "\u2212")))
    return out


def ticks(axis: Axis, width: int) -> list[tuple[float, str]]:
    """(display value, label): 1-2-5 ticks on a log axis (finer when it spans little), nice linear ticks else."""
    most = max(2, width // 7)
    if not axis.ratio:
        return linear_ticks(axis.lo, axis.hi, most)
    lo, hi = math.exp(axis.lo), math.exp(axis.hi)
    e0, e1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    values: list[float] = []
    for mults in ((1, 2, 5), (1,)):
        values = [m * 10.0**e for e in range(e0, e1 + 1) for m in mults if lo <= m * 10.0**e <= hi]
        if len(values) <= most:
            break
    if len(values) < 3:  # a narrow log axis: linear ticks, and always 1 (no effect) where it is on the axis
        out = [(v, t) for v, t in linear_ticks(lo, hi, min(most, 5)) if v > 0]
        if lo <= 1.0 <= hi and not any(abs(v - 1.0) < 1e-9 for v, _ in out):
            out = sorted([*out, (1.0, "1")])
        return out
    step = max(1, math.ceil(len(values) / most))
    values = sorted(set(values[::step]) | ({1.0} if lo <= 1.0 <= hi else set()))
    return [(v, facts.num(v, 3)) for v in values]


class Canvas:
    """One row of the plot area: a character and a style per cell."""

    def __init__(self, width: int, null: int | None, style: str = "dim") -> None:
        self.chars = [" "] * width
        self.styles = [""] * width
        if null is not None:
            self.chars[null], self.styles[null] = "│", style

    def put(self, col: int, char: str, style: str = "") -> None:
        if 0 <= col < len(self.chars):
            self.chars[col], self.styles[col] = char, style

    def interval(
        self, axis: Axis, lo: float | None, hi: float | None, est: float | None, *, fill: str = "─",
        ends: str = "├┤", mark: str = "■", half: int = 0, style: str = "", mark_style: str = "bold",
    ) -> None:
        width = len(self.chars)
        if lo is None or hi is None:
            lo = hi = est
        if lo is None or hi is None:
            return
        c_lo, s_lo = axis.column(lo, width)
        c_hi, s_hi = axis.column(hi, width)
        if s_lo > 0 or s_hi < 0:  # the whole interval lies off one end
            self.put(width - 1 if s_lo > 0 else 0, "▶" if s_lo > 0 else "◀", "bold")
            return
        for c in range(c_lo, c_hi + 1):
            self.put(c, "┼" if self.chars[c] == "│" and fill in "─·" else fill, style)
        if ends and c_hi - c_lo >= 2:
            self.put(c_lo, ends[0], style)
            self.put(c_hi, ends[1], style)
        if s_lo < 0:
            self.put(0, "◀", "bold")
        if s_hi > 0:
            self.put(width - 1, "▶", "bold")
        if est is not None and mark:
            c, side = axis.column(est, width)
            if side == 0:
                first, last = c_lo + (s_lo < 0), c_hi - (s_hi > 0)
                for j in range(max(c - half, first), min(c + half, last) + 1):
                    self.put(j, mark, mark_style)
                self.put(c, mark, mark_style)

    def text(self) -> Text:
        out = Text()
        for char, style in zip(self.chars, self.styles, strict=True):
            out.append(char, style)
        return out


Draw = Callable[[Canvas, Axis], None]


class Row(NamedTuple):
    label: str
    rob: str | None  # None: no RoB cell in this row
    draw: Draw | None
    numbers: str = ""
    extra: str = ""
    label_style: str = ""
    extra_style: str = ""
    cells: tuple[str, ...] = ()  # columns between the label and the RoB (the arm data), right-aligned


class Layout(NamedTuple):
    label: int
    rob: int
    plot: int
    numbers: int
    extra: int
    cells: tuple[int, ...] = ()  # empty: the cell columns do not fit and are left out

    @property
    def x0(self) -> int:
        return self.label + 1 + sum(c + 1 for c in self.cells) + (self.rob + 1 if self.rob else 0)


def layout(width: int, rows: Sequence[Row], rob: bool) -> Layout:
    """Column widths for ``width`` cells: the plot gets what is left (at most MAX_PLOT). The cell columns
    (arm data) go first when the plot would get fewer than CELLS_PLOT cells; below MIN_PLOT the extra
    column, then the numbers go, then the label shrinks."""
    want = max(cell_len(r.label) for r in rows)
    numbers = max(cell_len(r.numbers) for r in rows)
    extra = max(cell_len(r.extra) for r in rows)
    n_cells = max((len(r.cells) for r in rows), default=0)
    cells = tuple(max(cell_len(r.cells[i]) if i < len(r.cells) else 0 for r in rows) for i in range(n_cells))
    r_w = max(4, *(cell_len(r.rob or "") for r in rows)) if rob else 0
    label = min(want, max(10, width // 4))

    def plot_width(lab: int, num: int, ext: int) -> int:
        used = lab + 1 + sum(c + 1 for c in cells) + (r_w + 1 if r_w else 0)
        return width - used - (num + 1 if num else 0) - (ext + 1 if ext else 0)

    if cells and plot_width(label, numbers, extra) < CELLS_PLOT:
        cells = ()
    plot = plot_width(label, numbers, extra)
    if plot > MAX_PLOT:
        label = min(want, label + plot - MAX_PLOT)
    if plot_width(label, numbers, extra) < MIN_PLOT:
        extra = 0
    if plot_width(label, numbers, extra) < MIN_PLOT:
        numbers = 0
    if plot_width(label, numbers, extra) < MIN_PLOT:
        label = max(6, label + plot_width(label, numbers, extra) - MIN_PLOT)
    plot = max(3, min(MAX_PLOT, plot_width(label, numbers, extra)))
    return Layout(label, r_w, plot, numbers, extra, cells)


YEAR_TAIL = re.compile(r"^(.*?)( \d{4}[a-z]?[†‡]*)$")


def fit(label: str, width: int) -> str:
    """The label in ``width`` cells; a long one keeps its year: 'Rodríguez-Fr… 2025'."""
    if cell_len(label) <= width:
        return set_cell_size(label, width)
    m = YEAR_TAIL.match(label)
    if m:
        head, tail = m.group(1).removesuffix(" et al."), m.group(2)
        if cell_len(head + tail) <= width:
            return set_cell_size(head + tail, width)
        room = width - cell_len(tail) - 1
        if room >= 3:
            return set_cell_size(head, room) + "…" + tail
    return set_cell_size(label, max(0, width - 1)) + "…"


def grid(rows: Sequence[Row], axis: Axis, width: int, rob: bool) -> tuple[list[Text], Layout]:
    """One line per row: label, RoB word, plot (with the no-effect line), numbers, extra."""
    lay = layout(width, rows, rob)
    null = axis.null_column(lay.plot)
    lines = []
    for row in rows:
        line = Text(fit(row.label, lay.label), style=row.label_style)
        for i, cell_w in enumerate(lay.cells):
            line.append(" " + (row.cells[i] if i < len(row.cells) else "").rjust(cell_w), row.label_style)
        if lay.rob:
            word = row.rob or ""
            line.append(" " + set_cell_size(word, lay.rob), ROB_STYLE.get(word.rpartition(" ")[2], ""))
        canvas = Canvas(lay.plot, null)
        if row.draw is not None:
            row.draw(canvas, axis)
        line.append(" ")
        line.append_text(canvas.text())
        if lay.numbers:
            line.append(" " + row.numbers.rjust(lay.numbers))
        if lay.extra:
            line.append(" " + row.extra.rjust(lay.extra), row.extra_style)
        lines.append(line)
    return lines, lay


def axis_lines(axis: Axis, lay: Layout, width: int, lower_is_better: bool | None) -> list[Text]:
    """The axis rule, its tick labels, and (unless ``lower_is_better`` is None) the favours labels."""
    null = axis.null_column(lay.plot)
    marks = [(axis.column(v, lay.plot)[0], label) for v, label in ticks(axis, lay.plot)]
    rule = Canvas(lay.plot, None)
    for c in range(lay.plot):
        rule.put(c, "─", "dim")
    for c, _ in marks:
        rule.put(c, "┼" if c == null else "┬", "dim")
    if null is not None:
        rule.put(null, "┼", "dim")
    labels = [" "] * lay.plot
    taken = [False] * lay.plot
    for c, label in sorted(marks, key=lambda t: t[0] != null):
        n = len(label)
        start = min(max(0, c - n // 2), lay.plot - n)
        span = range(max(0, start - 1), min(lay.plot, start + n + 1))
        if start < 0 or any(taken[i] for i in span):
            continue
        for i, ch in enumerate(label):
            labels[start + i], taken[start + i] = ch, True
    pad = " " * lay.x0
    out = [Text(pad) + rule.text(), Text(pad + "".join(labels).rstrip(), style="dim")]
    if lower_is_better is None:
        return out
    left = f"◀ favours {'intervention' if lower_is_better else 'control'}"
    right = f"favours {'control' if lower_is_better else 'intervention'} ▶"
    centre = lay.x0 + (null if null is not None else lay.plot // 2)
    l_start = max(0, centre - 1 - len(left))
    r_start = min(centre + 2, width - len(right))
    if l_start + len(left) < centre and r_start > centre:
        out.append(Text(" " * l_start + left + " " * (r_start - l_start - len(left)) + right, style="dim"))
    else:
        out.append(Text(" " * min(lay.x0, max(0, width - len(left))) + left, style="dim"))
        out.append(Text(" " * max(0, min(lay.x0 + lay.plot, width) - len(right)) + right, style="dim"))
    return out


def wrapped(text: str, width: int, indent: int = 2, style: str = "dim") -> list[Text]:
    lines = textwrap.wrap(text, width=max(12, width), subsequent_indent=" " * indent, break_on_hyphens=False)
    return [Text(line, style=style) for line in lines]


def crop(lines: Iterable[Text], width: int) -> list[Text]:
    out = []
    for line in lines:
        line.no_wrap, line.overflow = True, "crop"
        line.truncate(width)
        out.append(line)
    return out
