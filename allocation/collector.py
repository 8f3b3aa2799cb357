"""Pausing Python's cyclic garbage collector around work that makes very many small objects and no
reference cycles: its passes would walk every live object again and again and find nothing."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = False):
    """Automatic collection off inside the block, back as it was after. `freeze` also moves what
    already exists out of the collector's view for the block (collect once first, so no garbage is
    frozen with it)."""
    was_enabled = gc.isenabled()
    if freeze:
        gc.collect()
        gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        if freeze:
            gc.unfreeze()
