"""A node's shop floor in the simulation: its pick-pack bench (pickers as a SimPy resource), its
working calendar (opening hours from the network, outages from the scenario), its staff rota
(the scenario's shifts) and what waits there.

Simulation time is minutes from the run's start (`SimClock`); opening hours are the network's own
(`Node.next_open`, `Node.work_done_at`), so a parcel paid at night waits for the store to open
exactly as the allocator's hand-over estimate assumes.

Shifts. Without shifts for its kind a node's bench is a plain `simpy.Resource` with all its pickers,
and nothing else runs. With shifts the bench is a `ShiftBench` whose capacity is the pickers on
duty: one `shift_changes` process per node kind sets it on every floor of the kind at each shift
boundary. When fewer come on duty, pickers busy with a parcel finish it and no one starts another
until fewer than the new number are busy; when more come on, waiting parcels start at once. Picking
happens only while the node is open *and* someone is on duty.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Iterator, Sequence

import simpy

from scenarios.schema import MINUTES_PER_DAY, Shift
from warehouses.nodes import Node
from warehouses.opening_hours import ALL_DAY, END_OF_DAY, open_hours_per_day


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


def on_duty(pickers: int, share: float) -> int:
    """Pickers on duty for a shift's share: rounded (halves up), at least one unless the share is 0."""
    if share <= 0:
        return 0
    return min(pickers, max(1, math.floor(pickers * share + 0.5)))


@dataclass(frozen=True)
class Rota:
    """A node kind's shifts as one day's timetable: `steps` are (minute of day, share on duty from
    then on), the first at minute 0, shares changing at each step; no shift = share 0."""

    steps: tuple[tuple[int, float], ...]

    @classmethod
    def of(cls, shifts: Sequence[Shift]) -> "Rota":
        share = [0.0] * MINUTES_PER_DAY
        for shift in shifts:
            for start, end in shift.minutes():
                share[start:end] = [shift.share] * (end - start)
        steps = [(0, share[0])] + [(m, share[m]) for m in range(1, MINUTES_PER_DAY) if share[m] != share[m - 1]]
        return cls(tuple(steps))

    @property
    def constant(self) -> bool:
        """The same share all day (no shift change ever happens)."""
        return len(self.steps) == 1

    def share_at(self, minute_of_day: float) -> float:
        found = self.steps[0][1]
        for start, share in self.steps:
            if start > minute_of_day:
                break
            found = share
        return found

    def changes(self, first_minute: float) -> Iterator[tuple[float, float]]:
        """(run minute, share from then on) at every change after the run's start, forever;
        `first_minute` is the run start's minute of day."""
        if self.constant:
            return
        day, current = 0, self.share_at(first_minute % MINUTES_PER_DAY)
        while True:
            for start, share in self.steps:
                at = day * MINUTES_PER_DAY + start - first_minute
                if at > 0 and share != current:
                    yield at, share
                    current = share
            day += 1


class ShiftBench(simpy.Resource):
    """A pick-pack bench whose capacity is the pickers on duty (`staff`), between 0 and `pickers`.

    Lowering the capacity takes no slot from a busy picker: the parcel in hand is finished, and the
    slot is not given out again while as many pickers as are on duty (or more) are busy. Raising it
    starts waiting parcels at once. SimPy's `Resource` checks `capacity` (its `_capacity`) at every
    grant, so setting it is all a shift change needs: no extra requests, events or priority queue.
    Built with all `pickers` (SimPy refuses a capacity of 0, which a rota may start with), then staffed."""

    def __init__(self, env: simpy.Environment, pickers: int, on_duty: int):
        super().__init__(env, capacity=pickers)
        self.pickers = pickers
        self.staff(on_duty)

    def staff(self, on_duty: int) -> None:
        self._capacity = on_duty
        while self.put_queue and len(self.users) < on_duty:
            self._trigger_put(None)  # grants the first waiting request


def shift_changes(env: simpy.Environment, floors: list["NodeFloor"], rota: Rota, first_minute: float):
    """At each shift boundary, every floor of a kind gets the pickers its share puts on duty."""
    for at, share in rota.changes(first_minute):
        yield env.timeout(at - env.now)
        for floor in floors:
            floor.bench.staff(on_duty(floor.node.pickers, share))


