"""WeChat Channels shop orders (channels/ec/order/get), posted on the mall channel → PlaceOrder."""
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.channels import mall_shape, to_command
from oms.commands import AddressCmd, LineCmd, PlaceOrder
from oms.exceptions import InvalidOrder

SH = ZoneInfo("Asia/Shanghai")
FIXTURE = Path(__file__).parents[1] / "fixtures" / "channels" / "wechat_shop_order_get.json"
PRODUCTS = "order.order_detail.product_infos"


@pytest.fixture
def payload() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def detail_of(payload: dict) -> dict:
    return payload["order"]["order_detail"]


def rejected(payload) -> InvalidOrder:
    with pytest.raises(InvalidOrder) as caught:
        to_command("mall", payload)
    return caught.value


def test_a_channels_shop_order_is_recognised_on_the_mall_channel(payload):
    assert mall_shape(payload) == "wechat_shop"
    assert mall_shape(payload["order"]) == "wechat_shop"


def test_a_presale_order_maps_to_the_canonical_order(payload):
    assert to_command("mall", payload) == PlaceOrder(
        channel="mall",
        channel_order_id="3719427358246717440",
        address=AddressCmd(province="四川省", city="成都市", district="武侯区",
                           detail="天府大道北段1700号 环球中心W6区1201", receiver_name="李*",
                           receiver_phone="139****5678", postcode="610041"),
        lines=(
            LineCmd("JK2612-BLK-L", 1, 59900, 53910, "2011234567", f"{PRODUCTS}[0].out_sku_id"),
            LineCmd("SK2610-GRY-M", 3, 2990, 8070, "2011234571", f"{PRODUCTS}[1].out_sku_id"),
        ),
        paid_at=datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH),
        customer_id="o6_bmasdasdsad6_2sgVt7hMZOPfL",
        channel_status="20",
        presale=True,
        ship_after=datetime(2026, 11, 20, tzinfo=SH),
    )


def test_line_paid_amounts_add_up_to_the_order_price(payload):
    command = to_command("mall", payload)
    assert sum(line.paid_fen for line in command.lines) == detail_of(payload)["price_info"]["order_price"]


def test_an_order_of_stock_goods_is_not_presale(payload):
    detail_of(payload)["product_infos"][0]["sku_deliver_info"] = {"stock_type": 0}
    command = to_command("mall", payload)
    assert (command.presale, command.ship_after) == (False, None)


@pytest.mark.parametrize("key, value, rule", [
    ("sale_price", "59900", "must be an integer amount in fen"),
    ("sale_price", 599.0, "must be an integer amount in fen"),
    ("real_price", -1, "must not be negative"),
    ("sku_cnt", 0, "must be an integer ≥ 1"),
])
def test_a_bad_product_value_names_its_exact_field(payload, key, value, rule):
    detail_of(payload)["product_infos"][0][key] = value
    error = rejected(payload)
    assert error.field == f"{PRODUCTS}[0].{key}"
    assert rule in error.message


def test_a_pay_time_in_milliseconds_is_refused(payload):
    detail_of(payload)["pay_info"]["pay_time"] = 1794326462000
    error = rejected(payload)
    assert error.field == "order.order_detail.pay_info.pay_time"
    assert "looks like milliseconds" in error.message


def test_a_pay_time_sent_as_text_is_refused(payload):
    detail_of(payload)["pay_info"]["pay_time"] = "2026-11-11 00:01:02"
    assert "must be epoch seconds as an integer" in rejected(payload).message


def test_a_missing_county_is_refused(payload):
    del detail_of(payload)["delivery_info"]["address_info"]["county_name"]
    assert rejected(payload).field == "order.order_detail.delivery_info.address_info.county_name"


def test_an_out_sku_id_left_empty_falls_back_to_sku_code(payload):
    detail_of(payload)["product_infos"][1]["out_sku_id"] = ""
    line = to_command("mall", payload).lines[1]
    assert (line.sku_code, line.source_field) == ("SK2610-GRY-M", f"{PRODUCTS}[1].sku_code")
