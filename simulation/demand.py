"""The orders of a run: generated from the scenario's demand model, or replayed (`simulation/replay.py`).

Generation is vectorised and deterministic in its stream: per minute, channel and region the number
of orders is Poisson around the day's volume × the channel's share × its hourly curve × the weekday
factor × any surge; each order goes to a district by population (weighted by how much its city's
tier buys online), and its lines to SKUs by style popularity × size curve × colour, with the
scenario's category shifts (a cold snap, school season) applied in their regions and hours.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from oms.catalogue import CATEGORIES
from oms.orders import CHANNELS
from scenarios.schema import CategoryShift, DemandSpec, RunSpec
from simulation.curves import hourly_shares, weekly_factors
from simulation.world import World
from warehouses.regions import REGIONS

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, eq=False)
class Demand:
    """Every order of a run, sorted by payment time, as arrays (lines flattened)."""

    paid_minute: np.ndarray  # float64, minutes from the run's start
    channel: np.ndarray  # int8 index into oms.orders.CHANNELS
    district: np.ndarray  # int32 index into geography.districts (-1: use `addresses`)
    store: np.ndarray  # int32 index into network.nodes of the attributed store (-1: none)
    line_start: np.ndarray  # int64 [n + 1]: lines of order k are line_start[k]:line_start[k + 1]
    line_sku: np.ndarray  # int32 index into `sku_codes`
    line_qty: np.ndarray  # int16
    sku_codes: tuple[str, ...]
    channel_order_ids: tuple[str, ...] | None = None  # replayed ids (generated: "SIM<k>")
    addresses: tuple[tuple[str, str, str, str], ...] | None = None  # replayed address text
    line_paid_fen: np.ndarray | None = None  # replayed amounts (generated: list price × qty)

    def __len__(self) -> int:
        return len(self.paid_minute)

    @property
    def units(self) -> int:
        return int(self.line_qty.sum())


def generate_demand(spec: DemandSpec, run: RunSpec, world: World, rng: np.random.Generator) -> Demand:
    minute, channel, region = _arrivals(spec, run, world, rng)
    district = _districts(region, spec, world, rng)
    hour = minute / 60.0
    n_lines = _draw_counts(spec.lines_per_order, len(minute), rng)
    line_order = np.repeat(np.arange(len(minute)), n_lines)
    line_sku = _skus(hour[line_order], region[line_order], spec.category_shifts, world, rng)
    line_qty = _draw_counts(spec.units_per_line, len(line_sku), rng).astype(np.int16)
    line_start = np.concatenate([[0], np.cumsum(n_lines)]).astype(np.int64)
    line_start, line_sku, line_qty = _merge_repeated_skus(line_start, line_sku, line_qty)
    social = np.isin(channel, [CHANNELS.index("mall"), CHANNELS.index("guide"), CHANNELS.index("douyin")])
    store = np.where(social, world.district_store[district], -1).astype(np.int32)
    return Demand(paid_minute=minute, channel=channel, district=district.astype(np.int32), store=store,
                  line_start=line_start, line_sku=line_sku.astype(np.int32), line_qty=line_qty,
                  sku_codes=world.sku_codes)


def _arrivals(spec: DemandSpec, run: RunSpec, world: World, rng: np.random.Generator):
    """Payment minute, channel and region of every order, sorted by time."""
    minutes = int(np.ceil(run.demand_hours * 60))
    start = run.start
    hour_of_run = np.arange(minutes) // 60
    local = [start + timedelta(hours=int(h)) for h in range(int(hour_of_run[-1]) + 1)] if minutes else []
    clock_hour = np.array([t.hour for t in local], dtype=np.int64)[hour_of_run] if minutes else hour_of_run
    weekday = np.array([t.weekday() for t in local], dtype=np.int64)[hour_of_run] if minutes else hour_of_run
    weekly = weekly_factors(spec.weekly_pattern)[weekday]
    shares = {c: s.share for c, s in spec.channels.items()}
    total_share = sum(shares.values()) or 1.0
    region_weight = np.bincount(world.district_region, weights=world.district_weight(spec.online_tier_weight),
                                minlength=len(REGIONS))
    region_share = region_weight / region_weight.sum()
    times, chans, regions = [], [], []
    for c, channel in enumerate(CHANNELS):
        cs = spec.channels.get(channel)
        if cs is None or cs.share <= 0:
            continue
        per_minute = spec.orders_per_day * cs.share / total_share * hourly_shares(cs.curve, cs.hourly_weights)[
            clock_hour] * 24 / MINUTES_PER_DAY * weekly
        for r, name in enumerate(REGIONS):
            rate = per_minute * region_share[r] * _surge(spec, channel, name, hour_of_run, minutes)
            counts = rng.poisson(rate)
            at = np.repeat(np.arange(minutes), counts) + rng.random(int(counts.sum()))
            times.append(at)
            chans.append(np.full(len(at), c, dtype=np.int8))
            regions.append(np.full(len(at), r, dtype=np.int8))
    minute = np.concatenate(times) if times else np.zeros(0)
    order = np.argsort(minute, kind="stable")
    return (minute[order], (np.concatenate(chans) if chans else np.zeros(0, np.int8))[order],
            (np.concatenate(regions) if regions else np.zeros(0, np.int8))[order])


def _surge(spec: DemandSpec, channel: str, region: str, hour_of_run: np.ndarray, minutes: int) -> np.ndarray:
    factor = np.ones(minutes)
    minute_hour = np.arange(minutes) / 60.0
    for surge in spec.surges:
        if (surge.channels is None or channel in surge.channels) and (surge.regions is None or region in surge.regions):
            inside = (minute_hour >= surge.start_hour) & (minute_hour < (surge.end_hour or np.inf))
            factor = np.where(inside, factor * surge.factor, factor)
    return factor


def _districts(region: np.ndarray, spec: DemandSpec, world: World, rng: np.random.Generator) -> np.ndarray:
    weight = world.district_weight(spec.online_tier_weight)
    district = np.zeros(len(region), dtype=np.int64)
    for r in range(len(REGIONS)):
        rows = np.flatnonzero(region == r)
        members = np.flatnonzero(world.district_region == r)
        if len(rows) and len(members):
            p = weight[members] / weight[members].sum()
            district[rows] = members[rng.choice(len(members), size=len(rows), p=p)]
    return district


def _draw_counts(distribution: dict[int, float], size: int, rng: np.random.Generator) -> np.ndarray:
    values = np.array(sorted(distribution), dtype=np.int64)
    weights = np.array([distribution[v] for v in values], dtype=float)
    return values[rng.choice(len(values), size=size, p=weights / weights.sum())] if size else values[:0]


def _skus(hour: np.ndarray, region: np.ndarray, shifts: tuple[CategoryShift, ...], world: World,
          rng: np.random.Generator) -> np.ndarray:
    """A SKU per line: the base mix, reweighted by every category shift active at that hour and region."""
    active = np.zeros(len(hour), dtype=np.int64)  # bit k set: shift k applies to this line
    for k, shift in enumerate(shifts):
        in_region = np.ones(len(hour), bool) if shift.regions is None else np.isin(
            region, [REGIONS.index(r) for r in shift.regions])
        in_time = (hour >= shift.start_hour) & (hour < (shift.end_hour or np.inf))
        active |= (in_region & in_time).astype(np.int64) << k
    out = np.zeros(len(hour), dtype=np.int64)
    for signature in np.unique(active):
        rows = np.flatnonzero(active == signature)
        p = world.sku_weight.copy()
        for k, shift in enumerate(shifts):
            if signature >> k & 1:
                for category, factor in shift.categories.items():
                    p[world.sku_category == CATEGORIES.index(category)] *= factor
        out[rows] = rng.choice(len(p), size=len(rows), p=p / p.sum())
    return out


def _merge_repeated_skus(line_start: np.ndarray, sku: np.ndarray, qty: np.ndarray):
    """An order never lists one SKU twice: repeated draws become one line with the quantities added."""
    order = np.repeat(np.arange(len(line_start) - 1), np.diff(line_start))
    key = order * (int(sku.max(initial=0)) + 1) + sku
    unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if len(unique) == len(key):
        return line_start, sku, qty
    keep = np.sort(first)
    merged_qty = np.bincount(inverse, weights=qty).astype(np.int16)
    rank = np.empty_like(first)
    rank[np.argsort(first)] = np.arange(len(first))
    new_qty = np.empty(len(keep), dtype=np.int16)
    new_qty[rank] = merged_qty
    counts = np.bincount(order[keep], minlength=len(line_start) - 1)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), sku[keep], new_qty
