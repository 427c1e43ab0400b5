"""Text hygiene shared by every layer: evidence files are untrusted input."""

from __future__ import annotations

import re

# C0 controls except newline, DEL, C1 controls, and the bidirectional overrides and
# isolates that can make text display in an order other than the one it is stored in.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


# What ``clean`` changes, in a UTF-8 file: the C0 controls but the newline (so the tab, and
# the "\r" of "\r\n", too) and DEL; the C1 controls and the bidirectional marks; and
# the TOML escapes that could spell any of them ("\t", "\u0007"): any backslash that is
# not one of \" \\ \n or a line-ending backslash.
_C0 = bytes(range(0x0A)) + bytes(range(0x0B, 0x20)) + b"\x7f"
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_BIDI = re.compile(rb"\xe2(?:\x80[\x8e\x8f\xaa-\xae]|\x81[\xa6-\xa9])")
_ALM = b"\xd8\x9c"  # U+061C ARABIC LETTER MARK, a bidirectional mark too
_ESCAPE = re.compile(rb'\\[^"\\n\n ]')


def plain(raw: bytes) -> bool:
    """Whether no string that a TOML parser reads from the UTF-8 file ``raw`` can need
    ``clean`` (it may say no when none does). A few scans of the file's bytes cost a
    fraction of checking each of its strings."""
    if len(raw.translate(None, _C0)) != len(raw):
        return False
    if not raw.isascii():  # the C1 controls and the marks are all multi-byte
        if b"\xc2" in raw and _C1.search(raw) is not None:
            return False
        if b"\xe2" in raw and _BIDI.search(raw) is not None:
            return False
        if b"\xd8" in raw and _ALM in raw:  # a one-byte search first: it is the faster
            return False
    return b"\\" not in raw or _ESCAPE.search(raw) is None


def clean(text: str) -> str:
    """Drop terminal control characters; tabs become spaces; newlines stay."""
    if text.isprintable():
        return text
    return _CONTROL.sub("", text.replace("\t", " ").replace("\r\n", "\n"))


def one_line(text: str) -> str:
    """``clean`` and fold all whitespace runs (newlines included) to one space."""
    return " ".join(clean(text).split())


def has_control(text: str) -> bool:
    return not text.isprintable() and _CONTROL.search(text.replace("\t", " ")) is not None


# Characters whose width terminals disagree on: the zero-width joiner that fuses emoji into one
# glyph (two cells, or one per emoji: Rich counts one per emoji) and the variation selectors
# (VS16 asks for the two-cell emoji form of a one-cell character).
_UNSTABLE_WIDTH = re.compile("[\u200d\ufe0e\ufe0f]")


def cell_text(text: str) -> str:
    """``text`` for a table cell, of a width every terminal and Rich agree on: an emoji ZWJ
    sequence becomes its emoji side by side, and variation selectors are dropped."""
    if text.isascii():
        return text
    return _UNSTABLE_WIDTH.sub("", text)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` and the noun agreeing with it: "1 study", "13 studies", "2 RCTs", "0 events".

    Without ``plural_form``: "y" after a consonant becomes "ies", "s", "x", "z", "ch"
    and "sh" take "es", anything else takes "s".
    """
    return f"{n} {noun(n, singular, plural_form)}"


def noun(n: int, singular: str, plural_form: str | None = None) -> str:
    """The noun alone, singular for exactly 1 (or -1), else plural (see :func:`plural`)."""
    if abs(n) == 1:
        return singular
    if plural_form is not None:
        return plural_form
    if singular.endswith("y") and len(singular) > 1 and singular[-2].lower() not in "aeiou":
        return singular[:-1] + "ies"
    if singular.endswith(("s", "x", "z", "ch", "sh")):
        return singular + "es"
    return singular + "s"


def number(value: float, digits: int = 2, *, fixed: bool = False) -> str:
    """A number as people write it: at most ``digits`` decimals, no trailing zeros (with ``fixed``,
    always ``digits`` decimals: an effect and its CI), a real minus sign; never raises (``nan`` and
    infinities are spelled out, huge values in exponent form)."""
    if value != value:
        return "not a number"
    if value in (float("inf"), float("-inf")):
        return ("\u2212" if value < 0 else "") + "infinity"
    if abs(value) >= 1e15:
        return f"{value:.{max(digits, 1)}e}".replace("-", "\u2212")
    text = f"{value:.{digits}f}"
    if not fixed and digits:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-") or "0"
    return text.replace("-", "\u2212")


def effect_number(value: float) -> str:
    """An effect estimate or a CI bound: always two decimals, as RevMan and GRADEpro print them."""
    return number(value, 2, fixed=True)
