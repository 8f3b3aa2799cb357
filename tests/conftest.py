"""Shared fixtures: real databases (SQLite file and PostgreSQL) and a real HTTP server."""
from __future__ import annotations

import os
import socket
import threading
import time

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from oms.persistence import tables as t
from oms.persistence.database import make_engine, normalise_url
from oms.persistence.migrate import upgrade

# Fixed examples: the suite gives the same verdict on every run.
settings.register_profile("deterministic", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("deterministic")

TEST_NETWORK_STORES, TEST_NETWORK_SEED = 10, 7  # the live server's generated network
CHANNEL_KEYS = {ch: f"key-{ch}" for ch in ("mall", "guide", "tmall", "jd", "vip", "douyin")}


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'oms.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_url(worker_id) -> str:
    base = os.environ.get("OMS_TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("OMS_REQUIRE_POSTGRES"):
            pytest.fail("OMS_REQUIRE_POSTGRES is set but OMS_TEST_POSTGRES_URL is not")
        pytest.skip("no PostgreSQL server (set OMS_TEST_POSTGRES_URL; `make test` starts one)")
    name = f"oms_test_{worker_id}"
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    url = request.getfixturevalue(f"{request.param}_url")
    wipe(url)
    return url


def wipe(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(table.name for table in t.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(t.metadata.sorted_tables):
                conn.execute(table.delete())
            conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sequence(conn) else None
    engine.dispose()


def _has_sequence(conn) -> bool:
    return conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name='sqlite_sequence'")).scalar() > 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The real app under uvicorn on a loopback port, in a background thread."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False, lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def _servers():
    running: dict[tuple, LiveServer] = {}
    yield running
    for server in running.values():
        server.__exit__(None, None, None)


@pytest.fixture
def live_server(database_url, _servers):
    """A running server on a clean database (one server per database, shared by tests)."""
    from api.app import create_app
    from api.settings import Settings

    key = (database_url,)
    if key not in _servers:
        settings = Settings(database_url=database_url, channel_keys=CHANNEL_KEYS, resolve_addresses=True,
                            network_stores=TEST_NETWORK_STORES, network_seed=TEST_NETWORK_SEED)
        _servers[key] = LiveServer(create_app(settings)).__enter__()
    server = _servers[key]
    server.app_context = server.server.config.app.state.context
    server.app_context.catalogue.loaded_at = 0.0  # the test reloads reference data
    return server
