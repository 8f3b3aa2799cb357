"""Turn an `AllocationProblem` into the arrays every allocator works on."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocation.batch import NetworkArrays, OrderArrays, batch_families, network_arrays, order_arrays
from allocation.candidates import STORE_SCAN_FACTOR, NearestStores, select_candidates
from allocation.problem import AllocationProblem
from allocation.resources import Resources
from allocation.scoring import Scores, score


@dataclass(eq=False)
class Prepared:
    problem: AllocationProblem
    net: NetworkArrays
    orders: OrderArrays
    sc: Scores
    res: Resources


@dataclass(eq=False)
class NetworkCache:
    """Per-network work reused across calls (the real-time path keeps one)."""

    net: NetworkArrays
    nearest: NearestStores


def network_cache(problem: AllocationProblem, families: set[str] | None = None) -> NetworkCache:
    fams = set(families or ()) | batch_families(problem)
    fams |= {f for nd in problem.nodes for f in nd.rejection_rate}
    net = network_arrays(problem.nodes, problem.stock, problem.lanes, problem.policy, fams)
    depth = max(STORE_SCAN_FACTOR * problem.policy.candidate_stores, 60)
    return NetworkCache(net, NearestStores(net, problem.lanes, problem.weights, depth))


def prepare(problem: AllocationProblem, cache: NetworkCache | None = None) -> Prepared:
    cache = cache or network_cache(problem)
    orders = order_arrays(problem, cache.net)
    cand = select_candidates(cache.net, orders, problem.policy, cache.nearest)
    sc = score(cache.net, orders, cand, problem.lanes, problem.policy, problem.weights)
    return Prepared(problem, cache.net, orders, sc, Resources.of(cache.net, sc))


def empty_slots(prep: Prepared) -> np.ndarray:
    return np.full(len(prep.orders.item_qty), -1, dtype=np.int64)
