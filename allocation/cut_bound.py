"""Prices from the rows that cap how many units can ship at all: the max flow's minimum cut.

When capacity is short, most of the optimum is backorder penalties, and a
Lagrangian bound must price the rows that force them near that penalty.
Flow potentials from single-unit orders rarely do: they see only the capacity
the bigger orders leave. The max flow

    source ─(units)→ item ─(units)→ stock(node, sku) ─(ATP)→ node ─(pick units)→ sink

over every item and candidate is an upper bound on the units any plan ships
(parcels and levels of store reserve only lower it), and its minimum cut names
the stock and pick rows that hold the units back. Priced at the backorder
penalty per unit, every item behind the cut costs at least that penalty
whatever it does, so L(λ) counts the forced backorders. The bound is the
exact L(λ) at these prices, valid whatever the cut.
"""
from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow

from allocation.prepare import Prepared


def cut_prices(prep: Prepared) -> tuple[np.ndarray, np.ndarray, int]:
    """(row keys, prices, units no plan can ship) from the minimum cut of the units-vs-capacity flow."""
    sc, o, res = prep.sc, prep.orders, prep.res
    # Data: item → candidate stock rows, rows → their node's pick units
    item, slot = np.nonzero(np.isfinite(sc.item_cost) & np.isfinite(sc.fixed[o.item_order]))
    node = sc.nodes[o.item_order[item], slot]
    row_keys, row_of = _rows_of(res, node, np.maximum(o.line_sku[o.item_line[item]], 0))
    n_i, n_r, n_n = len(o.item_qty), len(row_keys), res.n_nodes
    row_node = ((row_keys - 2 * n_n) // res.n_skus) % n_n
    r_id, n_id = n_i + np.arange(n_r), n_i + n_r + np.arange(n_n)
    source, sink = n_i + n_r + n_n, n_i + n_r + n_n + 1
    pick_keys = res.pick_key(np.arange(n_n))
    # Model
    tails = np.concatenate([np.full(n_i, source), item, r_id, n_id])
    heads = np.concatenate([np.arange(n_i), r_id[row_of], n_id[row_node], np.full(n_n, sink)])
    caps = np.concatenate([o.item_qty, o.item_qty[item], res.capacity(row_keys), res.capacity(pick_keys)])
    # Solve
    mf = max_flow.SimpleMaxFlow()
    mf.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32), np.maximum(caps, 0).astype(np.int64))
    if mf.solve(source, sink) != mf.OPTIMAL:
        return np.zeros(0, dtype=np.int64), np.zeros(0), 0
    # Extract: rows on the source side whose arc crosses to the sink side
    near = np.zeros(sink + 1, dtype=bool)
    near[np.asarray(mf.get_source_side_min_cut(), dtype=np.int64)] = True
    cut = np.r_[row_keys[near[r_id] & ~near[n_id[row_node]]], pick_keys[near[n_id]]]
    forced = int(o.item_qty.sum() - mf.optimal_flow())
    return np.sort(cut), np.full(len(cut), sc.backorder_fen), forced


def _rows_of(res, node: np.ndarray, sku: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct stock rows (level 0), row of each pair) of (node, sku) pairs: `np.unique`
    through a table of every (node, sku) instead of a sort of the ~3M pairs of a big batch."""
    cell = node * res.n_skus + sku
    present = np.zeros(res.n_nodes * res.n_skus, dtype=bool)
    present[cell] = True
    cells = np.flatnonzero(present)
    row_at = np.zeros(len(present), dtype=np.int64)
    row_at[cells] = np.arange(len(cells))
    return res.stock_key(0, cells // res.n_skus, cells % res.n_skus), row_at[cell]
