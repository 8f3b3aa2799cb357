"""Pair moves: a multi-line order moves whole, and the single-unit order in its way moves too.

Units-per-parcel rebalancing (`rebalance_units`): bigger orders to nodes short of parcels, single units to nodes
short of pick units.

On a capacity-tight batch some nodes run out of pick units while parcels are
left (cloud warehouses given multi-unit orders), others run out of parcels while
pick units are left (RDCs given single units). Every unit is then placed, yet
fewer units ship than the two could ship together. A pair move fixes it: a
multi-unit order shipping whole from a *unit-bound* node moves whole to a node
where one single-unit order is in its way (holding the last parcel, pick unit
or unit of one of its SKUs), and that order moves to a unit-bound node, into
the pick units the first order freed. The other units
freed at the unit-bound node then go to orders left short (`completion`, run
by the caller). Each move keeps every row within capacity.

Measured, capacity-tight 100k orders: 1,845 moves, then completion: cost
7,434.9M → 7,018.1M fen (gap to the bound 16.5% → 11.6%); with only the
last parcel freed, 1,129 moves and 7,178.9M.

Cheaper pairs (`cheaper_pairs`): a multi-line order dearer than its cheapest
whole-order node moves there when it fits, or when the single-unit order in
its way can move for less than the first one gains (the LP over every order's
plans at 100k orders ships 3,889 two-item orders from cheaper nodes than our
answer; for 3,628 of them that node's last parcel is held by other orders, most
of them single-item). Measured, 100k orders: 2,210 moves, −1.69M fen in 1.5 s (all 5,446, −2.5M, in 5.6 s).
"""
from __future__ import annotations

import time
from itertools import takewhile

import numpy as np

from allocation import columns as colmod
from allocation.batch import STORE
from allocation.exchange import UseLedger
from allocation.fitting import residual, use_of, whole_order_nodes
from allocation.prepare import Prepared
from allocation.scoring import whole_order_costs

SINGLES_TRIED = 50  # single-unit orders at the target node offered to make room, per move


def rebalance_units(prep: Prepared, choice: np.ndarray, deadline: float) -> tuple[np.ndarray, dict]:
    """`choice` with pair moves made until `deadline` (a copy; `choice` itself if none), and statistics."""
    o, sc = prep.orders, prep.sc
    use = use_of(prep, choice)
    unit_bound = set(_unit_bound_nodes(prep, use).tolist())
    stats = {"unit_bound_nodes": len(unit_bound), "rebalance_moves": 0}
    if not unit_bound:
        return choice, stats
    ledger = UseLedger(prep, choice)
    wanted = _wanted_units(prep, choice, unit_bound, use)
    node_of, units = whole_order_nodes(prep, choice), _units(prep)
    at_unit_bound = np.isin(node_of, list(unit_bound))
    movers = np.flatnonzero(at_unit_bound & (units >= 2) & (wanted[np.maximum(node_of, 0)] > 0))
    movers = movers[np.lexsort((o.paid_rank[movers], -units[movers]))]
    singles = _Singles(prep, choice, node_of, np.flatnonzero((node_of >= 0) & ~at_unit_bound & (units == 1)))
    by_cost = _SlotsByCost(whole_order_costs(sc, o))
    choice, rows, moves = choice.copy(), _Rows(prep), 0

    def to_unit_bound(order: int, slot: int) -> bool:
        return int(sc.nodes[order, slot]) in unit_bound

    def into_unit_bound(b: int, a: int, a_slot: int) -> list[int]:
        return [j for j in by_cost(b) if to_unit_bound(b, j)]

    for a in movers.tolist():
        if time.perf_counter() > deadline:
            break
        node = int(node_of[a])
        a_slots = [j for j in by_cost(a) if not to_unit_bound(a, j)]
        if wanted[node] > 0 and _move_pair(prep, rows, choice, ledger, a, a_slots, singles, into_unit_bound):
            moves += 1
            wanted[node] -= units[a] - 1
    stats["rebalance_moves"] = moves
    return choice, stats


