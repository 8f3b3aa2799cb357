"""`oms.channels.to_command`: one entry point, dispatching on the OMS's channel name."""
import pytest

from oms.channels import CHANNELS, to_command
from oms.exceptions import InvalidOrder, UnknownChannel


def test_the_oms_integrates_six_channels():
    assert CHANNELS == ("mall", "guide", "tmall", "jd", "vip", "douyin")


def test_an_unknown_channel_is_refused_by_name():
    with pytest.raises(UnknownChannel) as caught:
        to_command("pinduoduo", {})
    assert caught.value.field == "channel"
    assert "'pinduoduo'" in caught.value.message and "mall, guide, tmall, jd, vip, douyin" in caught.value.message


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("payload, kind", [([], "list"), ("{}", "string"), (None, "null"), (3, "integer")])
def test_a_payload_that_is_not_an_object_is_refused(channel, payload, kind):
    with pytest.raises(InvalidOrder) as caught:
        to_command(channel, payload)
    assert caught.value.field == "$"
    assert caught.value.message == f"$: the order payload must be a JSON object, not {kind}"


@pytest.mark.parametrize("channel, field", [
    ("mall", "order_id"),
    ("guide", "order_id"),
    ("tmall", "tid_str"),
    ("jd", "orderId"),
    ("vip", "dvd_order_list"),
    ("douyin", "sku_order_list"),
])
def test_an_empty_object_names_a_first_missing_field(channel, field):
    with pytest.raises(InvalidOrder) as caught:
        to_command(channel, {})
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: is required")
