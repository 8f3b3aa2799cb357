"""Min-cost-flow core for big batches: each order is one unit of flow to the node that ships it.

    source ─(1)→ order ─(1, plan cost)→ stock(node, sku) ─(ATP)→ node ─(parcels)→ sink
                   └──────────────(1, backorder cost)──────────────────────────────┘

Exact for single-unit orders; a multi-line order shipped whole from one node
passes through the stock of its scarcest SKU there, so its other lines may
over-draw stock: the master repairs the few rows that happen. Orders whose own
best plan splits are fixed at that plan beforehand. The flow's node
potentials, from Bellman-Ford on the residual graph, price the capacity rows
for the Lagrangian bound.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from allocation.prepare import Prepared

COST_SCALE = 10  # flow costs in tenths of a fen: rounding stays below 0.1 fen per order
MAX_BF_ROUNDS = 400
STORE_ARCS_PER_ORDER = 10  # the flow offers an order its cheapest nodes and every warehouse
MULTI_ITEM_IN_FLOW = False  # measured: routing multi-line orders through one stock row over-draws the rest


@dataclass(eq=False)
class FlowOutcome:
    item_slot: np.ndarray
    row_keys: np.ndarray  # capacity rows priced by the flow's potentials
    row_price: np.ndarray  # fen per unit, >= 0
    stats: dict


def flow_assign(prep: Prepared, free_slot: np.ndarray, residual_of) -> FlowOutcome:
    """Place the orders whose own best plan is one parcel (`in_flow`) by min-cost flow
    within `residual_of` capacity; other orders keep `free_slot`."""
    sc, o, res = prep.sc, prep.orders, prep.res
    started = time.perf_counter()
    # Data: one arc per (order, candidate) able to ship the whole order
    flow_orders = np.flatnonzero(in_flow(prep, free_slot))
    whole = (np.add.reduceat(sc.item_cost, o.order_item_start[:-1], axis=0) + sc.fixed)[flow_orders]
    rank = np.argsort(np.argsort(whole, axis=1, kind="stable"), axis=1)
    warehouse = prep.net.kind[np.maximum(sc.nodes[flow_orders], 0)] != 0
    fo, fk = np.nonzero(np.isfinite(whole) & ((rank < STORE_ARCS_PER_ORDER) | warehouse))
    arcs = _Arcs.of(prep, flow_orders, fo, fk, np.rint(whole[fo, fk] * COST_SCALE).astype(np.int64), residual_of)
    # Model: source → order → (scarce stock row) → node → sink; backorder arcs order → sink
    n_f, n_n = len(flow_orders), res.n_nodes
    s_keys, s_of_arc = np.unique(arcs.stock_key[arcs.routed], return_inverse=True)
    n_s = len(s_keys)
    s_id, n_id, sink = n_f + np.arange(n_s), n_f + n_s + np.arange(n_n), n_f + n_s + n_n
    s_node = ((s_keys - 2 * n_n) // res.n_skus) % n_n
    entry = n_id[arcs.node].copy()
    entry[arcs.routed] = s_id[s_of_arc]
    units = np.add.reduceat(o.item_qty, o.order_item_start[:-1])[flow_orders]
    tails = np.concatenate([arcs.order, s_id, n_id, np.arange(n_f)])
    heads = np.concatenate([entry, n_id[s_node], np.full(n_n, sink), np.full(n_f, sink)])
    caps = np.concatenate([np.ones(len(arcs.order)), np.maximum(residual_of(s_keys), 0), arcs.node_cap,
                           np.ones(n_f)]).astype(np.int64)
    costs = np.concatenate([arcs.cost, np.zeros(n_s + n_n, dtype=np.int64),
                            np.rint(sc.backorder_fen * units * COST_SCALE).astype(np.int64)])
    # Solve
    flow = _solve(tails, heads, caps, costs, n_f, sink)
    # Extract
    chosen = flow[: len(arcs.order)] > 0
    take_slot = np.full(o.n_orders, -1, dtype=np.int64)
    take_slot[flow_orders[arcs.order[chosen]]] = arcs.slot[chosen]
    items = _items_of(o, flow_orders)
    item_slot = free_slot.copy()
    item_slot[items] = take_slot[o.item_order[items]]
    price = _capacity_prices(tails, heads, costs, caps, flow, sink + 1)
    n_a = len(arcs.order)
    keys = np.concatenate([s_keys, res.parcel_key(np.arange(n_n))])
    lam = np.concatenate([price[n_a:n_a + n_s], price[n_a + n_s:n_a + n_s + n_n]]) / COST_SCALE
    stats = {"flow_orders": n_f, "flow_arcs": len(tails), "flow_arcs_dropped": arcs.dropped,
             "flow_s": round(time.perf_counter() - started, 3)}
    return FlowOutcome(item_slot, keys[lam > 0], lam[lam > 0], stats)


def _solve(tails, heads, caps, costs, n_supply: int, sink: int) -> np.ndarray:
    mcf = min_cost_flow.SimpleMinCostFlow()
    arcs = mcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps, costs)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_supply], supplies[sink] = 1, -n_supply
    mcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"min cost flow status {status}")
    return np.asarray(mcf.flows(arcs))


@dataclass(eq=False)
class _Arcs:
    """Order → node arcs the flow can represent exactly.

    A stock row is *scarce* when the arcs that could draw on it ask for more than
    it holds. A unit of flow can pass through one row, so an arc may touch at
    most one scarce row, with one unit; other arcs are left out of the flow.
    """

    order: np.ndarray  # index into flow orders
    slot: np.ndarray
    node: np.ndarray
    cost: np.ndarray
    routed: np.ndarray  # bool: passes through its scarce stock row
    stock_key: np.ndarray  # that row (level 0)
    node_cap: np.ndarray  # int [nodes] orders each node can still take in the flow
    dropped: int

    @classmethod
    def of(cls, prep: Prepared, flow_orders, fo, fk, cost, residual_of) -> "_Arcs":
        o, sc, res = prep.orders, prep.sc, prep.res
        counts = np.diff(o.order_item_start)[flow_orders[fo]]
        pair_arc = np.repeat(np.arange(len(fo)), counts)
        pair_item = _items_of(o, flow_orders[fo])
        node = sc.nodes[flow_orders[fo], fk]
        key = res.stock_key(0, node[pair_arc], np.maximum(o.line_sku[o.item_line[pair_item]], 0))
        qty = o.item_qty[pair_item]
        uk, inv = np.unique(key, return_inverse=True)
        left = residual_of(uk)
        scarce_row = np.bincount(inv, weights=qty) > left  # more asked by all arcs than held
        scarce = scarce_row[inv] | (sc.reserve[o.item_order[pair_item]] > 0)
        # route each arc through its scarce row with the fewest units left (others may over-draw: repaired later)
        rank = np.where(scarce, left[inv], np.inf)
        by = np.lexsort((rank, pair_arc))
        first = by[np.r_[True, pair_arc[by][1:] != pair_arc[by][:-1]]]
        routed = np.zeros(len(fo), dtype=bool)
        routed_key = np.zeros(len(fo), dtype=np.int64)
        routed[pair_arc[first]] = scarce[first]
        routed_key[pair_arc[first]] = key[first]
        units = np.bincount(pair_arc, weights=qty, minlength=len(fo))
        keep = np.ones(len(fo), dtype=bool)
        node_cap = _node_capacity(res, residual_of, node[keep], units[keep])
        return cls(fo[keep], fk[keep], node[keep], cost[keep], routed[keep], routed_key[keep],
                   node_cap, int((~keep).sum()))


def _node_capacity(res, residual_of, node: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Orders a node can take: its parcels, or fewer when its pick units, at the
    mean units per order of its arcs, would run out first."""
    all_nodes = np.arange(res.n_nodes)
    parcels = np.maximum(residual_of(res.parcel_key(all_nodes)), 0)
    pick = np.maximum(residual_of(res.pick_key(all_nodes)), 0)
    arcs_at = np.bincount(node, minlength=res.n_nodes)
    mean_units = np.bincount(node, weights=units, minlength=res.n_nodes) / np.maximum(arcs_at, 1)
    return np.minimum(parcels, np.floor(pick / np.maximum(mean_units, 1.0))).astype(np.int64)


