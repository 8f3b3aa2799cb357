"""Allocation over real HTTP: waves, real-time allocation on intake, explanations stored with the order."""
from __future__ import annotations

from oms.inventory import StockLevel
from oms.persistence.database import make_engine
from oms.persistence.seed import load_stock
from oms.channels.samples import sample_payload
from tests.e2e.conftest import PAID_AT, WUHAN, key


def stock(live_server, *levels):
    engine = make_engine(live_server.app_context.settings.database_url)
    load_stock(engine, [StockLevel(node, sku, on_hand=units) for node, sku, units in levels])
    engine.dispose()


def post(api, order_id, lines=(("S0001-BLK-M", 1, 59900),), channel="tmall"):
    answer = api.post(f"/channels/{channel}/orders", json=sample_payload(channel, order_id, list(lines), WUHAN, PAID_AT),
                      headers=key(channel))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_wave_allocates_to_the_node_holding_stock_and_explains_why(api, live_server):
    stock(live_server, ("RDC-WUHAN", "S0001-BLK-M", 5), ("RDC-CHENGDU", "S0001-BLK-M", 5))
    order = post(api, "A1")
    report = api.post("/allocation/run", json={})
    assert report.status_code == 200, report.text
    assert report.json()["allocated"] == 1 and report.json()["solver"] == "optimal"
    stored = api.get(f"/orders/{order['id']}").json()
    assert stored["status"] == "allocated"
    shipment = stored["shipments"][0]
    assert shipment["node_id"] == "RDC-WUHAN"  # same city beats Chengdu
    explanation = shipment["explanation"]
    assert explanation["cost"]["total_fen"] == shipment["cost_fen"] > 0
    assert [alt["node_id"] for alt in explanation["alternatives"]] == ["RDC-CHENGDU"]
    assert explanation["alternatives"][0]["total_fen"] >= shipment["cost_fen"]
    assert stored["audit"][-1]["to_status"] == "allocated"


def test_an_order_no_node_can_ship_is_backordered_with_a_readable_reason(api, live_server):
    order = post(api, "B1")
    assert api.post("/allocation/run", json={"allocator": "greedy"}).json()["backordered"] == 1
    stored = api.get(f"/orders/{order['id']}").json()
    assert stored["status"] == "backordered"
    assert "S0001-BLK-M" in stored["backorder_reason"]


def test_real_time_allocation_on_intake_answers_with_the_allocated_order(api, live_server):
    stock(live_server, ("RDC-WUHAN", "S0001-BLK-M", 5))
    settings = live_server.app_context.settings
    settings.allocate_on_intake = True
    try:
        order = post(api, "R1")
    finally:
        settings.allocate_on_intake = False
    assert order["status"] == "allocated" and order["shipments"][0]["node_id"] == "RDC-WUHAN"


def test_a_bad_wave_request_is_422_naming_the_field(api):
    answer = api.post("/allocation/run", json={"allocator": "magic"})
    assert answer.status_code == 422 and answer.json()["field"] == "allocator"
