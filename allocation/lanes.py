"""A simple geometric lane model: cost and on-time probability from great-circle distance.

Stands in for the real transit model (`warehouses/transit.py`) in tests and
synthetic benchmarks; anything with the same `lanes(...)` method plugs in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from allocation.problem import LaneQuote

EARTH_RADIUS_KM = 6371.0
RIDER_MAX_KM = 30.0  # same-city rider only within this radius
RIDER_BASE_FEN = 900  # flag fall of a same-city rider trip
RIDER_PER_KM_FEN = 60
EXPRESS_BASE_FEN = 600  # express courier, first kg
EXPRESS_PER_KM_FEN = 0.45
RIDER_HOURS = 3.0  # mean pickup + ride
EXPRESS_BASE_HOURS = 14.0  # line haul collection + sorting + last mile
EXPRESS_KM_PER_HOUR = 55.0
TRANSIT_SPREAD = 0.22  # transit time scale as a share of its mean (logistic)


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True, eq=False)
class GeometricLanes:
    """Nodes and districts on a map; a rider inside one city, a courier otherwise."""

    node_ids: Sequence[str]
    node_lat: np.ndarray
    node_lon: np.ndarray
    node_city: np.ndarray  # int city code per node
    district_lat: np.ndarray
    district_lon: np.ndarray
    district_city: np.ndarray  # int city code per district

    def transit(self, node_idx: np.ndarray, dest_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distance (km), mean transit hours and mode (0 rider, 1 express) per pair."""
        km = haversine_km(self.node_lat[node_idx], self.node_lon[node_idx],
                          self.district_lat[dest_idx], self.district_lon[dest_idx])
        rider = (self.node_city[node_idx] == self.district_city[dest_idx]) & (km <= RIDER_MAX_KM)
        hours = np.where(rider, RIDER_HOURS + km / 25.0, EXPRESS_BASE_HOURS + km / EXPRESS_KM_PER_HOUR)
        return km, hours, np.where(rider, 0, 1).astype(np.int8)

    def lanes(self, node_idx: np.ndarray, dest_idx: np.ndarray, slack_hours: np.ndarray) -> LaneQuote:
        km, hours, mode = self.transit(np.asarray(node_idx), np.asarray(dest_idx))
        cost = np.where(mode == 0, RIDER_BASE_FEN + RIDER_PER_KM_FEN * km, EXPRESS_BASE_FEN + EXPRESS_PER_KM_FEN * km)
        z = (np.asarray(slack_hours, dtype=float) - hours) / (TRANSIT_SPREAD * hours)
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        return LaneQuote(np.rint(cost).astype(np.int64), p, mode)
