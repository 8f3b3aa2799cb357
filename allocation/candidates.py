"""Candidate pruning: per order, the k nearest eligible stores holding its stock + every warehouse.

The optimum rarely ships from a store 40 cities away when 20 nearer stores
and the RDCs hold the item; pruning keeps the model small enough to solve a
100k-order day in seconds.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from allocation.batch import STORE, NetworkArrays, OrderArrays
from allocation.costs import CostWeights
from allocation.policy import RoutingPolicy
from allocation.rules import channel_node_mask, hard_rule_mask, store_reserve_units

NOMINAL_SLACK_HOURS = 24.0  # ranking "nearest" by the cost of a 24-hour promise
STORE_SCAN_FACTOR = 4  # look at this many × k nearest stores for ones holding the stock


@dataclass(eq=False)
class NearestStores:
    """Cache of each district's nearest usable stores, ranked by lane cost."""

    net: NetworkArrays
    lanes: object
    weights: CostWeights
    depth: int
    by_district: dict[int, np.ndarray] = field(default_factory=dict)

    def ranked(self, districts: np.ndarray) -> np.ndarray:
        """int [len(districts), depth]: node indices, nearest first, -1 padded."""
        todo = np.array([d for d in np.unique(districts) if int(d) not in self.by_district], dtype=np.int64)
        stores = np.flatnonzero(self.net.usable & (self.net.kind == STORE))
        if len(todo) and len(stores):
            nd = np.tile(stores, len(todo))
            dd = np.repeat(todo, len(stores))
            q = self.lanes.lanes(self.net.lane_idx[nd], dd, NOMINAL_SLACK_HOURS - self.net.lead_hours[nd])
            g = (q.ship_cost_fen + self.weights.late_penalty_fen * (1.0 - q.p_within_promise)).reshape(len(todo), -1)
            top = np.argsort(g, axis=1, kind="stable")[:, : self.depth]
            for row, d in enumerate(todo):
                self.by_district[int(d)] = stores[top[row]]
        out = np.full((len(districts), self.depth), -1, dtype=np.int64)
        for row, d in enumerate(districts):
            got = self.by_district.get(int(d))
            if got is not None:
                out[row, : len(got)] = got
        return out


def item_availability(net: NetworkArrays, orders: OrderArrays, reserve: np.ndarray, item_nodes: np.ndarray) -> np.ndarray:
    """int [I, K]: units of each item's SKU the node may give this order's channel."""
    sku = orders.line_sku[orders.item_line]
    nd = np.maximum(item_nodes, 0)
    units = net.atp[nd, np.maximum(sku, 0)[:, None]]
    units = units - np.where(net.kind[nd] == STORE, reserve[orders.item_order][:, None], 0)
    return np.where((item_nodes >= 0) & (sku[:, None] >= 0), units, 0)


def select_candidates(net: NetworkArrays, orders: OrderArrays, policy: RoutingPolicy,
                      nearest: NearestStores) -> np.ndarray:
    """int [O, K]: candidate node indices per order (stores nearest first, then warehouses), -1 padded."""
    k = policy.candidate_stores
    warehouses = np.flatnonzero(net.usable & (net.kind != STORE))
    near = nearest.ranked(orders.dest) if orders.n_orders else np.zeros((0, nearest.depth), dtype=np.int64)
    pool = np.concatenate([near, np.broadcast_to(warehouses, (orders.n_orders, len(warehouses)))], axis=1)
    chan_ok = channel_node_mask(policy, net, orders)
    ok = (pool >= 0) & chan_ok[orders.channel[:, None], np.maximum(pool, 0)]
    ok &= hard_rule_mask(policy, net, orders, pool)
    if orders.excluded:  # a node that rejected the order's lines is not asked again
        ex_o, ex_n = np.array(orders.excluded).T
        rows, cols = np.nonzero(pool[ex_o] == ex_n[:, None])
        ok[ex_o[rows], cols] = False
    reserve = store_reserve_units(policy, orders)
    avail = item_availability(net, orders, reserve, pool[orders.item_order])
    holds = np.logical_or.reduceat(avail >= orders.item_qty[:, None], orders.order_item_start[:-1], axis=0) \
        if orders.n_orders else np.zeros_like(ok)
    ok &= holds
    is_store_col = np.arange(pool.shape[1]) < near.shape[1]
    ok &= ~is_store_col | (np.cumsum(ok & is_store_col, axis=1) <= k)
    width = max(int(ok.sum(axis=1).max(initial=0)), 1)
    pick = np.argsort(~ok, axis=1, kind="stable")[:, :width]
    chosen_ok = np.take_along_axis(ok, pick, axis=1)
    return np.where(chosen_ok, np.take_along_axis(pool, pick, axis=1), -1)
