"""Delivery confirmation and returns: 7-day no-reason returns picked up at the door by a courier,
received back at a node chosen for it, restocked (or written off when damaged) and refunded.

Refunds are the paid amount pro rata of the returned quantity, in exact fen: the shares of a line
returned in several parts always add up to what the customer paid for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from oms import pick_pack
from oms.exceptions import IllegalTransition, InvalidAction, NotFound, ReturnWindowClosed
from oms.idempotency import key_for, replayed
from oms.lifecycle import OrderStatus, ReturnStatus
from oms.money import fen_to_yuan
from oms.orders import Order, ReturnLine, ReturnRequest
from oms.unit_of_work import AbstractUnitOfWork

CONDITIONS = ("ok", "damaged")


@dataclass(frozen=True)
class ConfirmDelivery:
    order_id: int
    shipment_no: int
    carrier: str
    delivered_at: datetime | None = None  # when the carrier says; default: when we hear it


@dataclass(frozen=True)
class RequestReturn:
    order_id: int
    reason: str
    lines: tuple[tuple[int, int], ...] | None = None  # (line_no, quantity); None: all that is returnable
    actor: str = "customer-service"


@dataclass(frozen=True)
class ReceiveReturn:
    node_id: str
    order_id: int
    return_no: int
    request_id: str
    condition: str = "ok"  # for every line not listed in `conditions`
    conditions: tuple[tuple[int, str], ...] = ()  # (line_no, "ok" / "damaged")
    actor: str | None = None


def return_id(order_id: int, return_no: int) -> str:
    return f"{order_id}-R{return_no}"


def confirm_delivery(cmd: ConfirmDelivery, uow: AbstractUnitOfWork, *, now: datetime) -> Order:
    """A carrier's callback; a carrier only confirms its own parcels, and may confirm twice."""
    with uow:
        order = uow.orders.get(cmd.order_id)
        shipment = next((s for s in order.shipments if s.shipment_no == cmd.shipment_no), None) if order else None
        if shipment is None or (shipment.carrier or "").lower() != cmd.carrier.lower():
            raise NotFound(f"shipment {cmd.order_id}-{cmd.shipment_no} not found for carrier {cmd.carrier}",
                           field="shipment_id")
        before = len(order.audit)
        pick_pack.deliver(order, shipment, at=cmd.delivered_at or now, actor=f"carrier:{cmd.carrier}")
        if len(order.audit) != before:
            uow.orders.save(order)
            uow.commit()
        return order


def request_return(cmd: RequestReturn, uow: AbstractUnitOfWork, *, now: datetime, window_days: int,
                   pickup_carrier: str) -> tuple[Order, ReturnRequest]:
    with uow:
        order = uow.orders.get(cmd.order_id)
        if order is None:
            raise NotFound(f"order {cmd.order_id} not found", field="order_id")
        request = open_return(order, cmd.lines, cmd.reason, at=now, window=timedelta(days=window_days),
                              pickup_carrier=pickup_carrier, actor=cmd.actor)
        uow.orders.save(order)
        uow.commit()
        return order, request


def receive_return(cmd: ReceiveReturn, uow: AbstractUnitOfWork, *, now: datetime) -> tuple[Order, ReturnRequest, bool]:
    """The parcel is back at `node_id`: restock what is fit to sell, write off the rest, record the refund.
    (The order is locked before the stock: a returning order is never in an allocation wave.)"""
    key = key_for(cmd, node_id=cmd.node_id, request_id=cmd.request_id, ref=return_id(cmd.order_id, cmd.return_no),
                  at=now)
    with uow:
        order = uow.orders.get(cmd.order_id)
        request = _return_or_404(order, cmd.order_id, cmd.return_no)
        if replayed(uow, key):
            return order, request, True
        restock = close_return(order, request, cmd.node_id, cmd.condition, dict(cmd.conditions), at=now,
                               actor=cmd.actor or f"node:{cmd.node_id}")
        for sku, qty in restock:
            level = uow.stock.get_or_create(cmd.node_id, sku)
            level.receive(qty)
            uow.stock.save(level)
        uow.orders.save(order)
        uow.actions.add(key)
        uow.commit()
        return order, request, False


def get_return(order_id: int, return_no: int, uow: AbstractUnitOfWork) -> tuple[Order, ReturnRequest]:
    with uow:
        order = uow.orders.get(order_id)
        return order, _return_or_404(order, order_id, return_no)


def _return_or_404(order: Order | None, order_id: int, return_no: int) -> ReturnRequest:
    request = next((r for r in order.returns if r.return_no == return_no), None) if order else None
    if request is None:
        raise NotFound(f"return {return_id(order_id, return_no)} not found", field="return_id")
    return request


# ---------------------------------------------------------------- rules on the order


