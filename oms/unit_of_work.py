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
from datetime import datetime
from typing import Iterable, NamedTuple

from oms.commands import OrderQuery
from oms.exceptions import OmsError
from oms.idempotency import ActionKey
from oms.inventory import StockLevel
from oms.lifecycle import OPEN_SHIPMENT_STATUSES as _OPEN, ShipmentStatus
from oms.orders import Order
from oms.stock_snapshot import StockMatrix, StockSnapshot


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

    def peek(self, order_id: int) -> Order | None:
        """The order to look at, not to change: not locked, and the caller must neither change nor
        save it (an in-memory store may hand out its stored record instead of a copy)."""
        return self.get(order_id)

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
    def in_status(self, statuses: Iterable[str], limit: int = 10_000, *, look_only: bool = False) -> list[Order]:
        """Orders in any of the statuses, oldest payment first (e.g. the next allocation wave).
        With `look_only` the caller only reads them (see `peek`)."""

    @abc.abstractmethod
    def touching_node(self, node_id: str, since: datetime) -> list[Order]:
        """Orders with a shipment open at the node, handed over there since `since`, or rejected
        there since `since` (what a store manager's day consists of)."""

    @abc.abstractmethod
    def stale_shipments(self, allocated_before: datetime, accepted_before: datetime) -> list[tuple[int, int]]:
        """(order id, shipment no) of shipments still waiting to be accepted since before
        `allocated_before`, or accepted before `accepted_before` and not yet picked."""

    @abc.abstractmethod
    def line_outcomes(self) -> list["LineOutcome"]:
        """Per node and SKU family: shipment lines ever allocated there and how many were rejected."""


class LineOutcome(NamedTuple):
    node_id: str
    family: str | None  # the SKU's category; None when the SKU is not in the catalogue
    allocated_lines: int
    rejected_lines: int


class ActionKeyRepository(abc.ABC):
    """Idempotency keys of actions callers sent (see `oms/idempotency.py`)."""

    @abc.abstractmethod
    def get(self, node_id: str, request_id: str) -> ActionKey | None: ...

    @abc.abstractmethod
    def add(self, key: ActionKey) -> None:
        """Store a new key; `ActionConflict` if another transaction stored the same id meanwhile."""


class StockRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, node_id: str, sku_code: str) -> StockLevel | None:
        """The stock level, locked for update until the unit of work ends."""

    @abc.abstractmethod
    def for_skus(self, sku_codes: Iterable[str]) -> list[StockLevel]:
        """A read snapshot of every node's level for these SKUs (what allocation plans on)."""

    def snapshot(self, sku_codes: Iterable[str]) -> StockSnapshot:
        """`for_skus` as arrays [node, SKU] (see `oms.stock_snapshot`)."""
        skus = set(sku_codes)
        return StockSnapshot.of_levels(self.for_skus(skus), skus)

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
    actions: ActionKeyRepository

    def __enter__(self) -> "AbstractUnitOfWork":
        return self

    def __exit__(self, *exc) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


# ---------------------------------------------------------------- in memory
#
# Every unit of work reads private copies (`clone_order`, `clone_level`) and commit replaces the
# stored objects, so uncommitted changes are never seen by others and rollback just drops them.
# The store keeps indexes (orders by status and by node with an open shipment, stock by SKU) up to
# date on every write, so an allocation wave or a node's work list does not scan every order:
# the simulator runs the service functions on this store for 100k-order days.


