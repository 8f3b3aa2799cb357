"""A warehouse's outbound confirmation: its WMS reports picking, packing and hand-over in one message."""
from datetime import timedelta

import pytest

from oms.exceptions import IllegalTransition, InvalidAction
from oms.lifecycle import OrderStatus, ShipmentStatus
from oms.pos import ConfirmOutbound, confirm_outbound
from oms.services import get_order
from tests.builders.pos import NOW, allocated_order, memory_uow, ref, stock_is_consistent, walk

SKU = "S0001-BLK-M"
RDC = ("RDC-WUH",)


def outbound(target, *, request_id="out-1", picked=None, packed=None, now=NOW + timedelta(hours=2)):
    return confirm_outbound(ConfirmOutbound(target, request_id, "jd-logistics", "JD1", 900, 1, picked, packed),
                            uow=outbound.uow, now=now)


@pytest.fixture
def accepted():
    uow = memory_uow(("RDC-WUH", SKU, 5))
    order = allocated_order(uow, lines=[(SKU, 2, 59900)], nodes=RDC)
    walk(uow, ref(order), until="accept")
    outbound.uow = uow
    return uow, ref(order)


def test_one_confirmation_records_pick_pack_and_handover_at_the_times_the_wms_gives(accepted):
    uow, target = accepted
    picked, packed = NOW + timedelta(minutes=30), NOW + timedelta(minutes=40)
    done = outbound(target, picked=picked, packed=packed).order
    shipment = done.shipment(1)
    assert (shipment.status, done.status) == (ShipmentStatus.SHIPPED, OrderStatus.SHIPPED)
    assert (shipment.carrier, shipment.tracking_no, shipment.weight_g) == ("jd-logistics", "JD1", 900)
    steps = [(e.to_status, e.at) for e in done.audit if e.subject == "shipment:1"]
    assert steps[-3:] == [("picked", picked), ("packed", packed), ("shipped", NOW + timedelta(hours=2))]
    assert [e.to_status for e in done.audit if e.subject == "order"][-2:] == ["allocated", "shipped"]  # told at once
    assert [ln.picked_qty for ln in shipment.lines] == [2]
    level = uow.store.stock[("RDC-WUH", SKU)]
    assert (level.on_hand, level.reserved) == (3, 0)
    stock_is_consistent(uow, [SKU])


def test_steps_the_node_already_reported_are_not_repeated():
    uow = memory_uow(("RDC-WUH", SKU, 5))
    target = ref(walk(uow, ref(allocated_order(uow, nodes=RDC)), until="pack"))
    outbound.uow = uow
    done = outbound(target).order
    assert [e.to_status for e in done.audit if e.subject == "shipment:1"] == [
        "allocated", "accepted", "picked", "packed", "shipped"]


def test_a_retry_changes_nothing_and_times_default_to_now(accepted):
    uow, target = accepted
    first = outbound(target)
    again = outbound(target)
    assert (first.replayed, again.replayed) == (False, True)
    assert uow.store.stock[("RDC-WUH", SKU)].on_hand == 3
    assert {e.at for e in first.order.audit if e.to_status in ("picked", "packed", "shipped")} == {
        NOW + timedelta(hours=2)}


@pytest.mark.parametrize("picked, packed, field", [
    (NOW - timedelta(minutes=5), None, "picked_at"),  # before the shipment was accepted
    (NOW + timedelta(minutes=50), NOW + timedelta(minutes=40), "picked_at"),
    (None, NOW + timedelta(hours=3), "packed_at"),  # packed after the hand-over
])
def test_times_out_of_order_are_refused_naming_the_field_and_change_nothing(accepted, picked, packed, field):
    uow, target = accepted
    with pytest.raises(InvalidAction) as err:
        outbound(target, picked=picked, packed=packed)
    assert err.value.field == field
    assert get_order(target.order_id, uow).shipment(1).status == ShipmentStatus.ACCEPTED
    assert uow.store.stock[("RDC-WUH", SKU)].reserved == 2


def test_a_shipment_the_wms_never_acknowledged_is_accepted_as_picking_began():
    uow = memory_uow(("RDC-WUH", SKU, 5))
    outbound.uow = uow
    target = ref(allocated_order(uow, nodes=RDC))
    picked = NOW + timedelta(minutes=20)
    done = outbound(target, picked=picked).order
    steps = [(e.to_status, e.at) for e in done.audit if e.subject == "shipment:1"]
    assert [to for to, _ in steps] == ["allocated", "accepted", "picked", "packed", "shipped"]
    assert steps[1] == ("accepted", picked) and done.shipment(1).accepted_at == picked
    with pytest.raises(InvalidAction) as err:  # picked before it was even allocated
        outbound(ref(allocated_order(uow, "P2", nodes=RDC)), request_id="out-2", picked=NOW - timedelta(minutes=1))
    assert err.value.field == "picked_at" and "allocated" in err.value.message


def test_a_shipped_shipment_cannot_be_confirmed_again_under_another_request_id(accepted):
    _, target = accepted
    outbound(target)
    with pytest.raises(IllegalTransition) as err:
        outbound(target, request_id="out-again")
    assert err.value.current == "shipped"
