"""Completion after rounding: orders the integer phase left worse off than they could be take the capacity that remains.

The last step of a MIP heuristic. Rounding the master's fractional orders (or
a repair that re-places orders in turn) can strand capacity: an order is left
backordered, or kept at a dearer node, although the rows it wanted end up
free. Each such order (its plan costs more than its best plan alone) re-plans
within what the rest of the batch leaves (`fit_columns`, plain costs); the new
plan is kept only if it is cheaper and still fits together with the plans kept
before it, so completion never makes a plan dearer or infeasible.
"""
from __future__ import annotations

import numpy as np

from allocation import columns as colmod
from allocation.fitting import fit_columns, residual, use_of
from allocation.prepare import Prepared

COMPLETION_ROUNDS = 3  # 1st: the orders' own rows count as free; then only truly spare capacity


def complete_orders(prep: Prepared, choice: np.ndarray, alone_value: np.ndarray,
                    rounds: int = COMPLETION_ROUNDS) -> np.ndarray:
    """`choice` with orders dearer than `alone_value` (each order's best plan on its own)
    moved to cheaper plans that fit the capacity left."""
    o, sc = prep.orders, prep.sc
    choice = choice.copy()
    for rnd in range(rounds):
        cost = colmod.costs(sc, o, colmod.from_item_slots(o, np.arange(o.n_orders), choice), sc.fixed, sc.item_cost)
        todo = np.flatnonzero(cost > alone_value + 0.5)
        if not len(todo):
            break
        owner, keys, amt = use_of(prep, choice)
        # the first round frees the orders' own rows (a completion may reuse its own parcel);
        # later rounds fit what is spare, so an order that lost a clash can still find room elsewhere
        freed = todo if rnd == 0 else todo[:0]
        cols = fit_columns(prep, todo, residual(prep, owner, keys, amt, freed), sc.fixed, sc.item_cost)
        gain = cost[todo] - colmod.costs(sc, o, cols, sc.fixed, sc.item_cost)
        kept = _fitting_in_turn(prep, cols, gain, owner, keys, amt)
        if not len(kept) and rnd > 0:
            break
        took = colmod.subset(cols, kept)
        choice[took.e_item] = took.e_slot
    return choice


def short_orders(prep: Prepared, choice: np.ndarray) -> np.ndarray:
    """Orders with a backordered item that some candidate node could ship, capacity permitting."""
    items = np.flatnonzero(choice < 0)
    could = np.isfinite(prep.sc.item_cost[items]).any(axis=1)
    return np.unique(prep.orders.item_order[items[could]])


def _fitting_in_turn(prep: Prepared, cols: colmod.Columns, gain: np.ndarray, owner, keys, amt) -> np.ndarray:
    """Columns that gain, largest gain first (earlier payer on ties), each kept if replacing its
    order's current plan keeps every row it adds to within capacity."""
    o, res = prep.orders, prep.res
    u_col, u_key, u_amt = colmod.usage(res, prep.sc, o, cols)
    all_keys, inv = np.unique(np.r_[keys, u_key], return_inverse=True)
    used = np.bincount(inv[: len(keys)], weights=amt, minlength=len(all_keys))
    left = dict(zip(all_keys.tolist(), (res.capacity(all_keys) - used).tolist()))
    mine = np.isin(owner, cols.order)
    old = _grouped(owner[mine], keys[mine], amt[mine])
    new = _grouped(u_col, u_key, u_amt)
    kept = []
    for c in np.lexsort((o.paid_rank[cols.order], -gain)).tolist():
        if gain[c] <= 0.5:
            break
        delta: dict[int, float] = {}
        for k, a in old.get(int(cols.order[c]), ()):
            delta[k] = delta.get(k, 0.0) - a
        for k, a in new.get(c, ()):
            delta[k] = delta.get(k, 0.0) + a
        if all(left[k] >= d - 1e-9 for k, d in delta.items() if d > 0):
            for k, d in delta.items():
                left[k] -= d
            kept.append(c)
    return np.sort(np.array(kept, dtype=np.int64))


def _grouped(owner: np.ndarray, keys: np.ndarray, amt: np.ndarray) -> dict[int, list[tuple[int, float]]]:
    out: dict[int, list[tuple[int, float]]] = {}
    for w, k, a in zip(owner.tolist(), keys.tolist(), amt.tolist()):
        out.setdefault(w, []).append((k, float(a)))
    return out
