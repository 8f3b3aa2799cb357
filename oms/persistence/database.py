"""Engines and the SQLAlchemy unit of work.

SQLite (the embedded default) runs in WAL mode with full fsync on commit and
takes the write lock at BEGIN (`BEGIN IMMEDIATE`), so two writers never
interleave a read-modify-write; PostgreSQL locks the rows it changes with
SELECT … FOR UPDATE.
"""
from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from oms.persistence.action_keys import SqlActionKeys
from oms.persistence.repositories import SqlOrders, SqlStock
from oms.unit_of_work import AbstractUnitOfWork

DEFAULT_DATABASE_URL = "sqlite:///oms.db"


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str = DEFAULT_DATABASE_URL, *, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" below issue BEGIN itself
        cursor = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # durable: a committed order survives power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    """One database transaction on its own connection; re-enterable (each `with` is a new
    connection). The transaction begins at the first statement and ends at commit/rollback."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.conn = None

    def __enter__(self) -> "SqlAlchemyUnitOfWork":
        self.conn = self.engine.connect()
        self.orders = SqlOrders(self.conn)
        self.stock = SqlStock(self.conn)
        self.actions = SqlActionKeys(self.conn)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.rollback()
        finally:
            self.conn.close()
            self.conn = None

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        if self.conn is not None and self.conn.in_transaction():
            self.conn.rollback()