def cheaper_pairs(prep: Prepared, choice: np.ndarray, deadline: float) -> tuple[np.ndarray, dict]:
    """`choice` with multi-line orders moved whole to a cheaper node, where one single-unit order in their way
    (holding the last parcel, pick unit or unit of one of their SKUs) moves elsewhere for less than they gain;
    orders furthest above their cheapest whole-order plan first, until `deadline`. A copy, and statistics."""
    o, sc = prep.orders, prep.sc
    cost = whole_order_costs(sc, o)
    by_cost = _SlotsByCost(cost)
    now = colmod.costs(sc, o, colmod.from_item_slots(o, np.arange(o.n_orders), choice), sc.fixed, sc.item_cost)
    above = now - cost.min(axis=1)
    movers = np.flatnonzero((o.n_items_per_order >= 2) & (above > 1.0))
    movers = movers[np.argsort(-above[movers], kind="stable")]
    node_of, units = whole_order_nodes(prep, choice), _units(prep)
    singles = _Singles(prep, choice, node_of, np.flatnonzero((node_of >= 0) & (units == 1)))
    choice, rows, ledger = choice.copy(), _Rows(prep), UseLedger(prep, choice)
    moves, gain, now = 0, 0.0, now.tolist()

    def for_less(b: int, a: int, a_slot: int) -> list[int]:
        """b's other whole-order slots that cost it less extra than a gains."""
        below, costs = now[b] + now[a] - by_cost.costs(a)[a_slot] - 1.0, by_cost.costs(b)
        here = choice[o.order_item_start[b]]
        return [j for j in takewhile(lambda j: costs[j] < below, by_cost(b)) if j != here]

    for a in movers.tolist():
        if time.perf_counter() > deadline:
            break
        a_slots = list(takewhile(lambda j: by_cost.costs(a)[j] < now[a] - 1.0, by_cost(a)))
        moved = _move_pair(prep, rows, choice, ledger, a, a_slots, singles, for_less)
        if moved:
            a_slot, b, b_slot = moved
            step = now[a] - by_cost.costs(a)[a_slot] + (now[b] - by_cost.costs(b)[b_slot] if b >= 0 else 0.0)
            now[a] = by_cost.costs(a)[a_slot]
            if b >= 0:
                now[b] = by_cost.costs(b)[b_slot]
            moves, gain = moves + 1, gain + step
    return choice, {"pair_moves": moves, "pair_gain_fen": round(gain)}


def _move_pair(prep, rows: "_Rows", choice, ledger: UseLedger, a: int, a_slots: list[int], singles: "_Singles",
               b_slots) -> tuple[int, int, int] | None:
    """Move order `a` whole to the first of `a_slots` it fits at: at once if it can, else as a single-unit order
    there that frees what `a` lacks (a parcel, a pick unit, a unit of one SKU) moves whole to the first of its
    `b_slots(b, a, a's slot)` it fits at. (a's slot, b or -1, b's slot or -1) if it moved, else None."""
    sc, res = prep.sc, prep.res
    a_now = rows.of(choice, a)
    for slot in a_slots:
        node = int(sc.nodes[a, slot])
        a_new = rows.of(choice, a, slot)
        lacking = [k for k, need in a_new.items() if ledger.left(k) + a_now.get(k, 0.0) < need - 1e-9]
        if not lacking:
            _apply(prep, choice, ledger, a, slot, a_now, a_new)
            return slot, -1, -1
        stock = [k for k in lacking if k >= 2 * res.n_nodes]
        if len(stock) > 1:  # one single unit frees one SKU's unit at most
            continue
        takes_one: dict[int, bool] = {}  # node -> whether its parcel and pick rows take one more unit once a moves

        def room_for_one(to: int) -> bool:
            if to not in takes_one:
                takes_one[to] = all(ledger.left(k) + a_now.get(k, 0.0) - a_new.get(k, 0.0) >= 1.0 - 1e-9
                                    for k in (res.parcel_key(to), res.pick_key(to)))
            return takes_one[to]

        for b in singles.holding(stock[0]) if stock else singles.at(node):
            b_now = rows.of(choice, b)
            if any(ledger.left(k) + a_now.get(k, 0.0) + b_now.get(k, 0.0) < a_new[k] - 1e-9 for k in lacking):
                continue
            for b_slot in b_slots(b, a, slot):
                if not room_for_one(int(sc.nodes[b, b_slot])):  # b, at `node`, frees nothing there
                    continue
                b_new = rows.of(choice, b, b_slot)
                # after both moves, each row b adds to must hold: what is left, plus what a and b free there
                if all(ledger.left(k) + a_now.get(k, 0.0) + b_now.get(k, 0.0) - a_new.get(k, 0.0) >= need - 1e-9
                       for k, need in b_new.items()):
                    _apply(prep, choice, ledger, a, slot, a_now, a_new)
                    _apply(prep, choice, ledger, b, b_slot, b_now, b_new)
                    singles.moved(b)
                    return slot, b, b_slot
    return None


