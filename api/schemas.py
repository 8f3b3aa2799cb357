"""Response and request schemas of the HTTP API (one family per resource)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from oms.money import fen_to_yuan

CST = ZoneInfo("Asia/Shanghai")
from oms.orders import Order


class AddressPublic(BaseModel):
    province: str
    city: str
    district: str
    detail: str
    receiver_name: str | None
    receiver_phone: str | None
    adcode: str | None
    lat: float | None
    lon: float | None
    geo_precision: str | None
    geo_fallback: bool


class LinePublic(BaseModel):
    line_no: int
    sku: str
    quantity: int
    unit_price_fen: int
    paid_fen: int
    paid_yuan: str


class ShipmentLinePublic(BaseModel):
    line_no: int
    sku: str
    quantity: int
    picked_qty: int


class ShipmentPublic(BaseModel):
    shipment_id: str
    shipment_no: int
    node_id: str
    status: str
    mode: str | None
    cost_fen: int
    lines: list[ShipmentLinePublic]
    carrier: str | None
    tracking_no: str | None
    reject_reason: str | None
    explanation: dict
    accepted_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None


class AuditPublic(BaseModel):
    at: datetime
    actor: str
    subject: str
    from_status: str | None
    to_status: str
    reason: str


class RejectionPublic(BaseModel):
    node_id: str
    shipment_no: int
    line_no: int
    sku: str
    quantity: int
    reason: str
    at: datetime


class OrderPublic(BaseModel):
    id: int
    channel: str
    channel_order_id: str
    status: str
    paid_at: datetime
    promised_by: datetime
    received_at: datetime
    channel_shop_id: str | None
    store_id: str | None
    guide_id: str | None
    customer_id: str | None
    presale: bool
    ship_after: datetime | None
    backorder_reason: str | None
    total_paid_fen: int
    total_paid_yuan: str
    address: AddressPublic
    lines: list[LinePublic]
    shipments: list[ShipmentPublic]
    audit: list[AuditPublic]
    rejections: list[RejectionPublic] = []
    returns: list[dict] = Field([], description="returns as `GET /returns/{return_id}` shows them")


class OrdersPublic(BaseModel):
    data: list[OrderPublic]
    count: int = Field(description="orders matching the filters, over all pages")
    limit: int
    offset: int


class CancelRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


def shipment_id(order_id: int, shipment_no: int) -> str:
    return f"{order_id}-{shipment_no}"


def local(moment: datetime | None) -> datetime | None:
    """Times are shown in China Standard Time, whatever the database returned them in."""
    return None if moment is None else moment.astimezone(CST)


def order_public(order: Order) -> dict:
    """The public view of an order, as plain JSON-able data (fast to serialise)."""
    a = order.address
    return {
        "id": order.id, "channel": order.channel, "channel_order_id": order.channel_order_id,
        "status": order.status.value, "paid_at": local(order.paid_at), "promised_by": local(order.promised_by),
        "received_at": local(order.received_at), "channel_shop_id": order.channel_shop_id, "store_id": order.store_id,
        "guide_id": order.guide_id, "customer_id": order.customer_id, "presale": order.presale,
        "ship_after": local(order.ship_after), "backorder_reason": order.backorder_reason,
        "total_paid_fen": order.total_paid_fen, "total_paid_yuan": fen_to_yuan(order.total_paid_fen),
        "address": {k: getattr(a, k) for k in AddressPublic.model_fields},
        "lines": [{"line_no": ln.line_no, "sku": ln.sku_code, "quantity": ln.quantity,
                   "unit_price_fen": ln.unit_price_fen, "paid_fen": ln.paid_fen, "paid_yuan": fen_to_yuan(ln.paid_fen)}
                  for ln in order.lines],
        "shipments": [{"shipment_id": shipment_id(order.id, s.shipment_no), "shipment_no": s.shipment_no,
                       "node_id": s.node_id, "status": s.status.value, "mode": s.mode, "cost_fen": s.cost_fen,
                       "lines": [{"line_no": sl.line_no, "sku": sl.sku_code, "quantity": sl.quantity,
                                  "picked_qty": sl.picked_qty} for sl in s.lines],
                       "carrier": s.carrier, "tracking_no": s.tracking_no, "reject_reason": s.reject_reason,
                       "explanation": s.explanation, "accepted_at": local(s.accepted_at),
                       "shipped_at": local(s.shipped_at), "delivered_at": local(s.delivered_at)}
                      for s in order.shipments],
        "audit": [{"at": local(e.at), "actor": e.actor, "subject": e.subject, "from_status": e.from_status,
                   "to_status": e.to_status, "reason": e.reason} for e in order.audit],
        "rejections": [{"node_id": r.node_id, "shipment_no": r.shipment_no, "line_no": r.line_no, "sku": r.sku_code,
                        "quantity": r.quantity, "reason": r.reason, "at": local(r.at)} for r in order.rejections],
        "returns": [return_public(order, r) for r in order.returns],
    }


def return_public(order: Order, request) -> dict:
    """A return as customer service and the receiving node see it."""
    from oms.returns import return_id

    return {
        "return_id": return_id(order.id, request.return_no), "order_id": order.id, "return_no": request.return_no,
        "status": request.status.value, "reason": request.reason, "requested_at": local(request.requested_at),
        "pickup": {"by": "courier", "carrier": request.pickup_carrier, "province": order.address.province,
                   "city": order.address.city, "district": order.address.district, "detail": order.address.detail},
        "lines": [{"line_no": ln.line_no, "sku": ln.sku_code, "quantity": ln.quantity, "condition": ln.condition,
                   "refund_fen": ln.refund_fen} for ln in request.lines],
        "received_at": local(request.received_at), "received_node_id": request.received_node_id,
        "refund_fen": request.refund_fen, "refund_yuan": fen_to_yuan(request.refund_fen),
        "order_status": order.status.value,
    }
