"""From the OMS to the allocation engine: orders, stock and the real network as an `AllocationProblem`.

The OMS's allocation use case (`oms.allocating.allocate_orders`) hands this
planner its open orders and a stock snapshot; the server, the command line and
the simulator all use the same planner, so a policy tried in the simulator is
the one production runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Mapping

import numpy as np

from allocation.costs import CostWeights
from allocation.policy import RoutingPolicy
from allocation.problem import (AllocationProblem, Destination, LaneQuote, LineToAllocate, NodeState,
                                OrderToAllocate, Stock)
from oms.catalogue import Catalogue
from oms.inventory import StockLevel
from oms.orders import Order
from oms.stock_snapshot import StockSnapshot
from warehouses.lanes import Mode
from warehouses.transit_matrix import TransitMatrix

RIDER = Mode.RIDER.code


class MatrixLanes:
    """The real transit model as the allocator sees it, for decisions taken at `now`.

    The allocator asks with the order's slack (promise − now); the node's hand-over time
    at `now` (opening hours, pick time, the next carrier cut-off for courier lanes) is
    taken off here, per lane's mode, before the transit-time distribution is read.
    """

    def __init__(self, matrix: TransitMatrix, now: datetime):
        self.matrix = matrix
        self.node_ids = matrix.node_ids
        # Hand-over times change only at the minute scale: compute them once per minute (cached in
        # the matrix) and shift by the seconds since, so real-time orders don't recompute them.
        minute = now.replace(second=0, microsecond=0)
        since_h = (now - minute).total_seconds() / 3600
        self.handover = np.maximum(matrix.handover_hours(minute) - since_h, 0.0)  # hours, [mode, node]

    def lanes(self, node_idx: np.ndarray, dest_idx: np.ndarray, slack_hours: np.ndarray) -> LaneQuote:
        m = self.matrix
        pairs = m.pairs(node_idx, dest_idx)
        mode = m.mode_of(pairs)
        slack = np.asarray(slack_hours, dtype=float) - self.handover[np.maximum(mode, 0), node_idx]
        p = np.where(np.isnan(slack), 0.0, m.p_within_pairs(pairs, mode, np.nan_to_num(slack, nan=-1.0)))
        return LaneQuote(m.cost_of(pairs).astype(np.int64), p, np.where(mode == RIDER, 0, 1).astype(np.int8))


@dataclass
class OmsPlanner:
    """Describes OMS orders to the allocation engine over one network and transit matrix.

    `parcels_today` (node → parcels already allocated today) and `rejection_rates`
    (node → {SKU family or "*": share of lines rejected}) are kept up to date by
    the caller; `down_nodes` are out of service (an outage).
    """

    matrix: TransitMatrix
    catalogue: Catalogue
    policy: RoutingPolicy = field(default_factory=RoutingPolicy)
    weights: CostWeights = field(default_factory=CostWeights)
    rejection_rates: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    parcels_today: dict[str, int] = field(default_factory=dict)
    down_nodes: frozenset[str] = frozenset()
    _nodes: tuple = field(default=(), repr=False)
    _states: dict = field(default_factory=dict, repr=False)
    _keys: dict = field(default_factory=dict, repr=False)
    _rows_for: tuple | None = field(default=None, repr=False)
    _destinations: dict = field(default_factory=dict, repr=False)

    def releases_safety_stock(self, node_id: str) -> bool:
        """Whether the policy lets allocation promise this node's safety stock (stores', when
        `keep_store_safety_stock` is off; warehouses always keep theirs), so the OMS reserves it too."""
        if self.policy.keep_store_safety_stock:
            return False
        return node_id in self._store_ids

    @cached_property
    def _store_ids(self) -> frozenset[str]:
        return frozenset(n.node_id for n in self.matrix.network.nodes if _kind_of(n) == "store")

    def problem(self, orders: list[Order], levels: list[StockLevel], now: datetime) -> AllocationProblem:
        nodes = self.node_states()
        return AllocationProblem(orders=tuple(self.order(o) for o in orders), nodes=nodes,
                                 stock=self.stock(levels, {ln.sku_code for o in orders for ln in o.lines}),
                                 lanes=MatrixLanes(self.matrix, now),
                                 policy=self.policy, weights=self.weights, now=now)

    def node_states(self) -> tuple[NodeState, ...]:
        """Every node as the engine sees it; rebuilt only when capacity use, learnt rejection
        rates or outages changed since the last call."""
        changed = [node for node in self.matrix.network.nodes if self._state_key(node) != self._keys.get(node.node_id)]
        if changed or not self._nodes:
            for node in changed:
                self._states[node.node_id], self._keys[node.node_id] = self._node_state(node), self._state_key(node)
            self._nodes = tuple(self._states[n.node_id] for n in self.matrix.network.nodes)
        return self._nodes

    def _state_key(self, node) -> tuple:
        return (self.parcels_today.get(node.node_id, 0), id(self.rejection_rates.get(node.node_id)),
                node.node_id in self.down_nodes)

    def _node_state(self, node) -> NodeState:
        kind = _kind_of(node)
        down = node.node_id in self.down_nodes
        return NodeState(
            node_id=node.node_id, kind=kind, owner=getattr(node.owner, "value", node.owner),
            city=node.city_adcode, ship_to_home=node.ship_to_home, is_open=not down,
            eligible=(kind != "store" or node.ship_to_home) and not down,
            remaining_parcels=max(0, node.daily_order_capacity - self.parcels_today.get(node.node_id, 0)),
            handover_lead_hours=0.0,  # MatrixLanes takes the hand-over time off per lane's mode
            rejection_rate=dict(self.rejection_rates.get(node.node_id, {})))

    def order(self, order: Order) -> OrderToAllocate:
        open_qty = order.open_quantities()
        lines = tuple(LineToAllocate(line_id=str(ln.line_no), sku=ln.sku_code, quantity=open_qty[ln.line_no],
                                     unit_value_fen=ln.paid_fen // max(ln.quantity, 1),
                                     sku_family=self._family(ln.sku_code))
                      for ln in order.lines if ln.line_no in open_qty)
        return OrderToAllocate(order_id=str(order.id), channel=order.channel, lines=lines,
                               destination=self._destination(self._district(order)), paid_at=order.paid_at,
                               promise_at=order.promised_by,
                               excluded_nodes=frozenset(r.node_id for r in order.rejections))

    def _destination(self, district: int) -> Destination:
        """One (immutable) destination per district, made once."""
        found = self._destinations.get(district)
        if found is None:
            found = self._destinations[district] = Destination(
                district=district, city=self.matrix.geography.districts[district].city_adcode)
        return found

    def stock(self, levels: StockSnapshot | list[StockLevel], ordered_skus: set[str]) -> Stock:
        """Units per node × ordered SKU before safety stock (the policy decides whose safety stock
        holds); every ordered SKU has a column, held nowhere if no node has it. Levels of other SKUs, or
        at nodes outside the network, play no part."""
        snap = levels if isinstance(levels, StockSnapshot) else StockSnapshot.of_levels(levels, ordered_skus)
        skus = tuple(sorted(ordered_skus))
        at_sku = {sku: i for i, sku in enumerate(snap.sku_codes)}
        cols = np.array([at_sku.get(sku, -1) for sku in skus], dtype=np.int64)
        rows = self._rows_in(snap.node_ids)  # per network node: its row in the snapshot, -1 if none
        r_in, c_in = np.flatnonzero(rows >= 0), np.flatnonzero(cols >= 0)
        free = np.maximum(snap.on_hand - snap.reserved, 0)
        atp = np.zeros((len(self.matrix.node_ids), len(skus)), dtype=np.int64)
        safety = np.zeros_like(atp)
        if snap.sku_codes == skus and len(rows) == len(snap.node_ids) and (rows == np.arange(len(rows))).all():
            atp[:], safety[:] = free, snap.safety  # the usual case: laid out as the network already
        else:
            atp[np.ix_(r_in, c_in)] = free[np.ix_(rows[r_in], cols[c_in])]
            safety[np.ix_(r_in, c_in)] = snap.safety[np.ix_(rows[r_in], cols[c_in])]
        return Stock(tuple(self.matrix.node_ids), skus, atp, safety)

    def _rows_in(self, node_ids: tuple[str, ...]) -> np.ndarray:
        """Each network node's row among `node_ids` (-1: absent); the last answer is kept, as
        snapshots of one store list the same nodes wave after wave."""
        if self._rows_for is None or self._rows_for[0] != node_ids:
            at = {node_id: i for i, node_id in enumerate(node_ids)}
            self._rows_for = (node_ids, np.array([at.get(n, -1) for n in self.matrix.node_ids], dtype=np.int64))
        return self._rows_for[1]

    def _family(self, sku_code: str) -> str:
        return self.catalogue.skus[sku_code].category if sku_code in self.catalogue.skus else "*"

    def _district(self, order: Order) -> int:
        geo = self.matrix.geography
        adcode = order.address.adcode
        if adcode and adcode in geo.district_index:
            return geo.district_index[adcode]
        from warehouses.geography import resolve_address  # an order stored without coordinates

        place = resolve_address(order.address.province, order.address.city, order.address.district, geography=geo)
        return geo.district_index[place.adcode]


def _kind_of(node) -> str:
    """A network node's kind as the engine names it ("store", "rdc", "cloud")."""
    return node.kind.value if hasattr(node.kind, "value") else str(node.kind)
