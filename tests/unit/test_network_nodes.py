"""Nodes, their opening hours, and the network that indexes them."""
from datetime import datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.exceptions import UnknownNode
from warehouses.nodes import Network, Node, NodeKind, Owner
from warehouses.opening_hours import ALL_DAY, END_OF_DAY, format_windows, open_hours_per_day, parse_windows

DAY = datetime(2024, 6, 1)


def a_node(**overrides) -> Node:
    fields = dict(node_id="ST0001", name="武汉洪山店", kind="store", owner="franchisee", province="湖北省",
                  city="武汉市", district="洪山区", adcode="420111", lat=30.5, lon=114.34,
                  opening_hours=[(time(10), time(22))], carrier_cutoffs=[time(18), time(12)])
    return Node(**{**fields, **overrides})


def test_a_node_normalises_its_inputs_and_derives_its_region():
    node = a_node()
    assert node.kind is NodeKind.STORE and node.owner is Owner.FRANCHISEE
    assert node.opening_hours == ((time(10), time(22)),)
    assert node.carrier_cutoffs == (time(12), time(18))
    assert node.region == "华中" and node.city_adcode == "420100"
    assert node.pick_capacity_units_per_hour == 30.0


@pytest.mark.parametrize("overrides, message", [
    ({"node_id": ""}, '"node_id" must not be empty.'),
    ({"pickers": 0}, '"pickers" must be >= 1, got 0.'),
    ({"pick_rate_units_per_hour": 0}, '"pick_rate_units_per_hour" must be > 0, got 0.'),
    ({"daily_order_capacity": -1}, '"daily_order_capacity" must be >= 0, got -1.'),
    ({"adcode": "4201"}, "\"adcode\" must be six digits, got '4201'."),
    ({"opening_hours": []}, '"opening_hours" must have at least one window.'),
    ({"opening_hours": [(time(22), time(10))]}, "opening window 22:00-10:00 must open before it closes."),
    ({"opening_hours": [(time(8), time(14)), (time(13), time(20))]}, '"opening_hours" windows must not overlap.'),
    ({"region": "火星"}, '"region" must be one of 华北, 东北, 华东, 华中, 华南, 西南, 西北, got \'火星\'.'),
])
def test_impossible_nodes_are_refused_with_exact_messages(overrides, message):
    with pytest.raises(ValueError) as error:
        a_node(**overrides)
    assert str(error.value) == message


def test_a_node_is_open_only_inside_its_windows():
    node = a_node()
    assert not node.is_open_at(DAY.replace(hour=9, minute=59))
    assert node.is_open_at(DAY.replace(hour=10))
    assert not node.is_open_at(DAY.replace(hour=22))
    assert node.next_open(DAY.replace(hour=23)) == DAY + timedelta(days=1, hours=10)
    assert node.next_open(DAY.replace(hour=12)) == DAY.replace(hour=12)


def test_work_only_progresses_while_open():
    node = a_node()
    assert node.work_done_at(DAY.replace(hour=21, minute=30), timedelta(hours=1)) == DAY + timedelta(days=1, hours=10, minutes=30)


def test_a_24_hour_node_never_closes_and_shifts_join_up():
    rdc = a_node(kind="rdc", opening_hours=ALL_DAY)
    assert rdc.is_open_at(DAY.replace(hour=3)) and rdc.is_open_at(DAY.replace(hour=23, minute=59))
    assert rdc.work_done_at(DAY.replace(hour=23), timedelta(hours=2)) == DAY + timedelta(days=1, hours=1)
    shifts = a_node(opening_hours=parse_windows("07:00-15:00,15:00-23:00"))
    assert shifts.work_done_at(DAY.replace(hour=14), timedelta(hours=2)) == DAY.replace(hour=16)


def test_a_night_shift_is_two_windows_across_midnight():
    night = a_node(opening_hours=parse_windows("00:00-06:00,22:00-24:00"))
    assert night.opening_hours[-1] == (time(22), END_OF_DAY)
    assert night.work_done_at(DAY.replace(hour=23), timedelta(hours=3)) == DAY + timedelta(days=1, hours=2)
    assert open_hours_per_day(night.opening_hours) == 8


def test_opening_hours_text_round_trips():
    for text in ("10:00-22:00", "07:00-15:00,15:00-23:00", "00:00-24:00"):
        assert format_windows(parse_windows(text)) == text
    assert parse_windows("24h") == ALL_DAY


def test_the_network_indexes_nodes_by_id_kind_and_city():
    store = a_node()
    rdc = a_node(node_id="RDC-WUHAN", kind="rdc", adcode="420112", district="东西湖区")
    other = a_node(node_id="ST0002", city="长沙市", province="湖南省", district="岳麓区", adcode="430104")
    network = Network([store, rdc, other])
    assert network.node("RDC-WUHAN") is rdc and network.index_of("ST0002") == 2
    assert network.stores == (store, other) and network.rdcs == (rdc,) and network.clouds == ()
    assert network.in_city("420100") == (store, rdc)
    assert network.serving_rdc("430104") is rdc  # 华中 is served from Wuhan
    assert "ST0001" in network and len(network) == 3


def test_unknown_node_ids_raise_the_oms_error():
    with pytest.raises(UnknownNode) as error:
        Network([a_node()]).node("ST9999")
    assert error.value.field == "node_id"


def test_a_node_id_may_appear_only_once():
    with pytest.raises(ValueError, match="^node id 'ST0001' appears more than once.$"):
        Network([a_node(), a_node()])


def test_the_network_frame_has_a_row_per_node():
    frame = Network([a_node()]).to_frame()
    assert frame.loc[0, "opening_hours"] == "10:00-22:00" and frame.loc[0, "carrier_cutoffs"] == "12:00,18:00"
    assert frame.loc[0, "kind"] == "store"


TIMETABLES = [parse_windows(t) for t in ("10:00-22:00", "09:00-21:30", "07:00-15:00,15:00-23:00",
                                         "00:00-06:00,22:00-24:00", "08:00-12:00,13:00-18:00", "24h")]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(timetable=st.sampled_from(TIMETABLES), start_minute=st.integers(0, 7 * 24 * 60),
       first=st.integers(0, 3000), second=st.integers(1, 3000))
def test_work_split_in_two_finishes_when_the_whole_would(timetable, start_minute, first, second):
    node = a_node(opening_hours=timetable)
    start = DAY + timedelta(minutes=start_minute)
    halfway = node.work_done_at(start, timedelta(minutes=first))
    done = node.work_done_at(start, timedelta(minutes=first + second))
    assert node.work_done_at(halfway, timedelta(minutes=second)) == done
    assert done >= start + timedelta(minutes=first + second)
    assert node.is_open_at(done - timedelta(minutes=1))  # the last minute of work was open time
