"""Shipments a store ignored: not accepted in time, or accepted and then not picked in time.

They are taken away from the store exactly as if it had rejected them (reason `store_ignored`:
the reservation is released, the stock stays as it was) and go back through allocation, which
will not send them to that store again. Run it every few minutes (`POST /ops/escalate`, or call
`escalate_overdue` from a scheduler or the command line).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from oms import pick_pack
from oms.allocating import Allocator, Planner
from oms.lifecycle import ShipmentStatus
from oms.orders import Shipment
from oms.rejecting import Reallocation, reallocate
from oms.unit_of_work import AbstractUnitOfWork

ACTOR = "escalation"


@dataclass(frozen=True)
class EscalationReport:
    escalated: tuple[str, ...]  # shipment ids taken away from their node
    reallocation: Reallocation | None


def escalate_overdue(uow: AbstractUnitOfWork, now: datetime, accept_deadline_minutes: int,
                     pick_deadline_minutes: int, planner: Planner | None,
                     allocator: Allocator | None) -> EscalationReport:
    """Take every overdue shipment away from its node (one transaction each), then reallocate them."""
    allocated_before = now - timedelta(minutes=accept_deadline_minutes)
    accepted_before = now - timedelta(minutes=pick_deadline_minutes)
    with uow:
        stale = uow.orders.stale_shipments(allocated_before, accepted_before)
    escalated, orders = [], set()
    for order_id, shipment_no in stale:
        if _escalate_one(uow, order_id, shipment_no, now, allocated_before, accepted_before):
            escalated.append(f"{order_id}-{shipment_no}")
            orders.add(order_id)
    if not orders:
        return EscalationReport((), None)
    outcome = reallocate(sorted(orders), uow, planner=planner, allocator=allocator, now=now, actor=ACTOR)
    return EscalationReport(tuple(escalated), outcome)


def _escalate_one(uow: AbstractUnitOfWork, order_id: int, shipment_no: int, now: datetime,
                  allocated_before: datetime, accepted_before: datetime) -> bool:
    """Re-check under lock: the store may have picked it up since the list was read. Stock rows are
    locked before the order, as everywhere else."""
    with uow:
        shipment = _shipment(uow, order_id, shipment_no)
        keys = {(shipment.node_id, line.sku_code) for line in shipment.lines} if shipment else set()
    if shipment is None:
        return False
    with uow:
        levels = uow.stock.get_many(keys)
        order = uow.orders.get(order_id)
        shipment = order.shipment(shipment_no)
        if not _overdue(shipment, allocated_before, accepted_before):
            return False
        pick_pack.reject(order, shipment, None, "store_ignored", levels, at=now, actor=ACTOR)
        for level in levels.values():
            uow.stock.save(level)
        uow.orders.save(order)
        uow.commit()
    return True


def _shipment(uow: AbstractUnitOfWork, order_id: int, shipment_no: int) -> Shipment | None:
    order = uow.orders.get(order_id)
    return next((s for s in order.shipments if s.shipment_no == shipment_no), None) if order else None


def _overdue(shipment: Shipment, allocated_before: datetime, accepted_before: datetime) -> bool:
    if shipment.status == ShipmentStatus.ALLOCATED:
        return shipment.created_at is not None and shipment.created_at < allocated_before
    if shipment.status == ShipmentStatus.ACCEPTED:
        return (shipment.accepted_at or shipment.created_at) < accepted_before
    return False
