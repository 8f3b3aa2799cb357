"""KPIs from a run's records, with pandas. Definitions (all per order unless said):

* **within_24h_pct** — orders whose last parcel was delivered within 24 hours of payment, as a share
  of all orders except those the customer cancelled (orders refused at intake, back-ordered or
  still travelling at the horizon count as not within 24 h).
* **delivery_p50/p90/p99_h** — hours from payment to the last parcel, over delivered orders.
* **split_parcel_pct** — delivered orders that came in more than one parcel.
* **rejected_lines** — order lines a node gave back (inventory not found, node closing);
  **reallocations** — shipments created for lines given back.
* **cost_per_order_yuan** — carrier price + handling of the shipped parcels (as the allocator
  priced them and the OMS stored them), per delivered order.
* **utilisation_pct** (per node kind) — busy picker-hours ÷ staffed picker-hours: pickers on duty
  while the nodes were open (and not down) during the demand window and the day after it — all
  pickers × open hours, or with shifts (`network.shifts`) the pickers each shift puts on duty.
* **unfulfilled** — orders neither delivered nor cancelled, by reason.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.records import RunRecords

PROMISE_H = 24.0
GROUPS = ("channel", "region", "node_kind")


def order_frame(records: RunRecords) -> pd.DataFrame:
    orders = records.frame("orders")
    orders["delivery_h"] = orders.delivered_h - orders.paid_h
    orders["within_24h"] = (orders.outcome == "delivered") & (orders.delivery_h <= PROMISE_H)
    orders["cost_fen"] = orders.shipping_fen + orders.handling_fen
    return orders


def summary(records: RunRecords) -> dict[str, float]:
    """The headline KPIs of one run as plain numbers (what replications average)."""
    o = order_frame(records)
    counted = o[o.outcome != "cancelled"]
    delivered = o[o.outcome == "delivered"]
    nodes = records.frame("nodes")
    out = {
        "orders": float(len(o)), "delivered": float(len(delivered)),
        "cancelled": float((o.outcome == "cancelled").sum()), "unfulfilled": float((o.outcome == "unfulfilled").sum()),
        "within_24h_pct": _pct(counted.within_24h.sum(), len(counted)),
        "delivery_p50_h": _quantile(delivered.delivery_h, 0.50),
        "delivery_p90_h": _quantile(delivered.delivery_h, 0.90),
        "delivery_p99_h": _quantile(delivered.delivery_h, 0.99),
        "split_parcel_pct": _pct((delivered.parcels > 1).sum(), len(delivered)),
        "rejected_lines": float(o.rejected_lines.sum()), "reallocations": float(o.reallocations.sum()),
        "cost_per_order_yuan": float(delivered.cost_fen.mean() / 100) if len(delivered) else float("nan"),
    }
    for kind in ("store", "rdc", "cloud"):
        mine = nodes[nodes.kind == kind]
        out[f"utilisation_{kind}_pct"] = _pct(mine.busy_picker_h.sum(), mine.open_picker_h.sum())
        out[f"share_shipped_by_{kind}_pct"] = _pct((delivered.node_kind == kind).sum(), len(delivered))
    return out


def by_group(records: RunRecords, column: str) -> pd.DataFrame:
    """Orders, share within 24 h, delivery-time quantiles and cost per order by channel/region/node kind."""
    o = order_frame(records)
    o = o[o.outcome != "cancelled"]
    grouped = o.groupby(column, sort=True)
    table = pd.DataFrame({
        "orders": grouped.size(),
        "within_24h_pct": grouped.within_24h.mean() * 100,
        "delivered_pct": grouped.outcome.apply(lambda s: (s == "delivered").mean() * 100),
        "p50_h": grouped.delivery_h.median(),
        "p90_h": grouped.delivery_h.quantile(0.9),
        "cost_per_order_yuan": grouped.apply(_cost_per_delivered, include_groups=False),
    })
    return table.reset_index()


def _cost_per_delivered(group: pd.DataFrame) -> float:
    delivered = group[group.outcome == "delivered"]
    return float(delivered.cost_fen.mean() / 100) if len(delivered) else float("nan")


def unfulfilled(records: RunRecords) -> pd.DataFrame:
    o = order_frame(records)
    rest = o[o.outcome != "delivered"]
    return rest.groupby(["outcome", "reason"]).size().rename("orders").reset_index().sort_values(
        "orders", ascending=False, kind="stable")


def utilisation(records: RunRecords) -> pd.DataFrame:
    nodes = records.frame("nodes")
    grouped = nodes.groupby("kind")
    table = pd.DataFrame({"nodes": grouped.size(), "pickers": grouped.pickers.sum(),
                          "busy_picker_h": grouped.busy_picker_h.sum(), "open_picker_h": grouped.open_picker_h.sum(),
                          "shipments": grouped.shipments.sum(), "rejected_lines": grouped.rejected_lines.sum()})
    table["utilisation_pct"] = 100 * table.busy_picker_h / table.open_picker_h.where(table.open_picker_h > 0)
    return table.reset_index()


def busiest_nodes(records: RunRecords, n: int = 10) -> pd.DataFrame:
    nodes = records.frame("nodes")
    nodes["utilisation_pct"] = 100 * nodes.busy_picker_h / nodes.open_picker_h.where(nodes.open_picker_h > 0)
    return nodes.sort_values(["utilisation_pct", "node_id"], ascending=[False, True]).head(n)


def backlog(records: RunRecords) -> pd.DataFrame:
    """Per sample time and node kind: shipments waiting, being picked and awaiting the courier."""
    frame = records.frame("backlog")
    frame["backlog"] = frame.waiting + frame.picking + frame.awaiting_pickup
    return frame


def delivery_cdf(records: RunRecords) -> pd.DataFrame:
    """Share of (non-cancelled) orders delivered within h hours of payment, h = 0…max."""
    o = order_frame(records)
    counted = o[o.outcome != "cancelled"]
    hours = np.sort(counted.delivery_h.dropna().to_numpy())
    if not len(counted):
        return pd.DataFrame({"hours": [], "share": []})
    return pd.DataFrame({"hours": hours, "share": np.arange(1, len(hours) + 1) / len(counted)})


def tables(records: RunRecords) -> dict[str, pd.DataFrame]:
    """Every KPI table of a run, by name (what the report writes)."""
    out = {f"by_{g}": by_group(records, g) for g in GROUPS}
    out.update(summary=pd.DataFrame([summary(records)]), unfulfilled=unfulfilled(records),
               utilisation=utilisation(records), busiest_nodes=busiest_nodes(records), backlog=backlog(records),
               waves=records.frame("waves"))
    return out


def _pct(part, whole) -> float:
    return float(100.0 * part / whole) if whole else float("nan")


def _quantile(values: pd.Series, q: float) -> float:
    values = values.dropna()
    return float(values.quantile(q)) if len(values) else float("nan")
