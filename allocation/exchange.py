"""SKU exchange: orders short of a SKU trade places with the orders holding it.

Completion and repair leave an order short when the last units of a thin SKU
near it went to orders that could have taken theirs from another node. For
each SKU with such a short order, every order with an item of that SKU is
re-decided together (a small MIP over columns) within what the rest of the
batch leaves: it keeps its plan, moves its items of the SKU to another of its
candidate nodes (the rest of its plan unchanged), backorders them, or ships
whole from one of its cheapest nodes. The new plans are kept only when they
cost less, so the exchange never makes the answer dearer or infeasible.
A large-neighbourhood step whose neighbourhoods are the SKUs.

Where a node still has units of the SKU but no parcel left, no order of the
SKU can make room there. A second pass takes the SKUs still short, with a few
orders shipping whole from each such node added to the neighbourhood, free to
ship whole from one of their cheapest nodes instead (measured, 100k orders:
backordered units 173 → 137, against 133 no plan can ship).
"""
from __future__ import annotations

import time

import numpy as np

from allocation import columns as colmod
from allocation.fitting import master_data, use_of, whole_order_nodes
from allocation.master import cheapest_combination
from allocation.prepare import Prepared
from allocation.resources import values_at
from allocation.scoring import Scores

WHOLE_ORDER_COLUMNS = 6  # cheapest single-node plans offered to each order of a SKU's neighbourhood
MIP_TIME_LIMIT_S = 0.5  # per SKU
HOOD_LIMIT = 100  # SKUs with more items than this in the batch are left to the master and the repair
BUDGET_S = 1.0  # the exchange stops after this long (measured: 100k orders, all 75 SKUs in 0.5–0.7 s; with 0.5 s,
# 61–66 of them and an answer 0.2M fen dearer, varying from run to run) ...
MANY_SHORT_BUDGET_S = 0.2  # ... or this long when more than MAKERS_MAX_SKUS SKUs are short (capacity-tight 100k
# orders: 1.2M fen of 7,180M in 0.2 s, 1.4M in 0.5 s)
IDLE_LIMIT = 50  # ... or after this many SKUs in a row gained nothing (capacity, not stock, holds them short)
# Second pass (parcel makers), measured at 100k orders: backordered units 173 → 137, cost −2.3 %, in 0.9 s.
PARCEL_MAKERS = 16  # orders per node offered to move away and free a parcel where the SKU has units to spare
MAKERS_BUDGET_S = 1.0  # the second pass stops after this long ...
MAKERS_IDLE_LIMIT = 10  # ... or after this many SKUs in a row gained nothing
MAKERS_MAX_SKUS = 500  # and runs only when at most this many SKUs are short: with more, capacity everywhere holds
# orders short, and a freed parcel only moves the shortage (capacity-tight 20k orders: 1,318 SKUs, 3 done in 1 s)


def exchange_short_skus(prep: Prepared, choice: np.ndarray, deadline: float) -> tuple[np.ndarray, dict]:
    """`choice` with the orders of each SKU some order is short of re-decided where that is cheaper;
    SKUs with the most short items first, until `deadline` or the exchange's own budget. A second pass
    takes the SKUs still short with orders that may free a parcel where the SKU has units to spare."""
    stats = {"exchange_skus": 0, "exchange_skus_done": 0, "exchange_gain_fen": 0}
    choice, used = choice.copy(), None
    for makers, budget, idle_limit, prefix in ((0, BUDGET_S, IDLE_LIMIT, "exchange"),
                                               (PARCEL_MAKERS, MAKERS_BUDGET_S, MAKERS_IDLE_LIMIT, "parcel_exchange")):
        sku_items = _short_sku_items(prep, choice)
        many = len(sku_items) > MAKERS_MAX_SKUS
        if not sku_items or time.perf_counter() > deadline or makers and many:
            break
        budget = min(budget, MANY_SHORT_BUDGET_S) if many else budget
        if used is None:
            used = UseLedger(prep, choice)
        pass_deadline, done, gain, idle = min(deadline, time.perf_counter() + budget), 0, 0.0, 0
        for items in sku_items:
            if time.perf_counter() > pass_deadline or idle >= idle_limit:
                break
            step = _exchange(prep, choice, items, used, pass_deadline, makers)
            done, gain, idle = done + 1, gain + step, 0 if step > 0 else idle + 1
        stats.update({f"{prefix}_skus": len(sku_items), f"{prefix}_skus_done": done, f"{prefix}_gain_fen": round(gain)})
    return choice, stats


