"""From a slot-per-item assignment to the plain `AllocationResult` every caller receives."""
from __future__ import annotations

import time

import numpy as np

from allocation.collector import collector_paused
from allocation.explain import Parcels, explanations, parcels_of
from allocation.prepare import Prepared
from allocation.problem import AllocationResult, Backorder, Shipment
from allocation.scoring import plan_cost

MODE_NAMES = ("rider", "express")


def backorder_reasons(prep: Prepared, items: np.ndarray, solver_note: str | None = None) -> list[str]:
    """Why each backordered item got no node, most specific reason first."""
    o, sc, net = prep.orders, prep.sc, prep.net
    sku = o.line_sku[o.item_line[items]]
    qty = o.item_qty[items]
    most = net.atp.max(axis=0, initial=0)  # per SKU, the most any node holds (once per SKU, not per item)
    anywhere = np.where(sku >= 0, most[np.maximum(sku, 0)] if most.size else 0, 0) >= qty if len(items) \
        else np.zeros(0, dtype=bool)
    candidate_could = np.isfinite(sc.item_cost[items]).any(axis=1) if len(items) else np.zeros(0, dtype=bool)
    out = []
    for s, any_stock, could in zip(sku.tolist(), anywhere.tolist(), candidate_could.tolist()):
        if s < 0:
            out.append("unknown_sku")
        elif not any_stock:
            out.append("no_stock")
        elif not could:
            out.append("not_eligible")  # stock exists, but no node the policy allows can ship it
        else:
            out.append(solver_note or "capacity_exhausted")
    return out


def build_result(prep: Prepared, item_slot: np.ndarray, *, solver: str, status: str, started: float,
                 lower_bound: float | None = None, fallback_reason: str | None = None,
                 explain: bool = True, n_alternatives: int = 3, stats: dict | None = None) -> AllocationResult:
    o = prep.orders
    objective, _ = plan_cost(prep.sc, o, item_slot)
    # About a million small immutable records at 100k orders, no cycles among them: full collections
    # over every live object (the batch's orders too) cost 2.5 s while they were built.
    with collector_paused():
        shipments = _shipments(prep, parcels_of(prep, item_slot), n_alternatives if explain else 0)
        backorders = _backorders(prep, item_slot)
    objective_fen = int(round(objective))
    lb = None if lower_bound is None else int(np.floor(min(lower_bound, objective) + 1e-6))
    gap = None if lb is None else (0.0 if objective_fen <= 0 else max(objective_fen - lb, 0) / objective_fen * 100)
    return AllocationResult(tuple(shipments), tuple(backorders), objective_fen, lb, gap, solver,
                            status if o.n_orders else "empty", fallback_reason, time.perf_counter() - started,
                            dict(stats or {}))


def _shipments(prep: Prepared, parcels: Parcels, n_alternatives: int) -> list[Shipment]:
    o, sc = prep.orders, prep.sc
    costs, alts = explanations(prep, parcels, n_alternatives)
    order, slot = parcels.order, parcels.slot
    nodes = np.array(prep.net.node_ids, dtype=object)[sc.nodes[order, slot]].tolist()
    order_ids = np.array(o.order_ids, dtype=object)[order].tolist()
    modes = np.array(MODE_NAMES, dtype=object)[sc.mode[order, slot]].tolist()
    return [Shipment(*fields) for fields in zip(order_ids, nodes, _parcel_lines(prep, parcels), costs,
                                                 sc.p_within[order, slot].tolist(), modes, alts)]


def _parcel_lines(prep: Prepared, parcels: Parcels) -> list[tuple[tuple[str, str, int], ...]]:
    """Per parcel, its (line id, SKU, units) in line order: a line's items are consecutive, so one
    run of a line within a parcel is one entry."""
    o = prep.orders
    line = o.item_line[parcels.item]
    parcel = np.repeat(np.arange(len(parcels.order)), np.diff(parcels.start))
    run = np.r_[True, (line[1:] != line[:-1]) | (parcel[1:] != parcel[:-1])] if len(line) else np.zeros(0, bool)
    first = np.flatnonzero(run)
    qty = np.add.reduceat(o.item_qty[parcels.item], first).tolist() if len(first) else []
    lines = line[first].tolist()
    entries = [(o.line_id[li], o.line_sku_name[li], q) for li, q in zip(lines, qty)]
    ends = np.searchsorted(first, parcels.start[1:]).tolist()
    return [tuple(entries[a:b]) for a, b in zip([0] + ends[:-1], ends)]


def _backorders(prep: Prepared, item_slot: np.ndarray) -> list[Backorder]:
    o = prep.orders
    items = np.flatnonzero(item_slot < 0)
    reasons = backorder_reasons(prep, items)
    merged: dict[tuple[int, str], int] = {}
    for i, why in zip(items.tolist(), reasons):
        key = (int(o.item_line[i]), why)
        merged[key] = merged.get(key, 0) + int(o.item_qty[i])
    return [Backorder(o.order_ids[o.line_order[li]], o.line_id[li], o.line_sku_name[li], q, why)
            for (li, why), q in merged.items()]
