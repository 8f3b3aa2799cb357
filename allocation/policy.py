"""Routing policy as data: the rules a planner edits, applied by the optimiser.

Commercial OMSs offer ordered routing rules ("same-city stores first",
"only stores with >= N units", "never franchise stock for platform orders").
Here a rule is data; the optimiser turns hard rules into eligibility and soft
rules into a cost per parcel, so one solver honours any rule set.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class NodeFilter(BaseModel):
    """Which nodes a rule speaks about. Every given criterion must hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: frozenset[Literal["store", "rdc", "cloud"]] | None = None
    owners: frozenset[Literal["brand", "franchisee"]] | None = None
    same_city: bool | None = None  # node in the destination's city (True) / elsewhere (False)
    min_units_per_line: int = Field(0, ge=0)  # node holds >= N units of every line's SKU it would ship
    node_ids: frozenset[str] | None = None
    exclude_node_ids: frozenset[str] = frozenset()


class RoutingRule(BaseModel):
    """One ordered routing rule.

    action = "only": for matching orders, nodes outside the filter are not eligible.
    action = "exclude": nodes inside the filter are not eligible.
    action = "prefer": a tier; nodes matching an earlier prefer rule are cheaper by
    `RoutingPolicy.tier_step_fen` per tier; within a tier `sort_by` ranks nodes.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    action: Literal["only", "exclude", "prefer"]
    nodes: NodeFilter = NodeFilter()
    channels: frozenset[str] | None = None  # None = orders of every channel
    sort_by: Literal["cost", "most_stock"] = "cost"


class ChannelPolicy(BaseModel):
    """What one sales channel asks of fulfilment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pool_kinds: frozenset[Literal["store", "rdc", "cloud"]] | None = None  # stock pool the channel may use
    store_safety_units: int = Field(0, ge=0)  # units per store SKU held back from this channel
    ship_by_hours: float | None = Field(None, gt=0)  # platform's deadline: paid → handed to carrier
    late_ship_penalty_fen: int = Field(2000, ge=0)  # the platform's fine for shipping late
    hard_ship_by: bool = False  # True: nodes that would ship late are not eligible
    hard_promise: bool = False  # True: nodes below `min_p_within` are not eligible
    min_p_within: float = Field(0.5, ge=0, le=1)


class RoutingPolicy(BaseModel):
    """The whole routing policy of a batch. Load it with `RoutingPolicy.model_validate(dict)`
    or `load_policy(yaml_text)`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: tuple[RoutingRule, ...] = ()
    store_first_same_city: bool = False
    rdc_only: bool = False  # ship from warehouses (RDC and cloud) only
    no_franchise_stock: bool = False
    keep_store_safety_stock: bool = True
    min_split_shipment_value_fen: int = Field(0, ge=0)  # in a split order every parcel is worth >= this
    max_parcels_per_order: int = Field(3, ge=1, le=5)
    default_store_daily_order_limit: int | None = Field(None, ge=0)
    tier_step_fen: int = Field(1500, ge=0)  # cost of each prefer-tier a node sits below the first
    sort_step_fen: int = Field(30, ge=0)  # cost per rank inside a tier when sort_by != "cost"
    store_first_penalty_fen: int = Field(1500, ge=0)  # charged to non-same-city-store nodes when store-first
    candidate_stores: int = Field(20, ge=1, le=200)  # k nearest eligible stores holding stock
    channels: dict[str, ChannelPolicy] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _rules_have_unique_names(self) -> "RoutingPolicy":
        names = [r.name for r in self.rules]
        if len(set(names)) != len(names):
            raise ValueError("rules: names must be unique")
        return self

    def channel(self, name: str) -> ChannelPolicy:
        return self.channels.get(name, _DEFAULT_CHANNEL)

    def __hash__(self) -> int:  # policies key caches of the real-time path
        return hash(self.model_dump_json())


_DEFAULT_CHANNEL = ChannelPolicy()


def load_policy(text: str) -> RoutingPolicy:
    """Parse a YAML (or JSON) routing policy, validating every field."""
    import yaml

    return RoutingPolicy.model_validate(yaml.safe_load(text) or {})
