"""The server's fulfilment set-up: the network, its transit matrix, the planner and the allocators.

Built once at start-up from settings: a network file (`OMS_NETWORK_FILE`) or
the generated network (`OMS_NETWORK_STORES`, `OMS_NETWORK_SEED`).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from allocation.costs import RejectionObservation, learn_rejection_rates
from allocation.oms_planner import OmsPlanner
from allocation.problem import ANY_FAMILY
from allocation.policy import RoutingPolicy
from allocation.ports import allocator_named
from oms.allocating import AllocateOrders, AllocationReport, allocate_orders
from oms.catalogue import Catalogue
from oms.persistence import tables as t
from oms.unit_of_work import AbstractUnitOfWork
from warehouses.nodes import Network
from warehouses.transit_matrix import TransitMatrix

CST = ZoneInfo("Asia/Shanghai")
ALLOCATORS = ("optimal", "greedy", "rdc_first")
REFRESH_S = 60.0  # capacity use and rejection rates are re-read from the database this often


def load_network(network_file: str | None, stores: int, seed: int, engine: Engine | None = None) -> Network:
    """The network the server allocates over: the nodes loaded into the database (`oms setup`),
    else a network file, else the generated network."""
    if engine is not None:
        with engine.connect() as conn:
            specs = conn.execute(select(t.nodes.c.spec).order_by(t.nodes.c.node_id)).scalars().all()
        if specs:
            from scenarios.network_file import network_from_rows

            return network_from_rows(list(specs))
    if network_file:
        from scenarios.network_file import load_network_file

        return load_network_file(network_file).network
    from warehouses.generator import generate_network

    return generate_network(stores, seed)


@dataclass
class Fulfilment:
    """What allocation needs on the server; one wave runs at a time (they would race for stock anyway)."""

    network: Network
    matrix: TransitMatrix
    policy: RoutingPolicy = field(default_factory=RoutingPolicy)
    default_allocator: str = "optimal"
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _planner: OmsPlanner | None = None
    _refreshed_at: datetime | None = None

    def planner(self, catalogue: Catalogue, engine: Engine | None, now: datetime,
                uow: AbstractUnitOfWork | None = None) -> OmsPlanner:
        """The planner for decisions taken at `now`, with today's used capacity per node and each
        node's learnt rejection rate (stores that often cannot find stock are trusted less), both
        re-read from the database at most every `REFRESH_S` so real-time allocation stays cheap."""
        if self._planner is None:
            self._planner = OmsPlanner(self.matrix, catalogue, policy=self.policy)
        planner = self._planner
        planner.catalogue = catalogue
        stale = self._refreshed_at is None or (now - self._refreshed_at).total_seconds() > REFRESH_S \
            or start_of_day(now) != start_of_day(self._refreshed_at)
        if stale and engine is not None:
            planner.parcels_today = parcels_since(engine, start_of_day(now))
            if uow is not None:
                planner.rejection_rates = learnt_rejection_rates(uow)
            self._refreshed_at = now
        return planner

    def allocate(self, uow_factory: Callable[[], AbstractUnitOfWork], catalogue: Catalogue, *,
                 engine: Engine | None = None, order_ids: tuple[int, ...] | None = None,
                 allocator: str | None = None, now: datetime | None = None, actor: str = "allocator",
                 limit: int = 10_000, time_limit_s: float | None = None) -> AllocationReport:
        """One wave; `time_limit_s` is the optimal allocator's (its own default when None)."""
        now = now or datetime.now(timezone.utc)
        options = {} if time_limit_s is None else {"time_limit_s": time_limit_s}
        with self._lock:
            return allocate_orders(AllocateOrders(order_ids=order_ids, actor=actor, limit=limit), uow_factory(),
                                   planner=self.planner(catalogue, engine, now, uow_factory()),
                                   allocator=allocator_named(allocator or self.default_allocator, **options), now=now)


def build_fulfilment(network: Network, policy: RoutingPolicy | None = None) -> Fulfilment:
    return Fulfilment(network=network, matrix=TransitMatrix(network), policy=policy or RoutingPolicy())


def learnt_rejection_rates(uow: AbstractUnitOfWork) -> dict[str, dict[str, float]]:
    """Each node's rejection rate per SKU family from its history, shrunk towards a prior so
    that one rejection out of two lines does not make a store look hopeless."""
    with uow:
        outcomes = uow.orders.line_outcomes()
    return learn_rejection_rates(RejectionObservation(row.node_id, row.family or ANY_FAMILY, row.allocated_lines,
                                                      row.rejected_lines) for row in outcomes)


def start_of_day(moment: datetime) -> datetime:
    local = moment.astimezone(CST)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def parcels_since(engine: Engine, since: datetime) -> dict[str, int]:
    """Shipments each node was given since `since` (its used daily capacity), rejected ones included."""
    with engine.connect() as conn:
        found = conn.execute(select(t.shipments.c.node_id, func.count()).where(t.shipments.c.created_at >= since)
                             .group_by(t.shipments.c.node_id)).all()
    return {node_id: count for node_id, count in found}


