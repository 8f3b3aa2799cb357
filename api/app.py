"""The OMS HTTP application: channel intake, orders, allocation and the store POS endpoints."""
from __future__ import annotations

import functools
import gc

from fastapi import FastAPI
from api.responses import JsonResponse
from sqlalchemy import Engine

from api.context import AppContext, CatalogueCache
from api.errors import install_error_handlers
from api.limits import BodySizeLimit
from api.routes import allocation, intake, orders, returns, store_pos
from api.settings import Settings, get_settings
from oms.persistence.database import make_engine


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    tune_garbage_collector()
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(title="Omnichannel OMS", version="0.1.0", default_response_class=JsonResponse,
                  description="Order intake from every channel, allocation to stores and warehouses, "
                              "store pick-pack, and order history.")
    app.state.context = AppContext(settings=settings, engine=engine, catalogue=CatalogueCache(engine),
                                   resolve_address=_resolver(settings))
    install_error_handlers(app)
    app.include_router(intake.router)
    app.include_router(orders.router)
    app.include_router(allocation.router)
    app.include_router(store_pos.router)
    app.include_router(returns.router)

    @app.get("/health", tags=["ops"])
    async def health():
        return {"status": "ok", "database": engine.dialect.name}

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app


def tune_garbage_collector() -> None:
    """Requests allocate many short-lived objects; the default thresholds run a collection every
    700 allocations and a full one over the whole (large, long-lived) heap far too often, which
    shows up as tail latency. Collect young objects less eagerly and move what exists at start-up
    (modules, the catalogue) out of the collector's view."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def _resolver(settings: Settings):
    if not settings.resolve_addresses:
        return None
    try:
        from warehouses.geography import resolve_address
    except ImportError:  # the network package is not part of this build yet
        return None

    # Channels send the same few thousand districts over and over: remember the answers.
    return functools.lru_cache(maxsize=65_536)(resolve_address)
