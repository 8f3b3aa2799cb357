"""Allocating orders to nodes: the use case that turns a solver's plan into reservations.

The planner (`allocation/oms_bridge.py`) describes open orders and stock to the
allocation engine; an `Allocator` (greedy, RDC-first, optimal) decides. This
module reads a consistent snapshot, lets the allocator decide outside any
transaction, then reserves stock and records shipments in one transaction,
re-checking every reservation against the stock as it is now: if a racing
allocation or a POS sale took the units meanwhile, that order is left for the
next pass rather than oversold.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Protocol

from oms.inventory import StockLevel
from oms.lifecycle import OrderStatus
from oms.orders import Order
from oms.plain_data import FrozenDict, FrozenList, field_names
from oms.unit_of_work import AbstractUnitOfWork

ALLOCATABLE = frozenset({OrderStatus.RECEIVED, OrderStatus.REALLOCATING, OrderStatus.BACKORDERED})


class Planner(Protocol):
    """Builds the allocation engine's problem from OMS orders and a stock snapshot. A planner whose policy
    lets the engine use a node's safety stock says so through `releases_safety_stock(node_id)` (optional;
    without it every node keeps its safety stock)."""

    def problem(self, orders: list[Order], levels: list[StockLevel], now: datetime) -> Any: ...


class Allocator(Protocol):
    name: str

    def allocate(self, problem: Any) -> Any: ...


@dataclass(frozen=True)
class AllocateOrders:
    """Allocate the given orders, or every open order (a wave) when `order_ids` is None."""

    order_ids: tuple[int, ...] | None = None
    actor: str = "allocator"
    limit: int = 10_000


@dataclass(frozen=True)
class AllocationReport:
    orders: int
    allocated: int
    backordered: int
    retry_later: int  # stock moved under the plan; the next pass picks these up
    shipments: int
    solver: str
    status: str
    objective_fen: int
    gap_pct: float | None
    wall_s: float
    fallback_reason: str | None = None


def allocate_orders(cmd: AllocateOrders, uow: AbstractUnitOfWork, *, planner: Planner, allocator: Allocator,
                    now: datetime) -> AllocationReport:
    orders, levels = _snapshot(cmd, uow, now)
    if not orders:
        return AllocationReport(0, 0, 0, 0, 0, allocator.name, "empty", 0, None, 0.0)
    result = allocator.allocate(planner.problem(orders, levels, now))
    counts = apply_plan(result, [o.id for o in orders], uow, now=now, actor=f"{cmd.actor}:{result.solver}",
                        releases_safety_stock=getattr(planner, "releases_safety_stock", None))
    return AllocationReport(orders=len(orders), shipments=counts["shipments"], allocated=counts["allocated"],
                            backordered=counts["backordered"], retry_later=counts["retry_later"],
                            solver=result.solver, status=result.status, objective_fen=int(result.objective_fen),
                            gap_pct=result.gap_pct, wall_s=result.wall_s, fallback_reason=result.fallback_reason)


def is_allocatable(order: Order, now: datetime) -> bool:
    waiting_presale = order.ship_after is not None and order.ship_after > now
    return order.status in ALLOCATABLE and bool(order.open_quantities()) and not waiting_presale


def _snapshot(cmd: AllocateOrders, uow: AbstractUnitOfWork, now: datetime):
    with uow:
        if cmd.order_ids is None:
            candidates = uow.orders.in_status([s.value for s in ALLOCATABLE], limit=cmd.limit, look_only=True)
        else:
            candidates = [o for o in (uow.orders.peek(i) for i in cmd.order_ids) if o is not None]
        orders = [o for o in candidates if is_allocatable(o, now)]
        skus = {ln.sku_code for o in orders for ln in o.lines}
        levels = uow.stock.snapshot(skus) if orders else []
        uow.rollback()
    return orders, levels


def apply_plan(result, order_ids: Iterable[int], uow: AbstractUnitOfWork, *, now: datetime, actor: str,
               releases_safety_stock: Callable[[str], bool] | None = None) -> dict:
    """Reserve and record the allocator's plan, one order at a time, all in one transaction; at nodes
    `releases_safety_stock` names, out of their safety stock too, as the engine was allowed."""
    into_safety = releases_safety_stock or (lambda _node_id: False)
    shipments, backorders = defaultdict(list), defaultdict(list)
    for s in result.shipments:
        shipments[int(s.order_id)].append(s)
    for b in result.backorders:
        backorders[int(b.order_id)].append(b)
    counts = dict(allocated=0, backordered=0, retry_later=0, shipments=0)
    with uow:
        keys = {(s.node_id, sku) for ss in shipments.values() for s in ss for _, sku, _ in s.lines}
        levels = uow.stock.get_many(keys)
        for order_id in order_ids:
            order = uow.orders.get(order_id)
            if order is None or not is_allocatable(order, now):
                continue  # cancelled or allocated by someone else since the snapshot
            outcome = _apply_to_order(order, shipments[order_id], backorders[order_id], levels, now, actor,
                                      into_safety)
            counts[outcome] += 1
            if outcome != "retry_later":
                counts["shipments"] += len(shipments[order_id])
                uow.orders.save(order)
        for level in levels.values():
            uow.stock.save(level)
        uow.commit()
    return counts


def _apply_to_order(order: Order, planned: list, short: list, levels: dict, now: datetime, actor: str,
                    into_safety: Callable[[str], bool]) -> str:
    wanted = defaultdict(int)
    for s in planned:
        for _, sku, qty in s.lines:
            wanted[(s.node_id, sku)] += qty
    safety_too = {node_id: into_safety(node_id) for node_id, _ in wanted}
    if any(levels.get(k) is None or levels[k].promisable(safety_too[k[0]]) < q for k, q in wanted.items()):
        return "retry_later"
    if not _plan_covers(order, planned, short):
        return "retry_later"
    for key, qty in wanted.items():
        levels[key].reserve(qty, safety_stock_too=safety_too[key[0]])
    for s in planned:
        order.add_shipment(s.node_id, [(int(line_id), qty) for line_id, _, qty in s.lines], at=now, actor=actor,
                           reason="allocated", mode=s.mode, cost_fen=int(s.cost.total_fen), explanation=explain(s))
    order.backorder_reason = _backorder_reason(short) if short else None
    order.roll_up(at=now, actor=actor, reason=order.backorder_reason or f"allocated to {len(planned)} node(s)")
    return "backordered" if short else "allocated"


def _plan_covers(order: Order, planned: list, short: list) -> bool:
    """The plan must place exactly the order's open quantities (the order may have changed since)."""
    placed = defaultdict(int)
    for s in planned:
        for line_id, _, qty in s.lines:
            placed[int(line_id)] += qty
    for b in short:
        placed[int(b.line_id)] += b.quantity
    return dict(placed) == order.open_quantities()


def _backorder_reason(short: list) -> str:
    parts = [f"line {b.line_id} ({b.sku}) × {b.quantity}: {b.reason.replace('_', ' ')}" for b in short]
    return "cannot ship now — " + "; ".join(parts)


def explain(shipment) -> dict:
    """The allocator's reasons for a shipment, as read-only plain data to store with the order."""
    return FrozenDict({
        "node_id": shipment.node_id, "mode": shipment.mode, "cost": _fen(shipment.cost),
        "p_within_promise": round(float(shipment.p_within_promise), 4),
        "alternatives": FrozenList(FrozenDict({"node_id": a.node_id, "total_fen": int(a.total_fen),
                                               "cost": _fen(a.cost)}) for a in shipment.alternatives),
    })


def _fen(cost) -> dict:
    breakdown = {name: int(getattr(cost, name)) for name in field_names(type(cost))}
    breakdown["total_fen"] = int(cost.total_fen)
    return FrozenDict(breakdown)
