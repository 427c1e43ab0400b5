"""Text hygiene shared by every layer: evidence files are untrusted input."""

from __future__ import annotations

import re

# C0 controls except newline, DEL, C1 controls, and the bidirectional overrides and
# isolates that can make text display in an order other than the one it is stored in.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")


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
