"""What a node's staff do with a shipment: accept it, pick it (scanning each unit), pack it, hand it
to a rider or courier — or reject (part of) it when the units are not there. A warehouse's WMS
reports picking, packing and hand-over in one outbound confirmation instead.

Pure rules on the order aggregate; `oms/pos.py` wraps them in transactions with stock and
idempotency. Every change leaves an audit entry; anything the lifecycle forbids raises
`IllegalTransition` carrying the shipment's current status.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oms.exceptions import IllegalTransition, InvalidAction, InvalidStockMovement
from oms.inventory import StockLevel
from oms.lifecycle import ShipmentStatus
from oms.orders import Order, Rejection, Shipment, ShipmentLine, shipment_subject

_S = ShipmentStatus

NEXT_ACTION = {_S.ALLOCATED: "accept", _S.ACCEPTED: "pick", _S.PICKING: "pick", _S.PICKED: "pack",
               _S.PACKED: "handover"}

# Why a node gives lines back. The first three come from store staff; `store_ignored` from escalation.
REJECT_REASONS = ("out_of_stock", "damaged", "store_closing", "store_ignored")
STAFF_REJECT_REASONS = REJECT_REASONS[:3]
# The units were not on the shelf (inventory inaccuracy) or cannot be sold: on-hand goes down too.
_STOCK_GONE = {"out_of_stock": "units were not there", "damaged": "units written off as damaged"}


@dataclass(frozen=True)
class Scan:
    """Staff scanned `quantity` units of `sku_code` for a line (the line is found by SKU when not given)."""

    sku_code: str
    quantity: int
    line_no: int | None = None


def accept(order: Order, shipment: Shipment, *, at: datetime, actor: str) -> None:
    order.move_shipment(shipment, _S.ACCEPTED, at=at, actor=actor, reason="node accepted the shipment")
    shipment.accepted_at = at


def pick(order: Order, shipment: Shipment, scans: list[Scan], *, at: datetime, actor: str) -> None:
    """Count scanned units against the lines; all or nothing, so a bad scan changes nothing."""
    _require(shipment, {_S.ACCEPTED, _S.PICKING}, _S.PICKING)
    picked = {line.line_no: line.picked_qty for line in shipment.lines}
    for i, scan in enumerate(scans):
        line = _line_for(shipment, scan, picked, i)
        remaining = line.quantity - picked[line.line_no]
        if scan.quantity > remaining:
            raise InvalidAction(f"line {line.line_no} ({line.sku_code}) needs {remaining} more, "
                                f"{scan.quantity} scanned", field=f"lines[{i}].quantity")
        picked[line.line_no] += scan.quantity
    for line in shipment.lines:
        line.picked_qty = picked[line.line_no]
    what = ", ".join(f"{s.sku_code} × {s.quantity}" for s in scans)
    target = _S.PICKED if _fully_picked(shipment) else _S.PICKING
    if target == shipment.status:
        order.record(at, actor, shipment_subject(shipment.shipment_no), shipment.status, target, f"picked {what}")
    else:
        order.move_shipment(shipment, target, at=at, actor=actor, reason=f"picked {what}")
    order.roll_up(at=at, actor=actor, reason=f"shipment {shipment.shipment_no} {target.value}")


def pack(order: Order, shipment: Shipment, *, parcel_count: int, weight_g: int, at: datetime, actor: str) -> None:
    order.move_shipment(shipment, _S.PACKED, at=at, actor=actor,
                        reason=f"packed in {parcel_count} parcel(s), {weight_g} g")
    shipment.parcel_count, shipment.weight_g = parcel_count, weight_g
    order.roll_up(at=at, actor=actor, reason=f"shipment {shipment.shipment_no} packed")


def hand_over(order: Order, shipment: Shipment, levels: dict[tuple[str, str], StockLevel], *, by: str,
              carrier: str, tracking_no: str, at: datetime, actor: str) -> None:
    """The parcel leaves the node: its reservation and on-hand units are consumed."""
    order.move_shipment(shipment, _S.SHIPPED, at=at, actor=actor,
                        reason=f"handed over to {by} {carrier}, tracking {tracking_no}")
    for line in shipment.lines:
        _level(levels, shipment.node_id, line.sku_code).ship(line.quantity)
    shipment.carrier, shipment.tracking_no, shipment.shipped_at = carrier, tracking_no, at
    order.roll_up(at=at, actor=actor, reason=f"shipment {shipment.shipment_no} handed over")


def confirm_outbound(order: Order, shipment: Shipment, levels: dict[tuple[str, str], StockLevel], *,
                     picked_at: datetime, packed_at: datetime, parcel_count: int, weight_g: int, by: str,
                     carrier: str, tracking_no: str, at: datetime, actor: str) -> None:
    """A warehouse's outbound confirmation: its WMS picked and packed the shipment (at the times it
    reports) and handed it over now, all in one message. A shipment the WMS never acknowledged is
    accepted as picking began; steps the node already reported are not repeated. The reported times
    must follow the allocation (or acceptance) and each other."""
    _require(shipment, {_S.ALLOCATED, _S.ACCEPTED, _S.PICKING, _S.PICKED, _S.PACKED}, _S.SHIPPED)
    since = shipment.accepted_at or shipment.created_at
    if since is not None and picked_at < since:
        raise InvalidAction(f"picked_at {picked_at.isoformat()} is before the shipment was "
                            f"{'accepted' if shipment.accepted_at else 'allocated'} ({since.isoformat()})",
                            field="picked_at")
    if not picked_at <= packed_at <= at:
        raise InvalidAction("times must run picked_at <= packed_at <= now",
                            field="picked_at" if picked_at > packed_at else "packed_at")
    # The shipment's own steps keep their times; the order learns of them at once (one roll-up).
    if shipment.status == _S.ALLOCATED:
        order.move_shipment(shipment, _S.ACCEPTED, at=picked_at, actor=actor, reason="warehouse accepted the shipment")
        shipment.accepted_at = picked_at
    if shipment.status in (_S.ACCEPTED, _S.PICKING):
        what = ", ".join(f"{ln.sku_code} × {ln.quantity - ln.picked_qty}" for ln in shipment.lines
                         if ln.quantity > ln.picked_qty)
        for line in shipment.lines:
            line.picked_qty = line.quantity
        order.move_shipment(shipment, _S.PICKED, at=picked_at, actor=actor, reason=f"picked {what}")
    if shipment.status == _S.PICKED:
        order.move_shipment(shipment, _S.PACKED, at=packed_at, actor=actor,
                            reason=f"packed in {parcel_count} parcel(s), {weight_g} g")
        shipment.parcel_count, shipment.weight_g = parcel_count, weight_g
    hand_over(order, shipment, levels, by=by, carrier=carrier, tracking_no=tracking_no, at=at, actor=actor)


def deliver(order: Order, shipment: Shipment, *, at: datetime, actor: str) -> None:
    """The carrier confirmed delivery; confirming twice changes nothing."""
    if shipment.status == _S.DELIVERED:
        return
    order.move_shipment(shipment, _S.DELIVERED, at=at, actor=actor, reason="carrier confirmed delivery")
    shipment.delivered_at = at
    order.roll_up(at=at, actor=actor, reason=f"shipment {shipment.shipment_no} delivered")


def reject(order: Order, shipment: Shipment, wanted: list[tuple[int, int | None]] | None, reason: str,
           levels: dict[tuple[str, str], StockLevel], *, at: datetime, actor: str) -> list[Rejection]:
    """Give lines back: `wanted` is (line_no, quantity or None for all of it), or None for the whole
    shipment. Releases the reservation, lowers on-hand when the units were not there, and leaves
    the order reallocating (allocation is the caller's next step)."""
    if reason not in REJECT_REASONS:
        raise InvalidAction(f"reason must be one of {', '.join(REJECT_REASONS)}, got {reason!r}", field="reason")
    if not shipment.is_open:
        raise IllegalTransition(f"shipment cannot go from {shipment.status.value} to rejected",
                                current=shipment.status.value, requested=_S.REJECTED.value)
    quantities = _rejected_quantities(shipment, wanted)
    rejections = [Rejection(shipment.node_id, shipment.shipment_no, line.line_no, line.sku_code,
                            quantities[line.line_no], reason, at)
                  for line in shipment.lines if line.line_no in quantities]
    stock_note = _move_stock(shipment.node_id, rejections, reason, levels)
    what = ", ".join(f"line {r.line_no} ({r.sku_code}) × {r.quantity}" for r in rejections)
    why = f"{reason.replace('_', ' ')}: {what}{stock_note}"
    if all(quantities.get(line.line_no, 0) == line.quantity for line in shipment.lines):
        order.move_shipment(shipment, _S.REJECTED, at=at, actor=actor,
                            reason=f"node {shipment.node_id} rejected — {why}")
        shipment.reject_reason = reason
    else:
        _shrink(order, shipment, quantities, at=at, actor=actor, why=why)
    order.rejections.extend(rejections)
    order.roll_up(at=at, actor=actor, reason=f"node {shipment.node_id} rejected {what}; looking for another node")
    return rejections


def _rejected_quantities(shipment: Shipment, wanted) -> dict[int, int]:
    if wanted is None:
        return {line.line_no: line.quantity for line in shipment.lines}
    lines = {line.line_no: line for line in shipment.lines}
    quantities: dict[int, int] = {}
    for i, (line_no, qty) in enumerate(wanted):
        if line_no not in lines:
            raise InvalidAction(f"shipment {shipment.shipment_no} has no line {line_no}", field=f"lines[{i}].line_no")
        if line_no in quantities:
            raise InvalidAction(f"line {line_no} is listed twice", field=f"lines[{i}].line_no")
        qty = lines[line_no].quantity if qty is None else qty
        if not 0 < qty <= lines[line_no].quantity:
            raise InvalidAction(f"line {line_no} holds {lines[line_no].quantity}, cannot reject {qty}",
                                field=f"lines[{i}].quantity")
        quantities[line_no] = qty
    return quantities


def _move_stock(node_id: str, rejections: list[Rejection], reason: str, levels) -> str:
    notes = []
    for r in rejections:
        level = _level(levels, node_id, r.sku_code)
        # Units promised beyond what is on hand are known to be gone already (a walk-in sale took them):
        # not found, they come off the reservation only, not off on-hand a second time.
        known_gone = max(0, level.reserved - level.on_hand) if reason == "out_of_stock" else 0
        level.release(r.quantity)
        if reason in _STOCK_GONE:
            before = level.on_hand
            level.recount(max(0, before - max(0, r.quantity - known_gone)))
            notes.append(f"{r.sku_code} on hand {before} → {level.on_hand}")
    return f" ({_STOCK_GONE[reason]}; {', '.join(notes)})" if notes else " (reservation released)"


def _shrink(order: Order, shipment: Shipment, quantities: dict[int, int], *, at, actor, why: str) -> None:
    """A partial rejection: the shipment keeps what the node can still ship."""
    kept: list[ShipmentLine] = []
    for line in shipment.lines:
        line.quantity -= quantities.get(line.line_no, 0)
        line.picked_qty = min(line.picked_qty, line.quantity)
        if line.quantity > 0:
            kept.append(line)
    shipment.lines = kept
    subject = shipment_subject(shipment.shipment_no)
    order.record(at, actor, subject, shipment.status, shipment.status, f"lines given back — {why}")
    if shipment.status == _S.PICKING and _fully_picked(shipment):
        order.move_shipment(shipment, _S.PICKED, at=at, actor=actor, reason="every remaining line is picked")


def _line_for(shipment: Shipment, scan: Scan, picked: dict[int, int], i: int) -> ShipmentLine:
    if scan.line_no is not None:
        line = next((ln for ln in shipment.lines if ln.line_no == scan.line_no), None)
        if line is None:
            raise InvalidAction(f"shipment {shipment.shipment_no} has no line {scan.line_no}",
                                field=f"lines[{i}].line_no")
        if line.sku_code != scan.sku_code:
            raise InvalidAction(f"wrong SKU: scanned {scan.sku_code}, line {line.line_no} is {line.sku_code}",
                                field=f"lines[{i}].sku")
        return line
    candidates = [ln for ln in shipment.lines if ln.sku_code == scan.sku_code]
    if not candidates:
        raise InvalidAction(f"wrong SKU: scanned {scan.sku_code}, shipment {shipment.shipment_no} holds "
                            f"{', '.join(ln.sku_code for ln in shipment.lines)}", field=f"lines[{i}].sku")
    return next((ln for ln in candidates if picked[ln.line_no] < ln.quantity), candidates[0])


def _level(levels: dict[tuple[str, str], StockLevel], node_id: str, sku_code: str) -> StockLevel:
    level = levels.get((node_id, sku_code))
    if level is None:
        raise InvalidStockMovement(f"node {node_id} has no stock record for {sku_code}; nothing is reserved there")
    return level


def _fully_picked(shipment: Shipment) -> bool:
    return all(line.picked_qty == line.quantity for line in shipment.lines)


def _require(shipment: Shipment, allowed: set[ShipmentStatus], requested: ShipmentStatus) -> None:
    if shipment.status not in allowed:
        raise IllegalTransition(f"shipment cannot go from {shipment.status.value} to {requested.value}",
                                current=shipment.status.value, requested=requested.value)
