"""VIP.com (唯品会) drop-ship orders (`vipapis.delivery.DvdDeliveryService`) → `PlaceOrder`.

VIP.com hands a vendor an order in two calls: `getOrderList` (the `DvdOrder`:
receiver, address, times) and `getOrderDetail` (the `DvdOrderDetail` goods).
The integrator posts both results for one order together, as the OSP gateway
returns them (field names from VIP's OSP SDK)::

    {"returnCode": "0", "result": {
        "dvd_order_list": [{"order_id": "26111100012345", "order_status": "10", "vendor_id": 550123,
                            "add_time": "2026-11-11 00:01:02", "buyer": "张**", "mobile": "138****1234",
                            "tel": "", "postcode": "430071", "province": "湖北省", "city": "武汉市",
                            "country": "武昌区", "address": "中北路108号3栋1201",
                            "product_money": "557.00", "discount_amount": "0.00"}],
        "orderDetails": [{"order_id": "26111100012345", "barcode": "TS2611-BLK-L", "art_no": "TS2611",
                          "size": "L", "product_name": "…", "amount": 2, "sell_price": 199.0}]}}

Quirks handled: `country` holds the district (VIP's naming), and some order
views call the province `state`; `barcode` is the vendor's own code for the
goods and maps to our SKU; `sell_price` is typed double in the SDK, so it
arrives as a JSON number and is recovered exactly when it has ≤2 decimals (see
`Obj.yuan_number`). VIP gives no per-line paid amount, so a line's paid amount
is sell_price × amount. `add_time` is the paid time: VIP releases an order to
the vendor only once it is paid.
"""
from __future__ import annotations

from oms.channels._fields import Obj, invalid, make_address
from oms.commands import AddressCmd, LineCmd, PlaceOrder

CHANNEL = "vip"


def to_command(payload: dict, *, channel: str = CHANNEL) -> PlaceOrder:
    root = Obj(payload)
    result = root.obj("result") if root.has("result") else root
    order = result.single("dvd_order_list")
    order_id = order.ident("order_id")
    return PlaceOrder(
        channel=channel,
        channel_order_id=order_id,
        address=_address(order),
        lines=tuple(_line(detail, order_id) for detail in result.objects("orderDetails")),
        paid_at=order.local_time("add_time"),
        channel_shop_id=order.ident("vendor_id", required=False),
        channel_status=order.ident("order_status", required=False),
    )


def _line(detail: Obj, order_id: str) -> LineCmd:
    belongs_to = detail.ident("order_id", required=False)
    if belongs_to is not None and belongs_to != order_id:
        raise invalid(detail.at("order_id"), f"belongs to order {belongs_to!r}, not {order_id!r}")
    unit_price_fen = detail.yuan_number("sell_price")
    quantity = detail.count("amount", digit_string=True)
    return LineCmd(
        sku_code=detail.ident("barcode"),
        quantity=quantity,
        unit_price_fen=unit_price_fen,
        paid_fen=unit_price_fen * quantity,
        source_field=detail.at("barcode"),
    )


def _address(order: Obj) -> AddressCmd:
    return make_address(
        order.text(order.first("province", "state"), max_len=64),
        order.text("city", max_len=64),
        order.text("country", max_len=64),  # VIP.com's "country" is the 区/县
        order.text("address"),
        receiver_name=order.text("buyer", required=False),
        receiver_phone=order.text(order.first("mobile", "tel"), required=False),
        postcode=order.text("postcode", required=False, max_len=16),
    )
