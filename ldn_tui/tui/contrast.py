"""A contrast floor: every character drawn at least 4.5:1 against its background (WCAG AA).

The app's colours come from the theme (app.tcss) and from the Rich styles of the
report renderers ("red", "dim", ...), which a theme does not know: red on a dark
surface, yellow on a light one, or either made grey by ``NO_COLOR`` (Textual's
monochrome filter keeps only their brightness) can fall far below 4.5:1. This
line filter runs last, after Textual's own (ANSI to true colour, dim, monochrome),
and moves any foreground that is too close to its background towards white or
black, just far enough: hues are kept where they can be, and every colour a
theme already draws readably is left exactly as it is.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

MINIMUM = 4.5  # WCAG 2 AA, normal text


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    r, g, b = rgb
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _blend(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def as_drawn(rgb: tuple[int, int, int], eight_bit: bool) -> tuple[int, int, int]:
    """The colour a terminal of 256 colours shows for ``rgb`` (Rich rounds each colour to its
    palette, which can cost a pair a whole point of contrast); ``rgb`` itself in true colour."""
    if not eight_bit:
        return rgb
    t = RichColor.from_rgb(*rgb).downgrade(ColorSystem.EIGHT_BIT).get_truecolor()
    return (t.red, t.green, t.blue)


@lru_cache(4096)
def readable(
    fg: tuple[int, int, int], bg: tuple[int, int, int], minimum: float = MINIMUM, eight_bit: bool = False
) -> tuple[int, int, int]:
    """``fg`` itself if it reaches ``minimum`` against ``bg`` as drawn, else the nearest blend of it
    towards white or black (whichever contrasts more with ``bg``) that does. Against any background
    one of white and black reaches 4.58:1, so a result always exists."""
    shown_bg = as_drawn(bg, eight_bit)

    def enough(color: tuple[int, int, int]) -> bool:
        return contrast(as_drawn(color, eight_bit), shown_bg) >= minimum

    if enough(fg):
        return fg
    white, black = (255, 255, 255), (0, 0, 0)
    pole = white if contrast(white, shown_bg) >= contrast(black, shown_bg) else black
    low, high = 0.0, 1.0
    for _ in range(12):
        mid = (low + high) / 2
        if enough(_blend(fg, pole, mid)):
            high = mid
        else:
            low = mid
    found = _blend(fg, pole, high)
    return found if enough(found) else pole  # (rounding to a palette need not be monotonic)


@lru_cache(4096)
def _floor_style(style: Style, background: RichColor, eight_bit: bool) -> Style:
    color, bgcolor = style.color, style.bgcolor or background
    if color is None or color.triplet is None or bgcolor.triplet is None:
        return style
    fg, bg = color.triplet, bgcolor.triplet
    if style.reverse:  # the text is drawn in the background colour
        fg, bg = bg, fg
    fixed = readable((fg[0], fg[1], fg[2]), (bg[0], bg[1], bg[2]), MINIMUM, eight_bit)
    if fixed == fg:
        return style
    new = RichColor.from_rgb(*fixed)
    return style + (Style(bgcolor=new) if style.reverse else Style(color=new))


class ContrastFloor(LineFilter):
    """Raise every foreground to ``MINIMUM`` contrast against its background, as a terminal of
    256 colours will draw them when ``eight_bit``."""

    def __init__(self, eight_bit: bool = False) -> None:
        super().__init__()
        self.eight_bit = eight_bit

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        back, eight_bit = background.rich_color, self.eight_bit
        return [
            Segment(text, None if style is None else _floor_style(style, back, eight_bit), control)
            for text, style, control in segments
        ]
