"""Columns of the restricted master: candidate plans of contested orders, and resource prices.

A column is one complete plan of one order: a slot (or backorder) per item.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocation.batch import OrderArrays, items_of
from allocation.resources import Resources
from allocation.scoring import Scores, cheapest_slots, whole_order_costs


@dataclass(eq=False)
class Columns:
    order: np.ndarray  # int [C] order of each column
    e_col: np.ndarray  # int [E] column of each entry; every item of the order appears once per column
    e_item: np.ndarray
    e_slot: np.ndarray  # -1 = backordered

    @property
    def n(self) -> int:
        return len(self.order)


def from_item_slots(orders: OrderArrays, ords: np.ndarray, item_slot: np.ndarray) -> Columns:
    """One column per order in `ords`, taken from a full-length slot-per-item array."""
    ords = np.asarray(ords, dtype=np.int64)
    e_col = np.repeat(np.arange(len(ords)), orders.n_items_per_order[ords])
    e_item = items_of(orders, ords)
    return Columns(ords, e_col, e_item, item_slot[e_item])


def single_node(sc: Scores, orders: OrderArrays, ords: np.ndarray, top: int) -> Columns:
    """Columns shipping the whole order from one node, for its `top` cheapest such nodes."""
    ords = np.asarray(ords, dtype=np.int64)
    rank, ok = cheapest_slots(whole_order_costs(sc, orders, ords), top)
    rows, pos = np.nonzero(ok)
    ords_rep, slot = ords[rows], rank[rows, pos]
    base = from_item_slots(orders, ords_rep, np.zeros(len(orders.item_qty), dtype=np.int64))
    base.e_slot = slot[base.e_col]
    return base


def backorder_all(orders: OrderArrays, ords: np.ndarray) -> Columns:
    return from_item_slots(orders, ords, np.full(len(orders.item_qty), -1, dtype=np.int64))


def concat(*parts: Columns) -> Columns:
    """Stack column sets and drop duplicate plans of the same order."""
    parts = [p for p in parts if p.n]
    if not parts:
        return Columns(*(np.zeros(0, dtype=np.int64) for _ in range(4)))
    offs = np.cumsum([0] + [p.n for p in parts[:-1]])
    order = np.concatenate([p.order for p in parts])
    e_col = np.concatenate([p.e_col + o for p, o in zip(parts, offs)])
    e_item = np.concatenate([p.e_item for p in parts])
    e_slot = np.concatenate([p.e_slot for p in parts])
    rng = np.random.default_rng(12345)
    weight = rng.random(int(e_item.max()) + 1 if len(e_item) else 1)
    sig = np.bincount(e_col, weights=(e_slot + 2) * weight[e_item], minlength=len(order))
    _, keep = np.unique(np.stack([order.astype(float), np.round(sig, 9)], axis=1), axis=0, return_index=True)
    keep = np.sort(keep)
    return subset(Columns(order, e_col, e_item, e_slot), keep)


def concat_keep(*parts: Columns) -> Columns:
    """Stack column sets keeping every column (indices stay those of the parts, in order)."""
    offs = np.cumsum([0] + [p.n for p in parts[:-1]])
    return Columns(np.concatenate([p.order for p in parts]),
                   np.concatenate([p.e_col + off for p, off in zip(parts, offs)]),
                   np.concatenate([p.e_item for p in parts]), np.concatenate([p.e_slot for p in parts]))


def subset(cols: Columns, keep: np.ndarray) -> Columns:
    new_id = np.full(cols.n, -1, dtype=np.int64)
    new_id[keep] = np.arange(len(keep))
    m = new_id[cols.e_col] >= 0
    return Columns(cols.order[keep], new_id[cols.e_col[m]], cols.e_item[m], cols.e_slot[m])


def costs(sc: Scores, orders: OrderArrays, cols: Columns, fixed: np.ndarray, item_cost: np.ndarray) -> np.ndarray:
    """float [C]: each column's cost under parcel costs `fixed` and item costs `item_cost`."""
    real = cols.e_slot >= 0
    item_part = np.where(real, item_cost[cols.e_item, np.maximum(cols.e_slot, 0)],
                         sc.backorder_fen * orders.item_qty[cols.e_item])
    total = np.bincount(cols.e_col, weights=item_part, minlength=cols.n)
    width = sc.nodes.shape[1]
    pairs = np.unique(cols.e_col[real] * width + cols.e_slot[real])
    pc, pk = pairs // width, pairs % width
    total += np.bincount(pc, weights=fixed[cols.order[pc], pk], minlength=cols.n)
    parcels = np.bincount(pc, minlength=cols.n)
    return total + sc.split_fen * np.maximum(parcels - 1, 0)


