"""Big conflicts: the min-cost-flow core places single-unit orders, congestion prices move the rest.

Orders the flow cannot represent exactly (multi-line, multi-unit) first take
their own best plan, conflicts among them settled by `fit_repair`. The flow
then places every single-unit order in what is left. Its node potentials price
the congested rows; multi-line orders that would rather be elsewhere at those
prices move, and the flow runs again. The cheapest round is kept.

The flow's potentials price only what single-unit orders compete for, so the
Lagrangian bound at them is weak (measured: 18.7% below the answer at 100k
orders, 4.3% at 20k) and multi-line orders are moved on wrong signals.
`price_raise` raises the rows multi-line orders over-demand: after the first
flow round (when those prices are not worse than none) the movers see the
raised prices. Where capacity forces backorders, `cut_bound` prices the rows
that hold the units back; after the last round the bound at the flow's prices
is raised again when it comes near the best bound and the deadline allows.
The bound is the best exact L(λ) seen, so it stays valid.
Backordered single units of the pre-placed orders join the flow (`flow`), so
a single-unit order can step aside for them.
"""
from __future__ import annotations

import time

import numpy as np

from allocation import columns as colmod
from allocation.batch import items_of
from allocation.bound import lagrangian_value
from allocation.cut_bound import cut_prices
from allocation.fitting import SearchState, fit_repair, residual, use_of
from allocation.flow import flow_assign, in_flow
from allocation.plans import Priced, price_orders
from allocation.prepare import Prepared
from allocation.price_raise import raise_prices
from allocation.resources import overused_rows
from allocation.scoring import plan_cost

FLOW_ROUNDS = 2  # flow → move congested multi-line orders → flow again
RAISE_ROUNDS = 1  # price-raising steps on the bound after the flow (each ~1.5 full pricings: 100k orders ~2 s)
RAISE_BEFORE_MOVE = True  # movers see the raised prices (rows only multi-line orders want are priced)
RAISE_FLOOR = 0.9  # before moving orders, raise only flow prices whose L is >= this share of L(0)
RAISE_HEADROOM = 2.5  # a step runs only if this many steps' time is left before the deadline
RAISE_MAX_STEP_S = 1.5  # ...and is expected to take at most this long (100k orders: ~2.2 s for 1.5 points of gap)
RESETTLE_STORE_ARCS = 3  # cheapest stores offered to each single unit when it is placed again after the finish,
# besides every warehouse and its own node (100k orders: 1.31M fen in 1.5 s; 10 stores: 1.39M in 2.3 s; none: 0.62M)
FINAL_RAISE_REACH = 0.01  # the last step runs only from prices whose L is within this share of the best bound
# (cut included): a step adds 1–3 % (measured: 20k orders 56.4 → 57.1 M, past the cut's 56.5 M; 100k orders
# 257.1 → 261.6 M, short of the cut's 261.7 M; capacity-tight 10k and 100k, far below what is already proven)


def flow_phase(prep: Prepared, state: SearchState, deadline: float, stats: dict, bounds_here: bool = True) -> None:
    """The flow core decides. With `bounds_here`, the cut's bound (`cut_bound_here`) and L at the last round's
    prices are worked out here too; without, the other core works out the cut's and the whole-order flow's
    (`aside_bound`; at 100k orders the last round's L gave 257.1M fen against the cut's 261.7M and the
    whole-order flow's 275.9M, raised, and 1.7e9 against 6.1e9 on the capacity-tight batch)."""
    o, sc = prep.orders, prep.sc
    flow_orders = np.flatnonzero(in_flow(prep, state.choice))
    others = np.setdiff1d(np.arange(o.n_orders), flow_orders)
    flow_items = items_of(o, flow_orders)
    choice = state.choice.copy()
    choice[flow_items] = -1
    choice = _settle(prep, choice, stats)
    best_cost, started = np.inf, time.perf_counter()
    for rnd in range(FLOW_ROUNDS):
        fl = _flow_around(prep, state.choice, choice, flow_orders)
        merged = fl.item_slot
        cost, _ = plan_cost(sc, o, merged)
        stats.update(fl.stats, flow_rounds=rnd + 1)
        if cost < best_cost:
            best_cost, best = cost, merged.copy()
        prices = (fl.row_keys, fl.row_price)
        per_round = (time.perf_counter() - started) / (rnd + 1)
        plans = None  # every order's best plan at `prices`, when L was evaluated there
        if RAISE_BEFORE_MOVE and rnd == 0:
            at_zero = state.bound  # L at λ = 0
            raised, plans_raised, plans = _bound(prep, state, prices, deadline, stats,
                                                 raise_above=RAISE_FLOOR * at_zero)
            if state.bound > at_zero:  # prices worse than none say little about where orders should go
                prices, plans = raised, plans_raised
        if rnd + 1 == FLOW_ROUNDS or time.perf_counter() + 1.5 * per_round > deadline:
            break
        fixed, item_cost = colmod.priced_costs(prep.res, sc, o, *prices)
        movers = _congested(prep, choice, others, fixed, item_cost, plans)
        stats["moved_orders"] = len(movers)
        if not len(movers):
            break
        choice = fit_repair(prep, choice, movers, fixed, item_cost)
    state.choice = best
    if not bounds_here:
        return
    cut_bound_here(prep, state, stats)
    if stats.get("flow_rounds", 0) > 1 or not RAISE_BEFORE_MOVE:
        near_best = (1 - FINAL_RAISE_REACH) * state.bound
        _bound(prep, state, prices, deadline, stats, final=True, raise_above=near_best)


