"""After the parcel leaves: the carrier's delivery callback, and returns (requested by customer
service within the return window, picked up by courier, received back at a node)."""
from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import ApiKeyHeader, ContextDep, check_key
from api.pos_schemas import DeliveredRequest, ReceiveRequest, ReturnCreate, parse_return_id, parse_shipment_id
from api.responses import JsonResponse
from api.schemas import order_public, return_public
from oms.returns import (ConfirmDelivery, ReceiveReturn, RequestReturn, confirm_delivery, get_return, receive_return,
                         request_return)

router = APIRouter(tags=["returns"])


def _now() -> datetime:
    return datetime.now(timezone.utc)


@router.post("/carrier/shipments/{shipment_id}/delivered")
async def delivered(shipment_id: str, body: DeliveredRequest, ctx: ContextDep, x_api_key: ApiKeyHeader = None):
    """A carrier confirms delivery of one of its parcels (with its own key); confirming again changes nothing."""
    check_key(x_api_key, body.carrier, ctx.settings.carrier_keys, "carrier")
    cmd = ConfirmDelivery(*parse_shipment_id(shipment_id), carrier=body.carrier, delivered_at=body.delivered_at)
    order = await run_in_threadpool(confirm_delivery, cmd, ctx.uow(), now=_now())
    return JsonResponse(order_public(order))


@router.post("/orders/{order_id}/returns", status_code=201)
async def create_return(order_id: int, body: ReturnCreate, ctx: ContextDep):
    """Ask for a return within `OMS_RETURN_WINDOW_DAYS` (7) of delivery; a courier picks it up at the
    delivery address. After the window: 409 `return_window_closed`."""
    lines = None if body.lines is None else tuple((ln.line_no, ln.quantity) for ln in body.lines)
    s = ctx.settings
    order, request = await run_in_threadpool(
        request_return, RequestReturn(order_id, body.reason, lines), ctx.uow(), now=_now(),
        window_days=s.return_window_days, pickup_carrier=s.return_pickup_carrier)
    return JsonResponse(return_public(order, request), status_code=201)


@router.post("/returns/{return_id}/receive")
async def receive(return_id: str, body: ReceiveRequest, ctx: ContextDep, x_api_key: ApiKeyHeader = None):
    """The parcel is back at a node (authenticated with that node's key): fit units are restocked
    there, damaged ones written off, and the refund (paid amount pro rata) recorded."""
    check_key(x_api_key, body.node_id, ctx.settings.node_keys, "node")
    order_id, return_no = parse_return_id(return_id)
    cmd = ReceiveReturn(body.node_id, order_id, return_no, body.request_id, body.condition,
                        tuple((ln.line_no, ln.condition) for ln in body.lines))
    order, request, replayed = await run_in_threadpool(receive_return, cmd, ctx.uow(), now=_now())
    return JsonResponse({**return_public(order, request), "replayed": replayed})


@router.get("/returns/{return_id}")
async def read_return(return_id: str, ctx: ContextDep):
    order, request = await run_in_threadpool(get_return, *parse_return_id(return_id), ctx.uow())
    return JsonResponse(return_public(order, request))
