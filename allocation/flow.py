"""Min-cost-flow core for big batches: each single unit is one unit of flow to the node that ships it.

    source ─(1)→ unit ─(1, cost)→ stock(node, sku) ─(ATP)→ node ─(parcels)→ sink
                   └──────────────(1, backorder cost)──────────────────────┘

The units are the single-unit orders, exact in a flow, and the single units
that pre-placed orders left backordered: such a unit joins a parcel its order
already has at the node (item cost only) or opens one more parcel (parcel and
split cost), so a single-unit order holding the last units a bigger order
needs can step aside for it. A unit joining a parcel counts as a parcel at its
node, which only leaves capacity unused. Orders whose own best plan is bigger
are placed beforehand. The flow's node potentials, from Bellman-Ford on the
residual graph, price the capacity rows for the Lagrangian bound.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from allocation.batch import concat_ranges, items_of
from allocation.prepare import Prepared
from allocation.resources import Resources

COST_SCALE = 10  # flow costs in tenths of a fen: rounding stays below 0.1 fen per order
MAX_BF_ROUNDS = 400
STORE_ARCS_PER_ORDER = 10  # the flow offers a unit its cheapest nodes and every warehouse


@dataclass(eq=False)
class FlowOutcome:
    item_slot: np.ndarray
    row_keys: np.ndarray  # capacity rows priced by the flow's potentials
    row_price: np.ndarray  # fen per unit, >= 0
    stats: dict


def flow_assign(prep: Prepared, free_slot: np.ndarray, placed: np.ndarray, residual_of,
                offered: np.ndarray | None = None, store_arcs: int | None = None,
                prices: bool = True, orders: np.ndarray | None = None) -> FlowOutcome:
    """Place the orders whose own best plan is one unit in one parcel (`in_flow`; or `orders`, some of
    them, if given), and the backordered single units of the other orders' plans `placed`, by min-cost
    flow within `residual_of` capacity (what `placed` leaves); other items keep `placed`. Each unit is offered its
    `store_arcs` (default `STORE_ARCS_PER_ORDER`) cheapest stores, every warehouse and, if `offered` (a slot
    per item) is given, its slot there. Without `prices`, the flow's potentials are not worked out (no rows
    are priced)."""
    sc, o = prep.sc, prep.orders
    started = time.perf_counter()
    # Data: one arc per (unit, candidate) able to ship it
    flow_orders = np.flatnonzero(in_flow(prep, free_slot)) if orders is None else np.asarray(orders, dtype=np.int64)
    singles = o.order_item_start[flow_orders]
    joining = _backordered_units(prep, placed, flow_orders)
    unit_item = np.r_[singles, joining]
    unit_cost = np.vstack([sc.item_cost[singles] + sc.fixed[flow_orders], _join_costs(prep, placed, joining)])
    rank = np.argsort(np.argsort(unit_cost, axis=1, kind="stable"), axis=1)
    warehouse = prep.net.kind[np.maximum(sc.nodes[o.item_order[unit_item]], 0)] != 0
    arc = (rank < (STORE_ARCS_PER_ORDER if store_arcs is None else store_arcs)) | warehouse
    if offered is not None:
        at = np.flatnonzero(offered[unit_item] >= 0)
        arc[at, offered[unit_item[at]]] = True
    fo, fk = np.nonzero(np.isfinite(unit_cost) & arc)
    arcs = _Arcs.of(prep, unit_item, fo, fk, np.rint(unit_cost[fo, fk] * COST_SCALE).astype(np.int64), residual_of)
    n_f = len(unit_item)
    net = _network(prep, arcs, n_f, np.full(n_f, np.rint(sc.backorder_fen * COST_SCALE), dtype=np.int64),
                   residual_of)
    flow = _solve(net.tails, net.heads, net.caps, net.costs, n_f, net.sink)
    # Extract
    chosen = flow[: len(arcs.order)] > 0
    take_slot = np.full(n_f, -1, dtype=np.int64)
    take_slot[arcs.order[chosen]] = arcs.slot[chosen]
    item_slot = placed.copy()
    item_slot[unit_item] = take_slot
    keys, lam = net.prices(flow) if prices else (np.zeros(0, np.int64), np.zeros(0))
    stats = {"flow_orders": len(flow_orders), "flow_joining_units": len(joining),
             "flow_joined_units": int((take_slot[len(singles):] >= 0).sum()), "flow_arcs": len(net.tails),
             "flow_s": round(time.perf_counter() - started, 3)}
    return FlowOutcome(item_slot, keys, lam, stats)


def _backordered_units(prep: Prepared, placed: np.ndarray, flow_orders: np.ndarray) -> np.ndarray:
    """Items of one unit that the pre-placed orders leave backordered although a candidate could ship them."""
    o, sc = prep.orders, prep.sc
    items = np.flatnonzero((placed < 0) & (o.item_qty == 1))
    items = items[~np.isin(o.item_order[items], flow_orders)]
    return items[np.isfinite(sc.item_cost[items] + sc.fixed[o.item_order[items]]).any(axis=1)]


def _join_costs(prep: Prepared, placed: np.ndarray, units: np.ndarray) -> np.ndarray:
    """float [U, K]: a backordered unit's cost at each candidate: its item cost where its order
    already has a parcel; parcel (and split) cost on top where it opens one more parcel, allowed
    only within the parcel limit, for an order's only such unit, and with no minimum split value."""
    o, sc = prep.orders, prep.sc
    width = sc.nodes.shape[1]
    order = o.item_order[units]
    ords, row = np.unique(order, return_inverse=True)
    items = items_of(o, ords)
    real = placed[items] >= 0
    has = np.zeros((len(ords), width), dtype=bool)
    has[np.searchsorted(ords, o.item_order[items[real]]), placed[items[real]]] = True
    n_par = has.sum(axis=1)[row]
    alone = np.bincount(row, minlength=len(ords))[row] == 1
    opens = (n_par < sc.max_parcels) & alone & ((n_par == 0) | (sc.min_split_value_fen <= 0))
    extra = sc.fixed[order] + sc.split_fen * (n_par >= 1)[:, None]
    cost = sc.item_cost[units] + np.where(has[row], 0.0, extra)
    return np.where(has[row] | opens[:, None], cost, np.inf)


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
class _Network:
    """The flow network as arc arrays: unit → (scarce stock row) → node → sink, and unit → sink."""

    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    sink: int
    n_unit_arcs: int
    stock_keys: np.ndarray  # the scarce stock rows, in the order of their nodes in the graph
    res: Resources

    def prices(self, flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Capacity rows the flow's potentials price (> 0): scarce stock rows and node parcel rows."""
        price = _capacity_prices(self.tails, self.heads, self.costs, self.caps, flow, self.sink + 1)
        n_a, n_s, n_n = self.n_unit_arcs, len(self.stock_keys), self.res.n_nodes
        keys = np.concatenate([self.stock_keys, self.res.parcel_key(np.arange(n_n))])
        lam = np.concatenate([price[n_a:n_a + n_s], price[n_a + n_s:n_a + n_s + n_n]]) / COST_SCALE
        return keys[lam > 0], lam[lam > 0]


def _network(prep: Prepared, arcs: "_Arcs", n_units: int, backorder_cost: np.ndarray, residual_of) -> _Network:
    """source → unit → (scarce stock row) → node → sink; backorder arcs unit → sink at `backorder_cost`."""
    res = prep.res
    n_n = res.n_nodes
    s_keys, s_of_arc = np.unique(arcs.stock_key[arcs.routed], return_inverse=True)
    n_s = len(s_keys)
    s_id, n_id, sink = n_units + np.arange(n_s), n_units + n_s + np.arange(n_n), n_units + n_s + n_n
    s_node = ((s_keys - 2 * n_n) // res.n_skus) % n_n
    entry = n_id[arcs.node].copy()
    entry[arcs.routed] = s_id[s_of_arc]
    tails = np.concatenate([arcs.order, s_id, n_id, np.arange(n_units)])
    heads = np.concatenate([entry, n_id[s_node], np.full(n_n, sink), np.full(n_units, sink)])
    caps = np.concatenate([np.ones(len(arcs.order)), np.maximum(residual_of(s_keys), 0), arcs.node_cap,
                           np.ones(n_units)]).astype(np.int64)
    costs = np.concatenate([arcs.cost, np.zeros(n_s + n_n, dtype=np.int64), backorder_cost.astype(np.int64)])
    return _Network(tails, heads, caps, costs, sink, len(arcs.order), s_keys, res)


@dataclass(eq=False)
class _Arcs:
    """Unit → node arcs.

    A stock row is *scarce* when the arcs that could draw on it ask for more than
    it holds; an arc to a scarce row (or of an order with store reserve) passes
    through it, other arcs go straight to their node.
    """

    order: np.ndarray  # index into the units
    slot: np.ndarray
    node: np.ndarray
    cost: np.ndarray
    routed: np.ndarray  # bool: passes through its scarce stock row
    stock_key: np.ndarray  # that row (level 0)
    node_cap: np.ndarray  # int [nodes] units each node can still take in the flow

    @classmethod
    def of(cls, prep: Prepared, unit_item, fo, fk, cost, residual_of) -> "_Arcs":
        o, sc, res = prep.orders, prep.sc, prep.res
        item = unit_item[fo]
        order = o.item_order[item]
        node = sc.nodes[order, fk]
        key = res.stock_key(0, node, np.maximum(o.line_sku[o.item_line[item]], 0))
        uk, inv = np.unique(key, return_inverse=True)
        scarce_row = np.bincount(inv, minlength=len(uk)) > residual_of(uk)  # more asked by all arcs than held
        routed = scarce_row[inv] | (sc.reserve[order] > 0)
        return cls(fo, fk, node, cost, routed, key, _node_capacity(res, residual_of))


def _node_capacity(res, residual_of) -> np.ndarray:
    """Units a node can take: its parcels, or fewer when its pick units run out first."""
    all_nodes = np.arange(res.n_nodes)
    parcels = np.maximum(residual_of(res.parcel_key(all_nodes)), 0)
    pick = np.maximum(residual_of(res.pick_key(all_nodes)), 0)
    return np.minimum(parcels, np.floor(pick)).astype(np.int64)


def in_flow(prep: Prepared, free_slot: np.ndarray) -> np.ndarray:
    """bool [O]: orders the flow decides — one item of one unit, shipped by their own best plan."""
    o = prep.orders
    starts = o.order_item_start[:-1]
    return (np.diff(o.order_item_start) == 1) & (o.item_qty[starts] == 1) & (free_slot[starts] >= 0)


def _capacity_prices(tails, heads, costs, caps, flow, n_nodes) -> np.ndarray:
    """Price of each arc's capacity: max(0, −reduced cost) under shortest-path potentials
    of the residual graph (an optimal flow has no negative cycle)."""
    fwd = flow < caps
    bwd = flow > 0
    r_tail = np.concatenate([tails[fwd], heads[bwd]])
    r_head = np.concatenate([heads[fwd], tails[bwd]])
    r_cost = np.concatenate([costs[fwd], -costs[bwd]]).astype(float)
    dist = _potentials(r_tail, r_head, r_cost, n_nodes)
    return np.maximum(0.0, dist[heads] - dist[tails] - costs) * (flow >= caps)


def _potentials(r_tail, r_head, r_cost, n_nodes) -> np.ndarray:
    """Shortest distances from a virtual source joined to every node at cost 0: Bellman-Ford in
    rounds that relax all arcs at once, at most MAX_BF_ROUNDS of them. After the first round only
    arcs out of nodes whose distance just fell can offer anything new, so each round relaxes only
    those: the same rounds and distances, on a shrinking share of the ~1M arcs."""
    by_tail = np.argsort(r_tail, kind="stable")
    r_tail, r_head, r_cost = r_tail[by_tail], r_head[by_tail], r_cost[by_tail]
    first = np.searchsorted(r_tail, np.arange(n_nodes + 1))
    dist = np.zeros(n_nodes)
    arcs = np.arange(len(r_tail))
    for _ in range(MAX_BF_ROUNDS):
        new = dist.copy()
        np.minimum.at(new, r_head[arcs], dist[r_tail[arcs]] + r_cost[arcs])
        fell = np.flatnonzero(new < dist)
        if not len(fell):
            break
        dist = new
        arcs = concat_ranges(first[fell], first[fell + 1])
    return dist
