"""Every number that prices and times a delivery, in one documented place.

Defaults are drawn from public industry figures (cited next to each group; they
are order-of-magnitude anchors, not a carrier's contract). A scenario overrides
any subset with a nested dict::

    params = DEFAULT_TRANSIT_PARAMS.with_overrides({"rider": {"max_km": 10},
                                                     "linehaul": {"same_region": {"time": {"median_hours": 20}}}})

Bad overrides fail with pydantic's error naming the path (``rider.max_km``).

Transit time (hand-over → signed for) is ``min_hours + hours_per_100km × distance/100``
plus a lognormal excess whose median makes the total median ``median_hours`` (+ the
same distance term) and whose ``sigma`` sets the tail (see `warehouses/transit_time.py`).
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TransitTimeParams(_Params):
    """A transit-time distribution: floor, median, tail and a per-distance term (hours)."""

    min_hours: float = Field(ge=0)  # nothing arrives faster (line-haul + sorting floor)
    median_hours: float = Field(gt=0)  # half of parcels arrive within this (at zero distance)
    sigma: float = Field(gt=0, le=3)  # lognormal shape of the excess over min: the tail
    hours_per_100km: float = Field(default=0.0, ge=0)  # added to min and median per 100 km

    @model_validator(mode="after")
    def _median_above_min(self):
        if not self.median_hours > self.min_hours:
            raise ValueError('"median_hours" must be > "min_hours".')
        return self


class Tariff(_Params):
    """Courier price per parcel: first kilogram, then each started extra kilogram (首重/续重)."""

    first_kg_fen: int = Field(ge=0)
    extra_kg_fen: int = Field(ge=0)


class BandParams(_Params):
    time: TransitTimeParams
    tariff: Tariff


class CourierParams(_Params):
    """One courier service priced by zone: the same city, province, region, or across regions."""

    same_city: BandParams
    same_province: BandParams
    same_region: BandParams
    cross_region: BandParams


class RiderParams(_Params):
    """Same-city instant delivery by a rider (达达, 闪送, 顺丰同城, 美团跑腿).

    Public price lists of these platforms start around 10–16 yuan for the first
    ~3 km plus ~2 yuan per extra km, for parcels up to ~5 kg; typical delivery
    30–60 minutes including the rider's ride to the store; ~15–20 km is the
    usual service radius.
    """

    max_km: float = Field(default=15.0, gt=0)
    base_km: float = Field(default=3.0, ge=0)
    base_fen: int = Field(default=1200, ge=0)
    per_km_fen: int = Field(default=200, ge=0)  # per started km beyond base_km
    base_weight_kg: float = Field(default=5.0, ge=0)
    extra_kg_fen: int = Field(default=200, ge=0)  # per started kg beyond base_weight_kg
    # 15 min to reach the store, ~45 min median door to door, e-bike ~25 km/h.
    time: TransitTimeParams = TransitTimeParams(min_hours=0.25, median_hours=0.75, sigma=0.4, hours_per_100km=4.0)


# Courier express from stores and cloud warehouses on the brand's monthly account.
# Times: the State Post Bureau's yearly express tests put the national full-process
# average at roughly 56–58 h with ~78–80% delivered within 72 h (2021–2022); our
# cross-region band is set to about that (mean ≈ 59 h, P(≤72 h) ≈ 0.8 at 1,200 km).
# Same-city/province follow carriers' "次日达" (next-day) promises.
# Prices: the SPB's 2023 totals (≈132 bn parcels, ≈1.2 trn yuan) average ≈9 yuan a
# parcel across all services; e-commerce shippers with volume pay ~5–12 yuan first kg.
EXPRESS = CourierParams(
    same_city=BandParams(time=TransitTimeParams(min_hours=5, median_hours=16, sigma=0.4),
                   tariff=Tariff(first_kg_fen=600, extra_kg_fen=200)),
    same_province=BandParams(time=TransitTimeParams(min_hours=10, median_hours=24, sigma=0.4, hours_per_100km=0.5),
                       tariff=Tariff(first_kg_fen=700, extra_kg_fen=300)),
    same_region=BandParams(time=TransitTimeParams(min_hours=16, median_hours=32, sigma=0.45, hours_per_100km=0.5),
                     tariff=Tariff(first_kg_fen=900, extra_kg_fen=500)),
    cross_region=BandParams(time=TransitTimeParams(min_hours=26, median_hours=50, sigma=0.6, hours_per_100km=0.4),
                      tariff=Tariff(first_kg_fen=1200, extra_kg_fen=800)),
)

# RDC line-haul: orders are sorted in the RDC, trucked on scheduled trunk lanes to
# the carrier's destination hubs, then delivered by the last mile. Faster in region
# (the brand's "front store, back warehouse" network targets delivery within 24 h,
# DOMAIN.md) and cheaper: volume contracts with the 通达 carriers are widely
# reported at ~3–5 yuan first kg.
LINEHAUL = CourierParams(
    same_city=BandParams(time=TransitTimeParams(min_hours=4, median_hours=12, sigma=0.35),
                   tariff=Tariff(first_kg_fen=450, extra_kg_fen=100)),
    same_province=BandParams(time=TransitTimeParams(min_hours=8, median_hours=18, sigma=0.35, hours_per_100km=0.4),
                       tariff=Tariff(first_kg_fen=500, extra_kg_fen=150)),
    same_region=BandParams(time=TransitTimeParams(min_hours=12, median_hours=24, sigma=0.4, hours_per_100km=0.4),
                     tariff=Tariff(first_kg_fen=600, extra_kg_fen=200)),
    cross_region=BandParams(time=TransitTimeParams(min_hours=24, median_hours=42, sigma=0.5, hours_per_100km=0.4),
                      tariff=Tariff(first_kg_fen=800, extra_kg_fen=400)),
)


class RemoteParams(_Params):
    """Couriers' remote-area (偏远地区) terms for Tibet and Xinjiang: surcharges of
    ~10 yuan and one to three extra days are common in public price lists.
    Applied to parcels entering these provinces from outside."""

    provinces: tuple[str, ...] = ("54", "65")  # province adcode prefixes
    extra_hours: float = Field(default=24.0, ge=0)
    surcharge_fen: int = Field(default=1000, ge=0)


class HandlingParams(_Params):
    """From payment to a packed parcel, beyond the pick-pack time itself (counted in opening hours)."""

    store_release_minutes: float = Field(default=15.0, ge=0)  # staff notice the task on the store app/POS
    warehouse_release_minutes: float = Field(default=45.0, ge=0)  # WMS wave release every ~30–60 min


class TransitParams(_Params):
    """All delivery parameters of a scenario. `linehaul` prices RDCs, `express` stores
    and cloud warehouses, `rider` same-city rider delivery from stores."""

    rider: RiderParams = RiderParams()
    express: CourierParams = EXPRESS
    linehaul: CourierParams = LINEHAUL
    remote: RemoteParams = RemoteParams()
    handling: HandlingParams = HandlingParams()
    parcel_weight_kg: float = Field(default=1.0, gt=0)  # a typical apparel/shoe parcel; the matrix's weight

    def with_overrides(self, overrides: dict[str, Any]) -> TransitParams:
        """These parameters with a nested dict of overrides applied (validated)."""
        return TransitParams.model_validate(deep_merge(self.model_dump(), overrides))


def deep_merge(base: dict, overrides: dict) -> dict:
    """`base` with `overrides` applied key by key, nested dicts merged, anything else replaced
    (also how scenario files merge into the defaults)."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = deep_merge(base[key], value)
        else:
            merged[key] = value
    return merged


DEFAULT_TRANSIT_PARAMS = TransitParams()
