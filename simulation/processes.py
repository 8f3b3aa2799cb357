"""The actors of a run, as SimPy processes: customers paying, the allocation wave, pickers at each
node, couriers collecting at cut-off times, same-city riders, line-haul and the last mile, the RDCs
replenishing stores, a node going down. Each one acts on the OMS only through `Sim.gateway`.

Time is minutes from the run's start (`Sim.env.now`).
"""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from warehouses.handover import next_carrier_pickup

if TYPE_CHECKING:  # pragma: no cover
    from simulation.engine import Sim, Ticket
    from simulation.floor import NodeFloor

MINUTES_PER_HOUR = 60.0
MINUTES_PER_DAY = 1440.0


def order_arrivals(sim: "Sim"):
    """Customers pay, one after another, at the demand's payment times."""
    env, paid = sim.env, sim.demand.paid_minute
    for k in range(len(paid)):
        wait = paid[k] - env.now
        if wait > 0:
            yield env.timeout(wait)
        sim.customer_pays(k)
    sim.arrivals_done = True
    sim.check_finished()


def allocation_wave(sim: "Sim", every_minutes: float):
    """The OMS allocates every open order on a fixed grid (…, 10:00, 10:10, …)."""
    env = sim.env
    while True:
        yield env.timeout(every_minutes - env.now % every_minutes)
        sim.allocate("wave")


def reallocation_desk(sim: "Sim", every_minutes: float):
    """Orders whose lines a node gave back go through allocation again, a batch at a time."""
    env = sim.env
    while True:
        yield env.timeout(every_minutes - env.now % every_minutes)
        sim.reallocate_pending()


def picker(sim: "Sim", t: "Ticket"):
    """A shipment at a node: staff notice it, wait for a free picker, find the units (or give lines
    back), pick and pack, then hand it to a rider or leave it for the courier's pickup."""
    env, floor, spec = sim.env, t.floor, sim.handling[t.floor.kind]
    start = floor.available_from(floor.work_done(env.now, sim.release_minutes(t)))
    while start > env.now:  # re-checked after the wait: the node may have gone down meanwhile
        yield env.timeout(start - env.now)
        if t.withdrawn:
            return
        start = floor.available_from(env.now)
    sim.node_accepts(t)
    with floor.bench.request() as request:
        yield request
        while (begin := floor.available_from(env.now)) > env.now:
            yield env.timeout(begin - env.now)
        if t.withdrawn:
            return
        sim.pick_starts(t)
        missing = sim.missing_lines(t)
        if missing:
            yield env.timeout(spec.search_minutes)
            floor.busy_minutes += spec.search_minutes
            if t.withdrawn or not sim.node_rejects(t, missing, "out_of_stock"):
                return
        began = env.now
        done = floor.work_done(began, sim.pick_minutes(t))
        yield env.timeout(done - began)
        floor.busy_minutes += done - began
        if t.withdrawn:
            return
        sim.node_packs(t)
    if t.mode == "rider":
        rider_dispatch(sim, t)
    else:
        floor.awaiting_pickup.append(t)


def carrier_pickup(sim: "Sim", floor: "NodeFloor"):
    """The express courier calls at each of the node's cut-off times and takes every packed parcel."""
    env, clock, node = sim.env, sim.clock, floor.node
    while True:
        pickup = next_carrier_pickup(node, clock.at(env.now) + timedelta(seconds=1))
        yield env.timeout(clock.minute(pickup) - env.now)
        if not floor.awaiting_pickup or floor.down_at(env.now) is not None or sim.pickups_skipped(floor):
            continue
        parcels, floor.awaiting_pickup = floor.awaiting_pickup, []
        for t in parcels:
            if not t.withdrawn:
                sim.hand_over(t, by="courier")
                on_the_road(sim, t)


def rider_dispatch(sim: "Sim", t: "Ticket"):
    """A same-city rider collects the parcel as soon as it is packed and rides to the customer."""
    sim.hand_over(t, by="rider")
    on_the_road(sim, t)


def on_the_road(sim: "Sim", t: "Ticket"):
    """Trunk, sorting and the last mile (or the rider's ride) as one leg: the lane's transit time drawn
    from the transit model plus any carrier delay. Nothing the OMS sees happens in between, so the
    parcel needs no event until its delivery."""
    hours = sim.transit_hours(t) + sim.carrier_delay_hours(t)
    leg = sim.env.timeout(max(hours, 0.0) * MINUTES_PER_HOUR)
    leg.callbacks.append(lambda _: sim.delivered(t))


def outage(sim: "Sim", node_id: str, start_minute: float, end_minute: float, reallocate: bool):
    """A node goes down: allocation stops sending it orders; its waiting shipments may go elsewhere."""
    env = sim.env
    yield env.timeout(start_minute - env.now)
    sim.node_down(node_id, reallocate)
    yield env.timeout(end_minute - env.now)
    sim.node_up(node_id)


def daily(sim: "Sim", at_minute_of_day: float, action):
    """Run `action(sim)` every day at a time of day (minutes after local midnight)."""
    env = sim.env
    first = sim.minutes_after_midnight
    while True:
        wait = (at_minute_of_day - (env.now + first)) % MINUTES_PER_DAY
        yield env.timeout(wait if wait > 0 else MINUTES_PER_DAY)
        sim.timed_routine(action)


def every(sim: "Sim", minutes: float, action, until_minute: float = float("inf")):
    """Run `action(sim)` every `minutes` (until `until_minute`)."""
    env = sim.env
    while env.now + minutes <= until_minute:
        yield env.timeout(minutes)
        sim.timed_routine(action)


def customer_cancels(sim: "Sim", order_id: int, after_minutes: float, reason: str):
    yield sim.env.timeout(after_minutes)
    sim.cancel(order_id, reason)


def horizon(sim: "Sim", end_minute: float):
    """Stop the run when every order is settled, or at the horizon at the latest."""
    yield sim.env.timeout(end_minute)
    if not sim.finished.triggered:
        sim.finished.succeed("horizon")
