"""Mapping between table rows and the plain domain objects, both ways."""
from __future__ import annotations

from collections import defaultdict

from oms.inventory import StockLevel
from oms.lifecycle import AuditEntry, OrderStatus, ReturnStatus, ShipmentStatus
from oms.orders import Address, Order, OrderLine, Rejection, ReturnLine, ReturnRequest, Shipment, ShipmentLine

ADDRESS_FIELDS = ("province", "city", "district", "detail", "receiver_name", "receiver_phone", "postcode",
                  "adcode", "lat", "lon", "geo_precision", "geo_fallback")
ORDER_SCALARS = ("channel", "channel_order_id", "fingerprint", "paid_at", "promised_by", "received_at",
                 "channel_shop_id", "store_id", "guide_id", "customer_id", "channel_status", "presale",
                 "ship_after", "backorder_reason", "version")


def order_row(order: Order) -> dict:
    row = {name: getattr(order, name) for name in ORDER_SCALARS}
    row.update({name: getattr(order.address, name) for name in ADDRESS_FIELDS})
    row["status"] = order.status.value
    row["total_paid_fen"] = order.total_paid_fen
    return row


def line_rows(order: Order) -> list[dict]:
    return [dict(order_id=order.id, line_no=ln.line_no, sku_code=ln.sku_code, quantity=ln.quantity,
                 unit_price_fen=ln.unit_price_fen, paid_fen=ln.paid_fen, channel_line_id=ln.channel_line_id)
            for ln in order.lines]


def shipment_rows(order: Order) -> tuple[list[dict], list[dict]]:
    heads, lines = [], []
    for s in order.shipments:
        heads.append(dict(order_id=order.id, shipment_no=s.shipment_no, node_id=s.node_id, status=s.status.value,
                          created_at=s.created_at, mode=s.mode, cost_fen=s.cost_fen, explanation=s.explanation,
                          parcel_count=s.parcel_count, weight_g=s.weight_g, carrier=s.carrier,
                          tracking_no=s.tracking_no, reject_reason=s.reject_reason, accepted_at=s.accepted_at,
                          shipped_at=s.shipped_at, delivered_at=s.delivered_at))
        lines.extend(dict(order_id=order.id, shipment_no=s.shipment_no, line_no=sl.line_no, sku_code=sl.sku_code,
                          quantity=sl.quantity, picked_qty=sl.picked_qty) for sl in s.lines)
    return heads, lines


def audit_rows(order: Order, start: int) -> list[dict]:
    return [dict(order_id=order.id, seq=i, at=e.at, actor=e.actor, subject=e.subject, from_status=e.from_status,
                 to_status=e.to_status, reason=e.reason)
            for i, e in enumerate(order.audit[start:], start=start)]


def rejection_rows(order: Order, start: int) -> list[dict]:
    return [dict(order_id=order.id, seq=i, shipment_no=r.shipment_no, node_id=r.node_id, line_no=r.line_no,
                 sku_code=r.sku_code, quantity=r.quantity, reason=r.reason, at=r.at)
            for i, r in enumerate(order.rejections[start:], start=start)]


def return_rows(order: Order) -> tuple[list[dict], list[dict]]:
    heads = [dict(order_id=order.id, return_no=r.return_no, status=r.status.value, reason=r.reason,
                  requested_at=r.requested_at, pickup_carrier=r.pickup_carrier, received_at=r.received_at,
                  received_node_id=r.received_node_id) for r in order.returns]
    lines = [dict(order_id=order.id, return_no=r.return_no, line_no=ln.line_no, sku_code=ln.sku_code,
                  quantity=ln.quantity, condition=ln.condition, refund_fen=ln.refund_fen)
             for r in order.returns for ln in r.lines]
    return heads, lines


def _rejections_by_order(found) -> dict[int, list[Rejection]]:
    by_order = defaultdict(list)
    for r in sorted(found, key=lambda x: (x.order_id, x.seq)):
        by_order[r.order_id].append(Rejection(r.node_id, r.shipment_no, r.line_no, r.sku_code, r.quantity,
                                              r.reason, r.at))
    return by_order


def _returns_by_order(heads, lines) -> dict[int, list[ReturnRequest]]:
    rlines = defaultdict(list)
    for r in sorted(lines, key=lambda x: x.line_no):
        rlines[(r.order_id, r.return_no)].append(ReturnLine(r.line_no, r.sku_code, r.quantity, r.condition,
                                                            r.refund_fen))
    by_order = defaultdict(list)
    for r in sorted(heads, key=lambda x: (x.order_id, x.return_no)):
        by_order[r.order_id].append(ReturnRequest(
            return_no=r.return_no, lines=rlines[(r.order_id, r.return_no)], reason=r.reason,
            requested_at=r.requested_at, status=ReturnStatus(r.status), pickup_carrier=r.pickup_carrier,
            received_at=r.received_at, received_node_id=r.received_node_id))
    return by_order


def orders_from_rows(heads, lines, ships, ship_lines, audits, rejections=(), returns=(),
                     return_lines=()) -> list[Order]:
    """Rebuild orders from their rows (children may be for several orders, in any order)."""
    by_order = defaultdict(list)
    for r in lines:
        by_order[r.order_id].append(OrderLine(r.line_no, r.sku_code, r.quantity, r.unit_price_fen, r.paid_fen,
                                              r.channel_line_id))
    slines = defaultdict(list)
    for r in ship_lines:
        slines[(r.order_id, r.shipment_no)].append(ShipmentLine(r.line_no, r.sku_code, r.quantity, r.picked_qty))
    shipments = defaultdict(list)
    for r in ships:
        shipments[r.order_id].append(Shipment(
            shipment_no=r.shipment_no, node_id=r.node_id, status=ShipmentStatus(r.status),
            lines=sorted(slines[(r.order_id, r.shipment_no)], key=lambda x: x.line_no), created_at=r.created_at,
            mode=r.mode, cost_fen=r.cost_fen, explanation=r.explanation or {}, parcel_count=r.parcel_count,
            weight_g=r.weight_g, carrier=r.carrier, tracking_no=r.tracking_no, reject_reason=r.reject_reason,
            accepted_at=r.accepted_at, shipped_at=r.shipped_at, delivered_at=r.delivered_at))
    history = defaultdict(list)
    for r in sorted(audits, key=lambda x: (x.order_id, x.seq)):
        history[r.order_id].append(AuditEntry(r.at, r.actor, r.subject, r.from_status, r.to_status, r.reason))
    rejected, returned = _rejections_by_order(rejections), _returns_by_order(returns, return_lines)
    result = []
    for h in heads:
        m = h._mapping
        order = Order(
            id=h.id, status=OrderStatus(h.status),
            address=Address(**{name: m[name] for name in ADDRESS_FIELDS}),
            lines=sorted(by_order[h.id], key=lambda x: x.line_no),
            shipments=sorted(shipments[h.id], key=lambda x: x.shipment_no), audit=history[h.id],
            rejections=rejected[h.id], returns=returned[h.id],
            **{name: m[name] for name in ORDER_SCALARS})
        result.append(order)
    return result


def stock_from_row(r) -> StockLevel:
    return StockLevel(node_id=r.node_id, sku_code=r.sku_code, on_hand=r.on_hand, reserved=r.reserved,
                      safety_stock=r.safety_stock)
