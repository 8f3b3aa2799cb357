"""Baseline: each order, in payment order, goes to the nearest node that has its stock."""
from __future__ import annotations

import time
from dataclasses import dataclass

from allocation.extract import build_result
from allocation.prepare import Prepared, prepare
from allocation.problem import AllocationProblem, AllocationResult
from allocation.sequential import sequential_assign


def greedy_slots(prep: Prepared):
    """Nearest = cheapest carrier lane; whole order from one node if any can, else line by line."""
    return sequential_assign(prep, prep.sc.ship)


@dataclass
class GreedyAllocator:
    explain: bool = True
    name: str = "greedy"

    def allocate(self, problem: AllocationProblem) -> AllocationResult:
        started = time.perf_counter()
        prep = prepare(problem)
        return build_result(prep, greedy_slots(prep), solver=self.name, status="feasible",
                            started=started, explain=self.explain)
