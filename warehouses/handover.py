"""When a parcel leaves a node: picking within opening hours, then a rider or the next carrier pickup.

An order paid at `paid_at` is noticed after a release delay (store staff see the
task on the POS; a warehouse releases it in the next wave), then picked and packed
at ``units / pick_rate_units_per_hour`` by one picker. Both only progress while the
node is open, so an order paid at night waits for opening. The packed parcel goes:

* to a **rider** as soon as it is ready (riders come only while the node is open);
* to an **express carrier** at the first pickup (cut-off) at or after ready time —
  missing the day's last pickup means the next day's first.

This is the no-queue earliest hand-over; the simulator adds the queue for pickers.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from warehouses.lanes import Mode
from warehouses.nodes import Node, NodeKind
from warehouses.transit_params import TransitParams


def ready_at(node: Node, paid_at: datetime, params: TransitParams, units: int = 1) -> datetime:
    """When an order of `units` paid at `paid_at` is picked and packed, with no queue ahead."""
    if units < 1:
        raise ValueError(f'"units" must be >= 1, got {units}.')
    handling = params.handling
    release = handling.store_release_minutes if node.kind is NodeKind.STORE else handling.warehouse_release_minutes
    work = timedelta(minutes=release) + timedelta(hours=units / node.pick_rate_units_per_hour)
    return node.work_done_at(paid_at, work)


def next_carrier_pickup(node: Node, ready: datetime) -> datetime | None:
    """The first express pickup at or after `ready` (None if no courier calls at this node)."""
    if not node.carrier_cutoffs:
        return None
    for day_offset in (0, 1):
        day = ready.date() + timedelta(days=day_offset)
        for cutoff in node.carrier_cutoffs:
            pickup = datetime.combine(day, cutoff, ready.tzinfo)
            if pickup >= ready:
                return pickup
    raise AssertionError("a cut-off exists every day")


def handover_at(node: Node, mode: Mode, paid_at: datetime, params: TransitParams, units: int = 1) -> datetime | None:
    """When the parcel is handed to the rider or carrier for `mode` (None if that mode cannot collect here)."""
    ready = ready_at(node, paid_at, params, units)
    return ready if mode is Mode.RIDER else next_carrier_pickup(node, ready)
