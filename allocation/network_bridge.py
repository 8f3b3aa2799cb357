"""Adapter: the real network (`warehouses.nodes.Network`, `TransitMatrix`, `StockTable`) as allocation input.

The allocation engine never imports `warehouses` itself except here, so the
engine stays testable on the geometric stand-in and the real model plugs in.
"""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

import numpy as np

from allocation.problem import NO_LANE_COST_FEN, Destination, LaneQuote, NodeState, Stock

DEFAULT_LEAD_HOURS = {"store": 2.0, "rdc": 4.0, "cloud": 3.0}  # paid → handed over, when no clock is given


class TransitLanes:
    """`LaneCosts` read from a `warehouses.transit_matrix.TransitMatrix` (same node order)."""

    def __init__(self, matrix):
        from warehouses.lanes import NO_LANE, Mode

        self.matrix = matrix
        self.node_ids = matrix.node_ids
        self._no_lane, self._rider = NO_LANE, Mode.RIDER.code

    def lanes(self, node_idx, dest_idx, slack_hours) -> LaneQuote:
        m = self.matrix
        node_idx, dest_idx = np.asarray(node_idx), np.asarray(dest_idx)
        mode = m.mode[node_idx, dest_idx]
        cost = np.where(mode == self._no_lane, NO_LANE_COST_FEN, m.cost_fen[node_idx, dest_idx]).astype(np.int64)
        p = m.p_within(node_idx, dest_idx, np.asarray(slack_hours, dtype=float))
        return LaneQuote(cost, np.clip(p, 0.0, 1.0), np.where(mode == self._rider, 0, 1).astype(np.int8))

    def destination(self, adcode: str) -> Destination:
        """Where an order to district `adcode` goes, in the allocator's terms."""
        district = self.matrix.geography.district(adcode)
        return Destination(self.matrix.district_index(adcode), district.city_adcode)


def node_states(network, matrix=None, now: datetime | None = None,
                rejection_rates: Mapping[str, Mapping[str, float]] | None = None,
                used_today: Mapping[str, tuple[int, int]] | None = None) -> tuple[NodeState, ...]:
    """Each node as the allocator sees it. `used_today` = {node_id: (parcels, pick units)} already
    committed today; with `matrix` and `now`, lead time is the real time to the next hand-over."""
    from warehouses.lanes import Mode
    from warehouses.opening_hours import open_hours_per_day

    lead = None
    if matrix is not None and now is not None:
        lead = matrix.handover_hours(now)[Mode.EXPRESS.code]
    states = []
    for i, node in enumerate(network.nodes):
        kind = node.kind.value
        parcels_used, units_used = (used_today or {}).get(node.node_id, (0, 0))
        pick_day = node.pick_capacity_units_per_hour * open_hours_per_day(node.opening_hours)
        hours = DEFAULT_LEAD_HOURS[kind] if lead is None or np.isnan(lead[i]) else float(lead[i])
        states.append(NodeState(
            node.node_id, kind, node.owner.value, node.city_adcode, ship_to_home=node.ship_to_home,
            remaining_parcels=max(node.daily_order_capacity - parcels_used, 0),
            remaining_pick_units=max(int(pick_day) - units_used, 0), handover_lead_hours=hours,
            rejection_rate=dict((rejection_rates or {}).get(node.node_id, {}))))
    return tuple(states)


def stock_of(network, table: Mapping[tuple[str, str], int]) -> Stock:
    """A `StockTable` (on-hand units) as allocation stock, with each kind's safety stock."""
    from warehouses.stock import safety_stock_units

    node_ids = tuple(n.node_id for n in network.nodes)
    skus = tuple(sorted({sku for _, sku in table}))
    n_at = {n: i for i, n in enumerate(node_ids)}
    s_at = {s: j for j, s in enumerate(skus)}
    atp = np.zeros((len(node_ids), len(skus)), dtype=np.int64)
    keys = [(n_at[n], s_at[s], q) for (n, s), q in table.items() if n in n_at]
    if keys:
        rows, cols, qty = np.array(keys).T
        atp[rows, cols] = qty
    keep = np.array([safety_stock_units(n.kind) for n in network.nodes], dtype=np.int64)[:, None]
    return Stock(node_ids, skus, atp, np.where(atp > 0, np.minimum(keep, atp), 0))