class OrderTable(dict):
    """Stored orders by id, indexed by status and by the nodes holding their open shipments.

    Orders must be replaced (``table[id] = order``, as commit does), not changed in place, for the
    indexes to stay true; readers re-check each hit, so a stale entry is never returned."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        self.by_status: dict[str, dict[int, None]] = {}
        self.open_at: dict[str, dict[int, None]] = {}
        self._indexed: dict[int, tuple[str, tuple[str, ...]]] = {}
        self.update(*args, **kwargs)

    def __setitem__(self, order_id: int, order: Order) -> None:
        super().__setitem__(order_id, order)
        nodes = ()
        for s in order.shipments:
            if s.status in _OPEN and s.node_id not in nodes:
                nodes += (s.node_id,)
        entry = (order.status, nodes)
        if self._indexed.get(order_id) == entry:
            return
        self._unindex(order_id)
        self._indexed[order_id] = entry
        self.by_status.setdefault(entry[0], {})[order_id] = None
        for node_id in entry[1]:
            self.open_at.setdefault(node_id, {})[order_id] = None

    def __delitem__(self, order_id: int) -> None:
        self._unindex(order_id)
        super().__delitem__(order_id)

    def _unindex(self, order_id: int) -> None:
        status, nodes = self._indexed.pop(order_id, (None, ()))
        self.by_status.get(status, {}).pop(order_id, None)
        for node_id in nodes:
            self.open_at.get(node_id, {}).pop(order_id, None)

    def update(self, *args, **kwargs) -> None:
        for order_id, order in dict(*args, **kwargs).items():
            self[order_id] = order

    def pop(self, order_id, *default):
        if order_id in self:
            order = self[order_id]
            del self[order_id]
            return order
        if default:
            return default[0]
        raise KeyError(order_id)

    def setdefault(self, order_id, default=None):
        if order_id not in self:
            self[order_id] = default
        return self[order_id]

    def clear(self) -> None:
        super().clear()
        self.by_status.clear()
        self.open_at.clear()
        self._indexed.clear()


class StockTable(dict):
    """Stored stock levels by (node id, SKU code), indexed by SKU (what allocation reads)."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        self.by_sku: dict[str, dict[tuple[str, str], StockLevel]] = {}
        self.matrix = StockMatrix()
        self.update(*args, **kwargs)

    def __setitem__(self, key: tuple[str, str], level: StockLevel) -> None:
        super().__setitem__(key, level)
        self.by_sku.setdefault(key[1], {})[key] = level
        self.matrix.put(level)

    def __delitem__(self, key: tuple[str, str]) -> None:
        super().__delitem__(key)
        self.by_sku.get(key[1], {}).pop(key, None)
        self.matrix.drop(*key)

    def update(self, *args, **kwargs) -> None:
        for key, level in dict(*args, **kwargs).items():
            self[key] = level

    def pop(self, key, *default):
        if key in self:
            level = self[key]
            del self[key]
            return level
        if default:
            return default[0]
        raise KeyError(key)

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        super().clear()
        self.by_sku.clear()
        self.matrix = StockMatrix()


@dataclass
class InMemoryStore:
    """What a database would hold, kept in dicts; shared by every unit of work over it."""

    orders: dict[int, Order] = field(default_factory=OrderTable)
    order_keys: dict[tuple[str, str], int] = field(default_factory=dict)
    stock: dict[tuple[str, str], StockLevel] = field(default_factory=StockTable)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    extras: dict[str, dict] = field(default_factory=dict)  # small keyed tables (idempotency keys…)
    sku_families: dict[str, str] = field(default_factory=dict)  # SKU code → category, as the skus table

    def __post_init__(self):
        if not isinstance(self.orders, OrderTable):
            self.orders = OrderTable(self.orders)
        if not isinstance(self.stock, StockTable):
            self.stock = StockTable(self.stock)


def _shallow(obj):
    """A copy of a plain dataclass instance sharing its field values (fast `copy.copy`)."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


_ORDER_FIELDS = frozenset(Order.__dataclass_fields__)


def clone_order(order: Order) -> Order:
    """An independent copy of an order, equal to `copy.deepcopy` but ~20× faster: every mutable
    part (lines, shipments and their lines, returns, lists, dicts) is copied; immutable parts
    (strings, datetimes, enums, the frozen address, order lines, audit entries and rejections) are
    shared, and so is a shipment's read-only `explanation`."""
    if type(order) is not Order or order.__dict__.keys() != _ORDER_FIELDS:
        return copy.deepcopy(order)  # a shape this copier does not know: be safe
    new = _shallow(order)
    new.lines = list(order.lines)
    new.shipments = [_clone_shipment(s) for s in order.shipments]
    new.audit = list(order.audit)
    new.rejections = list(order.rejections)
    new.returns = [_clone_return(r) for r in order.returns]
    return new


