"""Path-aware reading of a channel payload: every value knows where it sat.

A channel integrator must be told exactly which field of *their* payload is
wrong, e.g. ``trade_fullinfo_get_response.trade.orders.order[1].num: must be an
integer ≥ 1``. `Obj` wraps one JSON object with its dotted path from the payload
root; its readers check type and rule and raise `InvalidOrder(field=path)`.
"""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from oms.channels._regions import full_province
from oms.commands import AddressCmd
from oms.exceptions import InvalidOrder
from oms.money import yuan_to_fen

SHANGHAI = ZoneInfo("Asia/Shanghai")  # every platform here keeps China local time
MAX_TEXT = 512  # names, phones, encrypted blobs, street addresses
MAX_CODE = 64  # order ids, SKU codes, shop ids
MAX_LINES = 500  # lines in one order
MAX_QUANTITY = 99_999  # units on one line
MAX_FEN = 10**11  # ¥1,000,000,000: anything larger is a broken payload, not an order
# Platforms fill unset times with zero dates (JD "0001-01-01 00:00:00", epoch 0).
_EARLIEST_REAL_TIME = datetime(2000, 1, 1, tzinfo=SHANGHAI)
_EPOCH_MS_THRESHOLD = 10**11  # seconds reach 10^11 in the year 5138; larger means milliseconds
_DIGITS = re.compile(r"[0-9]{1,9}")
_EPOCH_DIGITS = re.compile(r"[0-9]{9,11}")


def child(path: str, key: str | int) -> str:
    """``child("a.b", 2)`` → ``a.b[2]``; ``child("a", "c")`` → ``a.c``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def invalid(path: str, rule: str) -> InvalidOrder:
    """The one error shape: ``"<path>: <rule>"`` with ``field=<path>`` ("$" is the whole body)."""
    field = path or "$"
    return InvalidOrder(f"{field}: {rule}", field=field)


def json_kind(value: Any) -> str:
    """The JSON name of a value's type, for messages ("must be an object, not list")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, (float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object" if isinstance(value, dict) else type(value).__name__


def present(value: Any) -> bool:
    """Platforms send "" (and Youzan the string "null") for an unset field."""
    return value is not None and value != "" and value != "null"


