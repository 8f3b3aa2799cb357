"""The store POS: a node's work list, the actions its staff take on a shipment, walk-in sales, and the
manager's view of the day. Each node authenticates with its own key (`X-Api-Key`) and sees only its
own shipments: another node's shipment is 404, another node's path is 403.

Every action carries a `request_id` the POS makes up and re-sends on retries: the same id and
body again answers the same and changes nothing; the same id with another body is 409.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Callable

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import ApiKeyHeader, ContextDep, check_key
from api.pos_schemas import (ActionRequest, HandoverRequest, OutboundRequest, PackRequest, PickRequest, RejectRequest,
                             SaleRequest, node_day_public, parse_shipment_id, reallocation_public, task_public,
                             work_item_public)
from api.responses import JsonResponse
from api.schemas import CST
from oms.escalation import escalate_overdue
from oms.pick_pack import Scan
from oms.pos import (AcceptShipment, ConfirmOutbound, HandOverShipment, PackShipment, PickShipment, ShipmentRef,
                     accept_shipment, confirm_outbound, hand_over_shipment, node_stats, node_tasks, pack_shipment,
                     pick_shipment)
from oms.rejecting import RejectShipment, reallocate, reject_shipment
from oms.sales import RecordSale, SaleLine, record_sale
from oms.services import get_order
from warehouses.handover import next_carrier_pickup
from warehouses.lanes import Mode
from warehouses.nodes import Node, NodeKind
from warehouses.transit import quote

router = APIRouter(tags=["store-pos"])
SHIPMENT = "/nodes/{node_id}/shipments/{shipment_id}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _ref(ctx, node_id: str, key: str | None, shipment_id: str) -> ShipmentRef:
    check_key(key, node_id, ctx.settings.node_keys, "node")
    return ShipmentRef(node_id, *parse_shipment_id(shipment_id))


def _allocation(ctx) -> dict:
    """The planner and allocator the server re-allocates with (None: leave it to the next wave)."""
    return {"planner": getattr(ctx, "planner", None), "allocator": getattr(ctx, "allocator", None)}


async def _act(ctx, service: Callable, cmd) -> JsonResponse:
    outcome = await run_in_threadpool(service, cmd, ctx.uow(), now=_now())
    return JsonResponse({**task_public(outcome.order, outcome.shipment), "replayed": outcome.replayed})


@router.get("/nodes/{node_id}/tasks")
async def tasks(node_id: str, ctx: ContextDep, x_api_key: ApiKeyHeader = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 200):
    """The node's open shipments, most urgent first, each with its lines, the next thing to do and
    `pack_by`: for express the node's carrier pickup the parcel must make (the last one that still
    keeps the promise, else the next one; also in `carrier_pickup`), for a same-city rider the promise
    less the ride. Sorted by `pack_by`, then promise, rider before express, allocation time;
    `minutes_left` counts down to `pack_by` (negative: overdue)."""
    check_key(x_api_key, node_id, ctx.settings.node_keys, "node")
    found = await run_in_threadpool(_node_tasks, ctx, node_id, _now(), limit)
    return JsonResponse({"node_id": node_id, "count": len(found), "data": [work_item_public(t) for t in found]})


def _node_tasks(ctx, node_id: str, now: datetime, limit: int) -> list:
    node = _node(ctx, node_id)
    if node is None:  # not in the network: carrier pickups and transit unknown, tasks are due by promise
        return node_tasks(node_id, ctx.uow(), now=now, limit=limit)
    return node_tasks(node_id, ctx.uow(), now=now, next_pickup=_pickups_at(node), transit=_transit_from(node, now),
                      limit=limit)


def _node(ctx, node_id: str) -> Node | None:
    network = ctx.network()
    return network.node(node_id) if node_id in network else None


def _pickups_at(node: Node) -> Callable[[datetime], datetime | None]:
    """The node's first carrier pickup once it can work on a parcel (open) at or after a moment."""
    def next_pickup(at: datetime) -> datetime | None:
        return next_carrier_pickup(node, node.next_open(at.astimezone(CST)))
    return next_pickup


