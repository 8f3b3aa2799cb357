"""The whole batch as one line × node MIP, over the same candidates and costs.

Used to measure solvers against each other (CP-SAT, SCIP, GLOP's LP
relaxation inside OR-Tools; HiGHS outside it) and to check the decomposition's
answer on mid-size batches. Not used on big batches: it grows as items × candidates.

    w[i, k] ∈ {0,1}  item i ships from candidate k of its order
    y[o, k] ∈ {0,1}  order o has a parcel at candidate k
    z[o] >= 0        parcels of order o beyond the first
    b[i] ∈ [0,1]     item i backordered
(The minimum split-parcel value rule is not modelled here.)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from allocation.prepare import Prepared
from allocation.sparse_solve import SparseSolution, solve_sparse


@dataclass(eq=False)
class ArcModel:
    cost: np.ndarray
    matrix: sparse.csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    integer: np.ndarray  # bool per variable
    w_item: np.ndarray  # item of each w variable (w variables come first)
    w_slot: np.ndarray

    @property
    def n_vars(self) -> int:
        return len(self.cost)


def build_arc_model(prep: Prepared) -> ArcModel:
    sc, o, res = prep.sc, prep.orders, prep.res
    n_items, n_orders = len(o.item_qty), o.n_orders
    # Variables
    w_item, w_slot = np.nonzero(np.isfinite(sc.item_cost) & np.isfinite(sc.fixed[o.item_order]))
    w_order = o.item_order[w_item]
    width = sc.nodes.shape[1]
    y_key, w_y = np.unique(w_order * width + w_slot, return_inverse=True)
    y_order, y_slot = y_key // width, y_key % width
    n_w, n_y = len(w_item), len(y_key)
    y0, z0, b0 = n_w, n_w + n_y, n_w + n_y + n_orders
    cost = np.concatenate([sc.item_cost[w_item, w_slot], sc.fixed[y_order, y_slot],
                           np.full(n_orders, sc.split_fen), sc.backorder_fen * o.item_qty])
    rows, cols, vals, lb, ub = [], [], [], [], []

    def add(r_idx, c_idx, v, lo, hi):
        base = sum(len(x) for x in lb)
        rows.append(base + r_idx); cols.append(c_idx); vals.append(np.asarray(v, dtype=float))
        lb.append(np.asarray(lo, dtype=float)); ub.append(np.asarray(hi, dtype=float))

    # Constraints: every item ships once or is backordered
    add(np.r_[w_item, np.arange(n_items)], np.r_[np.arange(n_w), b0 + np.arange(n_items)],
        np.ones(n_w + n_items), np.ones(n_items), np.ones(n_items))
    # an item ships from a node only inside a parcel there
    add(np.r_[np.arange(n_w), np.arange(n_w)], np.r_[np.arange(n_w), y0 + w_y], np.r_[np.ones(n_w), -np.ones(n_w)],
        np.full(n_w, -np.inf), np.zeros(n_w))
    # extra parcels are paid for, and an order has at most max_parcels
    add(np.r_[y_order, np.arange(n_orders)], np.r_[y0 + np.arange(n_y), z0 + np.arange(n_orders)],
        np.r_[np.ones(n_y), -np.ones(n_orders)], np.full(n_orders, -np.inf), np.ones(n_orders))
    add(y_order, y0 + np.arange(n_y), np.ones(n_y), np.full(n_orders, -np.inf), np.full(n_orders, sc.max_parcels))
    # shared rows: stock, pick units, parcels
    owner, keys, amt = res.usage(sc, o, np.arange(n_w), w_item, w_slot)
    units = keys >= res.n_nodes  # pick and stock rows, used by w
    owner = np.r_[owner[units], y0 + np.arange(n_y)]
    keys = np.r_[keys[units], res.parcel_key(sc.nodes[y_order, y_slot])]  # parcel rows, used by y
    amt = np.r_[amt[units], np.ones(n_y)]
    uk, r = np.unique(keys, return_inverse=True)
    add(r, owner, amt, np.full(len(uk), -np.inf), res.capacity(uk))
    matrix = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(sum(len(x) for x in lb), len(cost)))
    integer = np.r_[np.ones(n_w + n_y, dtype=bool), np.zeros(n_orders + n_items, dtype=bool)]
    return ArcModel(cost, matrix, np.concatenate(lb), np.concatenate(ub), integer, w_item, w_slot)


def solve_arc_model(model: ArcModel, solver: str = "scip", relax: bool = False,
                    time_limit_s: float = 60.0, params: str = "") -> SparseSolution:
    ub = np.where(model.integer, 1.0, np.inf)  # b <= 1 follows from its item's row
    return solve_sparse(model.cost, model.matrix, model.row_lb, model.row_ub, var_ub=ub,
                        integer=None if relax else model.integer, solver=solver,
                        time_limit_s=time_limit_s, params=params)


def slots_from_solution(model: ArcModel, x: np.ndarray, n_items: int) -> np.ndarray:
    item_slot = np.full(n_items, -1, dtype=np.int64)
    on = x[: len(model.w_item)] > 0.5
    item_slot[model.w_item[on]] = model.w_slot[on]
    return item_slot
