"""The problem as numpy arrays: nodes, orders, lines and the items a plan places.

An *item* is what a plan sends to exactly one node: a whole line, or a single
unit of a line when the order allows lines to be split.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocation.costs import KIND_CODES
from allocation.policy import RoutingPolicy
from allocation.problem import ANY_FAMILY, AllocationInputError, AllocationProblem, NodeState, Stock

MAX_UNIT_ITEMS = 6  # a splittable order is expanded into single units only up to this many items
STORE = KIND_CODES["store"]


@dataclass(eq=False)
class NetworkArrays:
    """Per-node facts, independent of the orders (cached by the real-time path)."""

    node_ids: tuple[str, ...]
    kind: np.ndarray  # int8 KIND_CODES
    franchise: np.ndarray  # bool
    city: np.ndarray  # int city code (codes from `city_code`)
    usable: np.ndarray  # bool: open, opted in, ships to home, allowed by policy switches
    parcel_cap: np.ndarray  # int64 parcels the node can still hand over (min with daily order limit)
    pick_cap: np.ndarray  # int64 units it can still pick
    lead_hours: np.ndarray  # paid → handed to carrier
    lane_idx: np.ndarray  # node index in the lane model
    reject: np.ndarray  # float [node, family] rejection rate
    atp: np.ndarray  # int64 [node, sku] units available, after safety stock as the policy says
    sku_at: dict[str, int]
    family_at: dict[str, int]
    city_code: dict[str, int]
    allowed_channels: tuple[frozenset[str] | None, ...]


def network_arrays(nodes: tuple[NodeState, ...], stock: Stock, lanes, policy: RoutingPolicy,
                   families: set[str]) -> NetworkArrays:
    ids = tuple(nd.node_id for nd in nodes)
    kind = np.array([KIND_CODES[nd.kind] for nd in nodes], dtype=np.int8)
    city_code: dict[str, int] = {}
    city = np.array([city_code.setdefault(nd.city, len(city_code)) for nd in nodes], dtype=np.int64)
    franchise = np.array([nd.owner == "franchisee" for nd in nodes], dtype=bool)
    usable = np.array([nd.is_open and nd.eligible and nd.ship_to_home for nd in nodes], dtype=bool)
    if policy.rdc_only:
        usable &= kind != STORE
    if policy.no_franchise_stock:
        usable &= ~franchise
    limit = [nd.daily_order_limit if nd.daily_order_limit is not None else
             (policy.default_store_daily_order_limit if nd.kind == "store" else None) for nd in nodes]
    parcel_cap = np.array([min(nd.remaining_parcels, lim if lim is not None else 10**12)
                           for nd, lim in zip(nodes, limit)], dtype=np.int64)
    lane_at = {nid: i for i, nid in enumerate(lanes.node_ids)}
    stock_at = {nid: i for i, nid in enumerate(stock.node_ids)}
    missing = [nid for nid in ids if nid not in lane_at]
    if missing:
        raise AllocationInputError(f"lane model has no node {missing[0]!r}")
    fam_at = {f: i for i, f in enumerate(sorted(families | {"*"}))}
    reject = _rejection_rates(nodes, fam_at)
    return NetworkArrays(
        node_ids=ids, kind=kind, franchise=franchise, city=city, usable=usable, parcel_cap=parcel_cap,
        pick_cap=np.array([nd.remaining_pick_units for nd in nodes], dtype=np.int64),
        lead_hours=np.array([nd.handover_lead_hours for nd in nodes], dtype=float),
        lane_idx=np.array([lane_at[nid] for nid in ids], dtype=np.int64), reject=reject,
        atp=_effective_atp(nodes, stock, stock_at, kind, policy), sku_at={s: i for i, s in enumerate(stock.skus)},
        family_at=fam_at, city_code=city_code, allowed_channels=tuple(nd.allowed_channels for nd in nodes))


def _rejection_rates(nodes: tuple[NodeState, ...], fam_at: dict[str, int]) -> np.ndarray:
    """float [node, family]: `NodeState.rejection_for` of every pair (most nodes have no rates at all)."""
    reject = np.zeros((len(nodes), len(fam_at)))
    for i, nd in enumerate(nodes):
        rates = nd.rejection_rate
        if rates:
            reject[i] = rates.get(ANY_FAMILY, 0.0)
            for family, rate in rates.items():
                if family in fam_at:
                    reject[i, fam_at[family]] = rate
    return reject


def _effective_atp(nodes, stock: Stock, stock_at: dict[str, int], kind: np.ndarray, policy: RoutingPolicy) -> np.ndarray:
    """ATP per node the allocator may use: warehouses always keep their safety stock,
    stores only when `keep_store_safety_stock` is on."""
    rows = np.array([stock_at.get(nd.node_id, -1) for nd in nodes], dtype=np.int64)
    have = rows >= 0
    keep = have & ((kind != STORE) | policy.keep_store_safety_stock)
    if len(rows) == len(stock.node_ids) and (rows == np.arange(len(rows))).all():  # stock in node order
        atp = np.array(stock.atp, dtype=np.int64)
        np.subtract(atp, stock.safety, out=atp, where=keep[:, None])
    else:
        atp = np.zeros((len(nodes), len(stock.skus)), dtype=np.int64)
        atp[have] = stock.atp[rows[have]]
        atp[keep] -= stock.safety[rows[keep]]
    return np.maximum(atp, 0, out=atp)


@dataclass(eq=False)
class OrderArrays:
    """Orders, lines and items of one batch, flattened."""

    order_ids: tuple[str, ...]
    channel: np.ndarray  # int channel code per order
    channel_names: tuple[str, ...]
    dest: np.ndarray  # district index
    city: np.ndarray  # city code (shared with NetworkArrays.city_code; -1 unknown)
    slack_hours: np.ndarray  # promise − now
    ship_by_hours: np.ndarray  # channel ship-by deadline − now (inf: none)
    paid_rank: np.ndarray  # order of payment, for first-come baselines
    line_order: np.ndarray
    line_id: tuple[str, ...]
    line_sku_name: tuple[str, ...]
    line_sku: np.ndarray  # -1: SKU not in the stock table
    line_qty: np.ndarray
    line_value: np.ndarray  # fen per unit
    line_family: np.ndarray
    item_line: np.ndarray
    item_order: np.ndarray
    item_qty: np.ndarray
    order_item_start: np.ndarray  # items of order o are [start[o], start[o+1])
    excluded: tuple[tuple[int, int], ...] = ()  # (order, node index) pairs the order must not use

    @property
    def n_orders(self) -> int:
        return len(self.order_ids)

    @property
    def n_items_per_order(self) -> np.ndarray:
        return np.diff(self.order_item_start)


def order_arrays(problem: AllocationProblem, net: NetworkArrays) -> OrderArrays:
    now = problem.decision_time
    chans: dict[str, int] = {}
    ch, dest, city, slack, shipby = [], [], [], [], []
    l_order, l_id, l_sku_name, l_sku, l_qty, l_val, l_fam = [], [], [], [], [], [], [], 
    i_line, i_qty, starts = [], [], [0]
    for o, order in enumerate(problem.orders):
        ch.append(chans.setdefault(order.channel, len(chans)))
        dest.append(order.destination.district)
        city.append(net.city_code.get(order.destination.city, -1))
        slack.append((order.promise_at - now).total_seconds() / 3600.0)
        sb = problem.policy.channel(order.channel).ship_by_hours
        shipby.append(np.inf if sb is None else sb - (now - order.paid_at).total_seconds() / 3600.0)
        units = sum(ln.quantity for ln in order.lines)
        expand = order.splittable_lines and units <= MAX_UNIT_ITEMS
        for ln in order.lines:
            li = len(l_id)
            l_order.append(o); l_id.append(ln.line_id); l_sku_name.append(ln.sku)
            l_sku.append(net.sku_at.get(ln.sku, -1)); l_qty.append(ln.quantity)
            l_val.append(ln.unit_value_fen); l_fam.append(net.family_at.get(ln.sku_family, net.family_at["*"]))
            parts = [1] * ln.quantity if expand else [ln.quantity]
            i_line.extend([li] * len(parts)); i_qty.extend(parts)
        starts.append(len(i_line))
    node_at = {nid: i for i, nid in enumerate(net.node_ids)}
    excluded = tuple((o, node_at[n]) for o, order in enumerate(problem.orders)
                     for n in order.excluded_nodes if n in node_at)
    paid = np.array([o.paid_at.timestamp() for o in problem.orders], dtype=float)
    i_line_a = np.array(i_line, dtype=np.int64)
    l_order_a = np.array(l_order, dtype=np.int64)
    return OrderArrays(
        order_ids=tuple(o.order_id for o in problem.orders), channel=np.array(ch, dtype=np.int64),
        channel_names=tuple(chans), dest=np.array(dest, dtype=np.int64), city=np.array(city, dtype=np.int64),
        slack_hours=np.array(slack, dtype=float), ship_by_hours=np.array(shipby, dtype=float),
        paid_rank=np.argsort(np.argsort(paid, kind="stable"), kind="stable"),
        line_order=l_order_a, line_id=tuple(l_id), line_sku_name=tuple(l_sku_name),
        line_sku=np.array(l_sku, dtype=np.int64), line_qty=np.array(l_qty, dtype=np.int64),
        line_value=np.array(l_val, dtype=np.int64), line_family=np.array(l_fam, dtype=np.int64),
        item_line=i_line_a, item_order=l_order_a[i_line_a] if len(i_line_a) else i_line_a,
        item_qty=np.array(i_qty, dtype=np.int64), order_item_start=np.array(starts, dtype=np.int64),
        excluded=excluded)


def batch_families(problem: AllocationProblem) -> set[str]:
    return {ln.sku_family for o in problem.orders for ln in o.lines}


def concat_ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Concatenated integer ranges [lo[j], hi[j])."""
    counts = hi - lo
    return np.repeat(lo, counts) + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def items_of(orders: OrderArrays, ords: np.ndarray) -> np.ndarray:
    """Item indices of orders `ords`, order by order in the order given."""
    return concat_ranges(orders.order_item_start[ords], orders.order_item_start[np.asarray(ords) + 1])
