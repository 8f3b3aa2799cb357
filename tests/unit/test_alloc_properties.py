"""Invariants every allocator keeps on any small random network (hypothesis)."""
from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation.greedy import GreedyAllocator
from allocation.optimal import OptimalAllocator
from allocation.policy import RoutingPolicy
from allocation.problem import NodeState
from allocation.rdc_first import RdcFirstAllocator
from allocation.testing import order, problem

SKUS = ("a", "b", "c")
KINDS = ("store", "store", "store", "rdc", "cloud")


@st.composite
def small_problems(draw):
    n_nodes = draw(st.integers(2, 5))
    nodes = [NodeState(f"N{i}", KINDS[i], city="A" if i % 2 else "B",
                       remaining_parcels=draw(st.integers(0, 4)), remaining_pick_units=draw(st.integers(0, 8)))
             for i in range(n_nodes)]
    atp = {(f"N{i}", s): draw(st.integers(0, 3)) for i in range(n_nodes) for s in SKUS}
    safety = {(f"N{i}", s): draw(st.integers(0, 1)) for i in range(n_nodes) for s in SKUS}
    orders = []
    for k in range(draw(st.integers(1, 6))):
        skus = draw(st.lists(st.sampled_from(SKUS), min_size=1, max_size=3, unique=True))
        lines = [(s, draw(st.integers(1, 3))) for s in skus]
        orders.append(order(f"o{k}", *lines, district=draw(st.integers(0, 1)), minutes=k,
                            splittable=draw(st.booleans())))
    cost = [[draw(st.integers(300, 2000)) for _ in range(2)] for _ in range(n_nodes)]
    p = [[draw(st.floats(0.0, 1.0)) for _ in range(2)] for _ in range(n_nodes)]
    policy = RoutingPolicy(keep_store_safety_stock=draw(st.booleans()), max_parcels_per_order=draw(st.integers(1, 3)))
    return problem(orders, nodes, atp, cost, p, safety=safety, policy=policy)


def _check(prob, result):
    usable = {}
    for i, nd in enumerate(prob.nodes):
        for j, sku in enumerate(prob.stock.skus):
            keep = nd.kind != "store" or prob.policy.keep_store_safety_stock
            usable[(nd.node_id, sku)] = max(int(prob.stock.atp[i, j]) - (int(prob.stock.safety[i, j]) if keep else 0), 0)
    shipped = Counter()
    parcels = Counter()
    picked = Counter()
    placed = Counter()
    for s in result.shipments:
        parcels[s.node_id] += 1
        for line_id, sku, qty in s.lines:
            shipped[(s.node_id, sku)] += qty
            picked[s.node_id] += qty
            placed[line_id] += qty
    for b in result.backorders:
        placed[b.line_id] += b.quantity
        assert b.reason
    # no node ships more than it may promise
    assert all(q <= usable[key] for key, q in shipped.items())
    nodes = {nd.node_id: nd for nd in prob.nodes}
    assert all(n <= nodes[k].remaining_parcels for k, n in parcels.items())
    assert all(n <= nodes[k].remaining_pick_units for k, n in picked.items())
    # no order is split into more parcels than the policy allows
    assert max(Counter(s.order_id for s in result.shipments).values(), default=0) <= prob.policy.max_parcels_per_order
    # every line's units are shipped or backordered, exactly
    assert placed == Counter({ln.line_id: ln.quantity for o in prob.orders for ln in o.lines})
    if result.lower_bound_fen is not None:
        assert result.lower_bound_fen <= result.objective_fen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_optimiser_respects_stock_capacity_and_places_every_unit(prob):
    _check(prob, OptimalAllocator().allocate(prob))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_baselines_respect_stock_capacity_and_place_every_unit(prob):
    _check(prob, GreedyAllocator().allocate(prob))
    _check(prob, RdcFirstAllocator().allocate(prob))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_optimiser_is_never_worse_than_greedy_by_more_than_its_gap(prob):
    best = OptimalAllocator().allocate(prob)
    greedy = GreedyAllocator().allocate(prob)
    assert best.objective_fen <= greedy.objective_fen + 1
