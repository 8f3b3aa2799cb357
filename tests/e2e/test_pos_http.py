"""Store staff, carriers and customer service over real HTTP on a real database: intake → allocation →
the store's tasks → pick → pack → handover → delivered → return, and the recovery when a store rejects."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from oms.allocating import AllocateOrders, allocate_orders
from oms.channels.samples import sample_payload
from oms.inventory import StockLevel
from oms.persistence.database import SqlAlchemyUnitOfWork, make_engine
from oms.persistence.seed import load_stock
from tests.builders.pos import engine_for
from tests.e2e.conftest import CST, PAID_AT, WUHAN, key
from warehouses.handover import next_carrier_pickup

SKU, SKU2 = "S0001-BLK-M", "S0002-WHT-L"
NODE_KEYS = {"ST0001": "key-st1", "ST0002": "key-st2", "RDC-WUH": "key-rdc"}
CARRIER_KEYS = {"sf-express": "key-sf"}


def node(node_id: str) -> dict:
    return {"X-Api-Key": NODE_KEYS[node_id]}


@pytest.fixture
def pos(api, live_server):
    """The API with store, carrier and ops keys, a scripted allocation engine and stocked nodes."""
    ctx = live_server.app_context
    saved = (ctx.settings.node_keys, ctx.settings.carrier_keys, ctx.settings.ops_key,
             ctx.extras.get("planner"), ctx.extras.get("allocator"))
    ctx.settings.node_keys, ctx.settings.carrier_keys, ctx.settings.ops_key = NODE_KEYS, CARRIER_KEYS, "key-ops"
    ctx.planner, ctx.allocator = engine_for().values()
    engine = make_engine(ctx.settings.database_url)
    on_hand = {"ST0001": 1, "ST0002": 3, "RDC-WUH": 50}
    load_stock(engine, [StockLevel(n, s, on_hand=qty) for n, qty in on_hand.items() for s in (SKU, SKU2)])
    api.engine = engine
    yield api
    engine.dispose()
    (ctx.settings.node_keys, ctx.settings.carrier_keys, ctx.settings.ops_key, ctx.planner, ctx.allocator) = saved


def intake_and_allocate(api, order_id="P1", lines=((SKU, 1, 59900),)) -> dict:
    answer = api.post("/channels/tmall/orders", json=sample_payload("tmall", order_id, list(lines), WUHAN, PAID_AT),
                      headers=key("tmall"))
    assert answer.status_code == 201, answer.text
    order_id = answer.json()["id"]
    allocate_orders(AllocateOrders(order_ids=(order_id,)), SqlAlchemyUnitOfWork(api.engine),
                    now=datetime.now(timezone.utc), **engine_for())
    return api.get(f"/orders/{order_id}").json()


def act(api, node_id, shipment_id, action, request_id=None, **body):
    return api.post(f"/nodes/{node_id}/shipments/{shipment_id}/{action}", headers=node(node_id),
                    json={"request_id": request_id or f"{action}-{shipment_id}", **body})


def work_through(api, node_id, shipment_id, sku=SKU, qty=1):
    steps = [("accept", {}), ("pick", {"lines": [{"sku": sku, "quantity": qty}]}),
             ("pack", {"parcel_count": 1, "weight_g": 900}),
             ("handover", {"by": "courier", "carrier": "sf-express", "tracking_no": "SF1234567"})]
    for action, body in steps:
        answer = act(api, node_id, shipment_id, action, **body)
        assert answer.status_code == 200, answer.text
    return answer.json()


def test_intake_allocation_tasks_pick_pack_handover_and_delivery(pos):
    order = intake_and_allocate(pos)
    shipment_id = order["shipments"][0]["shipment_id"]
    tasks = pos.get("/nodes/ST0001/tasks", headers=node("ST0001")).json()
    assert [(t["shipment_id"], t["next_action"], t["lines"][0]["bin"]) for t in tasks["data"]] == [
        (shipment_id, "accept", SKU)]
    barcode = "690001BM"  # the scanner reads the barcode of S0001-BLK-M
    assert act(pos, "ST0001", shipment_id, "accept").json()["next_action"] == "pick"
    assert act(pos, "ST0001", shipment_id, "pick", lines=[{"sku": barcode, "quantity": 1}]).json()["status"] == "picked"
    assert act(pos, "ST0001", shipment_id, "pack", parcel_count=1, weight_g=900).json()["next_action"] == "handover"
    shipped = act(pos, "ST0001", shipment_id, "handover", by="rider", carrier="sf-express", tracking_no="SF1")
    assert (shipped.json()["status"], shipped.json()["order_status"]) == ("shipped", "shipped")
    assert pos.get("/nodes/ST0001/tasks", headers=node("ST0001")).json()["count"] == 0
    delivered = pos.post(f"/carrier/shipments/{shipment_id}/delivered", json={"carrier": "sf-express"},
                         headers={"X-Api-Key": "key-sf"})
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    stats = pos.get("/nodes/ST0001/stats", headers=node("ST0001")).json()
    assert (stats["handed_over"], stats["rejected_lines"], stats["open"]) == (1, 0, 0)


def test_a_rejected_shipment_is_reallocated_to_another_store_and_ships_from_there(pos):
    order = intake_and_allocate(pos)
    first = order["shipments"][0]["shipment_id"]
    answer = act(pos, "ST0001", first, "reject", reason="out_of_stock")
    assert answer.status_code == 200, answer.text
    moved = answer.json()["reallocation"]
    assert (answer.json()["status"], moved["status"], [s["node_id"] for s in moved["new_shipments"]]) == (
        "rejected", "allocated", ["ST0002"])
    work_through(pos, "ST0002", moved["new_shipments"][0]["shipment_id"])
    after = pos.get(f"/orders/{order['id']}").json()
    assert after["status"] == "shipped" and after["rejections"][0]["reason"] == "out_of_stock"
    path = [(e["subject"], e["to_status"]) for e in after["audit"]]
    assert ("shipment:1", "rejected") in path and ("shipment:2", "shipped") in path
    rejected_again = act(pos, "ST0002", moved["new_shipments"][0]["shipment_id"], "reject", "late-reject",
                         reason="damaged")
    assert (rejected_again.status_code, rejected_again.json()["current_status"]) == (409, "shipped")


def test_when_every_store_rejects_the_order_goes_to_the_rdc(pos):
    order = intake_and_allocate(pos, "P2", lines=((SKU, 1, 59900), (SKU2, 1, 19900)))
    first = order["shipments"][0]["shipment_id"]
    partial = act(pos, "ST0001", first, "reject", reason="damaged", lines=[{"line_no": 2}]).json()
    assert [ln["line_no"] for ln in partial["lines"]] == [1] and partial["reallocation"]["status"] == "allocated"
    second = partial["reallocation"]["new_shipments"][0]
    again = act(pos, second["node_id"], second["shipment_id"], "reject", reason="store_closing").json()
    assert again["reallocation"]["new_shipments"][0]["node_id"] == "RDC-WUH"


def test_the_rdc_confirms_picking_packing_and_handover_in_one_outbound_message(pos):
    order = intake_and_allocate(pos, "P3")
    for _ in range(2):  # both stores give the line back
        first = [s for s in pos.get(f"/orders/{order['id']}").json()["shipments"] if s["status"] == "allocated"][0]
        assert act(pos, first["node_id"], first["shipment_id"], "reject", reason="out_of_stock").status_code == 200
    at_rdc = [s for s in pos.get(f"/orders/{order['id']}").json()["shipments"] if s["status"] == "allocated"][0]
    assert at_rdc["node_id"] == "RDC-WUH"
    sid = at_rdc["shipment_id"]
    assert act(pos, "RDC-WUH", sid, "accept").status_code == 200
    now = datetime.now(timezone.utc)
    late = act(pos, "RDC-WUH", sid, "outbound", "out-bad", carrier="jd", tracking_no="JD1", weight_g=900,
               packed_at=(now + timedelta(hours=1)).isoformat())
    assert (late.status_code, late.json()["field"]) == (422, "packed_at"), late.text
    picked = packed = now  # after the acceptance, before the request arrives
    shipped = act(pos, "RDC-WUH", sid, "outbound", carrier="jd", tracking_no="JD1", weight_g=900,
                  picked_at=picked.isoformat(), packed_at=packed.isoformat())
    assert shipped.status_code == 200, shipped.text
    assert (shipped.json()["status"], shipped.json()["order_status"]) == ("shipped", "shipped")
    audit = [(e["subject"], e["to_status"], e["at"]) for e in pos.get(f"/orders/{order['id']}").json()["audit"]]
    steps = [(to, datetime.fromisoformat(at)) for subject, to, at in audit if subject == f"shipment:{sid[-1]}"]
    assert [to for to, _ in steps] == ["allocated", "accepted", "picked", "packed", "shipped"]
    assert abs(steps[2][1] - picked) < timedelta(seconds=1) and abs(steps[3][1] - packed) < timedelta(seconds=1)
    again = act(pos, "RDC-WUH", sid, "outbound", carrier="jd", tracking_no="JD1", weight_g=900,
                picked_at=picked.isoformat(), packed_at=packed.isoformat())
    assert (again.status_code, again.json()["replayed"]) == (200, True)


def test_the_return_flow_restocks_and_refunds(pos):
    order = intake_and_allocate(pos)
    shipment_id = order["shipments"][0]["shipment_id"]
    work_through(pos, "ST0001", shipment_id)
    pos.post(f"/carrier/shipments/{shipment_id}/delivered", json={"carrier": "sf-express"},
             headers={"X-Api-Key": "key-sf"})
    created = pos.post(f"/orders/{order['id']}/returns", json={"reason": "too small"})
    assert created.status_code == 201, created.text
    ret = created.json()
    assert (ret["status"], ret["pickup"]["by"], ret["order_status"]) == ("requested", "courier", "return_requested")
    received = pos.post(f"/returns/{ret['return_id']}/receive", headers=node("RDC-WUH"),
                        json={"request_id": "back-1", "node_id": "RDC-WUH", "condition": "ok"})
    assert received.status_code == 200, received.text
    assert (received.json()["refund_yuan"], received.json()["order_status"]) == ("599.00", "returned")
    assert pos.get(f"/returns/{ret['return_id']}").json()["received_node_id"] == "RDC-WUH"
    again = pos.post(f"/orders/{order['id']}/returns", json={"reason": "again"})
    assert (again.status_code, again.json()["current_status"]) == (409, "returned")


def test_a_store_sees_and_acts_on_only_its_own_shipments(pos):
    shipment_id = intake_and_allocate(pos)["shipments"][0]["shipment_id"]
    other = pos.post(f"/nodes/ST0002/shipments/{shipment_id}/accept", json={"request_id": "x"}, headers=node("ST0002"))
    assert other.status_code == 404 and SKU not in other.text
    wrong_key = pos.get("/nodes/ST0001/tasks", headers=node("ST0002"))
    assert wrong_key.status_code == 403
    assert pos.get("/nodes/ST0001/tasks").status_code == 401
    assert pos.get("/nodes/ST0002/tasks", headers=node("ST0002")).json()["count"] == 0


def test_retried_actions_with_the_same_request_id_change_nothing(pos, live_server):
    order = intake_and_allocate(pos)
    shipment_id = order["shipments"][0]["shipment_id"]
    act(pos, "ST0001", shipment_id, "accept")
    statuses, barrier = [], threading.Barrier(6)

    def retry():
        with httpx.Client(base_url=live_server.url, timeout=30) as client:
            barrier.wait()
            statuses.append(client.post(f"/nodes/ST0001/shipments/{shipment_id}/reject", headers=node("ST0001"),
                                        json={"request_id": "rej-once", "reason": "out_of_stock"}).json())

    threads = [threading.Thread(target=retry) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(s["replayed"] for s in statuses) == [False] + [True] * 5
    after = pos.get(f"/orders/{order['id']}").json()
    assert len(after["rejections"]) == 1 and len(after["shipments"]) == 2
    conflict = act(pos, "ST0001", shipment_id, "accept", "rej-once")
    assert (conflict.status_code, conflict.json()["error"]) == (409, "idempotency_key_conflict")


def test_illegal_and_wrong_actions_are_clear_4xx(pos):
    shipment_id = intake_and_allocate(pos)["shipments"][0]["shipment_id"]
    early = act(pos, "ST0001", shipment_id, "pack", parcel_count=1, weight_g=500)
    assert (early.status_code, early.json()["error"], early.json()["current_status"]) == (
        409, "illegal_transition", "allocated")
    act(pos, "ST0001", shipment_id, "accept")
    wrong = act(pos, "ST0001", shipment_id, "pick", lines=[{"sku": "S0003-BLK-L", "quantity": 1}])
    assert (wrong.status_code, wrong.json()["error"], wrong.json()["field"]) == (422, "invalid_action", "lines[0].sku")
    over = act(pos, "ST0001", shipment_id, "pick", "p2", lines=[{"sku": SKU, "quantity": 2}])
    assert (over.status_code, over.json()["field"]) == (422, "lines[0].quantity")
    bad = act(pos, "ST0001", shipment_id, "reject", reason="lazy")
    assert (bad.status_code, bad.json()["field"]) == (422, "reason")
    assert act(pos, "ST0001", "not-an-id", "accept").status_code == 404


def test_a_pos_sale_lowers_stock_at_once_and_an_unknown_sku_is_422(pos):
    sale = {"receipt_id": "TILL-1", "lines": [{"sku": SKU, "quantity": 2}]}
    first = pos.post("/nodes/ST0002/sales", json=sale, headers=node("ST0002"))
    again = pos.post("/nodes/ST0002/sales", json=sale, headers=node("ST0002"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["stock"] == [{"sku": SKU, "sold": 2, "on_hand": 1, "atp": 1}] == again.json()["stock"]
    unknown = pos.post("/nodes/ST0002/sales", headers=node("ST0002"),
                       json={"receipt_id": "TILL-2", "lines": [{"sku": "NOPE", "quantity": 1}]})
    assert (unknown.status_code, unknown.json()["error"], unknown.json()["field"]) == (422, "unknown_sku", "lines[0].sku")


def test_ops_escalates_shipments_a_store_ignored(pos, live_server):
    shipment_id = intake_and_allocate(pos)["shipments"][0]["shipment_id"]
    assert pos.post("/ops/escalate").status_code == 401
    live_server.app_context.settings.accept_deadline_minutes = 0
    try:
        answer = pos.post("/ops/escalate", headers={"X-Api-Key": "key-ops"})
    finally:
        live_server.app_context.settings.accept_deadline_minutes = 30
    assert answer.status_code == 200, answer.text
    assert shipment_id in answer.json()["escalated"] and answer.json()["reallocation"]["status"] == "allocated"
    stats = pos.get("/nodes/ST0001/stats", headers=node("ST0001")).json()
    assert (stats["escalated_lines"], stats["open"]) == (1, 0)


def test_tasks_are_sorted_by_pack_by_the_carrier_pickup_or_the_riders_deadline(pos, live_server):
    """ST0001 of the generated network has an 18:00 courier pickup. An express parcel promised a little
    after its next pickup must make that pickup, so it comes before a rider parcel promised earlier."""
    store = live_server.app_context.network().node("ST0001")
    now = datetime.now(timezone.utc)
    # Five minutes ahead: when the server's clock passes a cut-off meanwhile, the last pickup in time is still this.
    pickup = next_carrier_pickup(store, store.next_open((now + timedelta(minutes=5)).astimezone(CST)))
    express = intake_and_allocate(pos, "PB-EXPRESS", lines=((SKU, 1, 59900),))
    rider = intake_and_allocate(pos, "PB-RIDER", lines=((SKU2, 1, 19900),))
    uow = SqlAlchemyUnitOfWork(pos.engine)
    with uow:
        for order_id, promise, mode in ((express["id"], pickup + timedelta(hours=6), "express"),
                                        (rider["id"], pickup + timedelta(hours=3), "rider")):
            order = uow.orders.get(order_id)
            order.promised_by, order.shipments[0].mode = promise, mode
            uow.orders.save(order)
        uow.commit()
    answer = pos.get("/nodes/ST0001/tasks", headers=node("ST0001"))
    assert answer.status_code == 200, answer.text
    tasks = answer.json()["data"]
    assert [(t["channel_order_id"], t["mode"], t["next_action"]) for t in tasks] == [
        ("PB-EXPRESS", "express", "accept"), ("PB-RIDER", "rider", "accept")]
    first, second = tasks
    assert datetime.fromisoformat(first["pack_by"]) == datetime.fromisoformat(first["carrier_pickup"]) == pickup
    # No rider lane from a Tianjin store to Wuhan in the transit model: the rider's deadline is the promise.
    assert second["carrier_pickup"] is None and datetime.fromisoformat(second["pack_by"]) == pickup + timedelta(hours=3)
    assert first["pack_by"].endswith("+08:00")
    expected = (pickup - datetime.now(timezone.utc)).total_seconds() / 60
    assert expected - 2 <= first["minutes_left"] <= expected + 1
    assert second["minutes_left"] - first["minutes_left"] in (179, 180, 181)
