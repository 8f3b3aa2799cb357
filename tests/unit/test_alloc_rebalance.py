"""Units-per-parcel rebalancing: a multi-unit order leaves a node out of pick units for one out of parcels."""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from allocation.completion import complete_orders
from allocation.fitting import use_of
from allocation.plans import price_orders
from allocation.policy import ChannelPolicy, RoutingPolicy
from allocation.prepare import prepare
from allocation.problem import NodeState
from allocation.rebalance import cheaper_pairs, rebalance_units
from allocation.resources import overused_rows
from allocation.scoring import plan_cost
from allocation.testing import order, problem
from tests.unit.test_alloc_bound import _instance

# C has parcels left but no pick unit once oA's two units are picked; R has pick units but one parcel, oB's.
CLOUD = NodeState("C", "cloud", city="A", remaining_parcels=3, remaining_pick_units=2)
RDC = NodeState("R", "rdc", city="W", remaining_parcels=1, remaining_pick_units=10)
ATP = {("C", "a"): 1, ("C", "b"): 1, ("C", "c"): 1, ("C", "d"): 1, ("R", "a"): 1, ("R", "b"): 1, ("R", "c"): 1}
COST = [[700], [900]]


def _slot(prep, order_idx: int, node_id: str) -> int:
    node = prep.net.node_ids.index(node_id)
    return int(np.flatnonzero(prep.sc.nodes[order_idx] == node)[0])


def _start(prep, with_short: bool) -> np.ndarray:
    a_at_c, b_at_r = _slot(prep, 0, "C"), _slot(prep, 1, "R")
    return np.array([a_at_c, a_at_c, b_at_r] + ([-1] if with_short else []))


def test_a_two_unit_order_swaps_with_a_single_unit_one_so_a_short_order_can_ship():
    orders = [order("oA", ("a", 1), ("b", 1)), order("oB", ("c", 1), minutes=1), order("oS", ("d", 1), minutes=2)]
    prep = prepare(problem(orders, [CLOUD, RDC], ATP, COST))
    start = _start(prep, with_short=True)
    alone = price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost)
    assert complete_orders(prep, start, alone).tolist() == start.tolist()  # completion alone cannot serve oS
    moved, stats = rebalance_units(prep, start, time.perf_counter() + 10)
    assert stats == {"unit_bound_nodes": 1, "rebalance_moves": 1}
    assert moved[:3].tolist() == [_slot(prep, 0, "R"), _slot(prep, 0, "R"), _slot(prep, 1, "C")]
    done = complete_orders(prep, moved, alone)
    assert done[3] == _slot(prep, 2, "C")  # oS ships from the pick unit oA freed
    _, keys, amt = use_of(prep, done)
    assert not len(overused_rows(prep.res, keys, amt)[0])
    assert plan_cost(prep.sc, prep.orders, done)[0] < plan_cost(prep.sc, prep.orders, start)[0]
    assert start[3] == -1  # the caller's answer is left as it was


def test_the_single_unit_order_that_makes_room_may_free_the_last_unit_of_a_sku_rather_than_a_parcel():
    # R has a parcel for oA, but its only unit of a is oB's; oB can take C's unit of a once oA leaves C.
    rdc = NodeState("R", "rdc", city="W", remaining_parcels=2, remaining_pick_units=10)
    atp = {("C", "a"): 1, ("C", "b"): 1, ("C", "d"): 1, ("R", "a"): 1, ("R", "b"): 1}
    orders = [order("oA", ("a", 1), ("b", 1)), order("oB", ("a", 1), minutes=1), order("oS", ("d", 1), minutes=2)]
    prep = prepare(problem(orders, [CLOUD, rdc], atp, COST))
    start = _start(prep, with_short=True)
    moved, stats = rebalance_units(prep, start, time.perf_counter() + 10)
    assert stats["rebalance_moves"] == 1
    assert moved[:3].tolist() == [_slot(prep, 0, "R"), _slot(prep, 0, "R"), _slot(prep, 1, "C")]
    done = complete_orders(prep, moved, price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost))
    assert done[3] == _slot(prep, 2, "C")
    _, keys, amt = use_of(prep, done)
    assert not len(overused_rows(prep.res, keys, amt)[0])


def test_nothing_moves_when_no_backordered_unit_could_ship_from_the_freed_pick_units():
    orders = [order("oA", ("a", 1), ("b", 1)), order("oB", ("c", 1), minutes=1)]
    prep = prepare(problem(orders, [CLOUD, RDC], ATP, COST))
    start = _start(prep, with_short=False)
    moved, stats = rebalance_units(prep, start, time.perf_counter() + 10)
    assert stats["rebalance_moves"] == 0 and moved.tolist() == start.tolist()


def test_moves_on_a_capacity_tight_batch_keep_every_row_within_capacity():
    prep = prepare(_instance(True, n_orders=400))
    res, net = prep.res, prep.net
    alone = price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost)
    start = complete_orders(prep, np.full(len(alone.item_slot), -1), alone)
    _, keys, amt = use_of(prep, start)
    picks = (keys >= res.n_nodes) & (keys < 2 * res.n_nodes)
    used = np.bincount(keys[picks] - res.n_nodes, weights=amt[picks], minlength=res.n_nodes)
    cut = np.flatnonzero(net.kind != 0)[::2]  # every other warehouse: no pick unit beyond what it ships now
    net.pick_cap[cut] = used[cut].astype(net.pick_cap.dtype)
    moved, stats = rebalance_units(prep, start, time.perf_counter() + 10)
    assert stats["rebalance_moves"] > 0
    _, keys, amt = use_of(prep, moved)
    assert not len(overused_rows(res, keys, amt)[0])
    assert (moved >= 0).sum() == (start >= 0).sum()  # pair moves place items elsewhere, they never drop one


