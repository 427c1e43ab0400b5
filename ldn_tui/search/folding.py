"""Text folding for search: compare text case-, accent- and dash-insensitively, and map matches
back to the original text. Pure standard library.

Folding is NFKD, combining marks dropped, casefolded, Unicode dashes turned into ``-``;
"Rodríguez" folds to "rodriguez" while "β" stays "β".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

Span = tuple[int, int]


# Unicode dashes become "-"; the non-ASCII spaces that NFKD keeps become " ".
_DASHES = str.maketrans({**dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
                         **dict.fromkeys("\x85\u1680\u2028\u2029", " ")})
_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")
_ASCII = bytes(range(128))
_WORD = re.compile(r"\S+")


def _drop_marks(text: str) -> str:
    return "".join(c for c in text if not (unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me")))


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """How one non-ASCII char folds: NFKD, marks dropped, casefolded (twice, as casefolding
    can produce new decomposable chars), dashes and spaces unified, lowercase."""
    text = _drop_marks(unicodedata.normalize("NFKD", char)).casefold()
    return _drop_marks(unicodedata.normalize("NFKD", text)).translate(_DASHES).lower()


_LONE = "surrogatepass"  # lone surrogates (say from undecodable argv bytes) pass through


def _utf8(text: str) -> bytes:
    return text.encode(errors=_LONE)


def fold(text: str) -> str:
    """Fold ``text`` for comparison, char by char (so ``fold(a + b) == fold(a) + fold(b)``);
    whitespace stays whitespace."""
    return text.lower() if text.isascii() else _fold_utf8(_utf8(text)).decode(errors=_LONE)


def _fold_utf8(data: bytes) -> bytes:
    """``fold`` on UTF-8, fast: a text's distinct non-ASCII chars are few, so each is
    replaced in C (unless a replacement would be rewritten by a later one), and
    ``bytes.lower`` lowers just the ASCII rest."""
    if data.isascii():
        return data.lower()
    chars = set(data.translate(None, _ASCII).decode(errors=_LONE))
    folds = {c: _fold_char(c) for c in chars}
    if not all(folds[x] == x for f in folds.values() for x in f if x in folds):
        return _utf8("".join(map(_fold_one, data.decode(errors=_LONE))))
    for c, f in folds.items():
        if f != c:
            data = data.replace(_utf8(c), _utf8(f))
    return data.lower()


@functools.lru_cache(maxsize=1024)
def _plan(chars: frozenset[str]) -> tuple[tuple[str, str], ...] | None:
    """The (char, fold) replacements that fold a text with these non-ASCII chars, or None when
    a replacement would be rewritten by a later one (then fold char by char)."""
    folds = {c: _fold_char(c) for c in chars}
    if not all(folds[x] == x for f in folds.values() for x in f if x in folds):
        return None
    return tuple((c, f) for c, f in folds.items() if f != c)


def _fold_text_utf8(text: str) -> bytes:
    """``_fold_utf8(_utf8(text))``, faster for a long text: ``str.replace`` of one char is far
    cheaper than ``bytes.replace`` of its UTF-8 sequence (this is most of indexing a record)."""
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        data = _utf8(text)
    if data.isascii():
        return data.lower()
    plan = _plan(frozenset(data.translate(None, _ASCII).decode(errors=_LONE)))
    if plan is None:
        return _utf8("".join(map(_fold_one, data.decode(errors=_LONE))))
    if plan:
        for c, f in plan:
            text = text.replace(c, f)
        data = _utf8(text)
    return data.lower()


def _fold_one(char: str) -> str:
    return char.lower() if char.isascii() else _fold_char(char)


def _fold_all(texts: list[str]) -> list[str]:
    """``fold`` of each text, in one call when they can be told apart again."""
    joined = "\0".join(texts)
    if texts and joined.count("\0") == len(texts) - 1:
        return fold(joined).split("\0")
    return [fold(t) for t in texts]


def normalize(text: str) -> str:
    """``fold`` with whitespace runs collapsed to one space and the ends stripped."""
    return " ".join(fold(text).split())


def _fold_map(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """``normalize(text)`` and, per char of it, the [start, end) of the chars of ``text`` it
    came from (``None`` maps: identity). ASCII runs are mapped in bulk."""
    if text.isascii() and " ".join(text.split()) == text:
        return text.lower(), None, None
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for k, run in enumerate(_NON_ASCII.split(text)):
        if k % 2 == 0:
            parts.append(run.lower())
            starts += range(pos, pos + len(run))
            ends += range(pos + 1, pos + len(run) + 1)
        else:
            for j, ch in enumerate(run, pos):
                if folded := _fold_char(ch):
                    parts.append(folded)
                    starts += [j] * len(folded)
                    ends += [j + 1] * len(folded)
                elif ends and ends[-1] == j:
                    ends[-1] = j + 1  # a dropped mark belongs with the char before it
        pos += len(run)
    folded = "".join(parts)
    if " ".join(folded.split()) == folded:
        return folded, starts, ends
    out: list[str] = []  # collapse whitespace; a kept space stands for its whole run
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = -1
    for m in _WORD.finditer(folded):
        if last >= 0:
            out.append(" ")
            new_starts.append(starts[last])
            new_ends.append(ends[m.start() - 1])
        out.append(m[0])
        new_starts += starts[m.start():m.end()]
        new_ends += ends[m.start():m.end()]
        last = m.end()
    return "".join(out), new_starts, new_ends


def _find_spans(text: str, needles: Sequence[str]) -> list[Span]:
    """Every occurrence of every needle in ``text`` as merged [start, end) spans of ``text``."""
    folded, starts, ends = _fold_map(text)
    found: list[Span] = []
    for needle in needles:
        pos = folded.find(needle)
        while pos != -1:
            end = pos + len(needle)
            found.append((pos, end) if starts is None or ends is None else (starts[pos], ends[end - 1]))
            pos = folded.find(needle, pos + 1)
    merged: list[Span] = []
    for a, b in sorted(found):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


