"""Replay real orders: from a CSV/Parquet export (one row per order line) or the OMS database.

Export columns (a header row names them; the order does not matter):

=================  ========  =================================================================
column             required  meaning
=================  ========  =================================================================
channel            yes       mall / guide / tmall / jd / vip / douyin
channel_order_id   yes       the channel's order id (re-sent rows are de-duplicated by the OMS)
paid_at            yes       ISO time; without an offset it is read as the run's time zone
sku_code           yes       seller SKU code
quantity           yes       units of the line
paid_fen           no        what the customer paid for the line (default: list price × quantity)
province, city     yes*      delivery address as the channel sent it (*or ``adcode``)
district, detail   no
adcode             no        six-digit district code, instead of the address text
store_id, guide_id no        attribution of social orders
=================  ========  =================================================================

With ``shift_to_start`` the payment times move by whole days so the first order's day is the run's
start day (times of day stay as they were). Orders paid outside the demand window are dropped.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from oms.orders import CHANNELS
from scenarios.loader import ScenarioError
from scenarios.schema import ReplaySpec, RunSpec
from simulation.demand import Demand
from simulation.world import World

REQUIRED = ("channel", "channel_order_id", "paid_at", "sku_code", "quantity")


def load_replay(spec: ReplaySpec, run: RunSpec, world: World) -> tuple[Demand, int]:
    """The replayed demand and how many orders fell outside the demand window."""
    frame = read_database(spec) if spec.database_url else read_export(Path(spec.path))
    return demand_from_frame(frame, spec, run, world, source=spec.path or "database")


def read_export(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise ScenarioError(str(path), [("demand.replay.path", "no such file")])
    if path.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype={"channel_order_id": str, "sku_code": str, "adcode": str, "store_id": str,
                                    "guide_id": str})


def read_database(spec: ReplaySpec) -> pd.DataFrame:
    """Orders and lines from the OMS database, read-only, in the export's columns."""
    from sqlalchemy import select

    from oms.persistence import tables as t
    from oms.persistence.database import make_engine

    o, ln = t.orders, t.order_lines
    query = (select(o.c.channel, o.c.channel_order_id, o.c.paid_at, ln.c.sku_code, ln.c.quantity, ln.c.paid_fen,
                    o.c.province, o.c.city, o.c.district, o.c.detail, o.c.adcode, o.c.store_id, o.c.guide_id)
             .join(ln, ln.c.order_id == o.c.id).order_by(o.c.paid_at, o.c.id, ln.c.line_no))
    if spec.paid_from is not None:
        query = query.where(o.c.paid_at >= spec.paid_from)
    if spec.paid_to is not None:
        query = query.where(o.c.paid_at < spec.paid_to)
    engine = make_engine(spec.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
    finally:
        engine.dispose()
    return pd.DataFrame(rows, columns=[c.name for c in query.selected_columns])


def demand_from_frame(frame: pd.DataFrame, spec: ReplaySpec, run: RunSpec, world: World,
                      source: str = "replay") -> tuple[Demand, int]:
    missing = [c for c in REQUIRED if c not in frame.columns]
    if "adcode" not in frame.columns and not {"province", "city"} <= set(frame.columns):
        missing.append("province/city or adcode")
    if missing:
        raise ScenarioError(source, [("demand.replay", f"missing column(s): {', '.join(missing)}")])
    frame = frame.copy()
    frame["paid_at"] = _aware(frame["paid_at"], run.start)
    if spec.paid_from is not None:
        frame = frame[frame.paid_at >= spec.paid_from]
    if spec.paid_to is not None:
        frame = frame[frame.paid_at < spec.paid_to]
    frame["_key"] = frame.channel.astype(str) + "\x1f" + frame.channel_order_id.astype(str)
    heads = frame.drop_duplicates("_key").sort_values(["paid_at", "_key"], kind="stable")
    shift = _day_shift(heads.paid_at.min(), run.start) if spec.shift_to_start and len(heads) else timedelta(0)
    minute = ((heads.paid_at + shift) - run.start).dt.total_seconds().to_numpy() / 60.0
    inside = (minute >= 0) & (minute < run.demand_hours * 60)
    heads, minute = heads[inside], minute[inside]
    lines = frame[frame._key.isin(set(heads._key))].copy()
    lines["_order"] = lines._key.map({k: i for i, k in enumerate(heads._key)})
    lines = lines.sort_values(["_order"], kind="stable")
    codes = tuple(dict.fromkeys(lines.sku_code.astype(str)))
    code_at = {c: i for i, c in enumerate(codes)}
    counts = np.bincount(lines._order.to_numpy(), minlength=len(heads))
    paid = (lines.paid_fen.to_numpy(dtype=np.int64) if "paid_fen" in lines.columns
            else np.array([world.catalogue.skus[c].price_fen if c in world.catalogue else 0
                           for c in lines.sku_code.astype(str)], dtype=np.int64) * lines.quantity.to_numpy())
    node_at = {n.node_id: i for i, n in enumerate(world.network.nodes)}
    demand = Demand(
        paid_minute=minute.astype(float), channel=np.array([CHANNELS.index(c) if c in CHANNELS else -1
                                                            for c in heads.channel], dtype=np.int8),
        district=np.full(len(heads), -1, dtype=np.int32),
        store=np.array([node_at.get(str(s), -1) for s in heads.get("store_id", pd.Series([None] * len(heads)))],
                       dtype=np.int32),
        line_start=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        line_sku=np.array([code_at[c] for c in lines.sku_code.astype(str)], dtype=np.int32),
        line_qty=lines.quantity.to_numpy(dtype=np.int16), sku_codes=codes,
        channel_order_ids=tuple(heads.channel_order_id.astype(str)), addresses=_addresses(heads, world),
        line_paid_fen=paid)
    return demand, int((~inside).sum())


def _aware(values: pd.Series, start: datetime) -> pd.Series:
    parsed = pd.to_datetime(values, utc=False, format="mixed") if values.dtype == object else pd.to_datetime(values)
    if getattr(parsed.dt, "tz", None) is None:
        return parsed.dt.tz_localize(start.tzinfo)
    return parsed.dt.tz_convert(start.tzinfo)


def _day_shift(first: pd.Timestamp, start: datetime) -> timedelta:
    first_day = first.tz_convert(start.tzinfo).normalize()
    start_day = pd.Timestamp(start).normalize()
    return timedelta(days=(start_day - first_day).days)


def _addresses(heads: pd.DataFrame, world: World) -> tuple[tuple[str, str, str, str], ...]:
    geo = world.geography
    out = []
    for row in heads.itertuples(index=False):
        adcode = getattr(row, "adcode", None)
        if isinstance(adcode, str) and adcode in geo.district_index:
            d = geo.district(adcode)
            out.append((d.province, d.city, d.name, str(getattr(row, "detail", "") or "replayed address")))
        else:
            out.append((str(getattr(row, "province", "") or ""), str(getattr(row, "city", "") or ""),
                        str(getattr(row, "district", "") or ""), str(getattr(row, "detail", "") or "replayed address")))
    return tuple(out)
