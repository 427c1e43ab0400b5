"""The search box and the list of hits (rendered by the same function as ``ldn-tui search``).

The list is virtual: a hit's matched fields and snippet are computed, and the hit drawn, only when
it comes into view (or within ``MARGIN`` hits of it); the search service computes the first
``EAGER_HITS`` with the ranking. Hits not yet drawn count with the average height of those drawn,
and the view is kept still (on the highlighted hit, else the top one) when they get their real height.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Horizontal
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.visual import Padding, visualize
from textual.widgets import Input, Static

from ldn_tui.report.search_out import hit_renderable
from ldn_tui.search import Hit, SearchResult
from ldn_tui.text import plural

PLACEHOLDER = 'search: words, "a phrase", year:2013..2024, marker:IL-6, type:review'
MARGIN = 2  # hits drawn beyond each edge of the view, so that scrolling by a line finds them ready
FIRST_GUESS = 5  # lines a hit not yet drawn is counted as, until some hit has been drawn


class SearchInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "screen.focus_hits", "Hits", show=False),
    ]


class SearchBar(Horizontal):
    """``/``: the query, and what became of it ("searching…", "3 of 7", an error)."""

    def compose(self) -> ComposeResult:
        yield Static("/", id="search-prompt")
        yield SearchInput(placeholder=PLACEHOLDER, id="search-input", select_on_focus=False)
        yield Static(id="search-status", markup=False)

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        status.update(Text(text))
        status.set_class(error, "-error")


class HitList(ScrollView, can_focus=True):
    """The hits, best first; each shows the matched field with the words marked. Looks and keys
    as an ``OptionList`` (a rule between hits; Enter or a click opens one), but draws only the
    hits in view. Its parts keep ``OptionList``'s component class names, so one stylesheet rule
    styles it and the record lists alike."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    DEFAULT_CSS = """
    HitList {
        width: 1fr;
        height: auto;
        max-height: 100%;
        color: $foreground;
        overflow-x: hidden;
        border: tall $border-blurred;
        padding: 0 1;
        background: $surface;
        & > .option-list--option-highlighted {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
            & > .option-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .option-list--separator {
            color: $foreground 15%;
        }
        & > .option-list--option-hover {
            background: $block-hover-background;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "option-list--option",
        "option-list--option-highlighted",
        "option-list--option-hover",
        "option-list--separator",
    }

    highlighted: reactive[int | None] = reactive(None)
    """The index of the highlighted hit (``None``: no hits)."""

    class HitMessage(Message):
        """About hit ``index`` of ``hit_list.hits``."""

        def __init__(self, hit_list: HitList, index: int) -> None:
            super().__init__()
            self.hit_list = hit_list
            self.index = index

        @property
        def control(self) -> HitList:
            return self.hit_list

    class Highlighted(HitMessage):
        """A hit is highlighted (the cursor moved)."""

    class Selected(HitMessage):
        """A hit is chosen (Enter or a click)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hits: list[Hit] = []
        self.total = 0
        self._heights: list[int | None] = []  # lines per hit (its rule included) once drawn at _width
        self._width = 0
        self._offsets: list[int] = [0]  # where each hit starts; the last entry is the total height
        self._renders: LRUCache[tuple[int, Style], list[Strip]] = LRUCache(maxsize=256)
        self._hover: int | None = None
        self._settling = False

    # ------------------------------------------------------------------ content

    def show(self, result: SearchResult | None) -> None:
        """List a search's hits (``None``: none), the first highlighted. Draws only those in view."""
        self.hits = list(result.hits) if result else []
        self.total = result.total if result else 0
        self._heights = [None] * len(self.hits)
        self._renders.clear()
        self._hover = None
        self.highlighted = None
        self._update_offsets()
        self.scroll_to(y=0, animate=False, force=True)
        if self.hits:
            self.highlighted = 0
        self.refresh()

    @property
    def current(self) -> Hit | None:
        if self.highlighted is None or not self.hits:
            return None
        return self.hits[self.highlighted]

    @property
    def drawn(self) -> list[int]:
        """The indexes of the hits drawn (so far) at the current width."""
        return [i for i, h in enumerate(self._heights) if h is not None]

    def count_text(self) -> str:
        """'3 of 7' (and how many matched in all when only the first ones are listed)."""
        if not self.hits:
            return "no matches"
        position = (self.highlighted or 0) + 1
        shown = len(self.hits)
        if self.total > shown:
            return f"{position} of {shown} shown ({plural(self.total, 'match', 'matches')})"
        return f"{position} of {self.total}"

    def step(self, delta: int) -> None:
        if self.hits:
            self.highlighted = ((self.highlighted or 0) + delta) % len(self.hits)

    # ------------------------------------------------------------------ geometry

    def _guess(self) -> int:
        """The height counted for a hit not drawn yet: the average of those drawn."""
        known = [h for h in self._heights if h is not None]
        return round(sum(known) / len(known)) if known else FIRST_GUESS

    def _update_offsets(self) -> None:
        guess = self._guess()
        self._offsets = [0, *accumulate(guess if h is None else h for h in self._heights)]
        size = Size(self._width, self._offsets[-1])
        if size != self.virtual_size:
            self.virtual_size = size

    def _hit_at(self, y: int) -> int:
        """The hit on virtual line ``y`` (the nearest one past either end)."""
        return max(0, min(len(self.hits) - 1, bisect_right(self._offsets, y) - 1))

    def _check_width(self) -> bool:
        """Forget the drawn heights when the width changed, keeping the top hit at the top;
        False while there is nothing to draw on."""
        region = self.scrollable_content_region
        if region.width <= 0 or region.height <= 0 or not self.hits:
            return False
        if region.width != self._width:
            top = self._hit_at(self.scroll_offset.y) if self._width else 0
            self._width = region.width
            self._heights = [None] * len(self.hits)
            self._renders.clear()
            self._update_offsets()
            if top:
                self.scroll_to(y=self._offsets[top], animate=False, force=True)
        return True

    def _draw(self, index: int, style: Style) -> list[Strip]:
        """Hit ``index`` drawn at the current width (computing its fields and snippet if needed)."""
        key = (index, style)
        if (strips := self._renders.get(key)) is None:
            width = self._width
            visual = visualize(self, hit_renderable(index + 1, self.hits[index]), markup=False)
            padding = self.get_component_styles("option-list--option").padding
            if padding:
                visual = Padding(visual, padding)
            meta = {"hit": index}
            strips = [strip.extend_cell_length(width, style.rich_style).apply_meta(meta)
                      for strip in visual.to_strips(self, visual, width, None, style)]
            if index < len(self.hits) - 1:
                rule = self.get_visual_style("option-list--separator").rich_style
                strips.append(Strip([Segment("─" * width, rule)], width))
            self._renders[key] = strips
            self._heights[index] = len(strips)
        return strips

    def _style_for(self, index: int) -> Style:
        if index == self.highlighted:
            return self.get_visual_style("option-list--option", "option-list--option-highlighted")
        if index == self._hover:
            return self.get_visual_style("option-list--option", "option-list--option-hover")
        return self.get_visual_style("option-list--option")

    def _measure(self, indexes: Sequence[int]) -> bool:
        """Draw the hits among ``indexes`` not drawn yet; whether there were any."""
        todo = [i for i in indexes if self._heights[i] is None]
        for i in todo:
            self._draw(i, self._style_for(i))
        return bool(todo)

    def _settle(self) -> None:
        """Draw the hits in view and ``MARGIN`` either side, keeping the view still: the highlighted
        hit (else the top one) stays on the same line while the hits around it get their height."""
        if self._settling or not self._check_width():
            return
        self._settling = True
        try:
            view = self.scrollable_content_region.height
            for _ in range(len(self.hits) + 1):  # each round draws at least one more hit, or stops
                top = self.scroll_offset.y
                first, last = self._hit_at(top), self._hit_at(top + view - 1)
                here = self.highlighted
                anchor = here if here is not None and first <= here <= last else first
                line = self._offsets[anchor] - top  # where the anchor starts in the view (<= 0: above)
                wanted = range(max(0, first - MARGIN), min(len(self.hits), last + 1 + MARGIN))
                if not self._measure(wanted):
                    break
                self._update_offsets()
                if (y := self._offsets[anchor] - line) != top:
                    self.scroll_to(y=y, animate=False, force=True)
        finally:
            self._settling = False

    def scroll_to_highlight(self) -> None:
        """Bring the highlighted hit into view (drawing it and its neighbours first)."""
        index = self.highlighted
        if index is None or not self.is_mounted or not self._check_width():
            return
        if self._measure([index]):
            self._update_offsets()
        start, end = self._offsets[index], self._offsets[index + 1]
        self.scroll_to_region(Region(0, start, self._width, end - start), animate=False, force=True,
                              immediate=True)
        self._settle()

    # ------------------------------------------------------------------ rendering

    def render_lines(self, crop: Region) -> list[Strip]:
        self._settle()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        if self.hits and line < self._offsets[-1]:
            index = self._hit_at(line)
            if self._heights[index] is None:  # not settled (it should have been): fix up next frame
                self._measure([index])
                self._update_offsets()
                self.refresh()
            strips = self._draw(index, self._style_for(index))
            if 0 <= line - self._offsets[index] < len(strips):
                return strips[line - self._offsets[index]]
        blank = self.get_visual_style("option-list--option").rich_style
        return Strip.blank(self.scrollable_content_region.width, blank)

    def notify_style_update(self) -> None:
        self._renders.clear()
        self.refresh()
        super().notify_style_update()

    def _on_resize(self, event: events.Resize) -> None:
        self._renders.clear()
        self.refresh()
        self.scroll_to_highlight()  # the hit under the cursor stays in view at any size

    def on_show(self) -> None:
        self.call_after_refresh(self.scroll_to_highlight)

    # ------------------------------------------------------------------ highlight and keys

    def validate_highlighted(self, index: int | None) -> int | None:
        if index is None or not self.hits:
            return None
        return max(0, min(len(self.hits) - 1, index))

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        self.refresh()
        if new is not None:
            self.scroll_to_highlight()
            self.post_message(self.Highlighted(self, new))

    def action_cursor_down(self) -> None:
        if self.hits:
            self.highlighted = min(len(self.hits) - 1, (self.highlighted or 0) + (self.highlighted is not None))

    def action_cursor_up(self) -> None:
        if self.hits:
            self.highlighted = max(0, (self.highlighted or 0) - 1)

    def action_first(self) -> None:
        if self.hits:
            self.highlighted = 0

    def action_last(self) -> None:
        if self.hits:
            self.highlighted = len(self.hits) - 1

    def _move_page(self, direction: int) -> None:
        if not self.hits:
            return
        here = self.highlighted or 0
        target = self._hit_at(self._offsets[here] + direction * self.scrollable_content_region.height)
        self.highlighted = target if target != here else max(0, min(len(self.hits) - 1, here + direction))

    def action_page_down(self) -> None:
        self._move_page(1)

    def action_page_up(self) -> None:
        self._move_page(-1)

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Selected(self, self.highlighted))

    # ------------------------------------------------------------------ mouse

    async def _on_click(self, event: events.Click) -> None:
        index = event.style.meta.get("hit")
        if isinstance(index, int) and 0 <= index < len(self.hits):
            self.highlighted = index
            self.action_select()

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        index = event.style.meta.get("hit")
        if index != self._hover:
            self._hover = index if isinstance(index, int) else None
            self.refresh()

    def _on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()
