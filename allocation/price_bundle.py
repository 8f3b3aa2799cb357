"""Stronger Lagrangian prices by a cutting-plane ascent in a box (a bundle method).

L(λ) = Σ_orders min_plan (cost + λ·use) − λ·capacity is concave. Each
evaluation at λ_j gives the best plans there, and with them an affine function
of the prices that lies above L everywhere and touches it at λ_j:

    L(μ) <= C_j + μ·(d_j − capacity),   C_j = what those plans cost unpriced, d_j = their use of each row.

(Where an order is too big to price exactly, its plan costs more than its
bound, and the cut lies that much above L where it was taken too.) The ascent
keeps the last few such cuts and moves to the prices that maximise their
minimum within a box of half side Δ around the centre (an LP over the rows
ever over-demanded: GLOP's dual simplex, milliseconds at 10k orders). L is
evaluated there exactly: if it rose by 2 % of what the cuts promised above the
centre, the centre moves there and the box grows; else the box shrinks and the
new cut sharpens the model. Unlike `price_raise`, which moves each
over-demanded row on its own and stalls where rows trade demand between them
(capacity-tight 10k orders: 29.206M fen after 12 steps), the cuts see every
row at once: 29.29M in 5 s, 29.30M in 10 s, against the LP over every order's
plans at 29.31M. Capacity-tight 20k: 595.11M -> 595.585M, where it stops
after 83 steps: its box has shrunk so far that the cuts promise almost nothing,
but the LP over every order's plans is at 597.78M (`lp_prices` gets there).

The bound is only ever the best exact L(λ) evaluated, so it is valid whatever
the model says.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np
from scipy import sparse

from allocation.bound import lagrangian_value
from allocation.fitting import use_of
from allocation.plans import Priced
from allocation.prepare import Prepared
from allocation.resources import values_at
from allocation.sparse_solve import solve_sparse

BOX_START = 50.0  # fen per unit: the box's half side at the start
GROW, SHRINK = 1.5, 0.7  # the box after a step that moved the centre, and after one that did not
SERIOUS = 0.02  # share of the promised rise L must make for the centre to move (0.1: slower, 0.3: much slower)
MAX_CUTS = 50  # cuts kept (the centre's always)
CONVERGED = 1e-5  # stop when the cuts promise less than this share of L above the centre
LP_SOLVERS = (("glop", "use_dual_simplex:true"),  # 10 ms an LP instead of 40 (capacity-tight 10k)
              ("highs", "output_flag=false"))  # where GLOP gives up (ABNORMAL on some capacity-tight 100k
# models; HiGHS 0.2 s), without its banner on standard output


class PriceBundle:
    """The ascent from given prices, resumable: `run` goes on from where the last one stopped, with the
    cuts and the box it left. `best`: (L, row keys, prices) of the highest L evaluated (the centre's, or that
    of a step that rose too little to move it)."""

    def __init__(self, prep: Prepared, alone: Priced, keys: np.ndarray, price: np.ndarray, keep_plans: bool = False):
        # prices from the flows come in their own order; a row priced twice counts both (as in `priced_costs`)
        keys, at = np.unique(np.asarray(keys, dtype=np.int64), return_inverse=True)
        price = np.bincount(at, weights=np.asarray(price, dtype=float), minlength=len(keys))
        self._cuts = _Cuts(prep, alone, keep_plans)
        self._centre = self.best = (self._cuts.evaluate(keys, price), keys, price)
        self._box, self._steps, self._moves, self._s, self.done = BOX_START, 0, 0, 0.0, False

    def run(self, deadline: float, stop: Callable[[float], bool] | None = None,
            on_better: Callable[[tuple], None] | None = None, steps: int | None = None) -> None:
        """Ascent steps, each started only if it can end before `deadline` (as long as the longest so far) and
        while `stop(best L so far)` (if given) says no, until the cuts promise no more (or their LP fails), or
        `steps` more were taken. `on_better(best)` (if given) is called each time `best` rises."""
        started, cuts, per_step = time.perf_counter(), self._cuts, 0.0
        last = np.inf if steps is None else self._steps + steps
        while not self.done and self._steps < last and time.perf_counter() + per_step < deadline and \
                not (stop is not None and stop(self.best[0])):
            t0 = time.perf_counter()
            value, keys, price = self._centre
            rows = cuts.rows
            if not len(rows):  # no row priced or over-demanded: L(0) is the optimum of the relaxation
                self.done = True
                break
            now = np.zeros(len(rows))
            now[np.searchsorted(rows, keys)] = price
            promised, mu = cuts.best_within(np.maximum(now - self._box, 0.0), now + self._box)
            rise = promised - cuts.model_at(now)  # what the cuts promise above the centre
            if mu is None or rise <= CONVERGED * abs(value):
                self.done = True
                break
            on = mu > 1e-9
            point = (cuts.evaluate(rows[on], mu[on]), rows[on], mu[on])
            self._steps += 1
            if point[0] >= value + SERIOUS * rise:
                self._centre, self._box, self._moves = point, self._box * GROW, self._moves + 1
                cuts.centre_is_last()
            else:
                self._box *= SHRINK
            if point[0] > self.best[0]:
                self.best = point
                if on_better is not None:
                    on_better(point)
            cuts.keep(MAX_CUTS)
            per_step = max(per_step, time.perf_counter() - t0)
        self._s += time.perf_counter() - started

    @property
    def plans(self) -> list[np.ndarray] | None:
        """With `keep_plans`: the best plans (slot per item) at each point evaluated, for `lp_prices` (else None)."""
        return self._cuts.plans

    def stats(self) -> dict:
        return {"bundle_steps": self._steps, "bundle_moves": self._moves, "bundle_rows": len(self._cuts.rows),
                "bundle_s": round(self._s, 3)}


class _Cuts:
    """The cuts seen so far over the rows ever over-demanded or priced, and the LP that maximises their minimum."""

    def __init__(self, prep: Prepared, alone: Priced, keep_plans: bool = False):
        self.prep, self.alone = prep, alone
        self.plans: list[np.ndarray] | None = [] if keep_plans else None  # the best plans at each point evaluated
        self.rows = np.zeros(0, dtype=np.int64)
        self._cap = np.zeros(0)  # capacity of each of `rows`
        self._const: list[float] = []  # C_j
        self._keys: list[np.ndarray] = []  # rows the plans use
        self._use: list[np.ndarray] = []  # d_j on those rows
        self._value: list[float] = []  # L(λ_j)
        self._centre = 0  # the cut at the centre
        self._at: list[tuple[np.ndarray, np.ndarray] | None] = []  # `_on_rows` of each cut, once known

    def evaluate(self, keys: np.ndarray, price: np.ndarray) -> float:
        """Exact L at the prices (`keys` sorted), its cut added."""
        prep = self.prep
        value, priced = lagrangian_value(prep, keys, price, self.alone)
        if self.plans is not None:
            self.plans.append(priced.item_slot)
        _, u_key, u_amt = use_of(prep, priced.item_slot)
        uk, inv = np.unique(u_key, return_inverse=True)
        use = np.bincount(inv, weights=u_amt, minlength=len(uk))
        on_row = values_at(uk, keys, price)
        over = uk[use > prep.res.capacity(uk) + 1e-9]
        rows = np.union1d(self.rows, np.union1d(over, keys))
        if len(rows) > len(self.rows):  # every cut's positions among the rows change
            self.rows, self._at = rows, [None] * len(self._at)
            self._cap = prep.res.capacity(rows).astype(float)
        self._at.append(None)
        self._const.append(float(priced.value.sum() - (on_row * use).sum()))
        self._keys.append(uk)
        self._use.append(use)
        self._value.append(value)
        return value

    def centre_is_last(self) -> None:
        self._centre = len(self._const) - 1

    def keep(self, most: int) -> None:
        """Drop the cuts with the lowest L beyond `most` (the centre's stays)."""
        while len(self._const) > most:
            low = min((j for j in range(len(self._value)) if j != self._centre), key=lambda j: self._value[j])
            for lst in (self._const, self._keys, self._use, self._value, self._at):
                del lst[low]
            self._centre -= low < self._centre

    def model_at(self, mu: np.ndarray) -> float:
        """min_j C_j + μ·(d_j − capacity), μ over `rows`: at least L(μ), and above it where the plans of
        orders too big to price exactly cost more than their bound."""
        lowest = np.inf
        for j in range(len(self._const)):
            pos, d = self._on_rows(j)
            lowest = min(lowest, self._const[j] + (d * mu[pos]).sum())
        return float(lowest - (self._cap * mu).sum())

    def _on_rows(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions in `rows`, use) of cut j's rows among `rows` (worked out once while `rows` stay)."""
        if self._at[j] is None:
            k, d = self._keys[j], self._use[j]
            pos = np.minimum(np.searchsorted(self.rows, k), len(self.rows) - 1)
            on = self.rows[pos] == k
            self._at[j] = (pos[on], d[on])
        return self._at[j]

    def best_within(self, lo: np.ndarray, hi: np.ndarray) -> tuple[float, np.ndarray | None]:
        """max over lo <= μ <= hi of min_j C_j + μ·(d_j − capacity): (that maximum, μ); μ None if the LP fails.
        As an LP in v and y = μ − lo: min −v + cap·y  s.t.  v − d_j·y <= C_j + d_j·lo."""
        rows, n_cuts, cap = self.rows, len(self._const), self._cap
        r_idx, c_idx, vals, rhs = [], [], [], np.zeros(n_cuts)
        for j in range(n_cuts):
            pos, d = self._on_rows(j)
            r_idx += [np.full(len(pos) + 1, j)]
            c_idx += [np.r_[0, pos + 1]]
            vals += [np.r_[1.0, -d]]
            rhs[j] = self._const[j] + (d * lo[pos]).sum()
        matrix = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(r_idx), np.concatenate(c_idx))),
                                   shape=(n_cuts, len(rows) + 1))
        least = rhs.min()  # v >= least at the optimum (y = 0 is feasible): v = least + w, w >= 0, and GLOP
        # sees right-hand sides of the size of L's changes, not of L (it fails on 3e10 at capacity-tight 100k)
        for solver, params in LP_SOLVERS:
            try:
                sol = solve_sparse(np.r_[-1.0, cap], matrix, np.full(n_cuts, -np.inf), rhs - least,
                                   var_ub=np.r_[np.inf, hi - lo], solver=solver, params=params)
            except RuntimeError:  # a solver this build of OR-Tools lacks
                continue
            if sol.status == "optimal":
                break
        else:
            return -np.inf, None
        mu = lo + sol.x[1:]
        return float(least + sol.x[0] - (cap * mu).sum()), mu