def moves_at_prices(prep: Prepared, state: SearchState) -> np.ndarray | None:
    """`state.choice` re-decided at the best bound's prices: the multi-line orders dearer there than their best
    plan move (`fit_repair` at those prices) and the flow places the single-unit orders again around them;
    None when no order would move. (Measured, capacity-tight 10k orders: 29.89M → 29.64M fen after `_finish`,
    against an optimum of 29.34M; capacity-tight 20k: 618.9M → 618.0M; 20k and 100k orders: dearer.)"""
    o = prep.orders
    flow_orders = np.flatnonzero(in_flow(prep, state.alone.item_slot))
    others = np.setdiff1d(np.arange(o.n_orders), flow_orders)
    fixed, item_cost = colmod.priced_costs(prep.res, prep.sc, o, state.base_keys, state.base_price)
    movers = _congested(prep, state.choice, others, fixed, item_cost, None)
    if not len(movers):
        return None
    choice = state.choice.copy()
    choice[items_of(o, flow_orders)] = -1
    choice = fit_repair(prep, choice, movers, fixed, item_cost)
    return _flow_around(prep, state.alone.item_slot, choice, flow_orders).item_slot


def moves_to_plan(prep: Prepared, state: SearchState) -> np.ndarray | None:
    """`state.choice` re-decided at the LP's plan (`state.plan`, each order's largest column in the LP whose prices
    are the bound's): the multi-line orders whose plan there differs take it, those of them on rows it over-fills
    are placed again at the bound's prices (`fit_repair`), and the flow places the single-unit orders again around
    them; None when no order would move. Where the prices tie between plans, the LP's solution has picked among
    them, which the prices alone cannot (capacity-tight 20k orders, from 602.9M fen: 601.4-602.2M after `_finish`,
    where `moves_at_prices` gave 603.1-603.4M)."""
    o = prep.orders
    flow_orders = np.flatnonzero(in_flow(prep, state.alone.item_slot))
    differs = np.bincount(o.item_order, weights=state.plan != state.choice, minlength=o.n_orders) > 0
    differs[flow_orders] = False
    movers = np.flatnonzero(differs)
    if not len(movers):
        return None
    choice = state.choice.copy()
    choice[items_of(o, flow_orders)] = -1
    moving = items_of(o, movers)
    choice[moving] = state.plan[moving]
    owner, keys, amt = use_of(prep, choice)
    over, _ = overused_rows(prep.res, keys, amt)
    clash = np.intersect1d(owner[np.isin(keys, over)], movers)  # without them every row is within capacity again
    choice[items_of(o, clash)] = -1
    fixed, item_cost = colmod.priced_costs(prep.res, prep.sc, o, state.base_keys, state.base_price)
    choice = fit_repair(prep, choice, clash, fixed, item_cost)
    return _flow_around(prep, state.alone.item_slot, choice, flow_orders).item_slot


def _flow_around(prep: Prepared, free_slot: np.ndarray, placed: np.ndarray, flow_orders: np.ndarray, **options):
    """The flow's placement of the single-unit orders in what the other orders' plans `placed` leave
    (`options`: those of `flow_assign`)."""
    ow, keys, amt = use_of(prep, placed)
    return flow_assign(prep, free_slot, placed, residual(prep, ow, keys, amt, flow_orders), **options)


