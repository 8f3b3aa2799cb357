"""Replaying real orders straight from the OMS database (read-only), SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from oms.persistence.database import SqlAlchemyUnitOfWork, make_engine
from oms.services import place_order
from simulation.engine import Simulation
from tests.builders.orders import place_order as a_place_order
from tests.builders.simulation import STYLES, sku_codes, small_scenario
from warehouses.catalogue import generate_catalogue
from warehouses.geography import resolve_address

CST = timezone(timedelta(hours=8))


def test_orders_stored_by_the_oms_replay_through_the_simulator(database_url):
    catalogue = generate_catalogue(STYLES, 42)
    sku = sku_codes(1)[0]
    price = catalogue.skus[sku].price_fen
    engine = make_engine(database_url)
    paid = [datetime(2025, 11, 3, h, 15, tzinfo=CST) for h in (9, 13, 20)]
    try:
        for i, at in enumerate(paid):
            place_order(a_place_order(f"DB{i}", lines=[(sku, 1, price)], paid_at=at), SqlAlchemyUnitOfWork(engine),
                        catalogue=catalogue, now=at, resolve_address=resolve_address)
    finally:
        engine.dispose()
    scenario = small_scenario(demand={"replay": {"database_url": database_url}})
    records = Simulation(scenario).run()
    orders = records.frame("orders").sort_values("paid_h")
    assert orders.paid_h.tolist() == [9.25, 13.25, 20.25]  # moved to the run's day, times of day kept
    assert set(orders.region) == {"华中"} and set(orders.channel) == {"tmall"}
    assert set(orders.outcome) <= {"delivered", "cancelled", "unfulfilled"}
    assert records.stats["orders_placed"] == 3