def _clone_shipment(shipment):
    new = _shallow(shipment)
    new.lines = [_shallow(line) for line in shipment.lines]
    return new


def _clone_return(request):
    new = _shallow(request)
    new.lines = [_shallow(line) for line in request.lines]
    return new


def clone_level(level: StockLevel) -> StockLevel:
    return _shallow(level)


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
        self.staged[order_id] = clone_order(stored)
        return self.staged[order_id]

    def peek(self, order_id: int) -> Order | None:
        return self.staged.get(order_id) or self._store.orders.get(order_id)

    def get_by_channel_id(self, channel: str, channel_order_id: str) -> Order | None:
        order_id = self.new_keys.get((channel, channel_order_id)) or self._store.order_keys.get((channel, channel_order_id))
        return None if order_id is None else self.get(order_id)

    def save(self, order: Order) -> None:
        self.staged[order.id] = order

    def _all(self) -> list[Order]:
        merged = dict(self._store.orders)
        merged.update(self.staged)
        return list(merged.values())

    def _current(self, ids) -> list[Order]:
        """The orders with these ids as this unit of work sees them (staged first), without copying."""
        stored, staged = self._store.orders, self.staged
        return [staged[i] if i in staged else stored[i] for i in ids if i in staged or i in stored]

    def list(self, query: OrderQuery) -> tuple[list[Order], int]:
        hits = [o for o in self._all() if _matches(o, query)]
        hits.sort(key=lambda o: (o.paid_at, o.id), reverse=True)
        return [self.get(o.id) for o in hits[query.offset: query.offset + query.limit]], len(hits)

    def _with_open_shipments(self, node_id: str | None) -> list[Order]:
        index = self._store.orders.open_at
        ids = set(index.get(node_id, ())) if node_id is not None else {i for ids in index.values() for i in ids}
        ids.update(self.staged)
        return sorted((o for o in self._current(ids)
                       if any(s.is_open and (node_id is None or s.node_id == node_id) for s in o.shipments)),
                      key=lambda o: o.id)

    def with_open_shipments(self, node_id: str | None = None) -> list[Order]:
        return [self.get(o.id) for o in self._with_open_shipments(node_id)]

    def in_status(self, statuses: Iterable[str], limit: int = 10_000, *, look_only: bool = False) -> list[Order]:
        wanted = set(statuses)
        index = self._store.orders.by_status
        ids = {i for status in wanted for i in index.get(status, ())}
        ids.update(self.staged)
        hits = sorted((o for o in self._current(ids) if o.status in wanted), key=lambda o: (o.paid_at, o.id))
        return hits[:limit] if look_only else [self.get(o.id) for o in hits[:limit]]

    def touching_node(self, node_id: str, since: datetime) -> list[Order]:
        def touches(o: Order) -> bool:
            return (any(s.node_id == node_id and (s.is_open or (s.shipped_at and s.shipped_at >= since))
                        for s in o.shipments)
                    or any(r.node_id == node_id and r.at >= since for r in o.rejections))
        return [self.get(o.id) for o in sorted(self._all(), key=lambda o: o.id) if touches(o)]

    def stale_shipments(self, allocated_before: datetime, accepted_before: datetime) -> list[tuple[int, int]]:
        def stale(s) -> bool:
            if s.status == ShipmentStatus.ALLOCATED:
                return s.created_at is not None and s.created_at < allocated_before
            return s.status == ShipmentStatus.ACCEPTED and (s.accepted_at or s.created_at) < accepted_before
        return [(o.id, s.shipment_no) for o in self._with_open_shipments(None) for s in o.shipments if stale(s)]

    def line_outcomes(self) -> list[LineOutcome]:
        allocated, rejected = {}, set()
        for o in self._all():
            for s in o.shipments:
                allocated.update({(o.id, s.shipment_no, ln.line_no): (s.node_id, ln.sku_code) for ln in s.lines})
            for r in o.rejections:
                allocated[(o.id, r.shipment_no, r.line_no)] = (r.node_id, r.sku_code)
                rejected.add((o.id, r.shipment_no, r.line_no))
        counts: dict[tuple, list[int]] = {}
        for key, (node_id, sku) in allocated.items():
            tally = counts.setdefault((node_id, self._store.sku_families.get(sku)), [0, 0])
            tally[0] += 1
            tally[1] += key in rejected
        return [LineOutcome(node, family, a, r) for (node, family), (a, r) in sorted(counts.items(), key=str)]


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
            self.staged[key] = clone_level(stored)
        return self.staged[key]

    def for_skus(self, sku_codes: Iterable[str]) -> list[StockLevel]:
        """A read snapshot. Levels this unit of work changed are copies; the others are the stored
        records themselves, shared rather than copied (an allocation wave reads ~100k of them): a
        commit replaces stored records and never changes them, so they stay a consistent snapshot,
        and callers must only read them."""
        wanted = set(sku_codes)
        index, staged = self._store.stock.by_sku, self.staged
        levels = [level for sku in wanted for level in index.get(sku, {}).values()]
        if staged:
            levels = [staged.get((lv.node_id, lv.sku_code), lv) for lv in levels]
            stored = self._store.stock
            levels += [v for k, v in staged.items() if k[1] in wanted and k not in stored]
            levels = [clone_level(lv) if (lv.node_id, lv.sku_code) in staged else lv for lv in levels]
        return levels

    def snapshot(self, sku_codes: Iterable[str]) -> StockSnapshot:
        skus = set(sku_codes)
        if any(key[1] in skus for key in self.staged):  # this unit of work changed some: read them too
            return super().snapshot(skus)
        return self._store.stock.matrix.snapshot(skus)

    def add(self, level: StockLevel) -> None:
        self.staged[(level.node_id, level.sku_code)] = level

    def save(self, level: StockLevel) -> None:
        self.staged[(level.node_id, level.sku_code)] = level


