"""Neighbourhood repair: orders still short after completion get a small MIP with the orders in their way.

Completion only uses capacity that is spare. An order can stay short because
the rows it needs are held by an order that could itself ship from elsewhere,
possibly one the master never saw (it kept its own best plan). The repair
takes the short orders, the orders holding the full rows their items could
use, and so on for `HOPS` steps (at most `NEIGHBOURHOOD_LIMIT` orders), and
re-decides them together over: their current plans (so the answer is never
worse), the baseline's plans of them in payment order, their best plans in
what the others leave, and backordering. A large-neighbourhood search step.
"""
from __future__ import annotations

import time

import numpy as np

from allocation import columns as colmod
from allocation.batch import items_of
from allocation.completion import short_orders
from allocation.fitting import fit_columns, master_data, residual, use_of
from allocation.master import cheapest_combination
from allocation.prepare import Prepared
from allocation.scoring import plan_cost
from allocation.sequential import sequential_assign

HOPS = 2  # short orders → orders in their way → orders in those orders' way
NEIGHBOURHOOD_LIMIT = 400  # orders re-decided together at most
MAX_SHORT_SEEDS = NEIGHBOURHOOD_LIMIT // 2  # earliest-paid short orders seeded (measured, capacity-tight 100k
# orders: all 64k short orders as one neighbourhood took 11 s and the MIP found nothing in its time limit)
MIP_TIME_LIMIT_S = 1.0


def repair_short_orders(prep: Prepared, choice: np.ndarray, deadline: float) -> tuple[np.ndarray, np.ndarray]:
    """`choice` with the short orders' neighbourhood re-decided when that is cheaper (else `choice`
    itself); and the neighbourhood."""
    o, sc = prep.orders, prep.sc
    short = short_orders(prep, choice)
    if not len(short) or time.perf_counter() > deadline:
        return choice, short[:0]
    owner, keys, amt = use_of(prep, choice)
    short = short[np.argsort(o.paid_rank[short], kind="stable")][:MAX_SHORT_SEEDS]
    hood = _neighbourhood(prep, short, owner, keys, amt)
    residual_of = residual(prep, owner, keys, amt, hood)
    cols, data = master_data(prep, colmod.concat(
        colmod.from_item_slots(o, hood, choice),
        colmod.from_item_slots(o, hood, sequential_assign(prep, sc.ship, hood, residual_of)),
        fit_columns(prep, hood, residual_of, sc.fixed, sc.item_cost),
        colmod.backorder_all(o, hood)))
    limit = min(MIP_TIME_LIMIT_S, max(deadline - time.perf_counter(), 0.05))
    picked = cheapest_combination(data, residual_of, limit)
    if picked is None or len(np.unique(cols.order[picked])) != len(hood):
        return choice, hood
    took = colmod.subset(cols, picked)
    new = choice.copy()
    new[took.e_item] = took.e_slot
    better = plan_cost(sc, o, new)[0] < plan_cost(sc, o, choice)[0] - 0.5
    return (new if better else choice), hood


def _neighbourhood(prep: Prepared, seeds: np.ndarray, owner, keys, amt) -> np.ndarray:
    """`seeds` and, hop by hop, the orders whose plans hold rows that the last hop's items
    could use but find too full (nearest hops first, at most `NEIGHBOURHOOD_LIMIT` orders)."""
    o, sc, res = prep.orders, prep.sc, prep.res
    uk, inv = np.unique(keys, return_inverse=True)
    spare = res.capacity(uk) - np.bincount(inv, weights=amt, minlength=len(uk))
    hood = frontier = np.unique(seeds)
    for _ in range(HOPS if len(uk) else 0):
        items = items_of(o, frontier)
        at, slot = np.nonzero(np.isfinite(sc.item_cost[items]))
        _, want, need = res.usage(sc, o, np.arange(len(at)), items[at], slot)
        pos = np.minimum(np.searchsorted(uk, want), len(uk) - 1)
        full = want[(uk[pos] == want) & (spare[pos] < need)]
        near = np.setdiff1d(np.unique(owner[np.isin(keys, full)]), hood)
        near = near[np.argsort(o.paid_rank[near], kind="stable")][: NEIGHBOURHOOD_LIMIT - len(hood)]
        if not len(near):
            break
        hood, frontier = np.union1d(hood, near), near
    return hood
