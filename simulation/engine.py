"""The engine: one scenario, one seed → a SimPy run of the OMS's own code → immutable records.

    records = Simulation(load_scenario("baseline"), seed=42).run()

The scenario is the description (validated data); this module builds the world it describes,
draws the demand, sets the OMS up on an in-memory store with the real planner and allocator, starts
the actors of `processes.py` and runs until every order is delivered, cancelled or left
unfulfilled at the horizon. Same scenario and seed → identical records.
"""
from __future__ import annotations

import functools
import gc
import time
from dataclasses import replace
from typing import Callable

import simpy

from allocation.collector import collector_paused
from allocation.costs import CostWeights
from allocation.oms_planner import OmsPlanner
from allocation.ports import allocator_named
from scenarios.schema import Scenario
from simulation import processes as actors
from simulation import routines
from simulation.collect import node_records, order_records
from simulation.demand import Demand, generate_demand
from simulation.oms_gateway import OmsGateway, RecordingAllocator
from simulation.records import RunRecords
from simulation.rng import OrderDraws, Streams
from simulation.state import Sim
from simulation.walk_in import WalkIns, walk_in_customers
from simulation.world import World, world_of
from warehouses.geography import resolve_address

Progress = Callable[[float], None]  # share of the horizon simulated so far


class Simulation:
    """A scenario run once with one seed."""

    def __init__(self, scenario: Scenario, seed: int | None = None, *, demand: Demand | None = None):
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self._demand = demand

    def run(self, progress: Progress | None = None, inspect: Callable[[Sim], None] | None = None) -> RunRecords:
        """Run to the end; `inspect(sim)` sees the final state (the OMS store) before it is dropped."""
        started, cpu = time.perf_counter(), time.process_time()
        scenario, streams = self.scenario, Streams(self.seed)
        world = world_of(scenario)
        demand, dropped = self._demand_for(world, streams)
        sim = build(scenario, world, demand, OrderDraws.draw(streams, len(demand)))
        if scenario.demand.walk_in.sales_per_open_hour > 0:
            sim.walk_ins = WalkIns.of(sim, scenario.demand.walk_in.sales_per_open_hour, streams.stream("walk_in"))
        schedule(sim, progress)
        ready = time.perf_counter()
        # A run makes millions of small objects that live to its end and almost no reference cycles
        # (a full collection after a 25k-order day with the collector off finds 50 unreachable
        # objects): the collector's passes over them cost 4.4 of 70 CPU s on a 100k-order day.
        # `collect_if_crowded` keeps memory bounded should a scenario make cycles after all.
        with collector_paused(freeze=True):
            sim.env.run(until=sim.finished)
            ran = time.perf_counter()
            records = RunRecords(scenario.name, self.seed, *_records(sim), stats={})
            stats = _stats(sim, demand, dropped, started, ready, ran)
            if inspect is not None:
                inspect(sim)
            _dismantle(sim)
        if progress:
            progress(1.0)
        stats.update(collect_s=time.perf_counter() - ran, wall_s=time.perf_counter() - started,
                     cpu_s=time.process_time() - cpu)  # less than wall when other processes share the cores
        return replace(records, stats=stats)

    def demand(self) -> Demand:
        """The orders this run would replay (the same for every policy on the same seed)."""
        return self._demand_for(world_of(self.scenario), Streams(self.seed))[0]

    def _demand_for(self, world: World, streams: Streams) -> tuple[Demand, int]:
        if self._demand is not None:
            return self._demand, 0
        spec = self.scenario.demand
        if spec.replay is not None:
            from simulation.replay import load_replay

            return load_replay(spec.replay, self.scenario.run, world)
        return generate_demand(spec, self.scenario.run, world, streams.stream("demand")), 0


def build(scenario: Scenario, world: World, demand: Demand, draws: OrderDraws) -> Sim:
    """The OMS on a fresh in-memory store holding the opening stock, with the scenario's planner and
    allocator, and the run's state around it."""
    spec = scenario.allocation
    planner = OmsPlanner(world.matrix, world.catalogue, policy=spec.policy, weights=cost_weights(scenario))
    options = {"explain": spec.explain}
    if spec.allocator == "optimal":
        options["time_limit_s"] = spec.optimal_time_limit_s
    gateway = OmsGateway(world.catalogue, planner, RecordingAllocator(allocator_named(spec.allocator, **options)),
                         resolve_address=_address_resolver())
    gateway.store.stock.update({(lv.node_id, lv.sku_code): lv for lv in world.opening_levels(shipping_only=True)})
    sim = Sim(scenario, world, demand, draws, gateway, simpy.Environment())
    planner.rejection_rates = routines.prior_rejection_rates(sim)
    return sim


def cost_weights(scenario: Scenario) -> CostWeights:
    given = {k: v for k, v in scenario.allocation.weights.model_dump().items() if v is not None}
    base = CostWeights()
    for table in ("handling_per_parcel_fen", "handling_per_unit_fen"):
        if table in given:
            given[table] = {**getattr(base, table), **given[table]}
    return replace(base, **given)


@functools.lru_cache(maxsize=1)
def _address_resolver():
    # The server's resolver (api/app.py) remembers answers the same way.
    return functools.lru_cache(maxsize=65_536)(resolve_address)


