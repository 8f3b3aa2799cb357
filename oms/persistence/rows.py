"""Mapping between table rows and the plain domain objects, both ways."""
from __future__ import annotations

from collections import defaultdict

from oms.inventory import StockLevel
from oms.lifecycle import AuditEntry, OrderStatus, ShipmentStatus
from oms.orders import Address, Order, OrderLine, Shipment, ShipmentLine

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
                          tracking_no=s.tracking_no, reject_reason=s.reject_reason))
        lines.extend(dict(order_id=order.id, shipment_no=s.shipment_no, line_no=sl.line_no, sku_code=sl.sku_code,
                          quantity=sl.quantity, picked_qty=sl.picked_qty) for sl in s.lines)
    return heads, lines


def audit_rows(order: Order, start: int) -> list[dict]:
    return [dict(order_id=order.id, seq=i, at=e.at, actor=e.actor, subject=e.subject, from_status=e.from_status,
                 to_status=e.to_status, reason=e.reason)
            for i, e in enumerate(order.audit[start:], start=start)]


def orders_from_rows(heads, lines, ships, ship_lines, audits) -> list[Order]:
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
            weight_g=r.weight_g, carrier=r.carrier, tracking_no=r.tracking_no, reject_reason=r.reject_reason))
    history = defaultdict(list)
    for r in sorted(audits, key=lambda x: (x.order_id, x.seq)):
        history[r.order_id].append(AuditEntry(r.at, r.actor, r.subject, r.from_status, r.to_status, r.reason))
    result = []
    for h in heads:
        m = h._mapping
        order = Order(
            id=h.id, status=OrderStatus(h.status),
            address=Address(**{name: m[name] for name in ADDRESS_FIELDS}),
            lines=sorted(by_order[h.id], key=lambda x: x.line_no),
            shipments=sorted(shipments[h.id], key=lambda x: x.shipment_no), audit=history[h.id],
            **{name: m[name] for name in ORDER_SCALARS})
        result.append(order)
    return result


def stock_from_row(r) -> StockLevel:
    return StockLevel(node_id=r.node_id, sku_code=r.sku_code, on_hand=r.on_hand, reserved=r.reserved,
                      safety_stock=r.safety_stock)
