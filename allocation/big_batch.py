"""Big conflicts: the min-cost-flow core places single-unit orders, congestion prices move the rest.

Orders the flow cannot represent exactly (multi-line, multi-unit) first take
their own best plan, conflicts among them settled by `fit_repair`. The flow
then places every single-unit order in what is left. Its node potentials price
the congested rows; multi-line orders that would rather be elsewhere at those
prices move, and the flow runs again. The cheapest round is kept.
"""
from __future__ import annotations

import time

import numpy as np

from allocation import columns as colmod
from allocation.bound import lagrangian_bound
from allocation.fitting import SearchState, fit_repair, residual, use_of
from allocation.flow import _items_of, flow_assign, in_flow
from allocation.plans import price_orders
from allocation.prepare import Prepared
from allocation.resources import overused_rows
from allocation.scoring import plan_cost

FLOW_ROUNDS = 2  # flow → move congested multi-line orders → flow again


def flow_phase(prep: Prepared, state: SearchState, deadline: float, stats: dict) -> None:
    o, sc = prep.orders, prep.sc
    flow_orders = np.flatnonzero(in_flow(prep, state.choice))
    others = np.setdiff1d(np.arange(o.n_orders), flow_orders)
    flow_items, other_items = _items_of(o, flow_orders), _items_of(o, others)
    choice = state.choice.copy()
    choice[flow_items] = -1
    choice = _settle(prep, choice, stats)
    best_cost, started = np.inf, time.perf_counter()
    for rnd in range(FLOW_ROUNDS):
        ow, keys, amt = use_of(prep, choice)
        fl = flow_assign(prep, state.choice, residual(prep, ow, keys, amt, flow_orders))
        merged = fl.item_slot
        merged[other_items] = choice[other_items]
        cost, _ = plan_cost(sc, o, merged)
        stats.update(fl.stats, flow_rounds=rnd + 1)
        if cost < best_cost:
            best_cost, best, prices = cost, merged.copy(), (fl.row_keys, fl.row_price)
        state.bound = max(state.bound, lagrangian_bound(prep, fl.row_keys, fl.row_price))
        per_round = (time.perf_counter() - started) / (rnd + 1)
        if rnd + 1 == FLOW_ROUNDS or time.perf_counter() + 1.5 * per_round > deadline:
            break
        movers = _congested(prep, choice, others, fl.row_keys, fl.row_price)
        stats["moved_orders"] = len(movers)
        if not len(movers):
            break
        fixed, item_cost = colmod.priced_costs(prep.res, sc, o, fl.row_keys, fl.row_price)
        choice = fit_repair(prep, choice, movers, fixed, item_cost)
    state.choice = best
    state.base_keys, state.base_price = prices


def _settle(prep: Prepared, choice: np.ndarray, stats: dict) -> np.ndarray:
    """Resolve conflicts among the pre-placed orders' own best plans."""
    ow, keys, amt = use_of(prep, choice)
    over, _ = overused_rows(prep.res, keys, amt)
    if not len(over):
        return choice
    clash = np.unique(ow[np.isin(keys, over)])
    stats["pre_flow_repaired"] = len(clash)
    return fit_repair(prep, choice, clash)


def _congested(prep: Prepared, choice, others, keys, price) -> np.ndarray:
    """Pre-placed orders whose plan costs more at congestion prices than their best alternative."""
    o, sc = prep.orders, prep.sc
    fixed, item_cost = colmod.priced_costs(prep.res, sc, o, keys, price)
    now = colmod.costs(sc, o, colmod.from_item_slots(o, others, choice), fixed, item_cost)
    best = price_orders(sc, o, fixed, item_cost, subset=others).value[others]
    return others[best < now - 1.0]
