"""The bound of a big batch, worked out on the other core while the batch is solved.

Two sets of prices, and their combinations:

1. the max-flow minimum cut (`cut_bound`): the rows that force backorders,
   priced at the backorder penalty; the best bound when capacity is short;
2. the whole-order flow (`order_flow`): node parcels priced as every order
   competes for them; the best bound otherwise;
3. when the flow is the better end, each row at the higher of its two prices,
   kept instead of the flow's when better: where a few scarce SKUs force the
   backorders, the flow prices their stock rows far below the penalty, and the
   cut prices nothing else (where the cut is better, it prices so many rows
   that both prices together count the penalty twice over);
4. when the flow is the better end, a few raising steps (`price_raise`) from
   the better of 2 and 3;
5. when the cut is the better end: L is concave in λ, so along the segment
   between the cut's prices and the flow's it is at least the weighted mean of
   its ends, and often above both. A few points of that segment are tried,
   nearer the cut first (at 100k orders, the segment from 4 gained nothing;
   at capacity-tight 100k, raising the flow's prices gained 0.2%);
6. from the best of these, the cutting-plane ascent (`price_bundle`) until the
   parent wants the result; on batches up to LP_MAX_ORDERS, after a short ascent,
   rounds of the LP over the plans its evaluations found (`lp_prices`).
Steps 4 to 6 stop early when the parent wants the result, and every better
bound is reported as it comes (`aside.report`): the parent takes the last one.

Measured at 100k orders: cut 261.7M fen, whole-order flow 270.2M, higher of the
two 280.6M, raised 283.9M after one step and 284.9M after four (the flow's own
prices raised: 275.9M), 285.4M after 6 s of the ascent from there. Capacity-tight 100k:
cut 6,110M, whole-order flow 6,035M, higher of the two −6,641M (the cut prices
13,446 rows at the penalty), segment 6,207M (α = 0.05 of the flow's prices),
6,263M after 5 s of the ascent.
"""
from __future__ import annotations

import time

import numpy as np

from allocation.aside import report, stop_requested
from allocation.bound import lagrangian_value
from allocation.cut_bound import cut_prices
from allocation.order_flow import order_flow_prices
from allocation.lp_prices import LpPrices
from allocation.plans import Priced
from allocation.prepare import Prepared
from allocation.price_bundle import PriceBundle
from allocation.price_raise import raise_prices

RAISE_ROUNDS = 2  # raising steps from the whole-order flow's prices (100k orders: +4.4M, +0.7M, then +0.3M a step,
# where the ascent that follows gains more in the time: 285.07M fen with 2 steps, 284.96-285.01M with 4, two runs each)
FIRST_SHARE = 0.1  # share of the weaker end's prices at the first point tried
LP_MAX_ORDERS = 30_000  # batches up to this size go on from the ascent to the LP's own prices (`lp_prices`): within
# 17 s, gap 0.73% instead of 1.85% at capacity-tight 25k orders, 1.78% and 1.76% at 30k; at 40k the rounds come too late
# (capacity-tight 2.45% instead of 2.19%, 2.32% instead of 1.08%), and at 100k a round takes 5-50 s
LP_S_PER_ORDER = 0.002  # ...and bigger ones when the time limit gives at least this long an order: next to the
# answer's work the LP's rounds reached 286.9M fen after 83 s at 100k orders and 6,294M after 163 s at capacity-tight
# 100k, and a look at their plan takes 8-10 s there (gap 0.90% after 89 s and 1.17% after 174 s); with less time the
# ascent's path does better (capacity-tight 100k given 150 s: 2.22% that way, 10.5% by LP rounds cut short)
ASCENT_BEFORE_LP_S = 2.5  # the ascent's time before that (per ASCENT_ORDERS orders on bigger batches: more
# evaluations, better first columns), and its evaluations the LP's first columns
ASCENT_ORDERS = 40_000
BLEND_POINTS = 3  # points tried at most (an exact L each: ~0.6 s at 100k orders)


