"""SQLAlchemy implementations of the repository ports, on one Connection per unit of work."""
from __future__ import annotations

from typing import Iterable

from datetime import datetime

from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select, tuple_, union, update
from sqlalchemy.exc import IntegrityError

from oms.commands import OrderQuery
from oms.exceptions import OmsError
from oms.inventory import StockLevel
from oms.lifecycle import OPEN_SHIPMENT_STATUSES, ShipmentStatus
from oms.orders import Order
from oms.persistence import rows
from oms.persistence import tables as t
from oms.unit_of_work import LineOutcome, OrderAlreadyExists, OrderRepository, StockRepository


_INSERT_ORDERS = insert(t.orders).returning(t.orders.c.id, sort_by_parameter_order=True)
_INSERT_LINES = insert(t.order_lines)


class ConcurrentUpdate(OmsError):
    """Another transaction changed the order since it was read; the caller may retry."""


class SqlOrders(OrderRepository):
    def __init__(self, conn: Connection):
        self.conn = conn
        # order id → (version, audit entries, rejections, had returns) when read: what save must write
        self._loaded: dict[int, tuple[int, int, int, bool]] = {}
        self._lock = conn.dialect.name == "postgresql"

    def add(self, order: Order) -> None:
        self.add_many([order])

    def add_many(self, orders: list[Order]) -> None:
        if not orders:
            return
        try:
            ids = self.conn.execute(_INSERT_ORDERS, [rows.order_row(o) for o in orders]).scalars().all()
        except IntegrityError as exc:
            raise OrderAlreadyExists(f"one of {len(orders)} orders is already stored: {exc.orig}") from None
        for order, order_id in zip(orders, ids):
            order.id = order_id
        self._insert_children(orders)
        for order in orders:
            self._remember(order)

    def _insert_children(self, orders: list[Order]) -> None:
        self.conn.execute(_INSERT_LINES, [r for o in orders for r in rows.line_rows(o)])
        heads, lines = [], []
        for order in orders:
            h, ls = rows.shipment_rows(order)
            heads.extend(h)
            lines.extend(ls)
        self._insert(t.shipments, heads, t.shipment_lines, lines)
        self._insert(t.order_audit, [r for o in orders for r in rows.audit_rows(o, 0)])
        for order in orders:
            if order.rejections or order.returns:
                self._write_rejections(order, 0)
                self._write_returns(order, had_returns=False)

    def _remember(self, order: Order) -> None:
        self._loaded[order.id] = (order.version, len(order.audit), len(order.rejections), bool(order.returns))

    def get(self, order_id: int) -> Order | None:
        query = select(t.orders).where(t.orders.c.id == order_id)
        found = self._load(query.with_for_update() if self._lock else query)
        return found[0] if found else None

    def peek(self, order_id: int) -> Order | None:
        found = self._load(select(t.orders).where(t.orders.c.id == order_id))
        return found[0] if found else None

    def get_by_channel_ids(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Order]:
        found = {}
        for start in range(0, len(keys), 400):
            chunk = keys[start:start + 400]
            query = select(t.orders).where(tuple_(t.orders.c.channel, t.orders.c.channel_order_id).in_(chunk))
            found.update({(o.channel, o.channel_order_id): o for o in self._load(query)})
        return found

    def get_by_channel_id(self, channel: str, channel_order_id: str) -> Order | None:
        query = select(t.orders).where(t.orders.c.channel == channel, t.orders.c.channel_order_id == channel_order_id)
        found = self._load(query)
        return found[0] if found else None

    def _load(self, query) -> list[Order]:
        heads = self.conn.execute(query).all()
        if not heads:
            return []
        ids = [h.id for h in heads]
        children = [self.conn.execute(select(table).where(table.c.order_id.in_(ids))).all()
                    for table in (t.order_lines, t.shipments, t.shipment_lines, t.order_audit, t.rejections,
                                  t.returns, t.return_lines)]
        orders = rows.orders_from_rows(heads, *children)
        for order in orders:
            self._remember(order)
        return orders

    def save(self, order: Order) -> None:
        version, audit_seen, rejections_seen, had_returns = self._loaded[order.id]
        values = rows.order_row(order) | {"version": version + 1}
        done = self.conn.execute(update(t.orders).where(t.orders.c.id == order.id, t.orders.c.version == version)
                                 .values(values))
        if done.rowcount != 1:
            raise ConcurrentUpdate(f"order {order.id} was changed by someone else; retry")
        order.version = version + 1
        self.conn.execute(delete(t.shipment_lines).where(t.shipment_lines.c.order_id == order.id))
        self.conn.execute(delete(t.shipments).where(t.shipments.c.order_id == order.id))
        heads, lines = rows.shipment_rows(order)
        self._insert(t.shipments, heads, t.shipment_lines, lines)
        self._insert(t.order_audit, rows.audit_rows(order, audit_seen))
        self._write_rejections(order, rejections_seen)
        self._write_returns(order, had_returns)
        self._remember(order)

    def _write_rejections(self, order: Order, seen: int) -> None:
        """Rejections are history: only the new ones are written."""
        self._insert(t.rejections, rows.rejection_rows(order, seen))

    def _write_returns(self, order: Order, had_returns: bool) -> None:
        if had_returns:
            self.conn.execute(delete(t.return_lines).where(t.return_lines.c.order_id == order.id))
            self.conn.execute(delete(t.returns).where(t.returns.c.order_id == order.id))
        heads, lines = rows.return_rows(order)
        self._insert(t.returns, heads, t.return_lines, lines)

    def _insert(self, *tables_and_rows) -> None:
        """Insert each (table, rows) pair in turn, skipping empty row lists (parents before children)."""
        for table, found in zip(tables_and_rows[::2], tables_and_rows[1::2]):
            if found:
                self.conn.execute(insert(table), found)

    def list(self, query: OrderQuery) -> tuple[list[Order], int]:
        where = _filters(query)
        total = self.conn.execute(select(func.count()).select_from(t.orders).where(*where)).scalar_one()
        page = (select(t.orders).where(*where).order_by(t.orders.c.paid_at.desc(), t.orders.c.id.desc())
                .limit(query.limit).offset(query.offset))
        return self._load(page), total

    def with_open_shipments(self, node_id: str | None = None) -> list[Order]:
        s = t.shipments
        cond = [s.c.order_id == t.orders.c.id, s.c.status.in_([x.value for x in OPEN_SHIPMENT_STATUSES])]
        if node_id is not None:
            cond.append(s.c.node_id == node_id)
        return self._load(select(t.orders).where(exists().where(and_(*cond))).order_by(t.orders.c.id))

    def in_status(self, statuses: Iterable[str], limit: int = 10_000, *, look_only: bool = False) -> list[Order]:
        query = (select(t.orders).where(t.orders.c.status.in_([str(s) for s in statuses]))
                 .order_by(t.orders.c.paid_at, t.orders.c.id).limit(limit))
        return self._load(query)

    def touching_node(self, node_id: str, since: datetime) -> list[Order]:
        s, r = t.shipments, t.rejections
        open_or_shipped = or_(s.c.status.in_([x.value for x in OPEN_SHIPMENT_STATUSES]), s.c.shipped_at >= since)
        shipment_here = exists().where(s.c.order_id == t.orders.c.id, s.c.node_id == node_id, open_or_shipped)
        rejected_here = exists().where(r.c.order_id == t.orders.c.id, r.c.node_id == node_id, r.c.at >= since)
        return self._load(select(t.orders).where(or_(shipment_here, rejected_here)).order_by(t.orders.c.id))

    def stale_shipments(self, allocated_before: datetime, accepted_before: datetime) -> list[tuple[int, int]]:
        s = t.shipments
        waiting = and_(s.c.status == ShipmentStatus.ALLOCATED.value, s.c.created_at < allocated_before)
        unpicked = and_(s.c.status == ShipmentStatus.ACCEPTED.value,
                        func.coalesce(s.c.accepted_at, s.c.created_at) < accepted_before)
        query = (select(s.c.order_id, s.c.shipment_no).where(or_(waiting, unpicked))
                 .order_by(s.c.order_id, s.c.shipment_no))
        return [(row.order_id, row.shipment_no) for row in self.conn.execute(query)]

    def line_outcomes(self) -> list[LineOutcome]:
        s, sl, r = t.shipments, t.shipment_lines, t.rejections
        key = (r.c.node_id, r.c.sku_code, r.c.order_id, r.c.shipment_no, r.c.line_no)
        # A line given back in full leaves its shipment, so allocated lines are those still in a
        # shipment plus those only found among the rejections (UNION removes the overlap).
        allocated = union(
            select(s.c.node_id, sl.c.sku_code, sl.c.order_id, sl.c.shipment_no, sl.c.line_no)
            .join(s, and_(s.c.order_id == sl.c.order_id, s.c.shipment_no == sl.c.shipment_no)),
            select(*key)).subquery()
        rejected = select(*key).distinct().subquery()
        counts = {}
        for source, slot in ((allocated, 0), (rejected, 1)):
            query = (select(source.c.node_id, t.skus.c.category, func.count())
                     .select_from(source.outerjoin(t.skus, t.skus.c.code == source.c.sku_code))
                     .group_by(source.c.node_id, t.skus.c.category))
            for node_id, family, n in self.conn.execute(query):
                counts.setdefault((node_id, family), [0, 0])[slot] = n
        return [LineOutcome(node, family, a, rj) for (node, family), (a, rj) in sorted(counts.items(), key=str)]


