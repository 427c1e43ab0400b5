"""Keeping Python's cyclic garbage collector out of bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector for a block that allocates many small acyclic objects
    (loading a folder, indexing it, laying out its summary): it would walk them, and the
    loaded evidence, over and over and free none of them, a large share of the time in a large
    folder. Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
