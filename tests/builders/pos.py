"""Builders for store POS tests: stocked nodes, allocated orders, a shipment walked through its steps,
and the stock invariant every test ends on."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from oms.allocating import AllocateOrders, allocate_orders
from oms.inventory import StockLevel
from oms.orders import Order
from oms.pick_pack import Scan
from oms.pos import (AcceptShipment, HandOverShipment, PackShipment, PickShipment, ShipmentRef, accept_shipment,
                     hand_over_shipment, pack_shipment, pick_shipment)
from oms.services import get_order, place_order
from oms.unit_of_work import AbstractUnitOfWork, InMemoryUnitOfWork
from tests.builders.allocation import ScriptedAllocator, ScriptedPlanner
from tests.builders.orders import place_order as a_place_order, small_catalogue

NOW = datetime(2026, 11, 11, 2, tzinfo=timezone.utc)
CAT = small_catalogue()
NODES = ("ST0001", "ST0002", "RDC-WUH")  # the scripted engine's preference order


def engine_for(nodes=NODES) -> dict:
    """A scripted allocation engine that, like the real one, never sends an order back to a node
    that rejected it; with no node left it back-orders."""
    return dict(planner=ScriptedPlanner(),
                allocator=ScriptedAllocator(lambda o: next((n for n in nodes if n not in o.rejected_nodes), None)))


def memory_uow(*levels) -> InMemoryUnitOfWork:
    """(node, sku, on_hand) triples."""
    uow = InMemoryUnitOfWork()
    for node, sku, on_hand in levels:
        uow.store.stock[(node, sku)] = StockLevel(node, sku, on_hand=on_hand)
    uow.store.sku_families.update({sku.code: sku.family for sku in CAT})
    return uow


def allocated_order(uow: AbstractUnitOfWork, order_id: str = "P1", lines=None, *, now: datetime = NOW,
                    nodes=NODES, **overrides) -> Order:
    order = place_order(a_place_order(order_id, lines=lines, **overrides), uow, catalogue=CAT, now=now).order
    allocate_orders(AllocateOrders(order_ids=(order.id,)), uow, now=now, **engine_for(nodes))
    return get_order(order.id, uow)


def ref(order: Order, shipment_no: int = 1) -> ShipmentRef:
    return ShipmentRef(order.shipment(shipment_no).node_id, order.id, shipment_no)


def walk(uow: AbstractUnitOfWork, target: ShipmentRef, *, until: str = "handover", now: datetime = NOW) -> Order:
    """Take a shipment through accept → pick (every unit) → pack → handover, stopping after `until`."""
    steps = ["accept", "pick", "pack", "handover"]
    for step in steps[:steps.index(until) + 1]:
        rid = f"{step}-{target.shipment_id}"
        if step == "accept":
            accept_shipment(AcceptShipment(target, rid), uow, now=now)
        elif step == "pick":
            shipment = get_order(target.order_id, uow).shipment(target.shipment_no)
            scans = tuple(Scan(ln.sku_code, ln.quantity, ln.line_no) for ln in shipment.lines)
            pick_shipment(PickShipment(target, rid, scans), uow, now=now)
        elif step == "pack":
            pack_shipment(PackShipment(target, rid, 1, 800), uow, now=now)
        else:
            hand_over_shipment(HandOverShipment(target, rid, "courier", "sf-express", "SF100"), uow, now=now)
    return get_order(target.order_id, uow)


def stock_is_consistent(uow: AbstractUnitOfWork, skus) -> dict[tuple[str, str], StockLevel]:
    """No negative stock, and every node reserves exactly what its open shipments hold."""
    with uow:
        orders = uow.orders.with_open_shipments()
        levels = {(lv.node_id, lv.sku_code): lv for lv in uow.stock.for_skus(skus)}
    held = Counter()
    for order in orders:
        for s in order.shipments:
            if s.is_open:
                held.update({(s.node_id, ln.sku_code): ln.quantity for ln in s.lines})
    for key, level in levels.items():
        assert level.on_hand >= 0 and level.reserved >= 0, level
        assert level.reserved == held[key], (key, level, held[key])
    assert set(held) <= set(levels)
    return levels
