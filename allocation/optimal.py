"""The optimiser: exact per-order plans + price-directed decomposition + LP/MIP master (OR-Tools).

Falls back to the greedy answer, and says so, when the solver runs out of
time before producing any answer or fails.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from allocation.decompose import SolverTimeLimit, decompose
from allocation.extract import build_result
from allocation.greedy import greedy_slots
from allocation.prepare import Prepared, prepare
from allocation.problem import AllocationProblem, AllocationResult

log = logging.getLogger(__name__)
OPTIMAL_GAP_PCT = 1e-6


@dataclass
class OptimalAllocator:
    time_limit_s: float = 15.0
    max_rounds: int = 8
    lp_solver: str = "glop"
    explain: bool = True
    n_alternatives: int = 3
    name: str = "optimal"
    gap_goal_pct: float = 1.0  # big batches use the time left to prove the answer within this of the bound

    def allocate(self, problem: AllocationProblem) -> AllocationResult:
        started = time.perf_counter()
        return self.allocate_prepared(prepare(problem), started)

    def allocate_prepared(self, prep: Prepared, started: float) -> AllocationResult:
        deadline = started + self.time_limit_s
        try:
            out = decompose(prep, deadline, self.max_rounds, self.lp_solver, gap_goal=self.gap_goal_pct / 100)
        except SolverTimeLimit as exc:
            return self._fallback(prep, started, f"time_limit: {exc}")
        except Exception as exc:  # a solver failure must never leave orders unallocated
            log.exception("allocation solver failed; using greedy")
            return self._fallback(prep, started, f"solver_error: {type(exc).__name__}: {exc}")
        result = build_result(prep, out.item_slot, solver=self.name, status="feasible", started=started,
                              lower_bound=out.lower_bound, fallback_reason=out.note, explain=self.explain,
                              n_alternatives=self.n_alternatives, stats=out.stats)
        if result.gap_pct is not None and result.gap_pct <= OPTIMAL_GAP_PCT and out.note is None:
            result = _with_status(result, "optimal")
        return result

    def _fallback(self, prep: Prepared, started: float, reason: str) -> AllocationResult:
        from allocation.bound import lagrangian_bound

        return build_result(prep, greedy_slots(prep), solver=f"{self.name}->greedy", status="fallback",
                            started=started, lower_bound=lagrangian_bound(prep), fallback_reason=reason,
                            explain=self.explain, n_alternatives=self.n_alternatives)


def _with_status(result: AllocationResult, status: str) -> AllocationResult:
    from dataclasses import replace

    return replace(result, status=status)
