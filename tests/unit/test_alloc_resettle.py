"""Single-unit orders placed again by the flow once every other order's plan is settled."""
from __future__ import annotations

import numpy as np

from allocation.big_batch import resettle_singles
from allocation.completion import complete_orders
from allocation.fitting import use_of
from allocation.plans import price_orders
from allocation.prepare import prepare
from allocation.problem import NodeState
from allocation.resources import overused_rows
from allocation.scoring import plan_cost
from allocation.testing import order, problem
from tests.unit.test_alloc_bound import _instance
from tests.unit.test_alloc_rebalance import _slot


def test_two_single_unit_orders_at_each_others_cheaper_store_swap():
    # one parcel each at S1 and S2; oX is cheaper from S1, oY from S2, and each store holds both SKUs
    nodes = [NodeState("S1", "store", city="A", remaining_parcels=1), NodeState("S2", "store", city="A",
                                                                                 remaining_parcels=1)]
    atp = {("S1", "x"): 1, ("S1", "y"): 1, ("S2", "x"): 1, ("S2", "y"): 1}
    orders = [order("oX", ("x", 1), district=0), order("oY", ("y", 1), district=1, minutes=1)]
    prep = prepare(problem(orders, nodes, atp, [[300, 900], [900, 300]]))
    alone = price_orders(prep.sc, prep.orders, prep.sc.fixed, prep.sc.item_cost)
    swapped = np.array([_slot(prep, 0, "S2"), _slot(prep, 1, "S1")])
    settled, stats = resettle_singles(prep, swapped, alone)
    assert settled.tolist() == [_slot(prep, 0, "S1"), _slot(prep, 1, "S2")]
    gain = plan_cost(prep.sc, prep.orders, swapped)[0] - plan_cost(prep.sc, prep.orders, settled)[0]
    assert gain > 0 and stats == {"resettle_gain_fen": round(gain)}
    assert swapped.tolist() == [_slot(prep, 0, "S2"), _slot(prep, 1, "S1")]  # the caller's answer is left as it was
    again, stats = resettle_singles(prep, settled, alone)  # nothing cheaper: the answer itself comes back
    assert again is settled and stats == {"resettle_gain_fen": 0}


def test_resettling_a_capacity_tight_batch_only_lowers_its_cost_and_keeps_rows_within_capacity():
    prep = prepare(_instance(True, n_orders=400))
    sc, o = prep.sc, prep.orders
    alone = price_orders(sc, o, sc.fixed, sc.item_cost)
    # every order completed one at a time into what is left: no flow has placed the single units
    start = complete_orders(prep, np.full(len(alone.item_slot), -1), alone)
    settled, stats = resettle_singles(prep, start, alone)
    before, after = plan_cost(sc, o, start)[0], plan_cost(sc, o, settled)[0]
    assert stats["resettle_gain_fen"] > 0 and abs((before - after) - stats["resettle_gain_fen"]) <= 1
    _, keys, amt = use_of(prep, settled)
    assert not len(overused_rows(prep.res, keys, amt)[0])
    placed_multi = (np.diff(o.order_item_start) > 1)[o.item_order] & (start >= 0)
    assert settled[placed_multi].tolist() == start[placed_multi].tolist()  # bigger orders keep their plans
