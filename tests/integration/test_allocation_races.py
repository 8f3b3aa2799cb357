"""Two allocations racing for the last unit never oversell, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from sqlalchemy import select

from oms.allocating import AllocateOrders, allocate_orders
from oms.inventory import StockLevel
from oms.persistence import tables as t
from oms.persistence.database import SqlAlchemyUnitOfWork, make_engine
from oms.persistence.seed import load_stock
from oms.services import place_order
from tests.builders.allocation import ScriptedAllocator, ScriptedPlanner
from tests.builders.orders import place_order as a_place_order, small_catalogue

NOW = datetime(2026, 11, 11, 2, tzinfo=timezone.utc)


def test_racing_waves_reserve_the_last_unit_once(database_url):
    engine = make_engine(database_url)
    load_stock(engine, [StockLevel("ST0001", "S0001-BLK-M", on_hand=3, safety_stock=0)])
    ids = [place_order(a_place_order(f"R{i}"), SqlAlchemyUnitOfWork(engine), catalogue=small_catalogue(),
                       now=NOW).order.id for i in range(6)]
    barrier, reports = threading.Barrier(4), []

    class SlowPlanner(ScriptedPlanner):  # every wave plans on the same snapshot before any applies
        def problem(self, orders, levels, now):
            barrier.wait()
            return super().problem(orders, levels, now)

    def wave(order_ids):
        reports.append(allocate_orders(AllocateOrders(order_ids=order_ids), SqlAlchemyUnitOfWork(engine),
                                       planner=SlowPlanner(), allocator=ScriptedAllocator(lambda o: "ST0001"),
                                       now=NOW))

    threads = [threading.Thread(target=wave, args=(tuple(ids[i::2]),)) for i in range(2)] + \
              [threading.Thread(target=wave, args=(tuple(ids),)) for _ in range(2)]
    [th.start() for th in threads]
    [th.join() for th in threads]
    with engine.connect() as conn:
        level = conn.execute(select(t.stock)).one()
        open_units = conn.execute(select(t.shipment_lines.c.quantity)).scalars().all()
    engine.dispose()
    assert sum(r.allocated for r in reports) == 3
    assert (level.on_hand, level.reserved) == (3, 3)
    assert sum(open_units) == 3
