"""The restricted master: pick one column (plan) per contested order within shared capacities.

LP (GLOP) for prices and a fractional optimum; then, because an extreme point
of this LP has at most one fractional order per binding resource row, the
integral orders are fixed and only the fractional ones go to a small MIP.
Not fixed either: orders integral at a plan that leaves shippable units
backordered (rounding the fractional orders down frees capacity they may now
use) and the integral orders on the full rows those want (moving one may make room).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from allocation.resources import values_at
from allocation.sparse_solve import SparseSolution, solve_pdlp, solve_sparse

INTEGRAL = 1.0 - 1e-6
MIP_SOLVER = "scip"
NEIGHBOURHOOD = True  # integral orders on full rows under a split order are re-decided too


@dataclass(eq=False)
class MasterData:
    """Data: columns of the contested orders and the rows they share."""

    col_order: np.ndarray  # int [C]
    col_cost: np.ndarray  # float [C]
    use_col: np.ndarray  # resource use triplets
    use_key: np.ndarray
    use_amt: np.ndarray
    col_short: np.ndarray  # bool [C]: leaves units backordered that a candidate node could ship


def _rows(data: MasterData, residual_of) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Resource rows that could bind: total column use above residual capacity."""
    keys, inv = np.unique(data.use_key, return_inverse=True)
    total = np.bincount(inv, weights=data.use_amt, minlength=len(keys))
    cap = residual_of(keys).astype(float)
    keep = total > cap + 1e-9
    row_of_key = np.where(keep, np.cumsum(keep) - 1, -1)
    return keys[keep], cap[keep], row_of_key[inv]


def _matrix(data: MasterData, residual_of):
    orders, conv_row = np.unique(data.col_order, return_inverse=True)
    keys, cap, row = _rows(data, residual_of)
    m = row >= 0
    n_cols = len(data.col_order)
    rows = np.concatenate([conv_row, len(orders) + row[m]])
    cols = np.concatenate([np.arange(n_cols), data.use_col[m]])
    vals = np.concatenate([np.ones(n_cols), data.use_amt[m].astype(float)])
    a = sparse.csr_matrix((vals, (rows, cols)), shape=(len(orders) + len(keys), n_cols))
    lb = np.concatenate([np.ones(len(orders)), np.full(len(keys), -np.inf)])
    ub = np.concatenate([np.ones(len(orders)), cap])
    return a, lb, ub, orders, keys


@dataclass(frozen=True)
class MasterLP:
    solution: SparseSolution
    orders: np.ndarray  # distinct orders, in convexity-row order
    order_dual: np.ndarray  # μ per order
    row_keys: np.ndarray
    row_price: np.ndarray  # λ >= 0 per resource row


def solve_lp(data: MasterData, residual_of, time_limit_s: float, solver: str = "glop") -> MasterLP:
    a, lb, ub, orders, keys = _matrix(data, residual_of)
    # x <= 1 is implied by the convexity rows; leaving it out keeps the row duals exact
    sol = solve_sparse(data.col_cost, a, lb, ub, var_ub=np.full(len(data.col_cost), np.inf),
                       solver=solver, time_limit_s=time_limit_s)
    return _master_lp(sol, orders, keys)


def solve_lp_from(data: MasterData, residual_of, time_limit_s: float, tolerance: float,
                  start: MasterLP | None = None) -> MasterLP:
    """The LP by PDLP to `tolerance`, from `start` when given: the LP of an earlier round whose columns are
    the first of `data`'s (columns only added since). Its rows and orders are matched by key; rows new
    since start at price 0, new columns at 0. Raises RuntimeError where OR-Tools has no PDLP."""
    a, lb, ub, orders, keys = _matrix(data, residual_of)
    begun = None
    if start is not None and start.solution.status == "optimal" and len(start.solution.x) <= len(data.col_cost):
        x = np.zeros(len(data.col_cost))
        x[: len(start.solution.x)] = start.solution.x
        begun = (x, np.r_[values_at(orders, start.orders, start.order_dual),
                          -values_at(keys, start.row_keys, start.row_price)])
    sol = solve_pdlp(data.col_cost, a, lb, ub, np.full(len(data.col_cost), np.inf), tolerance, time_limit_s,
                     begun)
    return _master_lp(sol, orders, keys)


def _master_lp(sol: SparseSolution, orders: np.ndarray, keys: np.ndarray) -> MasterLP:
    if sol.status != "optimal":
        return MasterLP(sol, orders, np.zeros(len(orders)), keys, np.zeros(len(keys)))
    return MasterLP(sol, orders, sol.duals[: len(orders)], keys, np.maximum(-sol.duals[len(orders):], 0.0))