@dataclass(eq=False)
class NodeFloor:
    """One node as the simulation runs it."""

    node: Node
    index: int  # row in the network / transit matrix
    bench: simpy.Resource  # pickers who pick and pack online orders (a `ShiftBench` with a rota)
    clock: SimClock
    outages: list[tuple[float, float]] = field(default_factory=list)  # [start, end) minutes
    awaiting_pickup: list = field(default_factory=list)  # packed parcels for the next courier
    tickets: set = field(default_factory=set)  # shipments here not yet handed over
    busy_minutes: float = 0.0
    shipments: int = 0
    rejected_lines: int = 0
    rota: Rota | None = None  # the kind's shifts; None = every picker on duty while open

    def __post_init__(self):
        self.kind: str = self.node.kind.value  # read per event: a plain attribute, not an enum lookup
        self.always_open: bool = self.node.opening_hours == ALL_DAY
        start = self.clock.start
        self._first = start.hour * 60 + start.minute + (start.second + start.microsecond / 1e6) / 60
        self._opens = tuple(sorted({a for a, _ in self._open_windows}))

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
                minute = self._next_open(minute)
            end = self.down_at(minute)
            if end is None:
                return minute
            minute = end
        return minute

    def work_done(self, minute: float, work_minutes: float) -> float:
        """When work started at `minute` is done, progressing only while the node is open (as
        `Node.work_done_at`, in run minutes)."""
        if self.always_open:
            return minute + work_minutes
        day, at = self._open_from(*divmod(self._first + minute, MINUTES_PER_DAY))
        remaining = work_minutes
        while True:
            end = next(b for a, b in self._open_windows if a <= at < b)
            if remaining <= end - at:
                return day * MINUTES_PER_DAY + at + remaining - self._first
            remaining -= end - at
            day, at = self._open_from(*divmod(day * MINUTES_PER_DAY + end, MINUTES_PER_DAY))

    # The opening hours in minutes of the day (`Node.next_open` and `Node.work_done_at` without
    # datetimes: the pickers ask at every step of every parcel).
    def _next_open(self, minute: float) -> float:
        day, at = divmod(self._first + minute, MINUTES_PER_DAY)
        open_day, open_at = self._open_from(day, at)
        return minute if (open_day, open_at) == (day, at) else open_day * MINUTES_PER_DAY + open_at - self._first

    def _open_from(self, day: float, at: float) -> tuple[float, float]:
        """(day, minute of day) when the node is next open, at or after the one given."""
        if any(a <= at < b for a, b in self._open_windows):
            return day, at
        later = next((a for a in self._opens if a > at), None)
        return (day, later) if later is not None else (day + 1, self._opens[0])

    def open_minutes(self, until: float) -> float:
        """Minutes the node was open and not down between the run's start and `until`."""
        per_day = 1440.0 if self.always_open else open_hours_per_day(self.node.opening_hours) * 60.0
        down = sum(max(0.0, min(end, until) - start) for start, end in self.outages if start < until)
        return max(0.0, per_day * until / 1440.0 - down * per_day / 1440.0)

    def staffed_picker_minutes(self, until: float) -> float:
        """Picker-minutes on duty while open and not down, from the run's start to `until`: pickers ×
        open minutes without a rota, else the sum over time of the pickers the rota puts on duty."""
        if self.rota is None:
            return self.open_minutes(until) * self.node.pickers
        start = self.clock.start
        first = start.hour * 60 + start.minute + start.second / 60
        edges = {m for m, _ in self.rota.steps} | {m for window in self._open_windows for m in window}
        cuts = {0.0, until} | {m for span in self.outages for m in span if 0 < m < until}
        for day in range(int(until // MINUTES_PER_DAY) + 2):
            cuts.update(at for m in edges if 0 < (at := day * MINUTES_PER_DAY + m - first) < until)
        cuts = sorted(cuts)
        total = 0.0
        for a, b in zip(cuts, cuts[1:]):
            mid = (a + b) / 2
            of_day = (first + mid) % MINUTES_PER_DAY
            if self.down_at(mid) is None and any(lo <= of_day < hi for lo, hi in self._open_windows):
                total += on_duty(self.node.pickers, self.rota.share_at(of_day)) * (b - a)
        return total

    @cached_property
    def _open_windows(self) -> tuple[tuple[float, float], ...]:
        """Opening hours as [from, to) minutes of day."""
        def minute(t) -> float:
            return MINUTES_PER_DAY if t == END_OF_DAY else t.hour * 60 + t.minute + t.second / 60
        return tuple((minute(a), minute(b)) for a, b in self.node.opening_hours)
