"""Builders for test data: a small catalogue and canonical commands."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from oms.catalogue import Catalogue, Sku
from oms.commands import AddressCmd, LineCmd, PlaceOrder

CST = timezone(timedelta(hours=8))
PAID_AT = datetime(2026, 11, 11, 0, 5, tzinfo=CST)


def small_catalogue() -> Catalogue:
    skus = []
    for style, category, price in (("S0001", "shoes", 59900), ("S0002", "apparel", 19900), ("S0003", "down_jacket", 89900)):
        for colour in ("BLK", "WHT"):
            for size in ("S", "M", "L"):
                skus.append(Sku(code=f"{style}-{colour}-{size}", style=style, colour=colour, size=size,
                                price_fen=price, category=category, barcode=f"69{style[1:]}{colour[0]}{size}"))
    return Catalogue.of(skus)


def address(**overrides) -> AddressCmd:
    values = dict(province="湖北省", city="武汉市", district="洪山区", detail="珞喻路1037号", receiver_name="张**",
                  receiver_phone="138****1234")
    values.update(overrides)
    return AddressCmd(**values)


def place_order(channel_order_id: str = "T1001", *, channel: str = "tmall", lines=None, **overrides) -> PlaceOrder:
    lines = lines or [("S0001-BLK-M", 1, 59900)]
    values = dict(
        channel=channel, channel_order_id=channel_order_id, address=address(), paid_at=PAID_AT,
        lines=tuple(LineCmd(sku_code=sku, quantity=qty, unit_price_fen=price, paid_fen=qty * price)
                    for sku, qty, price in lines),
    )
    values.update(overrides)
    return PlaceOrder(**values)
