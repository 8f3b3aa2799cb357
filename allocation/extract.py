"""From a slot-per-item assignment to the plain `AllocationResult` every caller receives."""
from __future__ import annotations

import time

import numpy as np

from allocation.explain import alternatives, breakdowns, parcels_of
from allocation.prepare import Prepared
from allocation.problem import AllocationResult, Backorder, Shipment
from allocation.scoring import plan_cost

MODE_NAMES = ("rider", "express")


def backorder_reasons(prep: Prepared, items: np.ndarray, solver_note: str | None = None) -> list[str]:
    """Why each backordered item got no node, most specific reason first."""
    o, sc, net = prep.orders, prep.sc, prep.net
    sku = o.line_sku[o.item_line[items]]
    qty = o.item_qty[items]
    anywhere = np.where(sku >= 0, net.atp[:, np.maximum(sku, 0)].max(axis=0, initial=0), 0) >= qty if len(items) \
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
    o, sc = prep.orders, prep.sc
    objective, _ = plan_cost(sc, o, item_slot)
    parcels = parcels_of(prep, item_slot)
    costs = breakdowns(prep, parcels)
    alts = alternatives(prep, parcels, n_alternatives if explain else 0)
    shipments = []
    node_ids = prep.net.node_ids
    for p in range(len(parcels.order)):
        order, slot = int(parcels.order[p]), int(parcels.slot[p])
        qty_by_line: dict[int, int] = {}
        for i in parcels.item[parcels.start[p]:parcels.start[p + 1]].tolist():
            li = int(o.item_line[i])
            qty_by_line[li] = qty_by_line.get(li, 0) + int(o.item_qty[i])
        lines = tuple((o.line_id[li], o.line_sku_name[li], q) for li, q in qty_by_line.items())
        shipments.append(Shipment(o.order_ids[order], node_ids[sc.nodes[order, slot]], lines, costs[p],
                                  float(sc.p_within[order, slot]), MODE_NAMES[int(sc.mode[order, slot])], alts[p]))
    backorders = _backorders(prep, item_slot)
    objective_fen = int(round(objective))
    lb = None if lower_bound is None else int(np.floor(min(lower_bound, objective) + 1e-6))
    gap = None if lb is None else (0.0 if objective_fen <= 0 else max(objective_fen - lb, 0) / objective_fen * 100)
    return AllocationResult(tuple(shipments), tuple(backorders), objective_fen, lb, gap, solver,
                            status if o.n_orders else "empty", fallback_reason, time.perf_counter() - started,
                            dict(stats or {}))


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
