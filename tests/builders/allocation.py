"""A scripted allocator, with result records shaped like `allocation.problem`'s, for testing the
OMS side of allocation without a solver."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CostBreakdown:
    shipping_fen: int
    handling_fen: int

    @property
    def total_fen(self) -> int:
        return self.shipping_fen + self.handling_fen


@dataclass(frozen=True)
class Shipment:
    order_id: str
    node_id: str
    lines: tuple
    cost: CostBreakdown
    p_within_promise: float
    mode: str
    alternatives: tuple = ()


@dataclass(frozen=True)
class Backorder:
    order_id: str
    line_id: str
    sku: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class AllocationResult:
    shipments: tuple
    backorders: tuple
    objective_fen: int
    lower_bound_fen: int | None
    gap_pct: float | None
    solver: str
    status: str
    fallback_reason: str | None
    wall_s: float


NO_COST = CostBreakdown(shipping_fen=800, handling_fen=300)


@dataclass
class ScriptedPlanner:
    """Hands the orders through unchanged: the scripted allocator reads them directly."""

    seen: list = field(default_factory=list)

    def problem(self, orders, levels, now):
        self.seen.append(([o.id for o in orders], {(lv.node_id, lv.sku_code): lv.atp for lv in levels}))
        return orders


@dataclass
class ScriptedAllocator:
    """Ships every open line from `node_for(order)`; `None` back-orders it."""

    node_for: callable
    name: str = "scripted"

    def allocate(self, orders) -> AllocationResult:
        shipments, backorders = [], []
        for order in orders:
            node = self.node_for(order)
            open_qty = order.open_quantities()
            lines = tuple((str(no), order.line(no).sku_code, qty) for no, qty in open_qty.items())
            if node is None:
                backorders += [Backorder(str(order.id), ln, sku, q, "no_stock") for ln, sku, q in lines]
            else:
                shipments.append(Shipment(str(order.id), node, lines, NO_COST, 0.97, "express"))
        return AllocationResult(tuple(shipments), tuple(backorders), 1100 * len(shipments), None, None,
                                self.name, "optimal", None, 0.001)
