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
"""
from __future__ import annotations

import time

import numpy as np

from allocation import columns as colmod
from allocation.fitting import master_data, use_of
from allocation.master import cheapest_combination
from allocation.prepare import Prepared
from allocation.scoring import Scores

WHOLE_ORDER_COLUMNS = 6  # cheapest single-node plans offered to each order of a SKU's neighbourhood
MIP_TIME_LIMIT_S = 0.5  # per SKU
HOOD_LIMIT = 100  # SKUs with more items than this in the batch are left to the master and the repair
BUDGET_S = 0.5  # the exchange stops after this long (measured: 100k orders, all 75 SKUs in 0.47 s) ...
IDLE_LIMIT = 50  # ... or after this many SKUs in a row gained nothing (capacity, not stock, holds them short)


def exchange_short_skus(prep: Prepared, choice: np.ndarray, deadline: float) -> tuple[np.ndarray, dict]:
    """`choice` with the orders of each SKU some order is short of re-decided where that is cheaper;
    SKUs with the most short items first, until `deadline` or the exchange's own budget."""
    o, sc = prep.orders, prep.sc
    sku = o.line_sku[o.item_line]
    short = np.flatnonzero(choice < 0)  # backordered items a candidate could ship, capacity permitting
    short = short[np.isfinite(sc.item_cost[short] + sc.fixed[o.item_order[short]]).any(axis=1)]
    stats = {"exchange_skus": 0, "exchange_skus_done": 0, "exchange_gain_fen": 0.0}
    if not len(short) or time.perf_counter() > deadline:
        return choice, stats
    skus, n_short = np.unique(sku[short], return_counts=True)
    by_sku = np.argsort(sku, kind="stable")
    lo, hi = np.searchsorted(sku[by_sku], skus), np.searchsorted(sku[by_sku], skus, "right")
    small = hi - lo <= HOOD_LIMIT
    skus, n_short, lo, hi = skus[small], n_short[small], lo[small], hi[small]
    stats["exchange_skus"] = len(skus)
    choice, used, idle = choice.copy(), _UseLedger(prep, choice), 0
    deadline = min(deadline, time.perf_counter() + BUDGET_S)
    for j in np.lexsort((hi - lo, -n_short)):  # most short items first, smaller neighbourhoods on ties
        if time.perf_counter() > deadline or idle >= IDLE_LIMIT:
            break
        gain = _exchange(prep, choice, by_sku[lo[j]:hi[j]], used, deadline)
        idle = 0 if gain > 0 else idle + 1
        stats["exchange_skus_done"] += 1
        stats["exchange_gain_fen"] += gain
    stats["exchange_gain_fen"] = round(stats["exchange_gain_fen"])
    return choice, stats


def _exchange(prep: Prepared, choice: np.ndarray, items: np.ndarray, used: "_UseLedger", deadline: float) -> float:
    """Re-decide the orders of `items` (one SKU's) in place; the gain in fen (0 if none)."""
    o, sc = prep.orders, prep.sc
    hood = np.unique(o.item_order[items])
    now = colmod.from_item_slots(o, hood, choice)
    cols = colmod.concat(now, _moves(sc, o, hood, items, choice), colmod.single_node(sc, o, hood, WHOLE_ORDER_COLUMNS))
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


class _UseLedger:
    """Use of every row by the current plans, kept up to date as plans move."""

    def __init__(self, prep: Prepared, choice: np.ndarray):
        _, keys, amt = use_of(prep, choice)
        uk, inv = np.unique(keys, return_inverse=True)
        self._used = dict(zip(uk.tolist(), np.bincount(inv, weights=amt).tolist()))
        self._res = prep.res

    def residual_without(self, keys: np.ndarray, amt: np.ndarray):
        """Capacity of each row left by every plan but the use (`keys`, `amt`) being re-decided."""
        uk, inv = np.unique(keys, return_inverse=True)
        own = np.bincount(inv, weights=amt, minlength=len(uk))
        used, res = self._used, self._res

        def residual_of(q: np.ndarray) -> np.ndarray:
            q = np.asarray(q, dtype=np.int64)
            taken = np.fromiter((used.get(k, 0.0) for k in q.tolist()), dtype=float, count=len(q))
            pos = np.minimum(np.searchsorted(uk, q), max(len(uk) - 1, 0))
            mine = np.where(uk[pos] == q, own[pos], 0.0) if len(uk) else np.zeros(len(q))
            return res.capacity(q) - taken + mine

        return residual_of

    def move(self, old_keys, old_amt, new_keys, new_amt) -> None:
        for k, a in zip(old_keys.tolist(), old_amt.tolist()):
            self._used[k] -= a
        for k, a in zip(new_keys.tolist(), new_amt.tolist()):
            self._used[k] = self._used.get(k, 0.0) + a