def _short_sku_items(prep: Prepared, choice: np.ndarray) -> list[np.ndarray]:
    """The items of each SKU some order is short of (SKUs with at most HOOD_LIMIT items in the batch),
    SKUs with the most short items first, smaller ones on ties."""
    o, sc = prep.orders, prep.sc
    sku = o.line_sku[o.item_line]
    short = np.flatnonzero(choice < 0)  # backordered items a candidate could ship, capacity permitting
    short = short[np.isfinite(sc.item_cost[short] + sc.fixed[o.item_order[short]]).any(axis=1)]
    if not len(short):
        return []
    skus, n_short = np.unique(sku[short], return_counts=True)
    by_sku = np.argsort(sku, kind="stable")
    lo, hi = np.searchsorted(sku[by_sku], skus), np.searchsorted(sku[by_sku], skus, "right")
    small = hi - lo <= HOOD_LIMIT
    n_short, lo, hi = n_short[small], lo[small], hi[small]
    return [by_sku[lo[j]:hi[j]] for j in np.lexsort((hi - lo, -n_short))]


def _exchange(prep: Prepared, choice: np.ndarray, items: np.ndarray, used: "UseLedger", deadline: float,
              makers_per_node: int = 0) -> float:
    """Re-decide the orders of `items` (one SKU's) in place, with up to `makers_per_node` orders per node
    that may free a parcel (`_parcel_makers`); the gain in fen (0 if none)."""
    o, sc = prep.orders, prep.sc
    hood = np.unique(o.item_order[items])
    makers = _parcel_makers(prep, choice, items, hood, used, makers_per_node)
    moving = colmod.concat(_moves(sc, o, hood, items, choice), colmod.single_node(sc, o, hood, WHOLE_ORDER_COLUMNS))
    hood = np.union1d(hood, makers)
    now = colmod.from_item_slots(o, hood, choice)
    cols = colmod.concat(now, moving, colmod.single_node(sc, o, makers, WHOLE_ORDER_COLUMNS))
    cols, data = master_data(prep, colmod.subset(cols, np.flatnonzero(within_policy(sc, cols))))
    _, u_key, u_amt = colmod.usage(prep.res, sc, o, now)
    residual_of = used.residual_without(u_key, u_amt)
    limit = min(MIP_TIME_LIMIT_S, max(deadline - time.perf_counter(), 0.05))
    picked = cheapest_combination(data, residual_of, limit)
    if picked is None or len(np.unique(cols.order[picked])) != len(hood):
        return 0.0
    gain = colmod.costs(sc, o, now, sc.fixed, sc.item_cost).sum() - data.col_cost[picked].sum()
    if gain <= 0.5:
        return 0.0
    took = colmod.subset(cols, picked)
    choice[took.e_item] = took.e_slot
    _, n_key, n_amt = colmod.usage(prep.res, sc, o, took)
    used.move(u_key, u_amt, n_key, n_amt)
    return float(gain)


def _parcel_makers(prep: Prepared, choice: np.ndarray, items: np.ndarray, hood: np.ndarray, used,
                   per_node: int) -> np.ndarray:
    """Up to `per_node` orders (fewest items first) shipping whole from each node that has units of the SKU
    of `items` to spare but no parcel left, and is a candidate of an order of `hood`: moving one of them
    away lets that order ship from there."""
    o, sc, res = prep.orders, prep.sc, prep.res
    if per_node <= 0:
        return np.zeros(0, np.int64)
    sku = int(o.line_sku[o.item_line[items[0]]])
    nodes = np.unique(sc.nodes[o.item_order[items]][np.isfinite(sc.item_cost[items])])
    nodes = nodes[nodes >= 0]
    spare = used.residual_without(np.zeros(0, np.int64), np.zeros(0))
    nodes = nodes[(spare(res.stock_key(0, nodes, np.full(len(nodes), sku))) >= 1) & (spare(res.parcel_key(nodes)) < 1)]
    if not len(nodes):
        return np.zeros(0, np.int64)
    at = np.flatnonzero(choice >= 0)
    node_of = sc.nodes[o.item_order[at], choice[at]]
    on = at[np.isin(node_of, nodes)]
    ords = np.setdiff1d(np.unique(o.item_order[on]), hood)
    if not len(ords):
        return ords
    node_o = whole_order_nodes(prep, choice, ords)
    ords, node_o = ords[node_o >= 0], node_o[node_o >= 0]
    by_node = [ords[node_o == nd] for nd in nodes]
    return np.unique(np.concatenate([m[np.argsort(o.n_items_per_order[m], kind="stable")[:per_node]] for m in by_node]))


