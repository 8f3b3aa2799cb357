"""A node giving lines back, and the automatic recovery that follows.

Step one (one transaction): the rejection is recorded on the order, the node's reservation is
released and its stock corrected when the units were not there. Step two, after that commits: the
order goes back through the allocation engine, which must look beyond the nodes that rejected it.
If nothing can ship it the order is back-ordered with a reason customer service can read. Either
way the order's audit trail shows the path.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from oms import pick_pack
from oms.allocating import AllocateOrders, AllocationReport, Allocator, Planner, allocate_orders, is_allocatable
from oms.pos import ShipmentOutcome, ShipmentRef, actor_of, perform
from oms.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RejectShipment:
    """Give back the whole shipment (`lines` None) or (line_no, quantity or None for all) of some lines."""

    target: ShipmentRef
    request_id: str
    reason: str  # see `oms.pick_pack.REJECT_REASONS`
    lines: tuple[tuple[int, int | None], ...] | None = None
    actor: str | None = None


@dataclass(frozen=True)
class Reallocation:
    """What step two did: allocated / backordered / nothing_to_do / deferred (left for the next wave)."""

    status: str
    report: AllocationReport | None = None
    detail: str | None = None


def reject_shipment(cmd: RejectShipment, uow: AbstractUnitOfWork, *, now: datetime) -> ShipmentOutcome:
    """Step one: record the rejection and move the stock, exactly once per request id."""
    wanted = None if cmd.lines is None else list(cmd.lines)
    return perform(cmd, uow, now, lambda o, s, levels: pick_pack.reject(
        o, s, wanted, cmd.reason, levels, at=now, actor=actor_of(cmd)), touches_stock=True)


def reallocate(order_ids: Iterable[int], uow: AbstractUnitOfWork, *, planner: Planner | None,
               allocator: Allocator | None, now: datetime, actor: str = "reallocation") -> Reallocation:
    """Step two: send orders with given-back lines through allocation again.

    Safe to repeat (a retried rejection runs it again): allocation only places what is still open.
    The rejection has already committed, so a failure here is recorded and left for the next wave
    rather than reported as a failed rejection.
    """
    ids = tuple(order_ids)
    if planner is None or allocator is None:
        return _defer(ids, uow, now, actor, "no allocator is configured")
    try:
        report = allocate_orders(AllocateOrders(order_ids=ids, actor=actor), uow, planner=planner,
                                 allocator=allocator, now=now)
    except Exception as exc:  # noqa: BLE001 - the rejection stands; the next wave retries the order
        log.exception("reallocating orders %s failed", ids)
        return _defer(ids, uow, now, actor, f"allocation failed ({type(exc).__name__})")
    if report.orders == 0:
        return Reallocation("nothing_to_do", report)
    if report.retry_later:
        return _defer(ids, uow, now, actor, "stock moved while planning", report)
    return Reallocation("backordered" if report.backordered else "allocated", report)


def _defer(ids, uow: AbstractUnitOfWork, now: datetime, actor: str, why: str, report=None) -> Reallocation:
    note = f"reallocation deferred: {why}; the next allocation wave will place the open lines"
    waiting = 0
    with uow:
        for order_id in ids:
            order = uow.orders.get(order_id)
            if order is not None and is_allocatable(order, now):
                order.record(now, actor, "order", order.status, order.status, note)
                uow.orders.save(order)
                waiting += 1
        uow.commit()
    return Reallocation("deferred", report, note) if waiting else Reallocation("nothing_to_do", report)


def rejection_rates(uow: AbstractUnitOfWork) -> dict[str, dict[str, float]]:
    """Per node: rejected lines ÷ allocated lines, overall ("*") and per SKU family (category).

    What the allocator learns from: a store that often cannot find what it holds on paper should
    be trusted less with the next order.
    """
    with uow:
        outcomes = uow.orders.line_outcomes()
    totals: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for row in outcomes:
        for family in ("*", row.family):
            if family is None:
                continue
            tally = totals[row.node_id].setdefault(family, [0, 0])
            tally[0] += row.allocated_lines
            tally[1] += row.rejected_lines
    return {node: {family: round(r / a, 6) if a else 0.0 for family, (a, r) in families.items()}
            for node, families in totals.items()}
