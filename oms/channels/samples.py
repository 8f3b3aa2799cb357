"""Realistic order payloads in each channel's own shape, for the demo and the intake benchmark.

`sample_payload(ch, …)` builds what channel `ch` would really POST;
``to_command(ch, sample_payload(ch, …))`` gives back the same lines, address
and paid time. Receivers are masked the way the platforms mask them. Platforms
that send epoch seconds drop sub-second precision, so pass whole-second times.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from oms.channels._fields import SHANGHAI
from oms.channels._regions import short_province
from oms.money import fen_to_yuan

Sku = tuple[str, int, int]  # (seller SKU code, quantity, unit price in fen)
Address = tuple[str, str, str, str]  # (province, city, district, detail)
MALL_SHAPES = ("canonical", "youzan", "wechat_shop")
_NAME, _PHONE = "张**", "138****1234"


def sample_payload(channel: str, order_id: str, skus: list[Sku], address: Address, paid_at: datetime,
                   store_id: str | None = None, guide_id: str | None = None, *,
                   mall_shape: str = "canonical") -> dict:
    """A payload of `channel`'s own shape. Each line is paid in full (paid = quantity × unit price).

    `store_id`/`guide_id` only travel in the brand's canonical JSON (mall, guide);
    platform shapes have no such fields. `mall_shape` picks the mall engine.
    """
    if paid_at.tzinfo is None:
        raise ValueError("paid_at must be timezone-aware")
    if not skus:
        raise ValueError("an order needs at least one SKU line")
    paid_at = paid_at.astimezone(SHANGHAI)
    if channel == "guide":
        if not (store_id and guide_id):
            raise ValueError("guide orders carry both store_id and guide_id")
        return _canonical(order_id, skus, address, paid_at, store_id, guide_id)
    if channel == "mall":
        if mall_shape == "canonical":
            return _canonical(order_id, skus, address, paid_at, store_id, guide_id)
        return _BUILDERS[mall_shape](order_id, skus, address, paid_at)
    if channel not in _BUILDERS:
        raise ValueError(f"no sample shape for channel {channel!r}")
    return _BUILDERS[channel](order_id, skus, address, paid_at)


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _canonical(order_id: str, skus: list[Sku], address: Address, paid_at: datetime,
               store_id: str | None, guide_id: str | None) -> dict:
    province, city, district, detail = address
    return {
        "order_id": order_id, "store_id": store_id, "guide_id": guide_id, "status": "PAID",
        "paid_at": paid_at.isoformat(),
        "address": {"province": province, "city": city, "district": district, "detail": detail,
                    "receiver_name": _NAME, "receiver_phone": _PHONE},
        "lines": [{"sku": sku, "quantity": qty, "unit_price": fen_to_yuan(price),
                   "paid_amount": fen_to_yuan(price * qty), "line_id": str(i + 1)}
                  for i, (sku, qty, price) in enumerate(skus)],
        "presale": False,
    }


def _tmall(order_id: str, skus: list[Sku], address: Address, paid_at: datetime) -> dict:
    province, city, district, detail = address
    orders = [{"oid_str": f"{order_id}{i:02d}", "num_iid": 600000000000 + i, "sku_id": str(5000000000 + i),
               "outer_sku_id": sku, "num": qty, "price": fen_to_yuan(price), "total_fee": fen_to_yuan(price * qty),
               "payment": fen_to_yuan(price * qty), "divide_order_fee": fen_to_yuan(price * qty),
               "status": "WAIT_SELLER_SEND_GOODS", "refund_status": "NO_REFUND"}
              for i, (sku, qty, price) in enumerate(skus)]
    total = sum(qty * price for _, qty, price in skus)
    trade = {"tid_str": order_id, "type": "fixed", "status": "WAIT_SELLER_SEND_GOODS", "seller_nick": "品牌官方旗舰店",
             "created": _local(paid_at), "pay_time": _local(paid_at), "payment": fen_to_yuan(total),
             "post_fee": "0.00", "receiver_state": province, "receiver_city": city, "receiver_district": district,
             "receiver_address": detail, "receiver_name": _NAME, "receiver_mobile": "*******1234",
             "orders": {"order": orders}}
    if order_id.isdigit():
        trade["tid"] = int(order_id)  # exact JSON integer, as TOP sends it next to tid_str
    return {"trade_fullinfo_get_response": {"trade": trade}}


def _jd(order_id: str, skus: list[Sku], address: Address, paid_at: datetime) -> dict:
    province, city, district, detail = address
    total = sum(qty * price for _, qty, price in skus)
    order = {"orderId": order_id, "venderId": "10622317", "orderState": "WAIT_SELLER_STOCK_OUT", "orderType": "22",
             "orderStartTime": _local(paid_at), "paymentConfirmTime": _local(paid_at),
             "orderTotalPrice": fen_to_yuan(total), "orderPayment": fen_to_yuan(total), "freightPrice": "0.00",
             "consigneeInfo": {"fullname": _NAME, "mobile": "138*****234", "province": short_province(province),
                               "city": city, "county": district, "fullAddress": detail},
             "itemInfoList": [{"skuId": str(10054887745000 + i), "outerSkuId": sku, "skuName": sku,
                               "jdPrice": fen_to_yuan(price), "itemTotal": str(qty)}
                              for i, (sku, qty, price) in enumerate(skus)]}
    return {"jingdong_pop_order_search_responce": {"searchorderinfo_result": {
        "apiResult": {"success": True, "englishErrCode": "", "chineseErrCode": ""},
        "orderTotal": 1, "orderInfoList": [order]}}}


def _vip(order_id: str, skus: list[Sku], address: Address, paid_at: datetime) -> dict:
    province, city, district, detail = address
    total = sum(qty * price for _, qty, price in skus)
    order = {"order_id": order_id, "order_status": "10", "vendor_id": 550123, "add_time": _local(paid_at),
             "buyer": _NAME, "mobile": _PHONE, "province": province, "city": city, "country": district,
             "address": detail, "product_money": fen_to_yuan(total), "discount_amount": "0.00"}
    details = [{"order_id": order_id, "barcode": sku, "product_name": sku, "amount": qty,
                "sell_price": price / 100}  # VIP's SDK types prices as double
               for sku, qty, price in skus]
    return {"returnCode": "0", "result": {"dvd_order_list": [order], "orderDetails": details}}


def _douyin(order_id: str, skus: list[Sku], address: Address, paid_at: datetime) -> dict:
    province, city, district, detail = address
    epoch = int(paid_at.timestamp())
    total = sum(qty * price for _, qty, price in skus)
    lines = [{"order_id": f"{order_id}{i}", "parent_order_id": order_id, "out_sku_id": sku, "code": sku,
              "item_num": qty, "origin_amount": price, "sum_amount": price * qty, "pay_amount": price * qty,
              "pre_sale_type": 0, "trade_type": 0, "appointment_ship_time": 0}
             for i, (sku, qty, price) in enumerate(skus)]
    order = {"order_id": order_id, "shop_id": 4463798, "order_status": 2, "order_status_desc": "备货中",
             "create_time": epoch, "pay_time": epoch, "order_amount": total, "pay_amount": total,
             "mask_post_receiver": _NAME, "mask_post_tel": _PHONE,
             "post_addr": {"province": {"name": province, "id": ""}, "city": {"name": city, "id": ""},
                           "town": {"name": district, "id": ""}, "street": {"name": "", "id": ""},
                           "detail": detail},
             "appointment_ship_time": 0, "sku_order_list": lines}
    return {"code": 10000, "msg": "success", "data": {"shop_order_detail": order}}


def _youzan(order_id: str, skus: list[Sku], address: Address, paid_at: datetime) -> dict:
    province, city, district, detail = address
    total = sum(qty * price for _, qty, price in skus)
    orders = [{"oid": f"{order_id}{i}", "outer_sku_id": sku, "num": qty, "price": fen_to_yuan(price),
               "total_fee": fen_to_yuan(price * qty), "payment": fen_to_yuan(price * qty), "is_pre_sale": "null"}
              for i, (sku, qty, price) in enumerate(skus)]
    return {"code": 200, "success": True, "data": {"full_order_info": {
        "order_info": {"tid": order_id, "status": "WAIT_SELLER_SEND_GOODS", "created": _local(paid_at),
                       "pay_time": _local(paid_at), "root_kdt_id": 134533635},
        "buyer_info": {"yz_open_id": f"yz{order_id}"},
        "address_info": {"delivery_province": province, "delivery_city": city, "delivery_district": district,
                         "delivery_address": detail, "receiver_name": _NAME, "receiver_tel": _PHONE},
        "pay_info": {"payment": fen_to_yuan(total), "total_fee": fen_to_yuan(total), "post_fee": "0.00"},
        "orders": orders}}}


def _wechat_shop(order_id: str, skus: list[Sku], address: Address, paid_at: datetime) -> dict:
    province, city, district, detail = address
    epoch = int(paid_at.timestamp())
    products = [{"product_id": str(10000071234500 + i), "sku_id": str(2011234500 + i), "out_sku_id": sku,
                 "sku_cnt": qty, "sale_price": price, "real_price": price * qty,
                 "sku_deliver_info": {"stock_type": 0}}
                for i, (sku, qty, price) in enumerate(skus)]
    return {"errcode": 0, "errmsg": "ok", "order": {
        "order_id": order_id, "status": 20, "openid": f"o{order_id}", "create_time": epoch, "update_time": epoch,
        "order_detail": {
            "product_infos": products,
            "pay_info": {"pay_time": epoch},
            "delivery_info": {"address_info": {"user_name": _NAME, "tel_number": _PHONE, "province_name": province,
                                               "city_name": city, "county_name": district, "detail_info": detail}}}}}


_BUILDERS: dict[str, Callable[[str, list[Sku], Address, datetime], dict]] = {
    "tmall": _tmall, "jd": _jd, "vip": _vip, "douyin": _douyin, "youzan": _youzan, "wechat_shop": _wechat_shop,
}
