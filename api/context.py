"""What the running server holds: the database engine, the catalogue and the address resolver."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
import time
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Engine, select

from oms.catalogue import Catalogue, Sku
from oms.persistence import tables as t
from oms.persistence.database import SqlAlchemyUnitOfWork
from api.intake_writer import GroupCommitWriter
from api.settings import Settings

CATALOGUE_REFRESH_S = 5.0
_BUILD_LOCK = threading.Lock()  # an unknown SKU re-reads the catalogue at most this often


def load_catalogue(engine: Engine) -> Catalogue:
    with engine.connect() as conn:
        found = conn.execute(select(t.skus)).all()
    return Catalogue.of(Sku(code=r.code, style=r.style, colour=r.colour, size=r.size, price_fen=r.price_fen,
                            category=r.category, weight_g=r.weight_g, barcode=r.barcode) for r in found)


@dataclass
class CatalogueCache:
    """The catalogue in memory, re-read from the database when a SKU is missing (new styles go live)."""

    engine: Engine
    catalogue: Catalogue = field(default_factory=Catalogue)
    loaded_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def current(self, codes: list[str] | None = None) -> Catalogue:
        stale = time.monotonic() - self.loaded_at > CATALOGUE_REFRESH_S
        missing = codes is not None and any(c not in self.catalogue for c in codes)
        if self.loaded_at == 0.0 or (missing and stale):
            with self._lock:
                self.catalogue = load_catalogue(self.engine)
                self.loaded_at = time.monotonic()
        return self.catalogue


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    catalogue: CatalogueCache
    resolve_address: Callable | None = None
    extras: dict = field(default_factory=dict)
    writer: GroupCommitWriter | None = None

    def __post_init__(self):
        if self.writer is None:
            self.writer = GroupCommitWriter(self.uow)

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine)

    def fulfilment(self):
        """The network, transit matrix and allocators, built on first use (about a second for 1,000 stores)."""
        if "fulfilment" not in self.extras:
            network = self.network()
            with _BUILD_LOCK:
                if "fulfilment" not in self.extras:
                    from api.fulfilment import build_fulfilment

                    self.extras["fulfilment"] = build_fulfilment(network)
        return self.extras["fulfilment"]

    def network(self):
        """The fulfilment network (opening hours, carrier cut-offs), loaded once, without building the
        transit matrix."""
        if "fulfilment" in self.extras:
            return self.extras["fulfilment"].network
        if "network" not in self.extras:
            with _BUILD_LOCK:
                if "network" not in self.extras:
                    from api.fulfilment import load_network

                    s = self.settings
                    self.extras["network"] = load_network(s.network_file, s.network_stores, s.network_seed,
                                                          self.engine)
        return self.extras["network"]

    @property
    def planner(self):
        """A planner for decisions taken now (used by POS re-allocation after a reject);
        assigning one replaces it (tests script the engine)."""
        if self.extras.get("planner") is not None:
            return self.extras["planner"]
        return self.fulfilment().planner(self.catalogue.current(), self.engine, datetime.now(timezone.utc), self.uow())

    @planner.setter
    def planner(self, planner) -> None:
        self.extras["planner"] = planner

    @property
    def allocator(self):
        if self.extras.get("allocator") is not None:
            return self.extras["allocator"]
        from allocation.ports import allocator_named

        return allocator_named(self.fulfilment().default_allocator)

    @allocator.setter
    def allocator(self, allocator) -> None:
        self.extras["allocator"] = allocator

    def allocate_new_order(self, order_id: int) -> None:
        """Real-time allocation of one order as it arrives (when `OMS_ALLOCATE_ON_INTAKE` is on)."""
        self.fulfilment().allocate(self.uow, self.catalogue.current(), engine=self.engine, order_ids=(order_id,),
                                   actor="realtime")
