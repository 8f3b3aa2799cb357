"""Lanes: how a parcel goes from a node to a delivery district, what it costs, how long it takes.

One vectorised kernel, `price_lanes`, decides every lane's delivery mode, zone
band, transit-time distribution and price. `quote` calls it for one lane and
`TransitMatrix` for a million, so they cannot disagree.

Mode rules: a store with same-city rider delivery sends a rider to addresses in
its own city within the rider radius; otherwise a node that ships parcels hands
them to a courier — RDCs on their line-haul contract (`Mode.LINEHAUL`), stores
and cloud warehouses as express (`Mode.EXPRESS`). A store that neither opted in to
ship-from-store nor offers riders (or is out of rider range) cannot deliver: no lane.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

from warehouses.admin_divisions import city_adcode_of
from warehouses.nodes import Node, NodeKind
from warehouses.regions import REGIONS, region_of
from warehouses.transit_params import TransitParams

NO_LANE = -1  # mode code of a node × district pair that cannot be served
NO_LANE_COST_FEN = np.iinfo(np.int32).max  # its cost, so a min-cost search never picks it


class Mode(str, Enum):
    """How the parcel travels: a same-city rider, courier express, or RDC line-haul + last mile."""

    RIDER = "rider"
    EXPRESS = "express"
    LINEHAUL = "linehaul"

    @property
    def code(self) -> int:
        return MODES.index(self)


class Band(str, Enum):
    """Courier zone of a lane: same city, same province, same region, across regions."""

    SAME_CITY = "same_city"
    SAME_PROVINCE = "same_province"
    SAME_REGION = "same_region"
    CROSS_REGION = "cross_region"

    @property
    def code(self) -> int:
        return BANDS.index(self)


MODES = tuple(Mode)
BANDS = tuple(Band)


@dataclass(frozen=True)
class Origins:
    """The node features lanes depend on, as arrays (one entry per node)."""

    province: np.ndarray
    city: np.ndarray
    region: np.ndarray
    is_rdc: np.ndarray
    ships_express: np.ndarray
    rider: np.ndarray

    @classmethod
    def of(cls, nodes: Sequence[Node]) -> Origins:
        return cls(province=np.array([int(n.adcode[:2]) for n in nodes]),
                   city=np.array([int(n.city_adcode) for n in nodes]),
                   region=np.array([REGIONS.index(n.region) for n in nodes]),
                   is_rdc=np.array([n.kind is NodeKind.RDC for n in nodes]),
                   ships_express=np.array([n.ships_express for n in nodes]),
                   rider=np.array([n.same_city_rider for n in nodes]))


@dataclass(frozen=True)
class Destinations:
    """The delivery-district features lanes depend on, as arrays."""

    province: np.ndarray
    city: np.ndarray
    region: np.ndarray

    @classmethod
    def of(cls, adcodes: Iterable[str]) -> Destinations:
        adcodes = list(adcodes)
        return cls(province=np.array([int(a[:2]) for a in adcodes]),
                   city=np.array([int(city_adcode_of(a)) for a in adcodes]),
                   region=np.array([REGIONS.index(region_of(a)) for a in adcodes]))


@dataclass(frozen=True)
class LaneTables:
    """Parameters as (mode × band) arrays; the rider row repeats across bands."""

    min_hours: np.ndarray
    median_excess_hours: np.ndarray
    sigma: np.ndarray
    hours_per_km: np.ndarray
    first_fen: np.ndarray
    extra_kg_fen: np.ndarray
    base_weight_kg: np.ndarray

    @classmethod
    @lru_cache(maxsize=16)
    def of(cls, params: TransitParams) -> LaneTables:
        n = len(BANDS)
        couriers = [[getattr(courier, band.value) for band in BANDS] for courier in (params.express, params.linehaul)]
        times = [[params.rider.time] * n] + [[band.time for band in row] for row in couriers]
        grid = lambda rows: np.array(rows, dtype=float)  # noqa: E731
        return cls(
            min_hours=grid([[t.min_hours for t in row] for row in times]),
            median_excess_hours=grid([[t.median_hours - t.min_hours for t in row] for row in times]),
            sigma=grid([[t.sigma for t in row] for row in times]),
            hours_per_km=grid([[t.hours_per_100km / 100 for t in row] for row in times]),
            first_fen=grid([[params.rider.base_fen] * n] + [[b.tariff.first_kg_fen for b in row] for row in couriers]),
            extra_kg_fen=grid([[params.rider.extra_kg_fen] * n]
                              + [[b.tariff.extra_kg_fen for b in row] for row in couriers]),
            base_weight_kg=grid([[params.rider.base_weight_kg] * n] + [[1.0] * n] * len(couriers)))


@dataclass(frozen=True)
class Lanes:
    """Lanes for a block of node × district pairs (2-D arrays, rows = nodes)."""

    mode: np.ndarray  # int8 Mode code, NO_LANE when the pair cannot be served
    band: np.ndarray  # int8 Band code
    min_hours: np.ndarray  # the distribution floor incl. distance and remote-area terms
    cost_fen: np.ndarray  # price of a parcel of the given weight, NO_LANE_COST_FEN if no lane


def price_lanes(origins: Origins, destinations: Destinations, distance_km: np.ndarray,
                params: TransitParams, weight_kg: float, modes: frozenset[Mode] | None = None) -> Lanes:
    """Mode, band, transit floor and cost of every origin × destination pair.

    `modes` restricts the modes considered (None: all), e.g. to price express from a rider store.
    """
    tables = LaneTables.of(params)
    o = lambda a: a[:, None]  # noqa: E731  (origins down the rows)
    same_city = o(origins.city) == destinations.city
    same_province = o(origins.province) == destinations.province
    same_region = o(origins.region) == destinations.region
    band = np.where(same_city, 0, np.where(same_province, 1, np.where(same_region, 2, 3))).astype(np.int8)
    allowed = modes if modes is not None else frozenset(Mode)
    rider_ok = o(origins.rider) & same_city & (distance_km <= params.rider.max_km) & (Mode.RIDER in allowed)
    courier = np.where(origins.is_rdc, Mode.LINEHAUL.code, Mode.EXPRESS.code)
    courier_ok = origins.ships_express & np.isin(courier, [m.code for m in allowed])
    mode = np.where(rider_ok, Mode.RIDER.code, np.where(o(courier_ok), o(courier), NO_LANE)).astype(np.int8)
    served = mode != NO_LANE
    m = np.where(served, mode, 0)
    is_rider = mode == Mode.RIDER.code
    # Remote-area terms apply to courier parcels entering Tibet/Xinjiang from another province.
    remote_dest = np.isin(destinations.province, [int(p) for p in params.remote.provinces])
    remote = remote_dest & ~same_province & ~is_rider
    min_hours = tables.min_hours[m, band] + tables.hours_per_km[m, band] * distance_km \
        + remote * params.remote.extra_hours
    extra_weight = np.ceil(np.maximum(0.0, weight_kg - tables.base_weight_kg[m, band]) - 1e-9)
    rider_km = np.where(is_rider, np.ceil(np.maximum(0.0, distance_km - params.rider.base_km) - 1e-9), 0.0)
    cost = tables.first_fen[m, band] + tables.extra_kg_fen[m, band] * extra_weight \
        + rider_km * params.rider.per_km_fen + remote * params.remote.surcharge_fen
    return Lanes(mode=mode, band=band, min_hours=np.where(served, min_hours, np.inf),
                 cost_fen=np.where(served, np.rint(cost), NO_LANE_COST_FEN).astype(np.int64))
