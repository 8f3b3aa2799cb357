"""What happens on a schedule rather than per order: stock replenishment, the OMS learning each
node's rejection rate, the daily capacity counter, backlog samples and back-order cancellations.

Each is a plain function of the run's state, scheduled by `processes.daily` / `processes.every`.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from allocation.costs import RejectionObservation, learn_rejection_rates
from oms.lifecycle import OrderStatus
from simulation.records import BacklogSample

if TYPE_CHECKING:  # pragma: no cover
    from simulation.state import Sim

UNALLOCATED = (OrderStatus.RECEIVED.value, OrderStatus.REALLOCATING.value, OrderStatus.BACKORDERED.value)


def store_transfers(sim: "Sim") -> None:
    """Each store touched since the last run gets from its serving RDC what it lacks against its
    opening stock (units already on a truck count); the truck arrives after the lead time."""
    spec = sim.scenario.fulfilment.replenishment
    opening, serving = sim.world.stock_by_node, sim.serving_rdc
    touched, sim.touched_nodes = sim.touched_nodes, set()
    for store in sorted(touched):
        rdc = serving.get(store)
        if rdc is None or rdc in sim.planner.down_nodes:
            continue
        needs = _deficits(sim, store, opening.get(store, {}))
        if needs:
            sent = sim.gateway.transfer_out(rdc, needs)
            _arrive(sim, store, sent, spec.transfer_lead_hours)


def central_inbound(sim: "Sim") -> None:
    """RDCs and cloud warehouses are restocked from the central DC up to their opening stock."""
    spec = sim.scenario.fulfilment.replenishment
    for floor in sim.floors.values():
        if floor.kind != "store":
            needs = _deficits(sim, floor.node.node_id, sim.world.stock_by_node.get(floor.node.node_id, {}))
            if needs:
                _arrive(sim, floor.node.node_id, needs, spec.rdc_inbound_lead_hours)


def _deficits(sim: "Sim", node_id: str, opening: dict[str, int]) -> dict[str, int]:
    inbound = sim.inbound
    needs = {}
    for sku, target in opening.items():
        level = sim.gateway.stored_level(node_id, sku)
        short = target - (level.on_hand if level else 0) - inbound.get((node_id, sku), 0)
        if short > 0:
            needs[sku] = short
    return needs


def _arrive(sim: "Sim", node_id: str, units: dict[str, int], lead_hours: float) -> None:
    for sku, qty in units.items():
        sim.inbound[(node_id, sku)] = sim.inbound.get((node_id, sku), 0) + qty

    def unload(_event) -> None:
        sim.gateway.receive(node_id, units)
        sim.received_skus.update(units)
        for sku, qty in units.items():
            sim.inbound[(node_id, sku)] -= qty

    sim.env.timeout(lead_hours * 60).callbacks.append(unload)


def learn_rejections(sim: "Sim") -> None:
    """The allocator's view of each node's rejection rate, learned from the OMS's own outcomes with the
    scenario's rates per node kind as the prior (what history would have taught)."""
    with sim.gateway.uow as uow:
        outcomes = uow.orders.line_outcomes()
    by_kind: dict[str, list[RejectionObservation]] = defaultdict(list)
    for row in outcomes:
        kind = sim.floors[row.node_id].kind if row.node_id in sim.floors else "store"
        by_kind[kind].append(RejectionObservation(row.node_id, row.family or "*", row.allocated_lines,
                                                  row.rejected_lines))
    rates = prior_rejection_rates(sim)
    for kind, observations in by_kind.items():
        prior = sim.handling[kind].rejection_probability
        for node_id, learned in learn_rejection_rates(observations, prior_rate=prior).items():
            rates[node_id] = {family: min(max(rate, 0.0), 1.0) for family, rate in learned.items()}
    sim.planner.rejection_rates = rates


def prior_rejection_rates(sim: "Sim") -> dict[str, dict[str, float]]:
    return {node_id: {"*": sim.handling[floor.kind].rejection_probability} for node_id, floor in sim.floors.items()}


def new_day(sim: "Sim") -> None:
    """Local midnight: every node's daily order capacity starts again, so back-orders get another try."""
    sim.planner.parcels_today.clear()
    sim.last_backorder_retry = float("-inf")


def cancel_old_backorders(sim: "Sim") -> None:
    """Customers give up on back-orders older than the scenario allows (counted from payment)."""
    limit = sim.scenario.fulfilment.cancellations.backordered_after_hours
    if limit is None:
        return
    now = sim.clock.at(sim.env.now)
    for order_id in sorted(sim.gateway.orders_in(OrderStatus.BACKORDERED.value)):
        order = sim.gateway.stored(order_id)
        if order is not None and (now - order.paid_at).total_seconds() >= limit * 3600:
            sim.cancel(order_id, f"back-ordered for more than {limit:g} hours")


def sample_backlog(sim: "Sim") -> None:
    at_h, now = sim.env.now / 60, sim.clock.at(sim.env.now)
    busy, staffed = defaultdict(int), defaultdict(int)
    for floor in sim.floors.values():
        busy[floor.kind] += floor.bench.count
        if floor.down_at(sim.env.now) is None and (floor.always_open or floor.node.is_open_at(now)):
            staffed[floor.kind] += floor.bench.capacity
    for kind, counts in sim.stage_count.items():
        sim.backlog.append(BacklogSample(at_h, kind, counts["waiting"], counts["picking"], counts["awaiting_pickup"],
                                         counts["in_transit"], busy[kind], staffed[kind]))
    unallocated = len(sim.gateway.orders_in(*UNALLOCATED))
    sim.backlog.append(BacklogSample(at_h, "oms", unallocated, 0, 0, 0, 0, 0))
