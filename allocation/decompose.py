"""Price-directed decomposition of the batch problem.

1. Every order takes its own exact best plan (`plans.price_orders`). Orders
   couple only through shared rows (stock, parcels, pick units); when no row
   is over-used, that is the optimum.
2. Orders on over-used rows are *contested*. A restricted master LP over
   their plans, with the rows' capacity left by the others, gives prices;
   every order is re-priced, contested ones get new columns, and uncontested
   ones that would rather move at these prices join the contested set.
3. The last LP is made integral (fix integral orders, small MIP on the rest).
4. Orders the integer phase left worse off are completed into the capacity that
   remains (`completion`), after multi-unit orders at nodes out of pick units
   swap with single-unit orders at nodes out of parcels where backordered
   units wait for those pick units (`rebalance`); orders still short are
   re-decided together with the orders in their way (`repair`), then with
   every order holding the SKU they are short of (`exchange`); last,
   multi-line orders take cheaper nodes where a single-unit order can make
   room for less than they gain (`rebalance.cheaper_pairs`), and the flow
   places the single-unit orders again around all the others
   (`big_batch.resettle_singles`).
5. A batch too big for the master but smaller than `DELEGATE_MIN_ORDERS`,
   still more than 1 % above its bound, is re-decided once at the best bound's
   prices (`big_batch.moves_at_prices`) and finished again; the cheaper answer is kept.
6. A batch just past the flow's threshold (at most `MASTER_LOOK_MAX_ORDERS` contested orders) is also
   decided by the master, as smaller batches are, in the time left; the cheaper answer is kept.
7. On a flow-path batch still further from its bound than the gap goal (1 %), the time left raises the
   bound by a cutting-plane ascent (`price_bundle`), and the answer takes two more looks as in 5 at the
   better prices (`_tighten_bound`). Where `aside_bound.goes_on_to_lp`, the other core raises it
   instead, by the ascent and then rounds of the LP (`lp_prices`), and the answer looks at its prices
   each time they raised the bound by LOOK_RISE of the cost (`_look_while_aside`).
Prices from the master give a Lagrangian lower bound on the whole batch.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from allocation import columns as colmod
from allocation.aside import Aside
from allocation.aside_bound import aside_bound, goes_on_to_lp
from allocation.big_batch import cut_bound_here, flow_phase, moves_at_prices, moves_to_plan, resettle_singles
from allocation.bound import lagrangian_bound
from allocation.completion import complete_orders
from allocation.exchange import MAKERS_MAX_SKUS, exchange_short_skus
from allocation.fitting import SearchState, fit_columns, fit_repair, residual, use_of
from allocation.fitting import master_data as _master_data
from allocation.master import round_lp, solve_lp
from allocation.plans import Priced, price_orders
from allocation.prepare import Prepared
from allocation.price_bundle import PriceBundle
from allocation.rebalance import cheaper_pairs, rebalance_units
from allocation.repair import repair_short_orders
from allocation.resources import overused_rows
from allocation.scoring import plan_cost
from allocation.sequential import sequential_assign

SINGLE_NODE_COLUMNS = 6  # cheapest whole-order nodes seeded per contested order
FLOW_THRESHOLD = 3000  # contested orders above which the min-cost-flow core decides first
MOVERS_AFTER_FLOW = False
NEIGHBOUR_LIMIT = 3000  # orders the repair master may re-decide after the flow
REPAIR_LP_LIMIT = 1500  # more over-drawn orders than this are re-placed by `fit_repair` instead
DELEGATE_MIN_ORDERS = 50_000  # big conflicts get the cut's and the whole-order flow's bounds from the other core
# (`aside_bound`); batches at least this big leave the cut and the last raising to it (100k orders: 284.9M fen there,
# 257.1M from the flow core's own prices), smaller ones work out both and keep the better (20k orders: 57.06M here,
# 56.88M there; capacity-tight 10k: 28.62M here, 29.20M there, against an optimum of 29.34M)
MASTER_LOOK_MAX_ORDERS = 4500  # batches with at most this many contested orders, decided by the flow, are decided
# again by the master when MASTER_LOOK_MIN_S are left (capacity-tight 5k orders, 3,145 contested: gap 0.755% ->
# 0.049%, the HiGHS optimum, in 4.0 s more; 6k, 4,078: 0.752% -> 0.084% in 8.2 s; 7k, 4,962: no answer in 15 s)
MASTER_LOOK_MIN_S = 2.0
SECOND_LOOK_MIN_GAP = 0.01  # batches under DELEGATE_MIN_ORDERS further than this from the bound take a second look
SECOND_LOOK_TIME_FACTOR = 2.0  # ... if this many times the flow's and the finish's time is left (measured: 1.2–1.3)
REBALANCE_BUDGET_S = 1.5  # pair moves between unit-bound and parcel-bound nodes stop after this long (measured,
# capacity-tight 100k orders: all 1,129 in 1.1 s)
REBALANCE_PASSES = 2  # passes of pair moves and completion (capacity-tight 100k orders: the second serves 292 more
# units, gap 11.66% -> 10.94%, in 2.2 s; a third, 27 more in 1.6 s)
PAIRS_BUDGET_S = 1.5  # cheaper pair moves stop after this long (measured, 100k orders: 1.69M fen in 1.5 s, all
# 5,446 moves, 2.5M, in 5.6 s; 20k orders: 0.01M, all done in 0.2 s)
RESETTLE_SHARE = 0.5  # placing the single units again takes this share of a flow round's time (100k orders: 1.0 s
# against 2.4 s); it runs only if that much time is left when the pair moves start, which then stop that long before
# the deadline (also on batches with many short SKUs, where the pair moves do not run: capacity-tight 20k orders,
# gap 3.095% -> 3.036%, 0.37M fen, in about 0.3 s)
BOUND_GOAL_GAP = 0.01  # the time left after the answer raises the bound while the gap is wider than this
BUNDLE_MIN_S = 1.0  # ...and at least this long is left
LOOKS_AT = (0.3, 0.6)  # shares of that time after which the answer takes another look at the bound's prices
LOOK_RISE = 0.0005  # the answer looks again at the other core's prices once they raised the bound by this share of
# the cost since its last look
ASIDE_MARGIN_S = 0.5  # the other core's raising steps stop this long before the deadline


class SolverTimeLimit(Exception):
    """The time limit passed before the master produced any usable answer."""


@dataclass
class Decomposed:
    item_slot: np.ndarray
    lower_bound: float
    note: str | None = None  # set when the answer is feasible but not the converged optimum
    stats: dict = field(default_factory=dict)


def decompose(prep: Prepared, deadline: float, max_rounds: int = 8, lp_solver: str = "glop",
              flow_threshold: int = FLOW_THRESHOLD, gap_goal: float | None = None) -> Decomposed:
    """The batch's answer and a lower bound on its cost by `deadline`. `gap_goal` (default BOUND_GOAL_GAP): on
    flow-path batches the time left raises the bound while the gap is wider than this share of the cost."""
    sc, o, res = prep.sc, prep.orders, prep.res
    free = price_orders(sc, o, sc.fixed, sc.item_cost)
    state = SearchState(free.item_slot.copy(), float(free.bound.sum()), np.zeros(0, np.int64), np.zeros(0), free)
    owner, keys, amt = use_of(prep, state.choice)
    over, _ = overused_rows(res, keys, amt)
    stats = {"contested_orders": 0, "rounds": 0, "columns": 0, "over_rows": len(over)}
    if not len(over):
        return Decomposed(state.choice, state.bound, None, stats)
    contested = np.unique(owner[np.isin(keys, over)])
    big = len(contested) > flow_threshold
    by_lp = big and goes_on_to_lp(prep, deadline - ASIDE_MARGIN_S - time.perf_counter())
    aside = Aside(aside_bound, prep, free, deadline - ASIDE_MARGIN_S, by_lp) if big else None
    # the cut's bound is then worked out on the other core only
    delegated = aside is not None and aside.started and o.n_orders >= DELEGATE_MIN_ORDERS
    peek = False  # whether the other core goes on raising the bound while the answer looks at its prices
    try:
        if big:
            note = _big_conflict(prep, state, deadline, max_rounds, lp_solver, stats, bounds_here=not delegated)
        else:
            note = _master_phase(prep, state, owner, keys, amt, contested, True, deadline, max_rounds, lp_solver,
                                 stats)
        _finish(prep, state, free, deadline, stats)
        peek = aside is not None and aside.started and by_lp
    finally:
        if aside is not None and not _take_aside_bound(aside, state, deadline, stats, peek) and delegated:
            cut_bound_here(prep, state, stats)  # it did not come: the cut's bound, here
    try:
        if big and not delegated:
            _second_look(prep, state, free, deadline, stats)
        if big and len(contested) <= MASTER_LOOK_MAX_ORDERS:
            note = _master_look(prep, state, free, (owner, keys, amt), contested, deadline, max_rounds, lp_solver,
                                stats, note)
        if big:
            goal = BOUND_GOAL_GAP if gap_goal is None else gap_goal
            if aside.running:
                _look_while_aside(prep, state, free, aside, deadline, stats, goal)
            else:
                _tighten_bound(prep, state, free, deadline, stats, goal)
    finally:
        if aside is not None and aside.running:
            _take_aside_bound(aside, state, deadline, stats)
    return Decomposed(state.choice, state.bound, note, stats)


def _look_while_aside(prep: Prepared, state: SearchState, alone: Priced, aside: Aside, deadline: float, stats: dict,
                      gap_goal: float) -> None:
    """While the other core raises the bound (`aside_bound`: the ascent, then the LP's own prices), the answer
    takes another look (`_second_look`) each time the bound it reports has risen by LOOK_RISE of the cost since
    the last look, until the gap is within `gap_goal`; the bound is taken at the end."""
    def cost() -> float:
        return plan_cost(prep.sc, prep.orders, state.choice)[0]

    looked_at, looked = state.bound, False
    if state.bound >= (1.0 - gap_goal) * cost():  # within the goal already: no look
        _take_aside_bound(aside, state, deadline, stats)
        return
    stats.update(aside_looks=0, aside_look_gain_fen=0)
    while time.perf_counter() < deadline and state.bound < (1.0 - gap_goal) * cost():
        ended = aside.ended  # before the wait: its last report is then read in it
        if aside.wait_news(min(deadline - time.perf_counter(), 0.5)) and aside.latest() is not None:
            value, keys, lam, _, plan = aside.latest()
            state.offer(value, keys, lam, plan)
        if state.bound <= looked_at or (state.bound - looked_at < LOOK_RISE * cost() and not ended):
            if ended:
                break
            continue  # (once it ended, a last look at prices newer than the last one's, however near)
        looked_at = state.bound
        looked |= _look_again(prep, state, alone, deadline, stats, gap_goal, "aside")
    _take_aside_bound(aside, state, deadline, stats)
    if not looked and state.bound > looked_at:  # within the goal before any look: one at the prices that got it
        # there, kept only if cheaper (as in `_tighten_bound`)
        _look_again(prep, state, alone, deadline, stats, 0.0, "aside")


def _look_again(prep: Prepared, state: SearchState, alone: Priced, deadline: float, stats: dict, min_gap: float,
                counted_as: str) -> bool:
    """`_second_look` at the state's prices, counted in stats as `<counted_as>_looks` and `_look_gain_fen`;
    whether it looked (not when no order would move, time is short, or the answer is within `min_gap`)."""
    look_stats = {"flow_s": stats.get("flow_s", 0.0), "finish_s": stats.get("finish_s", 0.0)}
    _second_look(prep, state, alone, deadline, look_stats, min_gap=min_gap)
    if "second_look_s" not in look_stats:
        return False
    stats[f"{counted_as}_looks"] = stats.get(f"{counted_as}_looks", 0) + 1
    gain = f"{counted_as}_look_gain_fen"
    stats[gain] = stats.get(gain, 0) + look_stats["second_look_gain_fen"]
    return True


def _tighten_bound(prep: Prepared, state: SearchState, alone: Priced, deadline: float, stats: dict,
                   gap_goal: float) -> None:
    """The time left, while the answer is further than `gap_goal` (a share) from the bound, raises the bound from its
    best prices (`price_bundle`); after the shares LOOKS_AT of that time, the answer takes another look at the
    new prices (`_second_look`: capacity-tight 10k orders, 29.63M -> 29.46M fen, where the optimum is 29.34M;
    capacity-tight 20k, 613.8M -> 606.1-606.7M). When the bound reaches the goal before any look, the answer
    still takes one at the prices that got it there, if time allows: it is kept only if cheaper."""
    def goal() -> float:
        return (1.0 - gap_goal) * plan_cost(prep.sc, prep.orders, state.choice)[0]

    def look(min_gap: float) -> bool:
        return _look_again(prep, state, alone, deadline, stats, min_gap, "bundle")

    target = goal()
    if state.bound >= target or not len(state.base_keys) or time.perf_counter() + BUNDLE_MIN_S > deadline:
        return
    started, looked = time.perf_counter(), False
    bundle = PriceBundle(prep, alone, state.base_keys, state.base_price)
    for share in (*LOOKS_AT, None):
        bundle.run(deadline if share is None else started + share * (deadline - started),
                   stop=lambda best: best >= target)
        state.offer(*bundle.best)
        if share is not None and state.bound < target:
            looked |= look(gap_goal)
            target = goal()
    if not looked:
        look(0.0)
    stats.update(bundle.stats(), bundle_bound_fen=round(bundle.best[0]))


def _master_look(prep: Prepared, state: SearchState, alone: Priced, use, contested: np.ndarray, deadline: float,
                 max_rounds: int, lp_solver: str, stats: dict, note: str | None) -> str | None:
    """A batch just past the flow's threshold also goes the master's way (`_master_phase` from every order's
    own best plan, then `_finish`) in the time left; its answer is kept if cheaper, its bound if higher."""
    started, sc, o = time.perf_counter(), prep.sc, prep.orders
    if started + MASTER_LOOK_MIN_S > deadline:
        return note
    trial = SearchState(alone.item_slot.copy(), state.bound, state.base_keys, state.base_price, alone)
    trial_stats: dict = {}
    try:
        trial_note = _master_phase(prep, trial, *use, contested, True, deadline, max_rounds, lp_solver, trial_stats)
    except SolverTimeLimit:
        stats["master_look"] = "no_lp_in_time"
        return note
    _finish(prep, trial, alone, deadline, trial_stats)
    state.offer(trial.bound, trial.base_keys, trial.base_price)
    gain = plan_cost(sc, o, state.choice)[0] - plan_cost(sc, o, trial.choice)[0]
    stats.update(master_look_gain_fen=round(max(gain, 0.0)), master_look_s=round(time.perf_counter() - started, 3),
                 master_look_rounds=trial_stats.get("rounds", 0))
    if gain > 0.5:
        state.choice = trial.choice
        return trial_note
    return note


def _second_look(prep: Prepared, state: SearchState, alone: Priced, deadline: float, stats: dict,
                 min_gap: float | None = None) -> None:
    """Further from the bound than `min_gap` (default SECOND_LOOK_MIN_GAP) with time to spare: the answer
    re-decided at the best bound's prices (`moves_at_prices`), or at the LP's plan there when they come from the LP
    rounds (`moves_to_plan`), and finished again; kept if cheaper."""
    started, sc, o = time.perf_counter(), prep.sc, prep.orders
    cost = plan_cost(sc, o, state.choice)[0]
    expected = SECOND_LOOK_TIME_FACTOR * (stats.get("flow_s", 0.0) + stats.get("finish_s", 0.0))
    far = cost - state.bound > (SECOND_LOOK_MIN_GAP if min_gap is None else min_gap) * cost
    if not far or started + expected > deadline or not len(state.base_keys):
        return
    moved = moves_at_prices(prep, state) if state.plan is None else moves_to_plan(prep, state)
    if moved is None:
        return
    trial = SearchState(moved, state.bound, state.base_keys, state.base_price, alone)
    _finish(prep, trial, alone, deadline, {"flow_s": stats.get("flow_s")})
    gain = cost - plan_cost(sc, o, trial.choice)[0]
    if gain > 0.5:
        state.choice = trial.choice
    stats.update(second_look_gain_fen=round(max(gain, 0.0)), second_look_s=round(time.perf_counter() - started, 3))


def _take_aside_bound(aside: Aside, state: SearchState, deadline: float, stats: dict, peek: bool = False) -> bool:
    """The bound from the other core (`aside_bound`), if it comes by the deadline; whether it came. With `peek`,
    the last it reported so far, leaving it running (if it reported nothing yet, its result)."""
    started = time.perf_counter()
    out = aside.latest() if peek else None
    if out is None:
        out = aside.result(deadline - started)
    stats["aside_wait_s"] = round(time.perf_counter() - started, 3)
    if out is None:
        stats["aside_bound"] = "not_started" if not aside.started else "no_result"
        return False
    value, keys, lam, child_stats, plan = out  # the result, or the last one reported (`aside.report`)
    stats.update({k: v for k, v in child_stats.items() if k not in stats})  # the parent's own figures stay
    stats["aside_bound_fen"] = round(value)
    state.offer(value, keys, lam, plan)
    return True


def _finish(prep: Prepared, state: SearchState, alone: Priced, deadline: float, stats: dict) -> None:
    """Capacity the integer phase or a repair left unused goes to the orders it left worse off (after pair
    moves that free pick units where orders wait for them, `rebalance`); orders still short are re-decided
    with the orders in their way, then SKU by SKU; last, multi-line orders take cheaper nodes a single-unit
    order makes room at, and (when the flow decided and time allows) the single-unit orders are placed again
    around all the others."""
    started, before = time.perf_counter(), plan_cost(prep.sc, prep.orders, state.choice)[0]
    if before <= state.bound + 0.5:  # proven optimal already
        return
    state.choice = _rebalanced_and_completed(prep, state.choice, alone, deadline, stats)
    repaired, hood = repair_short_orders(prep, state.choice, deadline)
    stats["repair_neighbourhood"] = len(hood)
    if repaired is not state.choice:  # orders may now complete into what the re-decided ones freed (one round:
        # the next two gained 0.03M fen at 100k orders for 0.5 s, 0.2M of 7,180M at capacity-tight 100k for 0.7 s)
        state.choice = complete_orders(prep, repaired, alone, rounds=1)
    # (completing orders again after the exchange gained 0.4M fen at 100k orders, 0.14 %, for 0.7 s: not done)
    state.choice, ex_stats = exchange_short_skus(prep, state.choice, deadline)
    stats.update(ex_stats)
    # the single units are placed again after the flow, when there is time for it; the pair moves leave it
    resettle_s = RESETTLE_SHARE * stats.get("flow_s", 0.0)
    resettle = resettle_s > 0 and time.perf_counter() + resettle_s < deadline
    if ex_stats["exchange_skus"] <= MAKERS_MAX_SKUS:  # with more short SKUs, back-orders, not costs, are at stake
        pairs_deadline = min(deadline - (resettle_s if resettle else 0.0), time.perf_counter() + PAIRS_BUDGET_S)
        state.choice, pair_stats = cheaper_pairs(prep, state.choice, pairs_deadline)
        stats.update(pair_stats)
    if resettle:
        state.choice, rs_stats = resettle_singles(prep, state.choice, alone)
        stats.update(rs_stats)
    stats["finish_gain_fen"] = round(before - plan_cost(prep.sc, prep.orders, state.choice)[0])
    stats["finish_s"] = round(time.perf_counter() - started, 3)


def _rebalanced_and_completed(prep: Prepared, choice: np.ndarray, alone: Priced, deadline: float,
                              stats: dict) -> np.ndarray:
    """`choice` after units-per-parcel pair moves (`rebalance_units`) and completion; again, up to
    REBALANCE_PASSES times, while the last pass moved orders and as much time as it took is left."""
    moves, passes = 0, 0
    while True:
        started = time.perf_counter()
        rebalanced, rb_stats = rebalance_units(prep, choice, min(deadline, started + REBALANCE_BUDGET_S))
        if passes and not rb_stats["rebalance_moves"]:
            break
        stats.setdefault("unit_bound_nodes", rb_stats["unit_bound_nodes"])
        choice = complete_orders(prep, rebalanced, alone)
        moves, passes = moves + rb_stats["rebalance_moves"], passes + 1
        took = time.perf_counter() - started
        if passes >= REBALANCE_PASSES or not moves or time.perf_counter() + took > deadline:
            break
    stats.update(rebalance_moves=moves, rebalance_passes=passes)
    return choice


def _big_conflict(prep: Prepared, state: SearchState, deadline: float, max_rounds: int, lp_solver: str,
                  stats: dict, bounds_here: bool = True) -> str | None:
    """The min-cost-flow core decides, the master (or `fit_repair`) repairs what it over-draws."""
    flow_phase(prep, state, deadline, stats, bounds_here)
    owner, keys, amt = use_of(prep, state.choice)
    over, _ = overused_rows(prep.res, keys, amt)
    stats["over_rows_after_flow"] = len(over)
    if not len(over):
        return None
    contested = np.unique(owner[np.isin(keys, over)])
    stats["repair_orders"] = len(contested)
    if len(contested) > REPAIR_LP_LIMIT:
        state.choice = fit_repair(prep, state.choice, contested)
        stats["repair"] = "fit"
        return None
    try:
        return _master_phase(prep, state, owner, keys, amt, contested, MOVERS_AFTER_FLOW, deadline, max_rounds,
                             lp_solver, stats)
    except SolverTimeLimit:
        state.choice = fit_repair(prep, state.choice, contested)
        stats["repair"] = "fit_after_lp_time_limit"
        return None


def _master_phase(prep, state: SearchState, owner, keys, amt, contested, movers: bool, deadline: float,
                  max_rounds: int, lp_solver: str, stats: dict) -> str | None:
    sc, o, res = prep.sc, prep.orders, prep.res
    cols, priced, last, note = colmod.concat(), None, None, None
    if not movers:
        contested = _with_neighbours(prep, state.choice, owner, keys, contested)
    for rnd in range(max_rounds):
        if time.perf_counter() > deadline:
            note = f"time_limit: column generation stopped after {rnd} rounds"
            break
        residual_of = residual(prep, owner, keys, amt, contested)
        fits = fit_columns(prep, contested, residual_of, sc.fixed, sc.item_cost) if rnd == 0 else colmod.concat()
        cols = colmod.concat(colmod.subset(cols, np.flatnonzero(np.isin(cols.order, contested))),
                             *_seed_columns(prep, contested, state.choice, priced), fits)
        cols, data = _master_data(prep, cols)
        lp = solve_lp(data, residual_of, max(deadline - time.perf_counter(), 0.05), lp_solver)
        if lp.solution.status != "optimal":
            note = f"master_lp_{lp.solution.status}"
            break
        last = (cols, data, lp, residual_of)
        fixed, item_cost = colmod.priced_costs(res, sc, o, lp.row_keys, lp.row_price)
        priced = price_orders(sc, o, fixed, item_cost)
        state.offer(float(priced.bound.sum() - (lp.row_price * res.capacity(lp.row_keys)).sum()))
        stats.update(rounds=rnd + 1, columns=cols.n, contested_orders=len(contested))
        improving, want_in = _wanting(prep, priced, lp, contested, state.choice, fixed, item_cost, movers)
        if not len(improving) and not len(want_in):
            break
        contested = np.union1d(contested, want_in)
    if last is None:
        raise SolverTimeLimit(note or "no master LP solved")
    _integer_phase(prep, state, last, deadline, stats)
    return note


def _integer_phase(prep: Prepared, state: SearchState, last, deadline: float, stats: dict) -> None:
    """Make the last master LP integral, adding columns that fit what the integral orders leave."""
    sc, o, res = prep.sc, prep.orders, prep.res
    cols, data, lp, residual_of = last
    if len(state.base_keys):
        state.offer(lagrangian_bound(prep, *state.merged_prices(lp.row_keys, lp.row_price)))
    fixed, item_cost = colmod.priced_costs(res, sc, o, lp.row_keys, lp.row_price)
    fitted: list[colmod.Columns] = []

    def more(free_orders, residual_after):
        # plans that fit what the fixed orders leave at the LP's prices, and the baseline's plans of the
        # free orders in that capacity: jointly feasible, a hint the MIP can only improve on
        extra, data_extra = _master_data(prep, colmod.concat(
            fit_columns(prep, free_orders, residual_after, fixed, item_cost),
            colmod.from_item_slots(o, free_orders, sequential_assign(prep, sc.ship, free_orders, residual_after))))
        fitted.append(extra)
        stats["mip_orders"] = len(free_orders)
        return data_extra

    chosen, how = round_lp(data, lp.solution.x, residual_of, max(deadline - time.perf_counter(), 0.5), more)
    stats["integer_phase"] = how
    if fitted:
        cols = colmod.concat_keep(cols, fitted[0])
    picked = colmod.subset(cols, np.sort(chosen))
    state.choice[picked.e_item] = picked.e_slot


def _with_neighbours(prep: Prepared, choice, owner, keys, contested, limit: int = NEIGHBOUR_LIMIT) -> np.ndarray:
    """Contested orders plus the orders now using rows their alternative plans need, so the
    master can move a neighbour aside instead of backordering (at most `limit` orders)."""
    seeds = colmod.concat(*_seed_columns(prep, contested, choice, None))
    _, rows, _ = colmod.usage(prep.res, prep.sc, prep.orders, seeds)
    near = np.setdiff1d(np.unique(owner[np.isin(keys, np.unique(rows))]), contested)
    room = max(limit - len(contested), 0)
    if len(near) > room:
        near = np.random.default_rng(len(near)).choice(near, size=room, replace=False)
    return np.union1d(contested, near)


def _seed_columns(prep: Prepared, contested: np.ndarray, choice: np.ndarray, priced: Priced | None):
    o = prep.orders
    seeds = [colmod.from_item_slots(o, contested, choice),
             colmod.single_node(prep.sc, o, contested, SINGLE_NODE_COLUMNS),
             colmod.backorder_all(o, contested)]
    if priced is not None:
        seeds.append(colmod.from_item_slots(o, contested, priced.item_slot))
    return seeds


def _wanting(prep, priced, lp, contested, choice, fixed, item_cost, movers: bool = True):
    """Contested orders with a column of negative reduced cost; others that would move at these prices."""
    mu = np.zeros(prep.orders.n_orders)
    mu[lp.orders] = lp.order_dual
    improving = contested[priced.value[contested] < mu[contested] - 0.01 - 1e-7 * np.abs(mu[contested])]
    others = np.setdiff1d(np.arange(prep.orders.n_orders), contested)
    if not len(others) or not movers:
        return improving, others[:0]
    cur = colmod.costs(prep.sc, prep.orders, colmod.from_item_slots(prep.orders, others, choice), fixed, item_cost)
    return improving, others[priced.value[others] < cur - 0.01 - 1e-7 * np.abs(cur)]