class _Singles:
    """Single-unit orders shipping whole from nodes that are not unit-bound, earliest paid first: by node, and by
    the (level-0) stock row their unit takes."""

    def __init__(self, prep: Prepared, choice: np.ndarray, node_of: np.ndarray, singles: np.ndarray):
        o, res = prep.orders, prep.res
        singles = singles[np.argsort(o.paid_rank[singles], kind="stable")]
        first = o.order_item_start[singles]
        rows = res.stock_key(0, node_of[singles], o.line_sku[o.item_line[first]])
        self._at: dict[int, list[int]] = {}
        self._on: dict[int, list[int]] = {}
        self._row: dict[int, int] = {}
        for s, node, row in zip(singles.tolist(), node_of[singles].tolist(), rows.tolist()):
            self._at.setdefault(node, []).append(s)
            self._on.setdefault(row, []).append(s)
            self._row[s] = row
        self._node = dict(zip(singles.tolist(), node_of[singles].tolist()))

    def at(self, node: int) -> list[int]:
        return self._at.get(node, [])[:SINGLES_TRIED]

    def holding(self, stock_row: int) -> list[int]:
        return self._on.get(stock_row, [])[:SINGLES_TRIED]

    def moved(self, order: int) -> None:
        self._at[self._node.pop(order)].remove(order)
        self._on[self._row.pop(order)].remove(order)


def _unit_bound_nodes(prep: Prepared, use) -> np.ndarray:
    """Candidate nodes with a parcel left but not a pick unit."""
    res = prep.res
    nodes = np.unique(prep.sc.nodes[prep.sc.nodes >= 0])
    _, keys, amt = use  # (owner, row key, amount) of every plan (`use_of`)
    node_rows = keys < 2 * res.n_nodes
    used = np.bincount(keys[node_rows], weights=amt[node_rows], minlength=2 * res.n_nodes)
    left_parcels = res.capacity(res.parcel_key(nodes)) - used[res.parcel_key(nodes)]
    left_picks = res.capacity(res.pick_key(nodes)) - used[res.pick_key(nodes)]
    return nodes[(left_picks < 1) & (left_parcels >= 1)]


