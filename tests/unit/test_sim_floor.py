"""The shop floor's calendar in run minutes agrees with the network's own opening-hours rules
(`Node.next_open`, `Node.work_done_at`), which the allocator's hand-over estimates use."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import simpy
from hypothesis import given, settings, strategies as st

from simulation.floor import NodeFloor, SimClock
from warehouses.nodes import Node
from warehouses.opening_hours import END_OF_DAY

TIMETABLES = (
    ((time(10), time(22)),),
    ((time(9, 30), time(12)), (time(13, 30), time(21, 45))),
    ((time(0), time(2)), (time(8), END_OF_DAY)),  # open past midnight
    ((time(6), END_OF_DAY),),
)
STARTS = (datetime.fromisoformat("2026-06-10T00:00:00+08:00"), datetime.fromisoformat("2026-06-10T07:13:30+08:00"))


def floor(hours, start) -> NodeFloor:
    node = Node(node_id="ST01", name="武汉洪山直营店", kind="store", owner="brand", province="湖北省", city="武汉市",
                district="洪山区", adcode="420111", lat=30.5, lon=114.3, opening_hours=hours)
    env = simpy.Environment()
    return NodeFloor(node, 0, simpy.Resource(env, capacity=1), SimClock(start))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TIMETABLES), st.sampled_from(STARTS), st.floats(0, 4 * 1440), st.floats(0, 2000))
def test_opening_and_work_done_in_run_minutes_match_the_node_rules(hours, start, minute, work):
    f, clock = floor(hours, start), SimClock(start)
    expected_open = clock.minute(f.node.next_open(clock.at(minute)))
    expected_done = clock.minute(f.node.work_done_at(clock.at(minute), timedelta(minutes=work)))
    assert abs(f.available_from(minute) - expected_open) < 1e-6
    assert abs(f.work_done(minute, work) - expected_done) < 1e-6


def test_work_runs_across_the_night_and_the_lunch_break():
    f = floor(TIMETABLES[1], STARTS[0])
    assert f.available_from(12 * 60 + 10) == 13 * 60 + 30  # closed for lunch
    assert f.work_done(21 * 60 + 40, 10) == 1440 + 9 * 60 + 35  # 5 minutes tonight, 5 tomorrow morning
    assert f.work_done(11 * 60 + 50, 20) == 13 * 60 + 40