class InMemoryActionKeys(ActionKeyRepository):
    def __init__(self, store: InMemoryStore):
        self._stored = store.extras.setdefault("action_keys", {})
        self.staged: dict[tuple[str, str], ActionKey] = {}

    def get(self, node_id: str, request_id: str) -> ActionKey | None:
        return self.staged.get((node_id, request_id)) or self._stored.get((node_id, request_id))

    def add(self, key: ActionKey) -> None:
        self.staged[(key.node_id, key.request_id)] = key


class InMemoryUnitOfWork(AbstractUnitOfWork):
    def __init__(self, store: InMemoryStore | None = None):
        self.store = store or InMemoryStore()
        self.committed = False

    def __enter__(self) -> "InMemoryUnitOfWork":
        self.orders = InMemoryOrders(self.store)
        self.stock = InMemoryStock(self.store)
        self.actions = InMemoryActionKeys(self.store)
        return self

    def commit(self) -> None:
        for table, staged in ((self.store.orders, self.orders.staged), (self.store.order_keys, self.orders.new_keys),
                              (self.store.stock, self.stock.staged),
                              (self.store.extras["action_keys"], self.actions.staged)):
            if staged:
                if type(table) is dict:
                    table.update(staged)
                else:
                    for key, value in staged.items():
                        table[key] = value
        self.rollback()
        self.committed = True

    def rollback(self) -> None:
        self.orders.staged, self.orders.new_keys, self.stock.staged = {}, {}, {}
        if hasattr(self, "actions"):
            self.actions.staged = {}
