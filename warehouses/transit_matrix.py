"""Every node × delivery district lane, precomputed as numpy arrays for allocation at scale.

Rows follow `network.nodes`, columns `geography.districts`. A lookup is array
indexing: ``matrix.cost_fen[i, j]``, or vectorised over many orders at once with
`p_within_promise(node_idx, district_idx, dispatch_at, promise_at)`. The lanes
come from the same kernel as `quote` (`warehouses/lanes.py`), so both agree; the
only difference is distance, computed here by the vectorised ellipsoidal formula
(within metres of geopy).

Memory: ~14 bytes a cell (1,000 nodes × 2,854 districts ≈ 40 MB).
Built in row blocks so peak memory stays bounded for 5,000-node networks.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import cached_property, lru_cache

import numpy as np

from warehouses.distance import geodesic_km_matrix
from warehouses.geography import Geography, load_geography
from warehouses.handover import next_carrier_pickup, ready_at
from warehouses.lanes import BANDS, MODES, NO_LANE, Destinations, LaneTables, Mode, Origins, price_lanes
from warehouses.nodes import Network, Node
from warehouses.transit import Quote
from warehouses.transit_params import DEFAULT_TRANSIT_PARAMS, TransitParams
from warehouses.transit_time import TransitTime, shifted_lognormal_cdf

_BLOCK_ROWS = 256  # nodes priced per block


class TransitMatrix:
    """Lanes from every node to every delivery district, for a parcel of `weight_kg`."""

    def __init__(self, network: Network, geography: Geography | None = None,
                 params: TransitParams = DEFAULT_TRANSIT_PARAMS, weight_kg: float | None = None):
        self.network = network
        self.geography = geography or network.geography or load_geography()
        self.params = params
        self.weight_kg = params.parcel_weight_kg if weight_kg is None else weight_kg
        self.node_ids: tuple[str, ...] = tuple(n.node_id for n in network.nodes)
        self.district_adcodes: tuple[str, ...] = tuple(d.adcode for d in self.geography.districts)
        shape = (len(self.node_ids), len(self.district_adcodes))
        self.distance_km = np.empty(shape, dtype=np.float32)
        self.mode = np.empty(shape, dtype=np.int8)  # Mode code; NO_LANE (-1) = cannot serve
        self.band = np.empty(shape, dtype=np.int8)  # Band code
        self.min_hours = np.empty(shape, dtype=np.float32)  # transit floor (inf without a lane)
        self.cost_fen = np.empty(shape, dtype=np.int32)  # NO_LANE_COST_FEN without a lane
        destinations = Destinations.of(self.district_adcodes)
        lat, lon = self.geography.district_lat, self.geography.district_lon
        for start in range(0, shape[0], _BLOCK_ROWS):
            nodes = network.nodes[start:start + _BLOCK_ROWS]
            rows = slice(start, start + len(nodes))
            distance = geodesic_km_matrix(np.array([n.lat for n in nodes]), np.array([n.lon for n in nodes]), lat, lon)
            lanes = price_lanes(Origins.of(nodes), destinations, distance, params, self.weight_kg)
            self.distance_km[rows], self.mode[rows], self.band[rows] = distance, lanes.mode, lanes.band
            self.min_hours[rows], self.cost_fen[rows] = lanes.min_hours, lanes.cost_fen
        self._tables = LaneTables.of(params)
        self._handover_cache = lru_cache(maxsize=256)(self._handover_hours)

    # -- indexes -------------------------------------------------------------------------------

    @cached_property
    def _node_index(self) -> dict[str, int]:
        return {node_id: i for i, node_id in enumerate(self.node_ids)}

    def node_index(self, node_id: str) -> int:
        return self._node_index[node_id]

    def district_index(self, adcode: str) -> int:
        return self.geography.district_index[adcode]

    @property
    def feasible(self) -> np.ndarray:
        """Which pairs have a lane at all."""
        return self.mode != NO_LANE

    # -- transit-time distributions ------------------------------------------------------------

    def median_excess_hours(self, node_idx, district_idx) -> np.ndarray:
        return self._tables.median_excess_hours[self._lane_index(node_idx, district_idx)]

    def sigma(self, node_idx, district_idx) -> np.ndarray:
        return self._tables.sigma[self._lane_index(node_idx, district_idx)]

    @cached_property
    def mean_hours(self) -> np.ndarray:
        """Mean transit hours from hand-over, every pair (inf without a lane)."""
        m, b = np.maximum(self.mode, 0), self.band
        excess_mean = self._tables.median_excess_hours * np.exp(self._tables.sigma ** 2 / 2)
        return (self.min_hours + excess_mean[m, b]).astype(np.float32)

    def p_within(self, node_idx, district_idx, slack_hours) -> np.ndarray:
        """P(delivered within `slack_hours` of hand-over), vectorised over index arrays."""
        pairs = self.pairs(node_idx, district_idx)
        return self.p_within_pairs(pairs, self.mode_of(pairs), slack_hours)

    def _lane_index(self, node_idx, district_idx):
        return np.maximum(self.mode[node_idx, district_idx], 0), self.band[node_idx, district_idx]

    # Lookups by pair (node row × district column, flattened), for callers asking about a hundred
    # thousand pairs at a time (an allocation wave): each array is read once per pair.
    def pairs(self, node_idx, district_idx) -> np.ndarray:
        return np.asarray(node_idx, dtype=np.int64) * len(self.district_adcodes) + district_idx

    def mode_of(self, pairs: np.ndarray) -> np.ndarray:
        return self.mode.ravel().take(pairs)

    def cost_of(self, pairs: np.ndarray) -> np.ndarray:
        return self.cost_fen.ravel().take(pairs)

    def p_within_pairs(self, pairs: np.ndarray, mode: np.ndarray, slack_hours) -> np.ndarray:
        """`p_within` for pairs whose modes are already looked up."""
        lane = np.maximum(mode, 0) * self._tables.sigma.shape[1] + self.band.ravel().take(pairs)
        p = shifted_lognormal_cdf(slack_hours, self.min_hours.ravel().take(pairs).astype(float),
                                  self._tables.median_excess_hours.ravel().take(lane),
                                  self._tables.sigma.ravel().take(lane))
        return np.where(mode != NO_LANE, p, 0.0)

    # -- hand-over and promise -----------------------------------------------------------------

    def handover_hours(self, dispatch_at: datetime, units: int = 1) -> np.ndarray:
        """Hours from `dispatch_at` to hand-over, shape (modes, nodes): row `Mode.RIDER.code`
        is the ready time, the courier rows the next carrier pickup (nan if none). Cached."""
        return self._handover_cache(dispatch_at, units)

    def _handover_hours(self, dispatch_at: datetime, units: int) -> np.ndarray:
        hours = np.full((len(MODES), len(self.node_ids)), np.nan)
        for node, rows in self._handover_groups.values():
            ready = ready_at(node, dispatch_at, self.params, units)
            pickup = next_carrier_pickup(node, ready)
            hours[Mode.RIDER.code, rows] = (ready - dispatch_at).total_seconds() / 3600
            if pickup is not None:
                hours[np.ix_([Mode.EXPRESS.code, Mode.LINEHAUL.code], rows)] = \
                    (pickup - dispatch_at).total_seconds() / 3600
        return hours

    @cached_property
    def _handover_groups(self) -> dict[tuple, tuple[Node, np.ndarray]]:
        """Nodes whose hand-over times are always equal (same kind, hours, pick rate and cut-offs),
        one representative each: a thousand stores share a few dozen such timetables."""
        groups: dict[tuple, list] = {}
        for i, node in enumerate(self.network.nodes):
            key = (node.kind, node.opening_hours, node.pick_rate_units_per_hour, node.carrier_cutoffs)
            groups.setdefault(key, [node, []])[1].append(i)
        return {key: (node, np.array(rows)) for key, (node, rows) in groups.items()}

    def p_within_promise(self, node_idx, district_idx, dispatch_at: datetime, promise_at: datetime,
                         units: int = 1) -> np.ndarray:
        """P(delivered by `promise_at`) for orders dispatched at `dispatch_at`, vectorised over pairs."""
        node_idx, district_idx = np.asarray(node_idx), np.asarray(district_idx)
        handover = self.handover_hours(dispatch_at, units)[np.maximum(self.mode[node_idx, district_idx], 0), node_idx]
        slack = (promise_at - dispatch_at).total_seconds() / 3600 - handover
        return np.where(np.isnan(slack), 0.0, self.p_within(node_idx, district_idx, np.nan_to_num(slack, nan=-1.0)))

    def quote(self, node_idx: int, district_idx: int, dispatch_at: datetime, promise_at: datetime,
              units: int = 1) -> Quote | None:
        """The `Quote` read from the matrix (what `warehouses.transit.quote` computes from scratch)."""
        mode_code = int(self.mode[node_idx, district_idx])
        if mode_code == NO_LANE:
            return None
        mode, band = MODES[mode_code], BANDS[int(self.band[node_idx, district_idx])]
        handover = dispatch_at + timedelta(hours=float(self.handover_hours(dispatch_at, units)[mode_code, node_idx]))
        transit = TransitTime(float(self.min_hours[node_idx, district_idx]),
                              float(self._tables.median_excess_hours[mode_code, band.code]),
                              float(self._tables.sigma[mode_code, band.code]))
        return Quote(node_id=self.node_ids[node_idx], destination_adcode=self.district_adcodes[district_idx],
                     mode=mode, band=band, distance_km=float(self.distance_km[node_idx, district_idx]),
                     handover_at=handover, transit=transit,
                     expected_delivery_at=handover + timedelta(hours=transit.mean_hours),
                     p_within_promise=float(self.p_within_promise(node_idx, district_idx, dispatch_at, promise_at, units)),
                     cost_fen=int(self.cost_fen[node_idx, district_idx]))
