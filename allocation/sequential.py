"""First-come, first-served allocation by a fixed node ranking: the engine of the baselines.

Orders are taken in payment order; each takes the best-ranked node that can
ship all of it, otherwise each line goes to the best-ranked node that has it
(one parcel per node used). This is what most OMS routing does today.
"""
from __future__ import annotations

import numpy as np

from allocation.batch import STORE, items_of
from allocation.prepare import Prepared


class Ledger:
    """Remaining capacity of every resource row, drawn down as orders are placed."""

    def __init__(self, prep: Prepared, capacity_of=None):
        self.prep = prep
        self.res = prep.res
        self.capacity_of = capacity_of or prep.res.capacity  # rows' capacity (the master passes what is left)
        self.used: dict[int, int] = {}
        self.cap: dict[int, int] = {}
        self.is_store = (prep.net.kind == STORE).tolist()
        self.levels = prep.res.levels.tolist()
        self._own = capacity_of is None  # the network's own capacities: read one row at a time in plain Python

    def prefetch(self, keys: np.ndarray) -> None:
        """Read the capacity of many rows at once (one call of `capacity_of` instead of one per row)."""
        keys = np.unique(keys)
        self.cap.update(zip(keys.tolist(), np.floor(self.capacity_of(keys) + 1e-9).astype(np.int64).tolist()))

    def _capacity(self, key: int) -> int:
        cap = self.cap.get(key)
        if cap is None:
            cap = self.res.row_capacity(key) if self._own else \
                int(np.floor(self.capacity_of(np.array([key]))[0] + 1e-9))
            self.cap[key] = cap
        return cap

    def needs(self, order: int, node: int, items: list[int]) -> list[tuple[int, int]]:
        """Rows and amounts one parcel of `items` from `node` would use."""
        o = self.prep.orders
        res = self.res
        need = {int(res.parcel_key(node)): 1}
        reserve = int(self.prep.sc.reserve[order])
        for i in items:
            qty = int(o.item_qty[i])
            sku = int(o.line_sku[o.item_line[i]])
            pick = int(res.pick_key(node))
            need[pick] = need.get(pick, 0) + qty
            for li, level in enumerate(self.levels):
                if level == 0 or (self.is_store[node] and reserve >= level):
                    key = int(res.stock_key(li, node, sku))
                    need[key] = need.get(key, 0) + qty
        return list(need.items())

    def fits(self, need: list[tuple[int, int]]) -> bool:
        return all(self.used.get(k, 0) + a <= self._capacity(k) for k, a in need)

    def take(self, need: list[tuple[int, int]]) -> None:
        for k, a in need:
            self.used[k] = self.used.get(k, 0) + a


def sequential_assign(prep: Prepared, rank: np.ndarray, orders: np.ndarray | None = None,
                      capacity_of=None) -> np.ndarray:
    """Slot per item (-1 = backorder), placing orders in payment order by `rank` [O, K] (low first).

    Only `orders` are placed when given (other items stay -1), within `capacity_of` rows when given."""
    o_arr, sc = prep.orders, prep.sc
    item_slot = np.full(len(o_arr.item_qty), -1, dtype=np.int64)
    ledger = Ledger(prep, capacity_of)
    todo = np.arange(o_arr.n_orders) if orders is None else np.asarray(orders, dtype=np.int64)
    todo = todo[np.argsort(o_arr.paid_rank[todo], kind="stable")]
    # Python lists of the placed orders' rows only: the master places a few hundred of a big batch
    rank = np.where(np.isfinite(sc.fixed[todo]), rank[todo], np.inf)
    order_of_slots = np.argsort(rank, axis=1, kind="stable").tolist()
    usable = np.isfinite(rank).tolist()
    nodes = sc.nodes[todo].tolist()
    starts = o_arr.order_item_start.tolist()
    todo_items = items_of(o_arr, todo)
    can_ship = np.isfinite(sc.item_cost[todo_items])
    if capacity_of is not None:
        at, slot = np.nonzero(can_ship)
        ledger.prefetch(prep.res.usage(sc, o_arr, np.arange(len(at)), todo_items[at], slot)[1])
    can_rows = can_ship.tolist()
    row = 0
    for j, o in enumerate(todo.tolist()):
        items = list(range(starts[o], starts[o + 1]))
        can = dict(zip(items, can_rows[row: row + len(items)]))
        row += len(items)
        slots = [k for k in order_of_slots[j] if usable[j][k]]
        if not _place_whole(ledger, o, items, slots, nodes[j], can, item_slot):
            _place_by_item(ledger, o, items, slots, nodes[j], can, item_slot, sc.max_parcels)
    return item_slot


def _place_whole(ledger, o, items, slots, nodes, can, item_slot) -> bool:
    for k in slots:
        if all(can[i][k] for i in items):
            need = ledger.needs(o, nodes[k], items)
            if ledger.fits(need):
                ledger.take(need)
                item_slot[items] = k
                return True
    return False


def _place_by_item(ledger, o, items, slots, nodes, can, item_slot, max_parcels) -> None:
    opened: dict[int, list[int]] = {}
    for i in items:
        for k in slots:
            if not can[i][k] or (k not in opened and len(opened) >= max_parcels):
                continue
            group = opened.get(k, [])
            need = ledger.needs(o, nodes[k], [i])
            if group:  # parcel already open at this node: no new parcel row
                need = [(key, a) for key, a in need if key != int(ledger.res.parcel_key(nodes[k]))]
            if ledger.fits(need):
                ledger.take(need)
                opened.setdefault(k, []).append(i)
                item_slot[i] = k
                break