def open_return(order: Order, lines, reason: str, *, at: datetime, window: timedelta, pickup_carrier: str,
                actor: str) -> ReturnRequest:
    if order.status not in (OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED):
        raise IllegalTransition(f"order is {order.status.value}; only a delivered order can be returned",
                                current=order.status.value, requested=OrderStatus.RETURN_REQUESTED.value)
    closes = order.delivered_at + window
    if at > closes:
        raise ReturnWindowClosed(f"the {window.days}-day return window closed at {closes.isoformat()} "
                                 f"(delivered {order.delivered_at.isoformat()})", field="order_id")
    quantities = _returnable(order, lines)
    request = ReturnRequest(return_no=len(order.returns) + 1, reason=reason, requested_at=at,
                            pickup_carrier=pickup_carrier,
                            lines=[ReturnLine(no, order.line(no).sku_code, qty) for no, qty in quantities.items()])
    order.returns.append(request)
    what = ", ".join(f"line {ln.line_no} ({ln.sku_code}) × {ln.quantity}" for ln in request.lines)
    order.record(at, actor, f"return:{request.return_no}", None, ReturnStatus.REQUESTED,
                 f"{reason}: {what}; courier pickup by {pickup_carrier} at the delivery address")
    order.transition(OrderStatus.RETURN_REQUESTED, at=at, actor=actor, reason=f"return {request.return_no} requested")
    return request


def close_return(order: Order, request: ReturnRequest, node_id: str, default: str, conditions: dict[int, str], *,
                 at: datetime, actor: str) -> list[tuple[str, int]]:
    """Mark the return received, refund it; returns the (SKU, quantity) to put back on the shelf."""
    if request.status != ReturnStatus.REQUESTED:
        raise IllegalTransition(f"return {request.return_no} is already {request.status.value}",
                                current=request.status.value, requested=ReturnStatus.RECEIVED.value)
    _check_conditions(request, default, conditions)
    for line in request.lines:
        line.condition = conditions.get(line.line_no, default)
        line.refund_fen = _refund(order, line)
    request.status, request.received_at, request.received_node_id = ReturnStatus.RECEIVED, at, node_id
    restock = [(ln.sku_code, ln.quantity) for ln in request.lines if ln.condition == "ok"]
    written_off = [f"{ln.sku_code} × {ln.quantity}" for ln in request.lines if ln.condition != "ok"]
    order.record(at, actor, f"return:{request.return_no}", ReturnStatus.REQUESTED, ReturnStatus.RECEIVED,
                 f"received at {node_id}: restocked {', '.join(f'{s} × {q}' for s, q in restock) or 'nothing'}; "
                 f"written off {', '.join(written_off) or 'nothing'}; refund ¥{fen_to_yuan(request.refund_fen)}")
    order.transition(_after_return(order), at=at, actor=actor, reason=f"return {request.return_no} received")
    return restock


def _returnable(order: Order, lines) -> dict[int, int]:
    left = {ln.line_no: ln.quantity - order.returned_qty(ln.line_no) for ln in order.lines}
    if lines is None:
        wanted = {no: qty for no, qty in left.items() if qty > 0}
        if not wanted:
            raise InvalidAction("every unit of this order has already been returned", field="lines")
        return wanted
    wanted: dict[int, int] = {}
    for i, (line_no, qty) in enumerate(lines):
        if line_no not in left or line_no in wanted:
            problem = f"order has no line {line_no}" if line_no not in left else f"line {line_no} is listed twice"
            raise InvalidAction(problem, field=f"lines[{i}].line_no")
        if not 0 < qty <= left[line_no]:
            raise InvalidAction(f"line {line_no} has {left[line_no]} unit(s) left to return, asked {qty}",
                                field=f"lines[{i}].quantity")
        wanted[line_no] = qty
    return wanted


def _check_conditions(request: ReturnRequest, default: str, conditions: dict[int, str]) -> None:
    for condition in (default, *conditions.values()):
        if condition not in CONDITIONS:
            raise InvalidAction(f"condition must be one of {', '.join(CONDITIONS)}, got {condition!r}",
                                field="condition")
    unknown = set(conditions) - {ln.line_no for ln in request.lines}
    if unknown:
        raise InvalidAction(f"return {request.return_no} has no line {min(unknown)}", field="lines")


def _refund(order: Order, line: ReturnLine) -> int:
    # Cumulative pro rata: the parts of a line returned over several returns add up to paid_fen exactly.
    ordered = order.line(line.line_no)
    before = order.returned_qty(line.line_no, received_only=True)
    return (ordered.paid_fen * (before + line.quantity) // ordered.quantity
            - ordered.paid_fen * before // ordered.quantity)


def _after_return(order: Order) -> OrderStatus:
    """Still waiting for another return; everything back (returned); or a partial return (delivered)."""
    if any(r.status == ReturnStatus.REQUESTED for r in order.returns):
        return OrderStatus.RETURN_REQUESTED
    if all(order.returned_qty(ln.line_no, received_only=True) == ln.quantity for ln in order.lines):
        return OrderStatus.RETURNED
    return OrderStatus.DELIVERED
