"""The allocation engine on small problems whose optimum is worked out by hand.

Default weights: store parcel 600 + 200/unit, RDC parcel 250 + 60/unit, split 800,
late 3000 × (1 − P(on time)), backorder 200,000 per unit.
"""
from __future__ import annotations

import pytest

from allocation.costs import CostWeights, RejectionObservation, learn_rejection_rates
from allocation.greedy import GreedyAllocator
from allocation.optimal import OptimalAllocator
from allocation.policy import RoutingPolicy
from allocation.problem import NodeState
from allocation.rdc_first import RdcFirstAllocator
from allocation.realtime import RealtimeAllocator
from allocation.testing import order, problem

STORE = NodeState("S1", "store", city="A")
STORE2 = NodeState("S2", "store", city="A")
RDC = NodeState("R1", "rdc", city="W")
# lanes to district 0: S1 ¥9 on time; S2 ¥10 on time; R1 ¥7 with P(on time) 0.5
COST = [[900], [1000], [700]]
P = [[1.0], [1.0], [0.5]]
S1_ONE_UNIT = 900 + 600 + 200  # 1700
S2_ONE_UNIT = 1000 + 600 + 200  # 1800
R1_ONE_UNIT = 700 + 1500 + 250 + 60  # 2510


def solve(prob, allocator=None):
    return (allocator or OptimalAllocator()).allocate(prob)


def shipped(result) -> dict[str, list[str]]:
    """Order id → sorted node ids of its parcels."""
    out: dict[str, list[str]] = {}
    for s in result.shipments:
        out.setdefault(s.order_id, []).append(s.node_id)
    return {k: sorted(v) for k, v in out.items()}


def test_one_line_order_ships_from_the_cheapest_node_with_the_hand_computed_cost():
    prob = problem([order("o1", ("a", 1))], [STORE, STORE2, RDC], {("S1", "a"): 2, ("R1", "a"): 5}, COST, P)
    result = solve(prob)
    assert shipped(result) == {"o1": ["S1"]}
    assert result.objective_fen == S1_ONE_UNIT
    assert result.status == "optimal" and result.gap_pct == 0.0


def test_order_ships_whole_from_the_rdc_rather_than_split_across_store_and_rdc():
    # split: S1(a) 1700 + R1(b) 2510 + split 800 = 5010; whole from R1: 700+1500+250+120 = 2570
    prob = problem([order("o1", ("a", 1), ("b", 1))], [STORE, STORE2, RDC],
                   {("S1", "a"): 1, ("R1", "a"): 1, ("R1", "b"): 1}, COST, P)
    result = solve(prob)
    assert shipped(result) == {"o1": ["R1"]}
    assert result.objective_fen == 2570


def test_binding_store_capacity_sends_the_second_order_to_the_next_best_node():
    store = NodeState("S1", "store", city="A", remaining_parcels=1)
    prob = problem([order("o1", ("a", 1)), order("o2", ("a", 1), minutes=1)], [store, STORE2, RDC],
                   {("S1", "a"): 5, ("S2", "a"): 5, ("R1", "a"): 5}, COST, P)
    result = solve(prob)
    assert sorted(s.node_id for s in result.shipments) == ["S1", "S2"]
    assert result.objective_fen == S1_ONE_UNIT + S2_ONE_UNIT


def test_optimiser_beats_first_come_greedy_when_capacity_binds():
    # S1 takes one parcel. o1 (paid first) could use S2 for +100; o2 has only S1 or the RDC (+810).
    store = NodeState("S1", "store", city="A", remaining_parcels=1)
    prob = problem([order("o1", ("a", 1)), order("o2", ("b", 1), minutes=1)], [store, STORE2, RDC],
                   {("S1", "a"): 1, ("S2", "a"): 1, ("S1", "b"): 1, ("R1", "b"): 1}, COST, P)
    best = solve(prob)
    greedy = solve(prob, GreedyAllocator())
    assert shipped(best) == {"o1": ["S2"], "o2": ["S1"]}
    assert best.objective_fen == S2_ONE_UNIT + S1_ONE_UNIT
    assert greedy.objective_fen == S1_ONE_UNIT + R1_ONE_UNIT


def test_store_safety_stock_is_kept_back_when_the_policy_says_so():
    orders = [order("o1", ("a", 1))]
    kw = dict(nodes=[STORE, STORE2, RDC], atp={("S1", "a"): 1, ("R1", "a"): 3}, cost=COST, p_within=P,
              safety={("S1", "a"): 1})
    kept = solve(problem(orders, policy=RoutingPolicy(keep_store_safety_stock=True), **kw))
    spent = solve(problem(orders, policy=RoutingPolicy(keep_store_safety_stock=False), **kw))
    assert shipped(kept) == {"o1": ["R1"]}
    assert shipped(spent) == {"o1": ["S1"]}


@pytest.mark.parametrize("atp, sku, reason", [
    ({("S1", "a"): 0}, "a", "no_stock"),
    ({("S1", "a"): 1}, "zzz", "unknown_sku"),
])
def test_line_without_any_stock_is_backordered_with_a_reason(atp, sku, reason):
    prob = problem([order("o1", (sku, 1))], [STORE, STORE2, RDC], {**atp, ("R1", "b"): 1}, COST, P)
    result = solve(prob)
    assert not result.shipments
    assert [(b.line_id, b.quantity, b.reason) for b in result.backorders] == [("o1-0", 1, reason)]
    assert result.objective_fen == CostWeights().backorder_penalty_fen


