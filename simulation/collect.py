"""The run's records, read from the OMS's store at the end (what the OMS recorded) and joined with
what only the simulator saw (pick start, queue wait, transit mode)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from oms.lifecycle import STATUS_TEXT, OrderStatus, ShipmentStatus
from oms.orders import CHANNELS, Order
from simulation.records import NodeRecord, OrderRecord, ShipmentRecord
from warehouses.regions import region_of

if TYPE_CHECKING:  # pragma: no cover
    from simulation.state import Sim, Ticket

DELIVERED = {OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED}
SHIPPED = {ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED}
_UNFULFILLED = {
    OrderStatus.RECEIVED: "not allocated by the horizon",
    OrderStatus.REALLOCATING: "waiting for re-allocation at the horizon",
    OrderStatus.ALLOCATED: "at the node at the horizon",
    OrderStatus.PICKING: "at the node at the horizon",
    OrderStatus.PACKED: "at the node at the horizon",
    OrderStatus.SHIPPED: "in transit at the horizon",
}


def order_records(sim: "Sim") -> tuple[list[OrderRecord], list[ShipmentRecord]]:
    orders, shipments = [], []
    places = _Places(sim)
    start = sim.clock.start.timestamp()
    for order_id, state in sim.orders.items():
        order = sim.gateway.stored(order_id)
        tickets = {t.shipment_no: t for t in state.tickets}
        orders.append(_order_record(sim, order, tickets, places, start))
        shipments += [_shipment_record(sim, order, s, tickets.get(s.shipment_no), start) for s in order.shipments]
    orders += [_refused_record(sim, k, why) for k, why in sim.refused]
    return orders, shipments


def node_records(sim: "Sim", horizon_min: float) -> list[NodeRecord]:
    """Per node: its pickers, the picker-hours on duty while open (all pickers × open hours, or with
    shifts the on-duty pickers summed over time) and the busy picker-hours — utilisation's terms."""
    return [NodeRecord(f.node.node_id, f.kind, f.node.region, f.node.pickers,
                       f.staffed_picker_minutes(horizon_min) / 60, f.busy_minutes / 60, f.shipments,
                       f.rejected_lines) for f in sim.floors.values()]


class _Places:
    """Region and city tier per district code, looked up once each."""

    def __init__(self, sim: "Sim"):
        self.geo, self.found = sim.world.geography, {}

    def __call__(self, adcode: str | None) -> tuple[str, int]:
        if adcode not in self.found:
            geo = self.geo
            tier = geo.city(geo.district(adcode).city_adcode).tier if adcode in geo.district_index else 0
            self.found[adcode] = (region_of(adcode) if adcode else "", tier)
        return self.found[adcode]


def _h(moment, start: float) -> float | None:
    """Hours from the run's start (`start` as a POSIX timestamp)."""
    return None if moment is None else (moment.timestamp() - start) / 3600.0


def _order_record(sim: "Sim", order: Order, tickets: dict[int, "Ticket"], places: _Places, start) -> OrderRecord:
    floors = sim.floors
    parcels, kinds, created, delivered, shipping, handling = 0, set(), None, None, 0, 0
    for s in order.shipments:  # one pass: this runs for every order of a 100k-order day
        if s.created_at is not None and (created is None or s.created_at < created):
            created = s.created_at
        if not s.is_active:
            continue
        parcels += 1
        kinds.add(floors[s.node_id].kind if s.node_id in floors else "unknown")
        if s.delivered_at is not None and (delivered is None or s.delivered_at > delivered):
            delivered = s.delivered_at
        if s.status in SHIPPED and s.explanation:
            cost = s.explanation.get("cost", _NO_COST)
            shipping += int(cost.get("shipping_fen", 0))
            handling += int(cost.get("handling_fen", 0))
    outcome, reason = _outcome(order)
    region, tier = places(order.address.adcode)
    return OrderRecord(
        order.id, order.channel, region, tier, _h(order.paid_at, start), outcome, reason, STATUS_TEXT[order.status],
        _h(delivered, start) if outcome == "delivered" else None, _h(created, start),
        sum([ln.quantity for ln in order.lines]), len(order.lines), parcels,
        (kinds.pop() if len(kinds) == 1 else "mixed") if kinds else "none", len(order.rejections),
        sum([t.reallocated for t in tickets.values()]), shipping, handling)


_NO_COST: dict = {}


def _outcome(order: Order) -> tuple[str, str]:
    if order.status in DELIVERED:
        return "delivered", ""
    if order.status == OrderStatus.CANCELLED:
        why = next((a.reason for a in reversed(order.audit) if a.to_status == OrderStatus.CANCELLED.value), "")
        return "cancelled", why
    if order.status == OrderStatus.BACKORDERED:
        return "unfulfilled", "back-ordered: " + _backorder_causes(order.backorder_reason or "")
    return "unfulfilled", _UNFULFILLED.get(order.status, order.status.value)


def _backorder_causes(text: str) -> str:
    """"cannot ship now — line 1 (S…) × 1: no stock; line 2 …: capacity exhausted" → "capacity exhausted, no stock"."""
    causes = sorted(set(re.findall(r":\s*([a-z ]+?)(?:;|$)", text)))
    return ", ".join(causes) or "no reason given"


def _shipment_record(sim: "Sim", order: Order, s, t: "Ticket | None", start) -> ShipmentRecord:
    queue = None if t is None or t.pick_start_min is None or t.accepted_min is None else \
        (t.pick_start_min - t.accepted_min) / 60
    floor = sim.floors.get(s.node_id)
    return ShipmentRecord(
        order.id, s.shipment_no, s.node_id, floor.kind if floor else "unknown",
        t.mode if t is not None else (s.mode or ""), STATUS_TEXT[s.status], _h(s.created_at, start), _h(s.accepted_at, start),
        None if t is None or t.pick_start_min is None else t.pick_start_min / 60,
        None if t is None or t.packed_min is None else t.packed_min / 60, _h(s.shipped_at, start),
        _h(s.delivered_at, start), queue, sum(ln.quantity for ln in s.lines),
        sum(1 for r in order.rejections if r.shipment_no == s.shipment_no) if order.rejections else 0)


def _refused_record(sim: "Sim", k: int, why: str) -> OrderRecord:
    d = sim.demand
    district = int(d.district[k])
    adcode = sim.world.geography.districts[district].adcode if district >= 0 else ""
    lines = range(d.line_start[k], d.line_start[k + 1])
    return OrderRecord(
        order_id=0, channel=CHANNELS[int(d.channel[k])] if d.channel[k] >= 0 else "unknown",
        region=region_of(adcode) if adcode else "", city_tier=0, paid_h=float(d.paid_minute[k]) / 60,
        outcome="unfulfilled", reason=why, status="refused", delivered_h=None, first_allocated_h=None,
        units=int(sum(d.line_qty[i] for i in lines)), lines=len(lines), parcels=0, node_kind="none",
        rejected_lines=0, reallocations=0, shipping_fen=0, handling_fen=0)
