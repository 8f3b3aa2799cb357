import dataclasses
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from oms.commands import CancelOrder, LineCmd
from oms.exceptions import DuplicateOrderConflict, InvalidOrder, UnknownChannel, UnknownSku
from oms.lifecycle import OrderStatus
from oms.services import cancel_order, get_order, place_order
from oms.unit_of_work import InMemoryUnitOfWork
from tests.builders.orders import place_order as a_place_order, small_catalogue

NOW = datetime(2026, 11, 11, tzinfo=timezone.utc)
CAT = small_catalogue()


def place(cmd, uow):
    return place_order(cmd, uow, catalogue=CAT, now=NOW)


def test_a_new_order_is_stored_with_a_24_hour_promise():
    uow = InMemoryUnitOfWork()
    result = place(a_place_order(), uow)
    assert result.created and result.order.id == 1
    assert result.order.promised_by - result.order.paid_at == timedelta(hours=24)
    assert uow.committed


def test_resending_the_same_order_returns_it_and_stores_nothing_new():
    uow = InMemoryUnitOfWork()
    first = place(a_place_order("T1"), uow)
    again = place(a_place_order("T1"), uow)
    assert not again.created and again.order.id == first.order.id
    assert len(uow.store.orders) == 1


def test_same_id_with_other_content_is_a_conflict_that_names_what_differs():
    uow = InMemoryUnitOfWork()
    place(a_place_order("T1"), uow)
    with pytest.raises(DuplicateOrderConflict) as err:
        place(a_place_order("T1", lines=[("S0001-BLK-M", 2, 59900)]), uow)
    assert "lines" in err.value.message


def test_same_channel_order_id_on_another_channel_is_another_order():
    uow = InMemoryUnitOfWork()
    place(a_place_order("X1", channel="tmall"), uow)
    assert place(a_place_order("X1", channel="jd"), uow).created


def test_an_unknown_sku_names_the_line_and_writes_nothing():
    uow = InMemoryUnitOfWork()
    lines = (LineCmd("S0001-BLK-M", 1, 100, 100, source_field="lines[0].sku"),
             LineCmd("NOPE", 1, 100, 100, source_field="lines[1].sku"))
    with pytest.raises(UnknownSku) as err:
        place(dataclasses.replace(a_place_order("T9"), lines=lines), uow)
    assert err.value.field == "lines[1].sku"
    assert not uow.store.orders


@pytest.mark.parametrize("qty", [0, -1, 10_000])
def test_quantity_out_of_range_is_refused(qty):
    with pytest.raises(InvalidOrder) as err:
        place(a_place_order(lines=[("S0001-BLK-M", qty, 100)]), InMemoryUnitOfWork())
    assert err.value.field == "lines[0].quantity"


def test_missing_address_city_is_refused():
    from tests.builders.orders import address
    with pytest.raises(InvalidOrder) as err:
        place(a_place_order(address=address(city=" ")), InMemoryUnitOfWork())
    assert err.value.field == "address.city"


def test_unknown_channel_is_refused():
    with pytest.raises(UnknownChannel):
        place(a_place_order(channel="kuaishou"), InMemoryUnitOfWork())


def test_a_guide_order_must_name_its_guide_and_store():
    with pytest.raises(InvalidOrder) as err:
        place(a_place_order(channel="guide", store_id="ST0001"), InMemoryUnitOfWork())
    assert err.value.field == "guide_id"


def test_cancelling_a_received_order_is_audited():
    uow = InMemoryUnitOfWork()
    order = place(a_place_order(), uow).order
    cancelled = cancel_order(CancelOrder(order.id, "customer changed mind"), uow, now=NOW)
    assert cancelled.status == OrderStatus.CANCELLED
    assert get_order(order.id, uow).audit[-1].reason == "customer changed mind"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.sampled_from([1, 2])), max_size=30))
def test_any_stream_of_resends_stores_each_order_exactly_once(stream):
    uow = InMemoryUnitOfWork()
    for order_id, qty in stream:
        try:
            place(a_place_order(order_id, lines=[("S0002-WHT-L", qty, 19900)]), uow)
        except DuplicateOrderConflict:
            pass
    assert sorted(o.channel_order_id for o in uow.store.orders.values()) == sorted({i for i, _ in stream})
