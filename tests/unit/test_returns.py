"""Delivery confirmation and 7-day returns: pickup, receipt at a node, restock or write-off, refund."""
import dataclasses
from datetime import timedelta

import pytest

from oms.exceptions import IllegalTransition, InvalidAction, NotFound, ReturnWindowClosed
from oms.lifecycle import OrderStatus, ReturnStatus, ShipmentStatus
from oms.returns import ConfirmDelivery, ReceiveReturn, RequestReturn, confirm_delivery, receive_return, request_return
from tests.builders.pos import NOW, allocated_order, memory_uow, ref, walk

SKU, SKU2 = "S0001-BLK-M", "S0002-WHT-S"
DELIVERED_AT = NOW + timedelta(days=1)


def delivered_order(uow, lines=None, name="D1"):
    order = allocated_order(uow, name, lines=lines)
    walk(uow, ref(order))
    return confirm_delivery(ConfirmDelivery(order.id, 1, "sf-express", DELIVERED_AT), uow, now=DELIVERED_AT)


def ask(uow, order, lines=None, days_after=2):
    return request_return(RequestReturn(order.id, "does not fit", lines), uow, window_days=7,
                          now=DELIVERED_AT + timedelta(days=days_after), pickup_carrier="sf-express")


def receive(uow, order, return_no=1, condition="ok", request_id="in-1", node="RDC-WUH", conditions=()):
    return receive_return(ReceiveReturn(node, order.id, return_no, request_id, condition, conditions), uow,
                          now=DELIVERED_AT + timedelta(days=4))


def test_the_carrier_confirms_delivery_once_and_only_for_its_own_parcel():
    uow = memory_uow(("ST0001", SKU, 3))
    order = delivered_order(uow)
    assert (order.status, order.shipment(1).status) == (OrderStatus.DELIVERED, ShipmentStatus.DELIVERED)
    again = confirm_delivery(ConfirmDelivery(order.id, 1, "sf-express"), uow, now=NOW + timedelta(days=3))
    assert again.delivered_at == DELIVERED_AT and len(again.audit) == len(order.audit)
    with pytest.raises(NotFound):
        confirm_delivery(ConfirmDelivery(order.id, 1, "zto"), uow, now=NOW)


def test_a_return_within_the_window_is_requested_with_courier_pickup():
    uow = memory_uow(("ST0001", SKU, 3))
    order, request = ask(uow, delivered_order(uow))
    assert order.status == OrderStatus.RETURN_REQUESTED
    assert (request.status, request.pickup_carrier, [(ln.sku_code, ln.quantity) for ln in request.lines]) == (
        ReturnStatus.REQUESTED, "sf-express", [(SKU, 1)])
    assert order.audit[-2].subject == "return:1" and "courier pickup" in order.audit[-2].reason


def test_a_return_after_the_window_is_refused_with_the_closing_time():
    uow = memory_uow(("ST0001", SKU, 3))
    with pytest.raises(ReturnWindowClosed) as err:
        ask(uow, delivered_order(uow), days_after=8)
    assert "7-day return window closed at 2026-11-19" in err.value.message


def test_an_order_not_yet_delivered_cannot_be_returned():
    uow = memory_uow(("ST0001", SKU, 3))
    order = allocated_order(uow)
    walk(uow, ref(order))
    with pytest.raises(IllegalTransition) as err:
        ask(uow, order)
    assert err.value.current == "shipped"


def test_a_return_in_good_condition_is_restocked_at_the_receiving_node_and_refunded_in_full():
    uow = memory_uow(("ST0001", SKU, 3))
    order, _ = ask(uow, delivered_order(uow))
    after, request, replayed = receive(uow, order)
    assert (request.status, request.received_node_id, request.refund_fen, replayed) == (
        ReturnStatus.RECEIVED, "RDC-WUH", 59900, False)
    assert after.status == OrderStatus.RETURNED
    assert uow.store.stock[("RDC-WUH", SKU)].on_hand == 1


def test_a_damaged_line_is_written_off_but_still_refunded():
    uow = memory_uow(("ST0001", SKU, 3), ("ST0001", SKU2, 3))
    order, _ = ask(uow, delivered_order(uow, lines=[(SKU, 1, 59900), (SKU2, 1, 19900)]))
    _, request, _ = receive(uow, order, conditions=((2, "damaged"),))
    assert [(ln.condition, ln.refund_fen) for ln in request.lines] == [("ok", 59900), ("damaged", 19900)]
    assert ("RDC-WUH", SKU2) not in uow.store.stock


def test_refunds_of_a_line_returned_in_parts_add_up_to_what_was_paid_and_the_order_ends_returned():
    uow = memory_uow(("ST0001", SKU, 5))
    order = delivered_order(uow, lines=[(SKU, 3, 100)])
    stored = uow.store.orders[order.id]  # after a discount: 100 fen for 3 units, not divisible
    stored.lines[0] = dataclasses.replace(stored.lines[0], paid_fen=100)
    refunds = []
    for n, rid in ((1, "a"), (2, "b"), (3, "c")):
        order, _ = ask(uow, order, lines=((1, 1),))
        order, request, _ = receive(uow, order, return_no=n, request_id=rid)
        refunds.append(request.refund_fen)
        assert order.status == (OrderStatus.RETURNED if n == 3 else OrderStatus.DELIVERED)
    assert refunds == [33, 33, 34] and sum(refunds) == 100


def test_returning_more_than_was_bought_is_refused():
    uow = memory_uow(("ST0001", SKU, 3))
    order = delivered_order(uow)
    with pytest.raises(InvalidAction) as err:
        ask(uow, order, lines=((1, 2),))
    assert err.value.field == "lines[0].quantity"


def test_receiving_again_with_the_same_request_id_changes_nothing_and_with_another_is_illegal():
    uow = memory_uow(("ST0001", SKU, 3))
    order, _ = ask(uow, delivered_order(uow))
    receive(uow, order)
    _, _, replayed = receive(uow, order)
    assert replayed and uow.store.stock[("RDC-WUH", SKU)].on_hand == 1
    with pytest.raises(IllegalTransition) as err:
        receive(uow, order, request_id="in-2")
    assert err.value.current == "received"
