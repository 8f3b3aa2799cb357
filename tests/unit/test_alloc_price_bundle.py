"""The bound's ascent by cuts in a box (`price_bundle`), what it gives the finish, and progress reports
from the other core (`aside.report`)."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

from allocation import aside as aside_mod
from allocation import aside_bound as aside_bound_mod
from allocation import decompose as decomp
from allocation.aside import Aside
from allocation.bound import lagrangian_value
from allocation.fitting import use_of
from allocation.order_flow import order_flow_prices
from allocation.plans import price_orders
from allocation.prepare import prepare
from allocation.price_bundle import PriceBundle
from allocation.price_raise import raise_prices
from allocation.resources import overused_rows
from allocation.scoring import plan_cost
from tests.unit.test_alloc_bound import _exact, _instance


def _ascent(prep, alone, keys, lam, deadline: float):
    """(best L, its keys, its prices, statistics) of an ascent from `keys`/`lam` run until `deadline`."""
    bundle = PriceBundle(prep, alone, keys, lam)
    bundle.run(deadline)
    return (*bundle.best, bundle.stats())


def _start(tight: bool):
    prep = prepare(_instance(tight))
    alone = price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost)
    keys, lam, _ = order_flow_prices(prep, alone)
    return prep, alone, keys, lam


@pytest.mark.parametrize("tight", [False, True])
def test_the_ascent_gives_a_valid_bound_above_where_the_raising_steps_stop(tight):
    prep, alone, keys, lam = _start(tight)
    raised, r_keys, r_lam, _, _ = raise_prices(prep, keys, lam, rounds=12, alone=alone)
    bundle = PriceBundle(prep, alone, r_keys, r_lam)
    bundle.run(time.perf_counter() + 60, steps=40)
    value, b_keys, b_lam = bundle.best
    assert (b_lam >= 0).all() and len(b_keys) == len(b_lam)
    assert value == pytest.approx(lagrangian_value(prep, b_keys, b_lam)[0])  # exact L at the prices it gives
    assert raised < value <= _exact(prep) + 1e-6  # higher than the raising steps reach, and still a bound
    assert bundle.stats()["bundle_steps"] <= 40


def test_every_cut_lies_above_the_lagrangian_and_touches_it_where_it_was_taken():
    prep, alone, keys, lam = _start(True)
    bundle = PriceBundle(prep, alone, keys, lam)
    bundle.run(time.perf_counter() + 60, steps=10)
    cuts, rng = bundle._cuts, np.random.default_rng(0)
    for _ in range(5):
        mu = rng.uniform(0, 3 * lam.max(), len(cuts.rows)) * (rng.random(len(cuts.rows)) < 0.3)
        on = mu > 0
        assert cuts.model_at(mu) >= lagrangian_value(prep, cuts.rows[on], mu[on])[0] - 1e-6
    at = np.zeros(len(cuts.rows))
    at[np.searchsorted(cuts.rows, keys)] = lam
    assert (prep.orders.n_items_per_order <= 6).all()  # every order priced exactly: a cut's value there is L's
    assert cuts.model_at(at) == pytest.approx(lagrangian_value(prep, keys, lam)[0])


def test_the_ascent_resumes_and_stops_when_asked():
    prep, alone, keys, lam = _start(True)
    bundle = PriceBundle(prep, alone, keys, lam)
    start = bundle.best[0]
    bundle.run(time.perf_counter() + 60, stop=lambda best: best > start)  # stops once it rose at all
    first = bundle.stats()["bundle_steps"]
    assert bundle.best[0] > start and first >= 1
    bundle.run(time.perf_counter() + 60, steps=5)
    assert bundle.stats()["bundle_steps"] == first + 5 or bundle.done
    seen = []
    value, _, _, stats = _ascent(prep, alone, keys, lam, time.perf_counter() - 1)  # no time: the start
    assert value == pytest.approx(start) and stats["bundle_steps"] == 0
    bundle.run(time.perf_counter() + 60, steps=5, on_better=seen.append)
    assert all(b[0] <= bundle.best[0] for b in seen)


def no_lp_rounds(monkeypatch) -> None:
    """The other core never goes on to the LP rounds, whatever the batch's size and the time limit."""
    monkeypatch.setattr(aside_bound_mod, "LP_MAX_ORDERS", -1)
    monkeypatch.setattr(aside_bound_mod, "LP_S_PER_ORDER", float("inf"))


def _without_the_ascent(monkeypatch):
    """A flow-path batch, and its answer where the time left does not raise the bound."""
    prep = prepare(_instance(True, seed=4))
    monkeypatch.setattr(decomp, "DELEGATE_MIN_ORDERS", 10**9)
    monkeypatch.setattr(decomp, "MASTER_LOOK_MAX_ORDERS", -1)
    no_lp_rounds(monkeypatch)  # the ascent here, not the LP rounds on the other core
    monkeypatch.setattr(decomp, "BOUND_GOAL_GAP", float("inf"))  # never
    return prep, decomp.decompose(prep, time.perf_counter() + 30, flow_threshold=0)


