"""Schemas of the store POS, carrier and returns endpoints (requests with limits, responses as plain data)."""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from api.schemas import local, shipment_id
from oms.exceptions import NotFound
from oms.orders import Order, Shipment
from oms.pick_pack import NEXT_ACTION

RequestId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$",
                                 description="made up by the client per action and re-sent unchanged on every retry")]
Quantity = Annotated[int, Field(ge=1, le=9_999)]
SkuCode = Annotated[str, Field(min_length=1, max_length=64, description="seller SKU code or barcode")]


class ActionRequest(BaseModel):
    request_id: RequestId


class PickLine(BaseModel):
    sku: SkuCode
    quantity: Quantity
    line_no: int | None = Field(None, ge=1, description="the shipment line; found by SKU when omitted")


class PickRequest(ActionRequest):
    lines: list[PickLine] = Field(min_length=1, max_length=200)


class PackRequest(ActionRequest):
    parcel_count: int = Field(1, ge=1, le=50)
    weight_g: int = Field(ge=1, le=100_000, description="total weight of the parcels in grams")


class HandoverRequest(ActionRequest):
    by: Literal["rider", "courier"]
    carrier: str = Field(min_length=1, max_length=32, description="e.g. sf-express, dada")
    tracking_no: str = Field(min_length=1, max_length=64)


class OutboundRequest(ActionRequest):
    """A warehouse's WMS: picked and packed in the warehouse, handed to the carrier now."""

    carrier: str = Field(min_length=1, max_length=32, description="e.g. sf-express, jd-logistics")
    tracking_no: str = Field(min_length=1, max_length=64)
    weight_g: int = Field(ge=1, le=100_000, description="total weight of the parcels in grams")
    parcel_count: int = Field(1, ge=1, le=50)
    picked_at: AwareDatetime | None = Field(None, description="when picking finished; packed_at when omitted")
    packed_at: AwareDatetime | None = Field(None, description="when packing finished; now when omitted")


class RejectLine(BaseModel):
    line_no: int = Field(ge=1)
    quantity: Quantity | None = Field(None, description="units given back; the whole line when omitted")


class RejectRequest(ActionRequest):
    reason: Literal["out_of_stock", "damaged", "store_closing"]
    lines: list[RejectLine] | None = Field(None, min_length=1, max_length=200,
                                           description="lines given back; the whole shipment when omitted")


class SaleLine(BaseModel):
    sku: SkuCode
    quantity: Quantity


class SaleRequest(BaseModel):
    receipt_id: RequestId
    lines: list[SaleLine] = Field(min_length=1, max_length=200)


class DeliveredRequest(BaseModel):
    carrier: str = Field(min_length=1, max_length=32, description="the carrier whose key is in X-Api-Key")
    delivered_at: AwareDatetime | None = None


class ReturnLineIn(BaseModel):
    line_no: int = Field(ge=1)
    quantity: Quantity


class ReturnCreate(BaseModel):
    reason: str = Field(min_length=1, max_length=200)
    lines: list[ReturnLineIn] | None = Field(None, min_length=1, max_length=200,
                                             description="order lines sent back; everything returnable when omitted")


class ReceiveLine(BaseModel):
    line_no: int = Field(ge=1)
    condition: Literal["ok", "damaged"]


class ReceiveRequest(ActionRequest):
    node_id: str = Field(min_length=1, max_length=32, description="the node receiving the parcel (its key)")
    condition: Literal["ok", "damaged"] = "ok"
    lines: list[ReceiveLine] = Field([], max_length=200, description="per-line conditions overriding `condition`")


_SHIPMENT_ID = re.compile(r"^(\d{1,18})-(\d{1,6})$")
_RETURN_ID = re.compile(r"^(\d{1,18})-R(\d{1,6})$")


def parse_shipment_id(text: str) -> tuple[int, int]:
    found = _SHIPMENT_ID.match(text)
    if not found:
        raise NotFound(f"shipment {text!r} not found (ids look like 1234-1)", field="shipment_id")
    return int(found[1]), int(found[2])


def parse_return_id(text: str) -> tuple[int, int]:
    found = _RETURN_ID.match(text)
    if not found:
        raise NotFound(f"return {text!r} not found (ids look like 1234-R1)", field="return_id")
    return int(found[1]), int(found[2])


def task_public(order: Order, shipment: Shipment) -> dict:
    """One shipment as the node's staff work it. There is no bin location master yet: the bin is the SKU code."""
    return {
        "shipment_id": shipment_id(order.id, shipment.shipment_no), "order_id": order.id,
        "shipment_no": shipment.shipment_no, "node_id": shipment.node_id, "status": shipment.status.value,
        "next_action": NEXT_ACTION.get(shipment.status), "order_status": order.status.value,
        "promised_by": local(order.promised_by), "mode": shipment.mode, "channel": order.channel,
        "channel_order_id": order.channel_order_id, "created_at": local(shipment.created_at),
        "accepted_at": local(shipment.accepted_at), "deliver_to": {"city": order.address.city,
                                                                  "district": order.address.district},
        "lines": [{"line_no": ln.line_no, "sku": ln.sku_code, "quantity": ln.quantity, "picked_qty": ln.picked_qty,
                   "bin": ln.sku_code} for ln in shipment.lines],
        "parcel_count": shipment.parcel_count, "weight_g": shipment.weight_g, "carrier": shipment.carrier,
        "tracking_no": shipment.tracking_no, "shipped_at": local(shipment.shipped_at),
        "reject_reason": shipment.reject_reason,
    }


def work_item_public(task) -> dict:
    """A task on the node's work list: the shipment, the time it must be packed by (the carrier pickup it
    must make, or the rider's deadline) and the minutes left until then (negative: overdue)."""
    return {**task_public(task.order, task.shipment), "pack_by": local(task.pack_by),
            "carrier_pickup": local(task.carrier_pickup), "minutes_left": task.minutes_left}


def node_day_public(day) -> dict:
    return {"node_id": day.node_id, "day": local(day.day_start).date().isoformat(), "handed_over": day.handed_over,
            "late_handed_over": day.late_handed_over, "rejected_shipments": day.rejected_shipments,
            "rejected_lines": day.rejected_lines, "escalated_lines": day.escalated_lines, "open": day.open,
            "open_past_promise": day.open_past_promise, "late": day.late}


def reallocation_public(outcome, order: Order, since_shipment_no: int) -> dict | None:
    """What happened to given-back lines: the new shipments, or the back-order reason."""
    if outcome is None:
        return None
    return {"status": outcome.status, "detail": outcome.detail, "order_status": order.status.value,
            "backorder_reason": order.backorder_reason,
            "new_shipments": [{"shipment_id": shipment_id(order.id, s.shipment_no), "node_id": s.node_id}
                              for s in order.shipments if s.shipment_no > since_shipment_no and s.is_active]}
