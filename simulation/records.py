"""What a run leaves behind: immutable records, turned into statistics afterwards (`kpis.py`).

Order and shipment records are read from the OMS's own store at the end of the run (status,
times, shipments, rejections, costs as the OMS recorded them) plus what only the simulator saw
(queue waits, the node kind). Times are hours from the run's start. Records are named tuples:
immutable, and cheap enough to make 100k of each per run.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd


class OrderRecord(NamedTuple):
    order_id: int  # the OMS's id; 0 for an order refused at intake
    channel: str
    region: str  # of the delivery address
    city_tier: int
    paid_h: float
    outcome: str  # delivered / cancelled / unfulfilled
    reason: str  # for unfulfilled (and cancelled): why
    status: str  # the OMS's final status
    delivered_h: float | None  # last parcel delivered
    first_allocated_h: float | None
    units: int
    lines: int
    parcels: int  # active shipments (split orders have several)
    node_kind: str  # kind of the node(s) that shipped it: store / rdc / cloud / mixed / none
    rejected_lines: int
    reallocations: int  # shipments created after a rejection
    shipping_fen: int
    handling_fen: int

    @property
    def delivery_h(self) -> float | None:
        return None if self.delivered_h is None else self.delivered_h - self.paid_h


class ShipmentRecord(NamedTuple):
    order_id: int
    shipment_no: int
    node_id: str
    node_kind: str
    mode: str  # rider / express / linehaul
    status: str
    allocated_h: float | None
    accepted_h: float | None
    pick_start_h: float | None
    packed_h: float | None
    handed_over_h: float | None
    delivered_h: float | None
    queue_wait_h: float | None  # waiting for a free picker
    units: int
    rejected_lines: int


class WaveRecord(NamedTuple):
    at_h: float
    kind: str  # wave / reallocation / realtime
    orders: int
    allocated: int
    backordered: int
    retry_later: int
    shipments: int
    solver: str
    status: str
    wall_s: float  # the whole allocation call (snapshot, planner, solver, reservations)
    solver_wall_s: float


class BacklogSample(NamedTuple):
    at_h: float
    node_kind: str  # store / rdc / cloud / oms (orders not yet allocated)
    waiting: int  # allocated, not yet being picked
    picking: int
    awaiting_pickup: int  # packed, waiting for the carrier
    in_transit: int
    busy_pickers: int
    staffed_pickers: int  # pickers on duty at open nodes of this kind


class NodeRecord(NamedTuple):
    node_id: str
    kind: str
    region: str
    pickers: int
    open_picker_h: float  # picker-hours on duty while open (and not down); without shifts pickers × open h
    busy_picker_h: float
    shipments: int
    rejected_lines: int


@dataclass(frozen=True)
class RunRecords:
    scenario: str
    seed: int
    orders: tuple[OrderRecord, ...]
    shipments: tuple[ShipmentRecord, ...]
    waves: tuple[WaveRecord, ...]
    backlog: tuple[BacklogSample, ...]
    nodes: tuple[NodeRecord, ...]
    stats: dict  # engine figures: events, wall time split, dropped replay rows…

    def frame(self, name: str) -> pd.DataFrame:
        """One table of records as a DataFrame (orders, shipments, waves, backlog, nodes)."""
        kind = {"orders": OrderRecord, "shipments": ShipmentRecord, "waves": WaveRecord,
                "backlog": BacklogSample, "nodes": NodeRecord}[name]
        return pd.DataFrame(list(getattr(self, name)), columns=list(kind._fields))