def in_flow(prep: Prepared, free_slot: np.ndarray) -> np.ndarray:
    """bool [O]: orders the flow decides — those whose own best plan is one parcel."""
    o = prep.orders
    starts = o.order_item_start[:-1]
    real = free_slot >= 0
    lo = np.minimum.reduceat(np.where(real, free_slot, 10**9), starts)
    hi = np.maximum.reduceat(np.where(real, free_slot, -1), starts)
    all_real = np.logical_and.reduceat(real, starts)
    one_parcel = all_real & (lo == hi)
    if not MULTI_ITEM_IN_FLOW:
        one_parcel &= (np.diff(o.order_item_start) == 1) & (o.item_qty[starts] == 1)
    return one_parcel


def _items_of(o, orders: np.ndarray) -> np.ndarray:
    counts = np.diff(o.order_item_start)[orders]
    first = np.repeat(o.order_item_start[orders], counts)
    return first + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def _scarcest_item(prep: Prepared, orders: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """For each (order, slot): the order's item whose SKU the node holds least of."""
    o, sc = prep.orders, prep.sc
    n = np.diff(o.order_item_start)[orders]
    best = o.order_item_start[orders].copy()
    best_avail = sc.avail[best, slots]
    for j in range(1, int(n.max(initial=1))):
        has = n > j
        cand = o.order_item_start[orders] + j
        cand_avail = np.where(has, sc.avail[np.where(has, cand, best), slots], np.iinfo(np.int64).max)
        better = cand_avail < best_avail
        best = np.where(better, cand, best)
        best_avail = np.where(better, cand_avail, best_avail)
    return best


def _capacity_prices(tails, heads, costs, caps, flow, n_nodes) -> np.ndarray:
    """Price of each arc's capacity: max(0, −reduced cost) under shortest-path potentials
    of the residual graph (Bellman-Ford; an optimal flow has no negative cycle)."""
    fwd = flow < caps
    bwd = flow > 0
    r_tail = np.concatenate([tails[fwd], heads[bwd]])
    r_head = np.concatenate([heads[fwd], tails[bwd]])
    r_cost = np.concatenate([costs[fwd], -costs[bwd]]).astype(float)
    order_ = np.argsort(r_head, kind="stable")
    r_tail, r_head, r_cost = r_tail[order_], r_head[order_], r_cost[order_]
    heads_u, first = np.unique(r_head, return_index=True)
    dist = np.zeros(n_nodes)
    for _ in range(MAX_BF_ROUNDS):
        best = np.minimum.reduceat(dist[r_tail] + r_cost, first)
        new = dist.copy()
        new[heads_u] = np.minimum(dist[heads_u], best)
        if np.array_equal(new, dist):
            break
        dist = new
    return np.maximum(0.0, dist[heads] - dist[tails] - costs) * (flow >= caps)
