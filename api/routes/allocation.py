"""Allocation waves on demand (planners, schedulers) — the same engine real-time intake uses."""
from __future__ import annotations

import dataclasses
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.fulfilment import ALLOCATORS

router = APIRouter(tags=["allocation"])


class WaveRequest(BaseModel):
    order_ids: list[int] | None = Field(None, max_length=100_000,
                                        description="orders to allocate; omit for every open order")
    allocator: Literal["optimal", "greedy", "rdc_first"] | None = Field(None, description=", ".join(ALLOCATORS))
    limit: int = Field(10_000, ge=1, le=200_000, description="most orders in this wave (oldest first)")


class WaveReport(BaseModel):
    orders: int
    allocated: int
    backordered: int
    retry_later: int
    shipments: int
    solver: str
    status: str
    objective_fen: int
    gap_pct: float | None
    wall_s: float
    fallback_reason: str | None


@router.post("/allocation/run", response_model=WaveReport)
async def run_wave(body: WaveRequest, request: Request):
    """Allocate open orders (received, re-allocating, back-ordered) to nodes now, reserving stock."""
    ctx = request.app.state.context
    report = await run_in_threadpool(
        ctx.fulfilment().allocate, ctx.uow, ctx.catalogue.current(), engine=ctx.engine,
        order_ids=tuple(body.order_ids) if body.order_ids is not None else None, allocator=body.allocator,
        limit=body.limit, actor="wave")
    return dataclasses.asdict(report)
