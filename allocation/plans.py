"""Exact best plan of each order on its own, at given resource prices.

For an order with L items, any plan groups its items into parcels; the
cheapest node for a group does not depend on the other groups, and if two
groups pick the same node, merging them is cheaper (one fixed cost, one split
penalty fewer). So min over set partitions of Σ_groups (min_node cost) +
split × (groups − 1) is the exact optimum of the order alone, enumerable in
vectorised numpy for L <= 5 (at most 52 partitions). Larger orders get a
heuristic plan and a valid weaker bound.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from allocation.batch import OrderArrays
from allocation.scoring import Scores

MAX_EXACT_ITEMS = 6


@lru_cache(maxsize=None)
def set_partitions(n: int) -> tuple[tuple[int, ...], ...]:
    """Every partition of items {0..n-1}, as tuples of group bitmasks."""
    if n == 0:
        return ((),)
    out = []
    for part in set_partitions(n - 1):
        bit = 1 << (n - 1)
        out.append(part + (bit,))
        for g in range(len(part)):
            out.append(part[:g] + (part[g] | bit,) + part[g + 1:])
    return tuple(out)


@dataclass(eq=False)
class Priced:
    """Per order: the exact (or, for big orders, bounded) optimum at the given prices."""

    value: np.ndarray  # float [O]: best plan cost (exact for L <= 5)
    bound: np.ndarray  # float [O]: valid lower bound on any plan's cost (== value when exact)
    item_slot: np.ndarray  # int [I]: the best plan, slot per item, -1 = backorder


def price_orders(sc: Scores, orders: OrderArrays, fixed: np.ndarray, item_cost: np.ndarray,
                 subset: np.ndarray | None = None) -> Priced:
    """Best plan of each order (or of `subset` of orders) with parcel costs `fixed`
    [O, K] and item costs `item_cost` [I, K] (base costs plus resource prices)."""
    n_items = orders.n_items_per_order
    value = np.zeros(orders.n_orders)
    bound = np.zeros(orders.n_orders)
    item_slot = np.full(len(orders.item_qty), -1, dtype=np.int64)
    todo = np.arange(orders.n_orders) if subset is None else np.asarray(subset, dtype=np.int64)
    for size in np.unique(n_items[todo]):
        ords = todo[n_items[todo] == size]
        items = orders.order_item_start[ords][:, None] + np.arange(size)
        qty = orders.item_qty[items]
        if size <= MAX_EXACT_ITEMS:
            sku = orders.line_sku[orders.item_line[items]]
            fits = _GroupFit(sku, qty, sc.avail[items], sc.pick_cap[ords])
            v, b, slots = _exact(sc, fixed[ords], item_cost[items], qty, sc.item_value[items], fits)
        else:
            v, slots, b = _heuristic(sc, fixed[ords], item_cost[items], qty)
        value[ords], bound[ords] = v, b
        item_slot[items.ravel()] = slots.ravel()
    return Priced(value, bound, item_slot)


class _GroupFit:
    """Whether a node can ship a whole group: enough units of each SKU and pick capacity."""

    def __init__(self, sku: np.ndarray, qty: np.ndarray, avail: np.ndarray, pick_cap: np.ndarray):
        self.same = sku[:, :, None] == sku[:, None, :]  # [n, i, j]
        self.qty, self.avail, self.pick_cap = qty, avail, pick_cap
        self.multi = (self.same.sum(axis=2) > 1).any(axis=1)  # orders with a SKU in several items

    def ok(self, members: list[int]) -> np.ndarray:
        """bool [n, K]"""
        ok = self.pick_cap >= self.qty[:, members].sum(axis=1)[:, None]
        if len(members) > 1 and self.multi.any():
            need = (self.same[:, members][:, :, members] * self.qty[:, None, members]).sum(axis=2)  # [n, |g|]
            ok &= (self.avail[:, members, :] >= need[:, :, None]).all(axis=1)
        return ok


@dataclass(eq=False)
class _Groups:
    """Per order and group of items (bitmask): best and second-best node, costs, value."""

    real: np.ndarray  # [n, 2^L] cost at the best node (fixed + items); inf = no node
    arg: np.ndarray
    real2: np.ndarray  # at the second-best node
    arg2: np.ndarray
    bo: np.ndarray  # cost of backordering the group
    val: np.ndarray  # merchandise value of the group


def _groups(sc: Scores, fixed, cost, qty, value, fits: _GroupFit) -> _Groups:
    n, size, k = cost.shape
    shape = (n, 1 << size)
    g_ = _Groups(np.full(shape, np.inf), np.zeros(shape, np.int64), np.full(shape, np.inf),
                 np.zeros(shape, np.int64), np.zeros(shape), np.zeros(shape))
    rows = np.arange(n)
    for g in range(1, 1 << size):
        members = [i for i in range(size) if g >> i & 1]
        tot = np.where(fits.ok(members), fixed + cost[:, members, :].sum(axis=1), np.inf)
        top = np.argsort(tot, axis=1, kind="stable")[:, :2] if k > 1 else np.zeros((n, 1), np.int64)
        g_.arg[:, g], g_.real[:, g] = top[:, 0], tot[rows, top[:, 0]]
        if k > 1:
            g_.arg2[:, g], g_.real2[:, g] = top[:, 1], tot[rows, top[:, 1]]
        g_.bo[:, g] = sc.backorder_fen * qty[:, members].sum(axis=1)
        g_.val[:, g] = value[:, members].sum(axis=1)
    return g_


def _partition(gr: _Groups, part, min_value, rows=slice(None)):
    """Group costs of one partition: relaxed (two groups may pick one node: a valid bound)
    and repaired (a clash sends one group to its second-best node: a real plan)."""
    relaxed = _group_real(gr.real[rows], gr.val[rows], part, min_value)
    r, a = relaxed.copy(), gr.arg[rows][:, part].copy()
    if len(part) >= 2:
        r2, a2 = _group_real(gr.real2[rows], gr.val[rows], part, min_value), gr.arg2[rows][:, part]
        for x in range(len(part)):
            for y in range(x + 1, len(part)):
                clash = (a[:, x] == a[:, y]) & np.isfinite(r[:, x]) & np.isfinite(r[:, y])
                move_y = clash & (r[:, x] + r2[:, y] <= r2[:, x] + r[:, y])
                move_x = clash & ~move_y
                r[move_y, y], a[move_y, y] = r2[move_y, y], a2[move_y, y]
                r[move_x, x], a[move_x, x] = r2[move_x, x], a2[move_x, x]
    return relaxed, r, a


def _choose(r: np.ndarray, bo: np.ndarray, split: float):
    """Cost of the partition when each group ships (cost + split) or is backordered, and the choice."""
    d = r + split - bo
    s = bo.sum(axis=1) + np.minimum(d, 0).sum(axis=1)
    dmin_at = np.argmin(d, axis=1)
    dmin = d[np.arange(len(d)), dmin_at]
    go_real = d < 0
    force = ~go_real.any(axis=1) & (dmin - split < 0)  # one parcel beats backordering all
    go_real[force, dmin_at[force]] = True
    return np.where(dmin < 0, s - split, s + np.minimum(0.0, dmin - split)), go_real


def _exact(sc: Scores, fixed: np.ndarray, cost: np.ndarray, qty: np.ndarray, value: np.ndarray, fits: _GroupFit):
    n, size, _ = cost.shape
    gr = _groups(sc, fixed, cost, qty, value, fits)
    best, bound = np.full(n, np.inf), np.full(n, np.inf)
    best_part = np.zeros(n, dtype=np.int64)
    parts = [p for p in set_partitions(size) if len(p) <= sc.max_parcels]
    for pi, part in enumerate(parts):
        relaxed, r, _ = _partition(gr, part, sc.min_split_value_fen)
        bound = np.minimum(bound, _choose(relaxed, gr.bo[:, part], sc.split_fen)[0])
        c, _ = _choose(r, gr.bo[:, part], sc.split_fen)
        better = c < best
        best = np.where(better, c, best)
        best_part[better] = pi
    slots = np.full((n, size), -1, dtype=np.int64)
    for pi in np.unique(best_part):
        rows = np.flatnonzero(best_part == pi)
        part = parts[pi]
        _, r, a = _partition(gr, part, sc.min_split_value_fen, rows)
        _, go_real = _choose(r, gr.bo[rows][:, part], sc.split_fen)
        for gi, g in enumerate(part):
            for i in range(size):
                if g >> i & 1:
                    slots[rows, i] = np.where(go_real[:, gi], a[:, gi], -1)
    return best, np.minimum(bound, best), slots


def _group_real(real, val, part, min_value) -> np.ndarray:
    r = real[:, part]
    if len(part) >= 2 and min_value > 0:
        r = np.where(val[:, part] < min_value, np.inf, r)  # a split parcel must be worth shipping
    return r


def _heuristic(sc: Scores, fixed: np.ndarray, cost: np.ndarray, qty: np.ndarray):
    """Big orders: best single node for everything, or each item at its own best node.
    Bound: any plan with a parcel pays >= one fixed cost and each item's cheapest option."""
    n, size, k = cost.shape
    bo_items = sc.backorder_fen * qty
    whole = fixed + cost.sum(axis=1)
    one = np.argmin(whole, axis=1)
    one_cost = whole[np.arange(n), one]
    own = np.argmin(fixed[:, None, :] + cost, axis=2)
    own_slots = np.where(np.isfinite(np.take_along_axis(cost, own[..., None], axis=2)[..., 0]), own, -1)
    own_cost = np.array([_one_plan_cost(sc, fixed[r], cost[r], qty[r], own_slots[r]) for r in range(n)])
    use_one = np.isfinite(one_cost) & (one_cost <= own_cost)
    slots = np.where(use_one[:, None], one[:, None], own_slots)
    value = np.where(use_one, one_cost, own_cost)
    item_floor = np.minimum(cost.min(axis=2), bo_items).sum(axis=1)
    bound = np.minimum(bo_items.sum(axis=1), item_floor + fixed.min(axis=1))
    return value, slots, np.minimum(bound, value)


def _one_plan_cost(sc: Scores, fixed: np.ndarray, cost: np.ndarray, qty: np.ndarray, slots: np.ndarray) -> float:
    real = slots >= 0
    used = np.unique(slots[real])
    total = float(cost[np.flatnonzero(real), slots[real]].sum()) + float(fixed[used].sum())
    total += sc.backorder_fen * float(qty[~real].sum()) + sc.split_fen * max(len(used) - 1, 0)
    return total
