"""The bound of a big batch, worked out on the other core while the batch is solved.

Two sets of prices, then the best point between them:

1. the max-flow minimum cut (`cut_bound`): the rows that force backorders,
   priced at the backorder penalty; the best bound when capacity is short;
2. the whole-order flow (`order_flow`), raised by a few steps (`price_raise`):
   node parcels priced as every order competes for them; the best bound otherwise;
3. L is concave in λ, so along the segment between the two price vectors it is
   at least the weighted mean of its ends, and often above both. A few points
   of that segment are tried, nearer the better end first.
Steps 2 (its raising) and 3 stop early when the parent wants the result.

Measured at 100k orders: cut 261.7M fen, whole-order flow 275.9M, segment
276.07M (α = 0.05 of the cut); capacity-tight: cut 6,110M, whole-order flow
6,045M, segment 6,200.8M (α = 0.9).
"""
from __future__ import annotations

import time

import numpy as np

from allocation.aside import stop_requested
from allocation.bound import lagrangian_value
from allocation.cut_bound import cut_prices
from allocation.order_flow import order_flow_prices
from allocation.plans import Priced
from allocation.prepare import Prepared
from allocation.price_raise import raise_prices

RAISE_ROUNDS = 4  # raising steps from the whole-order flow's prices (100k orders: +4.4M, +0.7M, +0.3M, +0.3M fen)
FIRST_SHARE = 0.1  # share of the weaker end's prices at the first point tried
BLEND_POINTS = 3  # points tried at most (an exact L each: ~0.6 s at 100k orders)


def aside_bound(prep: Prepared, alone: Priced, deadline: float) -> tuple[float, np.ndarray, np.ndarray, dict]:
    """(L, row keys, prices, stats): the best of the cut's bound, the whole-order flow's (raised), and
    points between them. The optional steps (raising, the segment) start only before `deadline` and before
    the parent wants the result; the segment comes first when the cut is already the better bound."""
    started = time.perf_counter()
    cut_keys, cut_lam, forced = cut_prices(prep)
    cut = (lagrangian_value(prep, cut_keys, cut_lam, alone)[0] if forced else -np.inf, cut_keys, cut_lam)
    stats = {"forced_backorder_units": forced, "cut_bound_fen": round(cut[0]) if forced else None,
             "cut_bound_s": round(time.perf_counter() - started, 3)}
    keys, lam, flow_stats = order_flow_prices(prep, alone)
    value, priced = lagrangian_value(prep, keys, lam, alone)
    stats.update(flow_stats, order_flow_bound_fen=round(value))
    flow, best = (value, keys, lam), max(cut, (value, keys, lam), key=lambda b: b[0])

    def go_on() -> bool:
        return time.perf_counter() < deadline and not stop_requested()

    def raise_flow():
        nonlocal flow, best
        value, keys, lam, steps, _ = raise_prices(prep, *flow[1:], RAISE_ROUNDS, deadline=deadline, priced=priced,
                                                  value=flow[0], alone=alone, stop=stop_requested)
        stats.update(order_flow_raise_steps=steps, order_flow_raised_bound_fen=round(value))
        flow, best = (value, keys, lam), max(best, (value, keys, lam), key=lambda b: b[0])

    def segment():
        nonlocal best
        if forced and go_on():
            best = _along_segment(prep, alone, cut, flow, best, deadline, stats)

    for step in ((segment, raise_flow) if cut[0] > flow[0] else (raise_flow, segment)):
        if go_on():
            step()
    stats["aside_bound_fen"] = round(best[0])
    return best[0], best[1], best[2], stats


def _along_segment(prep: Prepared, alone: Priced, a, b, best, deadline: float, stats: dict):
    """The best L seen at a few points between the price vectors of `a` and `b` ((L, keys, prices)
    each): `share` of the weaker end's prices, from FIRST_SHARE, then further from the better end
    while L rises, else nearer to it (L is concave along the segment)."""
    strong, weak = (a, b) if a[0] >= b[0] else (b, a)
    keys = np.union1d(strong[1], weak[1])
    p_strong, p_weak = np.zeros(len(keys)), np.zeros(len(keys))
    p_strong[np.searchsorted(keys, strong[1])] = strong[2]
    p_weak[np.searchsorted(keys, weak[1])] = weak[2]

    def at(share: float):
        lam = (1 - share) * p_strong + share * p_weak
        on = lam > 0
        return lagrangian_value(prep, keys[on], lam[on], alone)[0], keys[on], lam[on]

    share, step, tried = FIRST_SHARE, FIRST_SHARE, 0
    while tried < BLEND_POINTS and 0 < share < 1 and time.perf_counter() < deadline and not stop_requested():
        point = at(share)
        tried += 1
        if point[0] > best[0]:
            best, stats["blend_share"] = point, share
            share += step  # still rising: further from the better end
        elif tried == 1 or step > 0:
            step = -step / 2  # past the top: back towards the better end, by half as much
            share = stats.get("blend_share", share) + step
        else:
            break
    stats["blend_points"] = tried
    return best
