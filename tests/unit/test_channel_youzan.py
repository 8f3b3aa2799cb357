"""Youzan trades (youzan.trade.get), posted on the mall channel → PlaceOrder."""
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.channels import mall_shape, to_command
from oms.commands import AddressCmd, LineCmd, PlaceOrder
from oms.exceptions import InvalidOrder

SH = ZoneInfo("Asia/Shanghai")
FIXTURE = Path(__file__).parents[1] / "fixtures" / "channels" / "youzan_trade_get.json"
TRADE = "data.full_order_info"


@pytest.fixture
def payload() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def trade_of(payload: dict) -> dict:
    return payload["data"]["full_order_info"]


def rejected(payload) -> InvalidOrder:
    with pytest.raises(InvalidOrder) as caught:
        to_command("mall", payload)
    return caught.value


def test_a_youzan_trade_is_recognised_on_the_mall_channel(payload):
    assert mall_shape(payload) == "youzan"
    assert mall_shape({"response": {"full_order_info": {}}}) == "youzan"


def test_a_youzan_trade_maps_to_the_canonical_order(payload):
    address = trade_of(payload)["address_info"]
    assert to_command("mall", payload) == PlaceOrder(
        channel="mall",
        channel_order_id="E20261111000051093806201",
        address=AddressCmd(province="湖北省", city="武汉市", district="武昌区",
                           detail=address["delivery_address"], receiver_name="$Qn/ZHaMby1MzBq3Rw2t7fw==$1$",
                           receiver_phone="$eTS8t8hAECdXKgNtV6DIfw==$1$"),
        lines=(
            LineCmd("TS2611-BLK-L", 2, 19900, 35820, "1507387350277163963", f"{TRADE}.orders[0].outer_sku_id"),
            LineCmd("CAP-2610", 1, 19900, 19900, "1507387350277163964", f"{TRADE}.orders[1].outer_item_id"),
        ),
        paid_at=datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH),
        channel_shop_id="134533635",
        customer_id="lDWyZBas807636140352864256",
        channel_status="WAIT_SELLER_SEND_GOODS",
    )


def test_the_3_0_response_wrapper_is_accepted(payload):
    command = to_command("mall", {"response": payload["data"]})
    assert command.lines[0].source_field == "response.full_order_info.orders[0].outer_sku_id"


def test_a_presale_line_marks_the_order_presale(payload):
    trade_of(payload)["orders"][0].update(is_pre_sale="1", pre_sale_type="0")
    assert to_command("mall", payload).presale is True


def test_a_self_pickup_trade_without_address_is_refused(payload):
    trade_of(payload)["address_info"]["delivery_province"] = ""
    error = rejected(payload)
    assert (error.field, error.message) == (f"{TRADE}.address_info.delivery_province",
                                            f"{TRADE}.address_info.delivery_province: is required")


@pytest.mark.parametrize("key, value, rule", [
    ("num", 0, "must be an integer ≥ 1"),
    ("num", True, "must be an integer ≥ 1"),
    ("payment", "三百", "is not a money amount"),
    ("price", 199.0, "not float"),
])
def test_a_bad_line_value_names_its_exact_field(payload, key, value, rule):
    trade_of(payload)["orders"][1][key] = value
    error = rejected(payload)
    assert error.field == f"{TRADE}.orders[1].{key}"
    assert rule in error.message


def test_a_trade_without_orders_is_refused(payload):
    trade_of(payload)["orders"] = []
    assert rejected(payload).field == f"{TRADE}.orders"


def test_a_missing_pay_time_is_refused(payload):
    trade_of(payload)["order_info"]["pay_time"] = ""
    assert rejected(payload).field == f"{TRADE}.order_info.pay_time"
