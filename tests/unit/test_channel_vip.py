"""VIP.com drop-ship orders (DvdDeliveryService getOrderList + getOrderDetail) → PlaceOrder."""
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.channels import to_command
from oms.commands import AddressCmd, LineCmd, PlaceOrder
from oms.exceptions import InvalidOrder

SH = ZoneInfo("Asia/Shanghai")
FIXTURE = Path(__file__).parents[1] / "fixtures" / "channels" / "vip_dvd_order.json"


@pytest.fixture
def payload() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def rejected(payload) -> InvalidOrder:
    with pytest.raises(InvalidOrder) as caught:
        to_command("vip", payload)
    return caught.value


def test_a_vip_order_maps_to_the_canonical_order_with_country_as_district(payload):
    assert to_command("vip", payload) == PlaceOrder(
        channel="vip",
        channel_order_id="26111100012345",
        address=AddressCmd(province="辽宁省", city="沈阳市", district="和平区", detail="南京北街***号**小区*单元****",
                           receiver_name="王**", receiver_phone="186****4321", postcode="110001"),
        lines=(
            LineCmd("KD2610-NVY-140", 2, 25900, 51800, None, "result.orderDetails[0].barcode"),
            LineCmd("BG2608-BLU-OS", 1, 22800, 22800, None, "result.orderDetails[1].barcode"),
        ),
        paid_at=datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH),
        channel_shop_id="550123",
        channel_status="10",
    )


def test_a_province_sent_as_state_is_accepted(payload):
    order = payload["result"]["dvd_order_list"][0]
    order["state"] = order.pop("province")
    assert to_command("vip", payload).address.province == "辽宁省"


@pytest.mark.parametrize("price, fen", [(259.9, 25990), (0.1, 10), ("259.90", 25990), (Decimal("259.9"), 25990)])
def test_a_sell_price_number_with_two_decimals_is_read_exactly(payload, price, fen):
    payload["result"]["orderDetails"][0]["sell_price"] = price
    assert to_command("vip", payload).lines[0].unit_price_fen == fen


@pytest.mark.parametrize("price, rule", [
    (0.1 + 0.2, "has more than two decimal places"),
    (float("nan"), "is not a money amount"),
    (1e20, "is not a money amount"),
])
def test_a_sell_price_that_is_not_an_exact_amount_is_refused(payload, price, rule):
    payload["result"]["orderDetails"][1]["sell_price"] = price
    error = rejected(payload)
    assert error.field == "result.orderDetails[1].sell_price"
    assert rule in error.message


def test_goods_of_another_order_are_refused(payload):
    payload["result"]["orderDetails"][1]["order_id"] = "26111100099999"
    error = rejected(payload)
    assert error.field == "result.orderDetails[1].order_id"
    assert "belongs to order '26111100099999', not '26111100012345'" in error.message


def test_an_order_list_holding_two_orders_is_refused(payload):
    orders = payload["result"]["dvd_order_list"]
    orders.append(dict(orders[0], order_id="26111100012346"))
    assert "holds 2 orders" in rejected(payload).message


def test_a_missing_district_names_country(payload):
    del payload["result"]["dvd_order_list"][0]["country"]
    assert rejected(payload).field == "result.dvd_order_list[0].country"


def test_a_zero_amount_is_refused(payload):
    payload["result"]["orderDetails"][0]["amount"] = 0
    assert rejected(payload).field == "result.orderDetails[0].amount"


def test_an_order_without_goods_is_refused(payload):
    del payload["result"]["orderDetails"]
    assert rejected(payload).field == "result.orderDetails"
