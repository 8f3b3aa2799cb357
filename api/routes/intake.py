"""Channel order intake: each channel posts its own payload shape."""
from __future__ import annotations

from datetime import datetime, timezone

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import check_key
from api.responses import JsonResponse
from api.schemas import OrderPublic, order_public
from oms import channels
from oms.exceptions import MalformedPayload, UnknownChannel
from oms.services import get_order, new_order

router = APIRouter(tags=["intake"])


@router.post("/channels/{channel}/orders", response_model=OrderPublic, status_code=201,
             openapi_extra={"parameters": [{"name": "X-Api-Key", "in": "header", "required": True,
                                             "schema": {"type": "string"}, "description": "the channel's API key"}]},
             responses={200: {"description": "the same order was sent before; nothing changed"},
                        409: {"description": "the same channel order id was sent with other content"},
                        422: {"description": "the payload breaks a rule; `field` names where"}})
async def receive_order(channel: str, request: Request):
    """Receive one paid order in the channel's own payload shape (Tmall trade, JD order, Youzan trade…).

    Idempotent: re-sending the same channel order id returns the stored order with 200.
    Authenticate with the channel's own key in the `X-Api-Key` header.
    """
    # The hottest route at peak: read the context and key directly rather than through
    # dependency injection, which costs more than the rest of the request's own work.
    ctx = request.app.state.context
    x_api_key = request.headers.get("x-api-key")
    if channel not in channels.CHANNELS:
        raise UnknownChannel(f"unknown channel {channel!r}; known: {', '.join(channels.CHANNELS)}", field="channel")
    check_key(x_api_key, channel, ctx.settings.channel_keys, "channel")
    payload = _parse_json(await request.body())
    cmd = channels.to_command(channel, payload)
    order = new_order(cmd, catalogue=ctx.catalogue.current([ln.sku_code for ln in cmd.lines]),
                      now=datetime.now(timezone.utc), resolve_address=ctx.resolve_address)
    result = await ctx.writer.store(order)
    if isinstance(result, Exception):
        raise result
    order = result.order
    if result.created and ctx.settings.allocate_on_intake:
        await run_in_threadpool(ctx.allocate_new_order, order.id)
        order = await run_in_threadpool(get_order, order.id, ctx.uow())
    return JsonResponse(order_public(order), status_code=201 if result.created else 200)


def _parse_json(body: bytes):
    if not body:
        raise MalformedPayload("request body is empty; send the order as JSON", field="body")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedPayload(f"body is not valid JSON: {exc}", field="body") from None
