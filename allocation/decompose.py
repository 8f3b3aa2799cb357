"""Price-directed decomposition of the batch problem.

1. Every order takes its own exact best plan (`plans.price_orders`). Orders
   couple only through shared rows (stock, parcels, pick units); when no row
   is over-used, that is the optimum.
2. Orders on over-used rows are *contested*. A restricted master LP over
   their plans, with the rows' capacity left by the others, gives prices;
   every order is re-priced, contested ones get new columns, and uncontested
   ones that would rather move at these prices join the contested set.
3. The last LP is made integral (fix integral orders, small MIP on the rest).
Prices from the master give a Lagrangian lower bound on the whole batch.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from allocation import columns as colmod
from allocation.master import MasterData, round_lp, solve_lp
from allocation.plans import Priced, price_orders
from allocation.prepare import Prepared
from allocation.resources import overused_rows

SINGLE_NODE_COLUMNS = 6  # cheapest whole-order nodes seeded per contested order


class SolverTimeLimit(Exception):
    """The time limit passed before the master produced any usable answer."""


@dataclass
class Decomposed:
    item_slot: np.ndarray
    lower_bound: float
    note: str | None = None  # set when the answer is feasible but not the converged optimum
    stats: dict = field(default_factory=dict)


def decompose(prep: Prepared, deadline: float, max_rounds: int = 8, lp_solver: str = "glop") -> Decomposed:
    sc, o, res = prep.sc, prep.orders, prep.res
    free = price_orders(sc, o, sc.fixed, sc.item_cost)
    choice = free.item_slot.copy()
    bound = float(free.bound.sum())
    owner, keys, amt = _use_of(prep, choice)
    over, _ = overused_rows(res, keys, amt)
    stats = {"contested_orders": 0, "rounds": 0, "columns": 0, "over_rows": len(over)}
    if not len(over):
        return Decomposed(choice, bound, None, stats)
    contested = np.unique(owner[np.isin(keys, over)])
    cols, priced, last, note = colmod.concat(), None, None, None
    for rnd in range(max_rounds):
        if time.perf_counter() > deadline:
            note = f"time_limit: column generation stopped after {rnd} rounds"
            break
        cols = colmod.concat(colmod.subset(cols, np.flatnonzero(np.isin(cols.order, contested))),
                             *_seed_columns(prep, contested, choice, priced))
        cols, data = _master_data(prep, cols)
        residual_of = _residual(prep, owner, keys, amt, contested)
        lp = solve_lp(data, residual_of, max(deadline - time.perf_counter(), 0.05), lp_solver)
        if lp.solution.status != "optimal":
            note = f"master_lp_{lp.solution.status}"
            break
        last = (cols, data, lp, residual_of)
        fixed, item_cost = colmod.priced_costs(res, sc, o, lp.row_keys, lp.row_price)
        priced = price_orders(sc, o, fixed, item_cost)
        bound = max(bound, float(priced.bound.sum() - (lp.row_price * res.capacity(lp.row_keys)).sum()))
        stats.update(rounds=rnd + 1, columns=cols.n, contested_orders=len(contested))
        improving, movers = _wanting(prep, priced, lp, contested, choice, fixed, item_cost)
        if not len(improving) and not len(movers):
            break
        contested = np.union1d(contested, movers)
    if last is None:
        raise SolverTimeLimit(note or "no master LP solved")
    cols, data, lp, residual_of = last
    fixed, item_cost = colmod.priced_costs(res, sc, o, lp.row_keys, lp.row_price)
    fitted: list[colmod.Columns] = []

    def more(frac_orders, residual_after):
        extra = fit_columns(prep, frac_orders, residual_after, fixed, item_cost)
        fitted.append(extra)
        return _master_data(prep, extra)[1]

    chosen, how = round_lp(data, lp.solution.x, residual_of, max(deadline - time.perf_counter(), 0.5), more)
    stats["integer_phase"] = how
    if fitted:
        cols = colmod.concat_keep(cols, fitted[0])
    picked = colmod.subset(cols, np.sort(chosen))
    choice[picked.e_item] = picked.e_slot
    return Decomposed(choice, bound, note, stats)


def fit_columns(prep: Prepared, ords: np.ndarray, residual_of, fixed, item_cost) -> colmod.Columns:
    """Each order's best plan at the given prices using only the capacity left (`residual_of`),
    so the column fits on its own: the LP may have used a column half-way, a MIP cannot."""
    sc, o, res = prep.sc, prep.orders, prep.res
    nd = np.maximum(sc.nodes, 0)
    parcel_left = residual_of(res.parcel_key(nd).ravel()).reshape(nd.shape)
    pick_left = residual_of(res.pick_key(nd).ravel()).reshape(nd.shape)
    item_nodes = nd[o.item_order]
    sku = np.maximum(o.line_sku[o.item_line], 0)[:, None]
    is_store = prep.net.kind[item_nodes] == 0
    reserve = sc.reserve[o.item_order][:, None]
    avail = sc.avail.astype(float)
    for li, level in enumerate(res.levels):
        applies = (level == 0) | (is_store & (reserve >= level))
        left = residual_of(res.stock_key(li, item_nodes, sku).ravel()).reshape(item_nodes.shape)
        avail = np.where(applies, np.minimum(avail, left), avail)
    avail = np.floor(avail + 1e-9).astype(np.int64)
    view = replace(sc, avail=avail, pick_cap=np.floor(pick_left + 1e-9).astype(np.int64))
    f = np.where(parcel_left >= 1 - 1e-9, fixed, np.inf)
    c = np.where((avail >= o.item_qty[:, None]) & (pick_left[o.item_order] >= o.item_qty[:, None]), item_cost, np.inf)
    priced = price_orders(view, o, f, c, subset=ords)
    return colmod.from_item_slots(o, ords, priced.item_slot)


def _use_of(prep: Prepared, item_slot: np.ndarray):
    real = np.flatnonzero(item_slot >= 0)
    return prep.res.usage(prep.sc, prep.orders, prep.orders.item_order[real], real, item_slot[real])


def _seed_columns(prep: Prepared, contested: np.ndarray, choice: np.ndarray, priced: Priced | None):
    o = prep.orders
    seeds = [colmod.from_item_slots(o, contested, choice),
             colmod.single_node(prep.sc, o, contested, SINGLE_NODE_COLUMNS),
             colmod.backorder_all(o, contested)]
    if priced is not None:
        seeds.append(colmod.from_item_slots(o, contested, priced.item_slot))
    return seeds


def _master_data(prep: Prepared, cols: colmod.Columns) -> tuple[colmod.Columns, MasterData]:
    """Master data of the columns that fit the network on their own (others are dropped)."""
    u_col, u_key, u_amt = colmod.usage(prep.res, prep.sc, prep.orders, cols)
    pair, inv = np.unique(u_col * (1 << 40) + u_key, return_inverse=True)
    per_pair = np.bincount(inv, weights=u_amt)
    too_big = np.unique(pair[per_pair > prep.res.capacity(pair % (1 << 40))] >> 40)
    if len(too_big):
        cols = colmod.subset(cols, np.setdiff1d(np.arange(cols.n), too_big))
        u_col, u_key, u_amt = colmod.usage(prep.res, prep.sc, prep.orders, cols)
    cost = colmod.costs(prep.sc, prep.orders, cols, prep.sc.fixed, prep.sc.item_cost)
    return cols, MasterData(cols.order, cost, u_col, u_key, u_amt)


def _residual(prep: Prepared, owner, keys, amt, contested):
    """Capacity of each row left by the orders that keep their own best plan."""
    keep = ~np.isin(owner, contested)
    used_keys, inv = np.unique(keys[keep], return_inverse=True)
    used = np.bincount(inv, weights=amt[keep], minlength=len(used_keys))

    def residual_of(q: np.ndarray) -> np.ndarray:
        cap = prep.res.capacity(q).astype(float)
        if not len(used_keys):
            return cap
        pos = np.minimum(np.searchsorted(used_keys, q), len(used_keys) - 1)
        return cap - np.where(used_keys[pos] == q, used[pos], 0.0)

    return residual_of


def _wanting(prep, priced, lp, contested, choice, fixed, item_cost):
    """Contested orders with a column of negative reduced cost; others that would move at these prices."""
    mu = np.zeros(prep.orders.n_orders)
    mu[lp.orders] = lp.order_dual
    improving = contested[priced.value[contested] < mu[contested] - 0.01 - 1e-7 * np.abs(mu[contested])]
    others = np.setdiff1d(np.arange(prep.orders.n_orders), contested)
    if not len(others):
        return improving, others
    cur = colmod.costs(prep.sc, prep.orders, colmod.from_item_slots(prep.orders, others, choice), fixed, item_cost)
    movers = others[priced.value[others] < cur - 0.01 - 1e-7 * np.abs(cur)]
    return improving, movers
