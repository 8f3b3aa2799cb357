"""The brand's own order JSON on the mall and guide channels → PlaceOrder."""
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oms.channels import mall_shape, to_command
from oms.commands import AddressCmd, LineCmd, PlaceOrder
from oms.exceptions import InvalidOrder

SH = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(__file__).parents[1] / "fixtures" / "channels"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def mall() -> dict:
    return load("mall_canonical.json")


@pytest.fixture
def guide() -> dict:
    return load("guide_canonical.json")


def rejected(channel: str, payload) -> InvalidOrder:
    with pytest.raises(InvalidOrder) as caught:
        to_command(channel, payload)
    return caught.value


def test_a_mall_order_from_a_store_listing_maps_to_the_canonical_order(mall):
    assert mall_shape(mall) == "canonical"
    assert to_command("mall", mall) == PlaceOrder(
        channel="mall",
        channel_order_id="MP20261111000123",
        address=AddressCmd(province="湖北省", city="武汉市", district="武昌区", detail="中北路108号3栋1201",
                           receiver_name="张**", receiver_phone="138****1234", postcode="430071"),
        lines=(
            LineCmd("TS2611-BLK-L", 2, 19900, 35820, "1", "lines[0].sku"),
            LineCmd("SH2609-WBL-42", 1, 40900, 36810, "2", "lines[1].sku"),
            LineCmd("SK2610-WHT-39", 3, 2990, 8073, "3", "lines[2].sku"),
        ),
        paid_at=datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH),
        store_id="WH-WUCHANG-001",
        customer_id="o6_bmjrPTlm6_2sgVt7hMZOPfL2M",
        channel_status="PAID",
    )


def test_a_guide_order_carries_its_guide_and_store(guide):
    assert to_command("guide", guide) == PlaceOrder(
        channel="guide",
        channel_order_id="WG2608250042",
        address=AddressCmd(province="北京市", city="北京市", district="海淀区", detail="中关村南大街5号院2号楼603",
                           receiver_name="刘**", receiver_phone="#Yk3Ol4W1E2mB#encrypted##"),
        lines=(
            LineCmd("BG2608-BLU-OS", 1, 22800, 20520, None, "lines[0].sku"),
            LineCmd("SH2608-KID-34", 1, 29900, 26910, None, "lines[1].sku"),
            LineCmd("SK2610-WHT-31", 5, 1990, 8955, None, "lines[2].sku"),
        ),
        paid_at=datetime(2026, 8, 25, 19, 42, 10, tzinfo=SH),
        store_id="BJ-XIDAN-012",
        guide_id="G10086",
        customer_id="wm_external_userid_7Hq2",
        channel_status="PAID",
        presale=True,
        ship_after=datetime(2026, 8, 28, 9, 0, tzinfo=SH),
    )


@pytest.mark.parametrize("key", ["guide_id", "store_id"])
def test_a_guide_order_without_attribution_is_refused(guide, key):
    del guide[key]
    error = rejected("guide", guide)
    assert (error.field, error.message) == (key, f"{key}: is required")


def test_a_time_in_another_offset_is_stored_in_china_time(mall):
    mall["paid_at"] = "2026-11-10T16:01:02Z"
    assert to_command("mall", mall).paid_at == datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH)
    assert to_command("mall", mall).paid_at.utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize("path, value, field, rule", [
    (("lines", 1, "quantity"), 0, "lines[1].quantity", "must be an integer ≥ 1, not 0"),
    (("lines", 1, "quantity"), "2", "lines[1].quantity", "must be an integer ≥ 1, not '2'"),
    (("lines", 1, "quantity"), 1.0, "lines[1].quantity", "must be an integer ≥ 1, not 1.0"),
    (("lines", 2, "unit_price"), 29.9, "lines[2].unit_price", 'must be a yuan string such as "199.00"'),
    (("lines", 2, "unit_price"), "29.999", "lines[2].unit_price", "has more than two decimal places"),
    (("lines", 0, "paid_amount"), "abc", "lines[0].paid_amount", "is not a money amount"),
    (("lines", 0, "paid_amount"), "-1.00", "lines[0].paid_amount", "must not be negative"),
    (("lines", 0, "sku"), "", "lines[0].sku", "must not be empty"),
    (("lines", 0, "sku"), "S" * 65, "lines[0].sku", "must be at most 64 characters"),
    (("address", "detail"), "路" * 513, "address.detail", "must be at most 512 characters"),
    (("address", "postcode"), "43007", "address.postcode", "does not have the expected form"),
    (("paid_at",), "2026-11-11 00:01:02", "paid_at", "must carry a UTC offset"),
    (("paid_at",), 1794326462, "paid_at", "must be an ISO-8601 time string"),
    (("paid_at",), "yesterday", "paid_at", "must be an ISO-8601 time"),
    (("presale",), "yes", "presale", "must be true or false"),
    (("lines",), [], "lines", "must hold at least 1 item"),
    (("address",), "湖北省武汉市", "address", "must be an object"),
    (("lines", 0, "qty"), 2, "lines[0].qty", "is not a field of this schema"),
])
def test_a_bad_value_names_its_field_and_rule(mall, path, value, field, rule):
    target = mall
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    error = rejected("mall", mall)
    assert error.field == field
    assert error.message.startswith(f"{field}: ")
    assert rule in error.message


def test_several_problems_report_the_first_and_count_the_rest(mall):
    mall["lines"][0]["quantity"] = 0
    mall["lines"][1]["sku"] = ""
    error = rejected("mall", mall)
    assert error.field == "lines[0].quantity"
    assert error.message.endswith("(and 1 more problem)")


def test_a_missing_address_part_is_refused(mall):
    del mall["address"]["district"]
    assert rejected("mall", mall).field == "address.district"


def test_ship_after_before_payment_is_refused(guide):
    guide["ship_after"] = "2026-08-24T09:00:00+08:00"
    error = rejected("guide", guide)
    assert (error.field, error.message) == ("ship_after", "ship_after: must not be before paid_at")