def short(sc: Scores, cols: Columns) -> np.ndarray:
    """bool [C]: the column backorders units some candidate node could ship (capacity permitting)."""
    bo = cols.e_slot < 0
    could = np.isfinite(sc.item_cost[cols.e_item[bo]]).any(axis=1)
    return np.bincount(cols.e_col[bo][could], minlength=cols.n) > 0


def usage(res: Resources, sc: Scores, orders: OrderArrays, cols: Columns):
    """Triplets (column, row key, amount) of the columns' resource use."""
    real = cols.e_slot >= 0
    return res.usage(sc, orders, cols.e_col[real], cols.e_item[real], cols.e_slot[real])


def priced_costs(res: Resources, sc: Scores, orders: OrderArrays, keys: np.ndarray, lam: np.ndarray):
    """Parcel and item cost arrays with resource prices `lam` (fen per unit of row `keys`) added."""
    fixed, item_cost = sc.fixed.copy(), sc.item_cost.copy()
    keep = lam > 1e-9
    keys, lam = keys[keep], lam[keep]
    if not len(keys):
        return fixed, item_cost
    n = res.n_nodes
    par = keys < n
    pick = (keys >= n) & (keys < 2 * n)
    nd = np.maximum(sc.nodes, 0)
    if par.any():
        fixed += np.bincount(keys[par], weights=lam[par], minlength=n)[nd]
    item_nodes = nd[orders.item_order]
    if pick.any():
        item_cost += np.bincount(keys[pick] - n, weights=lam[pick], minlength=n)[item_nodes] \
            * orders.item_qty[:, None]
    st = ~(par | pick)
    if st.any():
        _add_stock_prices(res, sc, orders, item_nodes, item_cost, keys[st], lam[st])
    return fixed, item_cost


def _add_stock_prices(res: Resources, sc: Scores, orders: OrderArrays, item_nodes: np.ndarray,
                      item_cost: np.ndarray, keys: np.ndarray, lam: np.ndarray) -> None:
    """Add (in place) to each item's cost at each node the prices of the stock rows its units draw on.

    Only items of a priced SKU are touched, through a dense [level, node, priced SKU] table: a
    lookup of every (item, node) pair in the sorted keys cost 0.3 s per pricing at 100k orders."""
    n, n_skus = res.n_nodes, res.n_skus
    level_of, rest = np.divmod(keys - 2 * n, n * n_skus)
    node, sku = np.divmod(rest, n_skus)
    priced_skus, sku_col = np.unique(sku, return_inverse=True)
    width = len(priced_skus)
    table = np.bincount((level_of * n + node) * width + sku_col, weights=lam, minlength=len(res.levels) * n * width)
    col_of_sku = np.full(n_skus, -1, dtype=np.int64)
    col_of_sku[priced_skus] = np.arange(width)
    col = col_of_sku[np.maximum(orders.line_sku[orders.item_line], 0)]
    items = np.flatnonzero(col >= 0)
    at = item_nodes[items] * width + col[items][:, None]
    qty = orders.item_qty[items][:, None]
    is_store = res.net.kind[item_nodes[items]] == 0
    reserve = sc.reserve[orders.item_order[items]][:, None]
    added = item_cost[items]
    for li, level in enumerate(res.levels):
        price = table[li * n * width + at]
        if level > 0:  # deeper levels are the store safety stock this channel may not touch
            price = np.where(is_store & (reserve >= level), price, 0.0)
        added += price * qty
    item_cost[items] = added
