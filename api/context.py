"""What the running server holds: the database engine, the catalogue and the address resolver."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Engine, select

from oms.catalogue import Catalogue, Sku
from oms.persistence import tables as t
from oms.persistence.database import SqlAlchemyUnitOfWork
from api.intake_writer import GroupCommitWriter
from api.settings import Settings

CATALOGUE_REFRESH_S = 5.0  # an unknown SKU re-reads the catalogue at most this often


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
