"""A node's pick-pack work on the in-memory unit of work: the same service functions the POS routes call."""
from datetime import timedelta

import pytest

from oms.commands import CancelOrder
from oms.exceptions import ActionConflict, IllegalTransition, InvalidAction, NotFound
from oms.lifecycle import OrderStatus, ShipmentStatus
from oms.pick_pack import Scan
from oms.pos import (AcceptShipment, PackShipment, PickShipment, ShipmentRef, accept_shipment, node_stats,
                     node_tasks, pack_shipment, pick_shipment)
from oms.rejecting import RejectShipment, reject_shipment
from oms.services import cancel_order, get_order
from tests.builders.pos import NOW, allocated_order, memory_uow, ref, stock_is_consistent, walk

SKU = "S0001-BLK-M"


def test_a_shipment_is_accepted_picked_packed_and_handed_over_consuming_its_stock():
    uow = memory_uow(("ST0001", SKU, 3))
    order = allocated_order(uow, lines=[(SKU, 2, 59900)])
    done = walk(uow, ref(order))
    shipment = done.shipment(1)
    assert (shipment.status, done.status) == (ShipmentStatus.SHIPPED, OrderStatus.SHIPPED)
    assert (shipment.carrier, shipment.tracking_no, shipment.parcel_count) == ("sf-express", "SF100", 1)
    level = uow.store.stock[("ST0001", SKU)]
    assert (level.on_hand, level.reserved) == (1, 0)
    subjects = [(e.subject, e.to_status) for e in done.audit if e.subject == "shipment:1"]
    assert [s for _, s in subjects] == ["allocated", "accepted", "picked", "packed", "shipped"]


def test_tasks_list_the_nodes_open_shipments_most_urgent_first_with_the_next_action():
    uow = memory_uow(("ST0001", SKU, 9), ("ST0002", SKU, 9))
    allocated_order(uow, "LATE", promised_by=NOW + timedelta(hours=20))
    allocated_order(uow, "SOON", promised_by=NOW + timedelta(hours=4))
    accepted = allocated_order(uow, "MID", promised_by=NOW + timedelta(hours=8))
    walk(uow, ref(accepted), until="accept")
    allocated_order(uow, "ELSEWHERE", nodes=("ST0002",))
    tasks = node_tasks("ST0001", uow)
    assert [(t.order.channel_order_id, t.next_action) for t in tasks] == [
        ("SOON", "accept"), ("MID", "pick"), ("LATE", "accept")]


def test_a_same_city_rider_shipment_comes_before_express_with_the_same_promise():
    uow = memory_uow(("ST0001", SKU, 9))
    express = allocated_order(uow, "EXPRESS")
    rider = allocated_order(uow, "RIDER")
    stored = uow.store.orders[rider.id]
    stored.shipments[0].mode = "rider"
    assert [t.order.id for t in node_tasks("ST0001", uow)] == [rider.id, express.id]


def test_scanning_a_wrong_sku_is_refused_and_changes_nothing():
    uow = memory_uow(("ST0001", SKU, 3))
    target = ref(walk(uow, ref(allocated_order(uow)), until="accept"))
    with pytest.raises(InvalidAction) as err:
        pick_shipment(PickShipment(target, "p1", (Scan("S0002-WHT-S", 1),)), uow, now=NOW)
    assert err.value.field == "lines[0].sku" and "S0002-WHT-S" in err.value.message
    assert get_order(target.order_id, uow).shipment(1).lines[0].picked_qty == 0


def test_scanning_more_than_the_line_holds_is_refused():
    uow = memory_uow(("ST0001", SKU, 3))
    target = ref(walk(uow, ref(allocated_order(uow)), until="accept"))
    with pytest.raises(InvalidAction) as err:
        pick_shipment(PickShipment(target, "p1", (Scan(SKU, 2, line_no=1),)), uow, now=NOW)
    assert err.value.field == "lines[0].quantity"


def test_partial_picks_keep_the_shipment_picking_until_every_unit_is_scanned():
    uow = memory_uow(("ST0001", SKU, 3))
    target = ref(walk(uow, ref(allocated_order(uow, lines=[(SKU, 2, 59900)])), until="accept"))
    first = pick_shipment(PickShipment(target, "p1", (Scan(SKU, 1),)), uow, now=NOW)
    assert (first.shipment.status, first.shipment.lines[0].picked_qty) == (ShipmentStatus.PICKING, 1)
    second = pick_shipment(PickShipment(target, "p2", (Scan(SKU, 1),)), uow, now=NOW)
    assert (second.shipment.status, second.order.status) == (ShipmentStatus.PICKED, OrderStatus.PICKING)


