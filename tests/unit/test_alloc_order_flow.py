"""The bound worked out on the other core (`order_flow`, `aside_bound`) and the runner it uses (`aside`)."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

from allocation import decompose as decomp
from allocation import aside as aside_mod
from allocation.aside import Aside
from allocation.aside_bound import _higher_price, aside_bound
from allocation.bound import lagrangian_value
from allocation.cut_bound import cut_prices
from allocation.fitting import use_of
from allocation.order_flow import order_flow_prices
from allocation.plans import price_orders
from allocation.prepare import prepare
from allocation.resources import overused_rows
from allocation.scoring import plan_cost, whole_order_costs
from tests.unit.test_alloc_bound import _exact, _instance
from tests.unit.test_alloc_price_bundle import no_lp_rounds


@pytest.mark.parametrize("tight", [False, True])
def test_order_flow_prices_give_a_valid_bound(tight):
    prep = prepare(_instance(tight))
    alone = price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost)
    keys, lam, stats = order_flow_prices(prep, alone)
    assert (lam > 0).all() and len(keys) == len(lam)
    assert stats["order_flow_units"] > 0
    exact = _exact(prep)
    value, keys2, lam2, st, plan = aside_bound(prep, alone, time.perf_counter() + 30)
    assert plan is None or plan.shape == prep.orders.item_qty.shape  # the LP's plan, when its rounds gave the prices
    assert lagrangian_value(prep, keys, lam)[0] <= value <= exact + 1e-6
    assert value == pytest.approx(lagrangian_value(prep, keys2, lam2)[0])
    assert value >= max(st["cut_bound_fen"] or -np.inf, st["order_flow_raised_bound_fen"],
                        st.get("higher_of_both_bound_fen", -np.inf)) - 1


def test_the_higher_of_two_prices_is_taken_row_by_row_and_gives_a_valid_bound():
    keys, lam = _higher_price((np.array([3, 7]), np.array([2.0, 5.0])), (np.array([1, 7]), np.array([4.0, 1.0])))
    assert keys.tolist() == [1, 3, 7] and lam.tolist() == [4.0, 2.0, 5.0]
    prep = prepare(_instance(True))
    prep.net.atp //= 3  # stock short: the cut forces backorders
    alone = price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost)
    cut_keys, cut_lam, forced = cut_prices(prep)
    flow_keys, flow_lam, _ = order_flow_prices(prep, alone)
    assert forced > 0
    both = _higher_price((cut_keys, cut_lam), (flow_keys, flow_lam))
    assert lagrangian_value(prep, *both)[0] <= _exact(prep) + 1e-6


def test_whole_order_cost_is_the_parcel_and_every_item_at_one_node():
    prep = prepare(_instance(False, n_orders=60))
    sc, o = prep.sc, prep.orders
    whole = whole_order_costs(sc, o)
    for order in range(o.n_orders):
        items = range(o.order_item_start[order], o.order_item_start[order + 1])
        expected = sc.fixed[order] + sum(sc.item_cost[i] for i in items)
        assert np.array_equal(np.isinf(whole[order]), np.isinf(expected))
        ok = np.isfinite(expected)
        assert np.allclose(whole[order, ok], expected[ok])


def test_a_big_batch_takes_its_bound_from_the_other_core(monkeypatch):
    prep = prepare(_instance(False))
    monkeypatch.setattr(decomp, "DELEGATE_MIN_ORDERS", 1)
    out = decomp.decompose(prep, time.perf_counter() + 30, flow_threshold=0)
    if (os.cpu_count() or 1) >= 2:
        assert "order_flow_bound_fen" in out.stats and "aside_wait_s" in out.stats
        assert out.lower_bound >= out.stats["aside_bound_fen"] - 1
    assert out.lower_bound <= plan_cost(prep.sc, prep.orders, out.item_slot)[0] + 1e-6


def test_without_the_other_cores_bound_the_cut_is_worked_out_here(monkeypatch):
    prep = prepare(_instance(True))
    prep.net.atp //= 3  # stock short: the cut forces backorders
    monkeypatch.setattr(decomp, "DELEGATE_MIN_ORDERS", 1)
    monkeypatch.setattr(Aside, "result", lambda self, timeout: None)  # started, but no answer came
    out = decomp.decompose(prep, time.perf_counter() + 30, flow_threshold=0)
    assert out.stats["forced_backorder_units"] > 0 and out.lower_bound >= out.stats["cut_bound_fen"] - 1
    assert out.lower_bound <= plan_cost(prep.sc, prep.orders, out.item_slot)[0] + 1e-6


def _wait_for_stop():
    started = time.perf_counter()
    while not aside_mod.stop_requested():
        if time.perf_counter() - started > 20:
            return "never asked"
        time.sleep(0.01)
    return "asked"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs a second core")
def test_the_child_sees_when_the_parent_wants_its_result():
    assert not aside_mod.stop_requested()  # never in the parent
    assert Aside(_wait_for_stop).result(30) == "asked"


def _add(a, b):
    return a + b


def _boom():
    raise RuntimeError("no")


def _slow():
    time.sleep(30)
    return 1


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs a second core")
def test_aside_returns_the_childs_result_and_none_when_it_fails_or_is_late():
    assert Aside(_add, np.arange(3), 1).result(30).tolist() == [1, 2, 3]
    assert Aside(_boom).result(30) is None
    late = Aside(_slow)
    started = time.perf_counter()
    assert late.result(0.2) is None
    assert time.perf_counter() - started < 5  # the late child is stopped, not waited for
    assert late.result(1) is None  # collected once


def test_aside_does_not_start_without_a_second_core(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    aside = Aside(_add, 1, 2)
    assert not aside.started and aside.result(1) is None


def test_a_smaller_big_batch_keeps_the_better_of_its_own_bound_and_the_other_cores(monkeypatch):
    prep = prepare(_instance(True))
    monkeypatch.setattr(decomp, "DELEGATE_MIN_ORDERS", 10**9)  # the parent works out its own bounds too
    out = decomp.decompose(prep, time.perf_counter() + 30, flow_threshold=0)
    if (os.cpu_count() or 1) >= 2:
        assert out.lower_bound >= out.stats["aside_bound_fen"] - 1
    assert out.lower_bound <= _exact(prep) + 1e-6


class _InlineAside:
    """`Aside` done in this process before going on: the other core's work, 1 s of it, whatever the load."""

    started, running = True, False

    def __init__(self, fn, prep, alone, deadline, *rest):
        self._out = fn(prep, alone, time.perf_counter() + 1.0, *rest)

    def result(self, timeout: float):
        return self._out


