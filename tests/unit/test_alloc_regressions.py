"""Small batches where the optimiser once ended worse than the greedy baseline, checked against the exact MIP."""
from __future__ import annotations

from allocation.arc_model import build_arc_model, slots_from_solution, solve_arc_model
from allocation.greedy import GreedyAllocator
from allocation.optimal import OptimalAllocator
from allocation.policy import RoutingPolicy
from allocation.prepare import prepare
from allocation.problem import NodeState
from allocation.scoring import plan_cost
from allocation.testing import order, problem

NO_STORE_SAFETY = RoutingPolicy(keep_store_safety_stock=False)


def node(node_id: str, kind: str, city: str, parcels: int = 0, picks: int = 0) -> NodeState:
    return NodeState(node_id, kind, city=city, remaining_parcels=parcels, remaining_pick_units=picks)


def exact_cost(prob) -> float:
    """Optimum of the line × node MIP over the same candidates (SCIP)."""
    prep = prepare(prob)
    model = build_arc_model(prep)
    solution = solve_arc_model(model, solver="scip", time_limit_s=30)
    assert solution.status == "optimal"
    return plan_cost(prep.sc, prep.orders, slots_from_solution(model, solution.x, len(prep.orders.item_qty)))[0]


def shipped(result) -> set[tuple[str, str, tuple]]:
    return {(s.order_id, s.node_id, s.lines) for s in result.shipments}


def backordered(result) -> set[tuple[str, str, int, str]]:
    return {(b.order_id, b.sku, b.quantity, b.reason) for b in result.backorders}


def test_capacity_left_after_rounding_ships_the_order_the_lp_backordered():
    # N0 has 2 parcels, 3 pick units, a×2 and c×1; b is stocked nowhere. The LP ships o2 and half of o1
    # (a×2) and backorders o0; rounding o1 down used to leave o0 backordered beside a free a, parcel and pick.
    nodes = [node("N0", "store", "B", parcels=2, picks=3), node("N1", "store", "A"), node("N2", "store", "B"),
             node("N3", "rdc", "A")]
    orders = [order("o0", ("a", 1)), order("o1", ("a", 2), minutes=1),
              order("o2", ("a", 1), ("b", 1), ("c", 1), minutes=2)]
    atp = {("N0", "a"): 2, ("N0", "b"): 0, ("N0", "c"): 1}
    prob = problem(orders, nodes, atp, [[300, 300]] * 4, [[0.0, 0.0]] * 4, policy=NO_STORE_SAFETY)

    result = OptimalAllocator().allocate(prob)

    # hand-checked: o0 4,100 + o2 (a, c) 4,300 + b 200,000 + o1 a×2 400,000 (shipping o1 and o2's c
    # instead costs the same: either way three units ship in two parcels)
    assert result.objective_fen == 608_400 == GreedyAllocator().allocate(prob).objective_fen
    assert shipped(result) == {("o0", "N0", (("o0-0", "a", 1),)),
                               ("o2", "N0", (("o2-0", "a", 1), ("o2-2", "c", 1)))}
    assert backordered(result) == {("o1", "a", 2, "capacity_exhausted"), ("o2", "b", 1, "no_stock")}
    assert result.lower_bound_fen <= result.objective_fen


def test_an_order_moved_aside_by_the_lp_returns_to_its_best_node_when_rounding_frees_it():
    # o0 is cheapest from N2 but N2 picks only two units; the LP moves o1 to N1 to make room,
    # then settles o0 on N1 after all: o1 must come back to N2.
    nodes = [node("N0", "store", "B"), node("N1", "store", "A", parcels=2, picks=3),
             node("N2", "store", "B", parcels=2, picks=2)]
    orders = [order("o0", ("b", 2), district=1), order("o1", ("b", 1), minutes=1), order("o2", ("a", 1), minutes=2)]
    atp = {("N1", "b"): 3, ("N2", "a"): 1, ("N2", "b"): 2}
    prob = problem(orders, nodes, atp, [[300, 300], [302, 300], [300, 301]], [[0.0, 0.0], [0.0, 0.0], [0.0, 1.0]],
                   policy=NO_STORE_SAFETY)

    result = OptimalAllocator().allocate(prob)

    assert result.objective_fen == exact_cost(prob) == 12_500
    assert ("o1", "N2", (("o1-0", "b", 1),)) in shipped(result)


def test_a_short_order_gets_units_an_order_outside_the_master_holds():
    nodes = [node("N0", "store", "B", parcels=3, picks=5), node("N1", "store", "A"), node("N2", "store", "B"),
             node("N3", "rdc", "A", parcels=2, picks=7)]
    orders = [order("o0", ("a", 1), district=1), order("o1", ("a", 2), ("b", 1), minutes=1),
              order("o2", ("a", 3), ("b", 3), ("c", 3), minutes=2), order("o3", ("a", 1), ("b", 1), minutes=3),
              order("o4", ("a", 1), ("b", 2), minutes=4)]
    atp = {("N0", "a"): 2, ("N0", "b"): 1, ("N0", "c"): 3, ("N3", "a"): 3, ("N3", "b"): 3, ("N3", "c"): 3}
    cost = [[300, 301], [300, 300], [300, 300], [300, 300]]
    p_within = [[0.0, 1.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    prob = problem(orders, nodes, atp, cost, p_within, safety={("N3", "a"): 1}, policy=NO_STORE_SAFETY)

    result = OptimalAllocator().allocate(prob)

    assert result.objective_fen == exact_cost(prob) == GreedyAllocator().allocate(prob).objective_fen


def test_a_split_line_takes_one_unit_from_each_of_three_stores():
    # every unit's best node is S1: seating the three parcels needs each one's third-best node too
    nodes = [NodeState(f"S{i}", "store", city="A") for i in (1, 2, 3)]
    atp = {("S1", "b"): 1, ("S2", "b"): 1, ("S3", "b"): 1}
    prob = problem([order("o1", ("b", 3), splittable=True)], nodes, atp, [[300], [400], [500]])

    result = OptimalAllocator().allocate(prob)

    assert sorted(s.node_id for s in result.shipments) == ["S1", "S2", "S3"]
    assert not result.backorders
    assert result.objective_fen == exact_cost(prob)


def test_a_line_no_node_stocks_does_not_hold_back_the_one_parcel_allowed():
    nodes = [NodeState("S1", "store", city="A")]
    prob = problem([order("o1", ("a", 1), ("b", 1))], nodes, {("S1", "a"): 1, ("S1", "b"): 0}, [[500]],
                   policy=RoutingPolicy(max_parcels_per_order=1))

    result = OptimalAllocator().allocate(prob)

    assert shipped(result) == {("o1", "S1", (("o1-0", "a", 1),))}
    assert backordered(result) == {("o1", "b", 1, "no_stock")}
