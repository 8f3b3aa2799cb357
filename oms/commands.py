"""Commands: what a caller asks the OMS to do, as plain immutable data.

Channel adapters (`oms/channels/`) turn each platform's own payload into a
`PlaceOrder`; the HTTP routes, the CLI and the simulator all hand commands to
the same service functions in `oms/services.py`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

DEFAULT_PROMISE = timedelta(hours=24)


@dataclass(frozen=True)
class AddressCmd:
    """A delivery address as the channel sent it. Names and phones are opaque
    (platforms mask or encrypt them); the OMS stores them and never parses them."""

    province: str
    city: str
    district: str
    detail: str
    receiver_name: str | None = None
    receiver_phone: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class LineCmd:
    """One order line: the seller's SKU code, quantity and exact money in fen.

    `source_field` is where this line's SKU code sat in the channel's payload
    (e.g. ``trade.orders.order[1].outer_sku_id``) so an unknown SKU error can
    point at it.
    """

    sku_code: str
    quantity: int
    unit_price_fen: int
    paid_fen: int
    channel_line_id: str | None = None
    source_field: str = ""


@dataclass(frozen=True)
class PlaceOrder:
    """Put a paid channel order into the OMS (idempotent on channel + channel_order_id)."""

    channel: str
    channel_order_id: str
    address: AddressCmd
    lines: tuple[LineCmd, ...]
    paid_at: datetime  # timezone-aware
    channel_shop_id: str | None = None
    store_id: str | None = None  # store of attribution (social orders, mall orders from a store's listing)
    guide_id: str | None = None  # WeCom guide who closed the sale
    customer_id: str | None = None
    channel_status: str | None = None
    presale: bool = False
    ship_after: datetime | None = None
    promised_by: datetime | None = None  # default: paid_at + 24 h
    received_by: str = "channel"

    def fingerprint(self) -> str:
        """A digest of the order's business content, used to tell an honest
        re-send (same digest) from a conflicting one (same id, other content).
        Channel status and receipt metadata are left out: platforms re-send the
        same trade with an updated status."""
        content = {
            "channel": self.channel,
            "channel_order_id": self.channel_order_id,
            "address": [self.address.province, self.address.city, self.address.district, self.address.detail],
            "lines": [[ln.sku_code, ln.quantity, ln.unit_price_fen, ln.paid_fen] for ln in self.lines],
            "paid_at": _utc(self.paid_at),
            "store_id": self.store_id,
            "guide_id": self.guide_id,
            "presale": self.presale,
            "ship_after": _utc(self.ship_after) if self.ship_after else None,
        }
        return hashlib.sha256(_CANONICAL_JSON.encode(content).encode()).hexdigest()


_CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # made once: json.dumps makes one per call


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat() if moment.tzinfo else moment.isoformat()


@dataclass(frozen=True)
class CancelOrder:
    order_id: int
    reason: str
    actor: str = "customer-service"


@dataclass(frozen=True)
class OrderQuery:
    channel: str | None = None
    status: str | None = None
    paid_from: datetime | None = None
    paid_to: datetime | None = None
    limit: int = 50
    offset: int = 0
