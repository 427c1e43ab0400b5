"""Keeping Python's cyclic garbage collector out of bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(*, long_lived: bool = False) -> Iterator[None]:
    """Pause the cyclic collector for a block that allocates many small acyclic objects
    (loading a folder, indexing it, laying out its summary): it would walk them, and the
    loaded evidence, over and over and free none of them, a large share of the time in a large
    folder. Reference counting still frees everything as usual.

    With ``long_lived`` (a loaded folder, kept until exit), what the block built goes straight
    to the oldest generation: otherwise the first collection after the block walks all of it
    (about 7% of a load) only to find it alive. Done by freezing and at once unfreezing every
    object, which moves them there and starts the young generation's count again; skipped when
    the process froze objects itself, which it means to keep out of every collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if long_lived and not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
