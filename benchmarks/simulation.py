"""A one-day baseline on the 1,000-store network (~100k orders), allocation included.

    .venv/bin/python benchmarks/simulation.py [--scenario baseline] [--seed 42] [--profile prof.out]

Prints the time split the engine measures (allocation, the OMS node actions, intake, the simulation
itself), events per second, the 24-hour share, and as its last line:

    simulation: orders=<n> wall_s=<s> events_per_s=<n> within_24h_pct=<pct>

`wall_s` is the whole run (world cached beforehand, as in replications): drawing the demand, the
SimPy run with every OMS call, and building the records. `--profile` also writes a cProfile file.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenarios.loader import load_scenario  # noqa: E402
from simulation import kpis  # noqa: E402
from simulation.engine import Simulation  # noqa: E402
from simulation.world import world_of  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile of the run here")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    started = time.perf_counter()
    world_of(scenario)
    print(f"world (geography, network, stock, transit matrix): {time.perf_counter() - started:.2f} s")
    simulation = Simulation(scenario, args.seed)
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        records = profiler.runcall(simulation.run)
        profiler.dump_stats(args.profile)
    else:
        records = simulation.run()
    s = records.stats
    summary = kpis.summary(records)
    oms = s["allocation_s"] + s["node_actions_s"] + s["intake_s"]
    print(f"orders {s['orders_placed']:,}, shipments {len(records.shipments):,}, waves {len(records.waves)}, "
          f"simulated {s['sim_hours']:.0f} h ({s['ended_by']})")
    print(f"time split: setup {s['setup_s']:.1f} s | run {s['run_s']:.1f} s = allocation {s['allocation_s']:.1f} s "
          f"(solver {s['solver_s']:.1f} s) + OMS node actions {s['node_actions_s']:.1f} s + intake "
          f"{s['intake_s']:.1f} s + simulation {s['simulation_s']:.1f} s | records {s['collect_s']:.1f} s")
    print("OMS node actions: " + ", ".join(f"{name} {spent:.1f} s" for name, spent in s["node_action_s"].items()))
    print("scheduled routines: " + ", ".join(f"{name} {spent:.1f} s" for name, spent in s["routine_s"].items()))
    print(f"engine: {s['events']:,} events; {s['events_per_s']:,.0f} events/s of run time, "
          f"{s['events'] / max(s['run_s'] - oms, 1e-9):,.0f} events/s of simulation time (OMS calls excluded)")
    print(f"delivered within 24 h: {summary['within_24h_pct']:.2f} %, p50 {summary['delivery_p50_h']:.1f} h, "
          f"p90 {summary['delivery_p90_h']:.1f} h, cost per order ¥{summary['cost_per_order_yuan']:.2f}")
    print(f"process CPU time {s['cpu_s']:.1f} s of {s['wall_s']:.1f} s wall "
          f"({'other processes shared the cores' if s['cpu_s'] < 0.9 * s['wall_s'] else 'a core to itself'})")
    print(f"simulation: orders={s['orders_placed']} wall_s={s['wall_s']:.1f} events_per_s={s['events_per_s']:.0f} "
          f"within_24h_pct={summary['within_24h_pct']:.2f}")


if __name__ == "__main__":
    main()
