"""Allocation benchmark: optimiser vs greedy nearest-node vs RDC-first, on seeded instances.

    python benchmarks/allocation.py --orders 10000 [--tight] [--wave] [--realtime] [--highs] [--rejection]
                                    [--candidate-stores K]

Instances come from `allocation.synthetic` (1,000 stores in 300 cities, the four
RDCs, three cloud warehouses, 5,000 SKUs, 1–6-line orders; `--tight` gives
stores 2–8 parcels a day and the warehouses ~2/3 of the batch). The last line is:
allocation: orders=<n> wall_s=<s> gap_vs_bound_pct=<pct> cost_vs_greedy_pct=<pct> splits_vs_greedy_pct=<pct>
split_rate_pct=<pct> within_promise_pct=<pct>
The optimiser runs under `--time-limit` (17 s by default): steps that would not fit are skipped.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from allocation.greedy import GreedyAllocator  # noqa: E402
from allocation.optimal import OptimalAllocator  # noqa: E402
from allocation.problem import AllocationProblem, AllocationResult  # noqa: E402
from allocation.rdc_first import RdcFirstAllocator  # noqa: E402
from allocation.synthetic import synthetic_network, synthetic_orders  # noqa: E402

NOW = datetime(2024, 11, 11, 12, tzinfo=timezone.utc)


NETWORK = "synthetic"  # or "real": warehouses/ generator + transit matrix through allocation.network_bridge
CANDIDATE_STORES: int | None = None  # the routing policy's default unless set


def instance(n_orders: int, tight: bool, seed: int = 7) -> AllocationProblem:
    if NETWORK == "real":
        problem = real_instance(n_orders, tight, seed)
    else:
        net = synthetic_network(seed=seed, demand_units=int(n_orders * 1.7), tight=tight)
        problem = AllocationProblem(synthetic_orders(net, n_orders, seed=seed + 4, now=NOW), net.nodes, net.stock,
                                    net.lanes, now=NOW)
    if CANDIDATE_STORES is not None:
        problem = replace(problem, policy=problem.policy.model_copy(update={"candidate_stores": CANDIDATE_STORES}))
    return problem


def real_instance(n_orders: int, tight: bool, seed: int = 7) -> AllocationProblem:
    """The team's real network model: ~1,000 stores, 4 RDCs, 3 clouds, real districts and lanes."""
    from dataclasses import replace as dc_replace

    from allocation.network_bridge import TransitLanes, node_states, stock_of
    from allocation.problem import LineToAllocate, OrderToAllocate
    from warehouses.catalogue import size_share, style_popularity
    from warehouses.generator import generate_catalogue, generate_network
    from warehouses.stock import generate_stock
    from warehouses.transit_matrix import TransitMatrix

    network = generate_network(1000, seed)
    catalogue = generate_catalogue(700, seed)
    matrix = TransitMatrix(network)
    lanes = TransitLanes(matrix)
    nodes = node_states(network, matrix, NOW)
    if tight:
        nodes = tuple(dc_replace(n, remaining_parcels=max(n.remaining_parcels // 6, 1)) for n in nodes)
    skus = list(catalogue)
    pop = style_popularity(catalogue)
    weight = np.array([pop[k.style] * size_share(k) for k in skus])
    rng = np.random.default_rng(seed + 4)
    geo = matrix.geography
    dist_p = geo.district_population.astype(float) / geo.district_population.sum()
    dests = rng.choice(len(dist_p), size=n_orders, p=dist_p)
    n_lines = rng.choice([1, 2, 3, 4], size=n_orders, p=[0.62, 0.26, 0.09, 0.03])
    picks = rng.choice(len(skus), size=int(n_lines.sum()), p=weight / weight.sum())
    orders, pos = [], 0
    for i in range(n_orders):
        chosen = dict.fromkeys(picks[pos:pos + n_lines[i]].tolist())
        pos += n_lines[i]
        adcode = geo.districts[dests[i]].adcode
        lines = tuple(LineToAllocate(f"R{i}-{j}", skus[k].code, 1, skus[k].price_fen, skus[k].category)
                      for j, k in enumerate(chosen))
        orders.append(OrderToAllocate(f"R{i}", "tmall" if i % 3 == 0 else "mini_program", lines,
                                      lanes.destination(adcode), NOW, NOW + timedelta(hours=24)))
    return AllocationProblem(tuple(orders), nodes, stock_of(network, generate_stock(network, catalogue, seed)),
                             lanes, now=NOW)


def figures(problem: AllocationProblem, r: AllocationResult) -> dict:
    parcels: dict[str, int] = {}
    for s in r.shipments:
        parcels[s.order_id] = parcels.get(s.order_id, 0) + 1
    lines = sum(len(o.lines) for o in problem.orders)
    on_time = sum(s.p_within_promise * len(s.lines) for s in r.shipments)
    bo_fen = problem.weights.backorder_penalty_fen * sum(b.quantity for b in r.backorders)
    return dict(cost=r.objective_fen, ship_cost=r.objective_fen - bo_fen, split_orders=sum(1 for v in parcels.values() if v > 1),
                split_rate=100.0 * sum(1 for v in parcels.values() if v > 1) / max(len(parcels), 1),
                within=100.0 * on_time / max(lines, 1), backordered=sum(b.quantity for b in r.backorders),
                wall=r.wall_s, gap=r.gap_pct)


def run_instance(n: int, tight: bool, time_limit: float) -> dict:
    t = time.perf_counter()
    problem = instance(n, tight)
    print(f"\n== {n} orders{' (capacity-tight)' if tight else ''}: built in {time.perf_counter() - t:.1f}s")
    results = {}
    for alloc in (OptimalAllocator(time_limit_s=time_limit), GreedyAllocator(), RdcFirstAllocator()):
        results[alloc.name] = figures(problem, alloc.allocate(problem))
        f = results[alloc.name]
        gap = "" if f["gap"] is None else f" gap_vs_bound={f['gap']:.3f}%"
        print(f"  {alloc.name:<10} wall={f['wall']:6.2f}s cost=¥{f['cost'] / 100:>14,.2f} "
              f"(without backorder penalties ¥{f['ship_cost'] / 100:,.2f}){gap} "
              f"split_rate={f['split_rate']:.2f}% backordered_units={f['backordered']} within_promise={f['within']:.1f}%")
    opt, gr, rdc = results["optimal"], results["greedy"], results["rdc_first"]
    for name, base in (("greedy", gr), ("rdc_first", rdc)):
        print(f"  optimal vs {name}: cost {_pct(opt['cost'], base['cost']):+.2f}% "
              f"(without backorder penalties {_pct(opt['ship_cost'], base['ship_cost']):+.2f}%), "
              f"split parcels {_pct(opt['split_orders'], base['split_orders']):+.1f}%")
    return dict(n=n, **opt, vs_greedy=_pct(opt["cost"], gr["cost"]),
                splits_vs_greedy=_pct(opt["split_orders"], gr["split_orders"]))


def _pct(a: float, b: float) -> float:
    return 0.0 if b == 0 else 100.0 * (a - b) / b


def wave_timing(n: int = 2000) -> None:
    problem = instance(n, tight=False)
    OptimalAllocator().allocate(problem)  # warm imports and caches
    results = [OptimalAllocator().allocate(problem) for _ in range(3)]
    walls = [r.wall_s for r in results]
    print(f"\n== 15-minute wave of {n} orders: optimal wall {min(walls):.3f}s (best of 3), {max(walls):.3f}s worst, "
          f"gap_vs_bound={max(r.gap_pct for r in results):.3f}%")


def realtime_latency(n: int = 3000) -> None:
    from allocation.realtime import RealtimeAllocator

    net = synthetic_network(demand_units=170_000)
    rt = RealtimeAllocator(net.nodes, net.stock, net.lanes)
    lat = []
    for order in synthetic_orders(net, n, seed=5, now=NOW):
        t = time.perf_counter()
        rt.allocate_order(order, now=NOW)
        lat.append((time.perf_counter() - t) * 1000)
    p = np.percentile(lat, [50, 95, 99])
    print(f"\n== single-order path, {n} orders one by one: p50 {p[0]:.2f} ms, p95 {p[1]:.2f} ms, p99 {p[2]:.2f} ms, "
          f"max {max(lat):.2f} ms")


def highs_cross_check(n: int, tight: bool) -> None:
    """Same candidate model solved whole by HiGHS (highspy, outside OR-Tools) vs our decomposition."""
    import highspy

    from allocation.arc_model import build_arc_model
    from allocation.prepare import prepare

    problem = instance(n, tight)
    ours = OptimalAllocator(explain=False).allocate(problem)
    model = build_arc_model(prepare(problem))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", 300.0)
    lp = highspy.HighsLp()
    a = model.matrix.tocsc()
    lp.num_col_, lp.num_row_ = model.n_vars, a.shape[0]
    lp.col_cost_, lp.col_lower_ = model.cost, np.zeros(model.n_vars)
    lp.col_upper_ = np.where(model.integer, 1.0, highspy.kHighsInf)
    lp.row_lower_ = np.where(np.isfinite(model.row_lb), model.row_lb, -highspy.kHighsInf)
    lp.row_upper_ = model.row_ub
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                       for i in model.integer]
    h.passModel(lp)
    t = time.perf_counter()
    h.run()
    wall = time.perf_counter() - t
    best = h.getInfo().objective_function_value
    print(f"\n== HiGHS cross-check, {n} orders{' (capacity-tight)' if tight else ''}: "
          f"HiGHS MIP {h.modelStatusToString(h.getModelStatus())} ¥{best / 100:,.2f} in {wall:.1f}s "
          f"(bound ¥{h.getInfo().mip_dual_bound / 100:,.2f}); ours ¥{ours.objective_fen / 100:,.2f} in {ours.wall_s:.2f}s "
          f"→ ours {_pct(ours.objective_fen, best):+.3f}% vs HiGHS")


def rejection_effect(n: int = 5000) -> None:
    """Stores that often cannot find stock are chosen less once their rejection rate is known."""
    problem = instance(n, tight=False)
    bad = {nd.node_id for nd in problem.nodes if nd.rejection_for("*") >= 0.15}
    blind = replace(problem, nodes=tuple(replace(nd, rejection_rate={}) for nd in problem.nodes))
    for label, p in (("rates ignored", blind), ("rates learned", problem)):
        r = OptimalAllocator(explain=False).allocate(p)
        share = 100.0 * sum(len(s.lines) for s in r.shipments if s.node_id in bad) / max(
            sum(len(s.lines) for s in r.shipments), 1)
        print(f"  {label:<14} lines sent to the {len(bad)} high-rejection stores: {share:.2f}%")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, nargs="+", default=[10_000])
    ap.add_argument("--tight", action="store_true", help="also run the capacity-tight variant")
    ap.add_argument("--wave", action="store_true", help="time one 15-minute wave of 2,000 orders")
    ap.add_argument("--realtime", action="store_true", help="single-order path latency")
    ap.add_argument("--highs", type=int, default=0, help="HiGHS cross-check on an instance of this many orders")
    ap.add_argument("--rejection", action="store_true", help="effect of learned rejection rates")
    ap.add_argument("--time-limit", type=float, default=17.0,
                    help="the optimiser's time limit, from the start of preparing the batch; building the result "
                         "comes after it (~1-1.5 s at 100k orders), so 17 s keeps a 100k batch within 20 s")
    ap.add_argument("--network", choices=("synthetic", "real"), default="synthetic",
                    help="real = the warehouses/ generator and transit matrix via allocation.network_bridge")
    ap.add_argument("--candidate-stores", type=int, default=None,
                    help="nearest stores holding stock offered per order (routing policy's candidate_stores)")
    args = ap.parse_args(argv)
    global NETWORK, CANDIDATE_STORES
    NETWORK, CANDIDATE_STORES = args.network, args.candidate_stores
    if args.wave:
        wave_timing()
    if args.realtime:
        realtime_latency()
    if args.highs:
        highs_cross_check(args.highs, tight=False)
        highs_cross_check(args.highs, tight=True)
    if args.rejection:
        print("\n== rejection learning")
        rejection_effect()
    last = None
    for n in args.orders:
        if args.tight:
            run_instance(n, True, args.time_limit)
        last = run_instance(n, False, args.time_limit)
    gap = float("nan") if last["gap"] is None else last["gap"]
    print(f"allocation: orders={last['n']} wall_s={last['wall']:.2f} gap_vs_bound_pct={gap:.3f} "
          f"cost_vs_greedy_pct={last['vs_greedy']:+.2f} splits_vs_greedy_pct={last['splits_vs_greedy']:+.1f} "
          f"split_rate_pct={last['split_rate']:.2f} within_promise_pct={last['within']:.1f}")


if __name__ == "__main__":
    main()
