"""All configuration of the OMS server and command line, read from the environment once.

Every setting is an `OMS_*` environment variable (e.g. `OMS_DATABASE_URL`);
JSON for the mappings (`OMS_CHANNEL_KEYS='{"tmall": "…"}'`).
"""
from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMS_", extra="ignore")

    database_url: str = Field("sqlite:///oms.db", description="SQLite file (default) or postgresql:// URL")
    channel_keys: dict[str, str] = Field(
        default_factory=dict, description="API key per channel; a key only posts its own channel's orders")
    node_keys: dict[str, str] = Field(
        default_factory=dict, description="credential per store/warehouse id for the POS endpoints")
    max_body_bytes: int = Field(1_048_576, ge=1024, description="largest accepted request body")
    resolve_addresses: bool = Field(True, description="place delivery addresses on the map at intake")
    allocate_on_intake: bool = Field(False, description="allocate each order in real time as it arrives")
    network_stores: int = Field(1000, ge=1, description="stores in the generated network when none is loaded")
    network_seed: int = 7


@lru_cache
def get_settings() -> Settings:
    return Settings()
