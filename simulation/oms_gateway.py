"""Everything the simulator asks of the OMS, as the OMS's own service calls on an in-memory store.

This is the only module of `simulation/` that calls OMS use cases: intake (`new_order` +
`store_orders`), allocation waves (`allocate_orders` with the real `OmsPlanner` and allocator),
the node actions of the store POS and a warehouse's WMS (`oms.pos`), walk-in sales at a store's till
(`oms.sales`), rejections with re-allocation (`oms.rejecting`), carrier delivery callbacks
(`oms.returns.confirm_delivery`), cancellations (`cancel_order`) and stock movements. Nothing here
decides anything the OMS decides.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from oms import pos, rejecting
from oms.allocating import AllocateOrders, AllocationReport, allocate_orders
from oms.catalogue import Catalogue
from oms.commands import CancelOrder, PlaceOrder
from oms.exceptions import OmsError
from oms.lifecycle import ShipmentStatus
from oms.orders import Order
from oms.pick_pack import Scan
from oms.returns import ConfirmDelivery, confirm_delivery
from oms.sales import RecordSale, SaleLine, SaleResult, record_sale
from oms.services import cancel_order, new_order, store_orders
from oms.unit_of_work import InMemoryStore, InMemoryUnitOfWork


@dataclass(frozen=True)
class NewShipment:
    """A shipment allocation just created: what the node will be asked to work."""

    order_id: int
    shipment_no: int
    node_id: str
    lines: tuple[tuple[int, str, int], ...]  # (line_no, sku_code, quantity)
    created_at: datetime


@dataclass
class RecordingAllocator:
    """The allocator the scenario names, remembering its last answer so the simulator can see which
    orders got shipments (the allocation use case itself only returns counts)."""

    inner: object
    last: object = None
    calls: int = 0
    wall_s: float = 0.0

    @property
    def name(self) -> str:
        return self.inner.name

    def allocate(self, problem):
        self.last = self.inner.allocate(problem)
        self.calls += 1
        self.wall_s += float(getattr(self.last, "wall_s", 0.0))
        return self.last


@dataclass
class OmsGateway:
    catalogue: Catalogue
    planner: object
    allocator: RecordingAllocator
    resolve_address: Callable | None = None
    store: InMemoryStore = field(default_factory=InMemoryStore)

    def __post_init__(self):
        self.uow = InMemoryUnitOfWork(self.store)
        self.store.sku_families.update({sku.code: sku.category for sku in self.catalogue})
        self._rejections = 0

    # -- intake --------------------------------------------------------------------------------
    def place(self, cmd: PlaceOrder, now: datetime) -> tuple[Order, bool] | OmsError:
        """(the order as stored, whether it is new), or the business error that refused it."""
        try:
            order = new_order(cmd, catalogue=self.catalogue, now=now, resolve_address=self.resolve_address)
        except OmsError as exc:
            return exc.with_traceback(None)  # the traceback would hold the frames in a reference cycle
        result = store_orders([order], self.uow)[0]
        return result if isinstance(result, OmsError) else (result.order, result.created)

    # -- allocation ----------------------------------------------------------------------------
    def allocate(self, now: datetime, order_ids: tuple[int, ...] | None = None,
                 limit: int = 10_000) -> tuple[AllocationReport, list[NewShipment]]:
        self.allocator.last = None
        report = allocate_orders(AllocateOrders(order_ids=order_ids, limit=limit), self.uow,
                                 planner=self.planner, allocator=self.allocator, now=now)
        return report, self._new_shipments(now)

    def reject(self, node_id: str, order_id: int, shipment_no: int, lines: tuple[tuple[int, int | None], ...] | None,
               reason: str, now: datetime) -> Order:
        """Step one of a rejection at the node (the POS's reject service)."""
        ref = pos.ShipmentRef(node_id, order_id, shipment_no)
        self._rejections += 1
        outcome = rejecting.reject_shipment(rejecting.RejectShipment(
            ref, f"reject-{ref.shipment_id}-{self._rejections}", reason, lines), self.uow, now=now)
        return outcome.order

    def reallocate(self, order_ids: tuple[int, ...], now: datetime) -> tuple[rejecting.Reallocation, list[NewShipment]]:
        """Step two: the orders go back through allocation (the OMS's own `reallocate`)."""
        self.allocator.last = None
        outcome = rejecting.reallocate(order_ids, self.uow, planner=self.planner, allocator=self.allocator, now=now)
        return outcome, self._new_shipments(now)

    def _new_shipments(self, now: datetime) -> list[NewShipment]:
        """Shipments the last allocation created (re-read from the store: retry-later orders have none)."""
        result = self.allocator.last
        if result is None:
            return []
        found = []
        for order_id in dict.fromkeys(int(s.order_id) for s in result.shipments):
            order = self.stored(order_id)
            for s in order.shipments if order else ():
                if s.status == ShipmentStatus.ALLOCATED and s.created_at == now:
                    found.append(NewShipment(order_id, s.shipment_no, s.node_id,
                                             tuple((ln.line_no, ln.sku_code, ln.quantity) for ln in s.lines), now))
        return found

    # -- the node's actions (store POS / warehouse WMS) ------------------------------------------
    def accept(self, node_id: str, order_id: int, shipment_no: int, now: datetime) -> None:
        ref = pos.ShipmentRef(node_id, order_id, shipment_no)
        pos.accept_shipment(pos.AcceptShipment(ref, f"accept-{ref.shipment_id}"), self.uow, now=now)

    def pick(self, node_id: str, order_id: int, shipment_no: int, now: datetime) -> None:
        """Staff scan every unit still on the shipment."""
        ref = pos.ShipmentRef(node_id, order_id, shipment_no)
        shipment = self.stored(order_id).shipment(shipment_no)
        scans = tuple(Scan(ln.sku_code, ln.quantity - ln.picked_qty, ln.line_no) for ln in shipment.lines
                      if ln.quantity > ln.picked_qty)
        pos.pick_shipment(pos.PickShipment(ref, f"pick-{ref.shipment_id}", scans), self.uow, now=now)

    def pack(self, node_id: str, order_id: int, shipment_no: int, weight_g: int, now: datetime) -> None:
        ref = pos.ShipmentRef(node_id, order_id, shipment_no)
        pos.pack_shipment(pos.PackShipment(ref, f"pack-{ref.shipment_id}", 1, weight_g), self.uow, now=now)

    def hand_over(self, node_id: str, order_id: int, shipment_no: int, by: str, carrier: str, now: datetime) -> None:
        ref = pos.ShipmentRef(node_id, order_id, shipment_no)
        pos.hand_over_shipment(pos.HandOverShipment(ref, f"handover-{ref.shipment_id}", by, carrier,
                                                    f"{carrier}{order_id:09d}{shipment_no}"), self.uow, now=now)

    def sell(self, node_id: str, receipt_id: str, sku: str, qty: int, now: datetime) -> SaleResult:
        """A walk-in sale at the store's till (the POS's sale service)."""
        return record_sale(RecordSale(node_id, receipt_id, (SaleLine(sku, qty),)), self.uow, now=now)

    def confirm_outbound(self, node_id: str, order_id: int, shipment_no: int, by: str, carrier: str, weight_g: int,
                         picked_at: datetime, packed_at: datetime, now: datetime) -> None:
        """A warehouse's WMS: picked by `picked_at` (accepted then, if never before), packed at `packed_at`,
        handed over now (one message)."""
        ref = pos.ShipmentRef(node_id, order_id, shipment_no)
        pos.confirm_outbound(pos.ConfirmOutbound(ref, f"outbound-{ref.shipment_id}", carrier,
                                                 f"{carrier}{order_id:09d}{shipment_no}", weight_g, 1, picked_at,
                                                 packed_at, by), self.uow, now=now)

    def deliver(self, order_id: int, shipment_no: int, carrier: str, now: datetime) -> Order:
        return confirm_delivery(ConfirmDelivery(order_id, shipment_no, carrier), self.uow, now=now)

    def cancel(self, order_id: int, reason: str, now: datetime) -> Order | OmsError:
        try:
            return cancel_order(CancelOrder(order_id, reason, actor="customer"), self.uow, now=now)
        except OmsError as exc:  # shipped meanwhile: the customer is too late
            return exc.with_traceback(None)

    # -- stock ---------------------------------------------------------------------------------
    def transfer_out(self, node_id: str, units: dict[str, int]) -> dict[str, int]:
        """A warehouse sends units away (a store transfer): reserved and shipped in one go, never
        below the node's safety stock. Returns what actually left."""
        sent = {}
        with self.uow as uow:
            levels = uow.stock.get_many((node_id, sku) for sku in units)
            for (_, sku), level in levels.items():
                qty = min(units[sku], level.atp)
                if qty > 0:
                    level.reserve(qty)
                    level.ship(qty)
                    uow.stock.save(level)
                    sent[sku] = qty
            uow.commit()
        return sent

    def receive(self, node_id: str, units: dict[str, int]) -> None:
        """Units arrive at a node (a transfer, an inbound from the central DC)."""
        with self.uow as uow:
            for sku, qty in sorted(units.items()):
                if qty > 0:
                    level = uow.stock.get_or_create(node_id, sku)
                    level.receive(qty)
                    uow.stock.save(level)
            uow.commit()

    # -- reading (a read replica: never changed through these) ------------------------------------
    def stored(self, order_id: int) -> Order | None:
        return self.store.orders.get(order_id)

    def stored_level(self, node_id: str, sku: str):
        return self.store.stock.get((node_id, sku))

    def orders_in(self, *statuses: str) -> list[int]:
        return [i for s in statuses for i in self.store.orders.by_status.get(s, ())]
