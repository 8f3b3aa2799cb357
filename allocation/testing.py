"""Builders for small hand-checkable allocation problems (tests, examples, the simulator's fakes)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Mapping, Sequence

import numpy as np

from allocation.costs import CostWeights
from allocation.policy import RoutingPolicy
from allocation.problem import (AllocationProblem, Destination, LaneQuote, LineToAllocate, NodeState,
                                OrderToAllocate, Stock)

T0 = datetime(2024, 6, 18, 10, tzinfo=timezone.utc)


@dataclass(frozen=True, eq=False)
class TableLanes:
    """Lanes read from tables: cost[node, district] fen and P(on time)[node, district], any slack.
    A same-city pair (mode 0) is a rider, anything else express."""

    node_ids: Sequence[str]
    cost_fen: np.ndarray
    p_within: np.ndarray
    rider: np.ndarray | None = None

    def lanes(self, node_idx, dest_idx, slack_hours) -> LaneQuote:
        node_idx, dest_idx = np.asarray(node_idx), np.asarray(dest_idx)
        rider = np.zeros(self.cost_fen.shape, bool) if self.rider is None else self.rider
        return LaneQuote(self.cost_fen[node_idx, dest_idx].astype(np.int64), self.p_within[node_idx, dest_idx],
                         np.where(rider[node_idx, dest_idx], 0, 1).astype(np.int8))


def order(order_id: str, *lines: tuple[str, int], channel: str = "mini_program", district: int = 0,
          city: str = "A", minutes: int = 0, splittable: bool = False, value_fen: int = 10000,
          family: str = "apparel", excluded: frozenset[str] = frozenset()) -> OrderToAllocate:
    """An order paid `minutes` after T0 with (sku, qty) lines, promised 24 h later."""
    paid = T0 + timedelta(minutes=minutes)
    return OrderToAllocate(order_id, channel,
                           tuple(LineToAllocate(f"{order_id}-{i}", sku, q, value_fen, family)
                                 for i, (sku, q) in enumerate(lines)),
                           Destination(district, city), paid, paid + timedelta(hours=24), splittable, excluded)


def problem(orders: Sequence[OrderToAllocate], nodes: Sequence[NodeState], atp: Mapping[tuple[str, str], int],
            cost: Sequence[Sequence[int]], p_within: Sequence[Sequence[float]] | None = None,
            safety: Mapping[tuple[str, str], int] | None = None, policy: RoutingPolicy | None = None,
            weights: CostWeights | None = None) -> AllocationProblem:
    """A problem over `nodes` with lane costs cost[node][district] (P(on time) 1.0 unless given)."""
    ids = [n.node_id for n in nodes]
    c = np.array(cost, dtype=np.int64)
    p = np.ones(c.shape) if p_within is None else np.array(p_within, dtype=float)
    stock = Stock.from_records(atp, safety, node_ids=ids)
    return AllocationProblem(tuple(orders), tuple(nodes), stock, TableLanes(tuple(ids), c, p),
                             policy or RoutingPolicy(), weights or CostWeights(), now=max(o.paid_at for o in orders))
