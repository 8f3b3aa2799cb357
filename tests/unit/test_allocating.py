from datetime import datetime, timezone

from oms.allocating import AllocateOrders, allocate_orders
from oms.inventory import StockLevel
from oms.lifecycle import OrderStatus
from oms.services import get_order, place_order
from oms.unit_of_work import InMemoryUnitOfWork
from tests.builders.allocation import ScriptedAllocator, ScriptedPlanner
from tests.builders.orders import place_order as a_place_order, small_catalogue

NOW = datetime(2026, 11, 11, 1, tzinfo=timezone.utc)
CAT = small_catalogue()


def uow_with_stock(*levels):
    uow = InMemoryUnitOfWork()
    for node, sku, on_hand in levels:
        uow.store.stock[(node, sku)] = StockLevel(node, sku, on_hand=on_hand)
    return uow


def place(uow, order_id="T1", lines=None):
    return place_order(a_place_order(order_id, lines=lines), uow, catalogue=CAT, now=NOW).order


def run(uow, node_for, ids=None):
    return allocate_orders(AllocateOrders(order_ids=ids), uow, planner=ScriptedPlanner(),
                           allocator=ScriptedAllocator(node_for), now=NOW)


def test_allocating_reserves_stock_and_records_the_shipment_with_its_explanation():
    uow = uow_with_stock(("RDC-WUH", "S0001-BLK-M", 5))
    order = place(uow)
    report = run(uow, lambda o: "RDC-WUH")
    assert (report.allocated, report.shipments) == (1, 1)
    stored = get_order(order.id, uow)
    assert stored.status == OrderStatus.ALLOCATED
    assert stored.shipments[0].node_id == "RDC-WUH"
    assert stored.shipments[0].explanation["cost"]["total_fen"] == 1100
    assert uow.store.stock[("RDC-WUH", "S0001-BLK-M")].reserved == 1


def test_no_stock_anywhere_backorders_with_a_reason_customer_service_can_read():
    uow = uow_with_stock()
    order = place(uow)
    assert run(uow, lambda o: None).backordered == 1
    stored = get_order(order.id, uow)
    assert stored.status == OrderStatus.BACKORDERED
    assert "no stock" in stored.backorder_reason


def test_a_plan_made_on_stock_that_has_since_gone_is_not_applied():
    uow = uow_with_stock(("ST0001", "S0001-BLK-M", 1))
    place(uow, "A")
    place(uow, "B")
    report = run(uow, lambda o: "ST0001")  # the plan wants 2 units from a node holding 1
    assert (report.allocated, report.retry_later) == (1, 1)
    level = uow.store.stock[("ST0001", "S0001-BLK-M")]
    assert (level.on_hand, level.reserved) == (1, 1)


def test_an_allocated_order_is_not_allocated_twice():
    uow = uow_with_stock(("RDC-WUH", "S0001-BLK-M", 5))
    order = place(uow)
    run(uow, lambda o: "RDC-WUH")
    assert run(uow, lambda o: "RDC-WUH", ids=(order.id,)).orders == 0
    assert uow.store.stock[("RDC-WUH", "S0001-BLK-M")].reserved == 1
