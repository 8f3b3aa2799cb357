"""The LP's own prices by rounds of the restricted master (`lp_prices`), reports read while the other core goes
on (`Aside.latest`), and the answer's looks at them (`decompose._look_while_aside`)."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

from allocation import aside as aside_mod
from allocation import aside_bound as aside_bound_mod
from allocation import columns as colmod
from allocation import decompose as decomp
from allocation import master
from allocation.aside import Aside
from allocation.bound import lagrangian_value
from allocation.batch import items_of
from allocation.big_batch import moves_to_plan
from allocation.fitting import SearchState, master_data, use_of
from allocation.flow import in_flow
from allocation.order_flow import order_flow_prices
from allocation.plans import price_orders
from allocation.lp_prices import LpPrices
from allocation.price_bundle import PriceBundle
from allocation.resources import overused_rows, values_at
from allocation.scoring import plan_cost
from tests.unit.test_alloc_bound import _exact
from tests.unit.test_alloc_price_bundle import _start, _without_the_ascent

two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs a second core")


@pytest.mark.parametrize("tight", [False, True])
def test_the_lp_rounds_give_an_exact_l_at_least_the_ascents_and_still_a_bound(tight):
    prep, alone, keys, lam = _start(tight)
    bundle = PriceBundle(prep, alone, keys, lam, keep_plans=True)
    bundle.run(time.perf_counter() + 60, steps=5)
    assert len(bundle.plans) == bundle.stats()["bundle_steps"] + 1  # the start and each step
    lp = LpPrices(prep, alone, bundle.plans, bundle.best)
    seen = []
    lp.run(time.perf_counter() + 60, rounds=4, on_round=seen.append)
    value, lp_keys, lp_lam = lp.best
    assert lp.stats()["lp_rounds"] == 4
    assert value == pytest.approx(lagrangian_value(prep, lp_keys, lp_lam)[0])  # exact L at the prices it gives
    assert bundle.best[0] <= value <= _exact(prep) + 1e-6
    assert len(seen) == 4 and [b[0] for b in seen] == sorted(b[0] for b in seen) and seen[-1][0] == value


def test_the_lp_rounds_stop_when_asked_or_out_of_time():
    prep, alone, keys, lam = _start(True)
    lp = LpPrices(prep, alone, [], (lagrangian_value(prep, keys, lam)[0], keys, lam))
    lp.run(time.perf_counter() + 60, stop=lambda: True)
    lp.run(time.perf_counter() - 1)
    assert lp.stats()["lp_rounds"] == 0 and lp.best[1] is keys


def _report_twice_then_sleep():
    aside_mod.report("first")
    time.sleep(0.5)
    aside_mod.report("second")
    time.sleep(30)
    return "late"


@two_cores
def test_the_parent_reads_reports_while_the_child_goes_on():
    job = Aside(_report_twice_then_sleep)
    waited, seen = time.perf_counter(), []
    while seen[-1:] != ["second"]:
        assert time.perf_counter() - waited < 20, "the child's reports never came"
        if job.wait_news(1.0) and job.latest() is not None:
            seen.append(job.latest())
    assert seen[0] == "first" and job.running  # read without stopping it
    assert not job.wait_news(0.1)  # nothing newer
    started = time.perf_counter()
    assert job.result(20) == "second" and not job.running
    assert time.perf_counter() - started < 5


@two_cores
def test_the_answer_looks_at_the_prices_the_other_core_finds_and_only_gains(monkeypatch):
    prep, without = _without_the_ascent(monkeypatch)
    sc, o = prep.sc, prep.orders
    monkeypatch.setattr(aside_bound_mod, "LP_MAX_ORDERS", 10**9)  # the LP rounds on the other core
    monkeypatch.setattr(decomp, "BOUND_GOAL_GAP", 0.0)  # until the deadline
    monkeypatch.setattr(decomp, "LOOK_RISE", 0.0)  # a look at every better bound
    out = decomp.decompose(prep, time.perf_counter() + 12, flow_threshold=0)
    assert "aside_looks" not in without.stats and "lp_rounds" not in without.stats
    assert out.stats["lp_rounds"] >= 1 and out.stats["aside_looks"] >= 1  # the child's LP, the parent's looks
    cost, before = plan_cost(sc, o, out.item_slot)[0], plan_cost(sc, o, without.item_slot)[0]
    assert without.lower_bound - 1e-6 <= out.lower_bound <= _exact(prep) + 1e-6
    assert cost <= before + 1e-6
    _, keys, amt = use_of(prep, out.item_slot)
    assert not len(overused_rows(prep.res, keys, amt)[0])


def test_without_pdlp_the_start_stays(monkeypatch):
    from allocation import lp_prices

    def missing(*args, **kwargs):
        raise RuntimeError("OR-Tools solver 'pdlp' is not available")

    prep, alone, keys, lam = _start(True)
    monkeypatch.setattr(lp_prices, "solve_lp_from", missing)
    start = (lagrangian_value(prep, keys, lam)[0], keys, lam)
    lp = LpPrices(prep, alone, [], start)
    lp.run(time.perf_counter() + 60)
    assert lp.best is start and lp.stats()["lp_rounds"] == 0


def test_a_round_starts_from_the_last_rounds_lp_and_still_solves_the_new_one(monkeypatch):
    prep, alone, keys, lam = _start(True)
    o, every = prep.orders, np.arange(prep.orders.n_orders)
    cols, data = master_data(prep, colmod.concat(colmod.from_item_slots(o, every, alone.item_slot),
                                                  colmod.backorder_all(o, every)))
    first = master.solve_lp_from(data, prep.res.capacity, 60, 1e-7)
    assert first.solution.objective == pytest.approx(master.solve_lp(data, prep.res.capacity, 60).solution.objective,
                                                     rel=1e-5)
    on = first.row_price > 1e-9
    priced = lagrangian_value(prep, first.row_keys[on], first.row_price[on], alone)[1]
    more, data2 = master_data(prep, colmod.concat(cols, colmod.from_item_slots(o, every, priced.item_slot)))
    assert more.n > cols.n
    starts = []
    real = master.solve_pdlp
    monkeypatch.setattr(master, "solve_pdlp", lambda *a: starts.append(a[-1]) or real(*a))
    second = master.solve_lp_from(data2, prep.res.capacity, 60, 1e-7, start=first)
    x, duals = starts[0]
    assert np.array_equal(x[: cols.n], first.solution.x) and not x[cols.n:].any()  # new columns start at 0
    assert np.allclose(duals[: len(first.orders)], first.order_dual)
    assert second.solution.objective == pytest.approx(master.solve_lp(data2, prep.res.capacity, 60).solution.objective,
                                                      rel=1e-5)
    assert second.solution.objective <= first.solution.objective + 1e-3 * abs(first.solution.objective)


def test_a_start_is_matched_by_key():  # `values_at`, which the LP rounds start from
    got = values_at(np.array([1, 5, 9, 10]), np.array([2, 5, 9]), np.array([20.0, 50.0, 90.0]))
    assert got.tolist() == [0.0, 50.0, 90.0, 0.0]
    assert values_at(np.array([3]), np.array([], dtype=np.int64), np.array([])).tolist() == [0.0]


def test_a_look_at_the_lps_plan_moves_multi_line_orders_to_it_within_capacity(monkeypatch):
    prep, without = _without_the_ascent(monkeypatch)
    o = prep.orders
    alone = price_orders(prep.sc, o, prep.sc.fixed, prep.sc.item_cost)
    keys, lam, _ = order_flow_prices(prep, alone)
    lp = LpPrices(prep, alone, [], (lagrangian_value(prep, keys, lam, alone)[0], keys, lam))
    lp.run(time.perf_counter() + 60, rounds=4)
    assert lp.plan is not None and lp.best[0] > lagrangian_value(prep, keys, lam, alone)[0]
    state = SearchState(without.item_slot.copy(), lp.best[0], lp.best[1], lp.best[2], alone, lp.plan)
    moved = moves_to_plan(prep, state)
    _, used_keys, amt = use_of(prep, moved)
    assert not len(overused_rows(prep.res, used_keys, amt)[0])
    multi = np.ones(o.n_orders, dtype=bool)
    multi[in_flow(prep, alone.item_slot)] = False
    items = items_of(o, np.flatnonzero(multi))
    was, now = (lp.plan[items] == without.item_slot[items]), (lp.plan[items] == moved[items])
    assert now.sum() > was.sum()  # multi-line orders took their LP plan
    settled = SearchState(moved, lp.best[0], lp.best[1], lp.best[2], alone, moved)
    assert moves_to_plan(prep, settled) is None  # every order at its plan already: nothing moves


def test_bigger_batches_go_on_to_the_lp_rounds_when_the_time_limit_allows_for_their_size(monkeypatch):
    prep = _start(True)[0]
    n = prep.orders.n_orders
    assert aside_bound_mod.goes_on_to_lp(prep, 0.0)  # small enough whatever the time
    monkeypatch.setattr(aside_bound_mod, "LP_MAX_ORDERS", n - 1)
    per_order = aside_bound_mod.LP_S_PER_ORDER
    assert not aside_bound_mod.goes_on_to_lp(prep, 0.9 * per_order * n)
    assert aside_bound_mod.goes_on_to_lp(prep, per_order * n)
