"""Prices from the LP itself: column generation over the plans the bound's evaluations found.

The ascent (`price_bundle`) keeps one cut per evaluation of L, summed over
every order, and slows down where thousands of rows trade demand: on
capacity-tight 20k orders it gains 0.001M fen in its last 16 s (595.59M after
30 s), where the LP over every order's plans is at 597.78M. The restricted
master keeps each order's plans apart instead: its LP over every plan seen so
far (`master`) is solved by PDLP, a first-order method, to a tolerance of 1e-4
(3 s there from nothing, where GLOP's simplex takes 9-43 s), and gives row
prices. L at those prices is a valid bound whatever the LP's accuracy, and each
order's best plans there join the columns for the next round, which starts from
this round's solution (new columns at 0). Capacity-tight 20k, from 20
evaluations of the ascent (595.43M): 597.41M -> 597.73M fen after 3 and 4
rounds, 3.9 s of LP in all (each round from nothing: 597.54M after 4 rounds and
8.5 s, 597.75M after 5 rounds and 11.8 s). The first rounds go to a looser
tolerance: their prices only have to show the LP where to go.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from allocation import columns as colmod
from allocation.batch import OrderArrays
from allocation.bound import lagrangian_value
from allocation.fitting import master_data
from allocation.master import solve_lp_from
from allocation.plans import Priced
from allocation.prepare import Prepared

TOLERANCE = (1e-3, 3e-4, 1e-4)  # PDLP's relative and absolute tolerance in rounds 1, 2 and from 3 on


class LpPrices:
    """Rounds of the restricted master from the given plans (full-length slot-per-item arrays, one per
    evaluation) and the best (L, row keys, prices) so far; `best` is the highest L evaluated."""

    def __init__(self, prep: Prepared, alone: Priced, plans: list[np.ndarray], best: tuple):
        o = prep.orders
        self.prep, self.alone, self.best = prep, alone, best
        self._every = np.arange(o.n_orders)
        self._cols = colmod.concat(*(colmod.from_item_slots(o, self._every, p) for p in (*plans, alone.item_slot)),
                                   colmod.backorder_all(o, self._every))
        self._rounds, self._s, self.done = 0, 0.0, False
        self._lp = None  # the last round's LP, where the next one starts
        self.plan: np.ndarray | None = None  # slot per item: each order's largest column in the LP of `best`

    def run(self, deadline: float, stop: Callable[[], bool] | None = None,
            on_round: Callable[[tuple], None] | None = None, rounds: int | None = None) -> None:
        """Rounds, each started only if it can end before `deadline` (as long as the longest so far) and
        while `stop()` (if given) says no, until `rounds` more were taken; `on_round(best)` after each."""
        prep, o, per_round = self.prep, self.prep.orders, 0.0
        last = np.inf if rounds is None else self._rounds + rounds
        while not self.done and self._rounds < last and time.perf_counter() + per_round < deadline and \
                not (stop is not None and stop()):
            t0 = time.perf_counter()
            self._cols, data = master_data(prep, self._cols)
            tol = TOLERANCE[min(self._rounds, len(TOLERANCE) - 1)]
            try:
                lp = solve_lp_from(data, prep.res.capacity, deadline - t0, tol, start=self._lp)
            except RuntimeError:  # PDLP missing from this build of OR-Tools: the ascent's prices stay
                break
            if lp.solution.status != "optimal":  # out of time
                break
            self._lp = lp
            on = lp.row_price > 1e-9
            value, priced = lagrangian_value(prep, lp.row_keys[on], lp.row_price[on], self.alone)
            if value > self.best[0]:  # (its plan over this LP's columns, before the new ones join)
                self.best = (value, lp.row_keys[on], lp.row_price[on])
                self.plan = _largest_columns(o, self._cols, lp.solution.x)
            before = self._cols.n
            self._cols = colmod.concat(self._cols, colmod.from_item_slots(o, self._every, priced.item_slot))
            self._rounds += 1
            self.done = self._cols.n == before  # every order's best plan at these prices is a column already:
            # the LP over every plan is this one (to PDLP's tolerance)
            per_round = max(per_round, time.perf_counter() - t0)
            self._s += time.perf_counter() - t0
            if on_round is not None:
                on_round(self.best)

    def stats(self) -> dict:
        return {"lp_rounds": self._rounds, "lp_columns": self._cols.n, "lp_s": round(self._s, 3)}


def _largest_columns(o: OrderArrays, cols: colmod.Columns, x: np.ndarray) -> np.ndarray:
    """Slot per item: each order's column with the largest value in the LP's solution `x` (every order has
    one: its back-order column at least)."""
    by = np.lexsort((x, cols.order))
    last = by[np.r_[cols.order[by][1:] != cols.order[by][:-1], True]]
    plan = np.full(len(o.item_qty), -1, dtype=np.int64)
    mine = np.isin(cols.e_col, last)
    plan[cols.e_item[mine]] = cols.e_slot[mine]
    return plan