def test_the_time_left_raises_the_bound_and_a_look_at_its_prices_only_lowers_the_cost(monkeypatch):
    prep, without = _without_the_ascent(monkeypatch)
    sc, o = prep.sc, prep.orders
    monkeypatch.setattr(decomp, "BOUND_GOAL_GAP", 0.0)  # until the deadline or the ascent converges
    out = decomp.decompose(prep, time.perf_counter() + 12, flow_threshold=0)
    assert "bundle_bound_fen" not in without.stats and out.stats["bundle_bound_fen"] > 0  # the ascent here ran
    assert out.stats["bundle_looks"] >= 1  # with a goal of 0, the looks happen however near the bound is
    cost, before = plan_cost(sc, o, out.item_slot)[0], plan_cost(sc, o, without.item_slot)[0]
    assert out.lower_bound >= without.lower_bound - 1e-6 and out.lower_bound <= cost + 1e-6
    assert cost <= before + 1e-6
    _, keys, amt = use_of(prep, out.item_slot)
    assert not len(overused_rows(prep.res, keys, amt)[0])


def test_the_ascent_stops_once_the_gap_is_within_the_goal(monkeypatch):
    prep = prepare(_instance(True, seed=4))
    monkeypatch.setattr(decomp, "DELEGATE_MIN_ORDERS", 10**9)
    monkeypatch.setattr(decomp, "MASTER_LOOK_MAX_ORDERS", -1)
    no_lp_rounds(monkeypatch)
    out = decomp.decompose(prep, time.perf_counter() + 30, flow_threshold=0, gap_goal=0.5)  # any bound above
    assert "bundle_bound_fen" not in out.stats  # half the cost will do, and this one was within it already


def _report_then_sleep():
    aside_mod.report(np.arange(100_000))  # bigger than a pipe holds: the child must not wait for the parent
    aside_mod.report(np.arange(3))
    time.sleep(30)
    return "late"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs a second core")
def test_the_parent_takes_the_last_report_without_waiting_for_the_end():
    job = Aside(_report_then_sleep)
    waited = time.perf_counter()
    while not (isinstance(job._latest, aside_mod._Report) and len(job._latest.out) == 3):
        assert time.perf_counter() - waited < 20, "the child's reports never came"
        time.sleep(0.02)  # both reports read by the parent's thread while the child sleeps
    started = time.perf_counter()
    assert job.result(20).tolist() == [0, 1, 2]
    assert time.perf_counter() - started < 5
    assert not aside_mod.stop_requested()  # never in the parent


def test_a_solver_that_is_missing_or_fails_is_passed_over_and_with_none_the_start_stays(monkeypatch):
    from allocation import price_bundle

    prep, alone, keys, lam = _start(True)
    monkeypatch.setattr(price_bundle, "LP_SOLVERS", (("no_such_solver", ""), ("glop", "")))
    value, _, _, stats = _ascent(prep, alone, keys, lam, time.perf_counter() + 60)
    start = lagrangian_value(prep, keys, lam)[0]
    assert value > start and stats["bundle_steps"] >= 1
    monkeypatch.setattr(price_bundle, "LP_SOLVERS", (("no_such_solver", ""),))
    value, _, _, stats = _ascent(prep, alone, keys, lam, time.perf_counter() + 60)
    assert value == pytest.approx(start) and stats["bundle_steps"] == 0


def test_the_ascent_takes_unsorted_and_repeated_rows_and_stops_where_nothing_is_over_demanded():
    prep, alone, keys, lam = _start(True)
    shuffled = np.random.default_rng(2).permutation(len(keys))
    twice = np.r_[keys[shuffled], keys[:3]]  # the first three rows priced twice: L counts both prices
    prices = np.r_[lam[shuffled] / 2, lam[:3]]
    bundle = PriceBundle(prep, alone, twice, prices)
    assert bundle.best[0] == pytest.approx(lagrangian_value(prep, twice, prices)[0])
    bundle.run(time.perf_counter() + 60, steps=5)
    assert bundle.best[0] == pytest.approx(lagrangian_value(prep, bundle.best[1], bundle.best[2])[0])
    loose = prepare(_instance(False, n_orders=20))
    for cap in (loose.net.parcel_cap, loose.net.pick_cap, loose.net.atp):
        cap *= 100  # no row over-demanded at L(0)
    free = price_orders(loose.sc, loose.orders, loose.sc.fixed, loose.sc.item_cost)
    _, keys0, amt0 = use_of(loose, free.item_slot)
    assert not len(overused_rows(loose.res, keys0, amt0)[0])
    value, _, _, stats = _ascent(loose, free, np.zeros(0, np.int64), np.zeros(0), time.perf_counter() + 60)
    assert stats["bundle_steps"] == 0 and value == pytest.approx(float(free.bound.sum()))


def test_without_a_look_on_the_way_the_answer_takes_one_at_the_end_and_it_only_lowers_the_cost(monkeypatch):
    prep, without = _without_the_ascent(monkeypatch)
    sc, o = prep.sc, prep.orders
    monkeypatch.setattr(decomp, "BOUND_GOAL_GAP", 0.0)
    monkeypatch.setattr(decomp, "LOOKS_AT", ())  # none while the bound rises
    out = decomp.decompose(prep, time.perf_counter() + 12, flow_threshold=0)
    assert out.stats["bundle_looks"] == 1
    assert plan_cost(sc, o, out.item_slot)[0] <= plan_cost(sc, o, without.item_slot)[0] + 1e-6
