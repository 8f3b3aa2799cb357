"""The carrier network as the simulation draws it: each lane's transit-time distribution and mode
from the transit matrix (the allocator's own), and the scenario's carrier delays."""
from __future__ import annotations

from scenarios.schema import CarrierDelay
from warehouses.lanes import MODES, NO_LANE
from warehouses.transit_matrix import TransitMatrix
from warehouses.transit_time import TransitTime

UNSERVED_LANE = TransitTime(48.0, 24.0, 0.6)  # allocation never picks a pair without a lane; a courier's slow tail


class Carriers:
    def __init__(self, matrix: TransitMatrix, delays: tuple[CarrierDelay, ...]):
        self.matrix, self.delays = matrix, delays
        self._lanes: dict[tuple[int, int], tuple[TransitTime, str]] = {}

    def lane(self, node: int, district: int) -> tuple[TransitTime, str]:
        """(transit time from hand-over to the door, mode) of a node → district lane."""
        key = (node, district)
        if key not in self._lanes:
            m = self.matrix
            code = int(m.mode[node, district]) if district >= 0 else NO_LANE
            if code == NO_LANE:
                self._lanes[key] = (UNSERVED_LANE, "express")
            else:
                self._lanes[key] = (TransitTime(float(m.min_hours[node, district]),
                                                float(m.median_excess_hours(node, district)),
                                                float(m.sigma(node, district))), MODES[code].value)
        return self._lanes[key]

    def delay_hours(self, hour: float, mode: str, region: str) -> float:
        """Extra hours for a parcel handed over at `hour` (run hours) on `mode` to `region`."""
        return sum(d.extra_hours for d in self.delays if d.covers(hour) and (d.modes is None or mode in d.modes)
                   and (d.regions is None or region in d.regions))

    def pickups_skipped(self, hour: float, mode: str, node_region: str) -> bool:
        """Couriers stay away from nodes in the delay's regions."""
        return any(d.skip_pickups and d.covers(hour) and (d.modes is None or mode in d.modes)
                   and (d.regions is None or node_region in d.regions) for d in self.delays)
