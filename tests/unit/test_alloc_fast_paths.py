"""The engine's fast paths give exactly what the plain computation they replace gives."""
from __future__ import annotations

import gc
from dataclasses import replace

import numpy as np
import pytest

from allocation import candidates, fitting
from allocation.bound import lagrangian_value
from allocation.collector import collector_paused
from allocation.columns import priced_costs
from allocation.cut_bound import _rows_of
from allocation.explain import parcels_of
from allocation.extract import _parcel_lines
from allocation.fitting import _used_at
from allocation.flow import MAX_BF_ROUNDS, _potentials
from allocation.greedy import greedy_slots
from allocation.plans import price_orders
from allocation.policy import ChannelPolicy, RoutingPolicy
from allocation.prepare import prepare
from allocation.scoring import cheapest_slots
from tests.unit.test_alloc_bound import _instance


def _with_store_reserve():
    """A batch whose mini-program orders may not touch the last 2 units of a store's SKU."""
    problem = _instance(True)
    policy = RoutingPolicy(channels={"mini_program": ChannelPolicy(store_safety_units=2)})
    return prepare(replace(problem, policy=policy))


def _stock_keys(prep, rng, n):
    """n distinct stock rows (every reserve level) of nodes and SKUs the batch's items may use."""
    res, o = prep.res, prep.orders
    node = np.maximum(prep.sc.nodes[o.item_order], 0).ravel()
    sku = np.repeat(np.maximum(o.line_sku[o.item_line], 0), prep.sc.nodes.shape[1])
    level = rng.integers(0, len(res.levels), len(node))
    return np.unique(rng.choice(res.stock_key(level, node, sku), n, replace=False))


def test_priced_costs_add_each_rows_price_where_an_item_draws_on_it():
    prep = _with_store_reserve()
    sc, o, res = prep.sc, prep.orders, prep.res
    assert len(res.levels) > 1
    rng = np.random.default_rng(0)
    keys = np.r_[res.parcel_key(np.arange(3)), res.pick_key(np.arange(2)), _stock_keys(prep, rng, 200)]
    lam = rng.uniform(1.0, 50.0, len(keys))
    fixed, item_cost = priced_costs(res, sc, o, keys, lam)
    price_of = dict(zip(keys.tolist(), lam.tolist()))
    nd = np.maximum(sc.nodes, 0)
    want_fixed = sc.fixed + np.vectorize(lambda n: price_of.get(int(res.parcel_key(n)), 0.0))(nd)
    assert np.array_equal(fixed, want_fixed)
    want = sc.item_cost.copy()
    for i in range(len(o.item_qty)):
        for k in range(nd.shape[1]):
            node, sku, qty = nd[o.item_order[i], k], max(o.line_sku[o.item_line[i]], 0), o.item_qty[i]
            want[i, k] += price_of.get(int(res.pick_key(node)), 0.0) * qty
            for li, level in enumerate(res.levels):
                if level == 0 or (prep.net.kind[node] == 0 and sc.reserve[o.item_order[i]] >= level):
                    want[i, k] += price_of.get(int(res.stock_key(li, node, sku)), 0.0) * qty
    assert np.array_equal(item_cost, want)


def test_l_priced_again_only_where_prices_touch_equals_l_priced_from_scratch():
    prep = _with_store_reserve()
    alone = price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost)
    rng = np.random.default_rng(1)
    keys = _stock_keys(prep, rng, 30)
    lam = rng.uniform(100.0, 5000.0, len(keys))
    full, plans = lagrangian_value(prep, keys, lam)
    quick, quick_plans = lagrangian_value(prep, keys, lam, alone)
    assert quick == full
    for got, want in ((quick_plans.value, plans.value), (quick_plans.bound, plans.bound),
                      (quick_plans.item_slot, plans.item_slot)):
        assert np.array_equal(got, want)


@pytest.mark.parametrize("share", [1, 10**9])  # a table of every row, and binary search
def test_used_amounts_read_the_same_from_a_table_or_by_search(monkeypatch, share):
    prep = _with_store_reserve()
    owner, keys, amt = fitting.use_of(prep, greedy_slots(prep))
    monkeypatch.setattr(fitting, "DENSE_USE_SHARE", share)
    used = _used_at(prep.res, keys, amt)
    nodes = np.arange(prep.res.n_nodes)
    asked = np.r_[keys[:50], _stock_keys(prep, np.random.default_rng(4), 50), prep.res.pick_key(nodes)]
    want = {k: 0.0 for k in asked.tolist()}
    for k, a in zip(keys.tolist(), amt.tolist()):
        if k in want:
            want[k] += a
    assert used(asked).tolist() == [want[k] for k in asked.tolist()]


