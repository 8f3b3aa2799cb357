"""Why each parcel ships from where it does: its cost by cause and the next-best nodes.

Stored with the order and returned by the API, so a planner or a store
manager can see that Store 0412 lost to the Wuhan RDC by ¥3.20 of lateness risk.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocation.prepare import Prepared
from allocation.problem import Alternative, CostBreakdown
from allocation.scoring import cheapest_slots


@dataclass(eq=False)
class Parcels:
    """Parcels of an assignment: items sorted by parcel, and per-parcel order and slot."""

    item: np.ndarray  # real items sorted by parcel
    start: np.ndarray  # items of parcel p are item[start[p]:start[p+1]]
    order: np.ndarray
    slot: np.ndarray
    is_extra: np.ndarray  # bool: a second or later parcel of its order (carries the split penalty)


def parcels_of(prep: Prepared, item_slot: np.ndarray) -> Parcels:
    width = prep.sc.nodes.shape[1]
    real = np.flatnonzero(item_slot >= 0)
    key = prep.orders.item_order[real] * width + item_slot[real]
    order_ = np.argsort(key, kind="stable")
    item, key = real[order_], key[order_]
    uniq, start = np.unique(key, return_index=True)
    p_order = uniq // width
    first_of_order = np.r_[True, p_order[1:] != p_order[:-1]] if len(p_order) else np.zeros(0, dtype=bool)
    return Parcels(item, np.r_[start, len(item)].astype(np.int64), p_order, uniq % width, ~first_of_order)


@dataclass(eq=False)
class _ItemCosts:
    """Per parcel and candidate slot: the summed per-item costs of the parcel's items there."""

    unit: np.ndarray  # float [P, K] unit handling
    rej: np.ndarray  # float [P, K] expected re-allocation cost
    feasible: np.ndarray  # bool [P, K] every item of the parcel may ship from the slot

    @classmethod
    def of(cls, prep: Prepared, parcels: Parcels) -> "_ItemCosts":
        sc, seg = prep.sc, parcels.start[:-1]
        unit = np.add.reduceat(sc.unit_handle[parcels.item], seg, axis=0)
        rej = np.add.reduceat(sc.reject[parcels.item], seg, axis=0)
        feasible = np.logical_and.reduceat(np.isfinite(sc.item_cost[parcels.item]), seg, axis=0)
        return cls(unit, rej, feasible)


def explanations(prep: Prepared, parcels: Parcels, how_many: int = 3) -> tuple[list[CostBreakdown],
                                                                          list[tuple[Alternative, ...]]]:
    """Per parcel, its cost breakdown and the `how_many` cheapest other candidate nodes able to
    ship the same items alone (both read the same per-parcel item costs, summed once)."""
    if not len(parcels.order):
        return [], []
    costs = _ItemCosts.of(prep, parcels)
    return _breakdowns(prep, parcels, costs), _alternatives(prep, parcels, costs, how_many)


def _breakdowns(prep: Prepared, parcels: Parcels, costs: _ItemCosts) -> list[CostBreakdown]:
    sc, o, k = prep.sc, parcels.order, parcels.slot
    rows = np.arange(len(o))
    cols = [np.rint(a).astype(np.int64).tolist() for a in (
        sc.ship[o, k], np.where(parcels.is_extra, sc.split_fen, 0.0), sc.late[o, k],
        sc.handle_parcel[o, k] + costs.unit[rows, k], costs.rej[rows, k], sc.policy[o, k])]
    return [CostBreakdown(*vals) for vals in zip(*cols)]


def _alternatives(prep: Prepared, parcels: Parcels, costs: _ItemCosts, how_many: int) -> list[tuple[Alternative, ...]]:
    sc, o = prep.sc, parcels.order
    if how_many <= 0:
        return [()] * len(o)
    rows = np.arange(len(o))
    total = sc.fixed[o] + costs.unit + costs.rej + np.where(parcels.is_extra, sc.split_fen, 0.0)[:, None]
    total = np.where(costs.feasible & np.isfinite(sc.fixed[o]), total, np.inf)
    total[rows, parcels.slot] = np.inf
    best, ok = cheapest_slots(total, how_many)
    p, j = np.nonzero(ok)  # an alternative per (parcel, rank) that exists, parcel by parcel
    s, r = best[p, j], o[p]
    parts = [np.rint(a).astype(np.int64) for a in (
        sc.ship[r, s], np.where(parcels.is_extra[p], int(sc.split_fen), 0), sc.late[r, s],
        sc.handle_parcel[r, s] + costs.unit[p, s], costs.rej[p, s], sc.policy[r, s])]
    totals = sum(parts).tolist()
    names = np.array(prep.net.node_ids, dtype=object)[sc.nodes[r, s]].tolist()
    alts = [Alternative(name, tot, CostBreakdown(*vals))
            for name, tot, vals in zip(names, totals, zip(*(a.tolist() for a in parts)))]
    ends = np.cumsum(ok.sum(axis=1)).tolist()
    return [tuple(alts[a:b]) for a, b in zip([0] + ends[:-1], ends)]
