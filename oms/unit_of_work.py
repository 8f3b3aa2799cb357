"""Ports: the repositories and unit of work the service layer runs on.

Two implementations: SQLAlchemy (`oms/persistence/`) for the server, and the
in-memory one below for unit tests and the simulator, which runs the very same
service functions with no database in the loop.
"""
from __future__ import annotations

import abc
import copy
import itertools
from dataclasses import dataclass, field
from typing import Iterable

from oms.commands import OrderQuery
from oms.exceptions import OmsError
from oms.inventory import StockLevel
from oms.orders import Order


class OrderAlreadyExists(OmsError):
    """Raised by a repository when the channel + channel order id is already stored (a racing duplicate)."""


class OrderRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, order: Order) -> None:
        """Store a new order and give it an id; `OrderAlreadyExists` if its channel id is taken."""

    def add_many(self, orders: list[Order]) -> None:
        """Store several new orders (one statement per table where the database allows)."""
        for order in orders:
            self.add(order)

    @abc.abstractmethod
    def get(self, order_id: int) -> Order | None: ...

    def get_by_channel_ids(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Order]:
        found = {}
        for channel, channel_order_id in keys:
            order = self.get_by_channel_id(channel, channel_order_id)
            if order is not None:
                found[(channel, channel_order_id)] = order
        return found

    @abc.abstractmethod
    def get_by_channel_id(self, channel: str, channel_order_id: str) -> Order | None: ...

    @abc.abstractmethod
    def save(self, order: Order) -> None:
        """Persist changes to an order read in this unit of work."""

    @abc.abstractmethod
    def list(self, query: OrderQuery) -> tuple[list[Order], int]:
        """Orders matching the query (newest payment first) and the total count."""

    @abc.abstractmethod
    def with_open_shipments(self, node_id: str | None = None) -> list[Order]:
        """Orders that have an open shipment (at `node_id` when given)."""

    @abc.abstractmethod
    def in_status(self, statuses: Iterable[str], limit: int = 10_000) -> list[Order]:
        """Orders in any of the statuses, oldest payment first (e.g. the next allocation wave)."""


class StockRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, node_id: str, sku_code: str) -> StockLevel | None:
        """The stock level, locked for update until the unit of work ends."""

    @abc.abstractmethod
    def for_skus(self, sku_codes: Iterable[str]) -> list[StockLevel]:
        """A read snapshot of every node's level for these SKUs (what allocation plans on)."""

    @abc.abstractmethod
    def add(self, level: StockLevel) -> None: ...

    @abc.abstractmethod
    def save(self, level: StockLevel) -> None: ...

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], StockLevel]:
        """Several levels locked for update, always in the same (sorted) order so that two
        transactions locking overlapping sets cannot deadlock."""
        found = {}
        for node_id, sku_code in sorted(set(keys)):
            level = self.get(node_id, sku_code)
            if level is not None:
                found[(node_id, sku_code)] = level
        return found

    def get_or_create(self, node_id: str, sku_code: str) -> StockLevel:
        level = self.get(node_id, sku_code)
        if level is None:
            level = StockLevel(node_id=node_id, sku_code=sku_code)
            self.add(level)
        return level


class AbstractUnitOfWork(abc.ABC):
    """One business transaction: everything inside commits together or not at all."""

    orders: OrderRepository
    stock: StockRepository

    def __enter__(self) -> "AbstractUnitOfWork":
        return self

    def __exit__(self, *exc) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


# ---------------------------------------------------------------- in memory


@dataclass
class InMemoryStore:
    """What a database would hold, kept in dicts; shared by every unit of work over it."""

    orders: dict[int, Order] = field(default_factory=dict)
    order_keys: dict[tuple[str, str], int] = field(default_factory=dict)
    stock: dict[tuple[str, str], StockLevel] = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    extras: dict[str, dict] = field(default_factory=dict)  # small keyed tables (idempotency keys…)