class Obj:
    """One JSON object inside a channel payload, with its path from the payload root."""

    __slots__ = ("data", "path")

    def __init__(self, data: Any, path: str = ""):
        if not isinstance(data, dict):
            raise invalid(path, f"must be an object, not {json_kind(data)}")
        self.data = data
        self.path = path

    # -- navigation -------------------------------------------------------
    def at(self, key: str) -> str:
        return child(self.path, key)

    def has(self, key: str) -> bool:
        return present(self.data.get(key))

    def first(self, *keys: str) -> str:
        """The first key that holds a value (platform fallbacks), else the preferred one."""
        return next((key for key in keys if self.has(key)), keys[0])

    def raw(self, key: str, *, required: bool = True) -> Any:
        if not self.has(key):
            if required:
                raise invalid(self.at(key), "is required")
            return None
        return self.data[key]

    def obj(self, key: str) -> Obj:
        return Obj(self.raw(key), self.at(key))

    def opt_obj(self, key: str) -> Obj | None:
        return self.obj(key) if self.has(key) else None

    def objects(self, key: str, *, what: str = "line") -> list[Obj]:
        """A required, non-empty list of objects (an order's lines)."""
        value = self.raw(key)
        if not isinstance(value, list):
            raise invalid(self.at(key), f"must be a list of {what}s, not {json_kind(value)}")
        if not value:
            raise invalid(self.at(key), f"must hold at least one {what}")
        if len(value) > MAX_LINES:
            raise invalid(self.at(key), f"must hold at most {MAX_LINES} {what}s, not {len(value)}")
        return [Obj(item, child(self.at(key), i)) for i, item in enumerate(value)]

    def single(self, key: str, *, what: str = "order") -> Obj:
        """Exactly one object, sent either alone or as a one-element list.

        Intake takes one order per request; a search response holding several
        must be split by the integrator, never silently cut to the first.
        """
        value = self.raw(key)
        if isinstance(value, dict):
            return Obj(value, self.at(key))
        if not isinstance(value, list):
            raise invalid(self.at(key), f"must be an object or a one-element list, not {json_kind(value)}")
        if len(value) != 1:
            raise invalid(self.at(key), f"holds {len(value)} {what}s; post exactly one {what} per request")
        return Obj(value[0], child(self.at(key), 0))

    # -- text and identifiers --------------------------------------------
    def text(self, key: str, *, required: bool = True, max_len: int = MAX_TEXT) -> str | None:
        """A string, stripped. Masked or encrypted values ("张**", "#abc#…##") stay opaque."""
        value = self.raw(key, required=required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise invalid(self.at(key), f"must be a string, not {json_kind(value)}")
        value = value.strip()
        if not value:
            if required:
                raise invalid(self.at(key), "is required")
            return None
        if len(value) > max_len:
            raise invalid(self.at(key), f"must be at most {max_len} characters, not {len(value)}")
        return value

    def ident(self, key: str, *, required: bool = True) -> str | None:
        """An id or code sent as a string or an exact integer (Taobao's 19-digit tid).

        A float is refused: past 2^53 it has already lost digits of the id.
        """
        value = self.raw(key, required=required)
        if value is None or isinstance(value, str):
            return self.text(key, required=required, max_len=MAX_CODE)
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(self.at(key), f"must be a string or an integer, not {json_kind(value)}"
                          + (" (a JSON float cannot hold a long id exactly)" if isinstance(value, float) else ""))
        return str(value)

    # -- quantities and money ---------------------------------------------
    def count(self, key: str, *, digit_string: bool = False) -> int:
        """Units on a line: an integer ≥ 1 (JD sends it as a digit string)."""
        value = self.raw(key)
        if digit_string and isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise invalid(self.at(key), f"must be an integer ≥ 1, not {value!r}")
        if value > MAX_QUANTITY:
            raise invalid(self.at(key), f"must be at most {MAX_QUANTITY}, not {value}")
        return value

    def yuan(self, key: str) -> int:
        """A yuan amount sent as a decimal string ("199.00"), exactly, in fen. Floats refused."""
        return _bounded(yuan_to_fen(self.raw(key), field=self.at(key)), self.at(key))

    def yuan_number(self, key: str) -> int:
        """A yuan amount a platform sends as a JSON *number* (VIP.com's SDK types prices as double).

        A JSON number with at most two decimals parses to the binary64 nearest to
        it, and Python's shortest repr of that float gives back the very digits
        that were sent (any decimal of ≤15 significant digits round-trips), so
        the amount is recovered exactly; anything with more decimals is refused.
        """
        value = self.raw(key)
        if isinstance(value, float):
            text = repr(value)
            if "e" in text or "n" in text or abs(value) >= MAX_FEN:
                raise invalid(self.at(key), f"{value!r} is not a money amount")
            value = Decimal(text)
        return _bounded(yuan_to_fen(value, field=self.at(key)), self.at(key))

    def fen(self, key: str) -> int:
        """An amount in integer fen (分), as Douyin and WeChat Channels send it."""
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(self.at(key), f"must be an integer amount in fen, not {json_kind(value)} {value!r}")
        return _bounded(value, self.at(key))

    # -- times --------------------------------------------------------------
    def local_time(self, key: str, *, required: bool = True) -> datetime | None:
        """China local time text ("2026-11-11 00:01:02"); an explicit offset is honoured."""
        value = self.raw(key, required=required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise invalid(self.at(key), f"must be a time string like '2026-11-11 00:01:02', not {json_kind(value)}")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise invalid(self.at(key), f"{value!r} is not a time like '2026-11-11 00:01:02'") from None
        moment = moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment.astimezone(SHANGHAI)
        return self._real(moment, key, value, required)

    def epoch_time(self, key: str, *, required: bool = True) -> datetime | None:
        """Epoch seconds (Douyin, WeChat Channels) as an aware Asia/Shanghai time."""
        value = self.raw(key, required=required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(self.at(key), f"must be epoch seconds as an integer, not {json_kind(value)}")
        if value >= _EPOCH_MS_THRESHOLD:
            raise invalid(self.at(key), f"{value} looks like milliseconds; expected epoch seconds")
        return self._real(datetime.fromtimestamp(value, SHANGHAI), key, value, required)

    def any_time(self, key: str, *, required: bool = True) -> datetime | None:
        """Epoch seconds (as a number or digit string) or local time text: for loosely typed fields."""
        value = self.raw(key, required=required)
        if isinstance(value, str) and _EPOCH_DIGITS.fullmatch(value.strip()):
            return Obj({key: int(value)}, self.path).epoch_time(key, required=required)
        if isinstance(value, int) and not isinstance(value, bool):
            return self.epoch_time(key, required=required)
        return self.local_time(key, required=required)

    def _real(self, moment: datetime, key: str, sent: Any, required: bool) -> datetime | None:
        if moment >= _EARLIEST_REAL_TIME:
            return moment
        if required:
            raise invalid(self.at(key), f"is required (got {sent!r}, the platform's empty time)")
        return None


def _bounded(fen: int, path: str) -> int:
    if fen < 0:
        raise invalid(path, "must not be negative")
    if fen > MAX_FEN:
        raise invalid(path, f"must be at most {MAX_FEN} fen")
    return fen


def make_address(province: str, city: str, district: str, detail: str, *,
                 receiver_name: str | None = None, receiver_phone: str | None = None,
                 postcode: str | None = None) -> AddressCmd:
    """An `AddressCmd` with the province under its full name, whatever the platform's spelling."""
    return AddressCmd(province=full_province(province), city=city, district=district, detail=detail,
                      receiver_name=receiver_name, receiver_phone=receiver_phone, postcode=postcode)
