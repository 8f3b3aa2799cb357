"""Lower bounds on the batch cost, so every result can state how far from optimal it may be.

The Lagrangian bound prices shared rows at λ >= 0 and lets every order take its
exact best plan alone: L(λ) = Σ_orders min_plan (cost + λ·use) − λ·capacity.
It is valid for any λ and, with the master LP's prices, at least as strong as
the LP relaxation of the line × node formulation over the same candidates.
For small batches `arc_lp_bound` solves that LP relaxation directly (GLOP).
"""
from __future__ import annotations

import numpy as np

from allocation import columns as colmod
from allocation.batch import items_of
from allocation.plans import Priced, price_orders
from allocation.prepare import Prepared


def lagrangian_bound(prep: Prepared, row_keys: np.ndarray | None = None, row_price: np.ndarray | None = None) -> float:
    """L(λ) over the candidate-pruned model; λ = 0 when no prices are given."""
    sc, o = prep.sc, prep.orders
    if row_keys is None or not len(row_keys):
        return float(price_orders(sc, o, sc.fixed, sc.item_cost).bound.sum())
    return lagrangian_value(prep, row_keys, row_price)[0]


def lagrangian_value(prep: Prepared, keys: np.ndarray, price: np.ndarray,
                     alone: Priced | None = None) -> tuple[float, Priced]:
    """L(λ) and every order's best plan at λ. `alone`: every order's best plan at λ = 0, if known;
    then only the orders whose costs the prices change are priced again (a cut prices a few
    hundred rows: 0.1 s instead of 0.7 s at 100k orders)."""
    sc, o, res = prep.sc, prep.orders, prep.res
    fixed, item_cost = colmod.priced_costs(res, sc, o, keys, price)
    priced = price_orders(sc, o, fixed, item_cost) if alone is None else _repriced(prep, alone, fixed, item_cost)
    return float(priced.bound.sum() - (price * res.capacity(keys)).sum()), priced


def _repriced(prep: Prepared, alone: Priced, fixed: np.ndarray, item_cost: np.ndarray) -> Priced:
    """`alone` with the orders whose parcel or item costs differ from the unpriced ones priced again
    (an order's best plan depends on its own costs only)."""
    sc, o = prep.sc, prep.orders
    changed = (fixed != sc.fixed).any(axis=1)
    item_changed = (item_cost != sc.item_cost).any(axis=1)
    changed |= np.bincount(o.item_order, weights=item_changed, minlength=o.n_orders) > 0
    ords = np.flatnonzero(changed)
    if not len(ords):
        return alone
    new = price_orders(sc, o, fixed, item_cost, subset=ords)
    value, bound, item_slot = alone.value.copy(), alone.bound.copy(), alone.item_slot.copy()
    value[ords], bound[ords] = new.value[ords], new.bound[ords]
    items = items_of(o, ords)
    item_slot[items] = new.item_slot[items]
    return Priced(value, bound, item_slot)


def arc_lp_bound(prep: Prepared, time_limit_s: float = 30.0, solver: str = "glop") -> float:
    """LP relaxation of the line × node MIP (see `arc_model`)."""
    from allocation.arc_model import build_arc_model, solve_arc_model

    return solve_arc_model(build_arc_model(prep), solver=solver, relax=True, time_limit_s=time_limit_s).objective
