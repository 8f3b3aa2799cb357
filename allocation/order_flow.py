"""Prices for the bound of a big batch from a min-cost flow over whole orders.

The flow core (`flow`) places single-unit orders in the capacity the
multi-line orders leave, so its potentials price only what single-unit orders
compete for: at 100k orders, where stores run out of parcels, the bound at
them stays near L(0). Here every order whose own best plan is one parcel is
one unit of flow, to any candidate node that can ship the whole order, at the
order's cost there; single-unit orders pass through their scarce stock rows,
the others go straight to the node (their stock rows are left to the raising
steps). Orders whose best plan splits keep it, and the flow works in what
they leave. The potentials then price node parcels as every order competes
for them; any prices give a valid bound, the exact L(λ) is taken at them.

Measured, 100k orders: L = 270.2M fen at these prices (cut bound 261.7M, L(0)
251.4M); raised alone, 274.6M after one step and 275.6M after three (0.8 s a
step); `aside_bound` first takes each row at the higher of these and the cut's
prices (280.6M), then raises (284.9M after four steps).
"""
from __future__ import annotations

import time

import numpy as np

from allocation.batch import items_of
from allocation.flow import COST_SCALE, STORE_ARCS_PER_ORDER, _Arcs, _network, _solve, in_flow
from allocation.fitting import residual, use_of
from allocation.plans import Priced
from allocation.prepare import Prepared
from allocation.scoring import whole_order_costs


def order_flow_prices(prep: Prepared, alone: Priced) -> tuple[np.ndarray, np.ndarray, dict]:
    """(row keys, prices > 0, stats) from the potentials of the whole-order flow.
    `alone`: every order's best plan at no prices."""
    sc, o = prep.sc, prep.orders
    started = time.perf_counter()
    whole = whole_order_costs(sc, o)
    one_parcel = np.isfinite(whole).any(axis=1) & (whole.min(axis=1) <= alone.value + 1e-6)
    single = in_flow(prep, alone.item_slot)
    units = np.flatnonzero(one_parcel | single)
    kept = np.ones(len(o.item_qty), dtype=bool)
    kept[items_of(o, units)] = False
    residual_of = residual(prep, *use_of(prep, np.where(kept, alone.item_slot, -1)), np.zeros(0, np.int64))
    cost = whole[units]
    rank = np.argsort(np.argsort(cost, axis=1, kind="stable"), axis=1)
    warehouse = prep.net.kind[np.maximum(sc.nodes[units], 0)] != 0
    fo, fk = np.nonzero(np.isfinite(cost) & ((rank < STORE_ARCS_PER_ORDER) | warehouse))
    arcs = _Arcs.of(prep, o.order_item_start[units], fo, fk, np.rint(cost[fo, fk] * COST_SCALE).astype(np.int64),
                    residual_of)
    arcs.routed &= single[units[fo]]
    units_of = np.bincount(o.item_order, weights=o.item_qty, minlength=o.n_orders)[units]
    net = _network(prep, arcs, len(units), np.rint(sc.backorder_fen * units_of * COST_SCALE), residual_of)
    flow = _solve(net.tails, net.heads, net.caps, net.costs, len(units), net.sink)
    keys, lam = net.prices(flow)
    stats = {"order_flow_units": len(units), "order_flow_arcs": len(net.tails),
             "order_flow_s": round(time.perf_counter() - started, 3)}
    return keys, lam, stats
