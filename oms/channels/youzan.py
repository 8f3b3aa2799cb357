"""Youzan trades (`youzan.trade.get`), the mini-program mall's usual engine → `PlaceOrder`.

Shape (Youzan open API 4.0; 3.0 wrapped the same object in "response")::

    {"code": 200, "success": true, "data": {"full_order_info": {
        "order_info": {"tid": "E20261111000102000600011", "status": "WAIT_SELLER_SEND_GOODS",
                       "created": "2026-11-11 00:00:51", "pay_time": "2026-11-11 00:01:02",
                       "root_kdt_id": 134533635, "node_kdt_id": 134529034, "offline_id": 134529034,
                       "shop_name": "武汉楚河汉街店"},
        "buyer_info": {"yz_open_id": "lDWyZBas…", "outer_user_id": "oY0DB6…", "buyer_phone": "$…$1$"},
        "address_info": {"delivery_province": "湖北省", "delivery_city": "武汉市",
                         "delivery_district": "武昌区", "delivery_address": "$…$1$",
                         "receiver_name": "$…$1$", "receiver_tel": "$…$1$", "delivery_postal_code": ""},
        "pay_info": {"payment": "557.00", "total_fee": "597.00", "post_fee": "0.00"},
        "orders": [{"oid": "1507387350277163963", "outer_sku_id": "TS2611-BLK-L", "outer_item_id": "TS2611",
                    "num": 2, "price": "199.00", "total_fee": "398.00", "payment": "358.20",
                    "is_pre_sale": "null", "pre_sale_type": "null"}]}}}

Quirks handled: Youzan's encrypted "$…$1$" names/phones/addresses kept opaque;
the string "null" for unset values; goods without SKUs carry only `outer_item_id`.
Youzan's own store id (`node_kdt_id`/`offline_id`) is Youzan's number, not the
brand's store code, so it is not used as `store_id`; `channel_shop_id` is the
head shop (`root_kdt_id`, else `kdt_id`/`node_kdt_id`).
"""
from __future__ import annotations

from oms.channels._fields import Obj, make_address, present
from oms.commands import AddressCmd, LineCmd, PlaceOrder

CHANNEL = "mall"
_WRAPPERS = ("data", "response")


def is_youzan_trade(payload: dict) -> bool:
    return "full_order_info" in payload or any(
        isinstance(payload.get(key), dict) and "full_order_info" in payload[key] for key in _WRAPPERS)


def to_command(payload: dict, *, channel: str = CHANNEL) -> PlaceOrder:
    trade = _full_order_info(Obj(payload))
    info = trade.obj("order_info")
    buyer = trade.opt_obj("buyer_info")
    lines = trade.objects("orders")
    return PlaceOrder(
        channel=channel,
        channel_order_id=info.ident("tid"),
        address=_address(trade.obj("address_info")),
        lines=tuple(_line(order) for order in lines),
        paid_at=info.local_time("pay_time"),
        channel_shop_id=info.ident(info.first("root_kdt_id", "kdt_id", "node_kdt_id"), required=False),
        customer_id=buyer.ident(buyer.first("yz_open_id", "buyer_id", "outer_user_id"), required=False)
        if buyer else None,
        channel_status=info.text("status", required=False),
        presale=any(_is_presale(order) for order in lines),
    )


def _full_order_info(root: Obj) -> Obj:
    for key in _WRAPPERS:
        if isinstance(root.data.get(key), dict) and "full_order_info" in root.data[key]:
            return root.obj(key).obj("full_order_info")
    return root.obj("full_order_info")


def _line(order: Obj) -> LineCmd:
    sku_key = order.first("outer_sku_id", "outer_item_id")
    return LineCmd(
        sku_code=order.ident(sku_key),
        quantity=order.count("num"),
        unit_price_fen=order.yuan("price"),
        paid_fen=order.yuan("payment"),
        channel_line_id=order.ident("oid", required=False),
        source_field=order.at(sku_key),
    )


def _address(address: Obj) -> AddressCmd:
    return make_address(
        address.text("delivery_province", max_len=64),
        address.text("delivery_city", max_len=64),
        address.text("delivery_district", max_len=64),
        address.text("delivery_address"),
        receiver_name=address.text("receiver_name", required=False),
        receiver_phone=address.text("receiver_tel", required=False),
        postcode=address.text("delivery_postal_code", required=False, max_len=16),
    )


def _is_presale(order: Obj) -> bool:
    flag = order.data.get("is_pre_sale")
    return present(flag) and str(flag).lower() in {"1", "true"}
