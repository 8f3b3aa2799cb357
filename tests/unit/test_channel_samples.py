"""Sample payloads for the demo and benchmark round-trip through the channel mappers."""
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.channels import CHANNELS, mall_shape, to_command
from oms.channels.samples import MALL_SHAPES, sample_payload

SH = ZoneInfo("Asia/Shanghai")
PAID_AT = datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH)
SKUS = [("TS2611-BLK-L", 2, 19900), ("SH2609-WBL-42", 1, 40900), ("SK2610-WHT-39", 3, 2990)]
ADDRESS = ("广东省", "广州市", "海珠区", "赤岗街道新港中路397号")


def round_trip(channel: str, order_id: str, skus, address, paid_at, **kwargs):
    payload = sample_payload(channel, order_id, skus, address, paid_at, **kwargs)
    payload = json.loads(json.dumps(payload, ensure_ascii=False))  # as it travels over HTTP
    return to_command(channel, payload)


def assert_same_order(command, skus, address, paid_at):
    assert [(ln.sku_code, ln.quantity, ln.unit_price_fen, ln.paid_fen) for ln in command.lines] == \
        [(sku, qty, price, qty * price) for sku, qty, price in skus]
    assert (command.address.province, command.address.city, command.address.district,
            command.address.detail) == address
    assert command.paid_at == paid_at


@pytest.mark.parametrize("channel", CHANNELS)
def test_each_channel_sample_maps_back_to_the_same_order(channel):
    command = round_trip(channel, "4012345678901234567", SKUS, ADDRESS, PAID_AT, store_id="GZ-HAIZHU-007",
                         guide_id="G10086")
    assert command.channel == channel and command.channel_order_id == "4012345678901234567"
    assert_same_order(command, SKUS, ADDRESS, PAID_AT)


@pytest.mark.parametrize("shape", MALL_SHAPES)
def test_each_mall_engine_sample_is_recognised_and_maps_back(shape):
    payload = sample_payload("mall", "E20261111000051", SKUS, ADDRESS, PAID_AT, mall_shape=shape)
    assert mall_shape(payload) == shape
    assert_same_order(to_command("mall", payload), SKUS, ADDRESS, PAID_AT)


def test_a_guide_sample_keeps_its_attribution():
    command = round_trip("guide", "WG1", SKUS, ADDRESS, PAID_AT, store_id="GZ-HAIZHU-007", guide_id="G10086")
    assert (command.store_id, command.guide_id) == ("GZ-HAIZHU-007", "G10086")


def test_a_jd_sample_spells_the_province_the_jd_way():
    payload = sample_payload("jd", "290125634501", SKUS, ADDRESS, PAID_AT)
    order = payload["jingdong_pop_order_search_responce"]["searchorderinfo_result"]["orderInfoList"][0]
    assert order["consigneeInfo"]["province"] == "广东"


def test_a_guide_sample_without_a_guide_is_a_programming_error():
    with pytest.raises(ValueError):
        sample_payload("guide", "WG1", SKUS, ADDRESS, PAID_AT, store_id="GZ-HAIZHU-007")


@settings(max_examples=40, deadline=None)
@given(
    channel=st.sampled_from(CHANNELS),
    skus=st.lists(st.tuples(st.from_regex(r"[A-Z]{2}[0-9]{4}-[A-Z]{3}-[0-9A-Z]{1,3}", fullmatch=True),
                            st.integers(1, 50), st.integers(0, 999_999)), min_size=1, max_size=6),
    epoch=st.integers(1_700_000_000, 1_900_000_000),
)
def test_any_sample_order_round_trips(channel, skus, epoch):
    paid_at = datetime.fromtimestamp(epoch, SH)
    command = round_trip(channel, "800123", skus, ("北京市", "北京市", "朝阳区", "建国路88号"), paid_at,
                         store_id="BJ-01", guide_id="G1")
    assert_same_order(command, skus, ("北京市", "北京市", "朝阳区", "建国路88号"), paid_at)
