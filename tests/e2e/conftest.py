"""HTTP tests: a real uvicorn server on loopback over a real database, seeded with a small catalogue."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from oms.persistence.database import make_engine
from oms.persistence.seed import load_catalogue
from tests.builders.orders import small_catalogue
from tests.conftest import CHANNEL_KEYS

CST = timezone(timedelta(hours=8))
PAID_AT = datetime(2026, 11, 11, 0, 1, 2, tzinfo=CST)
WUHAN = ("湖北省", "武汉市", "洪山区", "珞喻路1037号华中科技大学")


@pytest.fixture
def api(live_server):
    engine = make_engine(live_server.server.config.app.state.context.settings.database_url)
    load_catalogue(engine, small_catalogue())
    engine.dispose()
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


def key(channel: str) -> dict:
    return {"X-Api-Key": CHANNEL_KEYS[channel]}