def test_a_second_look_at_the_bounds_prices_is_kept_only_when_cheaper(monkeypatch):
    prep = prepare(_instance(True, seed=4))
    monkeypatch.setattr(decomp, "DELEGATE_MIN_ORDERS", 10**9)
    monkeypatch.setattr(decomp, "MASTER_LOOK_MAX_ORDERS", -1)  # the flow's answer, looked at again
    monkeypatch.setattr(decomp, "BOUND_GOAL_GAP", float("inf"))  # once, at the other core's prices
    no_lp_rounds(monkeypatch)
    monkeypatch.setattr(decomp, "Aside", _InlineAside)  # the same prices whatever the load on the other core
    monkeypatch.setattr(decomp, "SECOND_LOOK_MIN_GAP", float("inf"))  # never
    without = decomp.decompose(prep, time.perf_counter() + 30, flow_threshold=0)
    monkeypatch.setattr(decomp, "SECOND_LOOK_MIN_GAP", 0.0)  # always
    out = decomp.decompose(prep, time.perf_counter() + 30, flow_threshold=0)
    assert "second_look_s" in out.stats and "second_look_s" not in without.stats
    assert out.stats["second_look_gain_fen"] > 0  # this batch gains from it
    cost = plan_cost(prep.sc, prep.orders, out.item_slot)[0]
    gain = out.stats["second_look_gain_fen"]
    assert cost == pytest.approx(plan_cost(prep.sc, prep.orders, without.item_slot)[0] - gain, abs=1)
    _, keys, amt = use_of(prep, out.item_slot)
    assert not len(overused_rows(prep.res, keys, amt)[0])
    assert out.lower_bound <= cost + 1e-6


def test_a_batch_just_past_the_flows_threshold_keeps_the_masters_answer_when_cheaper(monkeypatch):
    prep = prepare(_instance(True, seed=4))
    sc, o = prep.sc, prep.orders
    monkeypatch.setattr(decomp, "DELEGATE_MIN_ORDERS", 10**9)
    monkeypatch.setattr(decomp, "SECOND_LOOK_MIN_GAP", float("inf"))
    monkeypatch.setattr(decomp, "BOUND_GOAL_GAP", float("inf"))  # nor the looks after it
    monkeypatch.setattr(decomp, "MASTER_LOOK_MAX_ORDERS", -1)  # the flow alone
    flow_only = decomp.decompose(prep, time.perf_counter() + 30, flow_threshold=0)
    monkeypatch.setattr(decomp, "MASTER_LOOK_MAX_ORDERS", 10**9)
    out = decomp.decompose(prep, time.perf_counter() + 30, flow_threshold=0)
    assert "master_look_s" in out.stats and "master_look_s" not in flow_only.stats
    cost, before = plan_cost(sc, o, out.item_slot)[0], plan_cost(sc, o, flow_only.item_slot)[0]
    assert out.stats["master_look_gain_fen"] > 0  # on this batch the master finds a cheaper answer
    assert cost == pytest.approx(before - out.stats["master_look_gain_fen"], abs=1)
    assert flow_only.lower_bound - 1e-6 <= out.lower_bound <= cost + 1e-6
    _, keys, amt = use_of(prep, out.item_slot)
    assert not len(overused_rows(prep.res, keys, amt)[0])
    monkeypatch.setattr(decomp, "MASTER_LOOK_MIN_S", 10**9)  # no time for it: the flow's answer stays
    late = decomp.decompose(prep, time.perf_counter() + 30, flow_threshold=0)
    assert "master_look_s" not in late.stats and plan_cost(sc, o, late.item_slot)[0] == pytest.approx(before, abs=1)
