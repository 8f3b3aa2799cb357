"""The order aggregate: one customer order from one channel, its lines, the
shipments nodes make of it, and its history.

An order is changed only through its methods, each of which checks the state
machine in `oms/lifecycle.py` and appends to the audit trail.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

from oms.lifecycle import (
    AuditEntry,
    INACTIVE_SHIPMENT_STATUSES,
    OPEN_SHIPMENT_STATUSES,
    OrderStatus,
    ReturnStatus,
    ShipmentStatus,
    STATUS_TEXT,
    check_order_transition,
    check_shipment_transition,
)
from oms.plain_data import frozen

CHANNELS = ("mall", "guide", "tmall", "jd", "vip", "douyin")
PLATFORM_CHANNELS = frozenset({"tmall", "jd", "vip", "douyin"})


@dataclass(frozen=True)
class Address:
    """Where the parcel goes. Receiver name and phone are opaque (often masked by the platform);
    the geo fields are filled when the province/city/district text is placed on the map at intake."""

    province: str
    city: str
    district: str
    detail: str
    receiver_name: str | None = None
    receiver_phone: str | None = None
    postcode: str | None = None
    adcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_precision: str | None = None  # "district" or "city"
    geo_fallback: bool = False  # True when the district was unknown and the city centre was used


@dataclass(frozen=True)
class OrderLine:
    """What the customer bought and paid; fixed once the order is placed."""

    line_no: int
    sku_code: str
    quantity: int
    unit_price_fen: int
    paid_fen: int
    channel_line_id: str | None = None


@dataclass
class ShipmentLine:
    line_no: int
    sku_code: str
    quantity: int
    picked_qty: int = 0


@dataclass
class Shipment:
    """The part of an order one node picks, packs and hands over as one parcel (or a few)."""

    shipment_no: int
    node_id: str
    lines: list[ShipmentLine]
    status: ShipmentStatus = ShipmentStatus.ALLOCATED
    created_at: datetime | None = None
    mode: str | None = None  # rider / express / linehaul
    cost_fen: int = 0
    explanation: dict = field(default_factory=dict)  # written once, when allocated; never changed after
    parcel_count: int | None = None
    weight_g: int | None = None
    carrier: str | None = None
    tracking_no: str | None = None
    reject_reason: str | None = None
    accepted_at: datetime | None = None
    shipped_at: datetime | None = None  # handed over to the rider or courier
    delivered_at: datetime | None = None

    def __post_init__(self) -> None:
        self.explanation = frozen(self.explanation)  # shared, not copied, by copies of the order

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SHIPMENT_STATUSES

    @property
    def is_active(self) -> bool:
        return self.status not in INACTIVE_SHIPMENT_STATUSES


@dataclass(frozen=True)
class Rejection:
    """A node saying it cannot ship (part of) a line: the order will not be sent back there, and the
    node's rejection rate teaches the allocator."""

    node_id: str
    shipment_no: int
    line_no: int
    sku_code: str
    quantity: int
    reason: str  # out_of_stock / damaged / store_closing / store_ignored
    at: datetime


@dataclass
class ReturnLine:
    line_no: int
    sku_code: str
    quantity: int
    condition: str | None = None  # "ok" (restocked) or "damaged" (written off), once received
    refund_fen: int = 0


@dataclass
class ReturnRequest:
    """A customer sending (part of) a delivered order back; a courier picks it up at the door."""

    return_no: int
    lines: list[ReturnLine]
    reason: str
    requested_at: datetime
    status: ReturnStatus = ReturnStatus.REQUESTED
    pickup_carrier: str | None = None
    received_at: datetime | None = None
    received_node_id: str | None = None

    @property
    def refund_fen(self) -> int:
        return sum(line.refund_fen for line in self.lines)


@functools.cache
def shipment_subject(shipment_no: int) -> str:
    """An audit subject, made once per shipment number: an order keeps a dozen audit entries and a
    simulated day a million."""
    return f"shipment:{shipment_no}"


# How far along a shipment is, for rolling the order's status up from its shipments.
_STAGE = {
    ShipmentStatus.ALLOCATED: OrderStatus.ALLOCATED,
    ShipmentStatus.ACCEPTED: OrderStatus.ALLOCATED,
    ShipmentStatus.PICKING: OrderStatus.PICKING,
    ShipmentStatus.PICKED: OrderStatus.PICKING,
    ShipmentStatus.PACKED: OrderStatus.PACKED,
    ShipmentStatus.SHIPPED: OrderStatus.SHIPPED,
    ShipmentStatus.DELIVERED: OrderStatus.DELIVERED,
}
_STAGE_RANK = {status: rank for rank, status in enumerate(
    [OrderStatus.ALLOCATED, OrderStatus.PICKING, OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED])}


