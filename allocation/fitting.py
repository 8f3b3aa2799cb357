"""Plans that fit what is left: capacity bookkeeping shared by the master and the flow phase."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocation import columns as colmod
from allocation.batch import items_of
from allocation.master import MasterData
from allocation.plans import Priced, price_orders
from allocation.prepare import Prepared
from allocation.resources import values_at


DENSE_USE_SHARE = 64  # `_used_at` reads a full table of rows when at least 1/64 of them are used


@dataclass
class SearchState:
    choice: np.ndarray  # slot per item of the current plan
    bound: float  # best lower bound so far
    base_keys: np.ndarray  # row prices found before the master (flow potentials)
    base_price: np.ndarray
    alone: Priced | None = None  # every order's best plan at no prices (orders no price touches keep it)
    plan: np.ndarray | None = None  # slot per item: the LP's plan at the prices, when they come from an LP

    def offer(self, value: float, keys: np.ndarray | None = None, price: np.ndarray | None = None,
              plan: np.ndarray | None = None) -> None:
        """Keep `value` as the bound if it is higher, with the prices it came from (and the LP's plan there) if
        given."""
        if value > self.bound:
            self.bound = value
            if keys is not None:
                self.base_keys, self.base_price, self.plan = keys, price, plan

    def merged_prices(self, keys: np.ndarray, price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The master's prices where it has them, the flow's elsewhere (any λ >= 0 gives a bound)."""
        keep = ~np.isin(self.base_keys, keys)
        return np.r_[self.base_keys[keep], keys], np.r_[self.base_price[keep], price]


def use_of(prep: Prepared, item_slot: np.ndarray):
    real = np.flatnonzero(item_slot >= 0)
    return prep.res.usage(prep.sc, prep.orders, prep.orders.item_order[real], real, item_slot[real])


def whole_order_nodes(prep: Prepared, choice: np.ndarray, ords: np.ndarray | None = None) -> np.ndarray:
    """The node each of `ords` (default: every order) ships whole from in `choice`; -1 where it is split,
    short or has no item."""
    o = prep.orders
    ords = np.arange(o.n_orders) if ords is None else np.asarray(ords, dtype=np.int64)
    counts = o.n_items_per_order[ords]
    items = items_of(o, ords)
    if not len(items):
        return np.full(len(ords), -1, dtype=np.int64)
    first = np.minimum(np.cumsum(counts) - counts, len(items) - 1)
    lo, hi = np.minimum.reduceat(choice[items], first), np.maximum.reduceat(choice[items], first)
    whole = (counts > 0) & (lo == hi) & (lo >= 0)
    return np.where(whole, prep.sc.nodes[ords, np.maximum(lo, 0)], -1)


def residual(prep: Prepared, owner, keys, amt, contested):
    """Capacity of each row left by the orders that keep their own best plan."""
    keep = ~np.isin(owner, contested)
    used_at = _used_at(prep.res, keys[keep], amt[keep])

    def residual_of(q: np.ndarray) -> np.ndarray:
        return prep.res.capacity(q).astype(float) - used_at(q)

    return residual_of


def _used_at(res, keys: np.ndarray, amt: np.ndarray):
    """Lookup of the amount used of each row key (0 where unused). A big batch asks millions of
    rows per fit; a table over every possible row answers each with one read instead of a binary
    search (100k capacity-tight orders: 1.5 s of searches), worth building when the used rows are
    at least 1/DENSE_USE_SHARE of all possible rows."""
    n_rows = 2 * res.n_nodes + len(res.levels) * res.n_nodes * res.n_skus
    if len(keys) * DENSE_USE_SHARE >= n_rows:
        table = np.bincount(keys, weights=amt, minlength=n_rows)
        return lambda q: table[q]
    used_keys, inv = np.unique(keys, return_inverse=True)
    used = np.bincount(inv, weights=amt, minlength=len(used_keys))
    return lambda q: values_at(q, used_keys, used)


def fit_columns(prep: Prepared, ords: np.ndarray, residual_of, fixed, item_cost) -> colmod.Columns:
    """Each order's best plan at the given prices using only the capacity left (`residual_of`),
    so the column fits on its own: the LP may have used a column half-way, a MIP cannot."""
    sc, o, res = prep.sc, prep.orders, prep.res
    ords = np.asarray(ords, dtype=np.int64)
    items = items_of(o, ords)
    nd = np.maximum(sc.nodes[ords], 0)
    parcel_left = residual_of(res.parcel_key(nd).ravel()).reshape(nd.shape)
    pick_left = residual_of(res.pick_key(nd).ravel()).reshape(nd.shape)
    item_nodes = np.maximum(sc.nodes[o.item_order[items]], 0)
    sku = np.maximum(o.line_sku[o.item_line[items]], 0)[:, None]
    is_store = prep.net.kind[item_nodes] == 0
    reserve = sc.reserve[o.item_order[items]][:, None]
    avail = sc.avail[items].astype(float)
    for li, level in enumerate(res.levels):
        applies = (level == 0) | (is_store & (reserve >= level))
        left = residual_of(res.stock_key(li, item_nodes, sku).ravel()).reshape(item_nodes.shape)
        avail = np.where(applies, np.minimum(avail, left), avail)
    avail = np.floor(avail + 1e-9).astype(np.int64)
    pick_left = np.floor(pick_left + 1e-9).astype(np.int64)
    f = np.where(parcel_left >= 1 - 1e-9, fixed[ords], np.inf)
    qty = o.item_qty[items][:, None]
    row = np.repeat(np.arange(len(ords)), o.n_items_per_order[ords])
    c = np.where((avail >= qty) & (pick_left[row] >= qty), item_cost[items], np.inf)
    priced = price_orders(sc, o, f, c, subset=ords, avail=avail, pick_cap=pick_left)
    return colmod.from_item_slots(o, ords, priced.item_slot)


def master_data(prep: Prepared, cols: colmod.Columns) -> tuple[colmod.Columns, MasterData]:
    """Master data of the columns that fit the network on their own (others are dropped)."""
    u_col, u_key, u_amt = colmod.usage(prep.res, prep.sc, prep.orders, cols)
    pair, inv = np.unique(u_col * (1 << 40) + u_key, return_inverse=True)
    per_pair = np.bincount(inv, weights=u_amt)
    too_big = np.unique(pair[per_pair > prep.res.capacity(pair % (1 << 40))] >> 40)
    if len(too_big):
        cols = colmod.subset(cols, np.setdiff1d(np.arange(cols.n), too_big))
        u_col, u_key, u_amt = colmod.usage(prep.res, prep.sc, prep.orders, cols)
    cost = colmod.costs(prep.sc, prep.orders, cols, prep.sc.fixed, prep.sc.item_cost)
    short = colmod.short(prep.sc, cols)
    return cols, MasterData(cols.order, cost, u_col, u_key, u_amt, short)


def fit_repair(prep: Prepared, choice: np.ndarray, orders: np.ndarray, fixed: np.ndarray | None = None,
               item_cost: np.ndarray | None = None, max_rounds: int = 12) -> np.ndarray:
    """Re-place `orders` one wave at a time: each takes its best plan within what is left;
    where several want the last units, earlier payers keep them and the rest try again."""
    o, sc, res = prep.orders, prep.sc, prep.res
    choice = choice.copy()
    remaining = np.unique(orders)
    choice[items_of(o, remaining)] = -1
    for _ in range(max_rounds):
        if not len(remaining):
            break
        owner, keys, amt = use_of(prep, choice)
        residual_of = residual(prep, owner, keys, amt, np.zeros(0, dtype=np.int64))
        remaining = remaining[np.argsort(o.paid_rank[remaining], kind="stable")]
        cols = fit_columns(prep, np.sort(remaining), residual_of, sc.fixed if fixed is None else fixed,
                           sc.item_cost if item_cost is None else item_cost)
        prio = np.argsort(np.argsort(o.paid_rank[cols.order], kind="stable"))
        u_col, u_key, u_amt = colmod.usage(res, sc, o, cols)
        by = np.lexsort((prio[u_col], u_key))
        k_sorted, a_sorted = u_key[by], u_amt[by].astype(float)
        start = np.r_[True, k_sorted[1:] != k_sorted[:-1]]
        group = np.cumsum(start) - 1
        run = np.cumsum(a_sorted) - np.r_[0.0, np.cumsum(a_sorted)][np.flatnonzero(start)][group]
        too_much = run > residual_of(k_sorted) + 1e-9
        bad = np.zeros(cols.n, dtype=bool)
        bad[u_col[by][too_much]] = True
        good = colmod.subset(cols, np.flatnonzero(~bad))
        choice[good.e_item] = good.e_slot
        remaining = cols.order[bad]
    return choice