def test_the_rows_of_one_plan_are_those_resources_usage_gives():
    from allocation.rebalance import _Rows

    problem_ = _instance(True, n_orders=120)
    channels = sorted({od.channel for od in problem_.orders})
    safety = {c: ChannelPolicy(store_safety_units=1 + i % 2) for i, c in enumerate(channels[::2])}
    prep = prepare(replace(problem_, policy=RoutingPolicy(channels=safety)))  # stock rows at several levels
    o, sc, res = prep.orders, prep.sc, prep.res
    assert len(res.levels) > 1
    rows = _Rows(prep)
    choice = price_orders(sc, o, sc.fixed, sc.item_cost).item_slot
    for order_idx in range(o.n_orders):
        items = np.arange(o.order_item_start[order_idx], o.order_item_start[order_idx + 1])
        for slot in [None, *np.flatnonzero(sc.nodes[order_idx] >= 0)[:3].tolist()]:
            slots = choice[items] if slot is None else np.full(len(items), slot)
            on = slots >= 0
            _, keys, amt = res.usage(sc, o, np.zeros(on.sum(), np.int64), items[on], slots[on])
            expected: dict[int, float] = {}
            for k, a in zip(keys.tolist(), amt.tolist()):
                expected[k] = expected.get(k, 0.0) + a
            assert rows.of(choice, order_idx, slot) == expected


def test_an_order_takes_a_cheaper_nodes_last_parcel_when_the_single_unit_order_there_can_move_for_less():
    # oA ships whole from R (dear); S is cheaper for it but its one parcel is oB's, which S2 can ship for a bit more.
    s1 = NodeState("S", "store", city="A", remaining_parcels=1)
    s2, rdc = NodeState("S2", "store", city="A"), NodeState("R", "rdc", city="W")
    atp = {("S", "a"): 1, ("S", "b"): 1, ("S", "c"): 1, ("S2", "c"): 1, ("R", "a"): 1, ("R", "b"): 1, ("R", "c"): 1}
    orders = [order("oA", ("a", 1), ("b", 1)), order("oB", ("c", 1), minutes=1)]
    prep = prepare(problem(orders, [s1, s2, rdc], atp, [[300], [400], [3000]]))
    start = np.array([_slot(prep, 0, "R"), _slot(prep, 0, "R"), _slot(prep, 1, "S")])
    moved, stats = cheaper_pairs(prep, start, time.perf_counter() + 10)
    assert moved.tolist() == [_slot(prep, 0, "S"), _slot(prep, 0, "S"), _slot(prep, 1, "S2")]
    gain = plan_cost(prep.sc, prep.orders, start)[0] - plan_cost(prep.sc, prep.orders, moved)[0]
    assert stats == {"pair_moves": 1, "pair_gain_fen": round(gain)} and gain > 0
    _, keys, amt = use_of(prep, moved)
    assert not len(overused_rows(prep.res, keys, amt)[0])
    # where oB would lose more than oA gains, nothing moves
    prep = prepare(problem(orders, [s1, s2, rdc], atp, [[300], [2900], [3000]]))
    moved, stats = cheaper_pairs(prep, start, time.perf_counter() + 10)
    assert moved.tolist() == start.tolist() and stats["pair_moves"] == 0


def test_cheaper_pairs_on_a_batch_only_lower_its_cost_and_keep_rows_within_capacity():
    prep = prepare(_instance(False, n_orders=400))
    alone = price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost)
    start = complete_orders(prep, np.full(len(alone.item_slot), -1), alone)
    moved, stats = cheaper_pairs(prep, start, time.perf_counter() + 10)
    before, after = plan_cost(prep.sc, prep.orders, start)[0], plan_cost(prep.sc, prep.orders, moved)[0]
    assert stats["pair_moves"] > 0 and abs((before - after) - stats["pair_gain_fen"]) <= 1
    _, keys, amt = use_of(prep, moved)
    assert not len(overused_rows(prep.res, keys, amt)[0])


def test_the_finish_takes_a_second_pass_only_while_the_last_one_moved_orders():
    from allocation.decompose import _rebalanced_and_completed

    orders = [order("oA", ("a", 1), ("b", 1)), order("oB", ("c", 1), minutes=1), order("oS", ("d", 1), minutes=2)]
    prep = prepare(problem(orders, [CLOUD, RDC], ATP, COST))
    start = _start(prep, with_short=True)
    alone = price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost)
    stats: dict = {}
    done = _rebalanced_and_completed(prep, start, alone, time.perf_counter() + 10, stats)
    once = complete_orders(prep, rebalance_units(prep, start, time.perf_counter() + 10)[0], alone)
    assert done.tolist() == once.tolist()  # the second pass found nothing to move, and was not counted
    assert stats == {"unit_bound_nodes": 1, "rebalance_moves": 1, "rebalance_passes": 1}
