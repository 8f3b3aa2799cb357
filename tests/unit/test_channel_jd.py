"""JD POP orders (jingdong.pop.order.search / pop.order.get) → PlaceOrder."""
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.channels import to_command
from oms.commands import AddressCmd, LineCmd, PlaceOrder
from oms.exceptions import InvalidOrder

SH = ZoneInfo("Asia/Shanghai")
FIXTURE = Path(__file__).parents[1] / "fixtures" / "channels" / "jd_pop_order_search.json"
ORDER = "jingdong_pop_order_search_responce.searchorderinfo_result.orderInfoList[0]"
ENCRYPTED_NAME = "AAS/ZFJFpmfveSmeZ0P9i+iPiAVtOMmowMRtStdbSOA32r6wKNWTMeyV2CU1umLIhl0="


@pytest.fixture
def payload() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def order_of(payload: dict) -> dict:
    return payload["jingdong_pop_order_search_responce"]["searchorderinfo_result"]["orderInfoList"][0]


def rejected(payload) -> InvalidOrder:
    with pytest.raises(InvalidOrder) as caught:
        to_command("jd", payload)
    return caught.value


def test_a_618_order_maps_to_the_canonical_order(payload):
    full_address = order_of(payload)["consigneeInfo"]["fullAddress"]
    assert to_command("jd", payload) == PlaceOrder(
        channel="jd",
        channel_order_id="290125634501",
        address=AddressCmd(province="广东省", city="广州市", district="海珠区", detail=full_address,
                           receiver_name=ENCRYPTED_NAME, receiver_phone="136*******5"),
        lines=(
            LineCmd("JK2612-NVY-XL", 1, 45900, 45900, "10054887745652", f"{ORDER}.itemInfoList[0].outerSkuId"),
            LineCmd("TS2611-BLK-M", 2, 9900, 19800, "10054887745660", f"{ORDER}.itemInfoList[1].outerSkuId"),
        ),
        paid_at=datetime(2026, 6, 18, 20, 15, 40, tzinfo=SH),
        channel_shop_id="10622317",
        customer_id="jd_ituyy715jh7pssw",
        channel_status="WAIT_SELLER_STOCK_OUT",
    )


def test_a_province_without_its_suffix_gets_the_full_name(payload):
    order_of(payload)["consigneeInfo"]["province"] = "新疆"
    assert to_command("jd", payload).address.province == "新疆维吾尔自治区"


def test_a_search_page_with_two_orders_is_refused(payload):
    orders = payload["jingdong_pop_order_search_responce"]["searchorderinfo_result"]["orderInfoList"]
    orders.append(orders[0])
    error = rejected(payload)
    assert error.field == "jingdong_pop_order_search_responce.searchorderinfo_result.orderInfoList"
    assert "holds 2 orders; post exactly one order per request" in error.message


def test_a_single_order_info_object_is_accepted(payload):
    command = to_command("jd", {"orderInfo": order_of(payload)})
    assert command.lines[1].source_field == "orderInfo.itemInfoList[1].outerSkuId"


def test_a_pop_order_get_response_is_accepted(payload):
    wrapped = {"jingdong_pop_order_get_responce": {"orderDetailInfo": {"orderInfo": order_of(payload)}}}
    assert to_command("jd", wrapped).channel_order_id == "290125634501"


@pytest.mark.parametrize("value, rule", [
    ("0", "must be an integer ≥ 1, not 0"),
    ("-2", "must be an integer ≥ 1, not '-2'"),
    ("two", "must be an integer ≥ 1, not 'two'"),
    (2.0, "must be an integer ≥ 1, not 2.0"),
])
def test_a_bad_item_total_names_its_field(payload, value, rule):
    order_of(payload)["itemInfoList"][1]["itemTotal"] = value
    error = rejected(payload)
    assert error.field == f"{ORDER}.itemInfoList[1].itemTotal"
    assert rule in error.message


def test_a_jd_price_sent_as_a_float_is_refused(payload):
    order_of(payload)["itemInfoList"][0]["jdPrice"] = 459.0
    error = rejected(payload)
    assert error.field == f"{ORDER}.itemInfoList[0].jdPrice"
    assert "not float" in error.message


def test_the_zero_date_is_not_a_payment_time(payload):
    order_of(payload)["paymentConfirmTime"] = "0001-01-01 00:00:00"
    error = rejected(payload)
    assert error.field == f"{ORDER}.paymentConfirmTime"
    assert "is required" in error.message


def test_a_garbled_payment_time_is_refused(payload):
    order_of(payload)["paymentConfirmTime"] = "2026/06/18 8:15 PM"
    assert "is not a time like '2026-11-11 00:01:02'" in rejected(payload).message


def test_a_line_without_outer_sku_id_is_refused(payload):
    order_of(payload)["itemInfoList"][0]["outerSkuId"] = ""
    assert rejected(payload).field == f"{ORDER}.itemInfoList[0].outerSkuId"


def test_a_missing_consignee_is_refused(payload):
    del order_of(payload)["consigneeInfo"]
    assert rejected(payload).field == f"{ORDER}.consigneeInfo"


def test_a_missing_county_is_refused(payload):
    del order_of(payload)["consigneeInfo"]["county"]
    assert rejected(payload).field == f"{ORDER}.consigneeInfo.county"