def resettle_singles(prep: Prepared, choice: np.ndarray, alone: Priced) -> tuple[np.ndarray, dict]:
    """The single-unit orders dearer in `choice` than their own best plan placed again by the flow around every
    other order's plan, each offered its own node too, so the flow's answer costs no more than theirs: the steps
    after the flow move single units where other orders need room, and leave some where a chain of moves would
    cost less. (Those at their best plan stay: at 100k orders the flow then places 31.8k units instead of 57.8k,
    in 1.0 s instead of 1.7 s, and gains 1.09M fen instead of 1.23M.) `choice` itself unless the flow's answer
    is cheaper and within every row."""
    o, sc = prep.orders, prep.sc
    singles = np.flatnonzero(in_flow(prep, alone.item_slot))
    now = colmod.costs(sc, o, colmod.from_item_slots(o, singles, choice), sc.fixed, sc.item_cost)
    dearer = singles[now > alone.value[singles] + 0.5]
    if not len(dearer):
        return choice, {"resettle_gain_fen": 0}
    placed = choice.copy()
    placed[items_of(o, dearer)] = -1
    fl = _flow_around(prep, alone.item_slot, placed, dearer, offered=choice, store_arcs=RESETTLE_STORE_ARCS,
                      prices=False, orders=dearer)
    gain = plan_cost(sc, o, choice)[0] - plan_cost(sc, o, fl.item_slot)[0]
    ow, keys, amt = use_of(prep, fl.item_slot)
    if gain <= 0.5 or len(overused_rows(prep.res, keys, amt)[0]):
        return choice, {"resettle_gain_fen": 0}
    return fl.item_slot, {"resettle_gain_fen": round(gain)}


def cut_bound_here(prep: Prepared, state: SearchState, stats: dict) -> None:
    """The bound where capacity forces backorders (`cut_bound`): flow potentials price what single-unit
    orders compete for, not the rows that hold every order's units back (measured, capacity-tight
    100k orders: L 3.8e9 at the potentials, 6.1e9 at the cut; stacking both prices is worse than either)."""
    t0 = time.perf_counter()
    keys, lam, forced = cut_prices(prep)
    stats["forced_backorder_units"] = forced
    if forced:
        value, _ = lagrangian_value(prep, keys, lam, state.alone)
        stats["cut_bound_fen"] = round(value)
        state.offer(value, keys, lam)
    stats["cut_bound_s"] = round(time.perf_counter() - t0, 3)


def _bound(prep: Prepared, state: SearchState, prices, deadline: float, stats: dict, final: bool = False,
           raise_above: float = -np.inf):
    """Lagrangian bound at the flow's prices, raised where multi-line orders over-demand rows.
    Returns the prices reached, every order's best plan there, and every order's best plan at `prices`."""
    t0 = time.perf_counter()
    value, priced = lagrangian_value(prep, *prices, state.alone)
    at_start = priced
    keys, lam = prices
    per_eval = time.perf_counter() - t0
    stats["final_flow_bound_fen" if final else "flow_bound_fen"] = round(value)
    step_s = 1.6 * per_eval  # the step prices the orders on over-demanded rows, then L is evaluated again
    affordable = step_s <= RAISE_MAX_STEP_S and time.perf_counter() + RAISE_HEADROOM * step_s < deadline
    if value > raise_above and affordable:
        value, keys, lam, steps, priced = raise_prices(prep, keys, lam, RAISE_ROUNDS, priced=priced, value=value,
                                                       deadline=deadline - RAISE_HEADROOM * step_s,
                                                       alone=state.alone)
        stats["final_raise_steps" if final else "raise_steps"] = steps
    stats["raised_bound_fen" if not final else "final_raised_bound_fen"] = round(value)
    state.offer(value, keys, lam)
    stats["bound_s"] = round(stats.get("bound_s", 0.0) + time.perf_counter() - t0, 3)
    return (keys, lam), priced, at_start


def _settle(prep: Prepared, choice: np.ndarray, stats: dict) -> np.ndarray:
    """Resolve conflicts among the pre-placed orders' own best plans."""
    ow, keys, amt = use_of(prep, choice)
    over, _ = overused_rows(prep.res, keys, amt)
    if not len(over):
        return choice
    clash = np.unique(ow[np.isin(keys, over)])
    stats["pre_flow_repaired"] = len(clash)
    return fit_repair(prep, choice, clash)


def _congested(prep: Prepared, choice, others, fixed, item_cost, plans: Priced | None) -> np.ndarray:
    """Pre-placed orders whose plan costs more at congestion prices (costs `fixed`, `item_cost`)
    than their best alternative (from `plans`, every order's best plan at those prices, if known)."""
    o, sc = prep.orders, prep.sc
    now = colmod.costs(sc, o, colmod.from_item_slots(o, others, choice), fixed, item_cost)
    if plans is None:
        plans = price_orders(sc, o, fixed, item_cost, subset=others)
    return others[plans.value[others] < now - 1.0]