def _moves(sc: Scores, o, hood: np.ndarray, items: np.ndarray, choice: np.ndarray) -> colmod.Columns:
    """Per order of `hood` and candidate slot (and backorder): its plan with its `items` there."""
    width = sc.nodes.shape[1]
    pos = np.searchsorted(hood, o.item_order[items])
    bad = np.zeros((len(hood), width + 1), dtype=bool)
    np.logical_or.at(bad, pos, np.c_[~np.isfinite(sc.item_cost[items] + sc.fixed[o.item_order[items]]),
                                     np.zeros(len(items), dtype=bool)])
    at, slot = np.nonzero(~bad)
    base = colmod.from_item_slots(o, hood[at], choice)
    moving = np.isin(base.e_item, items)
    target = np.where(slot == width, -1, slot)
    base.e_slot = np.where(moving, target[base.e_col], base.e_slot)
    return base


def within_policy(sc: Scores, cols: colmod.Columns) -> np.ndarray:
    """bool [C]: the column ships at most `max_parcels` parcels and, when split, none worth less
    than the minimum split shipment value."""
    width = sc.nodes.shape[1]
    real = cols.e_slot >= 0
    pair = cols.e_col[real] * width + cols.e_slot[real]
    value = np.bincount(pair, weights=sc.item_value[cols.e_item[real]], minlength=cols.n * width)
    value = value.reshape(cols.n, width)
    parcels = (np.bincount(pair, minlength=cols.n * width).reshape(cols.n, width) > 0).sum(axis=1)
    low = ((value > 0) & (value < sc.min_split_value_fen)).any(axis=1)
    return (parcels <= sc.max_parcels) & ~(low & (parcels > 1))


class UseLedger:
    """Use of every row by the current plans, kept up to date as plans move."""

    def __init__(self, prep: Prepared, choice: np.ndarray):
        _, keys, amt = use_of(prep, choice)
        uk, inv = np.unique(keys, return_inverse=True)
        self._used = dict(zip(uk.tolist(), np.bincount(inv, weights=amt).tolist()))
        self._res, self._cap = prep.res, {}

    def residual_without(self, keys: np.ndarray, amt: np.ndarray):
        """Capacity of each row left by every plan but the use (`keys`, `amt`) being re-decided."""
        uk, inv = np.unique(keys, return_inverse=True)
        own = np.bincount(inv, weights=amt, minlength=len(uk))
        used, res = self._used, self._res

        def residual_of(q: np.ndarray) -> np.ndarray:
            q = np.asarray(q, dtype=np.int64)
            taken = np.fromiter((used.get(k, 0.0) for k in q.tolist()), dtype=float, count=len(q))
            return res.capacity(q) - taken + values_at(q, uk, own)

        return residual_of

    def left(self, key: int) -> float:
        """Capacity of one row left by every plan."""
        cap = self._cap.get(key)
        if cap is None:
            cap = self._cap[key] = self._res.row_capacity(key)
        return cap - self._used.get(key, 0.0)

    def move(self, old_keys, old_amt, new_keys, new_amt) -> None:
        for k, a in zip(old_keys.tolist(), old_amt.tolist()):
            self._used[k] -= a
        for k, a in zip(new_keys.tolist(), new_amt.tolist()):
            self._used[k] = self._used.get(k, 0.0) + a
