"""The brand's own order JSON, sent by the WeChat mini-program mall and by store guides.

Money is sent as yuan decimal *strings* ("199.00"), the same as the platforms'
edges and `oms.money`; a JSON number is refused because 199 could mean yuan or
fen and 0.1 is not exact. Times are ISO-8601 with an offset. Example::

    {
      "order_id": "MP20261111000123",
      "store_id": "WH-WUCHANG-001",
      "guide_id": "G10086",
      "customer_id": "oX7a2-unionid",
      "status": "PAID",
      "paid_at": "2026-11-11T00:01:02+08:00",
      "address": {"province": "湖北省", "city": "武汉市", "district": "武昌区",
                  "detail": "中北路 108 号 3 栋 1201", "receiver_name": "张**",
                  "receiver_phone": "138****1234", "postcode": "430071"},
      "lines": [{"sku": "TS2611-BLK-L", "quantity": 2, "unit_price": "199.00",
                 "paid_amount": "358.20", "line_id": "1"}],
      "presale": false,
      "ship_after": null
    }

`guide` orders must carry `guide_id` and `store_id` (commission and profit share).
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr,
                      StringConstraints, ValidationError)
from pydantic_core import PydanticCustomError

from oms.channels._fields import MAX_CODE, MAX_QUANTITY, MAX_TEXT, SHANGHAI, Obj, invalid, make_address
from oms.channels._validation import from_validation_error
from oms.commands import LineCmd, PlaceOrder


def _iso_text(value: Any) -> Any:
    # Lax pydantic would read 1731254462 as a Unix time; our schema says ISO-8601 text.
    if not isinstance(value, (str, datetime)):
        raise PydanticCustomError("iso_time", "must be an ISO-8601 time string such as 2026-11-11T00:01:02+08:00")
    return value


def _quantity(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PydanticCustomError("quantity", "must be an integer ≥ 1, not {value}", {"value": repr(value)})
    if value > MAX_QUANTITY:
        raise PydanticCustomError("quantity", "must be at most {limit}", {"limit": MAX_QUANTITY})
    return value


def _yuan_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError("yuan", 'must be a yuan string such as "199.00", not a JSON number')
    return value


Code = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CODE,
                                               pattern=r"^\S+$")]
Place = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Opaque = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)]
IsoTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
Quantity = Annotated[int, BeforeValidator(_quantity)]
YuanText = Annotated[StrictStr, BeforeValidator(_yuan_text), StringConstraints(max_length=16)]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddressIn(_Schema):
    province: Place
    city: Place
    district: Place
    detail: Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
    receiver_name: Opaque | None = None  # masked or encrypted values are stored as sent
    receiver_phone: Opaque | None = None
    postcode: Annotated[StrictStr, StringConstraints(pattern=r"^[0-9]{6}$")] | None = None


class LineIn(_Schema):
    sku: Code  # the brand's SKU code (style-colour-size)
    quantity: Quantity
    unit_price: YuanText  # yuan per unit before discounts
    paid_amount: YuanText  # yuan the customer paid for the whole line
    line_id: Code | None = None


class OrderIn(_Schema):
    """A mall order (store and guide optional: mall orders from a store's listing carry the store)."""

    order_id: Code
    store_id: Code | None = None
    guide_id: Code | None = None
    customer_id: Code | None = None
    status: Code | None = None
    paid_at: IsoTime
    address: AddressIn
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=500)]
    presale: StrictBool = False
    ship_after: IsoTime | None = None


class GuideOrderIn(OrderIn):
    """An order a store guide closed over WeCom: attributed to a guide and a store."""

    store_id: Code
    guide_id: Code


def to_command(payload: dict, *, channel: str = "mall") -> PlaceOrder:
    """Map the brand's canonical JSON; `channel="guide"` requires `guide_id` and `store_id`."""
    schema = GuideOrderIn if channel == "guide" else OrderIn
    try:
        order = schema.model_validate(payload)
    except ValidationError as err:
        raise from_validation_error(err) from None
    paid_at = order.paid_at.astimezone(SHANGHAI)
    ship_after = order.ship_after.astimezone(SHANGHAI) if order.ship_after else None
    if ship_after is not None and ship_after < paid_at:
        raise invalid("ship_after", "must not be before paid_at")
    return PlaceOrder(
        channel=channel,
        channel_order_id=order.order_id,
        address=make_address(**{k: v or None for k, v in order.address.model_dump().items()}),
        lines=tuple(_line(line, i) for i, line in enumerate(order.lines)),
        paid_at=paid_at,
        store_id=order.store_id,
        guide_id=order.guide_id,
        customer_id=order.customer_id,
        channel_status=order.status,
        presale=order.presale,
        ship_after=ship_after,
    )


def _line(line: LineIn, index: int) -> LineCmd:
    fields = Obj(line.model_dump(), f"lines[{index}]")
    return LineCmd(
        sku_code=line.sku,
        quantity=line.quantity,
        unit_price_fen=fields.yuan("unit_price"),
        paid_fen=fields.yuan("paid_amount"),
        channel_line_id=line.line_id,
        source_field=fields.at("sku"),
    )
