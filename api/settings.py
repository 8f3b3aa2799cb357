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
    carrier_keys: dict[str, str] = Field(
        default_factory=dict, description="API key per carrier for delivery callbacks; a carrier confirms only its parcels")
    ops_key: str | None = Field(None, description="API key for /ops endpoints (escalation); unset: they refuse every call")
    accept_deadline_minutes: int = Field(30, ge=0, description="a store must accept a shipment within this or lose it")
    pick_deadline_minutes: int = Field(120, ge=0, description="an accepted shipment must be picked within this")
    return_window_days: int = Field(7, ge=0, description="no-reason returns are accepted this long after delivery")
    return_pickup_carrier: str = Field("sf-express", description="courier that picks returns up at the door")
    max_body_bytes: int = Field(1_048_576, ge=1024, description="largest accepted request body")
    resolve_addresses: bool = Field(True, description="place delivery addresses on the map at intake")
    allocate_on_intake: bool = Field(False, description="allocate each order in real time as it arrives")
    network_file: str | None = Field(None, description="network YAML/CSV (see scenarios/network_file.py)")
    network_stores: int = Field(1000, ge=1, description="stores in the generated network when no file is given")
    network_seed: int = 7


@lru_cache
def get_settings() -> Settings:
    return Settings()
