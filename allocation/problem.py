"""Plain input and output of the allocation engine: which node ships each order line.

Nothing here knows about databases, HTTP or solvers. The OMS builds an
`AllocationProblem` from its repositories, the simulator from its state; both
get an `AllocationResult` of immutable records back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Mapping, Protocol, Sequence

import numpy as np

from allocation.costs import CostWeights
from allocation.policy import RoutingPolicy

NodeKind = Literal["store", "rdc", "cloud"]
Owner = Literal["brand", "franchisee"]
ANY_FAMILY = "*"  # key of a node's rejection rate for SKU families it has no own data on
NO_LANE_COST_FEN = 10**9  # a lane quoted at or above this cost does not exist (node cannot serve the district)


class AllocationInputError(ValueError):
    """An allocation input that cannot describe a real batch (negative stock, unknown node…)."""


# ---------------------------------------------------------------- input: orders
@dataclass(frozen=True)
class LineToAllocate:
    """One order line: `quantity` units of `sku`, each worth `unit_value_fen`."""

    line_id: str
    sku: str
    quantity: int
    unit_value_fen: int = 0
    sku_family: str = ANY_FAMILY

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise AllocationInputError(f"line {self.line_id}: quantity must be > 0, got {self.quantity}")


@dataclass(frozen=True)
class Destination:
    """Where the parcel goes: a district index of the lane model and its city key."""

    district: int
    city: str


@dataclass(frozen=True)
class OrderToAllocate:
    """An open order waiting for a shipping node. `splittable_lines` lets one
    line's units come from several nodes (each part is its own parcel)."""

    order_id: str
    channel: str
    lines: tuple[LineToAllocate, ...]
    destination: Destination
    paid_at: datetime
    promise_at: datetime
    splittable_lines: bool = False
    excluded_nodes: frozenset[str] = frozenset()  # nodes that rejected this order's lines

    def __post_init__(self) -> None:
        if not self.lines:
            raise AllocationInputError(f"order {self.order_id}: has no lines")
        ids = [ln.line_id for ln in self.lines]
        if len(set(ids)) != len(ids):
            raise AllocationInputError(f"order {self.order_id}: duplicate line ids")


# ---------------------------------------------------------------- input: network
@dataclass(frozen=True)
class NodeState:
    """A fulfilment node as it stands now: a store's pick-pack bench or a warehouse.

    `remaining_parcels` / `remaining_pick_units` are what the node can still
    hand over in the planning period; `daily_order_limit` is the number of
    further orders the node accepts today (None = no limit).
    `rejection_rate` maps an SKU family (or ``"*"``) to the observed share of
    lines the node rejected because staff could not find the item.
    """

    node_id: str
    kind: NodeKind
    owner: Owner = "brand"
    city: str = ""
    ship_to_home: bool = True
    is_open: bool = True
    eligible: bool = True  # store opted in to ship-from-store
    allowed_channels: frozenset[str] | None = None  # None = every channel
    remaining_parcels: int = 10**9
    remaining_pick_units: int = 10**9
    daily_order_limit: int | None = None
    handover_lead_hours: float = 2.0  # paid → parcel handed to carrier
    rejection_rate: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in ("store", "rdc", "cloud"):
            raise AllocationInputError(f"node {self.node_id}: kind must be store, rdc or cloud, got {self.kind!r}")
        if self.remaining_parcels < 0 or self.remaining_pick_units < 0:
            raise AllocationInputError(f"node {self.node_id}: remaining capacity must be >= 0")
        for fam, rate in self.rejection_rate.items():
            if not 0.0 <= rate <= 1.0:
                raise AllocationInputError(f"node {self.node_id}: rejection_rate[{fam!r}] must be in [0, 1]")

    def rejection_for(self, family: str) -> float:
        return self.rejection_rate.get(family, self.rejection_rate.get(ANY_FAMILY, 0.0))


