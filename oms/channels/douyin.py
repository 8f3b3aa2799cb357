"""Douyin shop orders (抖店 `order.orderDetail`) → `PlaceOrder`.

Shape (field names from the doudian SDK's `ShopOrderDetail` / `SkuOrderListItem`)::

    {"code": 10000, "msg": "success", "data": {"shop_order_detail": {
        "order_id": "6920461893270281234", "shop_id": 4463798, "order_status": 2,
        "order_status_desc": "备货中", "pay_time": 1794326462, "create_time": 1794326451,
        "order_amount": 35820, "pay_amount": 35820, "doudian_open_id": "1@#…",
        "encrypt_post_receiver": "#…#…##", "mask_post_receiver": "张**",
        "encrypt_post_tel": "$…$…$$", "mask_post_tel": "138****1234",
        "post_addr": {"province": {"name": "湖北省", "id": "42"}, "city": {"name": "武汉市", "id": "420100"},
                      "town": {"name": "武昌区", "id": "420106"}, "street": {"name": "中南路街道", "id": "…"},
                      "detail": "中北路**号", "encrypt_detail": "#…#…##"},
        "appointment_ship_time": 0,
        "sku_order_list": [{"order_id": "6920461893270281234", "out_sku_id": "TS2611-BLK-L",
                            "code": "TS2611-BLK-L", "item_num": 2, "origin_amount": 19900,
                            "pay_amount": 35820, "pre_sale_type": 0, "trade_type": 0,
                            "appointment_ship_time": 0}]}}}

Money is integer fen and times epoch seconds; `post_addr` parts are
``{name, id}`` objects and `town` is the district. Receiver and detail prefer
the encrypted fields (decryptable later) over the masked ones; all are opaque.
A presale is ``pre_sale_type`` 1 (全款预售) / 2 (阶梯发货) or ``trade_type`` 2
(定金预售); `appointment_ship_time` (预约发货时间) becomes `ship_after`.
"""
from __future__ import annotations

from datetime import datetime

from oms.channels._fields import Obj, make_address
from oms.commands import AddressCmd, LineCmd, PlaceOrder

CHANNEL = "douyin"
_PRESALE_TYPES = {1, 2}  # 全款预售, 阶梯发货
_DEPOSIT_PRESALE_TRADE = 2  # 定金预售


def to_command(payload: dict, *, channel: str = CHANNEL) -> PlaceOrder:
    order = _shop_order(Obj(payload))
    lines = order.objects("sku_order_list")
    return PlaceOrder(
        channel=channel,
        channel_order_id=order.ident("order_id"),
        address=_address(order),
        lines=tuple(_line(sku) for sku in lines),
        paid_at=order.epoch_time("pay_time"),
        channel_shop_id=order.ident("shop_id", required=False),
        customer_id=order.text("doudian_open_id", required=False),
        channel_status=order.ident("order_status", required=False),
        presale=any(_is_presale(sku) for sku in lines),
        ship_after=_ship_after(order, lines),
    )


def _shop_order(root: Obj) -> Obj:
    if root.has("data"):
        root = root.obj("data")
    return root.obj("shop_order_detail") if root.has("shop_order_detail") else root


def _line(sku: Obj) -> LineCmd:
    # out_sku_id is the seller's SKU id; merchants who only fill 商家编码 have it in `code`.
    sku_key = sku.first("out_sku_id", "code")
    return LineCmd(
        sku_code=sku.ident(sku_key),
        quantity=sku.count("item_num"),
        unit_price_fen=sku.fen("origin_amount"),
        paid_fen=sku.fen("pay_amount"),
        channel_line_id=sku.ident("order_id", required=False),
        source_field=sku.at(sku_key),
    )


def _address(order: Obj) -> AddressCmd:
    post_addr = order.obj("post_addr")
    return make_address(
        post_addr.obj("province").text("name", max_len=64),
        post_addr.obj("city").text("name", max_len=64),
        post_addr.obj("town").text("name", max_len=64),
        post_addr.text(post_addr.first("encrypt_detail", "detail")),
        receiver_name=order.text(order.first("encrypt_post_receiver", "post_receiver", "mask_post_receiver"),
                                 required=False),
        receiver_phone=order.text(order.first("encrypt_post_tel", "post_tel", "mask_post_tel"), required=False),
    )


def _is_presale(sku: Obj) -> bool:
    return sku.data.get("pre_sale_type") in _PRESALE_TYPES or sku.data.get("trade_type") == _DEPOSIT_PRESALE_TRADE


def _ship_after(order: Obj, lines: list[Obj]) -> datetime | None:
    """The buyer's booked shipping time; 0 means none was booked."""
    times = [t for obj in (order, *lines) if (t := obj.epoch_time("appointment_ship_time", required=False))]
    return max(times, default=None)
