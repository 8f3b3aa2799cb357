"""Walk-in sales share the store's stock with online orders."""
from datetime import timedelta

import pytest

from oms.exceptions import ActionConflict, InsufficientStock
from oms.rejecting import RejectShipment, reject_shipment
from oms.sales import RecordSale, SaleLine, record_sale
from tests.builders.pos import NOW, allocated_order, memory_uow, ref, stock_is_consistent, walk

SKU = "S0001-BLK-M"


def sale(receipt="R1", qty=1, sku=SKU, node="ST0001"):
    return RecordSale(node, receipt, (SaleLine(sku, qty),))


def test_a_pos_sale_lowers_on_hand_and_online_atp_at_once():
    uow = memory_uow(("ST0001", SKU, 3))
    result = record_sale(sale(qty=2), uow, now=NOW)
    assert result.stock == [{"sku": SKU, "sold": 2, "on_hand": 1, "atp": 1}] and result.at_risk == []
    assert uow.store.stock[("ST0001", SKU)].on_hand == 1


def test_a_sale_taking_reserved_units_names_the_unpicked_shipments_at_risk():
    uow = memory_uow(("ST0001", SKU, 2))
    picked = allocated_order(uow, "PICKED")
    walk(uow, ref(picked), until="pick")
    waiting = allocated_order(uow, "WAITING")
    result = record_sale(sale(), uow, now=NOW)
    assert result.at_risk == [{"sku": SKU, "units": 1, "shipments": [f"{waiting.id}-1"]}]
    stock_is_consistent(uow, [SKU])  # the reservation is kept for operations to move, not lost


def test_a_resent_receipt_is_not_sold_twice_and_a_reused_receipt_id_conflicts():
    uow = memory_uow(("ST0001", SKU, 3))
    first = record_sale(sale(), uow, now=NOW)
    again = record_sale(sale(), uow, now=NOW)
    assert (again.replayed, again.stock) == (True, first.stock)
    assert uow.store.stock[("ST0001", SKU)].on_hand == 2
    with pytest.raises(ActionConflict):
        record_sale(sale(qty=2), uow, now=NOW)


def test_selling_more_than_the_node_holds_is_refused_and_changes_nothing():
    uow = memory_uow(("ST0001", SKU, 1))
    with pytest.raises(InsufficientStock):
        record_sale(sale(qty=2), uow, now=NOW)
    with pytest.raises(InsufficientStock) as err:
        record_sale(sale(sku="S0002-WHT-S"), uow, now=NOW)
    assert err.value.field == "lines[0].sku"
    assert uow.store.stock[("ST0001", SKU)].on_hand == 1


def test_rejecting_the_shipment_a_sale_left_short_does_not_take_the_sold_units_off_again():
    uow = memory_uow(("ST0001", SKU, 2))
    kept = allocated_order(uow, "KEPT")
    short = allocated_order(uow, "SHORT", now=NOW + timedelta(minutes=1))  # the newer promise is the one at risk
    assert record_sale(sale(), uow, now=NOW).at_risk == [{"sku": SKU, "units": 1, "shipments": [f"{short.id}-1"]}]
    reject_shipment(RejectShipment(ref(short), "r1", "out_of_stock"), uow, now=NOW)  # the unit the till sold
    level = uow.store.stock[("ST0001", SKU)]
    assert (level.on_hand, level.reserved) == (1, 1)  # the unit still on the shelf is still on the books
    walk(uow, ref(kept))  # and ships
    level = uow.store.stock[("ST0001", SKU)]
    assert (level.on_hand, level.reserved) == (0, 0)
    stock_is_consistent(uow, [SKU])
