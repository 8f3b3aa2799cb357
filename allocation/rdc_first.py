"""Baseline: ship from the nearest warehouse (RDC or cloud) with stock; stores only as a last resort."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from allocation.batch import STORE
from allocation.extract import build_result
from allocation.prepare import Prepared, prepare
from allocation.problem import AllocationProblem, AllocationResult
from allocation.sequential import sequential_assign

STORE_RANK_OFFSET = 1e9  # any warehouse ranks before any store


def rdc_first_slots(prep: Prepared) -> np.ndarray:
    is_store = prep.net.kind[np.maximum(prep.sc.nodes, 0)] == STORE
    return sequential_assign(prep, prep.sc.ship + np.where(is_store, STORE_RANK_OFFSET, 0.0))


@dataclass
class RdcFirstAllocator:
    explain: bool = True
    name: str = "rdc_first"

    def allocate(self, problem: AllocationProblem) -> AllocationResult:
        started = time.perf_counter()
        prep = prepare(problem)
        return build_result(prep, rdc_first_slots(prep), solver=self.name, status="feasible",
                            started=started, explain=self.explain)
