"""Tmall / Taobao trades, as `taobao.trade.fullinfo.get` returns them → `PlaceOrder`.

Shape (field names from the TOP `Trade` / `Order` structures)::

    {"trade_fullinfo_get_response": {"trade": {
        "tid": 4012345678901234567, "tid_str": "4012345678901234567",
        "status": "WAIT_SELLER_SEND_GOODS", "pay_time": "2026-11-11 00:01:02",
        "seller_nick": "…官方旗舰店", "buyer_open_uid": "AAH…",
        "receiver_state": "浙江省", "receiver_city": "杭州市", "receiver_district": "西湖区",
        "receiver_town": "…街道", "receiver_address": "…", "receiver_name": "张**",
        "receiver_mobile": "*******1234", "receiver_zip": "310000",
        "step_trade_status": "FRONT_PAID_FINAL_PAID", "est_con_time": "2026-11-20 00:00:00",
        "orders": {"order": [{"oid": 4012…, "oid_str": "4012…", "num_iid": 6012…,
            "sku_id": "5012…", "outer_sku_id": "TS2611-BLK-L", "outer_iid": "TS2611",
            "num": 2, "price": "199.00", "payment": "398.00", "divide_order_fee": "358.20"}]}}}}

Quirks handled: money as yuan strings; `tid` beyond 2^53 (prefer `tid_str`, an
integer `tid` is kept exact, a float one refused); TOP's XML-style nesting
``orders.order[]`` (a lone order may arrive as an object); a province-level
county (河南济源) sent in `receiver_district` with no `receiver_city`; cities
without districts (东莞) where only `receiver_town` is set.
"""
from __future__ import annotations

from datetime import datetime

from oms.channels._fields import Obj, make_address
from oms.commands import AddressCmd, LineCmd, PlaceOrder
from oms.exceptions import InvalidOrder

CHANNEL = "tmall"
_SINGLE_TRADE_RESPONSES = ("trade_fullinfo_get_response", "trade_get_response")
# 分阶段付款 (deposit + final payment) is how Tmall runs presales.
_PRESALE_STEP_STATUSES = {"FRONT_NOPAID_FINAL_NOPAID", "FRONT_PAID_FINAL_NOPAID", "FRONT_PAID_FINAL_PAID"}


def is_taobao_trade(payload: dict) -> bool:
    return any(key in payload for key in (*_SINGLE_TRADE_RESPONSES, "trades_sold_get_response", "trade"))


def to_command(payload: dict, *, channel: str = CHANNEL) -> PlaceOrder:
    trade = _trade(Obj(payload))
    return PlaceOrder(
        channel=channel,
        channel_order_id=trade.ident(trade.first("tid_str", "tid")),
        address=_address(trade),
        lines=tuple(_line(order) for order in _orders(trade)),
        paid_at=trade.local_time("pay_time"),
        channel_shop_id=trade.text("seller_nick", required=False),
        customer_id=trade.text("buyer_open_uid", required=False),
        channel_status=trade.text("status", required=False),
        presale=_is_presale(trade),
        ship_after=_ship_after(trade),
    )


def _trade(root: Obj) -> Obj:
    for key in _SINGLE_TRADE_RESPONSES:
        if root.has(key):
            return root.obj(key).obj("trade")
    if root.has("trades_sold_get_response"):
        return root.obj("trades_sold_get_response").obj("trades").single("trade", what="trade")
    return root.obj("trade") if root.has("trade") else root


def _orders(trade: Obj) -> list[Obj]:
    orders = trade.obj("orders")
    if isinstance(orders.data.get("order"), dict):  # XML-to-JSON gives a lone order as an object
        return [orders.obj("order")]
    return orders.objects("order")


def _line(order: Obj) -> LineCmd:
    # outer_sku_id is the seller's SKU code; items without SKUs only carry outer_iid.
    sku_key = order.first("outer_sku_id", "outer_iid")
    return LineCmd(
        sku_code=order.ident(sku_key),
        quantity=order.count("num"),
        unit_price_fen=order.yuan("price"),
        # divide_order_fee is the line's share of what the buyer paid after trade-level discounts.
        paid_fen=order.yuan(order.first("divide_order_fee", "payment")),
        channel_line_id=order.ident(order.first("oid_str", "oid"), required=False),
        source_field=order.at(sku_key),
    )


def _address(trade: Obj) -> AddressCmd:
    # Taobao's own advice: when only receiver_district is set, it is the city (省直辖县级行政区).
    city_key = trade.first("receiver_city", "receiver_district")
    district_key = trade.first("receiver_district", "receiver_town")
    return make_address(
        trade.text("receiver_state", max_len=64),
        trade.text(city_key, max_len=64),
        trade.text(district_key, max_len=64),
        trade.text("receiver_address"),
        receiver_name=trade.text("receiver_name", required=False),
        receiver_phone=trade.text(trade.first("receiver_mobile", "receiver_phone"), required=False),
        postcode=trade.text("receiver_zip", required=False, max_len=16),
    )


def _is_presale(trade: Obj) -> bool:
    return trade.data.get("step_trade_status") in _PRESALE_STEP_STATUSES or trade.data.get("type") == "step"


def _ship_after(trade: Obj) -> datetime | None:
    """A presale's promised shipping date (`est_con_time`) when it is a date.

    Sellers may also fill it with text such as "付款后15天内"; that promise is
    relative and is left to the service's default promise.
    """
    if not _is_presale(trade) or not trade.has("est_con_time"):
        return None
    try:
        return trade.local_time("est_con_time")
    except InvalidOrder:  # a free-text promise, see docstring
        return None
