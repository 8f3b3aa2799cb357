"""Stronger Lagrangian prices: raise the price of each over-demanded row to where its demand meets capacity.

L(λ) = Σ_orders min_plan (cost + λ·use) − λ·capacity is a lower bound for any
λ >= 0 (`bound.lagrangian_bound`). The min-cost-flow core prices only what the
single-unit orders it places compete for, in the capacity the multi-line
orders leave them: rows only multi-line orders want stay unpriced (their best
plans at those prices over-demand them), and rows where a single-unit order
waits are priced near the backorder penalty although a multi-line order could
move aside for less (the orders' best plans then leave them slack, and L falls,
at 100k orders even below L(0)).

One ascent step: for every over-demanded row r, each order whose best plan uses
r gets its threshold (its best plan without r, minus its best plan, per unit of
r); along coordinate r, L rises until the price crosses the threshold at which
demand falls to capacity. If that alone does not raise L, the step also drops
the price of every priced row the best plans leave slack. All rows move at once,
so a step is a heuristic: it is kept only if the exact L(λ) over the whole batch
is higher, so the bound stays valid whatever the step does.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from allocation import columns as colmod
from allocation.batch import items_of
from allocation.bound import lagrangian_value
from allocation.fitting import use_of
from allocation.plans import Priced, price_orders
from allocation.prepare import Prepared
from allocation.resources import values_at

LOWER_FACTORS = (1.0, 0.0)  # share of its price a priced row left slack keeps: tried in turn


def raise_prices(prep: Prepared, keys: np.ndarray, price: np.ndarray, rounds: int = 2,
                 deadline: float | None = None, priced: Priced | None = None,
                 value: float | None = None, alone: Priced | None = None,
                 stop: Callable[[], bool] | None = None) -> tuple[float, np.ndarray, np.ndarray, int, Priced]:
    """Best (L, keys, prices, steps taken, best plans there) from the start prices `keys`/`price` by up to `rounds`
    ascent steps, each started only before `deadline` and while `stop` (if given) says no. `priced`/`value`:
    L at the start prices, if known; `alone`: the plans at λ = 0 (`lagrangian_value`)."""
    keys, price = np.asarray(keys, dtype=np.int64), np.asarray(price, dtype=float)
    if priced is None or value is None:
        value, priced = lagrangian_value(prep, keys, price, alone)
    best, best_keys, best_price, steps = value, keys, price, 0
    started = time.perf_counter()
    for _ in range(rounds):
        per_step = (time.perf_counter() - started) / max(steps, 1)
        if (deadline is not None and time.perf_counter() + per_step > deadline) or (stop is not None and stop()):
            break
        moved = False
        for lower in LOWER_FACTORS:  # raise only first; lower slack rows too when that does not help
            step = _ascent_step(prep, best_keys, best_price, priced, lower)
            if step is None:
                continue
            value, new_priced = lagrangian_value(prep, *step, alone)
            if value > best + 1e-6 * abs(best):
                best, (best_keys, best_price), priced, steps, moved = value, step, new_priced, steps + 1, True
                break
        if not moved:
            break
    return best, best_keys, best_price, steps, priced


def _ascent_step(prep: Prepared, keys: np.ndarray, price: np.ndarray, priced: Priced, lower: float = 1.0):
    sc, o, res = prep.sc, prep.orders, prep.res
    owner, u_key, u_amt = use_of(prep, priced.item_slot)
    uk, inv = np.unique(u_key, return_inverse=True)
    demand = np.bincount(inv, weights=u_amt, minlength=len(uk))
    cap = res.capacity(uk).astype(float)
    over = demand > cap + 1e-9
    # a priced row its orders' best plans leave slack on only lowers L: with `lower` < 1 its price goes down
    used = values_at(keys, uk, demand)
    slack = used < res.capacity(keys) - 1e-9
    dropped = slack & (price > 0) & (lower < 1.0)
    price = np.where(dropped, price * lower, price)
    if not over.any():
        return (keys, price) if dropped.any() else None
    # each order on an over-demanded row is priced once without its most over-demanded such row
    ratio = np.where(over, demand / np.maximum(cap, 0.5), 0.0)[inv]
    on = over[inv]
    cand = np.flatnonzero(on)
    by = np.lexsort((-ratio[cand], owner[cand]))
    cand = cand[by]
    first = cand[np.r_[True, owner[cand][1:] != owner[cand][:-1]]]
    ords, row_key, amt = owner[first], u_key[first], u_amt[first].astype(float)
    fixed, item_cost = colmod.priced_costs(res, sc, o, keys, price)
    _forbid(prep, fixed, item_cost, ords, row_key)
    alt = price_orders(sc, o, fixed, item_cost, subset=ords)
    thr = np.maximum(alt.value[ords] - priced.value[ords], 0.0) / amt  # per unit of the row
    # per row: raise to the threshold at which the chosen orders' demand falls to capacity
    rk, r_inv = np.unique(row_key, return_inverse=True)
    r_cap = res.capacity(rk).astype(float)
    by = np.lexsort((-thr, r_inv))
    cum = np.cumsum(amt[by])
    grp = r_inv[by]
    start = np.searchsorted(grp, np.arange(len(rk)))
    before = np.r_[0.0, cum][start]
    within = cum - before[grp]
    # first position in each row where the cumulative amount exceeds capacity: its threshold is the step
    exceed = within > r_cap[grp] + 1e-9
    pos = np.full(len(rk), -1)
    hit = np.flatnonzero(exceed)
    g_hit = grp[hit]
    first_hit = hit[np.r_[True, g_hit[1:] != g_hit[:-1]]] if len(hit) else hit
    pos[grp[first_hit]] = first_hit
    delta = np.where(pos >= 0, thr[by][np.maximum(pos, 0)], 0.0)
    delta = np.where(np.isfinite(delta), delta, 0.0)
    if not (delta > 1e-6).any():
        return (keys, price) if dropped.any() else None
    all_keys = np.union1d(keys, rk[delta > 1e-6])
    new = np.zeros(len(all_keys))
    new[np.searchsorted(all_keys, keys)] = price
    new[np.searchsorted(all_keys, rk[delta > 1e-6])] += delta[delta > 1e-6]
    return all_keys, new


def _forbid(prep: Prepared, fixed: np.ndarray, item_cost: np.ndarray, ords: np.ndarray, row_key: np.ndarray) -> None:
    """Make row `row_key[j]` unusable for order `ords[j]` (in place)."""
    sc, o, res = prep.sc, prep.orders, prep.res
    n = res.n_nodes
    node_rows = row_key < 2 * n
    node = np.where(node_rows, row_key % n, ((row_key - 2 * n) // res.n_skus) % n)
    sku = np.where(node_rows, -1, (row_key - 2 * n) % res.n_skus)
    hit = sc.nodes[ords] == node[:, None]  # [m, K]
    rows_n, slots_n = np.nonzero(hit & node_rows[:, None])
    fixed[ords[rows_n], slots_n] = np.inf
    counts = o.n_items_per_order[ords]
    items = items_of(o, ords)
    j = np.repeat(np.arange(len(ords)), counts)
    same_sku = (o.line_sku[o.item_line[items]] == sku[j]) & ~node_rows[j]
    ii, kk = np.nonzero(hit[j] & same_sku[:, None])
    item_cost[items[ii], kk] = np.inf
