from datetime import datetime, timezone

import pytest
from hypothesis import given, strategies as st

from oms.exceptions import IllegalTransition
from oms.lifecycle import ORDER_TRANSITIONS, SHIPMENT_TRANSITIONS, OrderStatus, ShipmentStatus
from oms.services import new_order
from tests.builders.orders import place_order, small_catalogue

NOW = datetime(2026, 11, 11, tzinfo=timezone.utc)


def a_new_order():
    return new_order(place_order(), catalogue=small_catalogue(), now=NOW)


def test_new_order_is_received_with_an_audit_entry():
    order = a_new_order()
    assert order.status == OrderStatus.RECEIVED
    assert [(e.from_status, e.to_status) for e in order.audit] == [(None, "received")]


def test_legal_transition_is_recorded_with_actor_and_reason():
    order = a_new_order()
    order.transition(OrderStatus.CANCELLED, at=NOW, actor="cs:li", reason="customer asked")
    last = order.audit[-1]
    assert (last.actor, last.from_status, last.to_status, last.reason) == ("cs:li", "received", "cancelled", "customer asked")


def test_shipped_order_cannot_be_cancelled():
    order = a_new_order()
    for target in (OrderStatus.ALLOCATED, OrderStatus.SHIPPED):
        order.transition(target, at=NOW, actor="t", reason="t")
    with pytest.raises(IllegalTransition) as err:
        order.transition(OrderStatus.CANCELLED, at=NOW, actor="t", reason="t")
    assert err.value.current == "shipped"


@given(st.lists(st.sampled_from(list(OrderStatus)), max_size=12))
def test_any_sequence_either_follows_the_table_or_raises_and_changes_nothing(targets):
    order = a_new_order()
    for target in targets:
        before, entries = order.status, len(order.audit)
        if target == before:
            order.transition(target, at=NOW, actor="t", reason="t")
            assert len(order.audit) == entries
        elif target in ORDER_TRANSITIONS[before]:
            order.transition(target, at=NOW, actor="t", reason="t")
            assert order.status == target and len(order.audit) == entries + 1
        else:
            with pytest.raises(IllegalTransition):
                order.transition(target, at=NOW, actor="t", reason="t")
            assert order.status == before and len(order.audit) == entries


@given(st.lists(st.sampled_from(list(ShipmentStatus)), max_size=10))
def test_shipment_moves_follow_the_table(targets):
    order = a_new_order()
    shipment = order.add_shipment("ST0001", [(1, 1)], at=NOW, actor="alloc", reason="test")
    for target in targets:
        before = shipment.status
        if target in SHIPMENT_TRANSITIONS[before]:
            order.move_shipment(shipment, target, at=NOW, actor="t", reason="t")
            assert shipment.status == target
        else:
            with pytest.raises(IllegalTransition):
                order.move_shipment(shipment, target, at=NOW, actor="t", reason="t")
            assert shipment.status == before


def test_terminal_states_have_no_way_out():
    assert not ORDER_TRANSITIONS[OrderStatus.CANCELLED]
    assert not ORDER_TRANSITIONS[OrderStatus.RETURNED]
    assert not SHIPMENT_TRANSITIONS[ShipmentStatus.REJECTED]
