"""KPI definitions, checked on hand-made records."""
from __future__ import annotations

import math

import pytest

from simulation import kpis
from simulation.records import NodeRecord, OrderRecord, RunRecords


def order(i, outcome="delivered", paid=0.0, delivered=20.0, parcels=1, kind="store", channel="tmall",
          region="华中", cost=(800, 300), reason="") -> OrderRecord:
    return OrderRecord(order_id=i, channel=channel, region=region, city_tier=2, paid_h=paid, outcome=outcome,
                       reason=reason, status=outcome, delivered_h=delivered if outcome == "delivered" else None,
                       first_allocated_h=paid, units=1, lines=1, parcels=parcels, node_kind=kind, rejected_lines=0,
                       reallocations=0, shipping_fen=cost[0], handling_fen=cost[1])


def records(*orders, nodes=()) -> RunRecords:
    return RunRecords("t", 1, tuple(orders), (), (), (), tuple(nodes), {})


def test_the_24_hour_share_counts_late_and_undelivered_orders_but_not_cancelled_ones():
    run = records(order(1, delivered=20), order(2, delivered=30), order(3, outcome="unfulfilled", reason="no stock"),
                  order(4, outcome="cancelled", reason="customer"), order(5, paid=5, delivered=29))
    summary = kpis.summary(run)
    assert summary["within_24h_pct"] == pytest.approx(100 * 2 / 4)
    assert (summary["delivered"], summary["cancelled"], summary["unfulfilled"]) == (3, 1, 1)


def test_delivery_quantiles_split_rate_and_cost_are_over_delivered_orders():
    run = records(order(1, delivered=10, parcels=2, cost=(1000, 500)), order(2, delivered=20),
                  order(3, delivered=30), order(4, outcome="unfulfilled", reason="in transit at the horizon"))
    summary = kpis.summary(run)
    assert summary["delivery_p50_h"] == pytest.approx(20.0)
    assert summary["split_parcel_pct"] == pytest.approx(100 / 3)
    assert summary["cost_per_order_yuan"] == pytest.approx((1500 + 1100 + 1100) / 3 / 100)


def test_groups_and_the_reasons_for_what_was_not_delivered():
    run = records(order(1, channel="jd", delivered=10), order(2, channel="jd", delivered=40),
                  order(3, channel="mall", outcome="unfulfilled", reason="back-ordered: no stock"))
    by_channel = kpis.by_group(run, "channel").set_index("channel")
    assert by_channel.loc["jd", "within_24h_pct"] == 50.0 and by_channel.loc["mall", "orders"] == 1
    gaps = kpis.unfulfilled(run)
    assert gaps.to_dict("records") == [{"outcome": "unfulfilled", "reason": "back-ordered: no stock", "orders": 1}]


def test_utilisation_is_busy_over_open_picker_hours_per_node_kind():
    nodes = [NodeRecord("A", "store", "华中", 2, 24.0, 6.0, 10, 1), NodeRecord("B", "store", "华中", 1, 12.0, 0.0, 0, 0),
             NodeRecord("R", "rdc", "华中", 100, 1600.0, 800.0, 5000, 3)]
    summary = kpis.summary(records(order(1), nodes=nodes))
    assert summary["utilisation_store_pct"] == pytest.approx(100 * 6 / 36)
    assert summary["utilisation_rdc_pct"] == pytest.approx(50.0)
    assert math.isnan(summary["utilisation_cloud_pct"])


def test_the_delivery_cdf_reaches_the_delivered_share():
    cdf = kpis.delivery_cdf(records(order(1, delivered=5), order(2, outcome="unfulfilled", reason="x")))
    assert cdf.share.iloc[-1] == pytest.approx(0.5)
