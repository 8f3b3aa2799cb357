"""Store POS use cases: the work list of a node, and each action staff take on a shipment.

Every action is one transaction that locks the stock rows it may move, then the order (the
same order allocation locks them in, so the two never deadlock), checks the caller's request id
(a retry changes nothing), applies the rule from `oms/pick_pack.py` and stores the key with it.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from oms import pick_pack
from oms.exceptions import NotFound
from oms.idempotency import key_for, replayed
from oms.lifecycle import ShipmentStatus
from oms.orders import Order, Shipment
from oms.pick_pack import Scan
from oms.unit_of_work import AbstractUnitOfWork


@dataclass(frozen=True)
class ShipmentRef:
    """A shipment as a node addresses it: it only ever sees its own."""

    node_id: str
    order_id: int
    shipment_no: int

    @property
    def shipment_id(self) -> str:
        return f"{self.order_id}-{self.shipment_no}"


@dataclass(frozen=True)
class AcceptShipment:
    target: ShipmentRef
    request_id: str
    actor: str | None = None


@dataclass(frozen=True)
class PickShipment:
    target: ShipmentRef
    request_id: str
    scans: tuple[Scan, ...]
    actor: str | None = None


@dataclass(frozen=True)
class PackShipment:
    target: ShipmentRef
    request_id: str
    parcel_count: int
    weight_g: int
    actor: str | None = None


@dataclass(frozen=True)
class HandOverShipment:
    target: ShipmentRef
    request_id: str
    by: str  # "rider" (same-city) or "courier" (express)
    carrier: str
    tracking_no: str
    actor: str | None = None


@dataclass(frozen=True)
class ConfirmOutbound:
    """A warehouse's WMS reports a shipment out of the door: picked and packed inside the warehouse
    at the times given (packed now and picked when packed, if not given) and handed to the carrier
    now. Warehouses pick in waves in their own system and tell the OMS the outcome, not each step."""

    target: ShipmentRef
    request_id: str
    carrier: str
    tracking_no: str
    weight_g: int
    parcel_count: int = 1
    picked_at: datetime | None = None
    packed_at: datetime | None = None
    by: str = "courier"
    actor: str | None = None


@dataclass(frozen=True)
class ShipmentOutcome:
    order: Order
    shipment: Shipment
    replayed: bool  # True when the request id was seen before: nothing changed this time


Work = Callable[[Order, Shipment, dict], None]


def accept_shipment(cmd: AcceptShipment, uow: AbstractUnitOfWork, *, now: datetime) -> ShipmentOutcome:
    return perform(cmd, uow, now, lambda o, s, _: pick_pack.accept(o, s, at=now, actor=actor_of(cmd)))


def pick_shipment(cmd: PickShipment, uow: AbstractUnitOfWork, *, now: datetime) -> ShipmentOutcome:
    return perform(cmd, uow, now, lambda o, s, _: pick_pack.pick(o, s, list(cmd.scans), at=now, actor=actor_of(cmd)))


def pack_shipment(cmd: PackShipment, uow: AbstractUnitOfWork, *, now: datetime) -> ShipmentOutcome:
    return perform(cmd, uow, now, lambda o, s, _: pick_pack.pack(
        o, s, parcel_count=cmd.parcel_count, weight_g=cmd.weight_g, at=now, actor=actor_of(cmd)))


def hand_over_shipment(cmd: HandOverShipment, uow: AbstractUnitOfWork, *, now: datetime) -> ShipmentOutcome:
    return perform(cmd, uow, now, lambda o, s, levels: pick_pack.hand_over(
        o, s, levels, by=cmd.by, carrier=cmd.carrier, tracking_no=cmd.tracking_no, at=now, actor=actor_of(cmd)),
        touches_stock=True)


def confirm_outbound(cmd: ConfirmOutbound, uow: AbstractUnitOfWork, *, now: datetime) -> ShipmentOutcome:
    packed_at = cmd.packed_at or now
    return perform(cmd, uow, now, lambda o, s, levels: pick_pack.confirm_outbound(
        o, s, levels, picked_at=cmd.picked_at or packed_at, packed_at=packed_at, parcel_count=cmd.parcel_count,
        weight_g=cmd.weight_g, by=cmd.by, carrier=cmd.carrier, tracking_no=cmd.tracking_no, at=now,
        actor=actor_of(cmd)), touches_stock=True)


def perform(cmd, uow: AbstractUnitOfWork, now: datetime, work: Work, *, touches_stock: bool = False) -> ShipmentOutcome:
    """Run one POS action on one shipment, exactly once per request id, all or nothing."""
    ref: ShipmentRef = cmd.target
    # The order is read twice on purpose when stock moves: a first look at its lines in a short
    # transaction of its own, to know which stock rows to lock, then the locked copy in this transaction
    # once those rows are held. Reusing the first copy would either lock the order before the stock
    # (allocation locks stock first: a deadlock on PostgreSQL) or act on a copy that may have changed
    # since (a concurrent reject shrinks the lines).
    keys = _stock_keys(uow, ref) if touches_stock else set()
    key = key_for(cmd, node_id=ref.node_id, request_id=cmd.request_id, ref=ref.shipment_id, at=now)
    with uow:
        levels = uow.stock.get_many(keys)
        order, shipment = shipment_at_node(uow, ref)
        if replayed(uow, key):
            return ShipmentOutcome(order, shipment, replayed=True)
        work(order, shipment, levels)
        for level in levels.values():
            uow.stock.save(level)
        uow.orders.save(order)
        uow.actions.add(key)
        uow.commit()
    return ShipmentOutcome(order, shipment, replayed=False)


def shipment_at_node(uow: AbstractUnitOfWork, ref: ShipmentRef, *, look_only: bool = False) -> tuple[Order, Shipment]:
    """The order (locked; with `look_only` unlocked and not to be changed) and the shipment, if the
    shipment is the node's; otherwise `NotFound`, whether it does not exist or belongs to another node
    (never tell another store's data)."""
    order = uow.orders.peek(ref.order_id) if look_only else uow.orders.get(ref.order_id)
    shipment = next((s for s in order.shipments if s.shipment_no == ref.shipment_no), None) if order else None
    if shipment is None or shipment.node_id != ref.node_id:
        raise NotFound(f"shipment {ref.shipment_id} not found at node {ref.node_id}", field="shipment_id")
    return order, shipment


def _stock_keys(uow: AbstractUnitOfWork, ref: ShipmentRef) -> set[tuple[str, str]]:
    """The stock rows an action on the shipment may move, read first so they can be locked before the
    order. A shipment's node never changes and its lines only shrink, so this set stays enough."""
    with uow:
        _, shipment = shipment_at_node(uow, ref, look_only=True)
        return {(shipment.node_id, line.sku_code) for line in shipment.lines}


def actor_of(cmd) -> str:
    return cmd.actor or _node_actor(cmd.target.node_id)


@functools.lru_cache(maxsize=4096)
def _node_actor(node_id: str) -> str:
    """One actor string per node, shared by every audit entry it writes."""
    return f"pos:{node_id}"


# ---------------------------------------------------------------- what the node sees


NextPickup = Callable[[datetime], datetime | None]
"""The node's first express carrier pickup at or after a moment (None: no courier calls at the node).
The caller builds it from the node's cut-offs and opening hours, so this module needs no network."""

Transit = Callable[[Order, Shipment], timedelta | None]
"""Expected time from hand-over (to the rider or carrier) to delivery of a shipment; None: unknown."""

MAX_PICKUPS_AHEAD = 64  # how many carrier pickups a task looks ahead for the last one that keeps the promise


@dataclass(frozen=True)
class Task:
    """One shipment on a node's work list, with the time it must be packed by.

    `pack_by` is the carrier pickup the parcel must make (`carrier_pickup`) for express and line-haul
    parcels, or the promise less the rider's ride for same-city riders; `minutes_left` counts down to
    it from the moment the list was made (negative: overdue)."""

    order: Order
    shipment: Shipment
    pack_by: datetime | None = None
    carrier_pickup: datetime | None = None
    minutes_left: int | None = None

    @property
    def next_action(self) -> str:
        return pick_pack.NEXT_ACTION[self.shipment.status]

    @property
    def is_rider(self) -> bool:
        return self.shipment.mode == "rider"

    @property
    def urgency(self) -> tuple:
        # Earliest pack-by first; then the earlier promise, a same-city rider before a carrier, allocation time.
        s, o = self.shipment, self.order
        return (self.pack_by or o.promised_by, o.promised_by, not self.is_rider, s.created_at or o.received_at,
                o.id, s.shipment_no)


def node_tasks(node_id: str, uow: AbstractUnitOfWork, *, now: datetime | None = None,
               next_pickup: NextPickup | None = None, transit: Transit | None = None,
               limit: int = 200) -> list[Task]:
    """The node's open shipments, most urgent first: by pack-by time (the carrier pickup that still
    keeps the promise, or the rider's deadline), then promise, rider before carrier, allocation time.

    `next_pickup` gives the node's carrier pickups (None: pickups unknown, a carrier parcel is then due
    like a rider's by its promise); `transit` the expected time from hand-over to delivery (None: zero).
    `now` defaults to the current time."""
    now = now or datetime.now(timezone.utc)
    with uow:
        orders = uow.orders.with_open_shipments(node_id)
    tasks = [_task(o, s, now, next_pickup, transit) for o in orders for s in o.shipments
             if s.is_open and s.node_id == node_id]
    return sorted(tasks, key=lambda t: t.urgency)[:limit]


def _task(order: Order, shipment: Shipment, now: datetime, next_pickup: NextPickup | None,
          transit: Transit | None) -> Task:
    travel = (transit(order, shipment) if transit else None) or timedelta(0)
    pickup = None
    if shipment.mode != "rider" and next_pickup is not None:
        pickup = last_pickup_in_time(next_pickup, now, order.promised_by - travel)
    pack_by = pickup or order.promised_by - travel
    return Task(order, shipment, pack_by=pack_by, carrier_pickup=pickup,
                minutes_left=math.floor((pack_by - now).total_seconds() / 60))


def last_pickup_in_time(next_pickup: NextPickup, now: datetime, latest: datetime) -> datetime | None:
    """The last carrier pickup at or after `now` and no later than `latest` (the promise less transit);
    when even the next pickup is too late, the next pickup (the parcel should leave as soon as it can).
    None when no courier calls at the node."""
    first = next_pickup(now)
    if first is None or first > latest:
        return first
    chosen = first
    for _ in range(MAX_PICKUPS_AHEAD):
        following = next_pickup(chosen + timedelta(seconds=1))
        if following is None or following > latest or following <= chosen:
            break
        chosen = following
    return chosen


@dataclass(frozen=True)
class NodeDay:
    """What a node did in one day, for its manager."""

    node_id: str
    day_start: datetime
    handed_over: int
    late_handed_over: int  # handed over after the order's promise time
    rejected_shipments: int
    rejected_lines: int
    escalated_lines: int  # taken away because nobody picked them in time
    open: int
    open_past_promise: int

    @property
    def late(self) -> int:
        return self.late_handed_over + self.open_past_promise


def node_stats(node_id: str, uow: AbstractUnitOfWork, *, day_start: datetime, now: datetime) -> NodeDay:
    """The day starting at `day_start` (the caller picks the local midnight) up to `now`."""
    day_end = day_start + timedelta(days=1)
    with uow:
        orders = uow.orders.touching_node(node_id, day_start)
    mine = [(o, s) for o in orders for s in o.shipments if s.node_id == node_id]
    shipped = [(o, s) for o, s in mine if s.shipped_at is not None and day_start <= s.shipped_at < day_end
               and s.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)]
    still_open = [(o, s) for o, s in mine if s.is_open]
    rejections = [(o.id, r) for o in orders for r in o.rejections
                  if r.node_id == node_id and day_start <= r.at < day_end]
    return NodeDay(
        node_id=node_id, day_start=day_start, handed_over=len(shipped),
        late_handed_over=sum(s.shipped_at > o.promised_by for o, s in shipped),
        rejected_shipments=len({(oid, r.shipment_no) for oid, r in rejections}),
        rejected_lines=len({(oid, r.shipment_no, r.line_no) for oid, r in rejections}),
        escalated_lines=len({(oid, r.shipment_no, r.line_no) for oid, r in rejections if r.reason == "store_ignored"}),
        open=len(still_open), open_past_promise=sum(now > o.promised_by for o, _ in still_open))
