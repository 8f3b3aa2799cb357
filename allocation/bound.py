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
from allocation.plans import price_orders
from allocation.prepare import Prepared


def lagrangian_bound(prep: Prepared, row_keys: np.ndarray | None = None, row_price: np.ndarray | None = None) -> float:
    """L(λ) over the candidate-pruned model; λ = 0 when no prices are given."""
    sc, o, res = prep.sc, prep.orders, prep.res
    if row_keys is None or not len(row_keys):
        return float(price_orders(sc, o, sc.fixed, sc.item_cost).bound.sum())
    fixed, item_cost = colmod.priced_costs(res, sc, o, row_keys, row_price)
    priced = price_orders(sc, o, fixed, item_cost)
    return float(priced.bound.sum() - (row_price * res.capacity(row_keys)).sum())


def arc_lp_bound(prep: Prepared, time_limit_s: float = 30.0, solver: str = "glop") -> float:
    """LP relaxation of the line × node MIP (see `arc_model`)."""
    from allocation.arc_model import build_arc_model, solve_arc_model

    return solve_arc_model(build_arc_model(prep), solver=solver, relax=True, time_limit_s=time_limit_s).objective
