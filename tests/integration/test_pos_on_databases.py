"""The store POS services on SQLite and PostgreSQL: what they store reads back, and the queries
behind escalation, the manager's day and the allocator's rejection rates."""
from __future__ import annotations

from datetime import timedelta

import pytest

from oms.escalation import escalate_overdue
from oms.inventory import StockLevel
from oms.lifecycle import OrderStatus, ReturnStatus
from oms.persistence.database import SqlAlchemyUnitOfWork, make_engine
from oms.persistence.seed import load_catalogue, load_stock
from oms.pos import node_stats, node_tasks
from oms.rejecting import RejectShipment, reallocate, rejection_rates, reject_shipment
from oms.returns import ConfirmDelivery, ReceiveReturn, RequestReturn, confirm_delivery, receive_return, request_return
from oms.services import get_order
from tests.builders.pos import CAT, NOW, allocated_order, engine_for, ref, stock_is_consistent, walk

SKU, SKU2 = "S0001-BLK-M", "S0002-WHT-S"


@pytest.fixture
def uow(database_url):
    engine = make_engine(database_url)
    load_catalogue(engine, CAT)
    load_stock(engine, [StockLevel(n, s, on_hand=5) for n in ("ST0001", "ST0002") for s in (SKU, SKU2)])
    yield SqlAlchemyUnitOfWork(engine)
    engine.dispose()


def test_a_rejected_and_reallocated_order_reads_back_with_its_rejections_and_whole_path(uow):
    order = allocated_order(uow, lines=[(SKU, 2, 59900), (SKU2, 1, 19900)])
    reject_shipment(RejectShipment(ref(order), "r1", "out_of_stock", ((1, 1),)), uow, now=NOW)
    assert reallocate((order.id,), uow, now=NOW, **engine_for()).status == "allocated"
    after = get_order(order.id, uow)
    assert [(r.node_id, r.line_no, r.quantity, r.reason, r.at) for r in after.rejections] == [
        ("ST0001", 1, 1, "out_of_stock", NOW)]
    assert [(s.node_id, [(ln.line_no, ln.quantity) for ln in s.lines]) for s in after.shipments] == [
        ("ST0001", [(1, 1), (2, 1)]), ("ST0002", [(1, 1)])]
    assert after.status == OrderStatus.ALLOCATED and after.rejected_nodes == {"ST0001"}
    levels = stock_is_consistent(uow, [SKU, SKU2])
    assert levels[("ST0001", SKU)].on_hand == 4


def test_a_delivered_and_returned_order_reads_back_with_its_return_and_refund(uow):
    order = allocated_order(uow)
    walk(uow, ref(order))
    confirm_delivery(ConfirmDelivery(order.id, 1, "sf-express"), uow, now=NOW + timedelta(days=1))
    request_return(RequestReturn(order.id, "too small"), uow, now=NOW + timedelta(days=2), window_days=7,
                   pickup_carrier="sf-express")
    receive_return(ReceiveReturn("ST0002", order.id, 1, "in-1"), uow, now=NOW + timedelta(days=3))
    _, _, replayed = receive_return(ReceiveReturn("ST0002", order.id, 1, "in-1"), uow, now=NOW + timedelta(days=3))
    after = get_order(order.id, uow)
    request = after.returns[0]
    assert replayed and after.status == OrderStatus.RETURNED
    assert (request.status, request.received_node_id, request.refund_fen, request.lines[0].condition) == (
        ReturnStatus.RECEIVED, "ST0002", 59900, "ok")
    assert after.shipment(1).delivered_at == NOW + timedelta(days=1)
    assert stock_is_consistent(uow, [SKU])[("ST0002", SKU)].on_hand == 6


def test_escalation_finds_overdue_shipments_with_a_database_query(uow):
    ignored = allocated_order(uow, "OLD", now=NOW - timedelta(hours=1))
    fresh = allocated_order(uow, "NEW", now=NOW)
    report = escalate_overdue(uow, NOW, 30, 120, **engine_for())
    assert report.escalated == (f"{ignored.id}-1",) and report.reallocation.status == "allocated"
    assert [t.order.id for t in node_tasks("ST0001", uow)] == [fresh.id]
    stock_is_consistent(uow, [SKU])


def test_the_managers_day_and_the_rejection_rates_are_computed_in_the_database(uow):
    shipped = allocated_order(uow, "S")
    walk(uow, ref(shipped))
    rejected = allocated_order(uow, "R", lines=[(SKU, 1, 59900), (SKU2, 1, 19900)])
    reject_shipment(RejectShipment(ref(rejected), "r1", "damaged", ((2, None),)), uow, now=NOW)
    day = node_stats("ST0001", uow, day_start=NOW - timedelta(hours=1), now=NOW)
    assert (day.handed_over, day.rejected_lines, day.open) == (1, 1, 1)
    assert rejection_rates(uow) == {"ST0001": {"*": round(1 / 3, 6), "shoes": 0.0, "apparel": 1.0}}
