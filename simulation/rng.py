"""One seed drives every random stream of a run.

Each stream is named after what it decides ("demand", "transit", …) and derived from the seed and
its name alone, so adding a draw to one stream never shifts another. Draws that belong to one
order are taken up front per order (`OrderDraws`): two policies run on the same seed see the same
orders *and* the same luck for each order (common random numbers), however differently they route.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

SLOTS = 8  # shipments per order with their own pre-drawn numbers; later ones draw from a spare stream
LINE_SLOTS = 4  # lines per shipment with their own rejection draw


class Streams:
    """Independent, named numpy generators from one seed."""

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError(f'"seed" must be >= 0, got {seed}.')
        self.seed = seed

    def stream(self, name: str) -> np.random.Generator:
        key = zlib.crc32(name.encode("utf-8"))
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(key,))))


@dataclass(frozen=True, eq=False)
class OrderDraws:
    """Uniform(0, 1) numbers per order × shipment slot (× line slot for rejections)."""

    release: np.ndarray  # [order, slot]: how long until staff notice the task
    pick: np.ndarray  # [order, slot]: pick-pack time
    reject: np.ndarray  # [order, slot, line]: the units are not on the shelf
    transit: np.ndarray  # [order, slot]: line-haul and last mile
    cancel: np.ndarray  # [order]: the customer cancels
    spare: np.random.Generator  # for shipments or lines beyond the slots

    @classmethod
    def draw(cls, streams: Streams, n_orders: int) -> "OrderDraws":
        def uniform(name: str, *shape: int) -> np.ndarray:
            return streams.stream(name).random((n_orders, *shape), dtype=np.float32)

        return cls(release=uniform("release", SLOTS), pick=uniform("pick", SLOTS),
                   reject=uniform("reject", SLOTS, LINE_SLOTS), transit=uniform("transit", SLOTS),
                   cancel=streams.stream("cancel").random(n_orders), spare=streams.stream("spare"))

    def one(self, table: np.ndarray, order: int, slot: int) -> float:
        """The number for an order's shipment slot (slots are 0-based: shipment_no − 1)."""
        if 0 <= order < table.shape[0] and slot < table.shape[1]:
            return _open_unit(float(table[order, slot]))
        return _open_unit(float(self.spare.random()))

    def rejected(self, order: int, slot: int, line: int) -> float:
        if 0 <= order < self.reject.shape[0] and slot < SLOTS and line < LINE_SLOTS:
            return float(self.reject[order, slot, line])
        return float(self.spare.random())


def _open_unit(u: float) -> float:
    """Keep a uniform strictly inside (0, 1) so inverse CDFs stay finite."""
    return min(max(u, 1e-7), 1 - 1e-7)
