"""Channel adapters: each platform's own order payload → the canonical `PlaceOrder`.

`POST /channels/{channel}/orders` hands the parsed JSON body to `to_command`.
One pure mapper per payload shape; no I/O, no framework. Every error is an
`InvalidOrder` whose `field` is the dotted path in the payload as sent.

| channel | accepts |
|---------|---------|
| mall    | the brand's canonical JSON, a Youzan trade (`full_order_info`), or a WeChat Channels shop order (`order.order_detail`) |
| guide   | the brand's canonical JSON with `guide_id` and `store_id` |
| tmall   | a Taobao/Tmall trade (`trade_fullinfo_get_response.trade`) |
| jd      | a JD POP order (`jingdong_pop_order_search_responce…orderInfoList[0]`) |
| vip     | a VIP.com drop-ship order (`result.dvd_order_list[0]` + `result.orderDetails`) |
| douyin  | a Douyin shop order (`data.shop_order_detail`) |
"""
from __future__ import annotations

from typing import Any, Callable

from oms.channels import canonical, douyin, jd, tmall, vip, wechat_shop, youzan
from oms.channels._fields import invalid, json_kind
from oms.commands import PlaceOrder
from oms.exceptions import UnknownChannel

CHANNELS: tuple[str, ...] = ("mall", "guide", "tmall", "jd", "vip", "douyin")


def mall_shape(payload: dict) -> str:
    """Which engine sent a mall order: "youzan", "wechat_shop" or the brand's "canonical" JSON."""
    if youzan.is_youzan_trade(payload):
        return "youzan"
    if wechat_shop.is_wechat_shop_order(payload):
        return "wechat_shop"
    return "canonical"


def _mall(payload: dict) -> PlaceOrder:
    shape = mall_shape(payload)
    if shape == "youzan":
        return youzan.to_command(payload, channel="mall")
    if shape == "wechat_shop":
        return wechat_shop.to_command(payload, channel="mall")
    return canonical.to_command(payload, channel="mall")


_MAPPERS: dict[str, Callable[[dict], PlaceOrder]] = {
    "mall": _mall,
    "guide": lambda payload: canonical.to_command(payload, channel="guide"),
    "tmall": lambda payload: tmall.to_command(payload, channel="tmall"),
    "jd": lambda payload: jd.to_command(payload, channel="jd"),
    "vip": lambda payload: vip.to_command(payload, channel="vip"),
    "douyin": lambda payload: douyin.to_command(payload, channel="douyin"),
}


def to_command(channel: str, payload: Any) -> PlaceOrder:
    """Map one order payload of `channel`'s own shape to a `PlaceOrder`.

    Raises `UnknownChannel` for a channel the OMS does not integrate and
    `InvalidOrder` (with `field`) for a payload that breaks a rule.
    """
    mapper = _MAPPERS.get(channel)
    if mapper is None:
        raise UnknownChannel(f"unknown channel {channel!r}; known channels: {', '.join(CHANNELS)}",
                             field="channel")
    if not isinstance(payload, dict):
        raise invalid("", f"the order payload must be a JSON object, not {json_kind(payload)}")
    return mapper(payload)


__all__ = ["CHANNELS", "mall_shape", "to_command"]
