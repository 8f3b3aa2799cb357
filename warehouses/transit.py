"""The delivery quote: for a node, a destination and a dispatch time, when and how likely and how dear.

`quote` is the one function allocation and simulation both ask "what if this node
ships this order?". It combines the node's hand-over (`warehouses/handover.py`),
the lane's mode, band, transit-time distribution and price (`warehouses/lanes.py`),
and the promise. For many orders use `TransitMatrix` (`warehouses/transit_matrix.py`),
which precomputes the same lanes for every node × district.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np

from warehouses.distance import geodesic_km
from warehouses.handover import handover_at
from warehouses.lanes import BANDS, MODES, NO_LANE, Band, Destinations, LaneTables, Mode, Origins, price_lanes
from warehouses.nodes import Node
from warehouses.transit_params import DEFAULT_TRANSIT_PARAMS, TransitParams
from warehouses.transit_time import TransitTime


class Place(Protocol):
    """Anything located in a delivery district: a `District` or a `ResolvedAddress`."""

    adcode: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Quote:
    """What shipping one order from one node to one address would look like."""

    node_id: str
    destination_adcode: str
    mode: Mode
    band: Band
    distance_km: float
    handover_at: datetime  # parcel handed to the rider or carrier
    transit: TransitTime  # hours from hand-over to delivery, a distribution
    expected_delivery_at: datetime  # hand-over + mean transit
    p_within_promise: float  # probability of delivery by the promise
    cost_fen: int  # delivery price of the parcel

    @property
    def p90_delivery_at(self) -> datetime:
        return self.handover_at + timedelta(hours=self.transit.p90_hours)


def quote(node: Node, destination: Place, dispatch_at: datetime, promise_at: datetime,
          params: TransitParams = DEFAULT_TRANSIT_PARAMS, *, units: int = 1, weight_kg: float | None = None,
          mode: Mode | None = None) -> Quote | None:
    """Quote shipping an order of `units` (paid/dispatched to the node at `dispatch_at`) to
    `destination`, to be delivered by `promise_at`.

    Returns None when the node cannot deliver there (a store without ship-from-store
    outside rider range; `mode` forced to one the node does not offer).
    """
    distance_km = geodesic_km(node.lat, node.lon, destination.lat, destination.lon)
    lanes = price_lanes(Origins.of([node]), Destinations.of([destination.adcode]), np.array([[distance_km]]),
                        params, params.parcel_weight_kg if weight_kg is None else weight_kg,
                        modes=None if mode is None else frozenset([mode]))
    mode_code, band_code = int(lanes.mode[0, 0]), int(lanes.band[0, 0])
    if mode_code == NO_LANE:
        return None
    lane_mode, tables = MODES[mode_code], LaneTables.of(params)
    handover = handover_at(node, lane_mode, dispatch_at, params, units)
    transit = TransitTime(float(lanes.min_hours[0, 0]), float(tables.median_excess_hours[mode_code, band_code]),
                          float(tables.sigma[mode_code, band_code]))
    slack_hours = (promise_at - handover).total_seconds() / 3600
    return Quote(node_id=node.node_id, destination_adcode=destination.adcode, mode=lane_mode,
                 band=BANDS[band_code], distance_km=distance_km, handover_at=handover, transit=transit,
                 expected_delivery_at=handover + timedelta(hours=transit.mean_hours),
                 p_within_promise=transit.cdf(slack_hours), cost_fen=int(lanes.cost_fen[0, 0]))


__all__ = ["Band", "Mode", "Place", "Quote", "quote"]
