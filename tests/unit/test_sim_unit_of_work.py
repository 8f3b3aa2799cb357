"""The in-memory unit of work the simulator runs on: fast, but with the same isolation as before."""
from __future__ import annotations

import copy
import dataclasses
from datetime import datetime, timedelta, timezone

from oms.allocating import AllocateOrders, allocate_orders
from oms.inventory import StockLevel
from oms.lifecycle import OrderStatus
from oms.orders import Rejection, ReturnLine, ReturnRequest
from oms.plain_data import FrozenDict, FrozenList
from oms.pos import AcceptShipment, ShipmentRef, accept_shipment
from oms.services import place_order
from oms.unit_of_work import InMemoryUnitOfWork, clone_order
from tests.builders.allocation import ScriptedAllocator, ScriptedPlanner
from tests.builders.orders import place_order as a_place_order, small_catalogue

NOW = datetime(2026, 11, 11, 1, tzinfo=timezone.utc)
CAT = small_catalogue()


def stocked_uow(units: int = 50) -> InMemoryUnitOfWork:
    uow = InMemoryUnitOfWork()
    uow.store.stock[("N1", "S0001-BLK-M")] = StockLevel("N1", "S0001-BLK-M", on_hand=units)
    uow.store.stock[("N2", "S0001-BLK-M")] = StockLevel("N2", "S0001-BLK-M", on_hand=units)
    return uow


def busy_order(uow):
    order = place_order(a_place_order("T1"), uow, catalogue=CAT, now=NOW).order
    allocate_orders(AllocateOrders(), uow, planner=ScriptedPlanner(), allocator=ScriptedAllocator(lambda o: "N1"),
                    now=NOW)
    accept_shipment(AcceptShipment(ShipmentRef("N1", order.id, 1), "a1"), uow, now=NOW)
    stored = uow.store.orders[order.id]
    stored.rejections.append(Rejection("N2", 1, 1, "S0001-BLK-M", 1, "damaged", NOW))
    stored.returns.append(ReturnRequest(1, [ReturnLine(1, "S0001-BLK-M", 1)], "size", NOW))
    return stored


def mutable_parts(obj, seen=None):
    """Every mutable object reachable from `obj` (lists, dicts, sets, non-frozen dataclasses)."""
    seen = {} if seen is None else seen
    if id(obj) in seen:
        return seen
    if type(obj) in (FrozenDict, FrozenList):
        return seen  # read-only: sharing it is safe
    if isinstance(obj, (list, dict, set)) or (dataclasses.is_dataclass(obj) and not obj.__dataclass_params__.frozen):
        seen[id(obj)] = obj
    children = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple, set, frozenset)) else \
        [getattr(obj, f.name) for f in dataclasses.fields(obj)] if dataclasses.is_dataclass(obj) else []
    for child in children:
        mutable_parts(child, seen)
    return seen


def test_a_cloned_order_equals_a_deep_copy_and_shares_nothing_mutable():
    order = busy_order(stocked_uow())
    clone = clone_order(order)
    assert clone == copy.deepcopy(order)
    assert not set(mutable_parts(order)) & set(mutable_parts(clone))


def test_a_shipments_explanation_is_read_only_and_shared_by_clones():
    order = busy_order(stocked_uow())
    explanation = order.shipments[0].explanation
    assert explanation["cost"]["total_fen"] > 0
    for change in (lambda: explanation.update(x=1), lambda: explanation["cost"].__setitem__("total_fen", 0),
                   lambda: explanation.setdefault("alternatives", []).append({})):
        try:
            change()
        except TypeError:
            pass
        else:
            raise AssertionError("an explanation must refuse changes")
    assert clone_order(order).shipments[0].explanation is explanation
    assert copy.deepcopy(explanation) == explanation


def test_changes_are_invisible_until_commit_and_gone_after_rollback():
    uow = stocked_uow()
    order = busy_order(uow)
    with uow:
        mine = uow.orders.get(order.id)
        mine.shipments[0].lines[0].picked_qty = 1
        mine.audit.append(mine.audit[0])
        assert uow.store.orders[order.id].shipments[0].lines[0].picked_qty == 0
        uow.rollback()
    assert uow.store.orders[order.id] == order and len(order.audit) == len(uow.store.orders[order.id].audit)


def test_waves_find_open_orders_through_the_status_index_as_a_full_scan_would():
    uow = stocked_uow()
    for i in range(5):
        place_order(a_place_order(f"T{i}", paid_at=NOW - timedelta(minutes=i)), uow, catalogue=CAT, now=NOW)
    allocate_orders(AllocateOrders(order_ids=(1, 2)), uow, planner=ScriptedPlanner(),
                    allocator=ScriptedAllocator(lambda o: "N1"), now=NOW)
    with uow:
        open_ids = [o.id for o in uow.orders.in_status([OrderStatus.RECEIVED.value])]
        scan = sorted((o for o in uow.store.orders.values() if o.status == OrderStatus.RECEIVED),
                      key=lambda o: (o.paid_at, o.id))
        assert open_ids == [o.id for o in scan] == [5, 4, 3]
        assert [o.id for o in uow.orders.with_open_shipments("N1")] == [1, 2]


def test_a_stock_snapshot_stays_as_it_was_while_others_commit():
    uow = stocked_uow(units=5)
    with uow:
        snapshot = {(lv.node_id, lv.sku_code): lv.atp for lv in uow.stock.for_skus({"S0001-BLK-M"})}
    with uow:
        before = uow.stock.for_skus({"S0001-BLK-M"})
    with uow:
        level = uow.stock.get("N1", "S0001-BLK-M")
        level.reserve(3)
        uow.stock.save(level)
        inside = {(lv.node_id, lv.sku_code): lv.atp for lv in uow.stock.for_skus({"S0001-BLK-M"})}
        uow.commit()
    assert inside[("N1", "S0001-BLK-M")] == 2  # a unit of work sees its own changes
    assert {(lv.node_id, lv.sku_code): lv.atp for lv in before} == snapshot  # an old snapshot does not move
    assert uow.store.stock[("N1", "S0001-BLK-M")].reserved == 3