def _filters(q: OrderQuery) -> list:
    where = []
    if q.channel:
        where.append(t.orders.c.channel == q.channel)
    if q.status:
        where.append(t.orders.c.status == q.status)
    if q.paid_from:
        where.append(t.orders.c.paid_at >= q.paid_from)
    if q.paid_to:
        where.append(t.orders.c.paid_at < q.paid_to)
    return where


class SqlStock(StockRepository):
    def __init__(self, conn: Connection):
        self.conn = conn
        self._lock = conn.dialect.name == "postgresql"
        self._known: set[tuple[str, str]] = set()

    def get(self, node_id: str, sku_code: str) -> StockLevel | None:
        query = select(t.stock).where(t.stock.c.node_id == node_id, t.stock.c.sku_code == sku_code)
        row = self.conn.execute(query.with_for_update() if self._lock else query).first()
        if row is None:
            return None
        self._known.add((node_id, sku_code))
        return rows.stock_from_row(row)

    def for_skus(self, sku_codes: Iterable[str]) -> list[StockLevel]:
        codes = sorted(set(sku_codes))
        found = []
        for start in range(0, len(codes), 500):
            chunk = codes[start:start + 500]
            found.extend(self.conn.execute(select(t.stock).where(t.stock.c.sku_code.in_(chunk))).all())
        return [rows.stock_from_row(r) for r in found]

    def add(self, level: StockLevel) -> None:
        self.conn.execute(insert(t.stock).values(node_id=level.node_id, sku_code=level.sku_code,
                                                 on_hand=level.on_hand, reserved=level.reserved,
                                                 safety_stock=level.safety_stock))
        self._known.add((level.node_id, level.sku_code))

    def save(self, level: StockLevel) -> None:
        self.conn.execute(update(t.stock).where(t.stock.c.node_id == level.node_id,
                                                t.stock.c.sku_code == level.sku_code)
                          .values(on_hand=level.on_hand, reserved=level.reserved, safety_stock=level.safety_stock))
