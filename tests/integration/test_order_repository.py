"""The service layer on real databases: round trips, atomicity, idempotency under concurrency."""
from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from oms.commands import CancelOrder, LineCmd
from oms.exceptions import DuplicateOrderConflict, UnknownSku
from oms.lifecycle import OrderStatus
from oms.persistence.database import SqlAlchemyUnitOfWork, make_engine
from oms.persistence.tables import metadata
from oms.services import cancel_order, get_order, list_orders, place_order
from oms.commands import OrderQuery
from tests.builders.orders import place_order as a_place_order, small_catalogue

NOW = datetime(2026, 11, 11, 1, tzinfo=timezone.utc)
CAT = small_catalogue()


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def place(cmd, engine):
    return place_order(cmd, SqlAlchemyUnitOfWork(engine), catalogue=CAT, now=NOW)


def test_migrations_build_exactly_the_mapped_schema(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if d[0] not in ("remove_index",)] == []


def test_an_order_reads_back_as_it_was_stored(engine):
    stored = place(a_place_order("RT1", lines=[("S0001-BLK-M", 2, 59900), ("S0002-WHT-S", 1, 19900)]), engine).order
    again = get_order(stored.id, SqlAlchemyUnitOfWork(engine))
    assert again.lines == stored.lines
    assert again.address == stored.address
    assert again.paid_at == stored.paid_at and again.paid_at.utcoffset() is not None
    assert [(e.to_status, e.reason) for e in again.audit] == [("received", "received from tmall")]


def test_an_order_with_one_bad_line_is_not_written_at_all(engine):
    cmd = dataclasses.replace(a_place_order("BAD1"), lines=(
        LineCmd("S0001-BLK-M", 1, 100, 100), LineCmd("S0001-BLK-M", 1, 100, 100), LineCmd("NOPE", 1, 1, 1)))
    with pytest.raises(UnknownSku):
        place(cmd, engine)
    assert list_orders(OrderQuery(), SqlAlchemyUnitOfWork(engine))[1] == 0


def test_a_resend_changes_nothing_and_a_changed_resend_conflicts(engine):
    first = place(a_place_order("DUP1"), engine)
    again = place(a_place_order("DUP1"), engine)
    assert (again.created, again.order.id, again.order.version) == (False, first.order.id, first.order.version)
    with pytest.raises(DuplicateOrderConflict):
        place(a_place_order("DUP1", lines=[("S0003-BLK-L", 1, 89900)]), engine)
    assert list_orders(OrderQuery(), SqlAlchemyUnitOfWork(engine))[1] == 1


def test_concurrent_duplicates_create_exactly_one_order(engine):
    results, errors = [], []
    barrier = threading.Barrier(8)

    def send():
        barrier.wait()
        try:
            results.append(place(a_place_order("RACE1"), engine))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert sum(r.created for r in results) == 1
    assert len({r.order.id for r in results}) == 1
    assert list_orders(OrderQuery(), SqlAlchemyUnitOfWork(engine))[1] == 1


def test_listing_filters_by_channel_and_status_and_pages(engine):
    for i in range(5):
        place(a_place_order(f"L{i}", channel="tmall" if i % 2 else "jd"), engine)
    cancel_order(CancelOrder(1, "test"), SqlAlchemyUnitOfWork(engine), now=NOW)
    page, total = list_orders(OrderQuery(channel="jd", limit=2), SqlAlchemyUnitOfWork(engine))
    assert total == 3 and len(page) == 2
    cancelled, n = list_orders(OrderQuery(status=OrderStatus.CANCELLED.value), SqlAlchemyUnitOfWork(engine))
    assert n == 1 and cancelled[0].id == 1 and cancelled[0].audit[-1].to_status == "cancelled"
