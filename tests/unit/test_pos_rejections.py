"""A store's "I can't find it" as the start of an automatic recovery: rejection, stock correction,
re-allocation elsewhere, escalation of ignored shipments, and the rejection rates allocation learns from."""
from datetime import timedelta

import pytest

from oms.escalation import escalate_overdue
from oms.exceptions import InvalidAction
from oms.lifecycle import OrderStatus, ShipmentStatus
from oms.pick_pack import Scan
from oms.pos import PickShipment, pick_shipment
from oms.rejecting import RejectShipment, reallocate, rejection_rates, reject_shipment
from oms.services import get_order
from tests.builders.pos import NOW, allocated_order, engine_for, memory_uow, ref, stock_is_consistent, walk

SKU, SKU2 = "S0001-BLK-M", "S0002-WHT-S"


def reject_and_reallocate(uow, target, reason="out_of_stock", lines=None, request_id="r1", nodes=None):
    reject_shipment(RejectShipment(target, request_id, reason, lines), uow, now=NOW)
    engine = engine_for(nodes) if nodes else engine_for()
    return reallocate((target.order_id,), uow, now=NOW, **engine), get_order(target.order_id, uow)


def test_a_rejected_shipment_is_reallocated_to_another_node_and_the_audit_shows_the_path():
    uow = memory_uow(("ST0001", SKU, 1), ("ST0002", SKU, 4))
    order = allocated_order(uow)
    outcome, after = reject_and_reallocate(uow, ref(order))
    assert outcome.status == "allocated"
    assert [(s.node_id, s.status) for s in after.shipments] == [
        ("ST0001", ShipmentStatus.REJECTED), ("ST0002", ShipmentStatus.ALLOCATED)]
    assert after.status == OrderStatus.ALLOCATED and after.rejected_nodes == {"ST0001"}
    path = [(e.subject, e.to_status) for e in after.audit]
    assert path[-4:] == [("shipment:1", "rejected"), ("order", "reallocating"), ("shipment:2", "allocated"),
                         ("order", "allocated")]
    assert "out of stock" in after.audit[-4].reason and "on hand 1 → 0" in after.audit[-4].reason
    stock_is_consistent(uow, [SKU])


def test_out_of_stock_rejection_lowers_on_hand_because_the_units_were_not_there():
    uow = memory_uow(("ST0001", SKU, 3), ("ST0002", SKU, 4))
    reject_and_reallocate(uow, ref(allocated_order(uow, lines=[(SKU, 2, 59900)])))
    level = uow.store.stock[("ST0001", SKU)]
    assert (level.on_hand, level.reserved) == (1, 0)


def test_damaged_rejection_writes_the_units_off_and_store_closing_only_releases():
    uow = memory_uow(("ST0001", SKU, 3), ("ST0002", SKU, 9))
    reject_and_reallocate(uow, ref(allocated_order(uow, "D")), reason="damaged")
    assert (uow.store.stock[("ST0001", SKU)].on_hand, uow.store.stock[("ST0001", SKU)].reserved) == (2, 0)
    reject_and_reallocate(uow, ref(allocated_order(uow, "C")), reason="store_closing", request_id="r2")
    assert (uow.store.stock[("ST0001", SKU)].on_hand, uow.store.stock[("ST0001", SKU)].reserved) == (2, 0)
    stock_is_consistent(uow, [SKU])


def test_partial_rejection_keeps_the_rest_of_the_shipment_at_the_node():
    uow = memory_uow(("ST0001", SKU, 5), ("ST0001", SKU2, 5), ("ST0002", SKU2, 5))
    order = allocated_order(uow, lines=[(SKU, 2, 59900), (SKU2, 3, 19900)])
    outcome, after = reject_and_reallocate(uow, ref(order), lines=((2, 1),))
    kept, moved = after.shipment(1), after.shipment(2)
    assert kept.status == ShipmentStatus.ALLOCATED
    assert [(ln.line_no, ln.quantity) for ln in kept.lines] == [(1, 2), (2, 2)]
    assert (moved.node_id, [(ln.line_no, ln.quantity) for ln in moved.lines]) == ("ST0002", [(2, 1)])
    assert outcome.status == "allocated" and after.status == OrderStatus.ALLOCATED
    assert uow.store.stock[("ST0001", SKU2)].reserved == 2
    stock_is_consistent(uow, [SKU, SKU2])