def aside_bound(prep: Prepared, alone: Priced, deadline: float, by_lp: bool = False) \
        -> tuple[float, np.ndarray, np.ndarray, dict, np.ndarray | None]:
    """(L, row keys, prices, stats, plan): the best of the cut's bound, the whole-order flow's, each row at the
    higher of the two prices, those raised, and points between the cut and the flow when the cut is better.
    The optional steps (raising, the segment) start only before `deadline` and before the parent wants the
    result; the segment comes first. With `by_lp` (`goes_on_to_lp`), the ascent gives way to the LP rounds after
    ASCENT_BEFORE_LP_S (more on bigger batches). `plan` (slot per item) is each order's plan in the LP whose
    prices these are, when they come from the LP rounds, else None. Each report is such a tuple."""
    started = time.perf_counter()
    cut_keys, cut_lam, forced = cut_prices(prep)
    cut = (lagrangian_value(prep, cut_keys, cut_lam, alone)[0] if forced else -np.inf, cut_keys, cut_lam)
    stats = {"forced_backorder_units": forced, "cut_bound_fen": round(cut[0]) if forced else None,
             "cut_bound_s": round(time.perf_counter() - started, 3)}
    keys, lam, flow_stats = order_flow_prices(prep, alone)
    value, priced = lagrangian_value(prep, keys, lam, alone)
    stats.update(flow_stats, order_flow_bound_fen=round(value))
    flow = (value, keys, lam)
    if forced and flow[0] > cut[0]:  # every row at the higher of its two prices (see 3. above)
        keys, lam = _higher_price(cut[1:], flow[1:])
        value, higher_priced = lagrangian_value(prep, keys, lam, alone)
        stats["higher_of_both_bound_fen"] = round(value)
        if value > flow[0]:
            flow, priced = (value, keys, lam), higher_priced
    best = max(cut, flow, key=lambda b: b[0])

    def go_on() -> bool:
        return time.perf_counter() < deadline and not stop_requested()

    def raise_flow():
        nonlocal best
        value, keys, lam, steps, _ = raise_prices(prep, *flow[1:], RAISE_ROUNDS, deadline=deadline, priced=priced,
                                                  value=flow[0], alone=alone, stop=stop_requested)
        stats.update(order_flow_raise_steps=steps, order_flow_raised_bound_fen=round(value))
        best = max(best, (value, keys, lam), key=lambda b: b[0])

    def segment():
        nonlocal best
        best = _along_segment(prep, alone, cut, flow, best, deadline, stats)

    def tell(b: tuple, b_plan: np.ndarray | None, more: dict | None = None) -> None:
        """Report (L, row keys, prices) `b`, the stats so far with `more`, and the LP's plan there if any."""
        report((b[0], b[1], b[2], {**stats, **(more or {})}, b_plan))

    def ascend():
        nonlocal best, plan
        bundle = PriceBundle(prep, alone, best[1], best[2], keep_plans=by_lp)
        ascent_s = ASCENT_BEFORE_LP_S * max(1.0, prep.orders.n_orders / ASCENT_ORDERS)
        bundle.run(min(deadline, time.perf_counter() + ascent_s) if by_lp else deadline,
                   stop=lambda _: stop_requested(), on_better=lambda b: tell(b, None, bundle.stats()))
        stats.update(bundle.stats())
        best = max(best, bundle.best, key=lambda b: b[0])
        if by_lp and go_on():
            lp = LpPrices(prep, alone, bundle.plans, best)
            lp.run(deadline, stop=stop_requested, on_round=lambda b: tell(b, lp.plan, lp.stats()))
            stats.update(lp.stats())
            if lp.best[0] > best[0]:
                best, plan = lp.best, lp.plan

    plan = None
    tell(best, plan)
    for step in ((segment, ascend) if cut[0] > flow[0] else (raise_flow, ascend)):
        if go_on():
            step()
            tell(best, plan)
    stats["aside_bound_fen"] = round(best[0])
    return best[0], best[1], best[2], stats, plan


def goes_on_to_lp(prep: Prepared, seconds: float) -> bool:
    """Whether `aside_bound` should go on from the ascent to the LP rounds on this batch, given `seconds` for it:
    up to LP_MAX_ORDERS orders, or LP_S_PER_ORDER an order (the parent then reads its reports while it runs)."""
    n = prep.orders.n_orders
    return n <= LP_MAX_ORDERS or seconds >= LP_S_PER_ORDER * n


def _on_common_keys(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]):
    """(keys, prices of `a`, prices of `b`) over every row of `a` or `b` ((keys, prices) each; 0 where unpriced)."""
    keys = np.union1d(a[0], b[0])
    p_a, p_b = np.zeros(len(keys)), np.zeros(len(keys))
    p_a[np.searchsorted(keys, a[0])] = a[1]
    p_b[np.searchsorted(keys, b[0])] = b[1]
    return keys, p_a, p_b


def _higher_price(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]):
    """(keys, prices): every row of `a` or `b` (keys, prices) at the higher of its two prices."""
    keys, p_a, p_b = _on_common_keys(a, b)
    return keys, np.maximum(p_a, p_b)


def _along_segment(prep: Prepared, alone: Priced, a, b, best, deadline: float, stats: dict):
    """The best L seen at a few points between the price vectors of `a` and `b` ((L, keys, prices)
    each): `share` of the weaker end's prices, from FIRST_SHARE, then further from the better end
    while L rises, else nearer to it (L is concave along the segment)."""
    strong, weak = (a, b) if a[0] >= b[0] else (b, a)
    keys, p_strong, p_weak = _on_common_keys(strong[1:], weak[1:])

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
