"""Solve a linear model given as sparse arrays with an OR-Tools backend (GLOP, PDLP, SCIP, CP-SAT, HiGHS).

Building through `fill_model_from_sparse_data` costs milliseconds for
hundreds of thousands of columns, where a Python loop over variables costs seconds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ortools.linear_solver.python import model_builder_helper as mbh

INF = float("inf")


@dataclass(frozen=True)
class SparseSolution:
    status: str  # "optimal" | "feasible" | "infeasible" | "time_limit" | "error"
    objective: float
    x: np.ndarray
    duals: np.ndarray  # row duals (LPs only; sign as OR-Tools: <= 0 on binding <= rows of a min)
    best_bound: float
    wall_s: float


def solve_sparse(cost: np.ndarray, matrix: sparse.csr_matrix, row_lb: np.ndarray, row_ub: np.ndarray,
                 var_ub: np.ndarray | None = None, integer: np.ndarray | None = None,
                 solver: str = "glop", time_limit_s: float = 10.0, params: str = "") -> SparseSolution:
    """min cost·x s.t. row_lb <= A x <= row_ub, 0 <= x <= var_ub, x integer where `integer`."""
    n = len(cost)
    # Model
    model = mbh.ModelBuilderHelper()
    ub = np.ones(n) if var_ub is None else np.asarray(var_ub, dtype=float)
    model.fill_model_from_sparse_data(np.zeros(n), ub, np.asarray(cost, dtype=float),
                                      np.asarray(row_lb, dtype=float), np.asarray(row_ub, dtype=float),
                                      sparse.csr_matrix(matrix, dtype=float))
    if integer is not None:
        for j in np.flatnonzero(integer):
            model.set_var_integrality(int(j), True)
    # Solve
    engine = mbh.ModelSolverHelper(solver)
    if not engine.solver_is_supported():
        raise RuntimeError(f"OR-Tools solver {solver!r} is not available")
    engine.set_time_limit_in_seconds(float(time_limit_s))
    if params:
        engine.set_solver_specific_parameters(params)
    engine.solve(model)
    # Extract
    st = engine.status()
    status = {mbh.SolveStatus.OPTIMAL: "optimal", mbh.SolveStatus.FEASIBLE: "feasible",
              mbh.SolveStatus.INFEASIBLE: "infeasible"}.get(st, "error")
    if status == "feasible" or (status == "error" and engine.has_solution()):
        status = "time_limit" if not engine.has_solution() else "feasible"
    if not engine.has_solution():
        return SparseSolution(status if status != "feasible" else "time_limit", INF, np.zeros(n), np.zeros(0),
                              -INF, engine.wall_time())
    duals = engine.dual_values() if integer is None else np.zeros(0)
    bound = engine.best_objective_bound() if integer is not None else engine.objective_value()
    return SparseSolution(status, engine.objective_value(), np.asarray(engine.variable_values()),
                          np.asarray(duals), bound, engine.wall_time())