def schedule(sim: Sim, progress: Progress | None = None) -> None:
    """Start every actor of the run."""
    env, scenario = sim.env, sim.scenario
    spec, run = scenario.allocation, scenario.run
    env.process(actors.order_arrivals(sim))
    # Real-time allocation (wave_minutes 0) still sweeps hourly for back-orders and plans left to retry.
    env.process(actors.allocation_wave(sim, spec.wave_minutes or 60.0))
    if spec.reallocation_minutes > 0:
        env.process(actors.reallocation_desk(sim, spec.reallocation_minutes))
    for floor in sim.floors.values():
        if floor.node.carrier_cutoffs and floor.node.ships_express:
            env.process(actors.carrier_pickup(sim, floor))
    for outage in scenario.shocks.outages:
        env.process(actors.outage(sim, outage.node_id, outage.start_hour * 60, outage.end_hour * 60,
                                  outage.reallocate_open_shipments))
    env.process(actors.daily(sim, 0.0, routines.new_day))
    if sim.walk_ins is not None:
        env.process(walk_in_customers(sim, sim.walk_ins, run.demand_hours * 60))
    stock = scenario.fulfilment.replenishment
    if stock.enabled:
        env.process(actors.daily(sim, _minute_of_day(stock.store_transfer_at), routines.store_transfers))
        env.process(actors.daily(sim, _minute_of_day(stock.rdc_inbound_at), routines.central_inbound))
    if spec.learn_rejection_rates_hours:  # while orders arrive: afterwards only re-allocations would use it
        env.process(actors.every(sim, spec.learn_rejection_rates_hours * 60, routines.learn_rejections,
                                 until_minute=run.demand_hours * 60))
    env.process(actors.every(sim, run.backlog_sample_minutes, routines.sample_backlog))
    env.process(actors.every(sim, 60.0, collect_if_crowded))
    if scenario.fulfilment.cancellations.backordered_after_hours is not None:
        env.process(actors.every(sim, 60.0, routines.cancel_old_backorders))
    horizon_min = scenario.horizon_hours * 60
    if progress is not None:
        env.process(actors.every(sim, 60.0, lambda s: progress(min(s.env.now / horizon_min, 1.0))))
    env.process(actors.horizon(sim, horizon_min))


def _minute_of_day(moment) -> float:
    return moment.hour * 60 + moment.minute


YOUNG_OBJECTS_BEFORE_COLLECTING = 20_000_000  # several times what a 100k-order day leaves alive


def collect_if_crowded(_sim: "Sim") -> None:
    """With automatic collection off, collect once this many objects were made since the last time."""
    if gc.get_count()[0] > YOUNG_OBJECTS_BEFORE_COLLECTING:
        gc.collect(0)


def _records(sim: Sim) -> tuple:
    orders, shipments = order_records(sim)
    worked_until = min(sim.env.now, (sim.scenario.run.demand_hours + 24) * 60)  # the days picking happens
    return (tuple(orders), tuple(shipments), tuple(sim.waves), tuple(sim.backlog),
            tuple(node_records(sim, worked_until)))


def _dismantle(sim: Sim) -> None:
    """Drop the run's state now, while the collector is still tuned: the actors still waiting in the
    event queue hold the whole store in reference cycles, and one full collection over them costs
    seconds. Emptying the queue and the tables lets reference counting free nearly all of it."""
    sim.env._queue.clear()
    for floor in sim.floors.values():
        floor.bench.queue.clear()
        floor.bench.users.clear()
        floor.awaiting_pickup.clear()
        floor.tickets.clear()
    sim.floors.clear()
    sim.orders.clear()
    sim.gateway.store.orders.clear()
    sim.gateway.store.stock.clear()
    sim.gateway.store.extras.clear()


def _stats(sim: Sim, demand: Demand, dropped: int, started: float, ready: float, ran: float) -> dict:
    events = next(sim.env._eid) if hasattr(sim.env, "_eid") else 0  # SimPy numbers every scheduled event
    run_s = ran - ready
    oms = sum(sim.timing.values())
    return {
        "orders_demanded": len(demand), "orders_placed": len(sim.orders), "orders_refused": len(sim.refused),
        "orders_resent": sim.resent, "replay_rows_outside_window": dropped, "events": events,
        "events_per_s": events / run_s if run_s > 0 else 0.0, "setup_s": ready - started, "run_s": run_s,
        "allocation_s": sim.timing["allocation"],
        "solver_s": sim.gateway.allocator.wall_s, "intake_s": sim.timing["intake"],
        "node_actions_s": sim.timing["node_actions"] + sim.timing["carrier"],
        "node_action_s": {name: round(spent, 3) for name, spent in sorted(sim.action_s.items())},
        "routine_s": {name: round(spent, 3) for name, spent in sorted(sim.routine_s.items())},
        "simulation_s": max(run_s - oms, 0.0), "sim_hours": sim.env.now / 60,
        "ended_by": sim.finished.value if sim.finished.triggered else "horizon",
        **(sim.walk_ins.stats() if sim.walk_ins is not None else {}),
    }
