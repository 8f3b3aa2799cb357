"""Use cases of the OMS as plain functions over a unit of work.

The HTTP routes, the command line and the simulator all call these; none of
them holds OMS logic of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from oms.catalogue import Catalogue
from oms.commands import DEFAULT_PROMISE, CancelOrder, OrderQuery, PlaceOrder
from oms.exceptions import DuplicateOrderConflict, InvalidOrder, NotFound, UnknownChannel
from oms.lifecycle import CANCELLABLE_ORDER_STATUSES, OrderStatus, ShipmentStatus
from oms.orders import CHANNELS, Address, Order, OrderLine
from oms.unit_of_work import AbstractUnitOfWork, OrderAlreadyExists

MAX_LINES_PER_ORDER = 200
MAX_QUANTITY_PER_LINE = 9_999


class ResolvedPlace(Protocol):
    adcode: str
    lat: float
    lon: float
    precision: str
    fallback: bool


AddressResolver = Callable[[str, str, str], ResolvedPlace]


@dataclass(frozen=True)
class PlaceResult:
    order: Order
    created: bool  # False when this was a re-send of an order already stored


def place_order(cmd: PlaceOrder, uow: AbstractUnitOfWork, *, catalogue: Catalogue, now: datetime,
                resolve_address: AddressResolver | None = None) -> PlaceResult:
    """Validate and store a channel order exactly once.

    A re-send with the same content returns the stored order unchanged; the same
    channel order id with other content is a `DuplicateOrderConflict`. Either the
    whole order is stored or nothing is.
    """
    order = new_order(cmd, catalogue=catalogue, now=now, resolve_address=resolve_address)
    result = store_orders([order], uow)[0]
    if isinstance(result, Exception):
        raise result
    return result


def store_orders(orders: list[Order], uow: AbstractUnitOfWork) -> list[PlaceResult | DuplicateOrderConflict]:
    """Store validated new orders in one transaction (a group commit), each exactly once.

    Per order, in the given order: `PlaceResult(created=True)` for a new one, `created=False`
    for a re-send (also of an earlier order in the same batch), or a `DuplicateOrderConflict`.
    """
    with uow:
        try:
            results = _store_batch(orders, uow)
            uow.commit()
            return results
        except OrderAlreadyExists:  # another process stored one of them meanwhile: go one by one
            uow.rollback()
    return [_store_one(order, uow) for order in orders]


def _store_batch(orders: list[Order], uow: AbstractUnitOfWork) -> list:
    known = uow.orders.get_by_channel_ids([(o.channel, o.channel_order_id) for o in orders])
    results, fresh = [], []
    for order in orders:
        key = (order.channel, order.channel_order_id)
        if key in known:
            results.append(_resend(known[key], order))
        else:
            known[key] = order
            fresh.append(order)
            results.append(PlaceResult(order, created=True))
    uow.orders.add_many(fresh)
    return results


def _store_one(order: Order, uow: AbstractUnitOfWork) -> PlaceResult | DuplicateOrderConflict:
    with uow:
        try:
            result = _store_batch([order], uow)[0]
            uow.commit()
            return result
        except OrderAlreadyExists:
            uow.rollback()
    with uow:
        return _resend(uow.orders.get_by_channel_id(order.channel, order.channel_order_id), order)


def _resend(existing: Order, incoming: Order) -> PlaceResult | DuplicateOrderConflict:
    try:
        return PlaceResult(_same_or_conflict(existing, incoming), created=False)
    except DuplicateOrderConflict as conflict:
        return conflict.with_traceback(None)  # an answer, not a failure: no frames kept alive


def new_order(cmd: PlaceOrder, *, catalogue: Catalogue, now: datetime,
              resolve_address: AddressResolver | None = None) -> Order:
    """Check a `PlaceOrder` against the catalogue and business rules and build the order (not stored)."""
    if cmd.channel not in CHANNELS:
        raise UnknownChannel(f"unknown channel {cmd.channel!r}; known: {', '.join(CHANNELS)}", field="channel")
    _check_lines(cmd, catalogue)
    if cmd.channel == "guide" and not (cmd.guide_id and cmd.store_id):
        raise InvalidOrder("a guide order must carry guide_id and store_id", field="guide_id" if not cmd.guide_id else "store_id")
    if cmd.paid_at.tzinfo is None:
        raise InvalidOrder("paid_at must carry a timezone", field="paid_at")
    order = Order(
        channel=cmd.channel, channel_order_id=cmd.channel_order_id, fingerprint=cmd.fingerprint(),
        address=_address(cmd, resolve_address),
        lines=[OrderLine(line_no=i + 1, sku_code=catalogue.get(ln.sku_code, field=_sku_field(ln, i)).code,
                         quantity=ln.quantity, unit_price_fen=ln.unit_price_fen, paid_fen=ln.paid_fen,
                         channel_line_id=ln.channel_line_id)
               for i, ln in enumerate(cmd.lines)],
        paid_at=cmd.paid_at, promised_by=cmd.promised_by or cmd.paid_at + DEFAULT_PROMISE, received_at=now,
        channel_shop_id=cmd.channel_shop_id, store_id=cmd.store_id, guide_id=cmd.guide_id,
        customer_id=cmd.customer_id, channel_status=cmd.channel_status, presale=cmd.presale,
        ship_after=cmd.ship_after,
    )
    order.record(now, cmd.received_by, "order", None, OrderStatus.RECEIVED, f"received from {cmd.channel}")
    return order


def _sku_field(line, index: int) -> str:
    return line.source_field or f"lines[{index}].sku"


def _check_lines(cmd: PlaceOrder, catalogue: Catalogue) -> None:
    if not cmd.lines:
        raise InvalidOrder("an order needs at least one line", field="lines")
    if len(cmd.lines) > MAX_LINES_PER_ORDER:
        raise InvalidOrder(f"an order has at most {MAX_LINES_PER_ORDER} lines", field="lines")
    for i, line in enumerate(cmd.lines):
        where = _sku_field(line, i).rsplit(".", 1)[0] if line.source_field else f"lines[{i}]"
        if not 0 < line.quantity <= MAX_QUANTITY_PER_LINE:
            raise InvalidOrder(f"quantity must be between 1 and {MAX_QUANTITY_PER_LINE}, got {line.quantity}",
                               field=f"{where}.quantity")
        if line.paid_fen < 0 or line.unit_price_fen < 0:
            raise InvalidOrder("money must not be negative", field=f"{where}.paid")
        catalogue.get(line.sku_code, field=_sku_field(line, i))


def _address(cmd: PlaceOrder, resolve_address: AddressResolver | None) -> Address:
    a = cmd.address
    for part in ("province", "city", "detail"):
        if not (getattr(a, part) or "").strip():
            raise InvalidOrder(f"delivery address {part} is required", field=f"address.{part}")
    geo = {}
    if resolve_address is not None:
        place = resolve_address(a.province, a.city, a.district or "")
        geo = dict(adcode=place.adcode, lat=place.lat, lon=place.lon, geo_precision=place.precision,
                   geo_fallback=place.fallback)
    return Address(province=a.province, city=a.city, district=a.district or "", detail=a.detail,
                   receiver_name=a.receiver_name, receiver_phone=a.receiver_phone, postcode=a.postcode, **geo)


def _same_or_conflict(existing: Order, incoming: Order) -> Order:
    if existing.fingerprint == incoming.fingerprint:
        return existing
    differs = [name for name, get in _COMPARED.items() if get(existing) != get(incoming)]
    raise DuplicateOrderConflict(
        f"{existing.channel} order {existing.channel_order_id} was already received as order {existing.id} "
        f"with different content ({', '.join(differs) or 'content'} differ); a changed order needs a new "
        f"channel order id or a cancellation first",
        field=", ".join(differs) or None)


_COMPARED = {
    "lines": lambda o: [(ln.sku_code, ln.quantity, ln.unit_price_fen, ln.paid_fen) for ln in o.lines],
    "address": lambda o: (o.address.province, o.address.city, o.address.district, o.address.detail),
    "paid_at": lambda o: o.paid_at,
    "store_id": lambda o: o.store_id,
    "guide_id": lambda o: o.guide_id,
    "presale": lambda o: (o.presale, o.ship_after),
}


def get_order(order_id: int, uow: AbstractUnitOfWork) -> Order:
    with uow:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"order {order_id} not found", field="order_id")
        return order


def list_orders(query: OrderQuery, uow: AbstractUnitOfWork) -> tuple[list[Order], int]:
    with uow:
        return uow.orders.list(query)


def cancel_order(cmd: CancelOrder, uow: AbstractUnitOfWork, *, now: datetime) -> Order:
    """Cancel an order before it ships, releasing every reservation it holds.

    Stock rows are locked before the order, as every other use case does, so a cancel racing a
    store's action or an allocation on the same order waits instead of deadlocking.
    """
    keys = _open_stock_keys(cmd.order_id, uow)
    with uow:
        levels = uow.stock.get_many(keys)
        order = uow.orders.get(cmd.order_id)
        if order is None:
            raise NotFound(f"order {cmd.order_id} not found", field="order_id")
        if order.status == OrderStatus.CANCELLED:
            return order
        if order.status not in CANCELLABLE_ORDER_STATUSES:
            order.transition(OrderStatus.CANCELLED, at=now, actor=cmd.actor, reason=cmd.reason)  # raises
        for shipment in order.shipments:
            if shipment.is_open:
                for line in shipment.lines:
                    key = (shipment.node_id, line.sku_code)
                    if key not in levels:  # allocated between the two reads
                        levels[key] = uow.stock.get(*key)
                    levels[key].release(line.quantity)
                order.move_shipment(shipment, ShipmentStatus.CANCELLED, at=now, actor=cmd.actor, reason=cmd.reason)
        order.transition(OrderStatus.CANCELLED, at=now, actor=cmd.actor, reason=cmd.reason)
        for level in levels.values():
            uow.stock.save(level)
        uow.orders.save(order)
        uow.commit()
        return order


def _open_stock_keys(order_id: int, uow: AbstractUnitOfWork) -> set[tuple[str, str]]:
    """The stock rows the order's open shipments hold (read first, to lock them before the order).
    Shipments only shrink or close once made, so the set read here stays enough."""
    with uow:
        order = uow.orders.get(order_id)
        return {(s.node_id, ln.sku_code) for s in (order.shipments if order else ()) if s.is_open for ln in s.lines}