@pytest.mark.parametrize("rows", [1, 7, 4096])
@pytest.mark.parametrize("sku_major", [False, True])
def test_availability_read_in_chunks_and_either_layout_is_the_plain_lookup(monkeypatch, rows, sku_major):
    prep = _with_store_reserve()
    net, o = prep.net, prep.orders
    item_nodes = prep.sc.nodes[o.item_order]
    monkeypatch.setattr(candidates, "ATP_ROWS_PER_READ", rows)
    monkeypatch.setattr(candidates, "SKU_MAJOR_AT", 10**9 if sku_major else 0)
    got = candidates.item_availability(net, o, prep.sc.reserve, item_nodes)
    sku = o.line_sku[o.item_line][:, None]
    nd = np.maximum(item_nodes, 0)
    held_back = np.where(net.kind[nd] == 0, prep.sc.reserve[o.item_order][:, None], 0)
    want = net.atp[nd, np.maximum(sku, 0)] - held_back
    assert np.array_equal(got, np.where((item_nodes >= 0) & (sku >= 0), want, 0))


def test_stock_rows_of_node_sku_pairs_match_a_sorted_unique():
    prep = prepare(_instance(False))
    rng = np.random.default_rng(2)
    node = rng.integers(0, prep.res.n_nodes, 500)
    sku = rng.integers(0, prep.res.n_skus, 500)
    keys, row_of = _rows_of(prep.res, node, sku)
    want_keys, want_row = np.unique(prep.res.stock_key(0, node, sku), return_inverse=True)
    assert np.array_equal(keys, want_keys) and np.array_equal(row_of, want_row)


def _potentials_every_arc(tail, head, cost, n):
    dist = np.zeros(n)
    for _ in range(MAX_BF_ROUNDS):
        new = dist.copy()
        np.minimum.at(new, head, dist[tail] + cost)
        if np.array_equal(new, dist):
            break
        dist = new
    return dist


def test_potentials_relaxing_only_arcs_out_of_nodes_that_just_fell_match_relaxing_every_arc():
    rng = np.random.default_rng(3)
    n = 300
    tail, head = rng.integers(0, n, 3000), rng.integers(0, n, 3000)
    level = rng.integers(0, 50, n).astype(float)  # costs with potentials: no negative cycle
    cost = rng.integers(0, 20, 3000) + level[head] - level[tail]
    assert np.array_equal(_potentials(tail, head, cost, n), _potentials_every_arc(tail, head, cost, n))


def test_cheapest_slots_are_a_stable_sorts_first_columns_and_say_which_exist():
    total = np.array([[3.0, 1.0, np.inf, 1.0], [np.inf, np.inf, 2.0, np.inf], [np.inf] * 4])
    best, ok = cheapest_slots(total, 3)
    assert best[0].tolist() == [1, 3, 0] and ok[0].tolist() == [True, True, True]
    assert best[1, 0] == 2 and ok[1].tolist() == [True, False, False]
    assert not ok[2].any()


def test_parcel_lines_sum_each_lines_units_in_line_order():
    prep = prepare(_instance(True))
    o = prep.orders
    parcels = parcels_of(prep, greedy_slots(prep))
    got = _parcel_lines(prep, parcels)
    for p in range(len(parcels.order)):
        qty: dict[int, int] = {}
        for i in parcels.item[parcels.start[p]:parcels.start[p + 1]].tolist():
            qty[int(o.item_line[i])] = qty.get(int(o.item_line[i]), 0) + int(o.item_qty[i])
        assert got[p] == tuple((o.line_id[li], o.line_sku_name[li], q) for li, q in qty.items())


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("freeze", [True, False])
def test_a_paused_collector_comes_back_as_it_was(enabled, freeze):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with collector_paused(freeze=freeze):
            assert not gc.isenabled() and (gc.get_freeze_count() > 0) == freeze
        assert gc.isenabled() == enabled and gc.get_freeze_count() == 0
    finally:
        gc.enable() if was else gc.disable()
