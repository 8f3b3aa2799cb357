"""The price of a shipping decision, in fen: what the optimiser minimises.

Every allocator (greedy, RDC-first, optimal, real-time) scores a plan with the
same weights, so their totals are comparable.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

KIND_CODES = {"store": 0, "rdc": 1, "cloud": 2}


def _per_kind(store: int, rdc: int, cloud: int) -> dict[str, int]:
    return {"store": store, "rdc": rdc, "cloud": cloud}


@dataclass(frozen=True)
class CostWeights:
    """Configurable weights of the allocation objective (all money in fen).

    Store labour is dearer than a warehouse's: a store associate picks between
    serving walk-in customers, a warehouse picker works a wave.
    """

    split_penalty_fen: int = 800  # each parcel of an order beyond the first
    late_penalty_fen: int = 3000  # × (1 − P(delivered within promise))
    handling_per_parcel_fen: Mapping[str, int] = field(default_factory=lambda: _per_kind(600, 250, 300))
    handling_per_unit_fen: Mapping[str, int] = field(default_factory=lambda: _per_kind(200, 60, 80))
    reallocation_cost_fen: int = 2500  # cost of one rejected line: re-route, delay, customer contact
    backorder_penalty_fen: int = 200_000  # per unit left unshipped; must exceed any real plan's cost

    def __post_init__(self) -> None:
        for name in ("split_penalty_fen", "late_penalty_fen", "reallocation_cost_fen", "backorder_penalty_fen"):
            if getattr(self, name) < 0:
                raise ValueError(f"CostWeights.{name} must be >= 0")
        for table in (self.handling_per_parcel_fen, self.handling_per_unit_fen):
            if set(table) != set(KIND_CODES):
                raise ValueError("handling costs must name exactly the kinds store, rdc and cloud")

    def parcel_handling_by_code(self) -> list[int]:
        return [self.handling_per_parcel_fen[k] for k in KIND_CODES]

    def unit_handling_by_code(self) -> list[int]:
        return [self.handling_per_unit_fen[k] for k in KIND_CODES]


@dataclass(frozen=True)
class RejectionObservation:
    """What a node did with lines it was asked to ship: `rejected` of `offered` lines."""

    node_id: str
    sku_family: str
    offered: int
    rejected: int


def learn_rejection_rates(
    observations: Iterable[RejectionObservation],
    prior_rate: float = 0.02,
    prior_weight: float = 20.0,
    min_family_lines: int = 30,
) -> dict[str, dict[str, float]]:
    """Estimate each node's rejection rate, per SKU family where it has data.

    A Beta prior (mean `prior_rate`, `prior_weight` pseudo-lines) keeps a store
    with 1 rejection out of 2 lines from looking hopeless. Families with fewer
    than `min_family_lines` observed lines fall back to the node's overall
    rate, stored under ``"*"``. Returns {node_id: {family or "*": rate}}.
    """
    per_family: dict[tuple[str, str], list[int]] = {}
    per_node: dict[str, list[int]] = {}
    for ob in observations:
        if ob.rejected > ob.offered or ob.offered < 0 or ob.rejected < 0:
            raise ValueError(f"{ob.node_id}: rejected must be between 0 and offered")
        acc = per_family.setdefault((ob.node_id, ob.sku_family), [0, 0])
        acc[0] += ob.offered
        acc[1] += ob.rejected
        tot = per_node.setdefault(ob.node_id, [0, 0])
        tot[0] += ob.offered
        tot[1] += ob.rejected

    def smoothed(offered: int, rejected: int) -> float:
        return (rejected + prior_rate * prior_weight) / (offered + prior_weight)

    rates: dict[str, dict[str, float]] = {n: {"*": smoothed(*acc)} for n, acc in per_node.items()}
    for (node, fam), (offered, rejected) in per_family.items():
        if offered >= min_family_lines:
            rates[node][fam] = smoothed(offered, rejected)
    return rates