def test_packing_before_picking_is_an_illegal_transition_naming_the_current_status():
    uow = memory_uow(("ST0001", SKU, 3))
    target = ref(walk(uow, ref(allocated_order(uow)), until="accept"))
    with pytest.raises(IllegalTransition) as err:
        pack_shipment(PackShipment(target, "k1", 1, 500), uow, now=NOW)
    assert err.value.current == "accepted"


def test_picking_a_shipment_of_a_cancelled_order_is_illegal():
    uow = memory_uow(("ST0001", SKU, 3))
    order = allocated_order(uow)
    walk(uow, ref(order), until="accept")
    cancel_order(CancelOrder(order.id, "customer changed mind"), uow, now=NOW)
    with pytest.raises(IllegalTransition) as err:
        pick_shipment(PickShipment(ref(order), "p1", (Scan(SKU, 1),)), uow, now=NOW)
    assert err.value.current == "cancelled"
    stock_is_consistent(uow, [SKU])


def test_rejecting_after_handover_is_illegal():
    uow = memory_uow(("ST0001", SKU, 3))
    target = ref(walk(uow, ref(allocated_order(uow))))
    with pytest.raises(IllegalTransition) as err:
        reject_shipment(RejectShipment(target, "r1", "out_of_stock"), uow, now=NOW)
    assert err.value.current == "shipped"


def test_a_retried_action_with_the_same_request_id_changes_nothing():
    uow = memory_uow(("ST0001", SKU, 3))
    target = ref(walk(uow, ref(allocated_order(uow, lines=[(SKU, 2, 59900)])), until="accept"))
    cmd = PickShipment(target, "pick-once", (Scan(SKU, 1),))
    first = pick_shipment(cmd, uow, now=NOW)
    again = pick_shipment(cmd, uow, now=NOW)
    assert (first.replayed, again.replayed) == (False, True)
    stored = get_order(target.order_id, uow)
    assert stored.shipment(1).lines[0].picked_qty == 1
    assert len(stored.audit) == len(first.order.audit)


def test_the_same_request_id_for_another_action_or_payload_is_a_conflict():
    uow = memory_uow(("ST0001", SKU, 3))
    target = ref(allocated_order(uow, lines=[(SKU, 2, 59900)]))
    accept_shipment(AcceptShipment(target, "rid-1"), uow, now=NOW)
    with pytest.raises(ActionConflict) as err:
        pick_shipment(PickShipment(target, "rid-1", (Scan(SKU, 1),)), uow, now=NOW)
    assert err.value.field == "request_id"


def test_another_nodes_shipment_is_not_found():
    uow = memory_uow(("ST0001", SKU, 3))
    order = allocated_order(uow)
    with pytest.raises(NotFound):
        accept_shipment(AcceptShipment(ShipmentRef("ST0002", order.id, 1), "a1"), uow, now=NOW)
    with pytest.raises(NotFound):
        accept_shipment(AcceptShipment(ShipmentRef("ST0001", order.id, 9), "a2"), uow, now=NOW)


def test_stats_count_the_days_handovers_rejections_and_late_shipments():
    uow = memory_uow(("ST0001", SKU, 9), ("ST0002", SKU, 9))
    on_time = allocated_order(uow, "OK")
    walk(uow, ref(on_time))
    late = allocated_order(uow, "LATE", promised_by=NOW - timedelta(hours=1))
    walk(uow, ref(late))
    rejected = allocated_order(uow, "REJ")
    reject_shipment(RejectShipment(ref(rejected), "r1", "store_closing"), uow, now=NOW)
    allocated_order(uow, "OPEN", promised_by=NOW - timedelta(minutes=5))
    day = node_stats("ST0001", uow, day_start=NOW - timedelta(hours=2), now=NOW)
    assert (day.handed_over, day.late_handed_over, day.rejected_shipments, day.open, day.open_past_promise) == (
        2, 1, 1, 1, 1)
    assert day.late == 2