def test_stock_only_at_an_ineligible_store_is_backordered_as_not_eligible():
    closed = NodeState("S1", "store", city="A", is_open=False)
    prob = problem([order("o1", ("a", 1))], [closed, STORE2, RDC], {("S1", "a"): 4}, COST, P)
    assert [b.reason for b in solve(prob).backorders] == ["not_eligible"]


def test_a_line_is_split_across_stores_only_when_the_order_allows_it():
    atp = {("S1", "a"): 1, ("S2", "a"): 1}
    whole = solve(problem([order("o1", ("a", 2))], [STORE, STORE2, RDC], atp, COST, P))
    split = solve(problem([order("o1", ("a", 2), splittable=True)], [STORE, STORE2, RDC], atp, COST, P))
    assert not whole.shipments and whole.backorders[0].quantity == 2
    assert shipped(split) == {"o1": ["S1", "S2"]}
    assert split.objective_fen == S1_ONE_UNIT + S2_ONE_UNIT + 800
    assert sum(q for s in split.shipments for _, _, q in s.lines) == 2


def test_learned_rejections_move_the_order_away_from_an_unreliable_store():
    # S1 at 50% rejection: 1700 + 0.5 × 2500 = 2950 > R1 2510
    shaky = NodeState("S1", "store", city="A", rejection_rate={"*": 0.5})
    prob = problem([order("o1", ("a", 1))], [shaky, RDC], {("S1", "a"): 2, ("R1", "a"): 2}, [[900], [700]],
                   [[1.0], [0.5]])
    result = solve(prob)
    assert shipped(result) == {"o1": ["R1"]}
    alt = result.shipments[0].alternatives[0]
    assert alt.node_id == "S1" and alt.cost.rejection_fen == 1250


def test_rejection_rates_are_learned_per_family_with_a_prior():
    rates = learn_rejection_rates([RejectionObservation("S1", "footwear", 100, 30),
                                   RejectionObservation("S1", "socks", 5, 0),
                                   RejectionObservation("S2", "footwear", 100, 0)])
    assert rates["S1"]["footwear"] == pytest.approx((30 + 0.4) / 120)
    assert "socks" not in rates["S1"]  # too few lines: the node's overall rate applies
    assert rates["S2"]["*"] < rates["S1"]["*"]


def test_each_shipment_explains_its_cost_and_its_next_best_nodes():
    prob = problem([order("o1", ("a", 1))], [STORE, STORE2, RDC],
                   {("S1", "a"): 1, ("S2", "a"): 1, ("R1", "a"): 1}, COST, P)
    ship = solve(prob).shipments[0]
    assert ship.cost.total_fen == S1_ONE_UNIT
    assert (ship.cost.shipping_fen, ship.cost.handling_fen, ship.cost.lateness_fen) == (900, 800, 0)
    assert [(a.node_id, a.total_fen) for a in ship.alternatives] == [("S2", S2_ONE_UNIT), ("R1", R1_ONE_UNIT)]


def test_solver_time_limit_falls_back_to_greedy_and_says_so():
    store = NodeState("S1", "store", city="A", remaining_parcels=1)
    prob = problem([order("o1", ("a", 1)), order("o2", ("a", 1), minutes=1)], [store, STORE2, RDC],
                   {("S1", "a"): 5, ("S2", "a"): 5, ("R1", "a"): 5}, COST, P)
    result = OptimalAllocator(time_limit_s=0.0).allocate(prob)
    assert result.status == "fallback"
    assert result.fallback_reason.startswith("time_limit")
    assert result.solver == "optimal->greedy"
    assert len(result.shipments) == 2


def test_baselines_answer_under_the_same_interface():
    # S1's lane is the cheapest (nearest): greedy takes it, RDC-first still prefers the RDC
    prob = problem([order("o1", ("a", 1))], [STORE, STORE2, RDC], {("S1", "a"): 1, ("R1", "a"): 1},
                   [[500], [1000], [700]], P)
    assert shipped(solve(prob, GreedyAllocator())) == {"o1": ["S1"]}
    assert shipped(solve(prob, RdcFirstAllocator())) == {"o1": ["R1"]}


def test_real_time_path_agrees_with_the_batch_and_draws_stock_down():
    nodes = [STORE, STORE2, RDC]
    prob = problem([order("o1", ("a", 1))], nodes, {("S1", "a"): 1, ("S2", "a"): 1}, COST, P)
    rt = RealtimeAllocator(prob.nodes, prob.stock, prob.lanes)
    first = rt.allocate_order(order("o1", ("a", 1)))
    second = rt.allocate_order(order("o2", ("a", 1)))
    third = rt.allocate_order(order("o3", ("a", 1)))
    assert first.objective_fen == solve(prob).objective_fen
    assert [s.node_id for s in first.shipments + second.shipments] == ["S1", "S2"]
    assert third.backorders[0].reason == "no_stock" or third.backorders[0].reason == "capacity_exhausted"


def test_nodes_that_rejected_the_order_are_not_asked_again():
    prob = problem([order("o1", ("a", 1), excluded=frozenset({"S1"}))], [STORE, STORE2, RDC],
                   {("S1", "a"): 1, ("S2", "a"): 1}, COST, P)
    assert shipped(solve(prob)) == {"o1": ["S2"]}
