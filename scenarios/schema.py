"""What a planner writes in a scenario file: the network, a day of demand, the allocation policy,
how nodes work, and the shocks to try. Validated whole before any simulation starts.

Every model forbids unknown keys, so a typo (``demand.chanels``) is an error that names the key
rather than a setting silently ignored. Hours in ``start_hour``/``end_hour`` count from the run's
``start``; money is integer fen; durations carry their unit in the name.
"""
from __future__ import annotations

import re
from datetime import datetime, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from allocation.policy import RoutingPolicy
from warehouses.opening_hours import parse_windows

Channel = Literal["mall", "guide", "tmall", "jd", "vip", "douyin"]
NodeKindName = Literal["store", "rdc", "cloud"]
Category = Literal["shoes", "apparel", "down_jacket", "bags", "socks", "accessories"]
Region = Literal["华北", "东北", "华东", "华中", "华南", "西南", "西北"]
CurveName = Literal["social_evening", "guide_daytime", "platform", "platform_midnight", "flat"]
AllocatorName = Literal["greedy", "rdc_first", "optimal"]
TransitMode = Literal["rider", "express", "linehaul"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Window(_Spec):
    """A stretch of the run, in hours from its start (`end_hour` None = to the end of the run)."""

    start_hour: float = Field(0.0, ge=0)
    end_hour: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _ends_after_start(self):
        if self.end_hour is not None and self.end_hour <= self.start_hour:
            raise ValueError('"end_hour" must be > "start_hour".')
        return self

    def covers(self, hour: float) -> bool:
        return self.start_hour <= hour and (self.end_hour is None or hour < self.end_hour)


# ---------------------------------------------------------------- the run
class RunSpec(_Spec):
    """When the simulated day starts and how long orders arrive and parcels travel."""

    start: datetime = datetime.fromisoformat("2026-06-10T00:00:00+08:00")  # a Wednesday, China time
    demand_hours: float = Field(24.0, gt=0, le=24 * 14)  # orders are paid during this window
    drain_hours: float = Field(96.0, ge=0, le=24 * 14)  # then parcels still travel this long at most
    backlog_sample_minutes: float = Field(60.0, gt=0)

    @field_validator("start")
    @classmethod
    def _has_timezone(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("start must carry a UTC offset, e.g. 2026-06-10T00:00:00+08:00")
        return value


# ---------------------------------------------------------------- the network
class ShipFromStore(_Spec):
    """Which stores ship parcels to consumers: as the network says, none, all, or the N largest by floor area."""

    mode: Literal["as_generated", "none", "all", "largest"] = "as_generated"
    largest_stores: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _largest_needs_a_count(self):
        if (self.mode == "largest") != (self.largest_stores is not None):
            raise ValueError('"largest_stores" is required with mode "largest" and only then.')
        return self


class NodeOverride(_Spec):
    pickers: int | None = Field(None, ge=1)
    daily_order_capacity: int | None = Field(None, ge=0)
    ship_to_home: bool | None = None
    opening_hours: str | None = None  # "10:00-22:00", "07:00-12:00,13:00-23:00" or "24h" (a warehouse's night shift)

    @field_validator("opening_hours")
    @classmethod
    def _windows(cls, value: str | None) -> str | None:
        if value is not None:
            parse_windows(value)  # ValueError names what is wrong
        return value


_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
MINUTES_PER_DAY = 1440


def minute_of_day(text: str) -> int:
    """"HH:MM" (as a `Shift` stores it) → minutes after midnight; "24:00" → 1440."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


class Shift(_Spec):
    """One shift of a node kind's pick-pack staff, the same every day, in the node's local time.

    From `start` to `end` ("HH:MM"; `end` may be "24:00"; an `end` earlier than `start` runs past
    midnight, e.g. 20:00 → 08:00), `share` of each node's pickers (after `staffing`) are on duty:
    rounded to whole pickers (halves up), at least one when `share` > 0; 0 = nobody picks.
    """

    start: str
    end: str
    share: float = Field(ge=0, le=1)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _time_of_day(cls, value: Any, info) -> str:
        if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads an unquoted 10:00 as 600
            raise ValueError('must be a time of day in quotes, e.g. "10:00" (YAML reads an unquoted 10:00 as a number)')
        match = _CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
        hours, minutes = (int(match[1]), int(match[2])) if match else (-1, -1)
        latest = 24 if info.field_name == "end" else 23
        if not (0 <= hours <= latest and 0 <= minutes <= 59) or (hours == 24 and minutes):
            allowed = '"00:00" … "24:00"' if info.field_name == "end" else '"00:00" … "23:59"'
            raise ValueError(f"must be a time of day {allowed} (HH:MM), got {value!r}")
        return f"{hours:02d}:{minutes:02d}"

    @model_validator(mode="after")
    def _not_empty(self):
        if self.start_minute == self.end_minute:
            raise ValueError(f'"end" must differ from "start" ({self.start}); a whole day is "00:00" to "24:00".')
        return self

    @property
    def start_minute(self) -> int:
        return minute_of_day(self.start)

    @property
    def end_minute(self) -> int:
        return minute_of_day(self.end)

    def minutes(self) -> list[tuple[int, int]]:
        """The shift as [from, to) minute-of-day intervals (two when it runs past midnight)."""
        start, end = self.start_minute, self.end_minute
        if end > start:
            return [(start, end)]
        return [(start, MINUTES_PER_DAY)] + ([(0, end)] if end > 0 else [])


def _shifts_apart(shifts: tuple[Shift, ...]) -> tuple[Shift, ...]:
    """At most one shift of a kind is on duty at any minute; hours no shift covers have nobody on duty."""
    if not shifts:
        raise ValueError("give at least one shift, or null for pickers on duty whenever the node is open")
    spans = sorted((a, b, i) for i, s in enumerate(shifts) for a, b in s.minutes())
    for (_, end_a, i), (start_b, _, j) in zip(spans, spans[1:]):
        if start_b < end_a:
            first, second = sorted((i, j))
            raise ValueError(f"shifts [{first}] {shifts[first].start}-{shifts[first].end} and [{second}] "
                             f"{shifts[second].start}-{shifts[second].end} overlap: give each hour to one shift "
                             "(hours no shift covers have nobody on duty)")
    return shifts


Shifts = Annotated[tuple[Shift, ...], AfterValidator(_shifts_apart)]


class NetworkSpec(_Spec):
    """The generated network (stores, the four RDCs, cloud warehouses), or a network file, and its stock."""

    stores: int = Field(1000, ge=0, le=20_000)
    seed: int = 42
    cloud_warehouses: int = Field(3, ge=0, le=6)
    file: str | None = None  # a network file (see scenarios/network_file.py), relative to the scenario
    styles: int = Field(300, ge=1, le=20_000)  # catalogue size in styles (each in colours × sizes)
    catalogue_seed: int = 42
    stock_seed: int = 42
    ship_from_store: ShipFromStore = ShipFromStore()
    staffing: dict[NodeKindName, float] = Field(default_factory=dict)  # multiplier of each kind's pickers
    # Pick-pack shifts per node kind (see `Shift`): pickers on duty change through the day. A kind
    # without shifts (or null) has all its pickers on duty whenever its nodes are open.
    shifts: dict[NodeKindName, Shifts | None] = Field(default_factory=dict)
    nodes: dict[str, NodeOverride] = Field(default_factory=dict)  # per node id

    @field_validator("staffing")
    @classmethod
    def _positive_staffing(cls, value: dict) -> dict:
        for kind, factor in value.items():
            if not factor > 0:
                raise ValueError(f"staffing of {kind} must be > 0, got {factor}")
        return value


# ---------------------------------------------------------------- demand
class ChannelSpec(_Spec):
    share: float = Field(ge=0)  # of the day's orders
    curve: CurveName = "platform"  # intraday arrival curve
    hourly_weights: tuple[float, ...] | None = None  # 24 weights instead of a named curve

    @field_validator("hourly_weights")
    @classmethod
    def _twenty_four(cls, value):
        if value is not None and (len(value) != 24 or min(value) < 0 or sum(value) <= 0):
            raise ValueError("hourly_weights must be 24 non-negative numbers, not all zero")
        return value


def _default_channels() -> dict[str, ChannelSpec]:
    return {"mall": ChannelSpec(share=0.22, curve="social_evening"),
            "guide": ChannelSpec(share=0.13, curve="guide_daytime"),
            "douyin": ChannelSpec(share=0.12, curve="social_evening"),
            "tmall": ChannelSpec(share=0.28, curve="platform"),
            "jd": ChannelSpec(share=0.17, curve="platform"),
            "vip": ChannelSpec(share=0.08, curve="platform")}


class Surge(_Window):
    """More orders than usual in a window: `factor` × the normal rate, for some channels and regions."""

    name: str
    factor: float = Field(gt=0)
    channels: frozenset[Channel] | None = None
    regions: frozenset[Region] | None = None


class CategoryShift(_Window):
    """Demand moving between categories (a cold snap to down jackets, school season to bags):
    each listed category's share of units is multiplied by its factor, in the given regions."""

    name: str
    categories: dict[Category, float]
    regions: frozenset[Region] | None = None

    @field_validator("categories")
    @classmethod
    def _positive(cls, value: dict) -> dict:
        if not value or any(f <= 0 for f in value.values()):
            raise ValueError("categories must map at least one category to a factor > 0")
        return value


class ReplaySpec(_Spec):
    """Replay real orders instead of generating them: a CSV/Parquet export, or the OMS database."""

    path: str | None = None  # relative to the scenario file
    database_url: str | None = None
    paid_from: datetime | None = None
    paid_to: datetime | None = None
    shift_to_start: bool = True  # move payment times so the first order's day starts at run.start

    @model_validator(mode="after")
    def _one_source(self):
        if (self.path is None) == (self.database_url is None):
            raise ValueError('give exactly one of "path" and "database_url".')
        return self


class WalkInSpec(_Spec):
    """Customers at the tills of the stores that ship online, sharing their stock with online orders
    (`simulation.walk_in`): each buys one unit of a SKU the store holds, and may take one an online
    order is waiting for. 0: not simulated."""

    sales_per_open_hour: float = Field(0.0, ge=0, le=1000)  # customers per store while it is open


class DemandSpec(_Spec):
    orders_per_day: int = Field(100_000, ge=0, le=5_000_000)  # an average weekday, before surges
    channels: dict[Channel, ChannelSpec] = Field(default_factory=_default_channels)
    weekly_pattern: tuple[float, ...] = (0.96, 0.94, 0.95, 0.97, 1.04, 1.10, 1.04)  # Monday … Sunday
    lines_per_order: dict[int, float] = Field(default_factory=lambda: {1: 0.80, 2: 0.15, 3: 0.05})
    units_per_line: dict[int, float] = Field(default_factory=lambda: {1: 0.93, 2: 0.06, 3: 0.01})
    online_tier_weight: dict[int, float] = Field(  # orders per head by city tier, relative
        default_factory=lambda: {1: 1.6, 2: 1.4, 3: 1.2, 4: 1.0, 5: 0.85, 6: 0.7})
    surges: tuple[Surge, ...] = ()
    category_shifts: tuple[CategoryShift, ...] = ()
    replay: ReplaySpec | None = None
    walk_in: WalkInSpec = WalkInSpec()

    @field_validator("weekly_pattern")
    @classmethod
    def _seven(cls, value):
        if len(value) != 7 or min(value) < 0 or sum(value) <= 0:
            raise ValueError("weekly_pattern must be 7 non-negative numbers (Monday … Sunday), not all zero")
        return value

    @field_validator("lines_per_order", "units_per_line")
    @classmethod
    def _distribution(cls, value: dict) -> dict:
        if not value or min(value) < 1 or max(value) > 20 or min(value.values()) < 0 or sum(value.values()) <= 0:
            raise ValueError("must map counts 1…20 to non-negative weights, not all zero")
        return value

    @model_validator(mode="after")
    def _some_channel(self):
        if self.replay is None and self.orders_per_day and sum(c.share for c in self.channels.values()) <= 0:
            raise ValueError("channels: at least one channel needs a share > 0")
        return self


# ---------------------------------------------------------------- allocation
class WeightsSpec(_Spec):
    """Overrides of `allocation.costs.CostWeights` (fen)."""

    split_penalty_fen: int | None = Field(None, ge=0)
    late_penalty_fen: int | None = Field(None, ge=0)
    handling_per_parcel_fen: dict[NodeKindName, int] | None = None
    handling_per_unit_fen: dict[NodeKindName, int] | None = None
    reallocation_cost_fen: int | None = Field(None, ge=0)
    backorder_penalty_fen: int | None = Field(None, ge=0)


class AllocationSpec(_Spec):
    allocator: AllocatorName = "greedy"
    wave_minutes: float = Field(10.0, ge=0)  # 0 = real time: each order allocated as it arrives
    max_orders_per_wave: int = Field(50_000, ge=1)
    reallocation_minutes: float = Field(10.0, ge=0)  # rejected orders re-allocated in batches; 0 = at once
    # Back-orders join a wave when stock of their SKUs arrives, after midnight (daily capacity is new)
    # and all of them every this many minutes; 0 = every wave re-plans every open order (the plain
    # `AllocateOrders()` wave, as the API's wave runs it).
    backorder_retry_minutes: float = Field(720.0, ge=0)
    optimal_time_limit_s: float = Field(15.0, gt=0)
    explain: bool = False  # store the allocator's alternatives on each shipment (slower; decisions unchanged)
    learn_rejection_rates_hours: float | None = Field(8.0, gt=0)  # refresh from the OMS's outcomes; None = never
    policy: RoutingPolicy = RoutingPolicy()
    weights: WeightsSpec = WeightsSpec()


# ---------------------------------------------------------------- fulfilment
class HandlingSpec(_Spec):
    """How one kind of node works a shipment: notice it, find the units, pick and pack."""

    release_minutes: float | None = Field(None, ge=0)  # mean; default: the transit model's handling params
    per_order_minutes: float = Field(2.0, ge=0)  # label, bag, paperwork on top of units / pick rate
    pick_time_sigma: float = Field(0.35, gt=0, le=2)  # lognormal spread of the pick-pack time
    rejection_probability: float = Field(0.0, ge=0, le=1)  # per line: the units are not on the shelf
    search_minutes: float = Field(5.0, ge=0)  # looking for them before giving the line back
    # What the node tells the OMS: "each_step" (the store POS: accept, pick, pack, hand-over) or
    # "outbound" (a warehouse's WMS: one outbound confirmation at hand-over, carrying the times it
    # started picking and packed; the OMS hears nothing from it before).
    reports: Literal["each_step", "outbound"] = "each_step"


def _default_handling() -> dict[str, HandlingSpec]:
    return {"store": HandlingSpec(rejection_probability=0.04, per_order_minutes=3.0),
            "rdc": HandlingSpec(rejection_probability=0.003, per_order_minutes=0.5, reports="outbound"),
            "cloud": HandlingSpec(rejection_probability=0.005, per_order_minutes=0.5, reports="outbound")}


class ReplenishmentSpec(_Spec):
    """Stock flowing back in so multi-day runs stay realistic: every day the serving RDC sends each
    store what it sold (up to its opening stock), and RDCs are restocked from the central DC."""

    enabled: bool = True
    store_transfer_at: time = time(3, 0)  # RDC picks store transfers (night shift)
    transfer_lead_hours: float = Field(30.0, ge=0)  # truck to the store, put on the shelf
    rdc_inbound_at: time = time(2, 0)
    rdc_inbound_lead_hours: float = Field(24.0, ge=0)


class CancellationSpec(_Spec):
    share_within_hour: float = Field(0.005, ge=0, le=1)  # customers who change their mind at once
    backordered_after_hours: float | None = Field(48.0, gt=0)  # a back-order this old is cancelled


class FulfilmentSpec(_Spec):
    handling: dict[NodeKindName, HandlingSpec] = Field(default_factory=_default_handling)
    transit: dict[str, Any] = Field(default_factory=dict)  # overrides of warehouses.transit_params
    replenishment: ReplenishmentSpec = ReplenishmentSpec()
    cancellations: CancellationSpec = CancellationSpec()


# ---------------------------------------------------------------- shocks
class Outage(_Window):
    """A node out of service (power, system, flood): no picking, no pickups, no new allocations."""

    node_id: str
    reallocate_open_shipments: bool = True  # shipments not yet picked go back to allocation

    @model_validator(mode="after")
    def _has_end(self):
        if self.end_hour is None:
            raise ValueError('an outage needs "end_hour".')
        return self


class CarrierDelay(_Window):
    """Carriers slower than usual (weather, a hub backlog) for parcels handed over in the window."""

    name: str
    extra_hours: float = Field(0.0, ge=0)
    modes: frozenset[TransitMode] | None = None
    regions: frozenset[Region] | None = None  # of the destination
    skip_pickups: bool = False  # couriers do not come to nodes at all in the window


class ShocksSpec(_Spec):
    outages: tuple[Outage, ...] = ()
    carrier_delays: tuple[CarrierDelay, ...] = ()


# ---------------------------------------------------------------- the scenario
class Variant(_Spec):
    """A policy to compare on the same demand: `overrides` merge into the scenario."""

    name: str = Field(min_length=1, max_length=60)
    overrides: dict[str, Any] = Field(default_factory=dict)


class Scenario(_Spec):
    name: str = Field(min_length=1, max_length=80)
    question: str = ""  # what planners want this scenario to answer
    seed: int = 42
    replications: int = Field(1, ge=1, le=1000)
    run: RunSpec = RunSpec()
    network: NetworkSpec = NetworkSpec()
    demand: DemandSpec = DemandSpec()
    allocation: AllocationSpec = AllocationSpec()
    fulfilment: FulfilmentSpec = FulfilmentSpec()
    shocks: ShocksSpec = ShocksSpec()
    variants: tuple[Variant, ...] = ()

    @model_validator(mode="after")
    def _variant_names_unique(self):
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variants: names must be unique")
        return self

    @property
    def horizon_hours(self) -> float:
        return self.run.demand_hours + self.run.drain_hours
