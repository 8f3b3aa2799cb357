"""Tmall / Taobao trades (taobao.trade.fullinfo.get) → PlaceOrder."""
import copy
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.channels import to_command
from oms.commands import AddressCmd, LineCmd, PlaceOrder
from oms.exceptions import InvalidOrder

SH = ZoneInfo("Asia/Shanghai")
FIXTURE = Path(__file__).parents[1] / "fixtures" / "channels" / "tmall_trade_fullinfo.json"
ORDERS = "trade_fullinfo_get_response.trade.orders.order"


@pytest.fixture
def payload() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def trade_of(payload: dict) -> dict:
    return payload["trade_fullinfo_get_response"]["trade"]


def rejected(payload) -> InvalidOrder:
    with pytest.raises(InvalidOrder) as caught:
        to_command("tmall", payload)
    return caught.value


def test_a_double_eleven_trade_maps_to_the_canonical_order(payload):
    assert to_command("tmall", payload) == PlaceOrder(
        channel="tmall",
        channel_order_id="4012345678901234567",
        address=AddressCmd(province="浙江省", city="杭州市", district="西湖区",
                           detail="西**街道文三路***号**小区*幢***室", receiver_name="张**",
                           receiver_phone="*******1234", postcode="310012"),
        lines=(
            LineCmd("TS2611-BLK-L", 2, 19900, 35820, "4012345678901234568", f"{ORDERS}[0].outer_sku_id"),
            LineCmd("SK2610-WHT-39", 1, 9900, 9880, "4012345678901234569", f"{ORDERS}[1].outer_sku_id"),
            LineCmd("GIFT-BAG-01", 1, 0, 0, "4012345678901234570", f"{ORDERS}[2].outer_sku_id"),
        ),
        paid_at=datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH),
        channel_shop_id="动能体育官方旗舰店",
        customer_id="AAHk5d-EAAeGwJedwSFu0XXX",
        channel_status="WAIT_SELLER_SEND_GOODS",
    )


def test_line_paid_amounts_add_up_to_the_trade_payment(payload):
    command = to_command("tmall", payload)
    assert sum(line.paid_fen for line in command.lines) == 45700  # trade.payment "457.00"


def test_a_tid_beyond_2_to_the_53_is_kept_exact_without_tid_str(payload):
    del trade_of(payload)["tid_str"]
    assert to_command("tmall", payload).channel_order_id == "4012345678901234567"


def test_a_tid_that_went_through_a_float_is_refused(payload):
    trade = trade_of(payload)
    del trade["tid_str"]
    trade["tid"] = float(trade["tid"])
    error = rejected(payload)
    assert error.field == "trade_fullinfo_get_response.trade.tid"
    assert "cannot hold a long id exactly" in error.message


def test_a_bare_trade_object_is_accepted(payload):
    assert to_command("tmall", trade_of(payload)).lines[0].source_field == "orders.order[0].outer_sku_id"


def test_a_lone_order_sent_as_an_object_is_one_line(payload):
    trade = trade_of(payload)
    trade["orders"]["order"] = trade["orders"]["order"][0]
    assert to_command("tmall", payload).lines[0].source_field == f"{ORDERS}.outer_sku_id"


def test_a_province_level_county_without_city_uses_the_district_as_city(payload):
    trade = trade_of(payload)
    trade.update(receiver_state="河南省", receiver_city="", receiver_district="济源市", receiver_town="沁园街道")
    address = to_command("tmall", payload).address
    assert (address.province, address.city, address.district) == ("河南省", "济源市", "济源市")


def test_a_sold_trades_page_with_two_trades_is_refused(payload):
    trade = trade_of(payload)
    error = rejected({"trades_sold_get_response": {"trades": {"trade": [trade, trade]}}})
    assert error.field == "trades_sold_get_response.trades.trade"
    assert "holds 2 trades; post exactly one trade per request" in error.message


def test_a_step_paid_presale_carries_its_promised_shipping_date(payload):
    trade_of(payload).update(type="step", step_trade_status="FRONT_PAID_FINAL_PAID",
                             est_con_time="2026-11-20 00:00:00")
    command = to_command("tmall", payload)
    assert command.presale is True
    assert command.ship_after == datetime(2026, 11, 20, tzinfo=SH)


def test_a_free_text_shipping_promise_leaves_ship_after_empty(payload):
    trade_of(payload).update(step_trade_status="FRONT_PAID_FINAL_NOPAID", est_con_time="付款后15天内")
    command = to_command("tmall", payload)
    assert (command.presale, command.ship_after) == (True, None)


@pytest.mark.parametrize("index, key, value, rule", [
    (1, "num", 0, "must be an integer ≥ 1, not 0"),
    (1, "num", "2", "must be an integer ≥ 1, not '2'"),
    (0, "price", "199.0x", "is not a money amount"),
    (0, "price", 199.0, "money must be a decimal string or integer, not float"),
    (2, "price", "-1.00", "must not be negative"),
    (0, "divide_order_fee", "358.205", "has more than two decimal places"),
])
def test_a_bad_line_value_names_its_exact_field(payload, index, key, value, rule):
    trade_of(payload)["orders"]["order"][index][key] = value
    error = rejected(payload)
    assert error.field == f"{ORDERS}[{index}].{key}"
    assert rule in error.message


def test_a_line_without_any_seller_code_points_at_outer_sku_id(payload):
    line = trade_of(payload)["orders"]["order"][1]
    del line["outer_sku_id"], line["outer_iid"]
    error = rejected(payload)
    assert (error.field, error.message) == (f"{ORDERS}[1].outer_sku_id", f"{ORDERS}[1].outer_sku_id: is required")


def test_an_unpaid_trade_is_refused_for_lack_of_pay_time(payload):
    del trade_of(payload)["pay_time"]
    assert rejected(payload).field == "trade_fullinfo_get_response.trade.pay_time"


@pytest.mark.parametrize("key", ["receiver_state", "receiver_address"])
def test_a_missing_address_part_is_refused(payload, key):
    del trade_of(payload)[key]
    assert rejected(payload).field == f"trade_fullinfo_get_response.trade.{key}"


def test_an_empty_order_list_is_refused(payload):
    trade_of(payload)["orders"]["order"] = []
    error = rejected(payload)
    assert error.field == ORDERS and "at least one line" in error.message


def test_an_overlong_receiver_name_is_refused(payload):
    trade_of(payload)["receiver_name"] = "张" * 513
    assert "at most 512 characters" in rejected(payload).message


def test_a_wrongly_typed_orders_block_is_refused(payload):
    trade_of(payload)["orders"] = [1, 2]
    error = rejected(payload)
    assert (error.field, error.message) == ("trade_fullinfo_get_response.trade.orders",
                                            "trade_fullinfo_get_response.trade.orders: must be an object, not list")


def test_source_fields_point_at_outer_iid_for_items_without_skus(payload):
    del trade_of(payload)["orders"]["order"][0]["outer_sku_id"]
    line = to_command("tmall", payload).lines[0]
    assert (line.sku_code, line.source_field) == ("TS2611", f"{ORDERS}[0].outer_iid")


def test_the_payload_is_not_modified(payload):
    before = copy.deepcopy(payload)
    to_command("tmall", payload)
    assert payload == before