class InMemoryOrders(OrderRepository):
    def __init__(self, store: InMemoryStore):
        self._store = store
        self.staged: dict[int, Order] = {}
        self.new_keys: dict[tuple[str, str], int] = {}

    def add(self, order: Order) -> None:
        key = (order.channel, order.channel_order_id)
        if key in self._store.order_keys or key in self.new_keys:
            raise OrderAlreadyExists(f"{key[0]} order {key[1]} is already stored")
        order.id = next(self._store.ids)
        self.new_keys[key] = order.id
        self.staged[order.id] = order

    def get(self, order_id: int) -> Order | None:
        if order_id in self.staged:
            return self.staged[order_id]
        stored = self._store.orders.get(order_id)
        if stored is None:
            return None
        self.staged[order_id] = copy.deepcopy(stored)
        return self.staged[order_id]

    def get_by_channel_id(self, channel: str, channel_order_id: str) -> Order | None:
        order_id = self.new_keys.get((channel, channel_order_id)) or self._store.order_keys.get((channel, channel_order_id))
        return None if order_id is None else self.get(order_id)

    def save(self, order: Order) -> None:
        self.staged[order.id] = order

    def _all(self) -> list[Order]:
        merged = dict(self._store.orders)
        merged.update(self.staged)
        return list(merged.values())

    def list(self, query: OrderQuery) -> tuple[list[Order], int]:
        hits = [o for o in self._all() if _matches(o, query)]
        hits.sort(key=lambda o: (o.paid_at, o.id), reverse=True)
        return [self.get(o.id) for o in hits[query.offset: query.offset + query.limit]], len(hits)

    def with_open_shipments(self, node_id: str | None = None) -> list[Order]:
        return [self.get(o.id) for o in self._all()
                if any(s.is_open and (node_id is None or s.node_id == node_id) for s in o.shipments)]

    def in_status(self, statuses: Iterable[str], limit: int = 10_000) -> list[Order]:
        wanted = set(statuses)
        hits = sorted((o for o in self._all() if o.status in wanted), key=lambda o: (o.paid_at, o.id))
        return [self.get(o.id) for o in hits[:limit]]


def _matches(order: Order, q: OrderQuery) -> bool:
    return ((q.channel is None or order.channel == q.channel)
            and (q.status is None or order.status == q.status)
            and (q.paid_from is None or order.paid_at >= q.paid_from)
            and (q.paid_to is None or order.paid_at < q.paid_to))


class InMemoryStock(StockRepository):
    def __init__(self, store: InMemoryStore):
        self._store = store
        self.staged: dict[tuple[str, str], StockLevel] = {}

    def get(self, node_id: str, sku_code: str) -> StockLevel | None:
        key = (node_id, sku_code)
        if key not in self.staged:
            stored = self._store.stock.get(key)
            if stored is None:
                return None
            self.staged[key] = copy.copy(stored)
        return self.staged[key]

    def for_skus(self, sku_codes: Iterable[str]) -> list[StockLevel]:
        wanted = set(sku_codes)
        levels = {k: v for k, v in self._store.stock.items() if k[1] in wanted}
        levels.update({k: v for k, v in self.staged.items() if k[1] in wanted})
        return [copy.copy(v) for v in levels.values()]

    def add(self, level: StockLevel) -> None:
        self.staged[(level.node_id, level.sku_code)] = level

    def save(self, level: StockLevel) -> None:
        self.staged[(level.node_id, level.sku_code)] = level


class InMemoryUnitOfWork(AbstractUnitOfWork):
    def __init__(self, store: InMemoryStore | None = None):
        self.store = store or InMemoryStore()
        self.committed = False

    def __enter__(self) -> "InMemoryUnitOfWork":
        self.orders = InMemoryOrders(self.store)
        self.stock = InMemoryStock(self.store)
        return self

    def commit(self) -> None:
        self.store.orders.update(self.orders.staged)
        self.store.order_keys.update(self.orders.new_keys)
        self.store.stock.update(self.stock.staged)
        self.orders.staged, self.orders.new_keys, self.stock.staged = {}, {}, {}
        self.committed = True

    def rollback(self) -> None:
        self.orders.staged, self.orders.new_keys, self.stock.staged = {}, {}, {}
