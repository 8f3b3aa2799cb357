"""The min-cost-flow path's lower bound (flow potentials, then raised prices) against the exact MIP."""
from __future__ import annotations

import time

import numpy as np
import pytest

from allocation.arc_model import build_arc_model, slots_from_solution, solve_arc_model
from allocation.bound import lagrangian_value
import allocation.decompose as decompose_module
from allocation.decompose import decompose
from allocation.greedy import greedy_slots
from allocation.prepare import prepare
from allocation.price_raise import raise_prices
from allocation.problem import AllocationProblem
from allocation.scoring import plan_cost
from allocation.synthetic import synthetic_network, synthetic_orders


def _instance(tight: bool, n_orders: int = 250, seed: int = 3):
    net = synthetic_network(seed=seed, n_stores=60, n_skus=300, n_cities=20, demand_units=int(n_orders * 1.6),
                            tight=tight)
    return AllocationProblem(synthetic_orders(net, n_orders, seed=seed + 1), net.nodes, net.stock, net.lanes)


def _exact(prep) -> float:
    model = build_arc_model(prep)
    sol = solve_arc_model(model, solver="scip", time_limit_s=60)
    assert sol.status == "optimal"
    return plan_cost(prep.sc, prep.orders, slots_from_solution(model, sol.x, len(prep.orders.item_qty)))[0]


@pytest.mark.parametrize("tight", [False, True])
def test_flow_path_bound_is_valid_and_its_answer_beats_greedy(tight, monkeypatch):
    monkeypatch.setattr(decompose_module, "MASTER_LOOK_MAX_ORDERS", -1)  # the flow path's own answer
    prep = prepare(_instance(tight))
    out = decompose(prep, time.perf_counter() + 30, flow_threshold=0)  # force the big-batch (flow) path
    assert "flow_orders" in out.stats
    exact = _exact(prep)
    cost = plan_cost(prep.sc, prep.orders, out.item_slot)[0]
    assert out.lower_bound <= exact + 1e-6
    assert exact <= cost + 1e-6
    assert cost <= plan_cost(prep.sc, prep.orders, greedy_slots(prep))[0] + 1e-6


@pytest.mark.parametrize("tight", [False, True])
def test_raised_prices_give_a_valid_bound_no_weaker_than_the_start(tight):
    prep = prepare(_instance(tight))
    res = prep.res
    # start from zero prices on every stock row the orders touch: rows only multi-line orders want
    # are exactly what the flow's potentials leave unpriced
    keys = np.unique(res.stock_key(0, np.maximum(prep.sc.nodes[prep.orders.item_order], 0),
                                   np.maximum(prep.orders.line_sku[prep.orders.item_line], 0)[:, None]))
    start, _ = lagrangian_value(prep, keys, np.zeros(len(keys)))
    value, new_keys, new_price, steps, priced = raise_prices(prep, keys, np.zeros(len(keys)), rounds=4)
    assert (new_price >= 0).all()
    assert value >= start - 1e-6
    again, plans = lagrangian_value(prep, new_keys, new_price)
    assert value == pytest.approx(again)
    assert np.array_equal(priced.value, plans.value)  # the plans returned are those at the prices returned
    assert value <= _exact(prep) + 1e-6
    if tight:
        assert steps >= 1 and value > start  # capacity binds: the step must find something to price


@pytest.mark.parametrize("tight", [False, True])
def test_ledger_reads_the_same_capacities_as_the_resources(tight):
    from allocation.sequential import Ledger

    prep = prepare(_instance(tight, n_orders=120))
    res, o, sc = prep.res, prep.orders, prep.sc
    at, slot = np.nonzero(np.isfinite(sc.item_cost))
    keys = np.unique(res.usage(sc, o, np.arange(len(at)), at, slot)[1])
    own = Ledger(prep)
    assert [own._capacity(int(k)) for k in keys] == res.capacity(keys).tolist()
    assert [Ledger(prep, res.capacity)._capacity(int(k)) for k in keys] == res.capacity(keys).tolist()


def test_row_capacities_read_in_bulk_and_one_at_a_time_agree_at_every_reserve_level():
    from dataclasses import replace

    res = prepare(_instance(True, n_orders=60)).res
    rng = np.random.default_rng(5)
    for levels in ([0], [0, 2, 5]):
        multi = replace(res, levels=np.array(levels, dtype=np.int64))
        n = multi.n_nodes
        keys = np.r_[np.arange(2 * n), 2 * n + rng.integers(0, len(levels) * n * multi.n_skus, 5000)]
        assert multi.capacity(keys).tolist() == [multi.row_capacity(int(k)) for k in keys]
        stock = keys[keys >= 2 * n] - 2 * n
        level, rest = np.divmod(stock, n * multi.n_skus)
        expected = np.maximum(res.net.atp[rest // multi.n_skus, rest % multi.n_skus] - np.array(levels)[level], 0)
        assert multi.capacity(keys[keys >= 2 * n]).tolist() == expected.tolist()