@dataclass
class Order:
    channel: str
    channel_order_id: str
    fingerprint: str
    address: Address
    lines: list[OrderLine]
    paid_at: datetime
    promised_by: datetime
    received_at: datetime
    id: int | None = None
    channel_shop_id: str | None = None
    store_id: str | None = None
    guide_id: str | None = None
    customer_id: str | None = None
    channel_status: str | None = None
    presale: bool = False
    ship_after: datetime | None = None
    status: OrderStatus = OrderStatus.RECEIVED
    backorder_reason: str | None = None
    shipments: list[Shipment] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    returns: list[ReturnRequest] = field(default_factory=list)
    version: int = 0

    # ----- reading -----
    @property
    def total_paid_fen(self) -> int:
        return sum(line.paid_fen for line in self.lines)

    def line(self, line_no: int) -> OrderLine:
        for line in self.lines:
            if line.line_no == line_no:
                return line
        raise KeyError(line_no)

    def shipment(self, shipment_no: int) -> Shipment:
        for shipment in self.shipments:
            if shipment.shipment_no == shipment_no:
                return shipment
        raise KeyError(shipment_no)

    @property
    def rejected_nodes(self) -> frozenset[str]:
        """Nodes that said they cannot ship part of this order: allocation must look elsewhere."""
        return frozenset(r.node_id for r in self.rejections)

    @property
    def delivered_at(self) -> datetime | None:
        """When the last parcel arrived (the return window counts from here)."""
        moments = [s.delivered_at for s in self.shipments if s.is_active and s.delivered_at is not None]
        return max(moments) if moments else None

    def return_of(self, return_no: int) -> ReturnRequest:
        for request in self.returns:
            if request.return_no == return_no:
                return request
        raise KeyError(return_no)

    def returned_qty(self, line_no: int, *, received_only: bool = False) -> int:
        """Units of a line already asked back (or, with `received_only`, already back at a node)."""
        return sum(rl.quantity for r in self.returns if not received_only or r.status == ReturnStatus.RECEIVED
                   for rl in r.lines if rl.line_no == line_no)

    def open_quantities(self) -> dict[int, int]:
        """Quantity per line not yet in an active shipment: what allocation still has to place."""
        placed = self._placed()
        return {ln.line_no: ln.quantity - placed.get(ln.line_no, 0) for ln in self.lines
                if ln.quantity > placed.get(ln.line_no, 0)}

    def _placed(self) -> dict[int, int]:
        """Units per line in active shipments."""
        placed: dict[int, int] = {}
        for s in self.shipments:
            if s.is_active:
                for sl in s.lines:
                    placed[sl.line_no] = placed.get(sl.line_no, 0) + sl.quantity
        return placed

    # ----- changing -----
    def record(self, at: datetime, actor: str, subject: str, from_status, to_status, reason: str) -> None:
        before = None if from_status is None else STATUS_TEXT.get(from_status, from_status)
        self.audit.append(AuditEntry(at=at, actor=actor, subject=subject, from_status=before,
                                     to_status=STATUS_TEXT.get(to_status, to_status), reason=reason))

    def transition(self, target: OrderStatus, *, at: datetime, actor: str, reason: str) -> None:
        """Move the order to `target` if the lifecycle allows it; a no-op move is not recorded."""
        if target == self.status:
            return
        check_order_transition(self.status, target)
        self.record(at, actor, "order", self.status, target, reason)
        self.status = target

    def add_shipment(self, node_id: str, lines: list[tuple[int, int]], *, at: datetime, actor: str, reason: str,
                     mode: str | None = None, cost_fen: int = 0, explanation: dict | None = None) -> Shipment:
        """Assign (line_no, quantity) pairs to a node as one new shipment."""
        shipment = Shipment(
            shipment_no=len(self.shipments) + 1, node_id=node_id, created_at=at, mode=mode, cost_fen=cost_fen,
            explanation=explanation or {},
            lines=[ShipmentLine(line_no=no, sku_code=self.line(no).sku_code, quantity=qty) for no, qty in lines],
        )
        self.shipments.append(shipment)
        self.record(at, actor, shipment_subject(shipment.shipment_no), None, shipment.status,
                    f"{reason} → node {node_id}")
        return shipment

    def move_shipment(self, shipment: Shipment, target: ShipmentStatus, *, at: datetime, actor: str,
                      reason: str) -> None:
        check_shipment_transition(shipment.status, target)
        self.record(at, actor, shipment_subject(shipment.shipment_no), shipment.status, target, reason)
        shipment.status = target

    def rolled_up_status(self) -> OrderStatus:
        """The status the order's shipments imply (not applied; see `roll_up`)."""
        placed = self._placed()
        least = min((_STAGE[s.status] for s in self.shipments if s.status in _STAGE), key=_STAGE_RANK.__getitem__,
                    default=None)
        if least is None or any(ln.quantity > placed.get(ln.line_no, 0) for ln in self.lines):
            return OrderStatus.BACKORDERED if self.backorder_reason else OrderStatus.REALLOCATING
        return least

    def roll_up(self, *, at: datetime, actor: str, reason: str) -> None:
        if self.status in (OrderStatus.CANCELLED, OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED):
            return
        self.transition(self.rolled_up_status(), at=at, actor=actor, reason=reason)
