"""Exact best plan of each order on its own, at given resource prices.

For an order with L items, any plan groups its items into parcels (at most
max_parcels of them) and leaves the rest backordered (one more group); each
group's cost at a node does not depend on the other groups, only the groups
of one plan need distinct nodes. So min over set partitions of Σ_groups (cost
at the group's seat) + split × (parcels − 1) + backorders is the exact optimum
of the order alone, enumerable in vectorised numpy for L <= 6. Where the
groups' best nodes clash, the cheapest seating on distinct nodes is searched
over each group's few best nodes (exact for up to TOP_NODES groups). Larger
orders get a heuristic plan and a valid weaker bound.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from allocation.batch import OrderArrays
from allocation.scoring import Scores

MAX_EXACT_ITEMS = 6
TOP_NODES = 4  # best nodes kept per group: seats up to 4 groups of a plan on distinct nodes exactly
MAX_SEATINGS = 1024  # seatings tried per order and partition; more groups take their best nodes in turn


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
                 subset: np.ndarray | None = None, avail: np.ndarray | None = None,
                 pick_cap: np.ndarray | None = None) -> Priced:
    """Best plan of each order (or of `subset` of orders) with parcel costs `fixed`
    [O, K] and item costs `item_cost` [I, K] (base costs plus resource prices).
    With `avail` and `pick_cap` (units each node may give each item, and pick units left), every
    array covers only `subset`: rows in its order, and its orders' items in that order (a caller
    pricing a few orders within what is left need not copy the whole batch's arrays)."""
    n_items = orders.n_items_per_order
    value = np.zeros(orders.n_orders)
    bound = np.zeros(orders.n_orders)
    item_slot = np.full(len(orders.item_qty), -1, dtype=np.int64)
    todo = np.arange(orders.n_orders) if subset is None else np.asarray(subset, dtype=np.int64)
    compact = avail is not None
    if not compact:
        avail, pick_cap = sc.avail, sc.pick_cap
    first = np.cumsum(n_items[todo]) - n_items[todo]  # row of each order's first item in compact arrays
    for size in np.unique(n_items[todo]):
        sel = n_items[todo] == size
        ords = todo[sel]
        items = orders.order_item_start[ords][:, None] + np.arange(size)
        ro, ri = (np.flatnonzero(sel), first[sel][:, None] + np.arange(size)) if compact else (ords, items)
        qty = orders.item_qty[items]
        if size <= MAX_EXACT_ITEMS:
            sku = orders.line_sku[orders.item_line[items]]
            fits = _GroupFit(sku, qty, avail[ri], pick_cap[ro])
            v, b, slots = _exact(sc, fixed[ro], item_cost[ri], qty, sc.item_value[items], fits)
        else:
            v, slots, b = _heuristic(sc, fixed[ro], item_cost[ri], qty)
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
    """Per order and group of items (bitmask): its best nodes, their costs, the group's value."""

    top_real: np.ndarray  # [n, 2^L, T] cost at the group's T best nodes (fixed + items); inf = no node
    top_arg: np.ndarray  # [n, 2^L, T] those nodes' slots, best first
    every_node: bool  # T covers every candidate slot
    bo: np.ndarray  # cost of backordering the group
    val: np.ndarray  # merchandise value of the group

    @property
    def real(self) -> np.ndarray:
        return self.top_real[:, :, 0]

    @property
    def arg(self) -> np.ndarray:
        return self.top_arg[:, :, 0]


def _groups(sc: Scores, fixed, cost, qty, value, fits: _GroupFit) -> _Groups:
    n, size, k = cost.shape
    t = min(k, TOP_NODES)
    shape = (n, 1 << size)
    g_ = _Groups(np.full(shape + (t,), np.inf), np.zeros(shape + (t,), np.int64), t == k, np.zeros(shape),
                 np.zeros(shape))
    for g in range(1, 1 << size):
        members = [i for i in range(size) if g >> i & 1]
        tot = np.where(fits.ok(members), fixed + cost[:, members, :].sum(axis=1), np.inf)
        top = np.argsort(tot, axis=1, kind="stable")[:, :t]
        g_.top_arg[:, g], g_.top_real[:, g] = top, np.take_along_axis(tot, top, axis=1)
        g_.bo[:, g] = sc.backorder_fen * qty[:, members].sum(axis=1)
        g_.val[:, g] = value[:, members].sum(axis=1)
    return g_


def _partition(gr: _Groups, part, min_value, rows=slice(None)):
    """Group costs of one partition: relaxed (two groups may pick one node: a valid bound) and
    seated (groups on distinct nodes: a real plan; a group that finds no node left cannot ship)."""
    top = _top_costs(gr, part, min_value, rows)
    relaxed = top[:, :, 0]
    r, a = relaxed.copy(), gr.top_arg[rows][:, part, 0].copy()
    clash = np.zeros(len(r), dtype=bool)
    for x in range(len(part)):
        for y in range(x + 1, len(part)):
            clash |= (a[:, x] == a[:, y]) & np.isfinite(r[:, x]) & np.isfinite(r[:, y])
    if clash.any():
        r[clash], a[clash] = _seat(top[clash], gr.top_arg[rows][:, part][clash], gr.bo[rows][:, part][clash],
                                   gr.every_node)
    return relaxed, r, a


def _top_costs(gr: _Groups, part, min_value, rows=slice(None), depth: int | None = None) -> np.ndarray:
    """[n, G, depth] costs of the partition's groups at their best nodes."""
    top = gr.top_real[rows][:, part, :depth]
    if len(part) >= 2 and min_value > 0:  # a split parcel must be worth shipping
        top = np.where((gr.val[rows][:, part] < min_value)[:, :, None], np.inf, top)
    return top


