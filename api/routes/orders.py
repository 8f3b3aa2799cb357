"""Reading and cancelling orders (customer service, integrations)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from api.responses import JsonResponse

from api.deps import ContextDep
from api.schemas import CancelRequest, OrderPublic, OrdersPublic, order_public
from oms.commands import CancelOrder, OrderQuery
from oms.exceptions import InvalidOrder
from oms.lifecycle import OrderStatus
from oms.orders import CHANNELS
from oms.services import cancel_order, get_order, list_orders

router = APIRouter(tags=["orders"])


@router.get("/orders/{order_id}", response_model=OrderPublic)
async def read_order(order_id: int, ctx: ContextDep):
    """One order with its lines, shipments (and allocation explanations) and audit trail."""
    order = await run_in_threadpool(get_order, order_id, ctx.uow())
    return JsonResponse(order_public(order))


@router.get("/orders", response_model=OrdersPublic)
async def search_orders(
    ctx: ContextDep,
    channel: Annotated[str | None, Query(description="one of " + ", ".join(CHANNELS))] = None,
    status: Annotated[OrderStatus | None, Query()] = None,
    paid_from: Annotated[datetime | None, Query(description="ISO-8601 with offset, inclusive")] = None,
    paid_to: Annotated[datetime | None, Query(description="ISO-8601 with offset, exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """Orders, newest payment first, filtered by channel, status and payment time, one page at a time."""
    if channel is not None and channel not in CHANNELS:
        raise InvalidOrder(f"unknown channel {channel!r}; known: {', '.join(CHANNELS)}", field="channel")
    for name, moment in (("paid_from", paid_from), ("paid_to", paid_to)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidOrder(f"{name} must carry a UTC offset, e.g. 2026-11-11T00:00:00+08:00", field=name)
    query = OrderQuery(channel=channel, status=status.value if status else None, paid_from=paid_from,
                       paid_to=paid_to, limit=limit, offset=offset)
    found, total = await run_in_threadpool(list_orders, query, ctx.uow())
    return JsonResponse({"data": [order_public(o) for o in found], "count": total, "limit": limit,
                           "offset": offset})


@router.post("/orders/{order_id}/cancel", response_model=OrderPublic)
async def cancel(order_id: int, body: CancelRequest, ctx: ContextDep):
    """Cancel an order that has not shipped; its reservations are released."""
    order = await run_in_threadpool(cancel_order, CancelOrder(order_id=order_id, reason=body.reason),
                                    ctx.uow(), now=datetime.now(timezone.utc))
    return JsonResponse(order_public(order))
