"""Why each parcel ships from where it does: its cost by cause and the next-best nodes.

Stored with the order and returned by the API, so a planner or a store
manager can see that Store 0412 lost to the Wuhan RDC by ¥3.20 of lateness risk.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocation.prepare import Prepared
from allocation.problem import Alternative, CostBreakdown


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


def _per_parcel(values: np.ndarray, parcels: Parcels) -> np.ndarray:
    """Sum an [I] or [I, K] per-item array over the items of each parcel."""
    if not len(parcels.order):
        return np.zeros((0,) + values.shape[1:])
    return np.add.reduceat(values[parcels.item], parcels.start[:-1], axis=0)


def breakdowns(prep: Prepared, parcels: Parcels) -> list[CostBreakdown]:
    sc, o, k = prep.sc, parcels.order, parcels.slot
    rows = np.arange(len(o))
    unit = _per_parcel(sc.unit_handle, parcels)[rows, k] if len(o) else np.zeros(0)
    rej = _per_parcel(sc.reject, parcels)[rows, k] if len(o) else np.zeros(0)
    cols = [np.rint(a).astype(np.int64).tolist() for a in (
        sc.ship[o, k], np.where(parcels.is_extra, sc.split_fen, 0.0), sc.late[o, k],
        sc.handle_parcel[o, k] + unit, rej, sc.policy[o, k])]
    return [CostBreakdown(*vals) for vals in zip(*cols)]


def alternatives(prep: Prepared, parcels: Parcels, how_many: int = 3) -> list[tuple[Alternative, ...]]:
    """Per parcel, the `how_many` cheapest other candidate nodes able to ship the same items alone."""
    sc = prep.sc
    if not len(parcels.order) or how_many <= 0:
        return [()] * len(parcels.order)
    o = parcels.order
    unit = _per_parcel(sc.unit_handle, parcels)
    rej = _per_parcel(sc.reject, parcels)
    feasible = _per_parcel(np.isfinite(sc.item_cost).astype(np.int64), parcels) == np.diff(parcels.start)[:, None]
    total = sc.fixed[o] + unit + rej + np.where(parcels.is_extra, sc.split_fen, 0.0)[:, None]
    total = np.where(feasible & np.isfinite(sc.fixed[o]), total, np.inf)
    total[np.arange(len(o)), parcels.slot] = np.inf
    best = np.argsort(total, axis=1, kind="stable")[:, :how_many]
    rows = np.arange(len(o))[:, None]
    ok = np.isfinite(total[rows, best]).tolist()
    parts = [np.rint(a).astype(np.int64).tolist() for a in (
        sc.ship[o[:, None], best], np.broadcast_to(np.where(parcels.is_extra, int(sc.split_fen), 0)[:, None], best.shape),
        sc.late[o[:, None], best], sc.handle_parcel[o[:, None], best] + unit[rows, best], rej[rows, best],
        sc.policy[o[:, None], best])]
    names = np.array(prep.net.node_ids, dtype=object)[sc.nodes[o[:, None], best]].tolist()
    out = []
    for p in range(len(o)):
        alts = []
        for j in range(best.shape[1]):
            if not ok[p][j]:
                break
            br = CostBreakdown(parts[0][p][j], parts[1][p][j], parts[2][p][j], parts[3][p][j], parts[4][p][j],
                               parts[5][p][j])
            alts.append(Alternative(names[p][j], br.total_fen, br))
        out.append(tuple(alts))
    return out
