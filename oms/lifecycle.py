"""The order and shipment state machines, with the audit trail every change leaves.

Each legal move is listed explicitly; anything else raises `IllegalTransition`.
An order's status rolls up from its shipments (see `oms/orders.py`); a shipment
is the part of an order one node picks, packs and hands over.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from oms.exceptions import IllegalTransition


class OrderStatus(StrEnum):
    RECEIVED = "received"
    BACKORDERED = "backordered"  # no node can ship (some of) it now; customer service can read why
    ALLOCATED = "allocated"
    PICKING = "picking"
    PACKED = "packed"
    REALLOCATING = "reallocating"  # a node rejected lines; they are looking for another node
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class ShipmentStatus(StrEnum):
    ALLOCATED = "allocated"  # assigned to a node, waiting for the node to accept
    ACCEPTED = "accepted"
    PICKING = "picking"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"  # handed over to a rider or courier
    DELIVERED = "delivered"
    REJECTED = "rejected"  # the node could not ship it; its lines went back to allocation
    CANCELLED = "cancelled"


_O = OrderStatus
_BEFORE_SHIPMENT = {_O.RECEIVED, _O.BACKORDERED, _O.ALLOCATED, _O.PICKING, _O.PACKED, _O.REALLOCATING}

# While an order is being fulfilled its status is rolled up from its shipments, so the
# in-flight statuses may follow each other in any order (a line rejected at a store sends a
# picking order back to reallocating, a partial back-order can become picking, and so on).
_IN_FLIGHT = frozenset({_O.ALLOCATED, _O.PICKING, _O.PACKED, _O.REALLOCATING, _O.BACKORDERED})

ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    _O.RECEIVED: frozenset({_O.ALLOCATED, _O.BACKORDERED, _O.CANCELLED}),
    **{status: (_IN_FLIGHT - {status}) | {_O.SHIPPED, _O.CANCELLED} for status in _IN_FLIGHT},
    _O.SHIPPED: frozenset({_O.DELIVERED}),
    _O.DELIVERED: frozenset({_O.RETURN_REQUESTED}),
    _O.RETURN_REQUESTED: frozenset({_O.RETURNED, _O.DELIVERED}),
    _O.RETURNED: frozenset(),
    _O.CANCELLED: frozenset(),
}

_S = ShipmentStatus
SHIPMENT_TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    _S.ALLOCATED: frozenset({_S.ACCEPTED, _S.REJECTED, _S.CANCELLED}),
    _S.ACCEPTED: frozenset({_S.PICKING, _S.PICKED, _S.REJECTED, _S.CANCELLED}),
    _S.PICKING: frozenset({_S.PICKED, _S.REJECTED, _S.CANCELLED}),
    _S.PICKED: frozenset({_S.PACKED, _S.REJECTED, _S.CANCELLED}),
    _S.PACKED: frozenset({_S.SHIPPED, _S.REJECTED, _S.CANCELLED}),
    _S.SHIPPED: frozenset({_S.DELIVERED}),
    _S.DELIVERED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.CANCELLED: frozenset(),
}

class ReturnStatus(StrEnum):
    REQUESTED = "requested"  # the customer asked; a courier picks the parcel up at the door
    RECEIVED = "received"  # back at a node: restocked or written off, refund recorded


CANCELLABLE_ORDER_STATUSES = frozenset(_BEFORE_SHIPMENT)
OPEN_SHIPMENT_STATUSES = frozenset({_S.ALLOCATED, _S.ACCEPTED, _S.PICKING, _S.PICKED, _S.PACKED})
INACTIVE_SHIPMENT_STATUSES = frozenset({_S.REJECTED, _S.CANCELLED})  # lines no longer placed there

# Each status as the plain string its enum holds, looked up rather than converted: `str()` of an enum
# member makes a new string, and audit entries and run records hold millions of them.
STATUS_TEXT = {status: status._value_ for kind in (OrderStatus, ShipmentStatus, ReturnStatus) for status in kind}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of an order's history: who moved what from which state to which, when and why."""

    at: datetime
    actor: str
    subject: str  # "order" or "shipment:<id>" or "return:<id>"
    from_status: str | None
    to_status: str
    reason: str


def check_order_transition(current: OrderStatus, target: OrderStatus) -> None:
    if target not in ORDER_TRANSITIONS[current]:
        raise IllegalTransition(
            f"order cannot go from {current.value} to {target.value}", current=current.value, requested=target.value
        )


def check_shipment_transition(current: ShipmentStatus, target: ShipmentStatus) -> None:
    if target not in SHIPMENT_TRANSITIONS[current]:
        raise IllegalTransition(
            f"shipment cannot go from {current.value} to {target.value}", current=current.value, requested=target.value
        )
