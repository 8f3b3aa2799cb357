"""The decomposition against an exact MIP of the same model, and the real network through the bridge."""
from __future__ import annotations

from datetime import timedelta

import pytest

from allocation.arc_model import build_arc_model, slots_from_solution, solve_arc_model
from allocation.optimal import OptimalAllocator
from allocation.prepare import prepare
from allocation.problem import AllocationProblem, LineToAllocate, OrderToAllocate
from allocation.scoring import plan_cost
from allocation.synthetic import synthetic_network, synthetic_orders


@pytest.mark.parametrize("tight", [False, True])
def test_decomposition_matches_the_exact_mip_and_its_bound_is_valid(tight):
    net = synthetic_network(seed=3, n_stores=60, n_skus=300, n_cities=20, demand_units=400, tight=tight)
    prob = AllocationProblem(synthetic_orders(net, 250, seed=4), net.nodes, net.stock, net.lanes)
    ours = OptimalAllocator().allocate(prob)
    prep = prepare(prob)
    exact = solve_arc_model(build_arc_model(prep), solver="scip", time_limit_s=60)
    assert exact.status == "optimal"
    exact_cost = plan_cost(prep.sc, prep.orders, slots_from_solution(build_arc_model(prep), exact.x,
                                                                     len(prep.orders.item_qty)))[0]
    assert ours.lower_bound_fen <= exact_cost + 1
    assert ours.objective_fen <= exact_cost * 1.005 + 1  # within 0.5% of the proven optimum (measured: 0.0%, 0.01%)


def test_real_network_plugs_in_through_the_bridge():
    pytest.importorskip("warehouses.transit_matrix")
    from allocation.network_bridge import TransitLanes, node_states, stock_of
    from warehouses.generator import generate_catalogue, generate_network
    from warehouses.stock import generate_stock
    from warehouses.transit_matrix import TransitMatrix

    network = generate_network(40, 1)
    catalogue = generate_catalogue(30, 1)
    matrix = TransitMatrix(network)
    lanes = TransitLanes(matrix)
    stock = stock_of(network, generate_stock(network, catalogue, 1))
    sku = next(s for s in stock.skus if stock.atp[:, stock.skus.index(s)].sum() > 5)
    store = network.stores[0]
    from allocation.testing import T0
    order = OrderToAllocate("o1", "tmall", (LineToAllocate("o1-0", sku, 1),), lanes.destination(store.adcode),
                            T0, T0 + timedelta(hours=24))
    prob = AllocationProblem((order,), node_states(network, matrix, T0), stock, lanes)
    result = OptimalAllocator().allocate(prob)
    assert len(result.shipments) == 1 and not result.backorders
    assert result.shipments[0].cost.shipping_fen == int(matrix.cost_fen[matrix.node_index(result.shipments[0].node_id),
                                                                         matrix.district_index(store.adcode)])
