"""memory.gc_paused: the collector stays out of bulk work, and a long-lived result is not walked after it."""

from __future__ import annotations

import gc

import pytest

from ldn_tui.memory import gc_paused


@pytest.fixture(autouse=True)
def nothing_frozen() -> None:
    """Tests that ran before in this process may have frozen what they loaded (the CLI does)."""
    gc.unfreeze()
    gc.collect()


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused(long_lived=True):
            pass
        assert not gc.isenabled()  # a caller's own pause is left as it was
    finally:
        gc.enable()


def walks_after(long_lived: bool) -> int:
    """How many collections a bulk block and the first allocations after it set off."""
    events: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        events.append(phase)

    gc.collect()
    gc.callbacks.append(seen)
    try:
        with gc_paused(long_lived=long_lived):
            built = [[i] for i in range(10_000)]
        after = [[i] for i in range(10)]
    finally:
        gc.callbacks.remove(seen)
    assert built and after
    return events.count("start")


def test_a_long_lived_result_is_not_walked_by_the_next_collection() -> None:
    assert walks_after(long_lived=False) == 1  # what the option spares: a walk of all 10,000 lists
    assert walks_after(long_lived=True) == 0


def test_a_long_lived_result_goes_to_the_oldest_generation() -> None:
    gc.collect()
    with gc_paused(long_lived=True):
        built = [[i] for i in range(1_000)]
    assert any(o is built for o in gc.get_objects(generation=2))


def test_objects_the_process_froze_stay_frozen() -> None:
    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused(long_lived=True):
            built = [[i] for i in range(1_000)]
        assert gc.get_freeze_count() == frozen  # not unfrozen behind the process's back
        assert built
    finally:
        gc.unfreeze()
