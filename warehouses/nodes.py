"""Fulfilment nodes — stores, RDCs and cloud warehouses — and the network they form.

This is the *description* of the network (validated data); allocation prices it
with `warehouses/transit.py` and the simulator runs it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Iterable, Iterator

import pandas as pd

from oms.exceptions import UnknownNode
from warehouses import opening_hours as hours
from warehouses.admin_divisions import city_adcode_of
from warehouses.regions import REGIONS, SERVING_RDC_CITY, region_of

if TYPE_CHECKING:
    from warehouses.geography import Geography


class NodeKind(str, Enum):
    """What a node is: a shop that also ships, an RDC, or a cloud (3PL/virtual) warehouse."""

    STORE = "store"
    RDC = "rdc"
    CLOUD = "cloud"


class Owner(str, Enum):
    """Who owns the node and its stock: the brand (direct-run) or a franchisee."""

    BRAND = "brand"
    FRANCHISEE = "franchisee"


@dataclass(frozen=True)
class Node:
    """One place stock sits and parcels leave from.

    A node's pick-pack bench is ``pickers × pick_rate_units_per_hour``; it works only
    within `opening_hours`. Express carriers collect at each of `carrier_cutoffs`
    (a parcel must be packed by then); a same-city rider collects any time the node is open.
    A store ships parcels only if it opted in to ship-from-store (`ship_to_home`).
    """

    node_id: str
    name: str
    kind: NodeKind
    owner: Owner
    province: str
    city: str
    district: str
    adcode: str  # six-digit adcode of the node's delivery district
    lat: float
    lon: float
    opening_hours: hours.Windows = hours.ALL_DAY  # daily (open, close) windows; END_OF_DAY = 24:00
    pickers: int = 1  # staff who pick and pack online orders at the same time
    pick_rate_units_per_hour: float = 30.0  # per picker, picking and packing together
    daily_order_capacity: int = 100  # orders the node accepts per day (its own limit)
    carrier_cutoffs: tuple[time, ...] = ()  # express pickup times; empty = no courier calls
    ship_to_home: bool = False  # may ship parcels to consumers (ship-from-store opt-in for stores)
    same_city_rider: bool = False  # offers same-city rider delivery while open
    region: str = ""  # sales/logistics region (华北…); derived from `adcode` when empty
    floor_area_m2: int = 0  # sales floor of a store (0 for warehouses): "the biggest stores"

    def __post_init__(self):
        object.__setattr__(self, "kind", NodeKind(self.kind))
        object.__setattr__(self, "owner", Owner(self.owner))
        object.__setattr__(self, "opening_hours", hours.validate_windows(self.opening_hours))
        object.__setattr__(self, "carrier_cutoffs", tuple(sorted(self.carrier_cutoffs)))
        if not self.node_id:
            raise ValueError('"node_id" must not be empty.')
        if len(self.adcode) != 6 or not self.adcode.isdigit():
            raise ValueError(f'"adcode" must be six digits, got {self.adcode!r}.')
        if not self.region:
            object.__setattr__(self, "region", region_of(self.adcode))
        if self.region not in REGIONS:
            raise ValueError(f'"region" must be one of {", ".join(REGIONS)}, got {self.region!r}.')
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f'"lat"/"lon" must be coordinates, got ({self.lat}, {self.lon}).')
        if self.pickers < 1:
            raise ValueError(f'"pickers" must be >= 1, got {self.pickers}.')
        if not self.pick_rate_units_per_hour > 0:
            raise ValueError(f'"pick_rate_units_per_hour" must be > 0, got {self.pick_rate_units_per_hour}.')
        if self.daily_order_capacity < 0:
            raise ValueError(f'"daily_order_capacity" must be >= 0, got {self.daily_order_capacity}.')
        if self.floor_area_m2 < 0:
            raise ValueError(f'"floor_area_m2" must be >= 0, got {self.floor_area_m2}.')

    @property
    def city_adcode(self) -> str:
        return city_adcode_of(self.adcode)

    @property
    def pick_capacity_units_per_hour(self) -> float:
        """The whole bench: all pickers together."""
        return self.pickers * self.pick_rate_units_per_hour

    @property
    def ships_express(self) -> bool:
        """Whether a courier can take parcels to consumers from here."""
        return bool(self.carrier_cutoffs) and (self.kind is not NodeKind.STORE or self.ship_to_home)

    def is_open_at(self, moment: datetime) -> bool:
        return hours.is_open_at(self.opening_hours, moment)

    def next_open(self, moment: datetime) -> datetime:
        """`moment` if open, else when the node next opens."""
        return hours.next_open(self.opening_hours, moment)

    def work_done_at(self, start: datetime, work: timedelta) -> datetime:
        """When `work` queued at `start` is finished, working only while open."""
        return hours.add_working_time(self.opening_hours, start, work)


class Network:
    """The fulfilment network: nodes by id, kind and city, plus the geography it was built on."""

    def __init__(self, nodes: Iterable[Node], geography: Geography | None = None):
        self.nodes: tuple[Node, ...] = tuple(nodes)
        self.geography = geography
        if not self.nodes:
            raise ValueError('"nodes" must not be empty.')
        self._index: dict[str, int] = {}
        for i, node in enumerate(self.nodes):
            if node.node_id in self._index:
                raise ValueError(f"node id {node.node_id!r} appears more than once.")
            self._index[node.node_id] = i
        self._by_kind: dict[NodeKind, tuple[Node, ...]] = {
            kind: tuple(n for n in self.nodes if n.kind is kind) for kind in NodeKind}
        self._by_city: dict[str, list[Node]] = {}
        for node in self.nodes:
            self._by_city.setdefault(node.city_adcode, []).append(node)

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __contains__(self, node_id: str) -> bool:
        return node_id in self._index

    def node(self, node_id: str) -> Node:
        """The node with this id, or `UnknownNode`."""
        try:
            return self.nodes[self._index[node_id]]
        except KeyError:
            raise UnknownNode(f"unknown node {node_id!r}", field="node_id") from None

    def index_of(self, node_id: str) -> int:
        """The node's row in arrays built over this network (e.g. `TransitMatrix`)."""
        self.node(node_id)
        return self._index[node_id]

    def of_kind(self, kind: NodeKind | str) -> tuple[Node, ...]:
        return self._by_kind[NodeKind(kind)]

    @property
    def stores(self) -> tuple[Node, ...]:
        return self._by_kind[NodeKind.STORE]

    @property
    def rdcs(self) -> tuple[Node, ...]:
        return self._by_kind[NodeKind.RDC]

    @property
    def clouds(self) -> tuple[Node, ...]:
        return self._by_kind[NodeKind.CLOUD]

    def in_city(self, city_adcode: str) -> tuple[Node, ...]:
        return tuple(self._by_city.get(city_adcode, ()))

    def serving_rdc(self, adcode: str) -> Node | None:
        """The RDC that serves the region of an address or node (None if that RDC is not in the network)."""
        rdc_city = SERVING_RDC_CITY[region_of(adcode)]
        return next((n for n in self.rdcs if n.city == rdc_city), None)

    def to_frame(self) -> pd.DataFrame:
        """One row per node, with capacity columns; opening hours and cut-offs as text."""
        rows = []
        for n in self.nodes:
            row = {k: v for k, v in n.__dict__.items() if k not in ("opening_hours", "carrier_cutoffs")}
            row.update(kind=n.kind.value, owner=n.owner.value, city_adcode=n.city_adcode,
                       opening_hours=hours.format_windows(n.opening_hours),
                       carrier_cutoffs=",".join(hours.format_time(t) for t in n.carrier_cutoffs),
                       pick_capacity_units_per_hour=n.pick_capacity_units_per_hour)
            rows.append(row)
        return pd.DataFrame(rows)


__all__ = ["Network", "Node", "NodeKind", "Owner"]
