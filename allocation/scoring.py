"""Cost arrays of every (order, candidate node) and (item, candidate node) pair.

A plan's cost = Σ over its parcels of the parcel cost `fixed[o, k]`
+ Σ over its items of `item_cost[i, k]` + split penalty × (parcels − 1)
+ backorder penalty × units left unshipped. Greedy, RDC-first, the optimiser,
the bound and the real-time path all price plans with these arrays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocation.batch import NetworkArrays, OrderArrays, items_of
from allocation.candidates import item_availability
from allocation.costs import CostWeights
from allocation.policy import RoutingPolicy
from allocation.problem import NO_LANE_COST_FEN
from allocation.rules import filter_mask, min_units_rules, preference_cost, store_reserve_units


@dataclass(eq=False)
class Scores:
    nodes: np.ndarray  # int [O, K] candidate node, -1 = empty slot
    ship: np.ndarray  # float [O, K] per-parcel carrier cost
    late: np.ndarray  # float [O, K] expected promise penalty + ship-by fine
    handle_parcel: np.ndarray  # float [O, K]
    policy: np.ndarray  # float [O, K] soft routing-rule cost
    p_within: np.ndarray  # float [O, K]
    mode: np.ndarray  # int8 [O, K]
    fixed: np.ndarray  # float [O, K] sum of the above; inf = slot unusable
    unit_handle: np.ndarray  # float [I, K]
    reject: np.ndarray  # float [I, K] rejection rate × re-allocation cost
    item_cost: np.ndarray  # float [I, K]; inf = node cannot ship this item
    avail: np.ndarray  # int [I, K] units the node may give the order
    pick_cap: np.ndarray  # int [O, K] units the node can still pick
    item_value: np.ndarray  # int [I] fen
    reserve: np.ndarray  # int [O] store units held back from the order's channel
    split_fen: float
    backorder_fen: float
    max_parcels: int
    min_split_value_fen: int


def score(net: NetworkArrays, orders: OrderArrays, cand: np.ndarray, lanes, policy: RoutingPolicy,
          weights: CostWeights) -> Scores:
    valid = cand >= 0
    nd = np.maximum(cand, 0)
    slack = orders.slack_hours[:, None] - net.lead_hours[nd]
    dest = np.broadcast_to(orders.dest[:, None], cand.shape)
    q = lanes.lanes(net.lane_idx[nd].ravel(), dest.ravel(), slack.ravel())
    ship = q.ship_cost_fen.reshape(cand.shape).astype(float)
    p = q.p_within_promise.reshape(cand.shape)
    late_ship = net.lead_hours[nd] > orders.ship_by_hours[:, None]
    fine = np.array([policy.channel(c).late_ship_penalty_fen for c in orders.channel_names], dtype=float)
    late = weights.late_penalty_fen * (1.0 - p) + np.where(late_ship, fine[orders.channel][:, None], 0.0)
    handle_parcel = np.array(weights.parcel_handling_by_code(), dtype=float)[net.kind[nd]]
    usable = valid & _channel_hard_limits(policy, orders, p, late_ship) & (net.parcel_cap[nd] > 0)
    usable &= ship < NO_LANE_COST_FEN

    reserve = store_reserve_units(policy, orders)
    item_nodes = cand[orders.item_order]
    avail = item_availability(net, orders, reserve, item_nodes)
    order_stock = np.minimum.reduceat(avail, orders.order_item_start[:-1], axis=0) if orders.n_orders else avail
    pref = preference_cost(policy, net, orders, cand, order_stock)
    fixed = np.where(usable, ship + late + handle_parcel + pref, np.inf)

    ind = np.maximum(item_nodes, 0)
    unit_handle = np.array(weights.unit_handling_by_code(), dtype=float)[net.kind[ind]] * orders.item_qty[:, None]
    fam = orders.line_family[orders.item_line]
    reject = net.reject[ind, fam[:, None]] * weights.reallocation_cost_fen
    ok = (avail >= orders.item_qty[:, None]) & usable[orders.item_order]
    ok &= net.pick_cap[ind] >= orders.item_qty[:, None]
    ok &= _min_units_ok(policy, net, orders, item_nodes, avail)
    return Scores(
        nodes=cand, ship=ship, late=late, handle_parcel=handle_parcel, policy=pref, p_within=p,
        mode=q.mode.reshape(cand.shape), fixed=fixed, unit_handle=unit_handle, reject=reject,
        item_cost=np.where(ok, unit_handle + reject, np.inf), avail=avail, pick_cap=net.pick_cap[nd],
        item_value=orders.item_qty * orders.line_value[orders.item_line], reserve=reserve,
        split_fen=float(weights.split_penalty_fen), backorder_fen=float(weights.backorder_penalty_fen),
        max_parcels=policy.max_parcels_per_order, min_split_value_fen=policy.min_split_shipment_value_fen)


def _channel_hard_limits(policy: RoutingPolicy, orders: OrderArrays, p: np.ndarray, late_ship: np.ndarray) -> np.ndarray:
    ok = np.ones(p.shape, dtype=bool)
    for c, name in enumerate(orders.channel_names):
        cp = policy.channel(name)
        rows = orders.channel == c
        if cp.hard_promise:
            ok[rows] &= p[rows] >= cp.min_p_within
        if cp.hard_ship_by:
            ok[rows] &= ~late_ship[rows]
    return ok


def _min_units_ok(policy, net, orders, item_nodes, avail) -> np.ndarray:
    ok = np.ones(item_nodes.shape, dtype=bool)
    for applies, rule in min_units_rules(policy, orders):
        hit = filter_mask(rule.nodes, net, item_nodes, orders.city[orders.item_order])
        hit &= avail >= rule.nodes.min_units_per_line
        app = applies[orders.item_order][:, None]
        ok &= ~app | (hit if rule.action == "only" else ~hit)
    return ok


def plan_cost(sc: Scores, orders: OrderArrays, item_slot: np.ndarray) -> tuple[float, np.ndarray]:
    """Total cost of an assignment (slot per item, -1 = backorder) and parcels per order."""
    real = item_slot >= 0
    idx = np.flatnonzero(real)
    slots = item_slot[idx]
    total = float(sc.item_cost[idx, slots].sum()) + sc.backorder_fen * float(orders.item_qty[~real].sum())
    o = orders.item_order[idx]
    pair = np.unique(o * sc.nodes.shape[1] + slots)
    po, pk = pair // sc.nodes.shape[1], pair % sc.nodes.shape[1]
    total += float(sc.fixed[po, pk].sum())
    parcels = np.bincount(po, minlength=orders.n_orders)
    total += sc.split_fen * float(np.maximum(parcels - 1, 0).sum())
    return total, parcels


def whole_order_costs(sc: Scores, o: OrderArrays, ords: np.ndarray | None = None) -> np.ndarray:
    """float [O, K]: each order (of `ords`, default all) shipped whole from each candidate (parcel +
    every item); inf where it cannot."""
    ords = np.arange(o.n_orders) if ords is None else np.asarray(ords, dtype=np.int64)
    counts = o.n_items_per_order[ords]
    if not counts.sum():
        return np.full((len(ords), sc.fixed.shape[1]), np.inf)
    items = items_of(o, ords)
    starts = np.minimum(np.cumsum(counts) - counts, len(items) - 1)
    per_item = np.add.reduceat(sc.item_cost[items], starts, axis=0)
    return np.where((counts > 0)[:, None], sc.fixed[ords] + per_item, np.inf)


def cheapest_slots(total: np.ndarray, how_many: int) -> tuple[np.ndarray, np.ndarray]:
    """(int [P, n] columns of each row's n cheapest finite entries, bool [P, n] whether that rank
    exists), n = min(how_many, K); ties go to the lower column, as in a stable sort. Repeated argmin:
    a full sort of every row costs more than picking a handful."""
    n = min(how_many, total.shape[1])
    if n <= 0:
        return np.zeros((len(total), 0), dtype=np.int64), np.zeros((len(total), 0), dtype=bool)
    total = total.copy()
    rows = np.arange(len(total))
    best, ok = [], []
    for _ in range(n):
        col = np.argmin(total, axis=1)
        best.append(col)
        ok.append(np.isfinite(total[rows, col]))
        total[rows, col] = np.inf
    return np.stack(best, axis=1), np.stack(ok, axis=1)
