"""JD POP orders (`jingdong.pop.order.search` / `jingdong.pop.order.get`) → `PlaceOrder`.

Shape (JOS `OrderSearchInfo`; note JD's own spelling "responce")::

    {"jingdong_pop_order_search_responce": {"searchorderinfo_result": {
        "apiResult": {"success": true}, "orderTotal": 1,
        "orderInfoList": [{
            "orderId": "290125634501", "venderId": "10622317", "orderState": "WAIT_SELLER_STOCK_OUT",
            "orderType": "22", "orderStartTime": "2026-11-11 00:00:40",
            "paymentConfirmTime": "2026-11-11 00:01:02", "orderPayment": "557.00",
            "consigneeInfo": {"fullname": "AAS…(encrypted)", "mobile": "136*****5", "province": "广东",
                              "provinceId": "19", "city": "广州市", "county": "海珠区", "town": "赤岗街道",
                              "fullAddress": "AAS…(encrypted)"},
            "itemInfoList": [{"skuId": "10054887745652", "outerSkuId": "TS2611-BLK-L",
                              "skuName": "…", "jdPrice": "199.00", "itemTotal": "2"}]}]}}}

Quirks handled: every value a string (quantities included); provinces without
the 省 suffix; the zero date "0001-01-01 00:00:00" for an unpaid time; a search
page holding several orders is refused (one order per request). `pop.order.get`
wraps one order as ``jingdong_pop_order_get_responce.orderDetailInfo.orderInfo``
(JOS SDK naming; no sample payload was found to confirm it).

JD reports discounts per order (`sellerDiscount`, `couponDetailList`), not per
line, so a line's paid amount is its list amount: jdPrice × itemTotal. No
presale marker is documented in `orderInfo`, so JD orders are never presale here.
"""
from __future__ import annotations

from oms.channels._fields import Obj, make_address
from oms.commands import AddressCmd, LineCmd, PlaceOrder

CHANNEL = "jd"
SEARCH_RESPONSE = "jingdong_pop_order_search_responce"
GET_RESPONSE = "jingdong_pop_order_get_responce"


def to_command(payload: dict, *, channel: str = CHANNEL) -> PlaceOrder:
    order = _order(Obj(payload))
    return PlaceOrder(
        channel=channel,
        channel_order_id=order.ident("orderId"),
        address=_address(order.obj("consigneeInfo")),
        lines=tuple(_line(item) for item in order.objects("itemInfoList")),
        paid_at=order.local_time("paymentConfirmTime"),
        channel_shop_id=order.ident("venderId", required=False),
        customer_id=order.text("pin", required=False),
        channel_status=order.text("orderState", required=False),
    )


def _order(root: Obj) -> Obj:
    if root.has(SEARCH_RESPONSE):
        return root.obj(SEARCH_RESPONSE).obj("searchorderinfo_result").single("orderInfoList")
    if root.has(GET_RESPONSE):
        return root.obj(GET_RESPONSE).obj("orderDetailInfo").obj("orderInfo")
    if root.has("orderInfoList"):
        return root.single("orderInfoList")
    return root.obj("orderInfo") if root.has("orderInfo") else root


def _line(item: Obj) -> LineCmd:
    unit_price_fen = item.yuan("jdPrice")
    quantity = item.count("itemTotal", digit_string=True)
    return LineCmd(
        sku_code=item.ident("outerSkuId"),  # the seller's code; skuId is JD's own number
        quantity=quantity,
        unit_price_fen=unit_price_fen,
        paid_fen=unit_price_fen * quantity,
        channel_line_id=item.ident("skuId", required=False),
        source_field=item.at("outerSkuId"),
    )


def _address(consignee: Obj) -> AddressCmd:
    return make_address(
        consignee.text("province", max_len=64),
        consignee.text("city", max_len=64),
        consignee.text("county", max_len=64),
        consignee.text("fullAddress"),  # often encrypted ("AAS…"): stored as sent
        receiver_name=consignee.text("fullname", required=False),
        receiver_phone=consignee.text(consignee.first("mobile", "telephone"), required=False),
    )
