"""Stock of many SKUs across nodes as arrays: what an allocation wave plans on.

A wave reads every node's level for a few hundred SKUs, a few hundred thousand records. As
`StockLevel` objects that is a Python loop per wave; as arrays [node, SKU] it is a slice.
`StockMatrix` keeps such arrays up to date as levels are written (the in-memory store does, on
every commit), so taking a snapshot costs one slice, not one object per level.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np

from oms.inventory import StockLevel


@dataclass(frozen=True, eq=False)
class StockSnapshot:
    """Levels of `sku_codes` at `node_ids`, as arrays [node, SKU]; `held` marks where a level exists.
    Iterating gives the `StockLevel` records themselves (copies)."""

    node_ids: tuple[str, ...]
    sku_codes: tuple[str, ...]
    on_hand: np.ndarray
    reserved: np.ndarray
    safety: np.ndarray
    held: np.ndarray

    @classmethod
    def of_levels(cls, levels: Iterable[StockLevel], sku_codes: Iterable[str]) -> "StockSnapshot":
        """The snapshot of these levels, one column per SKU asked for (levels of other SKUs are left out)."""
        matrix = StockMatrix()
        for level in levels:
            matrix.put(level)
        return matrix.snapshot(sku_codes)

    def __len__(self) -> int:
        return int(self.held.sum())

    def __iter__(self) -> Iterator[StockLevel]:
        for n, s in zip(*np.nonzero(self.held)):
            yield StockLevel(self.node_ids[n], self.sku_codes[s], int(self.on_hand[n, s]), int(self.reserved[n, s]),
                             int(self.safety[n, s]))


class StockMatrix:
    """Every level written so far, as growing arrays (the store calls `put` and `drop`).

    Writes are only noted (a dict entry per level: the store writes on every commit) and laid into
    the arrays in one vectorised step when the next snapshot is taken. The arrays are SKU-major
    ([SKU, node]): a snapshot takes whole SKU rows, each one contiguous block."""

    def __init__(self):
        self.at_node: dict[str, int] = {}
        self.at_sku: dict[str, int] = {}
        self._values = np.zeros((3, 0, 0), dtype=np.int32)  # [(on hand, reserved, safety), sku, node]
        self._held = np.zeros((0, 0), dtype=bool)  # [sku, node]
        self._pending: dict[tuple[str, str], StockLevel | None] = {}

    def put(self, level: StockLevel) -> None:
        self._pending[(level.node_id, level.sku_code)] = level

    def drop(self, node_id: str, sku_code: str) -> None:
        self._pending[(node_id, sku_code)] = None

    def snapshot(self, sku_codes: Iterable[str]) -> StockSnapshot:
        self._flush()
        skus = tuple(sorted(set(sku_codes)))
        nodes = len(self.at_node)
        columns = np.array([self.at_sku.get(sku, -1) for sku in skus], dtype=np.int64)
        known = columns >= 0
        values = np.zeros((3, len(skus), nodes), dtype=np.int64)
        held = np.zeros((len(skus), nodes), dtype=bool)
        values[:, known] = self._values[:, columns[known], :nodes]
        held[known] = self._held[columns[known], :nodes]
        return StockSnapshot(tuple(self.at_node), skus, values[0].T, values[1].T, values[2].T, held.T)

    def _flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        at_node, at_sku = self.at_node, self.at_sku
        for node_id, sku_code in pending:
            at_node.setdefault(node_id, len(at_node))
            at_sku.setdefault(sku_code, len(at_sku))
        if len(at_sku) > self._held.shape[0] or len(at_node) > self._held.shape[1]:
            self._grow(len(at_sku), len(at_node))
        gone = (0, 0, 0, 0)
        rows = np.array([(at_sku[s], at_node[n]) + ((lv.on_hand, lv.reserved, lv.safety_stock, 1) if lv else gone)
                         for (n, s), lv in pending.items()], dtype=np.int64)
        self._values[:, rows[:, 0], rows[:, 1]] = rows[:, 2:5].T
        self._held[rows[:, 0], rows[:, 1]] = rows[:, 5].astype(bool)

    def _grow(self, skus: int, nodes: int) -> None:
        old = self._held.shape
        shape = (old[0] if skus <= old[0] else max(skus, old[0] * 3 // 2, 64),
                 old[1] if nodes <= old[1] else max(nodes, old[1] * 3 // 2, 16))
        values, held = np.zeros((3, *shape), dtype=np.int32), np.zeros(shape, dtype=bool)
        values[:, :old[0], :old[1]] = self._values
        held[:old[0], :old[1]] = self._held
        self._values, self._held = values, held