def _wanted_units(prep: Prepared, choice: np.ndarray, unit_bound: set, use) -> np.ndarray:
    """float [nodes]: backordered units that could ship from each unit-bound node if it had pick units: units of
    candidates there, at most the stock the node has left of each SKU. Pick units freed beyond these would only
    add the moves' cost."""
    o, sc, res = prep.orders, prep.sc, prep.res
    short = np.flatnonzero(choice < 0)
    at, slot = np.nonzero(np.isfinite(sc.item_cost[short]) & np.isfinite(sc.fixed[o.item_order[short]]))
    items, node = short[at], sc.nodes[o.item_order[short[at]], slot]
    keep = np.isin(node, list(unit_bound))
    items, node = items[keep], node[keep]
    rows, inv = np.unique(res.stock_key(0, node, o.line_sku[o.item_line[items]]), return_inverse=True)
    asked = np.bincount(inv, weights=o.item_qty[items], minlength=len(rows))
    left = residual(prep, *use, np.zeros(0, np.int64))(rows)
    row_node = ((rows - 2 * res.n_nodes) // res.n_skus) % res.n_nodes
    return np.bincount(row_node, weights=np.minimum(asked, np.maximum(left, 0)), minlength=res.n_nodes)


def _units(prep: Prepared) -> np.ndarray:
    o = prep.orders
    return np.bincount(o.item_order, weights=o.item_qty, minlength=o.n_orders)


class _SlotsByCost:
    """Each order's slots it can ship whole from, cheapest first, and what each costs (sorted once, listed in
    plain Python when first asked for)."""

    def __init__(self, cost: np.ndarray):
        self._cost, self._order, self._slots, self._costs = cost, np.argsort(cost, axis=1, kind="stable"), {}, {}

    def __call__(self, order: int) -> list[int]:
        out = self._slots.get(order)
        if out is None:
            ranked = self._order[order]
            out = self._slots[order] = ranked[np.isfinite(self._cost[order, ranked])].tolist()
        return out

    def costs(self, order: int) -> list[float]:
        out = self._costs.get(order)
        if out is None:
            out = self._costs[order] = self._cost[order].tolist()
        return out


class _Rows:
    """The rows a plan uses ({row key: amount}), in plain Python: the rows `Resources.usage` gives, asked for one
    order at a time (numpy's overhead per call would dominate)."""

    def __init__(self, prep: Prepared):
        o, sc, res = prep.orders, prep.sc, prep.res
        self.res = res
        self.start = o.order_item_start.tolist()
        self.sku = o.line_sku[o.item_line].tolist()
        self.qty = o.item_qty.tolist()
        self.nodes = sc.nodes
        self.store = (prep.net.kind == STORE).tolist()
        self.reserve = sc.reserve.tolist()
        self.levels = list(enumerate(res.levels.tolist()))
        self.n_slots, self._whole = sc.nodes.shape[1], {}

    def of(self, choice: np.ndarray, order: int, slot: int | None = None) -> dict[int, float]:
        """Rows of `order`'s plan in `choice`, or of it shipping whole from `slot`. A whole plan's rows are worked
        out once and the same dict is returned each time: callers must not change it."""
        if slot is None and self.start[order + 1] - self.start[order] == 1:
            slot = int(choice[self.start[order]])
            if slot < 0:
                return {}
        if slot is None:
            return self._rows(choice, order, None)
        whole = self._whole.get(order * self.n_slots + slot)
        if whole is None:
            whole = self._whole[order * self.n_slots + slot] = self._rows(choice, order, slot)
        return whole

    def _rows(self, choice: np.ndarray, order: int, slot: int | None) -> dict[int, float]:
        out: dict[int, float] = {}
        res, row, reserve = self.res, self.nodes[order], self.reserve[order]
        for i in range(self.start[order], self.start[order + 1]):
            s = int(choice[i]) if slot is None else slot
            if s < 0:
                continue
            node, qty = int(row[s]), self.qty[i]
            out[res.parcel_key(node)] = 1.0
            out[res.pick_key(node)] = out.get(res.pick_key(node), 0.0) + qty
            for li, level in self.levels:
                if level == 0 or (self.store[node] and reserve >= level):
                    key = res.stock_key(li, node, self.sku[i])
                    out[key] = out.get(key, 0.0) + qty
        return out


def _apply(prep: Prepared, choice: np.ndarray, ledger: UseLedger, order: int, slot: int, now: dict, new: dict) -> None:
    o = prep.orders
    choice[o.order_item_start[order]:o.order_item_start[order + 1]] = slot
    ledger.move(np.array(list(now), dtype=np.int64), np.array(list(now.values())),
                np.array(list(new), dtype=np.int64), np.array(list(new.values())))
