"""Completion after rounding: orders the integer phase left worse off than they could be take the capacity that remains.

The last step of a MIP heuristic. Rounding the master's fractional orders (or
a repair that re-places orders in turn) can strand capacity: an order is left
backordered, or kept at a dearer node, although rows it wanted end up free.
Each order whose plan costs more than its best plan alone is offered that plan
and, if it is short of units a node could ship, its best plan within what the
rest of the batch leaves (`fit_columns`). A new plan is kept only if it is
cheaper and fits together with the plans kept before it (largest gain first),
so completion never makes a plan dearer or infeasible.
"""
from __future__ import annotations

import numpy as np

from allocation import columns as colmod
from allocation.fitting import fit_columns, residual, use_of
from allocation.plans import Priced
from allocation.prepare import Prepared
from allocation.resources import values_at

COMPLETION_ROUNDS = 3  # 1st: short orders' own rows count as free; then only truly spare capacity
KEY_BITS = 40  # (column, row key) pairs packed as column << KEY_BITS | key


def complete_orders(prep: Prepared, choice: np.ndarray, alone: Priced, rounds: int = COMPLETION_ROUNDS) -> np.ndarray:
    """`choice` with orders dearer than their best plan `alone` moved to cheaper plans that fit."""
    o, sc = prep.orders, prep.sc
    choice = choice.copy()
    everyone = np.arange(o.n_orders)
    moved = True
    for rnd in range(rounds):
        now = colmod.costs(sc, o, colmod.from_item_slots(o, everyone, choice), sc.fixed, sc.item_cost)
        worse = np.flatnonzero(now > alone.value + 0.5)
        short = np.intersect1d(short_orders(prep, choice), worse)
        if not moved:  # nothing moved last round: only the short orders' plans in spare capacity are new
            worse = short
        if not len(worse):
            break
        owner, keys, amt = use_of(prep, choice)
        cols = colmod.concat(colmod.from_item_slots(o, worse, alone.item_slot),
                             *_fitted(prep, short, rnd == 0, owner, keys, amt))
        gain = now[cols.order] - colmod.costs(sc, o, cols, sc.fixed, sc.item_cost)
        if not (gain > 0.5).any():  # later rounds only offer plans within less capacity
            break
        kept = _fitting_in_turn(prep, cols, gain, owner, keys, amt)
        took = colmod.subset(cols, kept)
        choice[took.e_item] = took.e_slot
        moved = len(kept) > 0
        if not moved and rnd > 0:
            break
    return choice


def _fitted(prep: Prepared, short: np.ndarray, own_rows_free: bool, owner, keys, amt) -> list[colmod.Columns]:
    """Short orders' best plans within what the others leave; with `own_rows_free` their own
    rows count as free (a completion may reuse its own parcel), else only spare capacity does,
    so an order that lost a clash can still find room elsewhere."""
    if not len(short):
        return []
    freed = short if own_rows_free else short[:0]
    return [fit_columns(prep, short, residual(prep, owner, keys, amt, freed), prep.sc.fixed, prep.sc.item_cost)]


def short_orders(prep: Prepared, choice: np.ndarray) -> np.ndarray:
    """Orders with a backordered item that some candidate node could ship, capacity permitting."""
    items = np.flatnonzero(choice < 0)
    could = np.isfinite(prep.sc.item_cost[items]).any(axis=1)
    return np.unique(prep.orders.item_order[items[could]])


def _fitting_in_turn(prep: Prepared, cols: colmod.Columns, gain: np.ndarray, owner, keys, amt) -> np.ndarray:
    """Columns kept, largest gain first (earlier payer on ties), at most one per order, each if
    replacing its order's current plan keeps every row it adds to within what is left."""
    o = prep.orders
    live = np.flatnonzero(gain > 0.5)
    col, key, net, spare = _net_use(prep, colmod.subset(cols, live), owner, keys, amt)
    fits = np.ones(len(live), dtype=bool)
    fits[col[net > spare + 1e-9]] = False  # a plan that does not fit even on its own is never tried
    start = np.searchsorted(col, np.arange(len(live) + 1))
    on = fits[col]
    left = dict(zip(key[on].tolist(), spare[on].tolist()))
    key_l, net_l = key.tolist(), net.tolist()
    kept, moved = [], set()
    turn = np.lexsort((o.paid_rank[cols.order[live]], -gain[live]))
    for c in turn[fits[turn]].tolist():
        order = int(cols.order[live[c]])
        if order in moved:
            continue
        span = range(start[c], start[c + 1])
        if all(left[key_l[j]] >= net_l[j] - 1e-9 for j in span if net_l[j] > 0):
            for j in span:
                left[key_l[j]] -= net_l[j]
            kept.append(live[c])
            moved.add(order)
    return np.sort(np.array(kept, dtype=np.int64))


def _net_use(prep: Prepared, cols: colmod.Columns, owner, keys, amt):
    """Per (column, row), sorted by column: the column's use minus its order's current use,
    and the row's capacity left by the current plan."""
    res = prep.res
    u_col, u_key, u_amt = colmod.usage(res, prep.sc, prep.orders, cols)
    mine = np.flatnonzero(np.isin(owner, cols.order))
    mine = mine[np.argsort(owner[mine], kind="stable")]
    lo, hi = np.searchsorted(owner[mine], cols.order, "left"), np.searchsorted(owner[mine], cols.order, "right")
    count = hi - lo
    at = mine[np.repeat(lo, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)]
    pair, inv = np.unique(np.r_[u_col, np.repeat(np.arange(cols.n), count)] << KEY_BITS | np.r_[u_key, keys[at]],
                          return_inverse=True)
    net = np.bincount(inv, weights=np.r_[u_amt, -amt[at]].astype(float), minlength=len(pair))
    row = pair & ((1 << KEY_BITS) - 1)
    uk, k_inv = np.unique(keys, return_inverse=True)
    used = np.bincount(k_inv, weights=amt, minlength=len(uk))
    return pair >> KEY_BITS, row, net, res.capacity(row) - values_at(row, uk, used)
