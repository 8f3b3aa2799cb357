"""A node's shop floor in the simulation: its pick-pack bench (pickers as a SimPy resource), its
working calendar (opening hours from the network, outages from the scenario) and what waits there.

Simulation time is minutes from the run's start (`SimClock`); opening hours are the network's own
(`Node.next_open`, `Node.work_done_at`), so a parcel paid at night waits for the store to open
exactly as the allocator's hand-over estimate assumes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import simpy

from warehouses.nodes import Node
from warehouses.opening_hours import ALL_DAY, open_hours_per_day


@dataclass(frozen=True)
class SimClock:
    """Minutes since the run's start ↔ China time."""

    start: datetime

    def at(self, minute: float) -> datetime:
        return self.start + timedelta(minutes=minute)

    def minute(self, moment: datetime) -> float:
        return (moment - self.start).total_seconds() / 60.0

    def hours(self, moment: datetime | None) -> float | None:
        return None if moment is None else (moment - self.start).total_seconds() / 3600.0


@dataclass(eq=False)
class NodeFloor:
    """One node as the simulation runs it."""

    node: Node
    index: int  # row in the network / transit matrix
    bench: simpy.Resource  # pickers who pick and pack online orders
    clock: SimClock
    outages: list[tuple[float, float]] = field(default_factory=list)  # [start, end) minutes
    awaiting_pickup: list = field(default_factory=list)  # packed parcels for the next courier
    tickets: set = field(default_factory=set)  # shipments here not yet handed over
    busy_minutes: float = 0.0
    shipments: int = 0
    rejected_lines: int = 0

    def __post_init__(self):
        self.kind: str = self.node.kind.value  # read per event: a plain attribute, not an enum lookup
        self.always_open: bool = self.node.opening_hours == ALL_DAY

    def down_at(self, minute: float) -> float | None:
        """When the outage covering `minute` ends, or None if the node is up."""
        for start, end in self.outages:
            if start <= minute < end:
                return end
        return None

    def available_from(self, minute: float) -> float:
        """The first minute at or after `minute` when the node is open and not down."""
        for _ in range(16):
            if not self.always_open:
                minute = self.clock.minute(self.node.next_open(self.clock.at(minute)))
            end = self.down_at(minute)
            if end is None:
                return minute
            minute = end
        return minute

    def work_done(self, minute: float, work_minutes: float) -> float:
        """When work started at `minute` is done, progressing only while the node is open."""
        if self.always_open:
            return minute + work_minutes
        done = self.node.work_done_at(self.clock.at(minute), timedelta(minutes=work_minutes))
        return self.clock.minute(done)

    def open_minutes(self, until: float) -> float:
        """Minutes the node was open and not down between the run's start and `until`."""
        per_day = 1440.0 if self.always_open else open_hours_per_day(self.node.opening_hours) * 60.0
        down = sum(max(0.0, min(end, until) - start) for start, end in self.outages if start < until)
        return max(0.0, per_day * until / 1440.0 - down * per_day / 1440.0)
