"""Forced backorders in the bound (`cut_bound`) and backordered units joining the flow (`flow`)."""
from __future__ import annotations

import numpy as np
import pytest

from allocation.bound import lagrangian_value
from allocation.cut_bound import cut_prices
from allocation.flow import _join_costs
from allocation.plans import price_orders
from allocation.prepare import prepare
from tests.unit.test_alloc_bound import _exact, _instance


@pytest.mark.parametrize("tight", [False, True])
def test_cut_prices_give_a_valid_bound_that_counts_forced_backorders(tight):
    prep = prepare(_instance(tight))
    if tight:  # stock too short for the batch: some units cannot ship whatever the plan
        prep.net.atp //= 3
    keys, price, forced = cut_prices(prep)
    value, _ = lagrangian_value(prep, keys, price)
    assert (price >= 0).all()
    assert value <= _exact(prep) + 1e-6
    if tight:
        alone = price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost).bound.sum()
        assert forced > 0 and value > alone  # short capacity: the cut must price what forces backorders


def test_a_backordered_unit_joins_its_parcel_at_item_cost_and_opens_one_within_the_limit():
    prep = prepare(_instance(True))
    sc, o = prep.sc, prep.orders
    multi = np.flatnonzero((o.n_items_per_order >= 2) & (o.item_qty[o.order_item_start[:-1]] == 1))
    order = next(int(m) for m in multi if np.isfinite(sc.fixed[m]).sum() >= 2)
    first = o.order_item_start[order]
    placed = np.full(len(o.item_qty), -1, dtype=np.int64)
    at = int(np.flatnonzero(np.isfinite(sc.fixed[order]))[0])
    placed[first + 1:o.order_item_start[order + 1]] = at  # the rest of the order ships from `at`
    cost = _join_costs(prep, placed, np.array([first]))[0]
    assert cost[at] == sc.item_cost[first, at]
    other = np.flatnonzero(np.isfinite(sc.fixed[order]) & np.isfinite(sc.item_cost[first]))
    other = other[other != at]
    assert np.allclose(cost[other], sc.item_cost[first, other] + sc.fixed[order, other] + sc.split_fen)
    sc.max_parcels = 1  # no room for a second parcel: the unit may only join
    assert np.isinf(np.delete(_join_costs(prep, placed, np.array([first]))[0], at)).all()
