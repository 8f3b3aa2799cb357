"""The state of one run and what each actor does to it: the bookkeeping behind `processes.py`.

Every change to an order or to stock goes through `gateway` (the OMS's own services); what is
kept here is only what the simulator itself needs: which shipment is at which stage at which
node, the pre-drawn luck of each order, counters for backlog samples and timings.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from statistics import NormalDist

import simpy

from oms.exceptions import OmsError
from oms.lifecycle import OrderStatus
from scenarios.schema import Scenario
from simulation import processes as actors
from simulation.carriers import Carriers
from simulation.channel_feed import ChannelFeed
from simulation.demand import Demand
from simulation.floor import NodeFloor, Rota, ShiftBench, SimClock, on_duty, shift_changes
from simulation.oms_gateway import NewShipment, OmsGateway
from simulation.records import WaveRecord
from simulation.rng import OrderDraws
from simulation.walk_in import WalkIns
from simulation.world import World, serving_rdcs
from warehouses.transit_time import TransitTime

STAGES = ("waiting", "picking", "awaiting_pickup", "in_transit")
CARRIER = {"rider": "dada", "express": "sf", "linehaul": "zto"}
_Z = NormalDist()


@dataclass(eq=False, slots=True)
class Ticket:
    """One shipment as the simulation follows it through its node and the carrier network."""

    order_id: int
    shipment_no: int
    order_idx: int  # index in the demand (its pre-drawn luck)
    floor: NodeFloor
    lines: tuple[tuple[int, str, int], ...]
    lane: TransitTime
    mode: str  # rider / express / linehaul
    region: str  # of the destination
    allocated_min: float
    reallocated: bool
    stage: str = "waiting"
    withdrawn: bool = False
    accepted_min: float | None = None
    pick_start_min: float | None = None
    packed_min: float | None = None
    handed_min: float | None = None
    delivered_min: float | None = None
    rejected_lines: int = 0
    in_basket: bool = False  # its units are off the shelf (`walk_in`: tracked only with walk-in customers)

    @property
    def units(self) -> int:
        return sum(qty for _, _, qty in self.lines)


@dataclass(eq=False, slots=True)
class OrderState:
    order_idx: int
    district: int
    region: str
    given_back: int = 0  # lines nodes gave back so far: later shipments are re-allocations
    tickets: list[Ticket] = field(default_factory=list)
    settled: bool = False


class Sim:
    def __init__(self, scenario: Scenario, world: World, demand: Demand, draws: OrderDraws,
                 gateway: OmsGateway, env: simpy.Environment):
        self.scenario, self.world, self.demand, self.draws, self.gateway, self.env = \
            scenario, world, demand, draws, gateway, env
        self.planner = gateway.planner
        self.clock = SimClock(scenario.run.start)
        self.minutes_after_midnight = scenario.run.start.hour * 60 + scenario.run.start.minute
        self.handling = scenario.fulfilment.handling
        self.floors = self._floors(world, env)
        self.orders: dict[int, OrderState] = {}
        self.refused: list[tuple[int, str]] = []  # (demand index, why the OMS refused it)
        self.resent = 0
        self.stage_count = {kind: dict.fromkeys(STAGES, 0) for kind in ("store", "rdc", "cloud")}
        self.pending_reallocation: set[int] = set()
        self.touched_nodes: set[str] = set()  # stores that shipped or lost stock since the last transfer
        self.inbound: dict[tuple[str, str], int] = {}  # units on their way to a node
        self.serving_rdc = serving_rdcs(world.network)
        self.waves: list[WaveRecord] = []
        self.backlog: list = []
        self.timing = dict.fromkeys(("intake", "allocation", "node_actions", "carrier"), 0.0)
        self.action_s: dict[str, float] = {}  # OMS node action → seconds spent in it
        self.routine_s: dict[str, float] = {}  # scheduled routine → seconds spent in it
        self.arrivals_done, self.settled = False, 0
        self.last_backorder_retry, self.received_skus = 0.0, set()
        self.finished = env.event()
        self.feed = ChannelFeed(demand, world, self.clock)
        self.carriers = Carriers(world.matrix, scenario.shocks.carrier_delays)
        self.walk_ins: WalkIns | None = None  # customers at the stores' tills, when the scenario has them

    def _floors(self, world: World, env: simpy.Environment) -> dict[str, NodeFloor]:
        """Every node's floor; kinds with shifts get a `ShiftBench` and one process changing shifts."""
        rotas = {kind: Rota.of(shifts) for kind, shifts in self.scenario.network.shifts.items() if shifts}
        first = self.minutes_after_midnight
        floors, by_kind = {}, {}
        for i, n in enumerate(world.network.nodes):
            rota = rotas.get(n.kind.value)
            if rota is None:
                floors[n.node_id] = NodeFloor(n, i, simpy.Resource(env, capacity=n.pickers), self.clock)
            else:
                bench = ShiftBench(env, n.pickers, on_duty(n.pickers, rota.share_at(first)))
                floors[n.node_id] = floor = NodeFloor(n, i, bench, self.clock, rota=rota)
                by_kind.setdefault(n.kind.value, []).append(floor)
        for kind, kind_floors in by_kind.items():
            if not rotas[kind].constant:
                env.process(shift_changes(env, kind_floors, rotas[kind], first))
        return floors

    # -- customers -----------------------------------------------------------------------------
    def customer_pays(self, k: int) -> None:
        started = time.perf_counter()
        placed = self.gateway.place(self.feed.command(k), self.clock.at(self.env.now))
        self.timing["intake"] += time.perf_counter() - started
        if isinstance(placed, OmsError):
            self.refused.append((k, f"refused at intake: {placed.message}"))
            return
        order, created = placed
        if not created:
            self.resent += 1
            return
        d = int(self.demand.district[k])
        if d < 0:
            d = self.world.geography.district_index.get(order.address.adcode or "", -1)
        self.orders[order.id] = OrderState(k, d, self.world.district_region_name[d] if d >= 0 else "")
        if self.scenario.allocation.wave_minutes == 0:
            self.allocate("realtime", (order.id,))
        share = self.scenario.fulfilment.cancellations.share_within_hour
        u = float(self.draws.cancel[k]) if k < len(self.draws.cancel) else 1.0
        if u < share:
            self.env.process(actors.customer_cancels(self, order.id, u / share * 60.0, "customer changed their mind"))

    def cancel(self, order_id: int, reason: str) -> None:
        state = self.orders.get(order_id)
        if state is None or state.settled:
            return
        result = self.gateway.cancel(order_id, reason, self.clock.at(self.env.now))
        if isinstance(result, OmsError) or result.status != OrderStatus.CANCELLED:
            return
        for t in state.tickets:
            if t.stage != "in_transit" and t.stage != "done":
                self.withdraw(t)
        self.order_settled(order_id)

    # -- allocation ----------------------------------------------------------------------------
    def wave_orders(self) -> tuple[int, ...] | None:
        """Which open orders the next wave plans: new and given-back ones always; back-orders when
        stock of one of their SKUs has arrived, and all of them every `backorder_retry_minutes`."""
        retry = self.scenario.allocation.backorder_retry_minutes
        if retry == 0:
            return None  # the OMS's plain wave: every allocatable order
        ids = self.gateway.orders_in(OrderStatus.RECEIVED.value)
        ids += [i for i in self.gateway.orders_in(OrderStatus.REALLOCATING.value) if i not in self.pending_reallocation]
        waiting = self.gateway.orders_in(OrderStatus.BACKORDERED.value)
        if self.env.now >= self.last_backorder_retry + retry:
            ids += waiting
            self.last_backorder_retry = self.env.now
        elif self.received_skus:
            arrived = self.received_skus
            ids += [i for i in waiting if any(ln.sku_code in arrived for ln in self.gateway.stored(i).lines)]
        self.received_skus = set()
        return tuple(sorted(ids))

    def allocate(self, kind: str, order_ids: tuple[int, ...] | None = None) -> None:
        if kind == "wave":
            order_ids = self.wave_orders()
            if order_ids == ():
                return
        started = time.perf_counter()
        solver_before = self.gateway.allocator.wall_s
        report, new = self.gateway.allocate(self.clock.at(self.env.now), order_ids,
                                            self.scenario.allocation.max_orders_per_wave)
        wall = time.perf_counter() - started
        self.timing["allocation"] += wall
        if report.orders:
            self.waves.append(WaveRecord(self.env.now / 60, kind, report.orders, report.allocated, report.backordered,
                                         report.retry_later, report.shipments, report.solver, report.status, wall,
                                         self.gateway.allocator.wall_s - solver_before))
        for shipment in new:
            self.start(shipment, reallocated=False)

    def reallocate_pending(self) -> None:
        if not self.pending_reallocation:
            return
        ids = tuple(sorted(self.pending_reallocation))
        self.pending_reallocation.clear()
        started = time.perf_counter()
        outcome, new = self.gateway.reallocate(ids, self.clock.at(self.env.now))
        wall = time.perf_counter() - started
        self.timing["allocation"] += wall
        r = outcome.report
        if r is not None and r.orders:
            self.waves.append(WaveRecord(self.env.now / 60, "reallocation", r.orders, r.allocated, r.backordered,
                                         r.retry_later, r.shipments, r.solver, r.status, wall, r.wall_s))
        for shipment in new:
            self.start(shipment, reallocated=True)

    def start(self, s: NewShipment, reallocated: bool) -> None:
        state = self.orders.get(s.order_id)
        if state is None or any(t.shipment_no == s.shipment_no for t in state.tickets):
            return
        floor = self.floors[s.node_id]
        lane, mode = self.carriers.lane(floor.index, state.district)
        t = Ticket(s.order_id, s.shipment_no, state.order_idx, floor, s.lines, lane, mode, state.region,
                   self.env.now, reallocated or state.given_back > 0)
        state.tickets.append(t)
        floor.tickets.add(t)
        floor.shipments += 1
        self.stage_count[floor.kind]["waiting"] += 1
        parcels = self.planner.parcels_today
        parcels[s.node_id] = parcels.get(s.node_id, 0) + 1
        self.env.process(actors.picker(self, t))

    # -- at the node ---------------------------------------------------------------------------
    def release_minutes(self, t: Ticket) -> float:
        """Until staff notice the task: exponential around the kind's release time."""
        spec, handling = self.handling[t.floor.kind], self.world.params.handling
        mean = spec.release_minutes if spec.release_minutes is not None else (
            handling.store_release_minutes if t.floor.kind == "store" else handling.warehouse_release_minutes)
        return -mean * math.log(1.0 - self.draws.one(self.draws.release, t.order_idx, t.shipment_no - 1))

    def pick_minutes(self, t: Ticket) -> float:
        """Pick and pack: per-order minutes + units at the node's rate, lognormal with mean 1."""
        spec, node = self.handling[t.floor.kind], t.floor.node
        mean = spec.per_order_minutes + t.units / node.pick_rate_units_per_hour * 60.0
        z = _Z.inv_cdf(self.draws.one(self.draws.pick, t.order_idx, t.shipment_no - 1))
        return mean * math.exp(spec.pick_time_sigma * z - spec.pick_time_sigma ** 2 / 2)

    def missing_lines(self, t: Ticket) -> list[int]:
        """Lines the picker cannot find: the units were never there (the kind's rejection probability) or,
        with walk-in customers, the shelf was sold down; the others go into the basket."""
        p = self.handling[t.floor.kind].rejection_probability
        missing = [] if p <= 0 else [line_no for i, (line_no, _, _) in enumerate(t.lines)
                                     if self.draws.rejected(t.order_idx, t.shipment_no - 1, i) < p]
        if self.walk_ins is not None and t.floor.kind == "store":
            missing += self.walk_ins.short_lines_of(self, t, set(missing))
        return missing

    def sell_at_till(self, node_id: str, receipt_id: str, sku: str):
        """A walk-in customer buys one unit (the OMS's POS sale); the store joins the next restock's list."""
        self.touched_nodes.add(node_id)
        return self._act(self.gateway.sell, node_id, receipt_id, sku, 1, self.clock.at(self.env.now))

    def node_accepts(self, t: Ticket) -> None:
        """Staff take the shipment on: the POS says so; a WMS says nothing until the outbound confirmation."""
        if self.handling[t.floor.kind].reports == "each_step":
            self._act(self.gateway.accept, t.floor.node.node_id, t.order_id, t.shipment_no,
                      self.clock.at(self.env.now))
        t.accepted_min = self.env.now

    def pick_starts(self, t: Ticket) -> None:
        t.pick_start_min = self.env.now
        self._move(t, "picking")

    def node_rejects(self, t: Ticket, missing: list[int], reason: str) -> bool:
        """Give lines back (the POS reject service); True when some lines are left to pick."""
        whole = len(missing) == len(t.lines)
        lines = None if whole else tuple((line_no, None) for line_no in missing)
        order = self._act(self.gateway.reject, t.floor.node.node_id, t.order_id, t.shipment_no, lines, reason,
                          self.clock.at(self.env.now))
        t.rejected_lines += len(missing)
        self.orders[t.order_id].given_back += len(missing)
        t.floor.rejected_lines += len(missing)
        self.touched_nodes.add(t.floor.node.node_id)
        self.pending_reallocation.add(t.order_id)
        if whole:
            self.withdraw(t)
        else:
            kept = order.shipment(t.shipment_no).lines
            t.lines = tuple((ln.line_no, ln.sku_code, ln.quantity) for ln in kept)
        if self.scenario.allocation.reallocation_minutes == 0:
            self.reallocate_pending()
        return not whole

    def node_packs(self, t: Ticket) -> None:
        """Picked and packed: the POS reports both now; a WMS reports them (and its acceptance) with
        the hand-over."""
        if self.handling[t.floor.kind].reports == "each_step":
            at, node = self.clock.at(self.env.now), t.floor.node.node_id
            self._act(self.gateway.pick, node, t.order_id, t.shipment_no, at)
            self._act(self.gateway.pack, node, t.order_id, t.shipment_no, self._weight_g(t), at)
        t.packed_min = self.env.now
        self._move(t, "awaiting_pickup")

    def _weight_g(self, t: Ticket) -> int:
        skus = self.world.catalogue.skus
        return sum(skus[sku].weight_g * qty for _, sku, qty in t.lines if sku in skus) or 500

    def hand_over(self, t: Ticket, by: str) -> None:
        node, now = t.floor.node.node_id, self.clock.at(self.env.now)
        if self.handling[t.floor.kind].reports == "each_step":
            self._act(self.gateway.hand_over, node, t.order_id, t.shipment_no, by, CARRIER[t.mode], now)
        else:  # the sim picks and packs in one go: picking finished when packing did
            packed = self.clock.at(t.packed_min)
            self._act(self.gateway.confirm_outbound, node, t.order_id, t.shipment_no, by, CARRIER[t.mode],
                      self._weight_g(t), packed, packed, now)
        t.handed_min = self.env.now
        t.floor.tickets.discard(t)
        if self.walk_ins is not None:
            self.walk_ins.out_of_basket(t)
        self.touched_nodes.add(t.floor.node.node_id)
        self._move(t, "in_transit")

    def delivered(self, t: Ticket) -> None:
        started = time.perf_counter()
        order = self.gateway.deliver(t.order_id, t.shipment_no, CARRIER[t.mode], self.clock.at(self.env.now))
        spent = time.perf_counter() - started
        self.timing["carrier"] += spent
        self.action_s["deliver"] = self.action_s.get("deliver", 0.0) + spent
        t.delivered_min = self.env.now
        self._move(t, "done")
        if order.status == OrderStatus.DELIVERED:
            self.order_settled(t.order_id)

    def withdraw(self, t: Ticket) -> None:
        if self.walk_ins is not None:
            self.walk_ins.out_of_basket(t)
        t.withdrawn = True
        t.floor.tickets.discard(t)
        self._move(t, "done")

    def _move(self, t: Ticket, stage: str) -> None:
        counts = self.stage_count[t.floor.kind]
        if t.stage in counts:
            counts[t.stage] -= 1
        if stage in counts:
            counts[stage] += 1
        t.stage = stage

    def timed_routine(self, routine) -> None:
        started = time.perf_counter()
        routine(self)
        name = getattr(routine, "__name__", "routine")
        self.routine_s[name] = self.routine_s.get(name, 0.0) + time.perf_counter() - started

    def _act(self, action, *args):
        started = time.perf_counter()
        try:
            return action(*args)
        finally:
            spent = time.perf_counter() - started
            self.timing["node_actions"] += spent
            self.action_s[action.__name__] = self.action_s.get(action.__name__, 0.0) + spent

    # -- carriers and shocks -------------------------------------------------------------------
    def transit_hours(self, t: Ticket) -> float:
        return t.lane.quantile(self.draws.one(self.draws.transit, t.order_idx, t.shipment_no - 1))

    def carrier_delay_hours(self, t: Ticket) -> float:
        return self.carriers.delay_hours(self.env.now / 60, t.mode, t.region)

    def pickups_skipped(self, floor: NodeFloor) -> bool:
        mode = "linehaul" if floor.kind == "rdc" else "express"
        return self.carriers.pickups_skipped(self.env.now / 60, mode, floor.node.region)

    def node_down(self, node_id: str, reallocate: bool) -> None:
        floor = self.floors[node_id]
        self.planner.down_nodes = frozenset(self.planner.down_nodes | {node_id})
        for start, end in [(o.start_hour * 60, o.end_hour * 60) for o in self.scenario.shocks.outages
                           if o.node_id == node_id and o.covers(self.env.now / 60)]:
            floor.outages.append((start, end))
        if reallocate:
            for t in sorted((t for t in floor.tickets if t.stage == "waiting"), key=lambda t: (t.order_id, t.shipment_no)):
                self.node_rejects(t, [line_no for line_no, _, _ in t.lines], "store_closing")

    def node_up(self, node_id: str) -> None:
        self.planner.down_nodes = frozenset(self.planner.down_nodes - {node_id})

    # -- settling ------------------------------------------------------------------------------
    def order_settled(self, order_id: int) -> None:
        state = self.orders[order_id]
        if not state.settled:
            state.settled = True
            self.settled += 1
            self.check_finished()

    def check_finished(self) -> None:
        if self.arrivals_done and self.settled >= len(self.orders) and not self.finished.triggered:
            self.finished.succeed("settled")