def _transit_from(node: Node, now: datetime) -> Callable:
    """Median hand-over → delivery time from the node to a shipment's address by the shipment's mode
    (the transit model allocation prices with); None when the address is not on the map or the node
    cannot ship that way there."""
    known: dict[tuple, timedelta | None] = {}
    courier = Mode.LINEHAUL if node.kind is NodeKind.RDC else Mode.EXPRESS

    def transit(order, shipment) -> timedelta | None:
        address = order.address
        mode = Mode.RIDER if shipment.mode == "rider" else courier
        key = (address.adcode, address.lat, address.lon, mode)
        if key not in known:
            known[key] = None
            if address.adcode and address.lat is not None and address.lon is not None:
                try:
                    found = quote(node, address, now, order.promised_by, mode=mode)
                except (KeyError, ValueError):  # an adcode the transit model does not know
                    found = None
                if found is not None:
                    known[key] = timedelta(hours=found.transit.median_hours)
        return known[key]
    return transit


@router.post(SHIPMENT + "/accept")
async def accept(node_id: str, shipment_id: str, body: ActionRequest, ctx: ContextDep, x_api_key: ApiKeyHeader = None):
    """The node takes the shipment on."""
    cmd = AcceptShipment(_ref(ctx, node_id, x_api_key, shipment_id), body.request_id)
    return await _act(ctx, accept_shipment, cmd)


@router.post(SHIPMENT + "/pick")
async def pick(node_id: str, shipment_id: str, body: PickRequest, ctx: ContextDep, x_api_key: ApiKeyHeader = None):
    """Scanned units (SKU code or barcode) per line; a wrong SKU or more than the line holds is 422."""
    ref = _ref(ctx, node_id, x_api_key, shipment_id)
    catalogue = ctx.catalogue.current([ln.sku for ln in body.lines])
    scans = tuple(Scan(catalogue.get(ln.sku).code if ln.sku in catalogue else ln.sku, ln.quantity, ln.line_no)
                  for ln in body.lines)
    return await _act(ctx, pick_shipment, PickShipment(ref, body.request_id, scans))


@router.post(SHIPMENT + "/pack")
async def pack(node_id: str, shipment_id: str, body: PackRequest, ctx: ContextDep, x_api_key: ApiKeyHeader = None):
    cmd = PackShipment(_ref(ctx, node_id, x_api_key, shipment_id), body.request_id, body.parcel_count, body.weight_g)
    return await _act(ctx, pack_shipment, cmd)


@router.post(SHIPMENT + "/handover")
async def handover(node_id: str, shipment_id: str, body: HandoverRequest, ctx: ContextDep,
                   x_api_key: ApiKeyHeader = None):
    """The parcel leaves with a rider or courier: the stock it reserved leaves the node's books."""
    cmd = HandOverShipment(_ref(ctx, node_id, x_api_key, shipment_id), body.request_id, body.by, body.carrier,
                           body.tracking_no)
    return await _act(ctx, hand_over_shipment, cmd)


@router.post(SHIPMENT + "/outbound")
async def outbound(node_id: str, shipment_id: str, body: OutboundRequest, ctx: ContextDep,
                   x_api_key: ApiKeyHeader = None):
    """A warehouse's outbound confirmation (its WMS picks and packs in its own waves): picking, packing
    and hand-over to the courier in one message, with the times the WMS recorded."""
    cmd = ConfirmOutbound(_ref(ctx, node_id, x_api_key, shipment_id), body.request_id, body.carrier,
                          body.tracking_no, body.weight_g, body.parcel_count, body.picked_at, body.packed_at)
    return await _act(ctx, confirm_outbound, cmd)