@dataclass(frozen=True, eq=False)
class Stock:
    """Available-to-promise units per (node, SKU) and the safety stock a node
    keeps back for walk-in customers. Dense arrays [node, sku] in the order of
    `node_ids` and `skus`; `atp` is already net of open reservations."""

    node_ids: tuple[str, ...]
    skus: tuple[str, ...]
    atp: np.ndarray
    safety: np.ndarray

    def __post_init__(self) -> None:
        shape = (len(self.node_ids), len(self.skus))
        if self.atp.shape != shape or self.safety.shape != shape:
            raise AllocationInputError(f"stock arrays must have shape {shape}")
        if (self.atp < 0).any() or (self.safety < 0).any():
            raise AllocationInputError("stock: atp and safety must be >= 0")

    @classmethod
    def from_records(
        cls,
        atp: Mapping[tuple[str, str], int],
        safety: Mapping[tuple[str, str], int] | None = None,
        node_ids: Sequence[str] | None = None,
    ) -> "Stock":
        safety = safety or {}
        nodes = tuple(node_ids) if node_ids is not None else tuple(sorted({n for n, _ in [*atp, *safety]}))
        skus = tuple(sorted({s for _, s in [*atp, *safety]}))
        n_at = {n: i for i, n in enumerate(nodes)}
        s_at = {s: i for i, s in enumerate(skus)}
        a = np.zeros((len(nodes), len(skus)), dtype=np.int64)
        b = np.zeros_like(a)
        for (n, s), q in atp.items():
            a[n_at[n], s_at[s]] = q
        for (n, s), q in safety.items():
            b[n_at[n], s_at[s]] = q
        return cls(nodes, skus, a, b)

    def units(self, node_id: str, sku: str) -> int:
        try:
            return int(self.atp[self.node_ids.index(node_id), self.skus.index(sku)])
        except ValueError:
            return 0


@dataclass(frozen=True)
class LaneQuote:
    """Vectorised answer of a lane model: one entry per (node, destination) asked."""

    ship_cost_fen: np.ndarray  # int64, per parcel
    p_within_promise: np.ndarray  # float64 in [0, 1]: P(delivered within the slack)
    mode: np.ndarray  # int8: 0 = same-city rider, 1 = express courier


class LaneCosts(Protocol):
    """The transit-time/cost model seen by the allocator.

    `node_ids` fixes the node indexing of `lanes`; destinations are district indices.
    """

    node_ids: Sequence[str]

    def lanes(self, node_idx: np.ndarray, dest_idx: np.ndarray, slack_hours: np.ndarray) -> LaneQuote: ...


@dataclass(frozen=True)
class AllocationProblem:
    """A batch of open orders and the network state they are allocated against."""

    orders: tuple[OrderToAllocate, ...]
    nodes: tuple[NodeState, ...]
    stock: Stock
    lanes: LaneCosts
    policy: RoutingPolicy = field(default_factory=RoutingPolicy)
    weights: CostWeights = field(default_factory=CostWeights)
    now: datetime | None = None  # None = latest paid_at in the batch

    def __post_init__(self) -> None:
        ids = [o.order_id for o in self.orders]
        if len(set(ids)) != len(ids):
            raise AllocationInputError("duplicate order ids in one batch")

    @property
    def decision_time(self) -> datetime | None:
        if self.now is not None:
            return self.now
        return max((o.paid_at for o in self.orders), default=None)


# ---------------------------------------------------------------- output
@dataclass(frozen=True)
class CostBreakdown:
    """What one shipment costs the business, in fen, by cause."""

    shipping_fen: int
    split_fen: int
    lateness_fen: int  # late penalty × (1 − P(within promise)) + ship-by penalty
    handling_fen: int
    rejection_fen: int  # expected re-allocation cost from the node's rejection rate
    policy_fen: int  # soft routing-rule preferences

    @property
    def total_fen(self) -> int:
        return (self.shipping_fen + self.split_fen + self.lateness_fen + self.handling_fen
                + self.rejection_fen + self.policy_fen)


@dataclass(frozen=True)
class Alternative:
    """A node that could have shipped the same lines, and what that would have cost."""

    node_id: str
    total_fen: int
    cost: CostBreakdown


@dataclass(frozen=True)
class Shipment:
    """One parcel: `lines` are (line_id, sku, quantity) shipped by `node_id`."""

    order_id: str
    node_id: str
    lines: tuple[tuple[str, str, int], ...]
    cost: CostBreakdown
    p_within_promise: float
    mode: str  # "rider" | "express"
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class Backorder:
    """Units no node could ship, and why (no_stock, no_capacity, not_eligible, solver_time_limit…)."""

    order_id: str
    line_id: str
    sku: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class AllocationResult:
    shipments: tuple[Shipment, ...]
    backorders: tuple[Backorder, ...]
    objective_fen: int  # total cost incl. backorder penalties
    lower_bound_fen: int | None  # Lagrangian/LP bound on the same model
    gap_pct: float | None
    solver: str
    status: str  # "optimal" | "feasible" | "fallback" | "empty"
    fallback_reason: str | None
    wall_s: float
    stats: Mapping[str, float] = field(default_factory=dict)

    @property
    def parcels(self) -> int:
        return len(self.shipments)

    def shipments_of(self, order_id: str) -> tuple[Shipment, ...]:
        return tuple(s for s in self.shipments if s.order_id == order_id)