def _seat(top_r: np.ndarray, top_a: np.ndarray, bo: np.ndarray, every_node: bool) -> tuple[np.ndarray, np.ndarray]:
    """Cheapest seating of each row's G groups on distinct nodes, a group at one of its best nodes
    or at none (then it waits: inf). With G groups a group's G best nodes are enough, so this is
    exact when G <= T or the T nodes are all there are; otherwise groups take their best nodes in turn."""
    m, g, t = top_r.shape
    if (g > t and not every_node) or (min(t, g) + 1) ** g > MAX_SEATINGS:
        return _seat_in_turn(top_r, top_a)
    t = min(t, g)
    top_r, top_a = top_r[:, :, :t], top_a[:, :, :t]
    ways = _seatings(g, t)  # [C, g] option index per group; index t = not seated
    opt_r = np.concatenate([top_r, np.full((m, g, 1), np.inf)], axis=2)
    opt_a = np.concatenate([top_a, -1 - np.arange(g)[None, :, None].repeat(m, axis=0)], axis=2)
    groups = np.arange(g)
    r_w, a_w = opt_r[:, groups, ways], opt_a[:, groups, ways]  # [m, C, g]
    seated = np.isfinite(r_w)
    total = np.where(seated, r_w - bo[:, None, :], 0.0).sum(axis=2)
    for x in range(g):
        for y in range(x + 1, g):
            total[(a_w[:, :, x] == a_w[:, :, y]) & seated[:, :, x] & seated[:, :, y]] = np.inf
    best = np.argmin(total, axis=1)
    rows = np.arange(m)
    return r_w[rows, best], np.where(seated[rows, best], a_w[rows, best], top_a[:, :, 0])


def _seat_in_turn(top_r: np.ndarray, top_a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m, g, t = top_r.shape
    r, a = np.full((m, g), np.inf), top_a[:, :, 0].copy()
    for x in range(g):
        for j in range(t):
            free = np.isinf(r[:, x]) & np.isfinite(top_r[:, x, j])
            for y in range(x):
                free &= ~(np.isfinite(r[:, y]) & (a[:, y] == top_a[:, x, j]))
            r[free, x], a[free, x] = top_r[free, x, j], top_a[free, x, j]
    return r, a


@lru_cache(maxsize=None)
def _seatings(g: int, t: int) -> np.ndarray:
    """Every choice of one of t best nodes or none for each of g groups: int [(t + 1)^g, g]."""
    return np.array(list(itertools.product(range(t + 1), repeat=g)), dtype=np.int64).reshape(-1, g)


def _choose(r: np.ndarray, bo: np.ndarray, split: float, max_parcels: int):
    """Cost of the partition when each group ships (cost + split) or is backordered, at most
    `max_parcels` groups shipping, and the choice."""
    d = r + split - bo
    go_real = d < 0
    if r.shape[1] > max_parcels:  # partitions have at most one group more: it waits
        over = go_real.sum(axis=1) > max_parcels
        least = np.argmax(np.where(go_real, d, -np.inf), axis=1)
        go_real[over, least[over]] = False
    s = bo.sum(axis=1) + np.where(go_real, d, 0.0).sum(axis=1)
    dmin_at = np.argmin(d, axis=1)
    dmin = d[np.arange(len(d)), dmin_at]
    force = ~go_real.any(axis=1) & (dmin - split < 0)  # one parcel beats backordering all
    go_real[force, dmin_at[force]] = True
    return np.where(dmin < 0, s - split, s + np.minimum(0.0, dmin - split)), go_real


def _exact(sc: Scores, fixed: np.ndarray, cost: np.ndarray, qty: np.ndarray, value: np.ndarray, fits: _GroupFit):
    n, size, _ = cost.shape
    gr = _groups(sc, fixed, cost, qty, value, fits)
    # a plan ships at most max_parcels groups; what it backorders can form one more group
    parts = sorted((p for p in set_partitions(size) if len(p) <= sc.max_parcels + 1), key=len)
    best, bound = np.full(n, np.inf), np.full(n, np.inf)
    best_part = np.zeros(n, dtype=np.int64)
    for pi, part in enumerate(parts):
        relaxed = _top_costs(gr, part, sc.min_split_value_fen, depth=1)[:, :, 0]
        c = _choose(relaxed, gr.bo[:, part], sc.split_fen, sc.max_parcels)[0]
        bound = np.minimum(bound, c)
        live = np.flatnonzero(c < best)  # seating groups on distinct nodes only costs more
        if not len(live):
            continue
        _, r, _ = _partition(gr, part, sc.min_split_value_fen, live)
        c = _choose(r, gr.bo[live][:, part], sc.split_fen, sc.max_parcels)[0]
        better = c < best[live]
        best[live[better]] = c[better]
        best_part[live[better]] = pi
    slots = np.full((n, size), -1, dtype=np.int64)
    for pi in np.unique(best_part):
        rows = np.flatnonzero(best_part == pi)
        part = parts[pi]
        _, r, a = _partition(gr, part, sc.min_split_value_fen, rows)
        _, go_real = _choose(r, gr.bo[rows][:, part], sc.split_fen, sc.max_parcels)
        for gi, g in enumerate(part):
            for i in range(size):
                if g >> i & 1:
                    slots[rows, i] = np.where(go_real[:, gi], a[:, gi], -1)
    return best, np.minimum(bound, best), slots


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
