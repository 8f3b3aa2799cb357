"""The real-time path: one order allocated as it arrives, with the batch objective.

Keeps the network's arrays between calls and draws its own copy of stock and
capacity down as it allocates, so consecutive orders see each other. The
order's plan is the exact optimum of the same cost model the batch optimiser
uses (`plans.price_orders`), so a wave re-run would not disagree with it on
cost. Call `refresh` after the OMS's stock snapshot changed underneath.
"""
from __future__ import annotations

import time
from datetime import datetime

import numpy as np

from allocation.costs import CostWeights
from allocation.decompose import decompose
from allocation.extract import build_result
from allocation.policy import RoutingPolicy
from allocation.prepare import Prepared, network_cache, prepare
from allocation.problem import AllocationProblem, AllocationResult, LaneCosts, NodeState, OrderToAllocate, Stock

REALTIME_TIME_LIMIT_S = 0.5


class RealtimeAllocator:
    name = "realtime"

    def __init__(self, nodes: tuple[NodeState, ...], stock: Stock, lanes: LaneCosts,
                 policy: RoutingPolicy | None = None, weights: CostWeights | None = None,
                 families: set[str] | None = None, explain: bool = True):
        self._base = AllocationProblem((), tuple(nodes), stock, lanes, policy or RoutingPolicy(),
                                       weights or CostWeights())
        self._families = families
        self.explain = explain
        self.refresh(stock, nodes)

    def refresh(self, stock: Stock | None = None, nodes: tuple[NodeState, ...] | None = None) -> None:
        """Start again from a new stock snapshot and node states."""
        base = self._base
        self._base = AllocationProblem((), tuple(nodes or base.nodes), stock or base.stock, base.lanes,
                                       base.policy, base.weights)
        self._cache = network_cache(self._base, self._families)

    def allocate_order(self, order: OrderToAllocate, now: datetime | None = None) -> AllocationResult:
        started = time.perf_counter()
        b = self._base
        problem = AllocationProblem((order,), b.nodes, b.stock, b.lanes, b.policy, b.weights, now)
        prep = prepare(problem, self._cache)
        out = decompose(prep, started + REALTIME_TIME_LIMIT_S)
        result = build_result(prep, out.item_slot, solver=self.name, status="optimal", started=started,
                              lower_bound=out.lower_bound, fallback_reason=out.note, explain=self.explain,
                              stats=out.stats)
        self._consume(prep, out.item_slot)
        return result

    def _consume(self, prep: Prepared, item_slot: np.ndarray) -> None:
        """Draw this order's plan off the cached stock and capacities."""
        net, o, sc = self._cache.net, prep.orders, prep.sc
        real = np.flatnonzero(item_slot >= 0)
        node = sc.nodes[o.item_order[real], item_slot[real]]
        np.subtract.at(net.atp, (node, o.line_sku[o.item_line[real]]), o.item_qty[real])
        np.subtract.at(net.pick_cap, node, o.item_qty[real])
        np.subtract.at(net.parcel_cap, np.unique(node), 1)
