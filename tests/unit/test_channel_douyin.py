"""Douyin shop orders (抖店 order.orderDetail) → PlaceOrder."""
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.channels import to_command
from oms.commands import AddressCmd, LineCmd, PlaceOrder
from oms.exceptions import InvalidOrder

SH = ZoneInfo("Asia/Shanghai")
FIXTURE = Path(__file__).parents[1] / "fixtures" / "channels" / "douyin_order_detail.json"
ORDER = "data.shop_order_detail"


@pytest.fixture
def payload() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def order_of(payload: dict) -> dict:
    return payload["data"]["shop_order_detail"]


def rejected(payload) -> InvalidOrder:
    with pytest.raises(InvalidOrder) as caught:
        to_command("douyin", payload)
    return caught.value


def test_a_douyin_order_maps_to_the_canonical_order(payload):
    order = order_of(payload)
    assert to_command("douyin", payload) == PlaceOrder(
        channel="douyin",
        channel_order_id="6920461893270281234",
        address=AddressCmd(province="湖北省", city="武汉市", district="武昌区",
                           detail=order["post_addr"]["encrypt_detail"],
                           receiver_name=order["encrypt_post_receiver"], receiver_phone=order["encrypt_post_tel"]),
        lines=(
            LineCmd("SH2609-WBL-42", 1, 40900, 38210, "6920461893270281234", f"{ORDER}.sku_order_list[0].out_sku_id"),
            LineCmd("TS2611-BLK-L", 2, 9950, 18590, "6920461893270281235", f"{ORDER}.sku_order_list[1].code"),
        ),
        paid_at=datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH),
        channel_shop_id="4463798",
        customer_id="1@#Qm9ZcXh3aGJ0ZkV6T1c3a1B4WkE9PQ==",
        channel_status="2",
    )


def test_line_paid_amounts_add_up_to_the_order_pay_amount(payload):
    assert sum(line.paid_fen for line in to_command("douyin", payload).lines) == order_of(payload)["pay_amount"]


def test_masked_receivers_are_used_when_nothing_is_encrypted(payload):
    order = order_of(payload)
    for key in ("encrypt_post_receiver", "encrypt_post_tel"):
        order[key] = ""
    del order["post_addr"]["encrypt_detail"]
    address = to_command("douyin", payload).address
    assert (address.receiver_name, address.receiver_phone, address.detail) == ("张**", "138****1234", "中北路1**号")


def test_a_full_payment_presale_with_a_booked_ship_time(payload):
    order = order_of(payload)
    order["sku_order_list"][0]["pre_sale_type"] = 1
    order["appointment_ship_time"] = 1794621600
    command = to_command("douyin", payload)
    assert command.presale is True
    assert command.ship_after == datetime(2026, 11, 14, 10, 0, tzinfo=SH)


def test_a_deposit_presale_is_presale(payload):
    order_of(payload)["sku_order_list"][1]["trade_type"] = 2
    assert to_command("douyin", payload).presale is True


def test_the_order_detail_without_its_response_envelope_is_accepted(payload):
    command = to_command("douyin", {"shop_order_detail": order_of(payload)})
    assert command.lines[0].source_field == "shop_order_detail.sku_order_list[0].out_sku_id"


@pytest.mark.parametrize("key, value, rule", [
    ("origin_amount", 409.0, "must be an integer amount in fen, not number 409.0"),
    ("origin_amount", "40900", "must be an integer amount in fen, not string"),
    ("pay_amount", None, "is required"),
    ("item_num", -1, "must be an integer ≥ 1"),
])
def test_a_bad_sku_value_names_its_exact_field(payload, key, value, rule):
    order_of(payload)["sku_order_list"][0][key] = value
    error = rejected(payload)
    assert error.field == f"{ORDER}.sku_order_list[0].{key}"
    assert rule in error.message


def test_a_district_without_a_name_is_refused(payload):
    order_of(payload)["post_addr"]["town"] = {"name": "", "id": ""}
    assert rejected(payload).field == f"{ORDER}.post_addr.town.name"


def test_a_post_addr_part_sent_as_text_is_refused(payload):
    order_of(payload)["post_addr"]["province"] = "湖北省"
    error = rejected(payload)
    assert (error.field, error.message) == (f"{ORDER}.post_addr.province",
                                            f"{ORDER}.post_addr.province: must be an object, not string")


def test_an_unpaid_order_is_refused(payload):
    order_of(payload)["pay_time"] = 0
    assert rejected(payload).field == f"{ORDER}.pay_time"
