"""Shared resources that couple orders: node parcels, node pick units, node × SKU stock.

A resource is an integer row key. Stock rows come in nested levels so a
channel's store safety stock holds: orders of a channel with reserve r use the
rows of every level t <= r, and row (node, sku, t) has capacity atp − t.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from allocation.batch import STORE, NetworkArrays, OrderArrays
from allocation.scoring import Scores


@dataclass(eq=False)
class Resources:
    n_nodes: int
    n_skus: int
    levels: np.ndarray  # int: distinct store reserve levels in the batch, first = 0
    net: NetworkArrays

    @classmethod
    def of(cls, net: NetworkArrays, sc: Scores) -> "Resources":
        levels = np.unique(np.concatenate([[0], sc.reserve]))
        return cls(len(net.node_ids), max(net.atp.shape[1], 1), levels.astype(np.int64), net)

    def parcel_key(self, node: np.ndarray) -> np.ndarray:
        return node

    def pick_key(self, node: np.ndarray) -> np.ndarray:
        return self.n_nodes + node

    def stock_key(self, level_idx: np.ndarray | int, node: np.ndarray, sku: np.ndarray) -> np.ndarray:
        return 2 * self.n_nodes + (level_idx * self.n_nodes + node) * self.n_skus + sku

    def capacity(self, keys: np.ndarray) -> np.ndarray:
        """Capacity of each row key (int64)."""
        keys = np.asarray(keys, dtype=np.int64)
        cap = np.zeros(len(keys), dtype=np.int64)
        par = keys < self.n_nodes
        pick = (keys >= self.n_nodes) & (keys < 2 * self.n_nodes)
        cap[par] = self.net.parcel_cap[keys[par]]
        cap[pick] = self.net.pick_cap[keys[pick] - self.n_nodes]
        st = ~(par | pick)
        rest = keys[st] - 2 * self.n_nodes
        atp = self.net.atp.reshape(-1)  # node * n_skus + sku: the key's remainder past its level
        if len(self.levels) == 1:
            cap[st] = np.maximum(atp[rest], 0)
        else:
            lvl, rem = np.divmod(rest, self.n_nodes * self.n_skus)
            cap[st] = np.maximum(atp[rem] - self.levels[lvl], 0)
        return cap

    def row_capacity(self, key: int) -> int:
        """`capacity` of one row key in plain Python (first-come baselines ask one row at a time)."""
        n = self.n_nodes
        if key < n:
            return self._plain_caps[0][key]
        if key < 2 * n:
            return self._plain_caps[1][key - n]
        lvl, rem = divmod(key - 2 * n, n * self.n_skus)
        node, sku = divmod(rem, self.n_skus)
        return max(int(self.net.atp[node, sku]) - self._plain_caps[2][lvl], 0)

    @cached_property
    def _plain_caps(self) -> tuple[list[int], list[int], list[int]]:
        return self.net.parcel_cap.tolist(), self.net.pick_cap.tolist(), self.levels.tolist()

    def usage(self, sc: Scores, orders: OrderArrays, owner: np.ndarray, item_idx: np.ndarray,
              slot: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Resource use of assigned items as triplets (owner, row key, amount).

        `owner` labels each assigned item with the plan (column) it belongs to;
        items of one owner at one slot form one parcel.
        """
        owner = np.asarray(owner, dtype=np.int64)
        order = orders.item_order[item_idx]
        node = sc.nodes[order, slot]
        qty = orders.item_qty[item_idx]
        _, first = np.unique(owner * sc.nodes.shape[1] + slot, return_index=True)
        owners = [owner[first], owner]
        keys = [self.parcel_key(node[first]), self.pick_key(node)]
        amounts = [np.ones(len(first), dtype=np.int64), qty]
        sku = orders.line_sku[orders.item_line[item_idx]]
        is_store = self.net.kind[node] == STORE
        reserve = sc.reserve[order]
        for li, level in enumerate(self.levels):
            use = (level == 0) | (is_store & (reserve >= level))
            owners.append(owner[use])
            keys.append(self.stock_key(li, node[use], sku[use]))
            amounts.append(qty[use])
        return np.concatenate(owners), np.concatenate(keys), np.concatenate(amounts)


def values_at(keys: np.ndarray, known: np.ndarray, value: np.ndarray) -> np.ndarray:
    """`value` at each of `keys` found in the sorted `known` (a row's use or price by key), 0 elsewhere."""
    if not len(known):
        return np.zeros(len(keys))
    pos = np.minimum(np.searchsorted(known, keys), len(known) - 1)
    return np.where(known[pos] == keys, value[pos], 0.0)


def overused_rows(res: Resources, keys: np.ndarray, amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose total use exceeds capacity: (keys, use)."""
    uk, inv = np.unique(keys, return_inverse=True)
    use = np.bincount(inv, weights=amounts).astype(np.int64)
    over = use > res.capacity(uk)
    return uk[over], use[over]
