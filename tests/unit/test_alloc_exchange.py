"""The SKU exchange: orders short of a SKU trade places with the orders holding it."""
from __future__ import annotations

import time

import numpy as np

from allocation import columns as colmod
from allocation.exchange import exchange_short_skus, within_policy
from allocation.fitting import use_of
from allocation.greedy import greedy_slots
from allocation.prepare import prepare
from allocation.problem import NodeState
from allocation.resources import overused_rows
from allocation.scoring import plan_cost
from allocation.testing import order, problem
from tests.unit.test_alloc_bound import _instance

S1, S2 = NodeState("S1", "store", city="A"), NodeState("S2", "store", city="A")
RDC = NodeState("R1", "rdc", city="W")
COST = [[900], [1000], [700]]


def _slot(prep, order_idx: int, node_id: str) -> int:
    node = prep.net.node_ids.index(node_id)
    return int(np.flatnonzero(prep.sc.nodes[order_idx] == node)[0])


def test_an_order_holding_the_last_units_steps_aside_for_one_that_has_nowhere_else():
    # o1 wants one unit of a (S1 or S2 hold it); o2 wants two, and only S1 holds two.
    # Starting from o1 at S1, o2 is short; the exchange sends o1 to S2 and o2 to S1.
    prob = problem([order("o1", ("a", 1)), order("o2", ("a", 2), minutes=1)], [S1, S2, RDC],
                   {("S1", "a"): 2, ("S2", "a"): 1}, COST)
    prep = prepare(prob)
    start = np.array([_slot(prep, 0, "S1"), -1])
    new, stats = exchange_short_skus(prep, start, time.perf_counter() + 10)
    assert new.tolist() == [_slot(prep, 0, "S2"), _slot(prep, 1, "S1")]
    gain = plan_cost(prep.sc, prep.orders, start)[0] - plan_cost(prep.sc, prep.orders, new)[0]
    assert stats["exchange_gain_fen"] == round(gain) and gain > 0
    assert start.tolist() == [_slot(prep, 0, "S1"), -1]  # the caller's answer is left as it was


def test_nothing_moves_when_no_order_is_short_of_a_sku_someone_else_holds():
    prob = problem([order("o1", ("a", 1)), order("o2", ("b", 1))], [S1, S2, RDC],
                   {("S1", "a"): 1, ("S2", "a"): 1}, COST)
    prep = prepare(prob)
    start = np.array([_slot(prep, 0, "S1"), -1])  # o2's b is nowhere: nothing to exchange
    new, stats = exchange_short_skus(prep, start, time.perf_counter() + 10)
    assert new.tolist() == start.tolist() and stats["exchange_skus"] == 0


def test_exchange_from_first_come_answers_is_cheaper_and_stays_within_capacity_and_policy():
    for tight in (False, True):
        prep = prepare(_instance(tight, n_orders=400))
        start = greedy_slots(prep)
        new, stats = exchange_short_skus(prep, start, time.perf_counter() + 30)
        before, after = plan_cost(prep.sc, prep.orders, start)[0], plan_cost(prep.sc, prep.orders, new)[0]
        assert stats["exchange_skus_done"] > 0
        gain = stats["exchange_gain_fen"] + stats.get("parcel_exchange_gain_fen", 0)
        assert after < before and abs((before - after) - gain) <= 2
        _, keys, amt = use_of(prep, new)
        assert not len(overused_rows(prep.res, keys, amt)[0])
        everyone = np.arange(prep.orders.n_orders)
        assert within_policy(prep.sc, colmod.from_item_slots(prep.orders, everyone, new)).all()


def test_plans_beyond_the_parcel_limit_or_with_a_parcel_below_the_split_minimum_are_refused():
    prep = prepare(problem([order("o1", ("a", 1), ("b", 1), value_fen=5000)], [S1, S2, RDC],
                           {("S1", "a"): 1, ("S2", "b"): 1, ("R1", "a"): 1, ("R1", "b"): 1}, COST))
    sc, o = prep.sc, prep.orders
    split = colmod.from_item_slots(o, np.array([0]), np.array([_slot(prep, 0, "S1"), _slot(prep, 0, "S2")]))
    whole = colmod.from_item_slots(o, np.array([0]), np.array([_slot(prep, 0, "R1")] * 2))
    assert within_policy(sc, split).all() and within_policy(sc, whole).all()
    sc.max_parcels = 1
    assert not within_policy(sc, split).any() and within_policy(sc, whole).all()
    sc.max_parcels, sc.min_split_value_fen = 3, 6000
    assert not within_policy(sc, split).any() and within_policy(sc, whole).all()


def test_an_order_moves_away_to_free_the_last_parcel_where_a_short_order_can_ship():
    # Only S1 holds a, and S1 has one parcel left, taken by o1 (b, which R1 also holds).
    # No order of SKU a can make room (the first pass); o1 moving to R1 frees the parcel (the second).
    s1 = NodeState("S1", "store", city="A", remaining_parcels=1)
    prob = problem([order("o1", ("b", 1)), order("o2", ("a", 1), minutes=1)], [s1, S2, RDC],
                   {("S1", "a"): 1, ("S1", "b"): 1, ("R1", "b"): 1}, COST)
    prep = prepare(prob)
    start = np.array([_slot(prep, 0, "S1"), -1])
    new, stats = exchange_short_skus(prep, start, time.perf_counter() + 10)
    assert stats["exchange_skus_done"] == 1 and stats["exchange_gain_fen"] == 0
    assert new.tolist() == [_slot(prep, 0, "R1"), _slot(prep, 1, "S1")]
    gain = plan_cost(prep.sc, prep.orders, start)[0] - plan_cost(prep.sc, prep.orders, new)[0]
    assert stats["parcel_exchange_gain_fen"] == round(gain) and gain > 0
    _, keys, amt = use_of(prep, new)
    assert not len(overused_rows(prep.res, keys, amt)[0])