def test_a_rejection_after_partial_picking_leaves_the_picked_rest_ready_to_pack():
    uow = memory_uow(("ST0001", SKU, 5), ("ST0001", SKU2, 5), ("ST0002", SKU2, 5))
    order = allocated_order(uow, lines=[(SKU, 1, 59900), (SKU2, 1, 19900)])
    target = ref(order)
    walk(uow, target, until="accept")
    pick_shipment(PickShipment(target, "p1", (Scan(SKU, 1),)), uow, now=NOW)
    _, after = reject_and_reallocate(uow, target, lines=((2, None),))
    assert after.shipment(1).status == ShipmentStatus.PICKED


def test_when_no_node_can_ship_the_rejected_lines_the_order_is_backordered_with_a_reason():
    uow = memory_uow(("ST0001", SKU, 1))
    order = allocated_order(uow, nodes=("ST0001",))
    outcome, after = reject_and_reallocate(uow, ref(order), nodes=("ST0001",))
    assert outcome.status == "backordered"
    assert after.status == OrderStatus.BACKORDERED and "no stock" in after.backorder_reason


def test_rejecting_a_line_the_shipment_does_not_have_is_refused_and_changes_nothing():
    uow = memory_uow(("ST0001", SKU, 1))
    order = allocated_order(uow)
    with pytest.raises(InvalidAction) as err:
        reject_shipment(RejectShipment(ref(order), "r1", "out_of_stock", ((7, None),)), uow, now=NOW)
    assert err.value.field == "lines[0].line_no"
    assert uow.store.stock[("ST0001", SKU)].reserved == 1


def test_without_an_allocator_the_reallocation_is_deferred_and_written_in_the_audit():
    uow = memory_uow(("ST0001", SKU, 1))
    order = allocated_order(uow)
    reject_shipment(RejectShipment(ref(order), "r1", "store_closing"), uow, now=NOW)
    outcome = reallocate((order.id,), uow, planner=None, allocator=None, now=NOW)
    after = get_order(order.id, uow)
    assert outcome.status == "deferred" and after.status == OrderStatus.REALLOCATING
    assert "reallocation deferred" in after.audit[-1].reason


def test_a_retried_rejection_changes_nothing_and_reallocating_again_is_harmless():
    uow = memory_uow(("ST0001", SKU, 1), ("ST0002", SKU, 4))
    order = allocated_order(uow)
    reject_and_reallocate(uow, ref(order))
    again, after = reject_and_reallocate(uow, ref(order))
    assert again.status == "nothing_to_do" and len(after.shipments) == 2 and len(after.rejections) == 1
    stock_is_consistent(uow, [SKU])


def test_rejection_rates_are_rejected_lines_over_allocated_lines_per_node_and_family():
    uow = memory_uow(("ST0001", SKU, 9), ("ST0001", SKU2, 9), ("ST0002", SKU, 9), ("ST0002", SKU2, 9))
    for name in ("A", "B", "C"):
        allocated_order(uow, name)
    two_lines = allocated_order(uow, "D", lines=[(SKU, 1, 59900), (SKU2, 1, 19900)])
    reject_and_reallocate(uow, ref(two_lines), lines=((2, None),))
    rates = rejection_rates(uow)
    assert rates["ST0001"] == {"*": 0.2, "shoes": 0.0, "apparel": 1.0}
    assert rates["ST0002"] == {"*": 0.0, "apparel": 0.0}


def test_shipments_not_accepted_or_not_picked_in_time_are_escalated_and_reallocated():
    uow = memory_uow(("ST0001", SKU, 9), ("ST0002", SKU, 9))
    ignored = allocated_order(uow, "IGNORED", now=NOW - timedelta(minutes=45))
    walk(uow, ref(accepted := allocated_order(uow, "ACCEPTED", now=NOW - timedelta(hours=3))), until="accept",
         now=NOW - timedelta(hours=3))
    picking = allocated_order(uow, "PICKING", now=NOW - timedelta(hours=3))
    walk(uow, ref(picking), until="pick", now=NOW - timedelta(hours=3))
    fresh = allocated_order(uow, "FRESH", now=NOW - timedelta(minutes=5))
    report = escalate_overdue(uow, NOW, 30, 120, **engine_for())
    assert sorted(report.escalated) == sorted([f"{ignored.id}-1", f"{accepted.id}-1"])
    assert report.reallocation.status == "allocated"
    for order in (ignored, accepted):
        after = get_order(order.id, uow)
        assert [s.node_id for s in after.shipments if s.is_active] == ["ST0002"]
        assert after.rejections[0].reason == "store_ignored"
    assert get_order(fresh.id, uow).shipment(1).status == ShipmentStatus.ALLOCATED
    assert uow.store.stock[("ST0001", SKU)].on_hand == 9  # ignoring is not a stock count
    stock_is_consistent(uow, [SKU])