def round_lp(data: MasterData, x: np.ndarray, residual_of, time_limit_s: float,
             more=None) -> tuple[np.ndarray, str]:
    """Chosen column per contested order: integral LP columns kept, the rest by a small MIP.

    `more(free_orders, residual_after)` may add columns that fit what the fixed orders leave
    (indices after `data`'s). Returns (chosen column indices, how the free part was solved)."""
    free_orders = _free_orders(data, x, residual_of)
    integral = (x >= INTEGRAL) & ~np.isin(data.col_order, free_orders)
    fixed_orders = data.col_order[integral]
    frac_cols = np.flatnonzero(~np.isin(data.col_order, fixed_orders))
    chosen = list(np.flatnonzero(integral))
    if not len(frac_cols):
        return np.array(chosen, dtype=np.int64), "lp_integral"
    fixed_use = np.isin(data.use_col, chosen)
    used_keys, inv = np.unique(data.use_key[fixed_use], return_inverse=True)
    used = np.bincount(inv, weights=data.use_amt[fixed_use], minlength=len(used_keys))

    def residual_after(keys: np.ndarray) -> np.ndarray:
        return residual_of(keys) - values_at(keys, used_keys, used)

    if more is not None:
        extra = more(np.unique(data.col_order[frac_cols]), residual_after)
        if extra is not None and len(extra.col_order):
            frac_cols = np.r_[frac_cols, len(data.col_order) + np.arange(len(extra.col_order))]
            x = np.r_[x, np.zeros(len(extra.col_order))]
            data = _append(data, extra)
    sub = _sub(data, frac_cols)
    sol = _solve_mip(sub, residual_after, time_limit_s)
    if sol.status in ("optimal", "feasible"):
        return np.array(chosen + list(frac_cols[sol.x > 0.5]), dtype=np.int64), f"mip_{sol.status}"
    return np.array(chosen + list(_greedy_fill(sub, frac_cols, x, residual_after)), dtype=np.int64), "greedy_repair"


def cheapest_combination(data: MasterData, residual_of, time_limit_s: float) -> np.ndarray | None:
    """One column per order of `data` at least cost within `residual_of` (MIP): chosen column
    indices, or None when the solver finds no combination in time."""
    sol = _solve_mip(data, residual_of, time_limit_s)
    return np.flatnonzero(sol.x > 0.5) if sol.status in ("optimal", "feasible") else None


def _solve_mip(data: MasterData, residual_of, time_limit_s: float) -> SparseSolution:
    a, lb, ub, _, _ = _matrix(data, residual_of)
    return solve_sparse(data.col_cost, a, lb, ub, integer=np.ones(len(data.col_cost), dtype=bool),
                        solver=MIP_SOLVER, time_limit_s=time_limit_s)


def _free_orders(data: MasterData, x: np.ndarray, residual_of) -> np.ndarray:
    """Orders the MIP re-decides: those the LP splits between columns, those it leaves short of
    units a node could ship (rounding a split order down frees capacity they may use) and, with
    `NEIGHBOURHOOD`, the integral orders on the full rows under the split orders' columns
    (moving such a neighbour may make room)."""
    integral = x >= INTEGRAL
    frac = np.unique(data.col_order[~integral & (x > 1e-9)])
    if not len(frac):
        return frac
    free = np.union1d(frac, data.col_order[integral & data.col_short])
    if not NEIGHBOURHOOD:
        return free
    wanted = np.unique(data.use_key[np.isin(data.col_order[data.use_col], frac) & (x[data.use_col] > 1e-9)])
    keys, inv = np.unique(data.use_key, return_inverse=True)
    load = np.bincount(inv, weights=data.use_amt * x[data.use_col], minlength=len(keys))
    tight = np.intersect1d(wanted, keys[load >= residual_of(keys) - 1e-6])
    near = integral[data.use_col] & np.isin(data.use_key, tight)
    return np.union1d(free, data.col_order[data.use_col[near]])


def _append(a: MasterData, b: MasterData) -> MasterData:
    n = len(a.col_order)
    return MasterData(np.r_[a.col_order, b.col_order], np.r_[a.col_cost, b.col_cost], np.r_[a.use_col, b.use_col + n],
                      np.r_[a.use_key, b.use_key], np.r_[a.use_amt, b.use_amt], np.r_[a.col_short, b.col_short])


def _sub(data: MasterData, cols: np.ndarray) -> MasterData:
    new = np.full(len(data.col_order), -1, dtype=np.int64)
    new[cols] = np.arange(len(cols))
    m = new[data.use_col] >= 0
    return MasterData(data.col_order[cols], data.col_cost[cols], new[data.use_col[m]],
                      data.use_key[m], data.use_amt[m], data.col_short[cols])


def _greedy_fill(sub: MasterData, frac_cols: np.ndarray, x: np.ndarray, residual_of) -> list[int]:
    """Last resort: each fractional order takes its highest-LP column that still fits."""
    keys = np.unique(sub.use_key)
    left = dict(zip(keys.tolist(), residual_of(keys).tolist()))
    by_col: dict[int, list[tuple[int, float]]] = {}
    for c, k, a in zip(sub.use_col.tolist(), sub.use_key.tolist(), sub.use_amt.tolist()):
        by_col.setdefault(c, []).append((k, a))
    picked = []
    for o in np.unique(sub.col_order):
        cols = np.flatnonzero(sub.col_order == o)
        for c in cols[np.lexsort((sub.col_cost[cols], -x[frac_cols[cols]]))]:
            need = by_col.get(int(c), [])
            if all(left[k] >= a for k, a in need):
                for k, a in need:
                    left[k] -= a
                picked.append(int(frac_cols[c]))
                break
    return picked
