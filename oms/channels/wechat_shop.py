"""WeChat Channels shop orders (视频号小店 `channels/ec/order/get`) → `PlaceOrder`.

Shape (field names from WxJava's `me.chanjar.weixin.channel.bean.order`)::

    {"errcode": 0, "errmsg": "ok", "order": {
        "order_id": "3719427358246717440", "status": 20, "openid": "oZ…", "unionid": "o6…",
        "create_time": 1794326451, "update_time": 1794326462,
        "order_detail": {
            "product_infos": [{"product_id": "10000071234567", "sku_id": "2011234567",
                               "out_sku_id": "TS2611-BLK-L", "sku_code": "TS2611-BLK-L",
                               "sku_cnt": 2, "sale_price": 19900, "market_price": 25900,
                               "real_price": 35820, "title": "…",
                               "sku_deliver_info": {"stock_type": 0}}],
            "price_info": {"product_price": 39800, "order_price": 35820, "freight": 0},
            "pay_info": {"pay_time": 1794326462, "transaction_id": "4200…"},
            "delivery_info": {"address_info": {"user_name": "张**", "tel_number": "138****1234",
                              "province_name": "湖北省", "city_name": "武汉市", "county_name": "武昌区",
                              "detail_info": "中北路108号", "house_number": "3栋1201", "postal_code": "430071"}}}}}

Money is integer fen (`sale_price` per unit, `real_price` paid for the line);
times are epoch seconds. A full-payment presale SKU has
``sku_deliver_info.stock_type == 1`` and a `predict_delivery_time`. The order
detail carries no shop id (the integrator knows the appid), so
`channel_shop_id` stays empty.
"""
from __future__ import annotations

from datetime import datetime

from oms.channels._fields import Obj, make_address
from oms.commands import AddressCmd, LineCmd, PlaceOrder

CHANNEL = "mall"
_FULL_PAYMENT_PRESALE = 1


def is_wechat_shop_order(payload: dict) -> bool:
    order = payload.get("order")
    return "order_detail" in payload or (isinstance(order, dict) and "order_detail" in order)


def to_command(payload: dict, *, channel: str = CHANNEL) -> PlaceOrder:
    root = Obj(payload)
    order = root.obj("order") if root.has("order") else root
    detail = order.obj("order_detail")
    products = detail.objects("product_infos")
    return PlaceOrder(
        channel=channel,
        channel_order_id=order.ident("order_id"),
        address=_address(detail.obj("delivery_info").obj("address_info")),
        lines=tuple(_line(product) for product in products),
        paid_at=detail.obj("pay_info").epoch_time("pay_time"),
        customer_id=order.text(order.first("unionid", "openid"), required=False, max_len=64),
        channel_status=order.ident("status", required=False),
        presale=any(_presale_delivery(p) is not None for p in products),
        ship_after=max((t for p in products if (t := _presale_time(p)) is not None), default=None),
    )


def _line(product: Obj) -> LineCmd:
    sku_key = product.first("out_sku_id", "sku_code")
    return LineCmd(
        sku_code=product.ident(sku_key),
        quantity=product.count("sku_cnt"),
        unit_price_fen=product.fen("sale_price"),
        paid_fen=product.fen("real_price"),
        channel_line_id=product.ident("sku_id", required=False),
        source_field=product.at(sku_key),
    )


def _address(address: Obj) -> AddressCmd:
    detail = address.text("detail_info")
    house = address.text("house_number", required=False)
    return make_address(
        address.text("province_name", max_len=64),
        address.text("city_name", max_len=64),
        address.text("county_name", max_len=64),
        f"{detail} {house}" if house else detail,
        receiver_name=address.text("user_name", required=False),
        receiver_phone=address.text("tel_number", required=False),
        postcode=address.text("postal_code", required=False, max_len=16),
    )


def _presale_delivery(product: Obj) -> Obj | None:
    deliver = product.opt_obj("sku_deliver_info")
    if deliver is None or deliver.data.get("stock_type") != _FULL_PAYMENT_PRESALE:
        return None
    return deliver


def _presale_time(product: Obj) -> datetime | None:
    deliver = _presale_delivery(product)
    return deliver.any_time("predict_delivery_time", required=False) if deliver else None
