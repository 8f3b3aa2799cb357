"""A node's work list sorted by when each parcel must be packed: the carrier pickup it must make for
express, the promise less the ride for a same-city rider (the node's pickups and transit times are
handed in, as the API does from the network)."""
from datetime import datetime, time, timedelta

from oms.pos import last_pickup_in_time, node_tasks
from tests.builders.orders import CST
from tests.builders.pos import NOW as BUILDERS_NOW, allocated_order, memory_uow

SKU = "S0001-BLK-M"
NOW = datetime(2026, 11, 11, 10, tzinfo=CST)  # 10:00 local, the builders' clock


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=CST)


def daily_pickups(*cutoffs: time):
    """A node whose courier calls at these local times every day."""
    def next_pickup(moment: datetime) -> datetime | None:
        local = moment.astimezone(CST)
        for day in (0, 1):
            for cutoff in sorted(cutoffs):
                pickup = datetime.combine(local.date() + timedelta(days=day), cutoff, CST)
                if pickup >= local:
                    return pickup
        return None
    return next_pickup


def transit_by_order(hours: dict[str, float]):
    return lambda order, shipment: (timedelta(hours=hours[order.channel_order_id])
                                    if order.channel_order_id in hours else None)


def order_at_st0001(uow, channel_order_id: str, promised_by: datetime, *, rider: bool = False):
    order = allocated_order(uow, channel_order_id, promised_by=promised_by)
    if rider:
        uow.store.orders[order.id].shipments[0].mode = "rider"
    return order


def by_id(tasks) -> list[str]:
    return [t.order.channel_order_id for t in tasks]


def test_a_sooner_carrier_cutoff_comes_before_an_earlier_promise_with_a_later_pickup():
    uow = memory_uow(("ST0001", SKU, 9))
    # FAR is promised later but travels 30 h: only today's 18:00 pickup still gets it there in time.
    # NEAR is promised earlier but travels 5 h: tomorrow's 18:00 pickup is still in time.
    order_at_st0001(uow, "NEAR", at(13, 8))
    order_at_st0001(uow, "FAR", at(13, 10))
    tasks = node_tasks("ST0001", uow, now=NOW, next_pickup=daily_pickups(time(18)),
                       transit=transit_by_order({"NEAR": 5, "FAR": 30}))
    assert by_id(tasks) == ["FAR", "NEAR"]
    assert [(t.pack_by, t.carrier_pickup) for t in tasks] == [(at(11, 18), at(11, 18)), (at(12, 18), at(12, 18))]
    assert [t.minutes_left for t in tasks] == [8 * 60, 32 * 60]
    assert by_id(node_tasks("ST0001", uow, now=NOW)) == ["NEAR", "FAR"]  # without cut-offs: by promise


def test_a_rider_is_due_by_the_promise_less_the_ride_and_an_express_parcel_by_its_pickup():
    uow = memory_uow(("ST0001", SKU, 9))
    order_at_st0001(uow, "RIDER-EVENING", at(11, 20), rider=True)
    order_at_st0001(uow, "EXPRESS", at(12, 9))
    order_at_st0001(uow, "RIDER-AFTERNOON", at(11, 16), rider=True)
    tasks = node_tasks("ST0001", uow, now=NOW, next_pickup=daily_pickups(time(18)),
                       transit=lambda o, s: timedelta(minutes=45) if s.mode == "rider" else None)
    assert [(t.order.channel_order_id, t.pack_by, t.carrier_pickup, t.minutes_left) for t in tasks] == [
        ("RIDER-AFTERNOON", at(11, 15, 15), None, 5 * 60 + 15),
        ("EXPRESS", at(11, 18), at(11, 18), 8 * 60),
        ("RIDER-EVENING", at(11, 19, 15), None, 9 * 60 + 15)]
    assert [t.next_action for t in tasks] == ["accept"] * 3


def test_after_the_last_cutoff_an_express_parcel_rolls_to_the_next_days_pickup():
    uow = memory_uow(("ST0001", SKU, 9))
    order_at_st0001(uow, "TONIGHT", at(11, 22))  # cannot make a pickup in time any more: the next one
    order_at_st0001(uow, "LATER", at(13, 23))  # in time for the 13th's last pickup
    order_at_st0001(uow, "OVERDUE", at(11, 9))  # already past its promise
    evening = at(11, 19)
    tasks = node_tasks("ST0001", uow, now=evening, next_pickup=daily_pickups(time(12), time(18)))
    assert [(t.order.channel_order_id, t.carrier_pickup) for t in tasks] == [
        ("OVERDUE", at(12, 12)), ("TONIGHT", at(12, 12)), ("LATER", at(13, 18))]
    assert [t.minutes_left for t in tasks] == [17 * 60, 17 * 60, 47 * 60]


def test_ties_on_pack_by_go_to_the_earlier_promise_then_the_rider_then_the_older_shipment():
    uow = memory_uow(("ST0001", SKU, 9))
    order_at_st0001(uow, "LATE-PROMISE", at(12, 12))
    allocated_order(uow, "EXPRESS-NEWER", promised_by=at(12, 9), now=BUILDERS_NOW + timedelta(minutes=5))
    order_at_st0001(uow, "EXPRESS-OLDER", at(12, 9))
    order_at_st0001(uow, "EXPRESS-SIX", at(11, 18))
    order_at_st0001(uow, "RIDER-SIX", at(11, 18), rider=True)
    tasks = node_tasks("ST0001", uow, now=NOW, next_pickup=daily_pickups(time(18)))
    assert {t.pack_by for t in tasks} == {at(11, 18)}  # all make today's pickup; the rider is due by then
    assert by_id(tasks) == ["RIDER-SIX", "EXPRESS-SIX", "EXPRESS-OLDER", "EXPRESS-NEWER", "LATE-PROMISE"]


def test_a_node_without_a_courier_has_no_carrier_pickup_and_is_due_by_the_promise():
    uow = memory_uow(("ST0001", SKU, 9))
    order_at_st0001(uow, "P1", at(12, 9))
    [task] = node_tasks("ST0001", uow, now=NOW, next_pickup=lambda moment: None)
    assert (task.pack_by, task.carrier_pickup, task.minutes_left) == (at(12, 9), None, 23 * 60)


def test_the_last_pickup_in_time_looks_ahead_only_as_far_as_the_promise_allows():
    pickups = daily_pickups(time(10), time(14), time(18), time(21))
    assert last_pickup_in_time(pickups, at(11, 10), at(11, 17)) == at(11, 14)
    assert last_pickup_in_time(pickups, at(11, 10), at(11, 14)) == at(11, 14)  # a pickup at the deadline counts
    assert last_pickup_in_time(pickups, at(11, 21, 1), at(11, 23)) == at(12, 10)  # none in time: the next
    assert last_pickup_in_time(pickups, at(11, 10), at(30, 23)) is not None  # far promises stop looking ahead
    assert last_pickup_in_time(lambda moment: None, at(11, 10), at(12, 10)) is None