@router.post(SHIPMENT + "/reject")
async def reject(node_id: str, shipment_id: str, body: RejectRequest, ctx: ContextDep, x_api_key: ApiKeyHeader = None):
    """Give back the whole shipment or some lines. The reservation is released, the node's stock is
    corrected when the units were not there, and the lines are re-allocated to another node at once
    (`reallocation` in the answer; the order's audit trail shows the path)."""
    lines = None if body.lines is None else tuple((ln.line_no, ln.quantity) for ln in body.lines)
    cmd = RejectShipment(_ref(ctx, node_id, x_api_key, shipment_id), body.request_id, body.reason, lines)
    return JsonResponse(await run_in_threadpool(_reject_and_reallocate, ctx, cmd))


def _reject_and_reallocate(ctx, cmd: RejectShipment) -> dict:
    now = _now()
    outcome = reject_shipment(cmd, ctx.uow(), now=now)
    before = max(s.shipment_no for s in outcome.order.shipments)
    moved = reallocate((cmd.target.order_id,), ctx.uow(), now=now, **_allocation(ctx))
    order = get_order(cmd.target.order_id, ctx.uow())
    return {**task_public(order, order.shipment(cmd.target.shipment_no)), "replayed": outcome.replayed,
            "reallocation": reallocation_public(moved, order, before)}


@router.post("/nodes/{node_id}/sales", status_code=201)
async def sale(node_id: str, body: SaleRequest, ctx: ContextDep, x_api_key: ApiKeyHeader = None):
    """A walk-in sale at the till lowers the node's on-hand at once (stock is shared with online).
    The receipt id is the idempotency key. Reservations the sale left without units are listed in
    `at_risk` for operations to re-allocate."""
    check_key(x_api_key, node_id, ctx.settings.node_keys, "node")
    catalogue = ctx.catalogue.current([ln.sku for ln in body.lines])
    lines = tuple(SaleLine(catalogue.get(ln.sku, field=f"lines[{i}].sku").code, ln.quantity)
                  for i, ln in enumerate(body.lines))
    result = await run_in_threadpool(record_sale, RecordSale(node_id, body.receipt_id, lines), ctx.uow(), now=_now())
    return JsonResponse({**result.as_outcome(), "replayed": result.replayed},
                        status_code=200 if result.replayed else 201)


@router.get("/nodes/{node_id}/stats")
async def stats(node_id: str, ctx: ContextDep, x_api_key: ApiKeyHeader = None,
                day: Annotated[date | None, Query(description="a China Standard Time day; today when omitted")] = None):
    """The store manager's view of a day: handed over, rejected, escalated, late, still open."""
    check_key(x_api_key, node_id, ctx.settings.node_keys, "node")
    now = _now()
    day = day or now.astimezone(CST).date()
    day_start = datetime(day.year, day.month, day.day, tzinfo=CST)
    found = await run_in_threadpool(node_stats, node_id, ctx.uow(), day_start=day_start, now=now)
    return JsonResponse(node_day_public(found))


@router.post("/ops/escalate", tags=["ops"])
async def escalate(ctx: ContextDep, x_api_key: ApiKeyHeader = None):
    """Take shipments away from stores that did not accept them within `OMS_ACCEPT_DEADLINE_MINUTES`
    or did not pick them within `OMS_PICK_DEADLINE_MINUTES` of accepting, and re-allocate them.
    Needs `OMS_OPS_KEY` in `X-Api-Key` (with no ops key configured the endpoint refuses every call)."""
    s = ctx.settings
    check_key(x_api_key, "ops", {"ops": s.ops_key} if s.ops_key else {}, "ops")
    report = await run_in_threadpool(escalate_overdue, ctx.uow(), _now(), s.accept_deadline_minutes,
                                     s.pick_deadline_minutes, **_allocation(ctx))
    moved = report.reallocation
    return JsonResponse({"escalated": list(report.escalated),
                         "reallocation": None if moved is None else {"status": moved.status, "detail": moved.detail}})
