"""Shared payload readers: exact money, China-time parsing, path-named errors."""
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.channels._fields import Obj, child
from oms.channels._regions import full_province, short_province
from oms.exceptions import InvalidOrder

SH = ZoneInfo("Asia/Shanghai")
FEN = st.integers(min_value=0, max_value=10**11)


def yuan_text(fen: int, decimals: int) -> str:
    whole, cents = divmod(fen, 100)
    return {0: f"{whole}", 1: f"{whole}.{cents // 10}", 2: f"{whole}.{cents:02d}"}[decimals]


@settings(max_examples=300, deadline=None)
@given(FEN, st.integers(min_value=0, max_value=2))
def test_any_yuan_string_with_at_most_two_decimals_round_trips_to_fen(fen, decimals):
    fen = fen if decimals == 2 else fen - fen % (10 if decimals == 1 else 100)
    assert Obj({"price": yuan_text(fen, decimals)}).yuan("price") == fen


@settings(max_examples=300, deadline=None)
@given(FEN)
def test_a_json_number_price_with_two_decimals_is_recovered_exactly(fen):
    assert Obj({"sell_price": fen / 100}).yuan_number("sell_price") == fen


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e6))
def test_floats_are_refused_where_exact_money_is_expected(value):
    with pytest.raises(InvalidOrder) as caught:
        Obj({"price": value}, "trade.orders.order[0]").yuan("price")
    assert caught.value.field == "trade.orders.order[0].price"
    with pytest.raises(InvalidOrder):
        Obj({"pay_amount": value}).fen("pay_amount")


def test_bools_are_neither_money_nor_quantities():
    item = Obj({"num": True, "price": True, "pay_amount": False}, "o")
    for read, key in ((item.count, "num"), (item.yuan, "price"), (item.fen, "pay_amount")):
        with pytest.raises(InvalidOrder):
            read(key)


def test_china_local_time_text_becomes_an_aware_shanghai_time():
    assert Obj({"t": "2026-11-11 00:01:02"}).local_time("t") == datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH)


def test_an_explicit_offset_is_honoured_and_converted():
    moment = Obj({"t": "2026-11-10T16:01:02+00:00"}).local_time("t")
    assert moment == datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH) and moment.tzinfo == SH


def test_epoch_seconds_become_an_aware_shanghai_time():
    assert Obj({"t": 1794326462}).epoch_time("t") == datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH)


@pytest.mark.parametrize("value", ["1794326462", 1794326462, "2026-11-11 00:01:02"])
def test_loosely_typed_times_accept_epoch_text_numbers_and_local_text(value):
    assert Obj({"t": value}).any_time("t") == datetime(2026, 11, 11, 0, 1, 2, tzinfo=SH)


def test_paths_read_like_the_payload():
    assert child(child(child("", "result"), "orderDetails"), 3) == "result.orderDetails[3]"
    assert Obj({}, "a.b[0]").at("c") == "a.b[0].c"


def test_a_nested_list_of_lines_carries_indices_into_errors():
    order = Obj({"lines": [{"num": 1}, {"num": "x"}]}, "data")
    with pytest.raises(InvalidOrder) as caught:
        [line.count("num") for line in order.objects("lines")]
    assert caught.value.field == "data.lines[1].num"


@pytest.mark.parametrize("short, full", [("广东", "广东省"), ("北京", "北京市"), ("广西", "广西壮族自治区"),
                                         ("香港", "香港特别行政区"), ("浙江省", "浙江省")])
def test_short_province_names_get_their_full_name(short, full):
    assert full_province(short) == full
    assert full_province(short_province(full)) == full


def test_decimal_amounts_are_accepted_as_exact():
    assert Obj({"price": Decimal("19.90")}).yuan("price") == 1990
