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


def solve_pdlp(cost: np.ndarray, matrix: sparse.spmatrix, row_lb: np.ndarray, row_ub: np.ndarray,
               var_ub: np.ndarray, tolerance: float, time_limit_s: float,
               start: tuple[np.ndarray, np.ndarray] | None = None) -> SparseSolution:
    """The LP min cost·x s.t. row_lb <= A x <= row_ub, 0 <= x <= var_ub by PDLP to `tolerance` (relative and
    absolute), from `start` = (x, row duals) when given: a first-order method picks up where a near
    solution left off, which the model builder's solver interface cannot offer (a round of column generation
    at capacity-tight 20k orders: 0.4-2 s from the last round's solution, 1-3.3 s from nothing).
    Raises RuntimeError where this build of OR-Tools has no PDLP."""
    try:
        from ortools.pdlp import solve_log_pb2, solvers_pb2
        from ortools.pdlp.python import pdlp
    except ImportError as missing:
        raise RuntimeError("OR-Tools solver 'pdlp' is not available") from missing
    n_rows, n = matrix.shape
    qp = pdlp.QuadraticProgram()
    qp.resize_and_initialize(n, n_rows)
    qp.objective_vector = np.asarray(cost, dtype=float)
    qp.constraint_matrix = sparse.csc_matrix(matrix, dtype=float)
    qp.constraint_lower_bounds = np.asarray(row_lb, dtype=float)
    qp.constraint_upper_bounds = np.asarray(row_ub, dtype=float)
    qp.variable_lower_bounds = np.zeros(n)
    qp.variable_upper_bounds = np.asarray(var_ub, dtype=float)
    params = solvers_pb2.PrimalDualHybridGradientParams()
    params.termination_criteria.simple_optimality_criteria.eps_optimal_relative = tolerance
    params.termination_criteria.simple_optimality_criteria.eps_optimal_absolute = tolerance
    params.termination_criteria.time_sec_limit = max(float(time_limit_s), 0.0)
    begun = None
    if start is not None:
        begun = pdlp.PrimalAndDualSolution()
        begun.primal_solution, begun.dual_solution = start
    result = pdlp.primal_dual_hybrid_gradient(qp, params, begun)
    log = result.solve_log
    if log.termination_reason != solve_log_pb2.TERMINATION_REASON_OPTIMAL:
        return SparseSolution("time_limit" if log.termination_reason == solve_log_pb2.TERMINATION_REASON_TIME_LIMIT
                              else "error", INF, np.zeros(n), np.zeros(0), -INF, log.solve_time_sec)
    x = np.asarray(result.primal_solution)
    value = float(np.dot(cost, x))
    return SparseSolution("optimal", value, x, np.asarray(result.dual_solution), value, log.solve_time_sec)
